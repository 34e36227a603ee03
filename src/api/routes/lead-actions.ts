import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  acceptSchema,
  contactAttemptSchema,
  convertSchema,
  disqualifySchema,
  type LeadEvent,
  qualifySchema,
  reassignSchema,
  rejectSchema,
  reopenSchema,
  reviewSchema,
} from '../../domain/inputs';
import { leadViewSchema } from '../../domain/state';
import type { Role } from '../auth';
import { checkActors } from '../actor-checks';
import type { ApiContext } from '../context';
import { validationFailed } from '../errors';
import { policyIssues } from '../policy-checks';
import { defineRoute } from '../route';
import type { ActionBody, LeadAction } from '../temporal';
import { leadParamsSchema } from './leads';

interface ActionSpec<A extends LeadAction> {
  action: A;
  /** The domain's name of the action (the path segment may differ). */
  event: LeadEvent['type'];
  roles: readonly Role[];
  summary: string;
  schema: z.ZodType<ActionBody<A>, unknown>;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw validationFailed([
      {
        in: 'headers',
        path: ['idempotency-key'],
        code: 'invalid_string',
        message: 'expected 1-200 visible ASCII characters',
      },
    ]);
  }
  return key;
}

function actionRoute<A extends LeadAction>(
  app: Parameters<FastifyPluginAsync<ApiContext>>[0],
  ctx: ApiContext,
  spec: ActionSpec<A>,
): void {
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
      const actors = await checkActors(body as object, ctx.deps.directory);
      const issues = [
        ...actors.issues,
        ...policyIssues({ ...actors.body, type: spec.event } as LeadEvent, ctx.deps.policy),
      ];
      if (issues.length > 0) throw validationFailed(issues);
      return ctx.leads.act(params.leadId, spec.action, actors.body as ActionBody<A>, request.receivedAt, key);
    },
  });
}

/** Sales and RevOps actions: Temporal updates whose validators refuse what the stage does not allow (409). */
export const leadActionRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  actionRoute(app, ctx, {
    action: 'accept',
    event: 'accept',
    roles: ['sales'],
    summary: 'Accept an MQL (MQL → SAL); stops the first-touch clock',
    schema: acceptSchema,
  });
  actionRoute(app, ctx, {
    action: 'reject',
    event: 'reject',
    roles: ['sales'],
    summary:
      'Reject a lead back to marketing with a reason (→ RECYCLED); stops the first-touch clock; notes required for OTHER',
    schema: rejectSchema,
  });
  actionRoute(app, ctx, {
    action: 'contact-attempts',
    event: 'contact',
    roles: ['sales'],
    summary: 'Log a contact attempt (in MQL it accepts the lead and stops the first-touch clock)',
    schema: contactAttemptSchema,
  });
  actionRoute(app, ctx, {
    action: 'qualify',
    event: 'qualify',
    roles: ['sales'],
    summary: 'Qualify with BANT (SAL → SQL)',
    schema: qualifySchema,
  });
  actionRoute(app, ctx, {
    action: 'convert',
    event: 'convert',
    roles: ['sales'],
    summary: 'Convert to an opportunity (SQL → CONVERTED)',
    schema: convertSchema,
  });
  actionRoute(app, ctx, {
    action: 'disqualify',
    event: 'disqualify',
    roles: ['sales', 'revops'],
    summary: 'Disqualify a lead (final until RevOps reopens it); notes required for OTHER',
    schema: disqualifySchema,
  });
  actionRoute(app, ctx, {
    action: 'reassign',
    event: 'reassign',
    roles: ['sales', 'revops'],
    summary: 'Reassign to another owner',
    schema: reassignSchema,
  });
  actionRoute(app, ctx, {
    action: 'review',
    event: 'review',
    roles: ['revops'],
    summary: 'Decide a lead in REVIEW (route, nurture, disqualify)',
    schema: reviewSchema,
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/v1/leads/:leadId/reopen',
    operationId: 'reopenLead',
    summary:
      'Reopen a CONVERTED or DISQUALIFIED lead: a new cycle with its own audit rows (ids seen before still count once)',
    tag: 'Sales and RevOps actions',
    access: { kind: 'roles', roles: ['revops'] },
    params: leadParamsSchema,
    body: reopenSchema,
    headers: { 'Idempotency-Key': 'Retries with the same key are answered once' },
    responses: { 200: { description: 'The lead state after the reopen', schema: leadViewSchema } },
    errors: [400, 404, 409, 413, 503],
    handler: async ({ body, params, request }) => {
      const actors = await checkActors(body, ctx.deps.directory);
      if (actors.issues.length > 0) throw validationFailed(actors.issues);
      const key = idempotencyKey(request) ?? `${request.receivedAt}:${actors.body.actorId}`;
      return ctx.leads.reopen(params.leadId, actors.body, request.receivedAt, `reopen:${key}`);
    },
  });
};
