import { XMLValidator } from 'fast-xml-parser';
import {
  components,
  list,
  METADATA_NS,
  parseXml,
  SOURCE_ROOT,
  SUFFIX_TYPES,
  type Component,
  type Project,
  type Xml,
} from './metadata';

/**
 * Offline checks of the SFDX metadata in infra/salesforce. Each returns the problems it finds (empty
 * when the metadata is consistent), so a test can also show that a broken copy is caught.
 */

/** The objects this project uses, with the standard fields its metadata references (custom fields come from objects/<Object>/fields). */
export const STANDARD_FIELDS: Record<string, readonly string[]> = {
  Lead: ['Id', 'OwnerId', 'LastModifiedDate', 'IsConverted'],
  Task: [],
};
/** Where custom fields of an object are defined: Task and Event fields live on Activity. */
const FIELD_FOLDERS: Record<string, readonly string[]> = { Lead: ['Lead'], Task: ['Activity', 'Task'] };
/** Global merge fields the flows may use besides $Record and $Permission. */
export const GLOBALS = ['$User.Id', '$Flow.FaultMessage', '$Flow.CurrentDateTime'] as const;

const text = (value: unknown): string => (value === undefined ? '' : String(value));

// ---------------------------------------------------------------------------------------------
// Well-formedness

