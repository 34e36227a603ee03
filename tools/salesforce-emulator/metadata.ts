import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { EmulatorLogger } from './logger';
import { buildSchema, buildSObject, type FieldDef, type Schema } from './schema';
import { STANDARD_OBJECTS } from './standard-objects';

export const DEFAULT_METADATA_DIR = path.resolve(__dirname, '../../infra/salesforce/force-app/main/default');

const xmlBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const xmlInt = z.string().regex(/^\d+$/).transform(Number);

const customFieldSchema = z.object({
  fullName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/),
  label: z.string(),
  type: z.string(),
  length: xmlInt.optional(),
  precision: xmlInt.optional(),
  scale: xmlInt.optional(),
  required: xmlBoolean.optional(),
  externalId: xmlBoolean.optional(),
  unique: xmlBoolean.optional(),
  caseSensitive: xmlBoolean.optional(),
  defaultValue: z.string().optional(),
  referenceTo: z.string().optional(),
  valueSet: z
    .object({
      restricted: xmlBoolean.optional(),
      valueSetDefinition: z.object({
        value: z.array(z.object({ fullName: z.string(), default: xmlBoolean.optional() })),
      }),
    })
    .optional(),
});
type CustomFieldXml = z.infer<typeof customFieldSchema>;

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'value' });

export function parseFieldMetadata(xml: string, file: string): FieldDef {
  const parsed = customFieldSchema.safeParse((parser.parse(xml) as { CustomField?: unknown }).CustomField);
  if (!parsed.success) {
    throw new Error(`${file}: not a CustomField this emulator understands: ${z.prettifyError(parsed.error)}`);
  }
  return toFieldDef(parsed.data, file);
}

function toFieldDef(xml: CustomFieldXml, file: string): FieldDef {
  const base = {
    name: xml.fullName,
    label: xml.label,
    custom: true,
    required: xml.required ?? false,
    externalId: xml.externalId ?? false,
    unique: xml.unique ?? false,
    caseSensitive: xml.caseSensitive ?? false,
  };
  switch (xml.type) {
    case 'Text':
      return { ...base, type: 'string', length: xml.length ?? 255 };
    case 'TextArea':
      return { ...base, type: 'textarea', length: 255 };
    case 'LongTextArea':
    case 'Html':
      return { ...base, type: 'textarea', length: xml.length ?? 32768 };
    case 'Email':
      return { ...base, type: 'email', length: 80 };
    case 'Phone':
      return { ...base, type: 'phone', length: 40 };
    case 'Url':
      return { ...base, type: 'url', length: 255 };
    case 'Number':
    case 'Percent':
      return { ...base, type: 'double', precision: xml.precision ?? 18, scale: xml.scale ?? 0 };
    case 'Currency':
      return { ...base, type: 'currency', precision: xml.precision ?? 18, scale: xml.scale ?? 2 };
    case 'Checkbox':
      return { ...base, type: 'boolean', defaultValue: xml.defaultValue === 'true' };
    case 'Date':
      return { ...base, type: 'date' };
    case 'DateTime':
      return { ...base, type: 'datetime' };
    case 'Lookup':
      return { ...base, type: 'reference', length: 18, referenceTo: xml.referenceTo ? [xml.referenceTo] : [] };
    case 'Picklist': {
      const values = xml.valueSet?.valueSetDefinition.value ?? [];
      const defaultEntry = values.find((v) => v.default);
      return {
        ...base,
        type: 'picklist',
        length: 255,
        picklistValues: values.map((v) => v.fullName),
        restricted: xml.valueSet?.restricted ?? false,
        ...(defaultEntry ? { defaultValue: defaultEntry.fullName } : {}),
      };
    }
    default:
      throw new Error(`${file}: field type ${xml.type} is not supported by the emulator`);
  }
}

function readFieldFolder(folder: string): FieldDef[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.field-meta.xml'))
    .sort()
    .map((name) => {
      const file = path.join(folder, name);
      return parseFieldMetadata(readFileSync(file, 'utf8'), file);
    });
}

/** Standard objects with their built-in fields plus the custom fields found under `<metadataDir>/objects`. */
export function loadSchema(metadataDir: string, logger: EmulatorLogger): Schema {
  const objectsDir = path.join(metadataDir, 'objects');
  if (!existsSync(objectsDir)) throw new Error(`metadata directory has no objects/ folder: ${metadataDir}`);
  const known = new Set(STANDARD_OBJECTS.flatMap((o) => o.metadataFolders));
  for (const folder of readdirSync(objectsDir)) {
    if (!known.has(folder)) logger.warn({ folder }, 'salesforce-emulator: ignoring metadata for an object it does not emulate');
  }
  const sobjects = STANDARD_OBJECTS.map((standard) => {
    const custom = standard.metadataFolders.flatMap((folder) => readFieldFolder(path.join(objectsDir, folder, 'fields')));
    return buildSObject(
      { name: standard.name, label: standard.label, labelPlural: standard.labelPlural, keyPrefix: standard.keyPrefix, writable: standard.writable },
      [...standard.fields(), ...custom],
    );
  });
  return buildSchema(sobjects);
}
