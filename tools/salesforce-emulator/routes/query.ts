import { sfError } from '../errors';
import { makeId } from '../ids';
import { bindQuery, parseSoql, runQuery, SoqlError } from '../soql';
import type { SRecord } from '../store';
import { errorResponse, json, methodNotAllowed, notFound, renderRecord, type DataEnv, type DataRequest, type DataResponse } from './common';

const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;
const MAX_OPEN_CURSORS = 200;

interface Cursor {
  rows: SRecord[];
  batchSize: number;
}

/** Result sets of queries that did not fit one page, addressed by `nextRecordsUrl` locators. */
export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();
  private counter = 0;

  open(rows: SRecord[], batchSize: number): string {
    const id = makeId('01g', ++this.counter);
    this.cursors.set(id, { rows, batchSize });
    // Keep memory bounded: the oldest cursors go first, like locators that time out.
    for (const oldest of this.cursors.keys()) {
      if (this.cursors.size <= MAX_OPEN_CURSORS) break;
      this.cursors.delete(oldest);
    }
    return id;
  }

  get(id: string): Cursor | undefined {
    return this.cursors.get(id);
  }

  clear(): void {
    this.cursors.clear();
    this.counter = 0;
  }
}

/** `Sforce-Query-Options: batchSize=N` (200..2000) sets the page size. */
function batchSize(request: DataRequest): number {
  const match = /batchSize=(\d+)/i.exec(request.headers['sforce-query-options'] ?? '');
  if (!match) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}

function page(env: DataEnv, request: DataRequest, resource: string, cursorId: string | null, rows: SRecord[], offset: number, size: number): DataResponse {
  const end = offset + size;
  const done = end >= rows.length;
  const id = done ? null : (cursorId ?? env.cursors.open(rows, size));
  return json(200, {
    totalSize: rows.length,
    done,
    ...(id ? { nextRecordsUrl: `/services/data/v${request.version}/${resource}/${id}-${end}` } : {}),
    records: rows.slice(offset, end),
  });
}

/** `/query?q=`, `/queryAll?q=` and `/query/<locator>` */
export function handleQuery(env: DataEnv, request: DataRequest): DataResponse {
  if (request.method !== 'GET') return methodNotAllowed(request.method, ['GET']);
  const [resource = 'query', locator, ...rest] = request.segments;
  if (rest.length > 0) return notFound();
  if (locator !== undefined) {
    const match = /^(.+)-(\d+)$/.exec(locator);
    const cursor = match?.[1] ? env.cursors.get(match[1]) : undefined;
    if (!match?.[1] || !cursor) return errorResponse(sfError('INVALID_QUERY_LOCATOR', 'invalid query locator'));
    return page(env, request, resource, match[1], cursor.rows, Number(match[2]), cursor.batchSize);
  }
  const soql = request.query.get('q');
  if (soql === null || soql.trim() === '') return errorResponse(sfError('MALFORMED_QUERY', 'A query string has to be specified'));
  try {
    const bound = bindQuery(soql, parseSoql(soql), env.dml.schema);
    const { store } = env.dml;
    const candidates = resource === 'queryAll' ? [...store.list(bound.sobject), ...store.listDeleted(bound.sobject)] : store.list(bound.sobject);
    const matched = runQuery(bound, candidates);
    if (bound.count) return json(200, { totalSize: matched.length, done: true, records: [] });
    const rows = matched.map((record) => renderRecord(bound.sobject, record, bound.fields, request.version));
    return page(env, request, resource, null, rows, 0, batchSize(request));
  } catch (error) {
    if (error instanceof SoqlError) return errorResponse(error.error);
    throw error;
  }
}
