import { sfError, type SfError } from './errors';
import { parseDateTime } from './values';

/**
 * The SOQL subset jsforce's query builder produces and Handoff uses:
 *   SELECT field, ... | count() FROM object
 *   [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
 * Conditions: = != <> < <= > >= against string, number, boolean, null, date and datetime literals,
 * [NOT] IN (...), LIKE with % and _, NOT, AND, OR and parentheses. As in SOQL, AND and OR cannot be
 * mixed at one level without parentheses, string comparisons ignore case, and `!=` matches nulls.
 */

export type Literal =
  | { kind: 'string'; raw: string; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

export interface FieldRef {
  name: string;
  pos: number;
}

export type Condition =
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

export function located(soql: string, pos: number, errorCode: string, message: string): SoqlError {
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

export function unescape(raw: string): string {
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
