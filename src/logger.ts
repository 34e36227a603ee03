import pino, { type Logger } from 'pino';

/** Fields that can hold personal data or secrets; pino replaces their values before writing. The top-level `name` is the logger's own. */
export const REDACTED_PATHS = [
  'email',
  'phone',
  'firstName',
  'lastName',
  '*.email',
  '*.phone',
  '*.firstName',
  '*.lastName',
  '*.name',
  '*.*.email',
  '*.*.phone',
  'req.headers.authorization',
  'req.headers["handoff-signature"]',
  'headers.authorization',
  'apiKey',
  'secret',
  '*.apiKey',
  '*.secret',
];

export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'handoff' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
