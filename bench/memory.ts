/**
 * Worker memory with open (sleeping) leads: MQL leads with a 30-day calendar SLA, started by
 * update-with-start through the API's gateway at a bounded concurrency, so each sleeps on its
 * deadline timer. The worker runs in THIS process (with the client and the bench); RSS is
 * process.memoryUsage().rss after the worker went idle, after a forced GC when node runs with
 * --expose-gc (npm run bench:memory passes it).
 *
 *   npm run bench:memory -- [--levels 0,1000,2000,10000] [--max-cached 2000] [--concurrency 20]
 *                           [--lag-leads 300] [--lag-rate 3] [--bundle FILE]
 *
 * --bundle runs a workflow bundle built beforehand (npm run build:workflow-bundle -- FILE), as the
 * Lambda worker does, instead of bundling with webpack in this process.
 *
 * Prints per level: open leads, cached workflows (min(open, max-cached)), RSS (all threads: the workflows
 * run in the SDK's worker threads), the main thread's heap, start rate,
 * and MB per cached lead = (RSS(n) − RSS(0)) / cached.
 *
 * Then, with the last level's leads still open, breach lag under a realistic arrival process: --lag-leads
 * more leads arrive one by one (Poisson, --lag-rate a second), each with a first-touch window drawn from
 * 20 to 60 s, and nobody works them. Lag = when the breach's effects batch executed − the missed due time.
 * (bench:engine reports the lag during a start storm.)
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../src/activities';
import { createLeadGateway } from '../src/api/temporal';
import { triggerSchema } from '../src/domain/inputs';
import { handoffWorkerOptions } from '../src/worker/options';
import { ALWAYS_TEAM, testPolicy } from '../test/helpers/policy';
import { uniqueLeadId } from '../test/helpers/leads';
import { percentile, pool } from '../test/helpers/measure';
import { sleep } from '../test/helpers/eventually';
import { devServerEnv } from '../test/helpers/temporal';

const TASK_QUEUE = 'bench-memory';
const policy = testPolicy({
  ...ALWAYS_TEAM,
  version: 'bench-memory',
  sla: { firstTouch: { MQL: { within: '30d', clock: 'calendar' } } },
});
const firmographics = { industry: 'Logistics', employees: 200, region: 'NA', title: 'Head of Operations' };

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => bytes / 2 ** 20;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      levels: { type: 'string', default: '0,1000,2000,10000' },
      'max-cached': { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '20' },
      'lag-leads': { type: 'string', default: '300' },
      'lag-rate': { type: 'string', default: '3' },
      bundle: { type: 'string' },
    },
  });
  const levels = values.levels.split(',').map(Number);
  if (levels.some((n, i) => !Number.isInteger(n) || n < 0 || (i > 0 && n < levels[i - 1]!)))
    throw new Error('--levels: ascending integers');
  const maxCached = Number(values['max-cached']);
  const concurrency = Number(values.concurrency);
  const lagLeads = Number(values['lag-leads']);
  const lagRate = Number(values['lag-rate']);

  const env = await devServerEnv();
  let effects = 0;
  let lastActivityAt = Date.now();
  const breached = new Set<string>();
  const lags: number[] = [];
  const activities: Activities = {
    pollSalesforceActivity: async ({ cursor }) => ({ next: cursor, read: 0, sent: 0, skipped: 0, more: false }),
    currentPolicy: async () => policy,
    applyEffects: async (batch) => {
      effects += 1;
      lastActivityAt = Date.now();
      for (const row of batch.ledger) {
        if (row.type !== 'SLA_BREACHED' || breached.has(row.leadId)) continue;
        breached.add(row.leadId);
        lags.push(lastActivityAt - Date.parse(String(row.detail.dueAt)));
      }
      return { failed: [], synced: { syncError: null } };
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    maxCachedWorkflows: maxCached,
    ...handoffWorkerOptions({ taskQueue: TASK_QUEUE, activities, dataConverter: {}, workflowBundlePath: values.bundle }),
  });
  const gateway = createLeadGateway(
    { client: env.client, taskQueue: TASK_QUEUE, namespace: 'default', timeoutMs: 60_000 },
    policy,
  );

  const rows: string[][] = [
    ['open leads', 'cached', 'RSS MiB', 'main-thread heap MiB', 'starts/s', 'failed starts', 'MB per cached lead'],
  ];
  let rss0: number | undefined;
  let open = 0;
  let failed = 0;
  let lag: { arrived: number; seconds: number; failed: number } | undefined;
  await worker.runUntil(async () => {
    for (const level of levels) {
      const ids = Array.from({ length: level - open }, () => uniqueLeadId());
      const startedAt = Date.now();
      await pool(ids, concurrency, async (leadId) => {
        const at = new Date().toISOString();
        const trigger = triggerSchema.parse({
          leadId,
          eventId: 'q',
          occurredAt: at,
          ownerId: '005000000000002AAA',
          firmographics,
          activities: [
            { type: 'webinar', occurredAt: at },
            { type: 'whitepaper', occurredAt: at },
            { type: 'pricing_visit', occurredAt: at },
          ],
        });
        try {
          await gateway.ingestTrigger(trigger, at);
        } catch (err) {
          failed += 1;
          if (failed <= 3) console.error(`start failed: ${String(err)}`);
        }
      });
      const rate = ids.length ? ids.length / ((Date.now() - startedAt) / 1000) : NaN;
      open = level;
      // Idle: the last effects batches ran, nothing new for 2 s.
      while (Date.now() - lastActivityAt < 2_000) await sleep(250);
      gc?.();
      await sleep(500);
      gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      rss0 ??= rss;
      const cached = Math.min(level, maxCached);
      rows.push([
        String(level),
        String(cached),
        mib(rss).toFixed(0),
        mib(heapUsed).toFixed(0),
        Number.isNaN(rate) ? '' : rate.toFixed(1),
        String(failed),
        cached ? ((rss - rss0) / 1e6 / cached).toFixed(3) : '',
      ]);
      process.stderr.write(`level: ${rows.at(-1)!.join('  ')}\n`);
    }
    if (lagLeads > 0) lag = await breachLag(env.client, lagLeads, lagRate, () => breached.size);
  });
  await env.teardown();
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(
    `\nbench:memory — one worker in the bench process, maxCachedWorkflows ${maxCached}, ${concurrency} concurrent update-with-starts, ` +
      `forced GC ${gc ? 'yes' : 'no (run with --expose-gc)'}, effects batches ${effects}, workflow bundle ${values.bundle ?? 'built in this process'}\n`,
  );
  process.stdout.write(rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n') + '\n');
  if (lag) {
    const sorted = [...lags].sort((a, b) => a - b);
    process.stdout.write(
      `\nbreach lag with ${open} leads open (${Math.min(open, maxCached)} cached) and ${lag.arrived} more arriving at ${lagRate}/s (Poisson) over ${lag.seconds.toFixed(0)} s, ` +
        `windows 20–60 s: ${sorted.length} breaches, ${lag.failed} failed starts; lag p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${percentile(sorted, 100)} ms (goal: p99 < 1000 ms)\n`,
    );
  }
  process.stdout.write(
    'issue (today): ~2.1 MB per cached lead, 1,000 leads 2.6 GB, ~1,935 leads 4.3 GB; goals: ≤ 0.5 MB per cached lead, 2,000 cached < 1 GB, 10,000 open without a stall\n',
  );
}

/** Leads one by one at Poisson arrivals, windows spread over 20–60 s (a policy version per window); resolves when all breached. */
async function breachLag(
  client: Client,
  leads: number,
  rate: number,
  breaches: () => number,
): Promise<{ arrived: number; seconds: number; failed: number }> {
  const windows = [20, 30, 40, 50, 60];
  const gateways = windows.map((s) =>
    createLeadGateway(
      { client, taskQueue: TASK_QUEUE, namespace: 'default', timeoutMs: 60_000 },
      testPolicy({ ...ALWAYS_TEAM, version: `bench-lag-${s}s`, sla: { firstTouch: { HAND_RAISE: { within: `${s}s`, clock: 'calendar' }, PQL: { within: `${s}s`, clock: 'calendar' }, MQL: { within: `${s}s`, clock: 'calendar' } } } }),
    ),
  );
  const before = breaches();
  const startedAt = Date.now();
  let failed = 0;
  const starts: Promise<void>[] = [];
  for (let i = 0; i < leads; i++) {
    await sleep(-Math.log(1 - Math.random()) * (1000 / rate));
    const at = new Date().toISOString();
    const trigger = triggerSchema.parse({
      leadId: uniqueLeadId(),
      eventId: 'q',
      occurredAt: at,
      ownerId: '005000000000002AAA',
      firmographics,
      activities: [{ type: 'demo_request', occurredAt: at }],
    });
    starts.push(
      gateways[i % gateways.length]!.ingestTrigger(trigger, at).then(
        () => undefined,
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(starts);
  const seconds = (Date.now() - startedAt) / 1000;
  const deadline = Date.now() + 120_000;
  while (breaches() - before < leads - failed && Date.now() < deadline) await sleep(500);
  return { arrived: leads, seconds, failed };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
