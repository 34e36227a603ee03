import type { FastifyPluginAsync } from 'fastify';
import { previewQuerySchema, previewSla, slaPreviewSchema } from '../../domain/preview';
import type { ApiContext } from '../context';
import { defineRoute } from '../route';

/** RevOps checks what the policy in force would do with a lead before any lead exists (docs/contracts/http-api.md). */
export const policyRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { policy } = ctx.deps;
  const teams = policy.teams.map((t) => t.id);
  const query = previewQuerySchema.superRefine((q, issues) => {
    if (!teams.includes(q.team)) {
      issues.addIssue({
        code: 'custom',
        path: ['team'],
        message: `unknown team "${q.team}" (known: ${teams.join(', ')})`,
        input: q.team,
      });
    }
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/v1/policy/preview',
    operationId: 'policyPreview',
    summary:
      'When the first touch of a lead of this kind, handed to this team at `at`, would be due; its reminders and breach steps (UTC and the team zone)',
    tag: 'Policy',
    access: { kind: 'roles', roles: ['revops'] },
    query,
    responses: { 200: { description: 'The SLA preview under the policy in force', schema: slaPreviewSchema } },
    errors: [400],
    handler: async ({ query: q }) => previewSla(policy, q),
  });
};
