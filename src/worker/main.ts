import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { loadCoreConfig, loadPolicyFile, type CoreConfig } from '../config';
import { createLogger } from '../logger';
import { loadSalesforceConfig } from '../salesforce/config';
import { ownerCheckConfigFromEnv, startOwnerDirectory } from '../salesforce/owner-check';
import { temporalConnectionOptions } from '../temporal/connection';
import { activityPollerConfigFromEnv, ensureActivityPoller } from './activity-poller';
import { createWorkerDependencies, type WorkerDependencies } from './dependencies';
import { handoffWorkerOptions } from './options';
import { installPinoRuntime, metricsAddressFromEnv, prometheusMetrics } from './runtime';

export type RunningWorker = { worker: Worker; done: Promise<void>; stop(): Promise<void> };

/** Connects to Temporal and starts polling the task queue; `stop()` drains it and closes its dependencies. */
export async function startWorker(options: {
  config: CoreConfig;
  address: string;
  deps: WorkerDependencies;
  logger: Logger;
}): Promise<RunningWorker> {
  const { config, logger, deps } = options;
  const poller = activityPollerConfigFromEnv();
  const connection = await NativeConnection.connect(temporalConnectionOptions(options.address, config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    maxCachedWorkflows: config.HANDOFF_MAX_CACHED_WORKFLOWS,
    ...handoffWorkerOptions({
      taskQueue: config.HANDOFF_TASK_QUEUE,
      activities: deps.activities,
      dataConverter: deps.dataConverter,
      workflowBundlePath: config.HANDOFF_WORKFLOW_BUNDLE,
    }),
  });
  const done = worker.run().finally(async () => {
    await deps.close();
    await connection.close();
  });
  logger.info({ taskQueue: config.HANDOFF_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await ensureActivityPoller({ client, taskQueue: config.HANDOFF_TASK_QUEUE, config: poller, logger });
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** A worker alone, against an external Temporal (TEMPORAL_ADDRESS) and a configured org. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'worker' });
  const metricsAddress = metricsAddressFromEnv(process.env);
  installPinoRuntime(logger, 'INFO', metricsAddress ? prometheusMetrics(metricsAddress) : undefined);
  const config = loadCoreConfig();
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS (or a TEMPORAL_PROFILE with an address) is required for a standalone worker (npm start embeds one)');
  const policy = loadPolicyFile(config.HANDOFF_POLICY);
  // The worker needs the owners checked once, at start; the API keeps its own directory for requests.
  const directory = await startOwnerDirectory({ salesforce: loadSalesforceConfig(), policy, config: ownerCheckConfigFromEnv(), logger });
  directory.close();
  const deps = await createWorkerDependencies({ config, policy: () => policy, logger });
  const running = await startWorker({ config, address: config.TEMPORAL_ADDRESS, deps, logger });
  if (metricsAddress) logger.info({ url: `http://${metricsAddress}/metrics` }, 'metrics served');
  await running.done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
