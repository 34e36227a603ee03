import { z } from 'zod';

/** How long to wait before retrying once the org's API allocation is spent: it is a rolling 24 h window. */
export const REQUEST_LIMIT_RETRY_DELAY_MS = 5 * 60_000;
/** How long to wait before retrying when the token endpoint refuses our credentials (an admin has to act). */
export const AUTH_RETRY_DELAY_MS = 60_000;

/**
 * Transient conditions: the same write can succeed later. Every other Salesforce code (INVALID_FIELD,
 * MALFORMED_ID, NOT_FOUND, ENTITY_IS_DELETED, FIELD_CUSTOM_VALIDATION_EXCEPTION, STRING_TOO_LONG,
 * DUPLICATE_VALUE, ...) is a data or configuration error: the same write would get the same answer.
 */
const RETRYABLE_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'INVALID_SESSION_ID',
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'QUERY_TIMEOUT',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'PROCESSING_HALTED',
  'TIMEOUT',
  'CONNECTION_ERROR',
  'AUTH_FAILED',
]);

export class SalesforceWriteError extends Error {
  override readonly name = 'SalesforceWriteError';
  readonly code: string;
  readonly retryable: boolean;
  /** A floor for the next attempt, when Salesforce needs longer than an ordinary back-off. */
  readonly retryAfterMs: number | null;
  readonly fields: readonly string[];

  constructor(code: string, message: string, fields: readonly string[] = []) {
    super(message);
    this.code = code;
    this.retryable = isRetryableCode(code);
    this.retryAfterMs =
      code === 'REQUEST_LIMIT_EXCEEDED' ? REQUEST_LIMIT_RETRY_DELAY_MS : code === 'AUTH_FAILED' ? AUTH_RETRY_DELAY_MS : null;
    this.fields = fields;
  }
}

export function isRetryableCode(code: string): boolean {
  return RETRYABLE_CODES.has(code) || /^ERROR_HTTP_(5\d\d|420|429)$/.test(code);
}

/** One entry of `errors` in a Collections result (per-record errors carry `statusCode`, not `errorCode`). */
export const recordErrorSchema = z.object({
  statusCode: z.string(),
  message: z.string().default(''),
  fields: z.array(z.string()).default([]),
});
export type RecordError = z.infer<typeof recordErrorSchema>;

export function fromRecordErrors(errors: readonly RecordError[]): SalesforceWriteError {
  const first = errors.find((e) => !isRetryableCode(e.statusCode)) ?? errors[0];
  if (!first) return new SalesforceWriteError('UNKNOWN_EXCEPTION', 'Salesforce reported a failure without an error');
  return new SalesforceWriteError(first.statusCode, first.message, first.fields);
}

const apiErrorSchema = z.object({ errorCode: z.string(), message: z.string().default(''), fields: z.array(z.string()).default([]) });

/** Maps anything jsforce (or its transport) throws to a classified error. */
export function classifyError(err: unknown): SalesforceWriteError {
  if (err instanceof SalesforceWriteError) return err;
  if (!(err instanceof Error)) return new SalesforceWriteError('UNKNOWN_EXCEPTION', String(err));
  const { errorCode, code, data } = err as Error & { errorCode?: unknown; code?: unknown; data?: unknown };

  // jsforce's session-refresh delegate wraps every refresh failure (cap reached, grant refused) in a plain Error.
  if (err.message.startsWith('Unable to refresh session due to:')) {
    return new SalesforceWriteError('INVALID_SESSION_ID', err.message);
  }
  if (typeof errorCode === 'string') {
    if (errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(data)) {
      const parsed = data.flatMap((d) => {
        const r = apiErrorSchema.safeParse(d);
        return r.success ? [{ statusCode: r.data.errorCode, message: r.data.message, fields: r.data.fields }] : [];
      });
      return fromRecordErrors(parsed);
    }
    const fields = apiErrorSchema.safeParse(data).data?.fields ?? [];
    return new SalesforceWriteError(errorCode, err.message, fields);
  }
  if (err.name === 'AbortError') return new SalesforceWriteError('TIMEOUT', err.message);
  if (err.name === 'FetchError' || typeof code === 'string') return new SalesforceWriteError('CONNECTION_ERROR', err.message);
  if (isOAuthError(err)) return new SalesforceWriteError('AUTH_FAILED', `${err.name}: ${err.message}`);
  return new SalesforceWriteError('UNKNOWN_EXCEPTION', err.message);
}

/** The token endpoint's `{error, error_description}` surfaces as an Error named after `error` (e.g. `invalid_grant`). */
function isOAuthError(err: Error): boolean {
  return /^[a-z]+(_[a-z]+)+$/.test(err.name) || err.name.startsWith('ERROR_HTTP_');
}

/**
 * Salesforce echoes values in some messages (e.g. "data value too large: <value>"); logs get the message
 * with anything that may be personal data masked.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/(data value too large:).*?(\(max length=\d+\)|$)/gs, '$1 [redacted] $2')
    .replace(/[^\s@"':;,]+@[^\s@"':;,]+\.[A-Za-z]{2,}/g, '[email]')
    .slice(0, 500);
}
