import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ApiContext, ReadinessCheck } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';

const CHECK_TIMEOUT_MS = 3000;

export const readinessSchema = z.object({
  status: z.literal('ready'),
  checks: z.record(z.string(), z.literal('ok')),
});

/** Liveness (the process answers) and readiness (everything a lead needs answers). */
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
    summary: 'Readiness: Temporal, a worker polling the task queue, Salesforce and the ledger all answer',
    tag: 'Operations',
    access: { kind: 'public' },
    responses: { 200: { description: 'Ready', schema: readinessSchema } },
    errors: [503],
    handler: async () => {
      const checks = await runChecks(readinessChecks(ctx));
      const failed = Object.entries(checks).filter(([, result]) => result !== 'ok');
      if (failed.length > 0) {
        throw new ApiError(503, 'NOT_READY', `not ready: ${failed.map(([name, reason]) => `${name} (${reason})`).join(', ')}`, { checks }, {
          'retry-after': '5',
        });
      }
      return { status: 'ready' as const, checks };
    },
  });
};

function readinessChecks(ctx: ApiContext): Record<string, ReadinessCheck> {
  const { deps, leads } = ctx;
  const { salesforce, ledger } = deps;
  const pollers = leads.workflowPollers();
  pollers.catch(() => undefined);
  return {
    temporal: async () => void (await pollers),
    worker: async () => {
      const count = await pollers.catch(() => {
        throw new Error('Temporal unreachable');
      });
      if (count === 0) throw new Error(`no worker polls task queue "${deps.temporal.taskQueue}"`);
    },
    salesforce: salesforce ? () => salesforce.ping() : notConfigured,
    ledger: ledger ? () => ledger.ping() : notConfigured,
    ...deps.readiness,
  };
}

const notConfigured: ReadinessCheck = async () => {
  throw new Error('not configured');
};

async function runChecks(checks: Record<string, ReadinessCheck>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : String(err)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
