import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** The SFDX project in infra/salesforce, read into memory so a test can check a deliberately broken copy. */
export const PROJECT_DIR = path.resolve(__dirname, '../../infra/salesforce');
export const SOURCE_ROOT = 'force-app/main/default';
export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

/** Project files by path relative to PROJECT_DIR (forward slashes). */
export type Project = Map<string, string>;

export function readProject(dir = PROJECT_DIR): Project {
  const files: Project = new Map();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return files;
}

/** A copy of the project with one file's text changed (the edit must change something). */
export function withEdit(project: Project, file: string, edit: (text: string) => string): Project {
  const text = project.get(file);
  if (text === undefined) throw new Error(`no file ${file}`);
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit of ${file} changed nothing`);
  return new Map(project).set(file, edited);
}

export type Xml = Record<string, any>;

/** Elements that repeat in the metadata types used here: always parsed as arrays, even when there is one. */
const REPEATED = new Set([
  'actionCalls',
  'assignments',
  'assignmentItems',
  'choiceReferences',
  'choices',
  'conditions',
  'customPermissions',
  'decisions',
  'externalCredentialParameters',
  'externalCredentialPrincipalAccesses',
  'fieldPermissions',
  'fields',
  'flowAccesses',
  'formulas',
  'inputParameters',
  'namedCredentialParameters',
  'objectPermissions',
  'operations',
  'outboundMessages',
  'outputParameters',
  'processMetadataValues',
  'rules',
  'screens',
  'textTemplates',
  'userPermissions',
  'variables',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  isArray: (name, jpath) => REPEATED.has(name) || jpath === 'CustomField.valueSet.valueSetDefinition.value',
});

export function parseXml(text: string): Xml {
  return parser.parse(text) as Xml;
}

/** The metadata type a source file holds, from its suffix (`Lead.Handoff_Accept.quickAction-meta.xml` → QuickAction). */
export const SUFFIX_TYPES: Record<string, string> = {
  'field-meta.xml': 'CustomField',
  'permissionset-meta.xml': 'PermissionSet',
  'customPermission-meta.xml': 'CustomPermission',
  'externalCredential-meta.xml': 'ExternalCredential',
  'namedCredential-meta.xml': 'NamedCredential',
  'externalServiceRegistration-meta.xml': 'ExternalServiceRegistration',
  'flow-meta.xml': 'Flow',
  'quickAction-meta.xml': 'QuickAction',
  'workflow-meta.xml': 'Workflow',
};

export interface Component {
  file: string;
  type: string;
  /** The API name: the file name without the suffix. */
  name: string;
  /** The root element's content. */
  body: Xml;
}

/** Every metadata source file of the project, parsed; files whose suffix is unknown are reported by the checks. */
export function components(project: Project): Component[] {
  const result: Component[] = [];
  for (const [file, text] of project) {
    if (!file.startsWith(`${SOURCE_ROOT}/`)) continue;
    const base = file.slice(file.lastIndexOf('/') + 1);
    const suffix = Object.keys(SUFFIX_TYPES).find((s) => base.endsWith(`.${s}`));
    if (!suffix) continue;
    const type = SUFFIX_TYPES[suffix]!;
    const parsed = parseXml(text);
    result.push({ file, type, name: base.slice(0, -suffix.length - 1), body: (parsed[type] ?? {}) as Xml });
  }
  return result;
}

export const list = <T = Xml>(value: unknown): T[] =>
  value === undefined || value === '' ? [] : Array.isArray(value) ? (value as T[]) : [value as T];
