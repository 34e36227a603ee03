import { Connection } from 'jsforce';
import pino from 'pino';
import { startEmulator, type Emulator, type EmulatorOptions } from '../index';

export const API_VERSION = '62.0';
export const silentLogger = pino({ level: 'silent' });

export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, logger: silentLogger, ...options });
}

/** A jsforce connection holding a token issued by the emulator (no refresh path). */
export function connect(emulator: Emulator, version = API_VERSION): Connection {
  return new Connection({ instanceUrl: emulator.url, accessToken: emulator.issueToken(), version });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A raw HTTP call, for exact statuses, bodies and headers. `path` is absolute on the emulator. */
export async function http(
  emulator: Emulator,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null; rawBody?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? emulator.issueToken() : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(emulator.url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A data API call: `path` is relative to `/services/data/v62.0`. */
export function rest(
  emulator: Emulator,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null; rawBody?: string; version?: string } = {},
): Promise<RawResponse> {
  return http(emulator, method, `/services/data/v${options.version ?? API_VERSION}${path}`, options);
}

export function lead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { LastName: 'Lovelace', Company: 'Analytical Engines', ...overrides };
}

interface SalesforceError extends Error {
  errorCode?: string;
  data?: unknown;
}

/** The id of a successful save result (jsforce types it as optional). */
export function idOf(result: { id?: string; success: boolean; errors?: unknown }): string {
  if (!result.success || !result.id) throw new Error(`save failed: ${JSON.stringify(result)}`);
  return result.id;
}

/** Awaits a jsforce call that must fail and returns its error. */
export async function failure(promise: PromiseLike<unknown>): Promise<SalesforceError> {
  try {
    await promise;
  } catch (error) {
    return error as SalesforceError;
  }
  throw new Error('expected the call to fail');
}

export function errorCodes(body: unknown): string[] {
  return Array.isArray(body) ? body.map((e: { errorCode?: string; statusCode?: string }) => e.errorCode ?? e.statusCode ?? '?') : [];
}
