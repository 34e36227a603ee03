import { idKey, isWellFormedId } from './ids';
import { noSuchColumn, sfError, type SfError } from './errors';
import { findField, findSObject, isIdType, isNumberType, isTextType, type FieldDef, type Schema, type SObjectDef } from './schema';
import type { SRecord } from './store';
import { parseDateTime, toId18 } from './values';

/**
 * The SOQL subset jsforce's query builder produces and Handoff uses:
 *   SELECT field, ... | count() FROM object
 *   [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
 * Conditions: = != <> < <= > >= against string, number, boolean, null, date and datetime literals,
 * [NOT] IN (...), LIKE with % and _, NOT, AND, OR and parentheses. As in SOQL, AND and OR cannot be
 * mixed at one level without parentheses, string comparisons ignore case, and `!=` matches nulls.
 */

type Literal =
  | { kind: 'string'; raw: string; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

interface FieldRef {
  name: string;
  pos: number;
}

type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; field: FieldRef; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal; valuePos: number }
  | { kind: 'in'; field: FieldRef; negate: boolean; values: Literal[]; valuePos: number }
  | { kind: 'like'; field: FieldRef; value: Literal; valuePos: number };

interface OrderItem {
  field: FieldRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface ParsedQuery {
  sobject: FieldRef;
  count: boolean;
  fields: FieldRef[];
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number;
}

export class SoqlError extends Error {
  constructor(readonly error: SfError) {
    super(error.message);
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const DATETIME_TOKEN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE_TOKEN = /^\d{4}-\d{2}-\d{2}(?![\dT:])/;
const NUMBER_TOKEN = /^-?\d+(?:\.\d+)?/;
const IDENT_TOKEN = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;
const OP_TOKEN = /^(?:!=|<>|<=|>=|=|<|>)/;
const TOKEN_PATTERNS: [TokenKind, RegExp][] = [
  ['datetime', DATETIME_TOKEN],
  ['date', DATE_TOKEN],
  ['number', NUMBER_TOKEN],
  ['ident', IDENT_TOKEN],
  ['op', OP_TOKEN],
];

function located(soql: string, pos: number, errorCode: string, message: string): SoqlError {
  const before = soql.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', pos);
  const line = soql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = pos - lineStart + 1;
  return new SoqlError(sfError(errorCode, `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`));
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < soql.length) {
    const rest = soql.slice(pos);
    const space = /^\s+/.exec(rest);
    if (space) {
      pos += space[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      let end = 1;
      while (end < rest.length && rest[end] !== "'") end += rest[end] === '\\' ? 2 : 1;
      if (end >= rest.length) throw located(soql, pos, 'MALFORMED_QUERY', 'unterminated string literal');
      tokens.push({ kind: 'string', text: rest.slice(1, end), pos });
      pos += end + 1;
      continue;
    }
    const match = TOKEN_PATTERNS.map(([kind, re]) => ({ kind, m: re.exec(rest) })).find((c) => c.m !== null);
    if (match?.m) {
      tokens.push({ kind: match.kind, text: match.m[0], pos });
      pos += match.m[0].length;
      continue;
    }
    const c = rest.charAt(0);
    if ('(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos });
      pos += 1;
      continue;
    }
    throw located(soql, pos, 'MALFORMED_QUERY', `unexpected token: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: soql.length });
  return tokens;
}

function unescape(raw: string): string {
  const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  return raw.replace(/\\(.)/g, (_, c: string) => map[c] ?? c);
}

class Parser {
  private index = 0;
  constructor(
    private readonly soql: string,
    private readonly tokens: Token[],
  ) {}

  parse(): ParsedQuery {
    this.keyword('SELECT');
    let count = false;
    const fields: FieldRef[] = [];
    if (this.peekKeyword('COUNT') && this.tokens[this.index + 1]?.text === '(') {
      this.next();
      this.punct('(');
      if (this.peek().text !== ')') throw this.unexpected(this.peek(), 'the emulator supports count() without arguments only');
      this.punct(')');
      count = true;
    } else {
      do fields.push(this.fieldRef());
      while (this.acceptPunct(','));
    }
    this.keyword('FROM');
    const sobject = this.fieldRef();
    let where: Condition | null = null;
    if (this.acceptKeyword('WHERE')) where = this.condition();
    const orderBy: OrderItem[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.keyword('BY');
      do orderBy.push(this.orderItem());
      while (this.acceptPunct(','));
    }
    const limit = this.acceptKeyword('LIMIT') ? this.integer() : null;
    const offset = this.acceptKeyword('OFFSET') ? this.integer() : 0;
    if (this.peek().kind !== 'eof') throw this.unexpected(this.peek());
    return { sobject, count, fields, where, orderBy, limit, offset };
  }

  private orderItem(): OrderItem {
    const field = this.fieldRef();
    const descending = this.acceptKeyword('DESC') ? true : (this.acceptKeyword('ASC'), false);
    let nullsLast = descending;
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('LAST')) nullsLast = true;
      else {
        this.keyword('FIRST');
        nullsLast = false;
      }
    }
    return { field, descending, nullsLast };
  }

  private condition(): Condition {
    const items = [this.term()];
    let connective: 'and' | 'or' | null = null;
    for (;;) {
      const token = this.peek();
      const kind = this.isKeyword(token, 'AND') ? 'and' : this.isKeyword(token, 'OR') ? 'or' : null;
      if (!kind) break;
      if (connective && connective !== kind) throw this.unexpected(token);
      connective = kind;
      this.next();
      items.push(this.term());
    }
    return connective && items.length > 1 ? { kind: connective, items } : (items[0] as Condition);
  }

  private term(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', item: this.term() };
    if (this.acceptPunct('(')) {
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    const field = this.fieldRef();
    const token = this.peek();
    if (this.acceptKeyword('LIKE')) {
      const valuePos = this.peek().pos;
      return { kind: 'like', field, value: this.literal(), valuePos };
    }
    const negate = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      const valuePos = this.peek().pos;
      this.punct('(');
      const values: Literal[] = [];
      do values.push(this.literal());
      while (this.acceptPunct(','));
      this.punct(')');
      return { kind: 'in', field, negate, values, valuePos };
    }
    if (negate || token.kind !== 'op') throw this.unexpected(negate ? this.peek() : token);
    this.next();
    const op = token.text === '<>' ? '!=' : (token.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
    const valuePos = this.peek().pos;
    return { kind: 'compare', field, op, value: this.literal(), valuePos };
  }

  private literal(): Literal {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', raw: token.text, value: unescape(token.text) };
      case 'number':
        return { kind: 'number', value: Number(token.text) };
      case 'date':
        return { kind: 'date', value: token.text };
      case 'datetime': {
        const epoch = parseDateTime(token.text);
        if (epoch === null) throw this.unexpected(token);
        return { kind: 'datetime', value: epoch };
      }
      case 'ident': {
        const word = token.text.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE' };
        if (word === 'NULL') return { kind: 'null' };
        throw this.unexpected(token);
      }
      default:
        throw this.unexpected(token);
    }
  }

  private integer(): number {
    const token = this.next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.unexpected(token);
    return Number(token.text);
  }

  private fieldRef(): FieldRef {
    const token = this.next();
    if (token.kind !== 'ident') throw this.unexpected(token);
    return { name: token.text, pos: token.pos };
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { kind: 'eof', text: '<EOF>', pos: this.soql.length };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'ident' && token.text.toUpperCase() === word;
  }

  private peekKeyword(word: string): boolean {
    return this.isKeyword(this.peek(), word);
  }

  private acceptKeyword(word: string): boolean {
    if (!this.peekKeyword(word)) return false;
    this.next();
    return true;
  }

  private keyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected(this.peek(), `expecting ${word}, unexpected token: '${this.peek().text}'`);
  }

  private acceptPunct(text: string): boolean {
    if (this.peek().text !== text || this.peek().kind !== 'punct') return false;
    this.next();
    return true;
  }

  private punct(text: string): void {
    if (!this.acceptPunct(text)) throw this.unexpected(this.peek(), `expecting '${text}', unexpected token: '${this.peek().text}'`);
  }

  private unexpected(token: Token, message = `unexpected token: '${token.text}'`): SoqlError {
    return located(this.soql, token.pos, 'MALFORMED_QUERY', message);
  }
}

export function parseSoql(soql: string): ParsedQuery {
  return new Parser(soql, tokenize(soql)).parse();
}

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
