import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { allRequiredPass, checkResultSchema, runChecks, type HealthContext } from '../../health/checks';
import { listSearchAttributes } from '../../health/temporal';
import type { ApiContext } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';

export const readinessSchema = z.object({
  status: z.literal('ready'),
  checks: z.array(checkResultSchema),
});

/** Liveness (the process answers) and readiness (the shared checks of src/health/checks.ts). */
export const healthRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  defineRoute(app, ctx, {
    method: 'GET',
    url: '/healthz',
    operationId: 'healthz',
    summary: 'Liveness: always 200 while the process serves',
    tag: 'Operations',
    access: { kind: 'public' },
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    errors: [],
    handler: async () => ({ status: 'ok' as const }),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/readyz',
    operationId: 'readyz',
    summary:
      'Readiness: the checks of `handoff doctor` (policy, keys, Temporal and its search attributes, a worker, the ledger and its migrations, Salesforce and its allocation)',
    tag: 'Operations',
    access: { kind: 'public' },
    responses: { 200: { description: 'Ready: every required check passed', schema: readinessSchema } },
    errors: [503],
    handler: async () => {
      const checks = await runChecks(healthContext(ctx));
      if (!allRequiredPass(checks)) {
        const failed = checks.filter((c) => c.required && c.status === 'failed');
        throw new ApiError(
          503,
          'NOT_READY',
          `not ready: ${failed.map((c) => `${c.name} (${c.detail})`).join(', ')}`,
          { checks },
          {
            'retry-after': '5',
          },
        );
      }
      return { status: 'ready' as const, checks };
    },
  });
};

/** What the shared checks see in a running API: its own policy, connections and configuration. */
function healthContext(ctx: ApiContext, env: NodeJS.ProcessEnv = process.env): HealthContext {
  const { deps, leads } = ctx;
  const { salesforce, ledger } = deps;
  const { client, namespace, taskQueue } = deps.temporal;
  return {
    policy: async () => deps.policy,
    keys: {
      apiKeys: env.HANDOFF_API_KEYS,
      webhookSecret: deps.auth.webhookSecret,
      production: env.NODE_ENV === 'production',
    },
    temporal: async () => ({
      address: 'the API connection',
      namespace,
      taskQueue,
      searchAttributes: () => listSearchAttributes(client.connection, namespace),
      workflowPollers: () => leads.workflowPollers(),
    }),
    ledger: async () => ledger ?? notConfigured(),
    salesforce: async () =>
      salesforce
        ? { ping: () => salesforce.ping(), remainingApiCalls: () => salesforce.remainingApiCalls?.() ?? null }
        : notConfigured(),
    // A directory that has not read the org yet (a cold Lambda container) reads it now.
    owners: async () => {
      if (deps.directory.status().loadedAt === null && !(await deps.directory.refresh())) throw new Error('the org could not be read');
      return deps.directory;
    },
    ...(deps.readiness ? { extra: deps.readiness } : {}),
  };
}

const notConfigured = (): never => {
  throw new Error('not configured');
};
