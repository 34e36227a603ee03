import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Authenticator, CredentialSources, Role } from './auth';
import { validationFailed, zodIssues, type Issue } from './errors';
import type { RateLimits } from './rate-limit';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived (ISO): the time that counts for the SLA, stamped on every message. */
    receivedAt: string;
  }
}

export type Access =
  /** Probes and the OpenAPI document: no credentials, no rate limit. */
  | { kind: 'public' }
  /** No credentials, but limited by client address (the dashboard's sign-in, which takes a key). */
  | { kind: 'anonymous' }
  | { kind: 'roles'; roles: readonly Role[]; sources?: CredentialSources }
  /** Salesforce Outbound Messages without a key (HANDOFF_OUTBOUND_REQUIRE_KEY=false): the handler verifies the organization id. */
  | { kind: 'salesforce-org' };

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType> {
  method: 'GET' | 'POST';
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  params?: P;
  query?: Q;
  /** Optional request headers worth documenting (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
  /** Success answers; error answers are added from `errors`. */
  responses: Record<number, ResponseSpec>;
  errors: readonly number[];
  handler: (input: {
    body: z.output<B>;
    params: z.output<P>;
    query: z.output<Q>;
    request: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

/** What every route needs besides its own dependencies. */
export interface RouteContext {
  auth: Authenticator;
  limits: RateLimits;
  registry: RouteRegistry;
}

type AnyRouteSpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** The routes as declared, for the OpenAPI document. */
export class RouteRegistry {
  readonly routes: AnyRouteSpec[] = [];
}

/**
 * Registers a route whose zod schemas validate the request, type the handler and feed the OpenAPI
 * document. Order: rate-limit by client address (429, so wrong keys are counted too), authenticate
 * (401/403), rate-limit by principal (429), then validate (400).
 */
export function defineRoute<
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
>(app: FastifyInstance, ctx: RouteContext, spec: RouteSpec<B, P, Q>): void {
  ctx.registry.routes.push(spec as unknown as AnyRouteSpec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      if (spec.access.kind !== 'public') await ctx.limits.byAddress(request);
      if (spec.access.kind === 'roles') {
        const principal = await ctx.auth.authenticate(request, spec.access.roles, spec.access.sources);
        await ctx.limits.byPrincipal(request, principal);
      }

      const issues: Issue[] = [];
      const params = parse('params', spec.params, request.params, issues);
      const query = parse('query', spec.query, request.query, issues);
      const leadId = (params as { leadId?: unknown } | undefined)?.leadId;
      if (typeof leadId === 'string') bindLeadToLogs(request, reply, leadId);
      let body: unknown;
      if (spec.body) {
        const problem = request.bodyProblem ?? (typeof request.body === 'string' ? 'expected Content-Type application/json' : undefined);
        if (problem) issues.push({ in: 'body', path: [], code: 'invalid_body', message: problem });
        else body = parse('body', spec.body, request.body, issues);
      }
      if (issues.length > 0) throw validationFailed(issues);
      const result = await spec.handler({
        body: body as z.output<B>,
        params: params as z.output<P>,
        query: query as z.output<Q>,
        request,
        reply,
      });
      return reply.sent ? reply : result;
    },
  });
}

/** Every later log line of the request (including "request completed") carries the lead. */
export function bindLeadToLogs(request: FastifyRequest, reply: FastifyReply, leadId: string): void {
  request.log = request.log.child({ leadId, workflowId: `lead-${leadId}` });
  reply.log = request.log;
}

function parse(where: Issue['in'], schema: z.ZodType | undefined, value: unknown, issues: Issue[]): unknown {
  if (!schema) return undefined;
  const refused = inputIssues(where, value);
  if (refused.length > 0) {
    issues.push(...refused);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push(...zodIssues(where, result.error));
  return undefined;
}

const MAX_INPUT_DEPTH = 32;

/**
 * What no schema should have to meet: NUL characters (Postgres text refuses them, so they would fail
 * far from here, in a report query or an activity retried forever), in keys as in values, and
 * nesting deeper than MAX_INPUT_DEPTH (recursive validation would exhaust the stack).
 */
function inputIssues(where: Issue['in'], value: unknown, path: (string | number)[] = [], issues: Issue[] = []): Issue[] {
  const issue = (at: (string | number)[], code: string, message: string) => issues.push({ in: where, path: at, code, message });
  if (typeof value === 'string') {
    if (value.includes('\u0000')) issue(path, 'invalid_string', 'NUL characters (\\u0000) are not allowed');
  } else if (value !== null && typeof value === 'object') {
    if (path.length >= MAX_INPUT_DEPTH) {
      issue(path, 'too_deep', `nested deeper than ${MAX_INPUT_DEPTH} levels`);
      return issues;
    }
    for (const [key, item] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (key.includes('\u0000')) issue(at, 'invalid_key', 'NUL characters (\\u0000) are not allowed');
      else inputIssues(where, item, at, issues);
    }
  }
  return issues;
}
