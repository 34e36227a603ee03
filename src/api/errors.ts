import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'LEAD_NOT_FOUND',
  'INVALID_TRANSITION',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'NOT_READY',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const issueSchema = z.object({
  in: z.enum(['body', 'params', 'query', 'headers']),
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
  expected: z.string().optional(),
});
export type Issue = z.infer<typeof issueSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const validationFailed = (issues: Issue[], message = summarize(issues)): ApiError =>
  new ApiError(400, 'VALIDATION_FAILED', message, issues);

export const unavailable = (message: string, retryAfterSeconds = 5): ApiError =>
  new ApiError(503, 'UNAVAILABLE', message, undefined, { 'retry-after': String(retryAfterSeconds) });

export function zodIssues(where: Issue['in'], error: z.ZodError): Issue[] {
  return error.issues.map((issue) => {
    const expected = 'expected' in issue && typeof issue.expected === 'string' ? issue.expected : undefined;
    return {
      in: where,
      path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      code: issue.code,
      message: issue.message,
      ...(expected === undefined ? {} : { expected }),
    };
  });
}

function summarize(issues: Issue[]): string {
  const first = issues[0];
  if (!first) return 'invalid request';
  const where = [first.in, ...first.path].join('.');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${where}: ${first.message}${more}`;
}

/** Fastify's own errors for bad input, mapped to the API's codes so clients never see a 500 for them. */
function fromFastifyError(err: FastifyError): ApiError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'request body exceeds the 1 MB limit');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return validationFailed([{ in: 'body', path: [], code: 'invalid_body', message: err.message }]);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return validationFailed([{ in: 'body', path: [], code: 'bad_request', message: err.message }]);
  }
  return undefined;
}

/** The error as the API reports it; anything unexpected is logged and becomes a bare 500. */
export function asApiError(err: FastifyError | ApiError, request: FastifyRequest): ApiError {
  const apiError = err instanceof ApiError ? err : fromFastifyError(err);
  if (!apiError) {
    request.log.error({ err }, 'unhandled error');
    return new ApiError(500, 'INTERNAL', 'internal error');
  }
  if (apiError.statusCode >= 500) request.log.warn({ code: apiError.code, reason: apiError.message }, 'request failed');
  return apiError;
}

/** Every error leaves as `{ error: { code, message, details? } }`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const apiError = asApiError(err, request);
    return reply.code(apiError.statusCode).headers(apiError.headers).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new ApiError(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toBody()),
  );
}
