import { runWorker, type LambdaWorkerConfig } from '@temporalio/lambda-worker';
import type { MetricsExporterConfig } from '@temporalio/worker';
import { loadCoreConfig, loadPolicyFile } from '../config';
import { prepareLambdaEnv } from '../lambda/secrets';
import { createLogger } from '../logger';
import { temporalConnectionOptions, type TemporalConnectionOptions } from '../temporal/connection';
import { createWorkerDependencies, type WorkerDependencies } from './dependencies';
import { handoffWorkerOptions } from './options';
import { otlpMetricsFromEnv } from './runtime';

/**
 * Fills the Lambda worker's configuration: the same task queue, workflows and activities as the
 * long-running worker, with the workflow code pre-bundled (no webpack on a cold start).
 * AUTO_UPGRADE because a lead's workflow lives for months: pinning it to the Lambda version it
 * started on would keep old code alive; changes to running workflows go through patched().
 */
export function configureLambdaWorker(
  config: LambdaWorkerConfig,
  deps: Pick<WorkerDependencies, 'activities' | 'dataConverter' | 'close'>,
  env: { taskQueue: string; namespace: string; workflowBundlePath: string; metrics?: MetricsExporterConfig; connection?: TemporalConnectionOptions },
): void {
  Object.assign(
    config.workerOptions,
    handoffWorkerOptions({
      taskQueue: env.taskQueue,
      activities: deps.activities,
      dataConverter: deps.dataConverter,
      workflowBundlePath: env.workflowBundlePath,
    }),
  );
  config.workerOptions.workerDeploymentOptions = { defaultVersioningBehavior: 'AUTO_UPGRADE' };
  config.namespace = env.namespace;
  if (env.metrics) config.runtimeOptions.telemetryOptions = { ...config.runtimeOptions.telemetryOptions, metrics: env.metrics };
  // The connection Handoff resolved (deprecated aliases included), not lambda-worker's own reading of the same variables.
  if (env.connection) config.connectionOptions = env.connection;
  config.shutdownHooks.push(() => deps.close());
}

async function createHandler() {
  await prepareLambdaEnv({ requireDatabase: true });
  const logger = createLogger({ name: 'lambda-worker' });
  const core = loadCoreConfig();
  const address = core.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS (or a TEMPORAL_PROFILE with an address) is required on Lambda');
  const policy = loadPolicyFile(core.HANDOFF_POLICY);
  const deps = await createWorkerDependencies({ config: core, policy: () => policy, logger });
  const workflowBundlePath = process.env.HANDOFF_WORKFLOW_BUNDLE ?? `${process.env.LAMBDA_TASK_ROOT ?? '.'}/workflow-bundle.js`;
  return runWorker(
    { deploymentName: process.env.HANDOFF_DEPLOYMENT_NAME ?? 'handoff', buildId: process.env.HANDOFF_BUILD_ID ?? 'dev' },
    (config) =>
      configureLambdaWorker(config, deps, {
        taskQueue: core.HANDOFF_TASK_QUEUE,
        namespace: core.TEMPORAL_NAMESPACE,
        workflowBundlePath,
        metrics: otlpMetricsFromEnv(process.env),
        connection: temporalConnectionOptions(address, core),
      }),
  );
}

let handlerPromise: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: dependencies are built once per container. */
export async function handler(event: unknown, context: Parameters<Awaited<ReturnType<typeof runWorker>>>[1]): Promise<void> {
  handlerPromise ??= createHandler();
  return (await handlerPromise)(event, context);
}
