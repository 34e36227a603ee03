import { httpStatusOf, NOT_FOUND, sfError, type SfError } from '../errors';
import type { DmlContext } from '../dml';
import type { FieldDef, SObjectDef } from '../schema';
import type { SRecord } from '../store';
import type { QueryCursors } from './query';

/** A data API request with the `/services/data/vNN.N` prefix removed. */
export interface DataRequest {
  method: string;
  /** Path segments after the version, URL-decoded. */
  segments: string[];
  version: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface DataResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface DataEnv {
  dml: DmlContext;
  cursors: QueryCursors;
  apiUsage: () => { used: number; max: number };
  /** The data API router itself, for Composite subrequests. */
  dispatch: (request: DataRequest) => DataResponse;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): DataResponse {
  return { status, body, ...(headers ? { headers } : {}) };
}

export function errorResponse(error: SfError, status = httpStatusOf(error)): DataResponse {
  return { status, body: [error] };
}

export const notFound = (): DataResponse => errorResponse(NOT_FOUND);

export function methodNotAllowed(method: string, allowed: string[]): DataResponse {
  return errorResponse(sfError('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${['HEAD', ...allowed].join(',')}`), 405);
}

export function jsonParserError(message: string): DataResponse {
  return errorResponse(sfError('JSON_PARSER_ERROR', message));
}

/** The request body as JSON, or the JSON_PARSER_ERROR Salesforce answers for a malformed body. */
export function parseBody(request: DataRequest): { ok: true; value: unknown } | { ok: false; response: DataResponse } {
  if (request.body.trim() === '') return { ok: false, response: jsonParserError('No content to map due to end-of-input') };
  try {
    return { ok: true, value: JSON.parse(request.body) };
  } catch (error) {
    return { ok: false, response: jsonParserError(error instanceof Error ? error.message : String(error)) };
  }
}

export function isPlainObject(value: unknown): value is SRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordUrl(version: string, sobject: string, id: string): string {
  return `/services/data/v${version}/sobjects/${sobject}/${id}`;
}

/** A record as the REST API renders it: `attributes` first, then the requested fields (null when unset). */
export function renderRecord(sobject: SObjectDef, record: SRecord, fields: FieldDef[], version: string): SRecord {
  const rendered: SRecord = { attributes: { type: sobject.name, url: recordUrl(version, sobject.name, String(record.Id)) } };
  for (const field of fields) rendered[field.name] = record[field.name] ?? null;
  return rendered;
}

/** URL-decodes path segments (jsforce does not encode ids or external-id values); null when malformed. */
export function decodeSegments(path: string): string[] | null {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}
