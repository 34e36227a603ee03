import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { clientAddress } from './rate-limit';

/**
 * Paths pino censors: credentials (headers, query keys) and personal data that may appear in logged
 * objects (email, phone, names). Request bodies are never logged.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["handoff-signature"]',
  'res.headers["set-cookie"]',
  'key',
  'apiKey',
  'secret',
  'signature',
  'body',
  'email',
  'phone',
  'firstName',
  'lastName',
  'name',
  'firmographics',
  '*.key',
  '*.apiKey',
  '*.secret',
  '*.signature',
  '*.body',
  '*.email',
  '*.phone',
  '*.firstName',
  '*.lastName',
  '*.name',
  '*.firmographics',
];

const SECRET_PARAMS = new Set(['key', 'api_key', 'apikey', 'token', 'access_token']);

/**
 * Strips credentials from a URL before it is logged (the Outbound Message endpoint takes `?key=`).
 * Parameter names are compared decoded, as the query parser reads them (`?k%65y=` is `key`); a name
 * that cannot be decoded has its value redacted too.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded: string | undefined;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' ')).trim().toLowerCase();
      } catch {
        decoded = undefined;
      }
      return decoded === undefined || SECRET_PARAMS.has(decoded) ? `${name}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

type LoggedRequest = Pick<FastifyRequest, 'method' | 'url' | 'ip' | 'socket'>;

/** The API's logger: a child of the given one (or a new pino), with redaction and a URL-safe request serializer. */
export function apiLogger(base: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })): Logger {
  return base.child(
    { component: 'api' },
    {
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: clientAddress(req) }),
      },
    },
  );
}
