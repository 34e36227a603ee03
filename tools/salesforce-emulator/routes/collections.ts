import { z } from 'zod';
import { createRecord, deleteRecord, updateRecord, upsertRecord, type SaveOutcome, type UpsertOutcome } from '../dml';
import { collectionError, ROLLED_BACK, sfError } from '../errors';
import { idKey, isWellFormedId, keyPrefixOf } from '../ids';
import { findSObject, type SObjectDef } from '../schema';
import type { SRecord } from '../store';
import {
  errorResponse,
  isPlainObject,
  json,
  jsonParserError,
  methodNotAllowed,
  notFound,
  parseBody,
  renderRecord,
  type DataEnv,
  type DataRequest,
  type DataResponse,
} from './common';
import { externalIdField, requestedFields } from './sobjects';

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

const saveBodySchema = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
const retrieveBodySchema = z.object({
  ids: z.array(z.string()),
  fields: z.array(z.string()).optional(),
});

const tooMany = (limit: number) =>
  errorResponse(sfError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${limit} records into this call`));

type Operation = 'create' | 'update' | 'upsert' | 'delete';

/** The record's id is reported on failure unless it was only assigned by a create that did not survive. */
function reportsId(operation: Operation, outcome: SaveOutcome): boolean {
  return operation === 'update' || operation === 'delete' || (operation === 'upsert' && outcome.created === false);
}

function toResult(operation: Operation, outcome: SaveOutcome, rolledBack: boolean): Record<string, unknown> {
  const created = outcome.created === undefined ? {} : { created: outcome.created };
  if (outcome.success && !rolledBack) return { id: outcome.id, success: true, errors: [], ...created };
  const errors = outcome.success ? [ROLLED_BACK] : outcome.errors;
  const id = outcome.id !== undefined && reportsId(operation, outcome) ? { id: outcome.id } : {};
  return { ...id, success: false, errors: errors.map(collectionError), ...created };
}

/**
 * Runs one collection in a transaction. allOrNone=false commits the records that succeeded;
 * allOrNone=true commits nothing if any failed, and the records that would have succeeded report
 * ALL_OR_NONE_OPERATION_ROLLED_BACK. Either way the answer is HTTP 200 with one result per record.
 */
function runCollection(env: DataEnv, operation: Operation, allOrNone: boolean, steps: (() => SaveOutcome)[]): DataResponse {
  const results = env.dml.store.transaction(() => {
    const outcomes = steps.map((step) => step());
    const rollBack = allOrNone && outcomes.some((o) => !o.success);
    return { result: outcomes.map((o) => toResult(operation, o, rollBack)), commit: !rollBack };
  });
  return json(200, results);
}

function parseSaveBody(request: DataRequest): z.infer<typeof saveBodySchema> | DataResponse {
  const parsed = parseBody(request);
  if (!parsed.ok) return parsed.response;
  const body = saveBodySchema.safeParse(parsed.value);
  if (!body.success) return jsonParserError(`Invalid sObject Collections request: ${z.prettifyError(body.error)}`);
  if (body.data.records.length > MAX_RECORDS) return tooMany(MAX_RECORDS);
  return body.data;
}

function typeOf(env: DataEnv, record: SRecord, fallbackId?: string): SObjectDef | undefined {
  const attributes = record.attributes;
  if (isPlainObject(attributes) && typeof attributes.type === 'string') return findSObject(env.dml.schema, attributes.type);
  return fallbackId ? env.dml.schema.byKeyPrefix.get(keyPrefixOf(fallbackId)) : undefined;
}

const invalidType = (record: SRecord): SaveOutcome => {
  const attributes = isPlainObject(record.attributes) ? record.attributes : {};
  const name = typeof attributes.type === 'string' ? attributes.type : '(missing attributes.type)';
  return { success: false, errors: [sfError('INVALID_TYPE', `sObject type '${name}' is not supported.`)] };
};

function withoutAttributes(record: SRecord): SRecord {
  const { attributes: _attributes, ...fields } = record;
  return fields;
}

/** `/composite/sobjects[/Type[/ExternalIdField]]` */
export function handleCollections(env: DataEnv, request: DataRequest): DataResponse {
  const [, , typeName, extFieldName, ...rest] = request.segments;
  if (rest.length > 0) return notFound();
  if (typeName === undefined) {
    switch (request.method) {
      case 'POST':
        return createMany(env, request);
      case 'PATCH':
        return updateMany(env, request);
      case 'DELETE':
        return deleteMany(env, request);
      default:
        return methodNotAllowed(request.method, ['POST', 'PATCH', 'DELETE']);
    }
  }
  const sobject = findSObject(env.dml.schema, typeName);
  if (!sobject) return notFound();
  if (extFieldName !== undefined) {
    return request.method === 'PATCH' ? upsertMany(env, request, sobject, extFieldName) : methodNotAllowed(request.method, ['PATCH']);
  }
  return request.method === 'POST' || request.method === 'GET' ? retrieveMany(env, request, sobject) : methodNotAllowed(request.method, ['GET', 'POST']);
}

function createMany(env: DataEnv, request: DataRequest): DataResponse {
  const body = parseSaveBody(request);
  if (!('records' in body)) return body;
  const steps = body.records.map((record) => () => {
    const sobject = typeOf(env, record);
    return sobject ? createRecord(env.dml, sobject, withoutAttributes(record)) : invalidType(record);
  });
  return runCollection(env, 'create', body.allOrNone ?? false, steps);
}

function updateMany(env: DataEnv, request: DataRequest): DataResponse {
  const body = parseSaveBody(request);
  if (!('records' in body)) return body;
  const steps = body.records.map((record) => () => {
    const { id: lowerId, Id: upperId, ...fields } = withoutAttributes(record);
    const id = lowerId ?? upperId;
    if (typeof id !== 'string' || id === '') {
      return { success: false, errors: [sfError('MISSING_ARGUMENT', 'Id not specified in an update call')] } satisfies SaveOutcome;
    }
    const sobject = typeOf(env, record, id);
    return sobject ? updateRecord(env.dml, sobject, id, fields) : invalidType(record);
  });
  return runCollection(env, 'update', body.allOrNone ?? false, steps);
}

function deleteMany(env: DataEnv, request: DataRequest): DataResponse {
  const ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0) return errorResponse(sfError('MISSING_ARGUMENT', 'ids: the comma-separated list of record ids to delete is required'));
  if (ids.length > MAX_RECORDS) return tooMany(MAX_RECORDS);
  const steps = ids.map((id) => (): SaveOutcome => {
    const sobject = isWellFormedId(id) ? env.dml.schema.byKeyPrefix.get(keyPrefixOf(id)) : undefined;
    return sobject ? deleteRecord(env.dml, sobject, id) : { success: false, id, errors: [sfError('MALFORMED_ID', `malformed id ${id}`)] };
  });
  return runCollection(env, 'delete', request.query.get('allOrNone') === 'true', steps);
}

function upsertMany(env: DataEnv, request: DataRequest, sobject: SObjectDef, extFieldName: string): DataResponse {
  const field = externalIdField(sobject, extFieldName);
  if (!field) return errorResponse(sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${extFieldName}`));
  const body = parseSaveBody(request);
  if (!('records' in body)) return body;
  const valueOf = (record: SRecord): unknown => {
    const key = Object.keys(record).find((k) => k.toLowerCase() === field.name.toLowerCase());
    return key === undefined ? undefined : record[key];
  };
  const normalise = (value: string) => (field.caseSensitive ? value : value.toLowerCase());
  const seen = new Map<string, number>();
  for (const record of body.records) {
    const value = valueOf(record);
    if (typeof value === 'string') seen.set(normalise(value), (seen.get(normalise(value)) ?? 0) + 1);
  }
  const steps = body.records.map((record) => (): SaveOutcome => {
    const value = valueOf(record);
    if (typeof value !== 'string' || value === '') {
      return { success: false, errors: [sfError('MISSING_ARGUMENT', `${field.name} not specified`, [field.name])] };
    }
    if ((seen.get(normalise(value)) ?? 0) > 1) {
      return { success: false, errors: [sfError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, [field.name])] };
    }
    if (isPlainObject(record.attributes) && typeOf(env, record) !== sobject) return invalidType(record);
    const outcome: UpsertOutcome = upsertRecord(env.dml, sobject, field, value, withoutAttributes(record));
    if ('multiple' in outcome) {
      return {
        success: false,
        errors: [sfError('DUPLICATE_EXTERNAL_ID', `${field.name}: more than one record found for external id field: [${outcome.multiple.join(', ')}]`, [field.name])],
      };
    }
    return outcome;
  });
  return runCollection(env, 'upsert', body.allOrNone ?? false, steps);
}

function retrieveMany(env: DataEnv, request: DataRequest, sobject: SObjectDef): DataResponse {
  let ids: string[];
  let fieldList: string | null;
  if (request.method === 'GET') {
    ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
    fieldList = request.query.get('fields');
  } else {
    const parsed = parseBody(request);
    if (!parsed.ok) return parsed.response;
    const body = retrieveBodySchema.safeParse(parsed.value);
    if (!body.success) return jsonParserError(`Invalid sObject Collections retrieve request: ${z.prettifyError(body.error)}`);
    ids = body.data.ids;
    fieldList = body.data.fields ? body.data.fields.join(',') : null;
  }
  if (ids.length > MAX_RETRIEVE_IDS) return tooMany(MAX_RETRIEVE_IDS);
  const fields = requestedFields(sobject, fieldList);
  if (!Array.isArray(fields)) return errorResponse(fields);
  const records = ids.map((id) => {
    const key = idKey(id);
    if (!key || keyPrefixOf(id) !== sobject.keyPrefix.toUpperCase()) return null;
    const record = env.dml.store.get(sobject, key);
    return record ? renderRecord(sobject, record, fields, request.version) : null;
  });
  return json(200, records);
}
