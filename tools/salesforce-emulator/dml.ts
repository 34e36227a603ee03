import { idKey, keyPrefixOf } from './ids';
import { sfError, type SfError } from './errors';
import { FOREIGN_KEY_PREFIXES, findField, type FieldDef, type Schema, type SObjectDef } from './schema';
import type { RecordStore, SRecord } from './store';
import { ruleFires, type ValidationRule } from './validation-rules';
import { coerceValue, formatDateTime, parseDateTime } from './values';

export interface DmlContext {
  schema: Schema;
  store: RecordStore;
  /** The user the session belongs to: default owner and CreatedById/LastModifiedById. */
  userId: string;
  validationRules: ValidationRule[];
  /** Set when fault injection decided this request hits a locked row. */
  lockFault: boolean;
}

export type SaveOutcome =
  | { success: true; id: string; created?: boolean }
  | { success: false; id?: string; created?: boolean; errors: SfError[] };

export type UpsertOutcome = SaveOutcome | { multiple: string[] };

function failed(error: SfError, extra: { id?: string; created?: boolean } = {}): SaveOutcome {
  return { success: false, ...extra, errors: [error] };
}

const readOnlyEntity = (sobject: SObjectDef) =>
  sfError('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object id: the emulator's ${sobject.name} records are read-only`);

function lockError(id?: string): SfError {
  return sfError(
    'UNABLE_TO_LOCK_ROW',
    id ? `unable to obtain exclusive access to this record or 1 records: ${id}` : 'unable to obtain exclusive access to this record',
  );
}

function hasIdKey(input: SRecord): boolean {
  return Object.keys(input).some((k) => k.toLowerCase() === 'id');
}

/** Resolves a written reference to the canonical id of an emulated record, or keeps an id of a non-emulated type. */
function resolveReference(ctx: DmlContext, field: FieldDef, id: string): { ok: true; value: string } | { ok: false; error: SfError } {
  const prefix = keyPrefixOf(id);
  const targets = field.referenceTo ?? [];
  const emulated = ctx.schema.byKeyPrefix.get(prefix);
  if (emulated && targets.includes(emulated.name)) {
    const key = idKey(id);
    const target = key ? ctx.store.get(emulated, key) : undefined;
    if (!target || typeof target.Id !== 'string') {
      return { ok: false, error: sfError('INVALID_CROSS_REFERENCE_KEY', `${field.label}: invalid cross reference id`, [field.name]) };
    }
    const unfit = field.name === 'OwnerId' ? unfitOwner(emulated, target) : null;
    if (unfit) return { ok: false, error: sfError('INVALID_CROSS_REFERENCE_KEY', `${field.label}: ${unfit}: ${target.Id}`, [field.name]) };
    return { ok: true, value: target.Id };
  }
  if (targets.some((t) => FOREIGN_KEY_PREFIXES[t] === prefix)) return { ok: true, value: id };
  return { ok: false, error: sfError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${id}`, [field.name]) };
}

/**
 * Records are owned by active users or queues. A real org answers an inactive owner with
 * INACTIVE_OWNER_OR_USER; the emulator answers INVALID_CROSS_REFERENCE_KEY on OwnerId for every owner it
 * cannot use, the one shape Handoff's writer handles for a refused owner.
 */
function unfitOwner(type: SObjectDef, owner: SRecord): string | null {
  if (type.name === 'User' && owner.IsActive !== true) return 'the owner is an inactive user';
  if (type.name === 'Group' && owner.Type !== 'Queue') return 'the owner is a group that is not a queue';
  return null;
}

/** Validates the caller's field values and returns them under their canonical names. */
function applyInput(ctx: DmlContext, sobject: SObjectDef, input: SRecord, mode: 'create' | 'update'): { changes: SRecord } | { error: SfError } {
  const changes: SRecord = {};
  const notWritable: string[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (name === 'attributes') continue;
    const field = findField(sobject, name);
    if (!field) return { error: sfError('INVALID_FIELD', `No such column '${name}' on sobject of type ${sobject.name}`) };
    if (field.readOnly || (mode === 'update' && field.createOnly)) {
      notWritable.push(field.name);
      continue;
    }
    const coerced = coerceValue(field, raw);
    if (!coerced.ok) return { error: coerced.error };
    let value = coerced.value;
    if (field.type === 'reference' && typeof value === 'string') {
      const resolved = resolveReference(ctx, field, value);
      if (!resolved.ok) return { error: resolved.error };
      value = resolved.value;
    }
    changes[field.name] = value;
  }
  if (notWritable.length > 0) {
    return {
      error: sfError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      ),
    };
  }
  return { changes };
}

