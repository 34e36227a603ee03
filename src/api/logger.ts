import pino, { type Logger } from 'pino';

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

/** Strips credentials from a URL before it is logged (the dashboard accepts `?key=`). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:key|api_key|token)=)[^&#]*/gi, '$1[Redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

/** The API's logger: a child of the given one (or a new pino), with redaction and a URL-safe request serializer. */
export function apiLogger(base: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })): Logger {
  return base.child(
    { component: 'api' },
    {
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
  );
}
