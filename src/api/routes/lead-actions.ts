import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  acceptSchema,
  contactAttemptSchema,
  convertSchema,
  disqualifySchema,
  qualifySchema,
  reassignSchema,
  rejectSchema,
  reviewSchema,
} from '../../domain/inputs';
import { leadViewSchema } from '../../domain/state';
import type { Role } from '../auth';
import { checkActors } from '../actor-checks';
import type { ApiContext } from '../context';
import { validationFailed, type Issue } from '../errors';
import { disqualifyIssues, rejectIssues } from '../policy-checks';
import { defineRoute } from '../route';
import type { ActionBody, LeadAction } from '../temporal';
import { leadParamsSchema } from './leads';

type ActionInput<A extends LeadAction> = Omit<ActionBody<A>, 'receivedAt'>;

interface ActionSpec<A extends LeadAction> {
  action: A;
  roles: readonly Role[];
  summary: string;
  schema: z.ZodType<ActionInput<A>>;
  check?: (body: ActionInput<A>, ctx: ApiContext) => Issue[];
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw validationFailed([
      { in: 'headers', path: ['idempotency-key'], code: 'invalid_string', message: 'expected 1-200 visible ASCII characters' },
    ]);
  }
  return key;
}

function actionRoute<A extends LeadAction>(app: Parameters<FastifyPluginAsync<ApiContext>>[0], ctx: ApiContext, spec: ActionSpec<A>): void {
  defineRoute(app, ctx, {
    method: 'POST',
    url: `/v1/leads/:leadId/${spec.action}`,
    operationId: `${spec.action.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Lead`,
    summary: spec.summary,
    tag: 'Sales and RevOps actions',
    access: { kind: 'roles', roles: spec.roles },
    params: leadParamsSchema,
    body: spec.schema,
    headers: { 'Idempotency-Key': 'Retries with the same key are answered once (the Temporal update id)' },
    responses: { 200: { description: 'The lead state after the action', schema: leadViewSchema } },
    errors: [400, 404, 409, 413, 503],
    handler: async ({ body, params, request }) => {
      const key = idempotencyKey(request);
      const actors = await checkActors(body, ctx.deps.directory);
      const issues = [...actors.issues, ...(spec.check?.(body, ctx) ?? [])];
      if (issues.length > 0) throw validationFailed(issues);
      const message = { ...actors.body, receivedAt: request.receivedAt } as ActionBody<A>;
      return ctx.leads.act(params.leadId, spec.action, message, key);
    },
  });
}

/** Sales and RevOps actions: Temporal updates whose validators refuse what the stage does not allow (409). */
export const leadActionRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  actionRoute(app, ctx, { action: 'accept', roles: ['sales'], summary: 'Accept an MQL (MQL → SAL)', schema: acceptSchema });
  actionRoute(app, ctx, {
    action: 'reject',
    roles: ['sales'],
    summary: 'Reject a lead back to marketing with a reason (→ RECYCLED)',
    schema: rejectSchema,
    check: (body, { deps }) => rejectIssues(body, deps.policy),
  });
  actionRoute(app, ctx, {
    action: 'contact-attempts',
    roles: ['sales'],
    summary: 'Log a contact attempt (the first one is the first touch)',
    schema: contactAttemptSchema,
  });
  actionRoute(app, ctx, { action: 'qualify', roles: ['sales'], summary: 'Qualify with BANT (SAL → SQL)', schema: qualifySchema });
  actionRoute(app, ctx, { action: 'convert', roles: ['sales'], summary: 'Convert to an opportunity (SQL → CONVERTED)', schema: convertSchema });
  actionRoute(app, ctx, {
    action: 'disqualify',
    roles: ['sales', 'revops'],
    summary: 'Disqualify a lead (terminal)',
    schema: disqualifySchema,
    check: (body) => disqualifyIssues(body),
  });
  actionRoute(app, ctx, { action: 'reassign', roles: ['sales', 'revops'], summary: 'Reassign to another owner', schema: reassignSchema });
  actionRoute(app, ctx, { action: 'review', roles: ['revops'], summary: 'Decide a lead in REVIEW (route, nurture, disqualify)', schema: reviewSchema });
};
