import { createRecord, deleteRecord, updateRecord, upsertRecord, type SaveOutcome } from '../dml';
import { httpStatusOf, noSuchColumn, NOT_FOUND, sfError, type SfError } from '../errors';
import { idKey, isWellFormedId, keyPrefixOf } from '../ids';
import { findField, findSObject, type FieldDef, type SObjectDef } from '../schema';
import type { SRecord } from '../store';
import {
  errorResponse,
  isPlainObject,
  json,
  methodNotAllowed,
  notFound,
  parseBody,
  recordUrl,
  renderRecord,
  type DataEnv,
  type DataRequest,
  type DataResponse,
} from './common';
import { describeGlobal, describeSObject, sobjectInfo } from './describe';

/** API 46.0 introduced `200 {created:false}` for an upsert that updated; before that it was 204. */
const UPSERT_BODY_ON_UPDATE_SINCE = 46;

function failure(errors: SfError[]): DataResponse {
  const first = errors[0] ?? NOT_FOUND;
  return { status: httpStatusOf(first), body: errors };
}

function saveResult(outcome: Extract<SaveOutcome, { success: true }>): Record<string, unknown> {
  return { id: outcome.id, success: true, errors: [] };
}

export function requestedFields(sobject: SObjectDef, list: string | null): FieldDef[] | SfError {
  if (list === null || list.trim() === '') return sobject.fields;
  const fields: FieldDef[] = [];
  for (const name of list.split(',').map((n) => n.trim()).filter(Boolean)) {
    const field = findField(sobject, name);
    if (!field) return sfError('INVALID_FIELD', noSuchColumn(sobject.name, name));
    if (!fields.includes(field)) fields.push(field);
  }
  return fields;
}

function bodyObject(request: DataRequest): { ok: true; value: SRecord } | { ok: false; response: DataResponse } {
  const parsed = parseBody(request);
  if (!parsed.ok) return parsed;
  if (!isPlainObject(parsed.value)) {
    return { ok: false, response: errorResponse(sfError('JSON_PARSER_ERROR', 'Cannot deserialize instance of an sObject from a non-object value')) };
  }
  return { ok: true, value: parsed.value };
}

/** `/sobjects[/...]` */
export function handleSObjects(env: DataEnv, request: DataRequest): DataResponse {
  const [, typeName, third, fourth, ...rest] = request.segments;
  if (typeName === undefined) {
    return request.method === 'GET' ? json(200, describeGlobal(env.dml.schema, request.version)) : methodNotAllowed(request.method, ['GET']);
  }
  const sobject = findSObject(env.dml.schema, typeName);
  if (!sobject || rest.length > 0) return notFound();
  if (third === undefined) return handleType(env, request, sobject);
  if (fourth === undefined) {
    if (third === 'describe') {
      return request.method === 'GET' ? json(200, describeSObject(sobject, request.version)) : methodNotAllowed(request.method, ['GET']);
    }
    return handleRecord(env, request, sobject, third);
  }
  return handleExternalId(env, request, sobject, third, fourth);
}

function handleType(env: DataEnv, request: DataRequest, sobject: SObjectDef): DataResponse {
  if (request.method === 'GET') return json(200, sobjectInfo(sobject, request.version));
  if (request.method !== 'POST') return methodNotAllowed(request.method, ['GET', 'POST']);
  const body = bodyObject(request);
  if (!body.ok) return body.response;
  const outcome = createRecord(env.dml, sobject, body.value);
  if (!outcome.success) return failure(outcome.errors);
  return json(201, saveResult(outcome), { Location: recordUrl(request.version, sobject.name, outcome.id) });
}

function handleRecord(env: DataEnv, request: DataRequest, sobject: SObjectDef, id: string): DataResponse {
  // Salesforce reads a path segment that is not an id as an external ID field name.
  if (!isWellFormedId(id)) {
    return errorResponse(sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`));
  }
  if (keyPrefixOf(id) !== sobject.keyPrefix.toUpperCase()) return notFound();
  switch (request.method) {
    case 'GET': {
      const fields = requestedFields(sobject, request.query.get('fields'));
      if (!Array.isArray(fields)) return errorResponse(fields);
      const key = idKey(id) ?? '';
      const record = env.dml.store.get(sobject, key);
      if (record) return json(200, renderRecord(sobject, record, fields, request.version));
      if (env.dml.store.getDeleted(sobject, key)) return errorResponse(sfError('ENTITY_IS_DELETED', 'entity is deleted'));
      return notFound();
    }
    case 'PATCH': {
      const body = bodyObject(request);
      if (!body.ok) return body.response;
      const outcome = updateRecord(env.dml, sobject, id, body.value);
      return outcome.success ? { status: 204 } : failure(outcome.errors);
    }
    case 'DELETE': {
      const outcome = deleteRecord(env.dml, sobject, id);
      return outcome.success ? { status: 204 } : failure(outcome.errors);
    }
    default:
      return methodNotAllowed(request.method, ['GET', 'PATCH', 'DELETE']);
  }
}

export function externalIdField(sobject: SObjectDef, name: string): FieldDef | null {
  const field = findField(sobject, name);
  return field && (field.externalId || field.type === 'id') ? field : null;
}

function multipleChoices(request: DataRequest, sobject: SObjectDef, ids: string[]): DataResponse {
  return json(300, ids.map((id) => recordUrl(request.version, sobject.name, id)));
}

function handleExternalId(env: DataEnv, request: DataRequest, sobject: SObjectDef, fieldName: string, value: string): DataResponse {
  const field = externalIdField(sobject, fieldName);
  if (!field) return errorResponse(sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`));
  if (request.method === 'PATCH') {
    const body = bodyObject(request);
    if (!body.ok) return body.response;
    const outcome = upsertRecord(env.dml, sobject, field, value, body.value);
    if ('multiple' in outcome) return multipleChoices(request, sobject, outcome.multiple);
    if (!outcome.success) return failure(outcome.errors);
    if (outcome.created) return json(201, { ...saveResult(outcome), created: true });
    if (Number(request.version) < UPSERT_BODY_ON_UPDATE_SINCE) return { status: 204 };
    return json(200, { ...saveResult(outcome), created: false });
  }
  if (request.method !== 'GET' && request.method !== 'DELETE') return methodNotAllowed(request.method, ['GET', 'PATCH', 'DELETE']);
  const matches =
    field.type === 'id'
      ? [env.dml.store.get(sobject, idKey(value) ?? '')].filter((r): r is SRecord => r !== undefined)
      : env.dml.store.findByIndexedField(sobject, field, value);
  if (matches.length > 1) return multipleChoices(request, sobject, matches.map((m) => String(m.Id)));
  const match = matches[0];
  if (!match) return notFound();
  if (request.method === 'DELETE') {
    const outcome = deleteRecord(env.dml, sobject, String(match.Id));
    return outcome.success ? { status: 204 } : failure(outcome.errors);
  }
  const fields = requestedFields(sobject, request.query.get('fields'));
  if (!Array.isArray(fields)) return errorResponse(fields);
  return json(200, renderRecord(sobject, match, fields, request.version));
}
