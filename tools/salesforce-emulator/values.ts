import { checksum, isWellFormedId } from './ids';
import { sfError, type SfError } from './errors';
import type { FieldDef } from './schema';

export type Coerced = { ok: true; value: unknown } | { ok: false; error: SfError };

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Epoch milliseconds of an ISO-8601 date or datetime; a missing offset means UTC, as in Salesforce. */
export function parseDateTime(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone = 'Z'] = m;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(utc);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return null;
  }
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

/** Salesforce's wire form: `2013-05-20T20:49:32.000+0000`. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export function parseDate(text: string): string | null {
  if (DATE.test(text)) return parseDateTime(text) === null ? null : text;
  const epoch = parseDateTime(text);
  return epoch === null ? null : new Date(epoch).toISOString().slice(0, 10);
}

export function toId18(id: string): string {
  return id.length === 15 ? id + checksum(id) : id;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function fail(errorCode: string, field: FieldDef, message: string): Coerced {
  return { ok: false, error: sfError(errorCode, `${field.label}: ${message}`, [field.name]) };
}

function wrongType(field: FieldDef, value: unknown): Coerced {
  return fail('INVALID_TYPE_ON_FIELD_IN_RECORD', field, `value not of required type: ${shown(value)}`);
}

function coerceNumber(field: FieldDef, value: unknown): Coerced {
  const n = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return wrongType(field, value);
  if (field.type === 'int' && !Number.isInteger(n)) return wrongType(field, value);
  const scale = field.scale ?? 0;
  const factor = 10 ** scale;
  const rounded = (Math.sign(n) * Math.round(Math.abs(n) * factor)) / factor;
  const integerDigits = Math.trunc(Math.abs(rounded)).toString().length;
  if (field.precision !== undefined && Math.trunc(Math.abs(rounded)) !== 0 && integerDigits > field.precision - scale) {
    return fail('NUMBER_OUTSIDE_VALID_RANGE', field, `value outside of valid range on numeric field: ${shown(value)}`);
  }
  return { ok: true, value: rounded };
}

function coerceText(field: FieldDef, value: unknown): Coerced {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return wrongType(field, value);
  const text = String(value);
  if (text === '') return { ok: true, value: null };
  if (field.length !== undefined && text.length > field.length) {
    return fail('STRING_TOO_LONG', field, `data value too large: ${shown(text)} (max length=${field.length})`);
  }
  if (field.type === 'email' && !EMAIL.test(text)) return fail('INVALID_EMAIL_ADDRESS', field, `invalid email address: ${shown(text)}`);
  if (field.type === 'picklist' && field.restricted && !field.picklistValues?.includes(text)) {
    return fail('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', field, `bad value for restricted picklist field: ${shown(text)}`);
  }
  return { ok: true, value: text };
}

/**
 * Checks and normalises one written value the way Salesforce does on save: empty strings become
 * null, numbers are rounded to the field's scale, datetimes are stored in UTC. Reference existence
 * is checked by the caller, which has the records.
 */
export function coerceValue(field: FieldDef, value: unknown): Coerced {
  if (value === null || value === undefined) return { ok: true, value: field.type === 'boolean' ? false : null };
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return wrongType(field, value);
    case 'double':
    case 'int':
    case 'currency':
      return coerceNumber(field, value);
    case 'date': {
      const date = typeof value === 'string' ? parseDate(value) : null;
      return date === null ? wrongType(field, value) : { ok: true, value: date };
    }
    case 'datetime': {
      const epoch = typeof value === 'string' ? parseDateTime(value) : null;
      return epoch === null ? wrongType(field, value) : { ok: true, value: formatDateTime(epoch) };
    }
    case 'id':
    case 'reference':
      if (typeof value !== 'string') return wrongType(field, value);
      if (value === '') return { ok: true, value: null };
      if (!isWellFormedId(value)) return fail('MALFORMED_ID', field, `id value of incorrect type: ${shown(value)}`);
      return { ok: true, value: toId18(value) };
    default:
      return coerceText(field, value);
  }
}
