import { idKey, isWellFormedId } from './ids';
import { noSuchColumn, sfError } from './errors';
import { findField, findSObject, isIdType, isNumberType, isTextType, type FieldDef, type Schema, type SObjectDef } from './schema';
import { located, SoqlError, unescape, type Condition, type FieldRef, type Literal, type ParsedQuery } from './soql-parser';
import type { SRecord } from './store';
import { parseDateTime, toId18 } from './values';

export { parseSoql, SoqlError } from './soql-parser';

export interface BoundQuery {
  sobject: SObjectDef;
  count: boolean;
  fields: FieldDef[];
  matches: (record: SRecord) => boolean;
  compare: (a: SRecord, b: SRecord) => number;
  limit: number | null;
  offset: number;
}

const MAX_OFFSET = 2000;

const SOQL_TYPE_NAMES: Partial<Record<FieldDef['type'], string>> = {
  boolean: 'boolean',
  double: 'double',
  int: 'int',
  currency: 'currency',
  date: 'date',
  datetime: 'dateTime',
};

/** Resolves names against the schema, type-checks literals and compiles the filter and sort. */
export function bindQuery(soql: string, parsed: ParsedQuery, schema: Schema): BoundQuery {
  const sobject = findSObject(schema, parsed.sobject.name);
  if (!sobject) {
    throw located(
      soql,
      parsed.sobject.pos,
      'INVALID_TYPE',
      `sObject type '${parsed.sobject.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const resolve = (ref: FieldRef): FieldDef => {
    const field = findField(sobject, ref.name);
    if (!field) throw located(soql, ref.pos, 'INVALID_FIELD', noSuchColumn(sobject.name, ref.name));
    return field;
  };
  const fields: FieldDef[] = [];
  for (const ref of parsed.fields) {
    const field = resolve(ref);
    if (!fields.includes(field)) fields.push(field);
  }
  if (parsed.offset > MAX_OFFSET) {
    throw new SoqlError(sfError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`));
  }
  const checkLiteral = (field: FieldDef, literal: Literal, pos: number): Literal => {
    if (literal.kind === 'null') return literal;
    if (isTextType(field.type)) {
      if (literal.kind !== 'string') {
        throw located(soql, pos, 'INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`);
      }
      if (isIdType(field.type) && literal.value !== '') {
        if (!isWellFormedId(literal.value)) throw located(soql, pos, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`);
        return { ...literal, value: toId18(literal.value) };
      }
      return literal;
    }
    const expected =
      field.type === 'boolean' ? 'boolean' : isNumberType(field.type) ? 'number' : field.type === 'date' ? 'date' : 'datetime';
    if (literal.kind !== expected) {
      throw located(
        soql,
        pos,
        'INVALID_FIELD',
        `value of filter criterion for field '${field.name}' must be of type ${SOQL_TYPE_NAMES[field.type] ?? field.type} and should not be enclosed in quotes`,
      );
    }
    return literal;
  };
  const compile = (condition: Condition): ((record: SRecord) => boolean) => {
    switch (condition.kind) {
      case 'and': {
        const items = condition.items.map(compile);
        return (r) => items.every((f) => f(r));
      }
      case 'or': {
        const items = condition.items.map(compile);
        return (r) => items.some((f) => f(r));
      }
      case 'not': {
        const item = compile(condition.item);
        return (r) => !item(r);
      }
      case 'compare': {
        const field = resolve(condition.field);
        const literal = checkLiteral(field, condition.value, condition.valuePos);
        const { op } = condition;
        return (r) => compareOp(field, r[field.name], op, literal);
      }
      case 'in': {
        const field = resolve(condition.field);
        const literals = condition.values.map((v) => checkLiteral(field, v, condition.valuePos));
        const { negate } = condition;
        return (r) => literals.some((l) => compareOp(field, r[field.name], '=', l)) !== negate;
      }
      case 'like': {
        const field = resolve(condition.field);
        if (!isTextType(field.type) || isIdType(field.type) || condition.value.kind !== 'string') {
          throw located(soql, condition.field.pos, 'INVALID_FIELD', `invalid operator on field '${field.name}': LIKE needs a string field and a quoted pattern`);
        }
        const regex = likeRegex(condition.value.raw);
        return (r) => {
          const v = r[field.name];
          return typeof v === 'string' && regex.test(v);
        };
      }
    }
  };
  const matches = parsed.where ? compile(parsed.where) : () => true;
  const order = parsed.orderBy.map((item) => ({ ...item, def: resolve(item.field) }));
  const compare = (a: SRecord, b: SRecord): number => {
    for (const item of order) {
      const va = a[item.def.name] ?? null;
      const vb = b[item.def.name] ?? null;
      if (va === null && vb === null) continue;
      if (va === null) return item.nullsLast ? 1 : -1;
      if (vb === null) return item.nullsLast ? -1 : 1;
      const c = compareValues(item.def, va, vb);
      if (c !== 0) return item.descending ? -c : c;
    }
    return 0;
  };
  return { sobject, count: parsed.count, fields, matches, compare, limit: parsed.limit, offset: parsed.offset };
}

function likeRegex(raw: string): RegExp {
  let source = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c === '\\' && i + 1 < raw.length) {
      source += unescape(raw.slice(i, i + 2)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function comparable(field: FieldDef, value: unknown): string | number | boolean {
  if (isIdType(field.type) && typeof value === 'string') return idKey(value) ?? value.toUpperCase();
  if (field.type === 'datetime' && typeof value === 'string') return parseDateTime(value) ?? value;
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function compareValues(field: FieldDef, a: unknown, b: unknown): number {
  const x = comparable(field, a);
  const y = comparable(field, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function literalValue(literal: Literal): unknown {
  return literal.kind === 'null' ? null : literal.value;
}

function compareOp(field: FieldDef, value: unknown, op: '=' | '!=' | '<' | '<=' | '>' | '>=', literal: Literal): boolean {
  const actual = value ?? null;
  const expected = literalValue(literal);
  if (op === '=' || op === '!=') {
    const equal = actual === null || expected === null ? actual === expected : compareValues(field, actual, expected) === 0;
    return op === '=' ? equal : !equal;
  }
  if (actual === null || expected === null) return false;
  const c = compareValues(field, actual, expected);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

/** Runs a bound query over records in creation order; returns the matching records, sorted and sliced. */
export function runQuery(bound: BoundQuery, records: SRecord[]): SRecord[] {
  const matched = records.filter(bound.matches);
  const sorted = matched.map((record, index) => ({ record, index })).sort((a, b) => bound.compare(a.record, b.record) || a.index - b.index);
  const end = bound.limit === null ? undefined : bound.offset + bound.limit;
  return sorted.slice(bound.offset, end).map((e) => e.record);
}
