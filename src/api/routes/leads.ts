import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { engagementSchema, leadIdSchema, triggerSchema } from '../../domain/inputs';
import { leadViewSchema } from '../../domain/state';
import { checkActors } from '../actor-checks';
import type { ApiContext } from '../context';
import { validationFailed } from '../errors';
import { policyIssues } from '../policy-checks';
import { bindLeadToLogs, defineRoute } from '../route';

export const leadParamsSchema = z.object({ leadId: leadIdSchema }).strict();

export const engagementAcceptedSchema = z.object({ accepted: z.literal(true), leadId: z.string(), eventId: z.string() });

/** CRM triggers: qualify or update a lead (update-with-start), and engagement events (signal). */
export const leadRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const crm = { kind: 'roles', roles: ['crm'], sources: { signature: true } } as const;

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/v1/leads',
    operationId: 'ingestTrigger',
    summary: 'Qualify or update a lead (idempotent per eventId; one workflow per leadId)',
    tag: 'CRM',
    access: crm,
    body: triggerSchema,
    responses: { 200: { description: 'The lead state after the trigger', schema: leadViewSchema } },
    errors: [400, 409, 413, 503],
    handler: async ({ body, request, reply }) => {
      bindLeadToLogs(request, reply, body.leadId);
      const owner = await checkActors(body, ctx.deps.directory);
      const issues = [...owner.issues, ...policyIssues({ type: 'trigger', trigger: owner.body }, ctx.deps.policy)];
      if (issues.length > 0) throw validationFailed(issues);
      return ctx.leads.ingestTrigger(owner.body, request.receivedAt);
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/v1/leads/:leadId/events',
    operationId: 'recordEngagement',
    summary: 'Record an engagement event (a hand-raise type upgrades the kind)',
    tag: 'CRM',
    access: crm,
    params: leadParamsSchema,
    body: engagementSchema,
    responses: { 202: { description: 'Handed to the lead workflow', schema: engagementAcceptedSchema } },
    errors: [400, 404, 409, 413, 503],
    handler: async ({ body, params, request, reply }) => {
      const issues = policyIssues({ type: 'engagement', engagement: body }, ctx.deps.policy);
      if (issues.length > 0) throw validationFailed(issues);
      await ctx.leads.recordEngagement(params.leadId, body, request.receivedAt);
      reply.code(202);
      return { accepted: true, leadId: params.leadId, eventId: body.eventId };
    },
  });
};