export function wellFormednessProblems(project: Project): string[] {
  const problems: string[] = [];
  const sourceApiVersion = sfdxProject(project).sourceApiVersion;
  const wellFormed: Project = new Map();
  for (const [file, content] of project) {
    if (!file.endsWith('.xml')) continue;
    const valid = XMLValidator.validate(content);
    if (valid !== true) {
      problems.push(`${file}: not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
      continue;
    }
    wellFormed.set(file, content);
    if (!content.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
      problems.push(`${file}: no UTF-8 XML declaration`);
    const base = file.slice(file.lastIndexOf('/') + 1);
    const suffix = Object.keys(SUFFIX_TYPES).find((s) => base.endsWith(`.${s}`));
    if (!file.startsWith(`${SOURCE_ROOT}/`) || !suffix) {
      problems.push(`${file}: not a metadata source file this project knows (${Object.keys(SUFFIX_TYPES).join(', ')})`);
      continue;
    }
    const parsed = parseXml(content);
    const roots = Object.keys(parsed);
    const type = SUFFIX_TYPES[suffix]!;
    if (roots.length !== 1 || roots[0] !== type)
      problems.push(`${file}: root element ${roots.join(', ')}, expected ${type}`);
    else if ((parsed[type] as Xml)['@xmlns'] !== METADATA_NS)
      problems.push(`${file}: root element not in namespace ${METADATA_NS}`);
  }
  for (const c of components(wellFormed)) {
    for (const version of [c.body.apiVersion, ...list(c.body.outboundMessages).map((m) => m.apiVersion)]) {
      if (version !== undefined && version !== sourceApiVersion)
        problems.push(`${c.file}: apiVersion ${version}, the project uses ${sourceApiVersion}`);
    }
    for (const description of collect(c.body, 'description')) {
      if (description.length > 255) problems.push(`${c.file}: description longer than 255 characters`);
    }
  }
  return problems;
}

function sfdxProject(project: Project): { sourceApiVersion: string } {
  return JSON.parse(project.get('sfdx-project.json') ?? '{}') as { sourceApiVersion: string };
}

/** Every value of an element with this name, at any depth. */
function collect(node: unknown, name: string): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => collect(n, name));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Xml).flatMap(([key, value]) =>
    key === name ? list(value).map((v) => (typeof v === 'object' ? '' : text(v))) : collect(value, name),
  );
}

// ---------------------------------------------------------------------------------------------
// The metadata catalogue the references are checked against

export interface Catalogue {
  components: Component[];
  of(type: string): Component[];
  get(type: string, name: string): Component | undefined;
  /** Field API names of an object: custom ones from its metadata folders, plus the standard ones listed above. */
  fields(object: string): Set<string>;
  /** Picklist values of a custom field, or undefined if it is not a picklist. */
  picklist(object: string, field: string): string[] | undefined;
}

export function catalogue(project: Project): Catalogue {
  const all = components(project);
  const customFields = (object: string) =>
    all.filter(
      (c) =>
        c.type === 'CustomField' &&
        (FIELD_FOLDERS[object] ?? [object]).some((folder) =>
          c.file.startsWith(`${SOURCE_ROOT}/objects/${folder}/fields/`),
        ),
    );
  return {
    components: all,
    of: (type) => all.filter((c) => c.type === type),
    get: (type, name) => all.find((c) => c.type === type && c.name === name),
    fields: (object) => new Set([...(STANDARD_FIELDS[object] ?? []), ...customFields(object).map((c) => c.name)]),
    picklist: (object, field) => {
      const def = customFields(object).find((c) => c.name === field);
      return def?.body.type === 'Picklist'
        ? list(def.body.valueSet?.valueSetDefinition?.value).map((v) => text(v.fullName))
        : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The External Service's OpenAPI schema

export type JsonSchema = {
  $ref?: string;
  /** OpenAPI 3.1 (the app) writes `type: ['string', 'null']`, 3.0 (External Services) `type: 'string', nullable: true`. */
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
};
export type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
};
export type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export function registrationSchema(registration: Component): OpenApi {
  return JSON.parse(text(registration.body.schema)) as OpenApi;
}

/** Follows a `#/components/schemas/X` reference of the same document. */
export function resolve(doc: OpenApi, schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return resolve(doc, doc.components?.schemas?.[name]);
}

const componentName = (schema: JsonSchema | undefined): string | undefined =>
  schema?.$ref?.replace('#/components/schemas/', '');

/** An External Service operation as Flow sees it: `<service>.<operationId>`. */
function findOperation(doc: OpenApi, operationId: string): { path: string; method: string; op: Operation } | undefined {
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) if (op.operationId === operationId) return { path, method, op };
  }
  return undefined;
}

const jsonBody = (op: Operation): JsonSchema | undefined => op.requestBody?.content?.['application/json']?.schema;
const jsonResponse = (op: Operation, status: string): JsonSchema | undefined =>
  op.responses?.[status]?.content?.['application/json']?.schema;

// ---------------------------------------------------------------------------------------------
// References

const APEX_PREFIX = (service: string) => `ExternalService__${service}_`;
const MERGE_FIELD = /\{!([^}]+)\}/g;

export function referenceProblems(project: Project): string[] {
  const cat = catalogue(project);
  const problems: string[] = [];
  for (const c of cat.components) {
    const report = (message: string) => problems.push(`${c.file}: ${message}`);
    switch (c.type) {
      case 'Flow':
        flowProblems(cat, c, report);
        break;
      case 'QuickAction':
        quickActionProblems(cat, c, report);
        break;
      case 'PermissionSet':
        permissionSetProblems(cat, c, report);
        break;
      case 'NamedCredential':
        for (const p of list(c.body.namedCredentialParameters).filter((p) => p.parameterType === 'Authentication')) {
          if (!cat.get('ExternalCredential', text(p.externalCredential)))
            report(`unknown External Credential ${text(p.externalCredential)}`);
        }
        break;
      case 'ExternalCredential':
        for (const p of list(c.body.externalCredentialParameters).filter((p) => p.parameterType === 'AuthHeader')) {
          for (const [, credential] of text(p.parameterValue).matchAll(/\$Credential\.(\w+)\./g)) {
            if (credential !== c.name)
              report(
                `header ${text(p.parameterName)} reads $Credential.${credential}, not this credential (${c.name})`,
              );
          }
        }
        break;
      case 'ExternalServiceRegistration':
        registrationProblems(cat, c, report);
        break;
      case 'Workflow':
        for (const message of list(c.body.outboundMessages)) {
          const fields = cat.fields(c.name);
          for (const field of list<string>(message.fields))
            if (!fields.has(field))
              report(`Outbound Message ${text(message.fullName)}: unknown field ${c.name}.${field}`);
        }
        break;
    }
  }
  return problems;
}

function registrationProblems(cat: Catalogue, c: Component, report: (m: string) => void): void {
  if (!cat.get('NamedCredential', text(c.body.namedCredentialReference)))
    report(`unknown Named Credential ${text(c.body.namedCredentialReference)}`);
  if (c.body.schemaType !== 'OpenApi3') report(`schemaType ${text(c.body.schemaType)}, expected OpenApi3`);
  const doc = registrationSchema(c);
  if (!/^3\.0\.\d+$/.test(doc.openapi)) report(`External Services reads OpenAPI 3.0, the schema says ${doc.openapi}`);
  const operationIds = Object.values(doc.paths).flatMap((methods) =>
    Object.values(methods).map((op) => text(op.operationId)),
  );
  const active = list(c.body.operations)
    .filter((o) => o.active === 'true')
    .map((o) => text(o.name));
  const expected = [...operationIds].sort();
  if (JSON.stringify([...active].sort()) !== JSON.stringify(expected))
    report(`active operations ${active.join(', ')}, expected ${expected.join(', ')}`);
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    for (const [property, sub] of Object.entries(schema.properties ?? {})) {
      if (sub.$ref && !resolve(doc, sub)) report(`schema ${name}.${property} refers to missing ${sub.$ref}`);
    }
  }
}

