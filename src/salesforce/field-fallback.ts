import type { WriteResult } from '../domain/inputs';
import type { WriteRefusal } from '../domain/state';
import type { BatchItem, ItemResult } from './batcher';
import { classifyError, redactMessage, SalesforceWriteError } from './errors';
import type { SObjectFields } from './field-map';

/**
 * Codes by which Salesforce refuses the value of a field, not the record: the same write without that
 * field can land. Whole-record refusals (NOT_FOUND, ENTITY_IS_DELETED, INSUFFICIENT_ACCESS_OR_READONLY)
 * and transient ones are not here.
 */
const FIELD_LEVEL_CODES = new Set([
  'INVALID_CROSS_REFERENCE_KEY',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'FIELD_INTEGRITY_EXCEPTION',
  'FIELD_FILTER_VALIDATION_EXCEPTION',
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_TYPE_ON_FIELD_IN_RECORD',
  'MALFORMED_ID',
  'NUMBER_OUTSIDE_VALID_RANGE',
  'STRING_TOO_LONG',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'TRANSFER_REQUIRES_READ',
]);
/** Each retry leaves out at least one more field; past this many the record is refused as a whole. */
const MAX_RETRIES = 4;
/** Field-level only when they name the field: MALFORMED_ID of the record's own Id refuses the record. */
const NAMED_ONLY_CODES = new Set(['MALFORMED_ID']);
const SYNC_ERROR_MAX = 255;
const UNKNOWN_COLUMN = /No such column '([A-Za-z0-9_]+)'/;

export type FallbackOptions = {
  /**
   * Left out when a field-level refusal names no field we sent: the standard fields Handoff writes
   * (Status, OwnerId), on which an org's validation rules, ownership and picklists usually sit.
   * Handoff's own custom fields (stage, SLA, scores) are kept.
   */
  standardFields: readonly string[];
  /** Where the error is recorded on the record; null: not recorded there. */
  syncErrorField: string | null;
};

type Attempt = (items: readonly BatchItem[]) => Promise<ReadonlyArray<ItemResult<void>>>;
type State = {
  key: string;
  fields: SObjectFields;
  errors: SalesforceWriteError[];
  left: string[];
  result?: ItemResult<WriteResult>;
};

/**
 * Saves records with `attempt`; a record refused for a field is saved again without that field (see
 * FallbackOptions for a refusal that names none), and the refusal is written to the sync-error field
 * and answered as `syncError`. Records retried together share a call.
 */
export async function saveWithFieldFallback(
  items: readonly BatchItem[],
  attempt: Attempt,
  options: FallbackOptions,
): Promise<Array<ItemResult<WriteResult>>> {
  const states: State[] = items.map(({ key, fields }) => ({ key, fields, errors: [], left: [] }));
  let open = states;
  for (let round = 0; open.length > 0; round++) {
    const results = await attemptRound(open, attempt, round === 0);
    const retry: State[] = [];
    open.forEach((state, i) => {
      const result = results[i] ?? {
        ok: false as const,
        error: new SalesforceWriteError('UNKNOWN_EXCEPTION', 'Salesforce answered fewer results than records sent'),
      };
      if (result.ok) {
        state.result = { ok: true, value: { syncError: summarize(state) } };
        return;
      }
      const drop = round < MAX_RETRIES ? fieldsToDrop(result.error, state.fields, options) : [];
      if (drop.length === 0) {
        state.result = { ok: false, error: result.error };
        return;
      }
      state.errors.push(result.error);
      state.left.push(...drop);
      state.fields = without(state.fields, drop);
      const error = summarize(state);
      if (options.syncErrorField !== null && error && hasField(state.fields, options.syncErrorField)) {
        state.fields = { ...state.fields, [keyOf(state.fields, options.syncErrorField)]: syncErrorText(error) };
      }
      retry.push(state);
    });
    open = retry;
  }
  return states.map(
    (s) => s.result ?? { ok: false, error: new SalesforceWriteError('UNKNOWN_EXCEPTION', 'no result') },
  );
}

/**
 * One call for the open records. A refusal of the whole call that is about a field (a column the org
 * lacks) applies to every record; any other call failure fails the batch on the first round (the caller
 * retries it) and the retried records afterwards (the others have landed).
 */
async function attemptRound(
  open: readonly State[],
  attempt: Attempt,
  first: boolean,
): Promise<ReadonlyArray<ItemResult<void>>> {
  try {
    return await attempt(open.map(({ key, fields }) => ({ key, fields })));
  } catch (err) {
    const error = classifyError(err);
    if (first && !(FIELD_LEVEL_CODES.has(error.code) && namedFields(error).length > 0)) throw error;
    return open.map(() => ({ ok: false, error }));
  }
}

function namedFields(error: SalesforceWriteError): string[] {
  const named = error.fields.filter((f) => f.toLowerCase() !== 'id');
  if (named.length > 0) return named;
  const column = UNKNOWN_COLUMN.exec(error.message)?.[1];
  return column ? [column] : [];
}

/** The fields to leave out after `error`, among those still sent; none: the record is refused as it is. */
export function fieldsToDrop(error: SalesforceWriteError, sent: SObjectFields, options: FallbackOptions): string[] {
  if (!FIELD_LEVEL_CODES.has(error.code)) return [];
  const named = namedFields(error).filter((f) => hasField(sent, f));
  if (named.length > 0) return named.map((f) => keyOf(sent, f));
  if (NAMED_ONLY_CODES.has(error.code)) return [];
  return options.standardFields.filter((f) => hasField(sent, f)).map((f) => keyOf(sent, f));
}

export function syncErrorText(error: WriteRefusal): string {
  const text = `${error.code} [${error.fields.join(', ')}] ${error.message}`;
  return text.length <= SYNC_ERROR_MAX ? text : `${text.slice(0, SYNC_ERROR_MAX - 1)}…`;
}

function summarize(state: State): WriteRefusal | null {
  const [first] = state.errors;
  if (!first) return null;
  return {
    code: first.code,
    fields: state.left,
    message: state.errors
      .map((e) => redactMessage(e.message))
      .join('; ')
      .slice(0, 1_000),
  };
}

function keyOf(fields: SObjectFields, name: string): string {
  return Object.keys(fields).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function hasField(fields: SObjectFields, name: string): boolean {
  return Object.keys(fields).some((k) => k.toLowerCase() === name.toLowerCase());
}

function without(fields: SObjectFields, drop: readonly string[]): SObjectFields {
  const lower = new Set(drop.map((d) => d.toLowerCase()));
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !lower.has(k.toLowerCase())));
}
