/**
 * The crash drill's worker, a process of its own so the drill can SIGKILL it: built like
 * src/worker/main.ts (createActivities + handoffWorkerOptions) on the drill's task queue, against
 * the drill's dev server, Postgres ledger schema and Salesforce emulator, which it writes through
 * the real writer (jsforce over HTTP, the default batch windows).
 *
 * DRILL_MODE=local-append also registers the activity the old-append workflow interceptor calls
 * (old-append-interceptor.ts): the ledger rows appended by a local activity inside the workflow
 * task, before it commits, as the engine did before the effects batches.
 * DRILL_CRASH_AFTER_WRITES=N: this process SIGKILLs itself right after its Nth ledger write that inserted rows.
 * In local-append mode those are the old design's own writes, the local appends, of steps other than a
 * hand-off: a retried hand-off decides the same rows again (it counts from its receive time), so only
 * the other steps can show the old design's flaw, and the drill must see it.
 */
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../src/activities';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import type { AuditEvent } from '../../src/domain/effects';
import type { Policy } from '../../src/domain/policy';
import { emulatorAuth } from '../../src/salesforce/config';
import { connect } from '../../src/salesforce/connection';
import { API_VERSION } from '../salesforce/harness';
import { createSalesforceWriter } from '../../src/salesforce/writer';
import { emptySalesforceReader } from '../helpers/accepting-salesforce';
import { handoffWorkerOptions } from '../../src/worker/options';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/**
 * The ledger, with a crash point right after the Nth write of this process that inserted rows: the
 * rows are in the ledger and the worker dies before it reports back to Temporal.
 */
function crashingAfter(ledger: Ledger, writes: number, counts: (events: readonly AuditEvent[]) => boolean = () => true): Ledger {
  if (writes <= 0) return ledger;
  let count = 0;
  return {
    ...ledger,
    async append(events) {
      const result = await ledger.append(events);
      if (result.inserted > 0 && counts(events)) count += 1;
      if (count >= writes) process.kill(process.pid, 'SIGKILL');
      return result;
    },
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const mode = process.env.DRILL_MODE ?? 'effects-batch';
  const realLedger = await createLedger({
    databaseUrl: env('DRILL_DATABASE_URL'),
    schema: env('DRILL_SCHEMA'),
    logger,
  });
  const crashAfter = Number(process.env.DRILL_CRASH_AFTER_WRITES ?? 0);
  const ledger = mode === 'local-append' ? realLedger : crashingAfter(realLedger, crashAfter);
  const localLedger = crashingAfter(realLedger, mode === 'local-append' ? crashAfter : 0, (events) => !events.some((e) => e.type === 'QUALIFIED'));
  // The drill's policy, already validated by the drill (a validated policy is the schema's output, not its input).
  const policy = JSON.parse(env('DRILL_POLICY')) as Policy;
  const salesforce = createSalesforceWriter({
    connection: () => connect({ auth: emulatorAuth(env('DRILL_SALESFORCE_URL')), apiVersion: API_VERSION, logger }),
    logger,
  });
  const activities = createActivities({ ledger, salesforce, salesforceReader: emptySalesforceReader, logger, policy: () => policy });
  const oldAppend = {
    async appendLedgerLocally(events: AuditEvent[]): Promise<void> {
      await localLedger.append(events);
    },
  };
  const connection = await NativeConnection.connect({ address: env('DRILL_TEMPORAL_ADDRESS') });
  const options = handoffWorkerOptions({
    taskQueue: env('DRILL_TASK_QUEUE'),
    activities,
    // Plain payloads: the drill reads the committed batches from history itself (encryption is tested elsewhere).
    dataConverter: {},
    workflowBundlePath: env('DRILL_WORKFLOW_BUNDLE'),
  });
  const worker = await Worker.create({
    connection,
    ...options,
    activities: mode === 'local-append' ? { ...activities, ...oldAppend } : activities,
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await connection.close();
  await salesforce.close();
  await realLedger.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