function quickActionProblems(cat: Catalogue, c: Component, report: (m: string) => void): void {
  const object = c.name.split('.')[0]!;
  if (!STANDARD_FIELDS[object]) report(`object ${object} is not one this project uses`);
  if (c.body.type !== 'Flow') {
    report(`type ${text(c.body.type)}, expected Flow`);
    return;
  }
  const flow = cat.get('Flow', text(c.body.flowDefinition));
  if (!flow) return report(`unknown flow ${text(c.body.flowDefinition)}`);
  if (flow.body.processType !== 'Flow')
    report(`flow ${flow.name} is not a Screen Flow (processType ${text(flow.body.processType)})`);
  const recordId = list(flow.body.variables).find((v) => v.name === 'recordId');
  if (recordId?.isInput !== 'true' || recordId.dataType !== 'String')
    report(`flow ${flow.name} has no String input variable recordId for the record`);
}

function permissionSetProblems(cat: Catalogue, c: Component, report: (m: string) => void): void {
  for (const p of list(c.body.fieldPermissions)) {
    const [object, field] = text(p.field).split('.');
    if (!object || !field || !cat.fields(object).has(field)) report(`unknown field ${text(p.field)}`);
  }
  for (const p of list(c.body.objectPermissions))
    if (!STANDARD_FIELDS[text(p.object)]) report(`unknown object ${text(p.object)}`);
  for (const p of list(c.body.flowAccesses))
    if (!cat.get('Flow', text(p.flowName))) report(`unknown flow ${text(p.flowName)}`);
  for (const p of list(c.body.customPermissions))
    if (!cat.get('CustomPermission', text(p.name))) report(`unknown custom permission ${text(p.name)}`);
  for (const p of list(c.body.externalCredentialPrincipalAccesses)) {
    const [credential, principal] = text(p.externalCredentialPrincipal).split('-');
    const ec = cat.get('ExternalCredential', text(credential));
    const principals = list(ec?.body.externalCredentialParameters)
      .filter((q) => q.parameterType === 'NamedPrincipal')
      .map((q) => text(q.parameterName));
    if (!principal || !principals.includes(principal))
      report(`unknown External Credential principal ${text(p.externalCredentialPrincipal)}`);
  }
}

const ELEMENT_KINDS = [
  'actionCalls',
  'assignments',
  'choices',
  'decisions',
  'formulas',
  'screens',
  'textTemplates',
  'variables',
] as const;
const NODE_KINDS = ['actionCalls', 'assignments', 'decisions', 'screens'] as const;

interface FlowContext {
  cat: Catalogue;
  flow: Xml;
  object: string | undefined;
  /** Element name → the element (screen fields included). */
  elements: Map<string, { kind: string; element: Xml }>;
  report: (m: string) => void;
}

