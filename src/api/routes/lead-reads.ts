import type { FastifyPluginAsync } from 'fastify';
import { leadViewSchema } from '../../domain/state';
import type { ApiContext } from '../context';
import { defineRoute } from '../route';
import { leadParamsSchema } from './leads';

/** Reading a lead: its state (the workflow's query) and its audit trail. */
export const leadReadRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  defineRoute(app, ctx, {
    method: 'GET',
    url: '/v1/leads/:leadId',
    operationId: 'getLead',
    summary: 'The lead state',
    tag: 'Leads',
    access: { kind: 'roles', roles: ['sales', 'revops'] },
    params: leadParamsSchema,
    responses: { 200: { description: 'The lead state', schema: leadViewSchema } },
    errors: [400, 404, 503],
    handler: async ({ params }) => ctx.leads.state(params.leadId),
  });
};
