import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError } from '../config';
import { durationMs, durationSchema } from '../domain/duration';
import { optionalEnv } from '../env';
import {
  ACTIVITY_POLLER_WORKFLOW_ID,
  configureActivityPoller,
  salesforceActivityPoller,
  type ActivityPollerState,
  type PollCursors,
} from '../workflows/salesforce-activity-poller';

const activityPollerEnvSchema = z.object({
  HANDOFF_ACTIVITY_POLL: optionalEnv.pipe(
    z.enum(['on', 'off'], { error: (i) => `expected "on" or "off", got ${JSON.stringify(i.input)}` }).default('on'),
  ),
  // Each round is three SOQL queries: 30 s is about 8,600 API calls a day, 1 s about 260,000.
  HANDOFF_ACTIVITY_POLL_INTERVAL: optionalEnv
    .pipe(durationSchema.optional())
    .transform((d) => (d ? durationMs(d) : 30_000))
    .pipe(z.number().min(1000, 'expected an interval of at least 1s')),
});
export type ActivityPollerConfig = { enabled: boolean; intervalMs: number };

/** `HANDOFF_ACTIVITY_POLL` (on|off, default on) and `HANDOFF_ACTIVITY_POLL_INTERVAL` (a duration, default 30s). */
export function activityPollerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ActivityPollerConfig {
  const result = activityPollerEnvSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return {
    enabled: result.data.HANDOFF_ACTIVITY_POLL === 'on',
    intervalMs: result.data.HANDOFF_ACTIVITY_POLL_INTERVAL,
  };
}

/**
 * Makes sure the one poller runs (signal-with-start on a fixed id: a running poller is kept and takes
 * the interval, a stopped one is restarted from the watermarks its last run returned). Off: a running
 * poller is asked to stop after its round; it returns its watermarks for the next start.
 */
export async function ensureActivityPoller(options: {
  client: Client;
  taskQueue: string;
  config: ActivityPollerConfig;
  logger: Logger;
  workflowId?: string;
  lookbackMs?: number;
}): Promise<void> {
  const { client, config, logger } = options;
  const workflowId = options.workflowId ?? ACTIVITY_POLLER_WORKFLOW_ID;
  const handle = client.workflow.getHandle<typeof salesforceActivityPoller>(workflowId);
  if (!config.enabled) {
    try {
      if ((await handle.describe()).status.name === 'RUNNING') {
        await handle.signal(configureActivityPoller, { stop: true });
        logger.warn({ workflowId }, 'HANDOFF_ACTIVITY_POLL=off: the Salesforce activity poller was asked to stop');
        return;
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    logger.warn({ workflowId }, 'HANDOFF_ACTIVITY_POLL=off: touches and conversions logged in Salesforce are not read');
    return;
  }
  const cursors = await lastCursors();
  await client.workflow.signalWithStart(salesforceActivityPoller, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [
      {
        intervalMs: config.intervalMs,
        ...(cursors ? { cursors } : {}),
        ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}),
      },
    ],
    signal: configureActivityPoller,
    signalArgs: [{ intervalMs: config.intervalMs }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  logger.info(
    { workflowId, intervalMs: config.intervalMs, resumed: cursors !== undefined },
    'salesforce activity poller running',
  );

  async function lastCursors(): Promise<PollCursors | undefined> {
    try {
      if ((await handle.describe()).status.name !== 'COMPLETED') return undefined;
      return ((await handle.result()) as ActivityPollerState).cursors;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }
}