function flowProblems(cat: Catalogue, c: Component, report: (m: string) => void): void {
  const flow = c.body;
  const elements = new Map<string, { kind: string; element: Xml }>();
  const add = (kind: string, element: Xml) => {
    const name = text(element.name);
    if (elements.has(name)) report(`two elements named ${name}`);
    elements.set(name, { kind, element });
  };
  for (const kind of ELEMENT_KINDS) for (const element of list(flow[kind])) add(kind, element);
  for (const screen of list(flow.screens)) for (const field of list(screen.fields)) add('screenField', field);
  for (const decision of list(flow.decisions)) for (const rule of list(decision.rules)) add('outcome', rule);

  const object = flow.start?.object === undefined ? undefined : text(flow.start.object);
  if (object !== undefined && !STANDARD_FIELDS[object]) report(`start object ${object} is not one this project uses`);
  const ctx: FlowContext = { cat, flow, object, elements, report };

  const nodes = new Set(NODE_KINDS.flatMap((kind) => list(flow[kind]).map((e) => text(e.name))));
  for (const target of collect(flow, 'targetReference'))
    if (!nodes.has(target)) report(`connector to unknown element ${target}`);
  if (!flow.start?.connector) report('the start element connects to nothing');

  for (const ref of [
    ...collect(flow, 'elementReference'),
    ...collect(flow, 'leftValueReference'),
    ...collect(flow, 'assignToReference'),
  ]) {
    checkReference(ctx, ref);
  }
  for (const choiceRef of collect(flow, 'choiceReferences')) {
    if (elements.get(choiceRef)?.kind !== 'choices') report(`screen field uses unknown choice ${choiceRef}`);
  }
  const texts = [
    ...collect(flow, 'expression'),
    ...collect(flow, 'fieldText'),
    ...collect(flow, 'text'),
    ...collect(flow, 'interviewLabel'),
    ...collect(flow, 'filterFormula'),
    ...collect(flow, 'formulaExpression'),
  ];
  for (const t of texts) for (const [, ref] of t.matchAll(MERGE_FIELD)) checkReference(ctx, ref!);

  for (const call of list(flow.actionCalls)) actionProblems(ctx, call);
  for (const item of list(flow.assignments).flatMap((a) => list(a.assignmentItems))) enumAssignmentProblems(ctx, item);
}

/** A reference is a global, a $Record field, a custom permission, or an element (with a path into an Apex-defined type). */
function checkReference(ctx: FlowContext, ref: string): void {
  const [root, ...path] = ref.split('.');
  if (root === '$Record') {
    if (!ctx.object) return ctx.report(`${ref}: $Record in a flow without a triggering object`);
    if (path.length !== 1 || !ctx.cat.fields(ctx.object).has(path[0]!))
      ctx.report(`${ref}: unknown field ${ctx.object}.${path.join('.')}`);
    return;
  }
  if (root === '$Permission') {
    if (!ctx.cat.get('CustomPermission', path.join('.'))) ctx.report(`${ref}: unknown custom permission`);
    return;
  }
  if (root!.startsWith('$')) {
    if (!(GLOBALS as readonly string[]).includes(ref)) ctx.report(`${ref}: a global this project does not list`);
    return;
  }
  const found = ctx.elements.get(root!);
  if (!found) return ctx.report(`${ref}: unknown element ${root}`);
  if (path.length === 0) return;
  const schema = apexSchema(ctx, found.element);
  if (!schema) return ctx.report(`${ref}: ${root} is not an External Service type, it has no ${path.join('.')}`);
  let node: JsonSchema | undefined = resolve(schema.doc, schema.schema);
  for (const step of path) {
    node = resolve(schema.doc, node?.properties?.[step]);
    if (!node) return ctx.report(`${ref}: ${step} is not a property of ${found.element.apexClass}`);
  }
}

/** The OpenAPI schema behind an Apex-defined variable `ExternalService__<service>_<Component>`. */
function apexSchema(ctx: FlowContext, variable: Xml): { doc: OpenApi; schema: JsonSchema } | undefined {
  const apexClass = text(variable.apexClass);
  for (const registration of ctx.cat.of('ExternalServiceRegistration')) {
    if (!apexClass.startsWith(APEX_PREFIX(registration.name))) continue;
    const doc = registrationSchema(registration);
    const schema = doc.components?.schemas?.[apexClass.slice(APEX_PREFIX(registration.name).length)];
    if (schema) return { doc, schema };
  }
  return undefined;
}

