/**
 * Salesforce activity poller benchmark: N qualified leads, one call Task per lead logged by the rep in
 * the emulator (Collections, 200 per call), then how long until every lead's SLA is MET through the
 * poller (SOQL page → one logContactAttempt update per Task) on the Temporal dev server.
 *
 *   npm run bench:activity-poller -- [--leads 400] [--interval 1s]
 *
 * Lead workflows run the real leadLifecycle with no-op write-back; the poll activity is the real one.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { Connection } from 'jsforce';
import pino from 'pino';
import type { Activities } from '../src/activities';
import { handoffWorkerOptions } from '../src/worker/options';
import { createSalesforceActivityPollActivities, SETTLE_MS } from '../src/activities/salesforce-activity';
import { createLeadGateway } from '../src/api/temporal';
import { loadPolicyFile } from '../src/config';
import { durationMs, durationSchema } from '../src/domain/duration';
import { createSalesforceReader } from '../src/salesforce/reader';
import { ensureActivityPoller } from '../src/worker/activity-poller';
import { activityPollerState } from '../src/workflows/salesforce-activity-poller';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/workflows/search-attributes';
import { resolveTemporalBinaries } from '../scripts/temporal-binaries';
import { startEmulator } from '../tools/salesforce-emulator';
import { SEED_IDS } from '../tools/salesforce-emulator/standard-objects';

const TASK_QUEUE = 'bench-activity-poller';
const POLLER_ID = 'bench-salesforce-activity-poller';
const quiet = pino({ level: 'silent' });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { leads: { type: 'string', default: '400' }, interval: { type: 'string', default: '1s' } },
  });
  const leads = Number(values.leads);
  if (!Number.isInteger(leads) || leads < 1)
    throw new Error(`--leads: expected a positive integer, got ${values.leads}`);
  const intervalMs = durationMs(durationSchema.parse(values.interval));

  const cli = resolveTemporalBinaries().cli;
  if (!cli) throw new Error('the Temporal CLI was not found: run "npm run setup"');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      log: { format: 'json', level: 'error' },
    },
  });
  const emulator = await startEmulator({ port: 0, logger: quiet });
  const policy = loadPolicyFile(path.resolve(__dirname, '../policy/default.yaml'));
  const noop = async () => undefined;
  const asUser = (userId: string) =>
    new Connection({ instanceUrl: emulator.url, accessToken: emulator.issueToken(userId), version: '62.0' });
  const activities: Activities = {
    applyEffects: async () => ({ failed: [] }),
    currentPolicy: async () => policy,
    ...createSalesforceActivityPollActivities({
      salesforceReader: createSalesforceReader({ connection: asUser(SEED_IDS.integrationUserId) }),
      logger: quiet,
      policy: () => policy,
    }),
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    ...handoffWorkerOptions({ taskQueue: TASK_QUEUE, activities, dataConverter: {} }),
  });
  const running = worker.run();
  try {
    const rep = asUser(SEED_IDS.repUserId);
    const gateway = createLeadGateway(
      { client: env.client, taskQueue: TASK_QUEUE, namespace: env.namespace ?? 'default', timeoutMs: 30_000 },
      policy,
    );
    const leadIds: string[] = [];
    for (let i = 0; i < leads; i += 200) {
      const batch = Array.from({ length: Math.min(200, leads - i) }, (_, j) => ({
        LastName: `Bench ${i + j}`,
        Company: 'Acme',
        OwnerId: SEED_IDS.repUserId,
      }));
      const results = await rep.sobject('Lead').create(batch, { allOrNone: true });
      leadIds.push(...results.map((r) => r.id!));
    }
    const at = new Date().toISOString();
    for (let i = 0; i < leadIds.length; i += 20) {
      await Promise.all(
        leadIds.slice(i, i + 20).map((leadId) =>
          gateway.ingestTrigger({
            leadId,
            eventId: 'q1',
            occurredAt: at,
            ownerId: SEED_IDS.repUserId,
            firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP Sales' },
            activities: [{ type: 'demo_request', occurredAt: at }],
          }, at),
        ),
      );
    }
    await ensureActivityPoller({
      client: env.client,
      taskQueue: TASK_QUEUE,
      config: { enabled: true, intervalMs },
      logger: quiet,
      workflowId: POLLER_ID,
    });

    const started = Date.now();
    for (let i = 0; i < leadIds.length; i += 200) {
      const tasks = leadIds
        .slice(i, i + 200)
        .map((WhoId) => ({
          WhoId,
          Subject: 'Call',
          Type: 'Call',
          TaskSubtype: 'Call',
          CallDisposition: 'Connected',
          Status: 'Completed',
        }));
      await rep.sobject('Task').create(tasks, { allOrNone: true });
    }
    const logged = Date.now();
    const poller = env.client.workflow.getHandle(POLLER_ID);
    let sent = 0;
    while (sent < leads && Date.now() - logged < 600_000) {
      await new Promise((r) => setTimeout(r, 100));
      sent = (await poller.query(activityPollerState)).sent;
    }
    const done = Date.now();
    const sample = await Promise.all([leadIds[0]!, leadIds.at(-1)!].map((id) => gateway.state(id)));
    const met = sample.every((v) => v.sla.status === 'MET' && v.stage === 'SAL');

    const seconds = (done - logged) / 1000;
    console.log('Salesforce activity poller (dev server + emulator, one call Task per lead)');
    console.log(`  leads / tasks           ${leads}`);
    console.log(`  poll interval, settle   ${intervalMs} ms, ${SETTLE_MS} ms`);
    console.log(`  tasks logged in         ${((logged - started) / 1000).toFixed(2)} s (Collections, 200 per call)`);
    console.log(`  all touches delivered   ${seconds.toFixed(2)} s after the last task was logged`);
    console.log(
      `  delivery rate           ${(leads / seconds).toFixed(1)} touches/s (including interval and settle wait)`,
    );
    console.log(
      `  first and last lead     ${met ? 'SAL, SLA MET' : `NOT MET: ${JSON.stringify(sample.map((v) => [v.stage, v.sla.status]))}`}`,
    );
    if (sent < leads || !met) process.exitCode = 1;
  } finally {
    worker.shutdown();
    await running;
    await emulator.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
