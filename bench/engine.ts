/**
 * Engine benchmark: N leads through their whole lives on the Temporal dev server, with a
 * seconds-long policy and a realistic mix of paths, next to a no-op workflow started the same way.
 *
 *   npm run bench:engine -- [--leads 2000] [--concurrency 40]
 *
 * Prints: leads started/s vs no-op workflows started/s (ratio), lifecycle transitions/s,
 * breach-detection lag (deadline → escalation task executed) p50/p99, worker RSS, history events per lead.
 * Activities are in-process no-ops that record timings: this measures the engine, not Salesforce.
 */
import { parseArgs } from 'node:util';
import { WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../src/activities';
import type { Trigger } from '../src/domain/inputs';
import { acceptLead, ingestTrigger, leadWorkflowId, logContactAttempt, rejectLead } from '../src/workflows/messages';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/workflows/search-attributes';
import { testPolicy } from '../test/helpers/policy';
import { leadLifecycle, noopLead, noopTrigger } from './engine/workflows';
import { resolveTemporalBinaries } from '../scripts/temporal-binaries';

const TASK_QUEUE = 'bench-engine';
const PATHS = ['acceptInTime', 'breach', 'reject', 'cadence', 'decay'] as const;
type LeadPath = (typeof PATHS)[number];

const benchPatch = {
  version: 'bench-engine',
  teams: [{ id: 'na', calendar: 'always', fallbackOwnerId: '00G000000000001AAA', managerId: '005000000000001AAA' }],
  sla: {
    firstTouch: {
      HAND_RAISE: { within: '2s', clock: 'calendar' },
      PQL: { within: '2s', clock: 'calendar' },
      MQL: { within: '30s', clock: 'calendar' },
    },
    reminders: [0.5],
    onBreach: { reassignTo: 'fallback', notifyManager: true, maxReassignments: 1 },
  },
  cadence: { touches: 3, within: { within: '30s', clock: 'calendar' }, minChannels: 2 },
  decay: { tick: '1d' },
};
const policy = testPolicy(benchPatch);
/** Decay leads re-evaluate every 5 s a reported score with a 5 s half-life, so they decay out within the run. */
const decayPolicy = testPolicy({ ...benchPatch, decay: { tick: '5s' }, scoring: { intent: { reportedHalfLife: '5s' } } });

/** An overloaded dev server answers DEADLINE_EXCEEDED; the update id makes the retry safe. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) || attempt >= 5) throw err;
      retries += 1;
    }
  }
}
let retries = 0;

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { leads: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '40' } } });
  const leads = Number(values.leads);
  const concurrency = Number(values.concurrency);
  const cli = resolveTemporalBinaries().cli;
  if (!cli) throw new Error('the Temporal CLI was not found: run "npm run setup"');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: SEARCH_ATTRIBUTE_KEYS, log: { format: 'json', level: 'error' } },
  });

  const handoffDue = new Map<string, number>();
  const breachLags: number[] = [];
  let transitions = 0;
  let lastEffectAt = 0;
  const activities: Activities = {
    async pollSalesforceActivity({ cursor }) {
      return { next: cursor, read: 0, sent: 0, skipped: 0, more: false };
    },
    async syncLead() {
      lastEffectAt = Date.now();
    },
    async upsertTask({ task }) {
      lastEffectAt = Date.now();
      if (task.kind === 'HANDOFF' && task.dueAt) handoffDue.set(task.leadId, Date.parse(task.dueAt));
      if (task.kind === 'ESCALATION' && task.subject.includes('first-touch')) {
        const due = handoffDue.get(task.leadId);
        if (due !== undefined) breachLags.push(Date.now() - due);
      }
    },
    async appendAudit(events) {
      transitions += events.length;
      lastEffectAt = Date.now();
    },
    async currentPolicy() {
      return policy;
    },
  };
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./engine/workflows'), logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities });
  const client = env.client;

  await worker.runUntil(async () => {
    const ids = Array.from({ length: leads }, (_, i) => i);
    const noopStart = Date.now();
    await pool(ids, concurrency, async (i) => {
      const options = { workflowId: `noop-${i}-${noopStart}`, taskQueue: TASK_QUEUE, args: [], workflowIdConflictPolicy: 'USE_EXISTING' } as const;
      await retrying(() =>
        client.workflow.executeUpdateWithStart(noopTrigger, {
          args: [{ i }],
          updateId: `noop-${i}`,
          startWorkflowOperation: new WithStartWorkflowOperation(noopLead, options),
        }),
      );
    });
    const noopSeconds = (Date.now() - noopStart) / 1000;

    const runTag = Date.now().toString(36);
    const leadStart = Date.now();
    const started: Promise<void>[] = [];
    await pool(ids, concurrency, async (i) => {
      const leadId = `b${runTag}x${i}`;
      const p = PATHS[i % PATHS.length]!;
      await startLead(client, leadId, p);
      started.push(act(client, leadId, p));
    });
    const startedAll = Date.now();
    const transitionsAtStart = transitions;
    const leadSeconds = (startedAll - leadStart) / 1000;
    await Promise.all(started);
    while (Date.now() - lastEffectAt < 3000 || Date.now() - startedAll < 35_000) await sleep(250);
    const lifecycleSeconds = (lastEffectAt - leadStart) / 1000;

    const everyNthGroup = Math.max(1, Math.floor(leads / 100));
    const sample = ids.filter((i) => Math.floor(i / PATHS.length) % everyNthGroup === 0);
    const historyByPath = new Map<LeadPath, number[]>();
    for (const i of sample) {
      const p = PATHS[i % PATHS.length]!;
      const d = await client.workflow.getHandle(leadWorkflowId(`b${runTag}x${i}`)).describe();
      historyByPath.set(p, [...(historyByPath.get(p) ?? []), d.historyLength]);
    }
    clearInterval(rssTimer);
    const lags = [...breachLags].sort((a, b) => a - b);
    const all = [...historyByPath.values()].flat();
    const rows: [string, string][] = [
      ['leads', String(leads)],
      ['update calls retried after DEADLINE_EXCEEDED', String(retries)],
      ['no-op workflows started/s', (leads / noopSeconds).toFixed(1)],
      ['leads started/s (update-with-start, qualified)', (leads / leadSeconds).toFixed(1)],
      ['ratio lead/no-op (goal ≥ 0.8)', (noopSeconds / leadSeconds).toFixed(2)],
      ['lifecycle transitions (audit events)', String(transitions)],
      ['lifecycle transitions/s (start → last effect)', (transitions / lifecycleSeconds).toFixed(1)],
      ['transitions while leads were being started', String(transitionsAtStart)],
      ['breaches measured', String(lags.length)],
      ['breach lag p50 ms (deadline → escalation executed)', percentile(lags, 50).toFixed(0)],
      ['breach lag p99 ms (goal < 1000)', percentile(lags, 99).toFixed(0)],
      ['breach lag max ms', percentile(lags, 100).toFixed(0)],
      ['worker process peak RSS MiB (worker + client + bench)', (peakRss / 2 ** 20).toFixed(0)],
      ['history events per lead, mean (sample of ' + all.length + ')', (all.reduce((a, b) => a + b, 0) / all.length).toFixed(1)],
      ...[...historyByPath.entries()].map(([p, h]): [string, string] => [`  history events, ${p}`, (h.reduce((a, b) => a + b, 0) / h.length).toFixed(1)]),
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nbench:engine — dev server (in-memory SQLite), ${concurrency} concurrent clients, policy ${policy.version}\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  });
  await env.teardown();
}

function triggerFor(leadId: string, p: LeadPath): Trigger {
  const at = new Date().toISOString();
  const firmographics = { industry: 'Logistics', employees: 200, region: 'NA', title: 'Head of Operations' };
  if (p === 'decay') return { leadId, eventId: 'q', occurredAt: at, ownerId: '005000000000002AAA', firmographics, intentScore: 31 };
  return { leadId, eventId: 'q', occurredAt: at, ownerId: '005000000000002AAA', firmographics, activities: [{ type: 'demo_request', occurredAt: at }] };
}

async function startLead(client: Client, leadId: string, p: LeadPath): Promise<void> {
  const op = new WithStartWorkflowOperation(leadLifecycle, {
    workflowId: leadWorkflowId(leadId),
    taskQueue: TASK_QUEUE,
    args: [{ leadId, policy: p === 'decay' ? decayPolicy : policy }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const trigger = triggerFor(leadId, p);
  await retrying(() =>
    client.workflow.executeUpdateWithStart(ingestTrigger, {
      args: [trigger],
      updateId: `trigger-${leadId}`,
      startWorkflowOperation: new WithStartWorkflowOperation(leadLifecycle, op.options),
    }),
  );
}

async function act(client: Client, leadId: string, p: LeadPath): Promise<void> {
  const handle = client.workflow.getHandle(leadWorkflowId(leadId));
  const rep = '005000000000002AAA';
  if (p === 'acceptInTime') await retrying(() => handle.executeUpdate(acceptLead, { args: [{ repId: rep }], updateId: 'accept' }));
  if (p === 'reject') await retrying(() => handle.executeUpdate(rejectLead, { args: [{ repId: rep, reason: 'NO_BUDGET' }], updateId: 'reject' }));
  if (p === 'cadence') {
    await retrying(() => handle.executeUpdate(acceptLead, { args: [{ repId: rep }], updateId: 'accept' }));
    for (const [i, channel] of (['call', 'email', 'call'] as const).entries()) {
      await retrying(() =>
        handle.executeUpdate(logContactAttempt, { args: [{ repId: rep, channel, outcome: 'no_answer' }], updateId: `touch-${i}` }),
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