function actionProblems(ctx: FlowContext, call: Xml): void {
  const name = text(call.name);
  const [owner, action] = text(call.actionName).split('.');
  if (call.actionType === 'outboundMessage') {
    const workflow = ctx.cat.get('Workflow', text(owner));
    if (owner !== ctx.object) ctx.report(`${name}: Outbound Message of ${owner} in a flow on ${ctx.object}`);
    if (!list(workflow?.body.outboundMessages).some((m) => m.fullName === action))
      ctx.report(`${name}: unknown Outbound Message ${text(call.actionName)}`);
    return;
  }
  if (call.actionType !== 'externalService')
    return ctx.report(`${name}: action type ${text(call.actionType)} is not an Apex-free HTTP callout`);
  const registration = ctx.cat.get('ExternalServiceRegistration', text(owner));
  if (!registration) return ctx.report(`${name}: unknown External Service ${owner}`);
  const doc = registrationSchema(registration);
  const found = findOperation(doc, text(action));
  if (!found) return ctx.report(`${name}: External Service ${owner} has no operation ${action}`);

  const inputs = new Map(list(call.inputParameters).map((p) => [text(p.name), text(p.value?.elementReference)]));
  const pathParams = (found.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
  const expected = [...pathParams, ...(found.op.requestBody ? ['body'] : [])].sort();
  if (JSON.stringify([...inputs.keys()].sort()) !== JSON.stringify(expected)) {
    ctx.report(`${name}: inputs ${[...inputs.keys()].join(', ')}, operation ${action} takes ${expected.join(', ')}`);
  }
  const bodyVar = ctx.elements.get(inputs.get('body') ?? '')?.element;
  const bodyComponent = componentName(jsonBody(found.op));
  if (found.op.requestBody && (!bodyVar || text(bodyVar.apexClass) !== `${APEX_PREFIX(text(owner))}${bodyComponent}`)) {
    ctx.report(`${name}: body must be a variable of type ${APEX_PREFIX(text(owner))}${bodyComponent}`);
  }
  const assigned = new Set(
    list(ctx.flow.assignments)
      .flatMap((a) => list(a.assignmentItems))
      .map((item) => text(item.assignToReference)),
  );
  for (const property of resolve(doc, jsonBody(found.op))?.required ?? []) {
    if (!assigned.has(`${inputs.get('body')}.${property}`))
      ctx.report(`${name}: the flow never sets the required ${inputs.get('body')}.${property}`);
  }
  for (const output of list(call.outputParameters)) {
    const status = text(output.name);
    const target = ctx.elements.get(text(output.assignToReference))?.element;
    if (status === 'responseCode') {
      if (target?.dataType !== 'Number')
        ctx.report(`${name}: responseCode goes to ${text(output.assignToReference)}, not a Number variable`);
      continue;
    }
    const responseComponent = componentName(jsonResponse(found.op, status));
    if (!responseComponent) ctx.report(`${name}: operation ${action} declares no JSON response ${status}`);
    else if (text(target?.apexClass) !== `${APEX_PREFIX(text(owner))}${responseComponent}`) {
      ctx.report(
        `${name}: response ${status} goes to ${text(output.assignToReference)}, not a ${APEX_PREFIX(text(owner))}${responseComponent}`,
      );
    }
  }
}

/** Assigning a picklist screen field to an enum property: its choices must be exactly the enum's values. */
function enumAssignmentProblems(ctx: FlowContext, item: Xml): void {
  const [root, ...path] = text(item.assignToReference).split('.');
  const variable = ctx.elements.get(root!)?.element;
  const source = ctx.elements.get(text(item.value?.elementReference));
  if (!variable || path.length !== 1 || source?.kind !== 'screenField') return;
  const schema = apexSchema(ctx, variable);
  const property = schema && resolve(schema.doc, resolve(schema.doc, schema.schema)?.properties?.[path[0]!]);
  if (!property?.enum) return;
  const values = choiceValues(ctx.flow, text(source.element.name));
  if (JSON.stringify([...values].sort()) !== JSON.stringify(property.enum.map(String).sort())) {
    ctx.report(
      `${text(item.assignToReference)}: the choices of ${text(source.element.name)} (${values.join(', ')}) are not the schema's values (${property.enum.join(', ')})`,
    );
  }
}

/** The values a choice screen field offers, in display order. */
export function choiceValues(flow: Xml, field: string): string[] {
  const screenField = list(flow.screens)
    .flatMap((s) => list(s.fields))
    .find((f) => f.name === field);
  const choices = new Map(list(flow.choices).map((c) => [text(c.name), text(c.value?.stringValue)]));
  return list<string>(screenField?.choiceReferences).map((ref) => choices.get(text(ref)) ?? `<missing choice ${ref}>`);
}

// ---------------------------------------------------------------------------------------------
// The External Service against the app's OpenAPI document

export function contractProblems(registration: OpenApi, app: OpenApi): string[] {
  const problems: string[] = [];
  for (const [path, methods] of Object.entries(registration.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      const served = app.paths[path]?.[method];
      if (!served) {
        problems.push(`${where}: not a route of the API`);
        continue;
      }
      if (op.operationId !== served.operationId)
        problems.push(`${where}: operationId ${op.operationId}, the API's is ${served.operationId}`);
      const pathParams = (o: Operation) =>
        (o.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
      if (JSON.stringify(pathParams(op)) !== JSON.stringify(pathParams(served)))
        problems.push(
          `${where}: path parameters ${pathParams(op).join(', ')}, the API's are ${pathParams(served).join(', ')}`,
        );
      const body = jsonBody(op);
      const servedBody = jsonBody(served);
      if (body && !servedBody) problems.push(`${where}: sends a JSON body the API does not take`);
      if (!body && servedBody) problems.push(`${where}: sends no body, the API requires one`);
      if (body && servedBody)
        problems.push(...schemaProblems(`${where} body`, registration, body, app, servedBody, 'request'));
      for (const status of Object.keys(op.responses ?? {})) {
        const servedResponse = served.responses?.[status];
        if (!servedResponse) {
          problems.push(`${where}: response ${status} is not one the API answers`);
          continue;
        }
        const schema = jsonResponse(op, status);
        const servedSchema = jsonResponse(served, status);
        if (schema && !servedSchema) problems.push(`${where}: response ${status} has no JSON body in the API`);
        if (schema && servedSchema)
          problems.push(
            ...schemaProblems(`${where} response ${status}`, registration, schema, app, servedSchema, 'response'),
          );
      }
    }
  }
  return problems;
}

function typeOf(schema: JsonSchema): [string | undefined, boolean] {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const concrete = types.filter((t) => t !== 'null');
  return [
    concrete.length === 1 ? concrete[0] : concrete.join('|') || undefined,
    types.includes('null') || schema.nullable === true,
  ];
}

/**
 * A request schema must name only properties the API accepts, require exactly what it requires and use
 * the same types and enum values; a response schema may read a subset of what the API answers.
 */
function schemaProblems(
  where: string,
  doc: OpenApi,
  schema: JsonSchema,
  appDoc: OpenApi,
  appSchema: JsonSchema,
  side: 'request' | 'response',
): string[] {
  const ours = resolve(doc, schema)!;
  const theirs = resolve(appDoc, appSchema)!;
  const problems: string[] = [];
  const [type, nullable] = typeOf(ours);
  const [apiType, apiNullable] = typeOf(theirs);
  if (type !== apiType) problems.push(`${where}: type ${type}, the API's is ${apiType}`);
  if (side === 'request' && nullable && !apiNullable) problems.push(`${where}: may be null, the API refuses null`);
  if (side === 'response' && apiNullable && !nullable)
    problems.push(`${where}: the API may answer null, the schema does not say so`);
  if (
    ours.enum &&
    JSON.stringify(ours.enum.map(String).sort()) !== JSON.stringify((theirs.enum ?? []).map(String).sort())
  ) {
    problems.push(`${where}: values ${ours.enum.join(', ')}, the API's are ${(theirs.enum ?? ['any']).join(', ')}`);
  }
  if (side === 'request' && theirs.enum && !ours.enum)
    problems.push(`${where}: the API accepts only ${theirs.enum.join(', ')}`);
  if (type !== 'object') return problems;
  if (side === 'request') {
    const required = [...(ours.required ?? [])].sort();
    const apiRequired = [...(theirs.required ?? [])].sort();
    if (JSON.stringify(required) !== JSON.stringify(apiRequired))
      problems.push(`${where}: requires ${required.join(', ')}, the API requires ${apiRequired.join(', ')}`);
  }
  for (const [name, property] of Object.entries(ours.properties ?? {})) {
    const served = theirs.properties?.[name];
    if (!served) problems.push(`${where}: property ${name} is not in the API's schema`);
    else problems.push(...schemaProblems(`${where}.${name}`, doc, property, appDoc, served, side));
  }
  return problems;
}