function derive(sobject: SObjectDef, record: SRecord, previous: SRecord | undefined, now: string): void {
  if (sobject.name === 'Lead' || sobject.name === 'User') {
    record.Name = [record.FirstName, record.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
  }
  if (sobject.name === 'Group' && (record.DeveloperName === null || record.DeveloperName === undefined) && typeof record.Name === 'string') {
    record.DeveloperName = record.Name.replace(/[^A-Za-z0-9]+/g, '_');
  }
  if (sobject.name === 'Task') {
    const closed = record.Status === 'Completed';
    record.IsClosed = closed;
    record.IsHighPriority = record.Priority === 'High';
    if (!closed) record.CompletedDateTime = null;
    else if (!previous?.IsClosed) record.CompletedDateTime = now;
  }
  if (sobject.name === 'Event') {
    record.ActivityDateTime = record.StartDateTime ?? null;
    const start = typeof record.StartDateTime === 'string' ? parseDateTime(record.StartDateTime) : null;
    const end = typeof record.EndDateTime === 'string' ? parseDateTime(record.EndDateTime) : null;
    record.DurationInMinutes = start !== null && end !== null ? Math.round((end - start) / 60_000) : null;
  }
}

/** Checks that run on the complete record: required fields, validation rules, then uniqueness. */
function checkRecord(ctx: DmlContext, sobject: SObjectDef, record: SRecord, key: string | undefined): SfError | null {
  const missing = sobject.fields.filter((f) => f.required && (record[f.name] === null || record[f.name] === undefined)).map((f) => f.name);
  if (missing.length > 0) return sfError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  for (const rule of ctx.validationRules) {
    if (rule.sobject.toLowerCase() !== sobject.name.toLowerCase()) continue;
    const field = findField(sobject, rule.field);
    if (field && ruleFires(rule, record[field.name])) {
      return sfError('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.errorLocation === 'top' ? [] : [field.name]);
    }
  }
  for (const field of sobject.fields) {
    const value = record[field.name];
    if (!field.unique || typeof value !== 'string') continue;
    const clash = ctx.store.findByIndexedField(sobject, field, value).find((other) => idKey(String(other.Id)) !== key);
    if (clash) {
      return sfError('DUPLICATE_VALUE', `duplicate value found: ${field.name} duplicates value on record with id: ${String(clash.Id)}`);
    }
  }
  return null;
}

export function createRecord(ctx: DmlContext, sobject: SObjectDef, input: SRecord): SaveOutcome {
  if (!sobject.writable) return failed(readOnlyEntity(sobject));
  if (ctx.lockFault) return failed(lockError());
  if (hasIdKey(input)) return failed(sfError('INVALID_FIELD_FOR_INSERT_UPDATE', 'Record ID: cannot specify Id in an insert call', ['Id']));
  const applied = applyInput(ctx, sobject, input, 'create');
  if ('error' in applied) return failed(applied.error);
  const now = formatDateTime(Date.now());
  const record: SRecord = {};
  for (const field of sobject.fields) {
    if (field.defaultValue !== undefined) record[field.name] = field.defaultValue;
    else if (field.type === 'boolean') record[field.name] = false;
  }
  if (findField(sobject, 'OwnerId')) record.OwnerId = ctx.userId;
  Object.assign(record, applied.changes);
  Object.assign(record, { CreatedDate: now, CreatedById: ctx.userId, LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now });
  derive(sobject, record, undefined, now);
  const error = checkRecord(ctx, sobject, record, undefined);
  if (error) return failed(error);
  const id = ctx.store.nextId(sobject);
  ctx.store.put(sobject, { Id: id, ...record });
  return { success: true, id };
}

function locate(ctx: DmlContext, sobject: SObjectDef, id: string): { key: string; record: SRecord } | { error: SfError } {
  const key = idKey(id);
  if (!key || ctx.schema.byKeyPrefix.get(keyPrefixOf(id)) !== sobject) {
    return { error: sfError('MALFORMED_ID', `${sobject.name} ID: id value of incorrect type: ${id}`, ['Id']) };
  }
  const record = ctx.store.get(sobject, key);
  if (record) return { key, record };
  if (ctx.store.getDeleted(sobject, key)) return { error: sfError('ENTITY_IS_DELETED', 'entity is deleted') };
  return { error: sfError('NOT_FOUND', 'The requested resource does not exist') };
}

export function updateRecord(ctx: DmlContext, sobject: SObjectDef, id: string, input: SRecord): SaveOutcome {
  if (!sobject.writable) return failed(readOnlyEntity(sobject), { id });
  const found = locate(ctx, sobject, id);
  if ('error' in found) return failed(found.error, { id });
  const canonicalId = String(found.record.Id);
  if (ctx.lockFault) return failed(lockError(canonicalId), { id: canonicalId });
  const { Id: bodyId, id: bodyLowerId, ...fields } = input;
  const claimed = bodyId ?? bodyLowerId;
  if (claimed !== undefined && (typeof claimed !== 'string' || idKey(claimed) !== found.key)) {
    return failed(sfError('INVALID_FIELD_FOR_INSERT_UPDATE', `Record ID in the body does not match the record being updated: ${String(claimed)}`, ['Id']), { id: canonicalId });
  }
  const applied = applyInput(ctx, sobject, fields, 'update');
  if ('error' in applied) return failed(applied.error, { id: canonicalId });
  const now = formatDateTime(Date.now());
  const record: SRecord = { ...found.record, ...applied.changes, LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now };
  derive(sobject, record, found.record, now);
  const error = checkRecord(ctx, sobject, record, found.key);
  if (error) return failed(error, { id: canonicalId });
  ctx.store.put(sobject, record);
  return { success: true, id: canonicalId };
}

export function upsertRecord(ctx: DmlContext, sobject: SObjectDef, extField: FieldDef, value: string, input: SRecord): UpsertOutcome {
  if (hasIdKey(input)) {
    return failed(sfError('INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: Id. An upsert on an external ID cannot carry a record Id.', ['Id']));
  }
  const fields: SRecord = {};
  for (const [name, v] of Object.entries(input)) {
    if (name.toLowerCase() !== extField.name.toLowerCase()) fields[name] = v;
    else if (v !== value) {
      return failed(sfError('INVALID_FIELD', `${extField.name}: the value in the body (${String(v)}) differs from the external ID in the URL (${value})`, [extField.name]));
    }
  }
  if (extField.name === 'Id') return { ...updateRecord(ctx, sobject, value, fields), created: false };
  const matches = ctx.store.findByIndexedField(sobject, extField, value);
  if (matches.length > 1) return { multiple: matches.map((m) => String(m.Id)) };
  const match = matches[0];
  if (match) {
    const outcome = updateRecord(ctx, sobject, String(match.Id), fields);
    return { ...outcome, created: false };
  }
  const outcome = createRecord(ctx, sobject, { ...fields, [extField.name]: value });
  return { ...outcome, created: true };
}

export function deleteRecord(ctx: DmlContext, sobject: SObjectDef, id: string): SaveOutcome {
  if (!sobject.writable) return failed(readOnlyEntity(sobject), { id });
  if (sobject.name === 'User') {
    return failed(sfError('INSUFFICIENT_ACCESS_OR_READONLY', 'users cannot be deleted: deactivate them (IsActive = false)'), { id });
  }
  const found = locate(ctx, sobject, id);
  if ('error' in found) return failed(found.error, { id });
  const canonicalId = String(found.record.Id);
  if (ctx.lockFault) return failed(lockError(canonicalId), { id: canonicalId });
  const now = formatDateTime(Date.now());
  ctx.store.remove(sobject, found.key, { ...found.record, IsDeleted: true, LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now });
  return { success: true, id: canonicalId };
}
