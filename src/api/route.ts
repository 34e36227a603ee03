import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Authenticator, CredentialSources, Principal, Role } from './auth';
import { validationFailed, zodIssues, type Issue } from './errors';
import type { RateLimiter } from './rate-limit';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived (ISO): the time that counts for the SLA, stamped on every message. */
    receivedAt: string;
  }
}

export type Access =
  | { kind: 'public' }
  | { kind: 'roles'; roles: readonly Role[]; sources?: CredentialSources }
  /** Salesforce Outbound Messages: the handler verifies the organization id itself. */
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
  limiter: RateLimiter;
  registry: RouteRegistry;
}

type AnyRouteSpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** The routes as declared, for the OpenAPI document. */
export class RouteRegistry {
  readonly routes: AnyRouteSpec[] = [];
}

/**
 * Registers a route whose zod schemas validate the request, type the handler and feed the OpenAPI
 * document. Order: authenticate (401/403), rate-limit (429), then validate (400).
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
      const principal = authorize(ctx, spec.access, request);
      if (spec.access.kind !== 'public') ctx.limiter.consume(principal ? principal.id : `ip:${request.ip}`);

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

function authorize(ctx: RouteContext, access: Access, request: FastifyRequest): Principal | undefined {
  return access.kind === 'roles' ? ctx.auth.authenticate(request, access.roles, access.sources) : undefined;
}

function parse(where: Issue['in'], schema: z.ZodType | undefined, value: unknown, issues: Issue[]): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push(...zodIssues(where, result.error));
  return undefined;
}
