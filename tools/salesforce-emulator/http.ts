import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';
/** Present on every response, so nobody mistakes the emulator for Salesforce. */
export const EMULATOR_HEADER = 'X-Salesforce-Emulator';
export const EMULATOR_HEADER_VALUE = 'handoff-salesforce-emulator; not Salesforce';

const MAX_BODY_BYTES = 50 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function lowerCaseHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  res.writeHead(status, {
    [EMULATOR_HEADER]: EMULATOR_HEADER_VALUE,
    ...(payload === undefined ? {} : { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(payload)) }),
    ...headers,
  });
  res.end(payload);
}
