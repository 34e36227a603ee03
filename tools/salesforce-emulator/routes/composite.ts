import { z } from 'zod';
import { sfError } from '../errors';
import {
  decodeSegments,
  errorResponse,
  isPlainObject,
  json,
  jsonParserError,
  methodNotAllowed,
  parseBody,
  type DataEnv,
  type DataRequest,
  type DataResponse,
} from './common';

const MAX_SUBREQUESTS = 25;
const DATA_URL = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)?(?:\?(.*))?$/;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

const compositeSchema = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
        url: z.string(),
        referenceId: z.string().regex(/^[A-Za-z0-9_]+$/, "'referenceId' must be alphanumeric or underscore"),
        body: z.unknown().optional(),
        httpHeaders: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
});
type Subrequest = z.infer<typeof compositeSchema>['compositeRequest'][number];

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

class UnresolvedReference extends Error {}

const halted = (referenceId: string, message: string): SubResponse => ({
  body: [sfError('PROCESSING_HALTED', message)],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

const ROLLED_BACK_MESSAGE = 'The transaction was rolled back since another operation in the same transaction failed.';

function lookup(results: Map<string, unknown>, referenceId: string, path: string): unknown {
  if (!results.has(referenceId)) throw new UnresolvedReference(`@{${referenceId}${path}}`);
  let value = results.get(referenceId);
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith('.') ? step.slice(1) : Number(step.slice(1, -1));
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  if (value === undefined) throw new UnresolvedReference(`@{${referenceId}${path}}`);
  return value;
}

/** Replaces `@{ref.path}`; a string that is exactly one reference takes the referenced value as is. */
function resolve(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole?.[1] !== undefined) return lookup(results, whole[1], whole[2] ?? '');
    return value.replace(REFERENCE, (_, ref: string, path: string) => String(lookup(results, ref, path)));
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results)]));
  return value;
}

function runSubrequest(env: DataEnv, outer: DataRequest, sub: Subrequest, results: Map<string, unknown>): SubResponse {
  let url: string;
  let body: unknown;
  try {
    url = String(resolve(sub.url, results));
    body = resolve(sub.body, results);
  } catch (error) {
    if (!(error instanceof UnresolvedReference)) throw error;
    return halted(sub.referenceId, `Invalid reference specified. No value for ${error.message} found in a successful earlier subrequest.`);
  }
  const match = DATA_URL.exec(url);
  const segments = decodeSegments(match?.[2] ?? '');
  if (!match?.[1] || !segments || (segments[0] === 'composite' && segments.length === 1)) {
    return { body: [sfError('NOT_FOUND', `The requested resource does not exist: ${url}`)], httpHeaders: {}, httpStatusCode: 404, referenceId: sub.referenceId };
  }
  const headers = { ...outer.headers };
  for (const [name, value] of Object.entries(sub.httpHeaders ?? {})) headers[name.toLowerCase()] = value;
  const response = env.dispatch({
    method: sub.method,
    segments,
    version: match[1],
    query: new URLSearchParams(match[3] ?? ''),
    headers,
    body: body === undefined ? '' : JSON.stringify(body),
  });
  return { body: response.body ?? null, httpHeaders: response.headers ?? {}, httpStatusCode: response.status, referenceId: sub.referenceId };
}

/** `POST /composite`: subrequests in order, `@{ref}` references, optional all-or-none. */
export function handleComposite(env: DataEnv, request: DataRequest): DataResponse {
  if (request.method !== 'POST') return methodNotAllowed(request.method, ['POST']);
  const parsed = parseBody(request);
  if (!parsed.ok) return parsed.response;
  const envelope = compositeSchema.safeParse(parsed.value);
  if (!envelope.success) return jsonParserError(z.prettifyError(envelope.error));
  const { compositeRequest, allOrNone = false } = envelope.data;
  if (compositeRequest.length > MAX_SUBREQUESTS) {
    return errorResponse(sfError('LIMIT_EXCEEDED', `A composite request can contain at most ${MAX_SUBREQUESTS} subrequests; this one has ${compositeRequest.length}.`));
  }
  const referenceIds = compositeRequest.map((s) => s.referenceId);
  const duplicate = referenceIds.find((id, i) => referenceIds.indexOf(id) !== i);
  if (duplicate) return jsonParserError(`Duplicate referenceId provided in the request: ${duplicate}`);

  const responses = env.dml.store.transaction(() => {
    const results = new Map<string, unknown>();
    const out: SubResponse[] = [];
    let failed = -1;
    for (const sub of compositeRequest) {
      if (allOrNone && failed >= 0) {
        out.push(halted(sub.referenceId, ROLLED_BACK_MESSAGE));
        continue;
      }
      const response = runSubrequest(env, request, sub, results);
      out.push(response);
      if (response.httpStatusCode < 300) results.set(sub.referenceId, response.body);
      else if (allOrNone) failed = out.length - 1;
    }
    if (failed < 0) return { result: out, commit: true };
    return { result: out.map((r, i) => (i === failed ? r : halted(r.referenceId, ROLLED_BACK_MESSAGE))), commit: false };
  });
  return json(200, { compositeResponse: responses });
}
