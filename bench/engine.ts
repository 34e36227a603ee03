/**
 * Engine benchmark: leads through whole paths on the Temporal dev server (seconds-long calendar
 * windows, a 24/7 team), next to a no-op workflow started the same way; and a 90-day nurture on the
 * time-skipping server under the default policy. Billable actions are counted from each lead's real
 * history with Temporal Cloud's rules (bench/engine/actions.ts).
 *
 *   npm run bench:engine -- [--per-path 40] [--concurrency 20] [--sample 10] [--start-rounds 3] [--nurture-leads 1] [--dump DIR]
 *
 * --dump DIR writes, per path, the billable events of its first sampled lead (DIR/<path>.txt).
 *
 * Prints: no-op starts/s; lead starts/s alone (the ratio) and during the paths' start storm; CPU per start of
 * the dev server and of this process; lifecycle transitions/s, breach lag (missed deadline → its effects
 * batch executed) p50/p99/max, peak RSS, and per path events, workflow tasks, activities, timers,
 * upserts, signals, updates, actions and $ per 1,000 leads, beside the issue's figures and goals.
 * Activities are in-process no-ops that record timings: this measures the engine, not Salesforce.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { Activities } from '../src/activities';
import { createLeadGateway, type LeadAction, type ActionBody } from '../src/api/temporal';
import { triggerSchema } from '../src/domain/inputs';
import type { Policy } from '../src/domain/policy';
import { handoffWorkerOptions } from '../src/worker/options';
import { workflowBundlerOptions, workflowsPath } from '../src/worker/workflow-bundle';
import { leadWorkflowId, recordEngagement } from '../src/workflows/messages';
import { ALWAYS_TEAM, testPolicy } from '../test/helpers/policy';
import { uniqueLeadId } from '../test/helpers/leads';
import { percentile, pool } from '../test/helpers/measure';
import { devServerEnv, timeSkippingEnv } from '../test/helpers/temporal';
import { noopTrigger } from './engine/workflows';
import { billableEvents, COST_KEYS, DOLLARS_PER_ACTION, historiesOf, meanCost, workflowCost, type Cost } from './engine/actions';

const TASK_QUEUE = 'bench-engine';
const OWNER = '005000000000002AAA';
const MANAGER = '005000000000001AAA';
const PATHS = ['accept', 'breach2', 'breach2engine', 'reject', 'cadence', 'decay'] as const;
type DevPath = (typeof PATHS)[number];
type PathName = DevPath | 'nurture90d';

/** The figures for the engine before this work (dev server, real histories), and its goals. */
const TODAY: Record<PathName, { events: string; actions: string; goal: string }> = {
  accept: { events: '52', actions: '16', goal: '≤ 10' },
  breach2: { events: '87', actions: '25', goal: '≤ 14' },
  breach2engine: { events: '87', actions: '25', goal: '≤ 14' },
  reject: { events: '40', actions: '13', goal: '≤ 8' },
  cadence: { events: '81', actions: '26', goal: '≤ 17' },
  decay: { events: '149+', actions: '44+', goal: '≤ 7' },
  nurture90d: { events: '1218', actions: '384', goal: '≤ 30 (≤ 150 events)' },
};

const seconds = (n: number) => ({ within: `${n}s`, clock: 'calendar' });
/** Seconds-long windows so each path runs in seconds; each path its own policy version. */
const base = {
  ...ALWAYS_TEAM,
  sla: { firstTouch: { HAND_RAISE: seconds(30), PQL: seconds(30), MQL: seconds(60) } },
  cadence: { touches: 5, within: seconds(120), minChannels: 2, minSpacing: seconds(1), waitAfterLastTouch: seconds(2) },
};
function breachTwice(reminderDelivery: 'engine' | 'salesforce'): Policy {
  return testPolicy({
    ...base,
    version: `bench-breach2-${reminderDelivery}`,
    sla: {
      ...base.sla,
      firstTouch: { ...base.sla.firstTouch, HAND_RAISE: seconds(2) },
      reminderDelivery,
      // The manager's window is long enough that the accept lands in it even when the start storm delays the
      // second breach's batch: a third breach would be another path (the chain ran out).
      escalation: { steps: [{ reassignTo: 'fallback' }, { reassignTo: 'manager', within: seconds(20) }] },
    },
  });
}
/** The start phase's leads: the 24/7 team's hour-long windows, so they only sleep while it runs. */
const START_POLICY = testPolicy({ ...ALWAYS_TEAM, version: 'bench-start' });
const POLICIES: Record<DevPath, Policy> = {
  accept: testPolicy({ ...base, version: 'bench-accept' }),
  // Two chain steps give two breaches: the fallback (a fresh 2 s window), then the manager; the default
  // policy's 50% and 80% reminders are set on the Salesforce tasks.
  breach2: breachTwice('salesforce'),
  // The same with `reminderDelivery: engine`: the engine sends each reminder when it is due.
  breach2engine: breachTwice('engine'),
  reject: testPolicy({ ...base, version: 'bench-reject' }),
  cadence: testPolicy({ ...base, version: 'bench-cadence' }),
  // Intent 34 (webinar 15 + whitepaper 10 + pricing 9) with 60 s half-lives crosses the threshold 30 after ~11 s (a trigger late by seconds under load still qualifies).
  decay: testPolicy({
    ...base,
    version: 'bench-decay',
    decay: { tick: '1s' },
    scoring: {
      intent: {
        events: { webinar: { halfLife: '60s' }, whitepaper: { halfLife: '60s' }, pricing_visit: { halfLife: '60s' } },
      },
    },
  }),
};

/** An overloaded dev server answers DEADLINE_EXCEEDED; the update id makes the retry safe. */
let retries = 0;
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const transient =
        err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
        (err as { code?: string }).code === 'TEMPORAL_UNAVAILABLE';
      if (!transient || attempt >= 5) throw err;
      retries += 1;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the effects activity saw: ledger rows per lead (by type), waiters on a row type, breach lags. */
class Observed {
  transitions = 0;
  breachLags: number[] = [];
  private seen = new Set<string>();
  private types = new Map<string, string[]>();
  private waiters: { leadId: string; done: (types: string[]) => boolean; resolve: () => void }[] = [];

  readonly activities: Activities = {
    pollSalesforceActivity: async ({ cursor }) => ({ next: cursor, read: 0, sent: 0, skipped: 0, more: false }),
    currentPolicy: async () => POLICIES.accept,
    applyEffects: async (batch) => {
      const now = Date.now();
      const types = this.types.get(batch.leadId) ?? [];
      for (const row of batch.ledger) {
        if (this.seen.has(row.id)) continue;
        this.seen.add(row.id);
        this.transitions += 1;
        types.push(row.type);
        // A breach is late by how long after its missed deadline its effects (escalation, reassignment) ran.
        const missed =
          row.type === 'SLA_BREACHED'
            ? row.detail.dueAt
            : row.type === 'ESCALATION_REPEATED'
              ? row.detail.missedDueAt
              : undefined;
        if (typeof missed === 'string') this.breachLags.push(now - Date.parse(missed));
      }
      this.types.set(batch.leadId, types);
      this.waiters = this.waiters.filter((w) =>
        w.leadId === batch.leadId && w.done(types) ? (w.resolve(), false) : true,
      );
      return { failed: [], synced: { syncError: null } };
    },
  };

  /** Resolves once the lead's ledger rows satisfy `done`; a path that never gets there fails the bench. */
  until(leadId: string, done: (types: string[]) => boolean, timeoutMs = 180_000): Promise<void> {
    if (done(this.types.get(leadId) ?? [])) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`lead ${leadId} stuck after ${(this.types.get(leadId) ?? []).join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({ leadId, done, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length;
const firmographics = { industry: 'Logistics', employees: 200, region: 'NA', title: 'Head of Operations' };

/** A hand-raiser for the rep, or with `decaying` a lead whose intent falls under the threshold in seconds. */
function handOff(leadId: string, decaying = false) {
  const at = new Date().toISOString();
  const activities = decaying
    ? [
        { type: 'webinar', occurredAt: at },
        { type: 'whitepaper', occurredAt: at },
        { type: 'pricing_visit', occurredAt: at },
      ]
    : [{ type: 'demo_request', occurredAt: at }];
  return triggerSchema.parse({ leadId, eventId: 'q', occurredAt: at, ownerId: OWNER, firmographics, activities });
}

async function runPath(
  client: Client,
  observed: Observed,
  p: DevPath,
  leadId: string,
  started: () => void,
  allStarted: Promise<void>,
): Promise<void> {
  const gateway = createLeadGateway(
    { client, taskQueue: TASK_QUEUE, namespace: 'default', timeoutMs: 30_000 },
    POLICIES[p],
  );
  await retrying(() => gateway.ingestTrigger(handOff(leadId, p === 'decay'), new Date().toISOString()));
  started();
  await allStarted;
  const act = <A extends LeadAction>(action: A, body: ActionBody<A>, key: string) =>
    retrying(() => gateway.act(leadId, action, body, new Date().toISOString(), key));
  if (p === 'accept') await act('accept', { repId: OWNER }, 'accept');
  if (p === 'reject') await act('reject', { repId: OWNER, reason: 'NO_BUDGET' }, 'reject');
  if (p === 'breach2' || p === 'breach2engine') {
    await observed.until(
      leadId,
      (t) => count(t, 'SLA_BREACHED') + count(t, 'ESCALATION_REPEATED') >= 2 && count(t, 'REASSIGNED') >= 2,
    );
    await act('accept', { repId: MANAGER }, 'accept');
  }
  if (p === 'cadence') {
    await act('accept', { repId: OWNER }, 'accept');
    for (const [i, channel] of (['call', 'email', 'call', 'linkedin', 'email'] as const).entries()) {
      await sleep(1_200);
      await act('contact-attempts', { repId: OWNER, channel, outcome: 'no_answer' }, `touch-${i}`);
    }
  }
  const end: Record<DevPath, (t: string[]) => boolean> = {
    accept: (t) => t.includes('ACCEPTED'),
    breach2: (t) => t.includes('ACCEPTED'),
    breach2engine: (t) => t.includes('ACCEPTED'),
    reject: (t) => t.includes('RECYCLED'),
    cadence: (t) => t.includes('RECYCLED'),
    decay: (t) => t.includes('RECYCLED'),
  };
  await observed.until(leadId, end[p]);
}

/** The pid of the dev server this process spawned, found once (Linux /proc; null elsewhere). */
let serverPid: string | null | undefined;
function devServerPid(): string | null {
  if (serverPid !== undefined) return serverPid;
  serverPid = null;
  if (!fs.existsSync('/proc')) return serverPid;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const fields = procStat(pid);
    if (fields?.comm === 'temporal' && Number(fields.rest[1]) === process.pid) serverPid = pid;
  }
  return serverPid;
}

/** A /proc/<pid>/stat line: the command, and the fields after it (state, ppid, …); null once the process is gone. */
function procStat(pid: string): { comm: string; rest: string[] } | null {
  let line: string;
  try {
    line = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').trim();
  } catch {
    return null;
  }
  const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(line) ?? [];
  return comm === undefined || rest === undefined ? null : { comm, rest: rest.split(' ') };
}

/** CPU seconds used so far by this process and by its dev server: where a start phase's CPU goes on a machine both saturate. */
function cpuSeconds(): { bench: number; server: number | null } {
  const { user, system } = process.cpuUsage();
  const pid = devServerPid();
  const fields = pid === null ? null : procStat(pid);
  // utime and stime, the 14th and 15th fields of the line, in clock ticks (100 a second).
  const server = fields === null ? null : (Number(fields.rest[11]) + Number(fields.rest[12])) / 100;
  return { bench: (user + system) / 1e6, server };
}
type Cpu = ReturnType<typeof cpuSeconds>;
type Phase = { seconds: number; cpu: Cpu };
const runTag = Date.now();
const cpuSince = (a: Cpu, b: Cpu): Cpu => ({ bench: b.bench - a.bench, server: a.server === null || b.server === null ? null : b.server - a.server });

/** A worker on a bundle built once up front, as a deployed worker runs (bundling is not part of what is measured). */
async function bundledWorker(env: TestWorkflowEnvironment, workflows: string, activities: Activities): Promise<Worker> {
  const bundle = await bundleWorkflowCode({ workflowsPath: workflows, ...workflowBundlerOptions, logger: new DefaultLogger('ERROR') });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-engine-')), 'workflows.js');
  fs.writeFileSync(bundlePath, bundle.code);
  return Worker.create({
    connection: env.nativeConnection,
    ...handoffWorkerOptions({ taskQueue: TASK_QUEUE, activities, dataConverter: {}, workflowBundlePath: bundlePath }),
  });
}

async function devServerRun(perPath: number, concurrency: number, sample: number, startRounds: number, dump?: string) {
  const env = await devServerEnv();
  const observed = new Observed();
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const worker = await bundledWorker(env, require.resolve('./engine/workflows'), observed.activities);
  const client = env.client;
  const leads = perPath * PATHS.length;
  const result = await worker.runUntil(async () => {
    const ids = Array.from({ length: leads }, (_, i) => i);
    // No-op and lead starts alone, in alternating rounds so that a drift of the machine's speed hits both
    // (lead starts use hour-long windows: no lead's clock runs out while they are measured).
    const quiet = createLeadGateway({ client, taskQueue: TASK_QUEUE, namespace: 'default', timeoutMs: 30_000 }, START_POLICY);
    const timed = async (start: (i: number) => Promise<unknown>): Promise<Phase> => {
      const cpu = cpuSeconds();
      const at = Date.now();
      await pool(ids, concurrency, (i) => retrying(() => start(i)));
      return { seconds: (Date.now() - at) / 1000, cpu: cpuSince(cpu, cpuSeconds()) };
    };
    const rounds: { noop: Phase; alone: Phase }[] = [];
    for (let round = 0; round < startRounds; round++) {
      const noop = await timed((i) => {
        const workflowId = `noop-${round}-${i}-${runTag}`;
        return client.workflow.executeUpdateWithStart(noopTrigger, {
          args: [{ i }],
          updateId: `noop-${i}`,
          startWorkflowOperation: new WithStartWorkflowOperation('noopLead', {
            workflowId,
            taskQueue: TASK_QUEUE,
            args: [],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      });
      const alone = await timed(() => quiet.ingestTrigger(handOff(uniqueLeadId()), new Date().toISOString()));
      rounds.push({ noop, alone });
    }

    // The start storm: every path's lead starts through the gateway, then the paths run (each waits until
    // every lead has started), while the breach paths' 2 s windows run out: breach lag under load.
    let startPhaseOver!: () => void;
    const allStarted = new Promise<void>((resolve) => (startPhaseOver = resolve));
    const leadIds = ids.map(() => uniqueLeadId());
    const runs: Promise<void>[] = [];
    const leadCpu = cpuSeconds();
    const transitionsBefore = observed.transitions;
    const startedAt = Date.now();
    await pool(ids, concurrency, async (i) => {
      const p = PATHS[i % PATHS.length]!;
      await new Promise<void>((resolve, reject) => {
        const run = runPath(client, observed, p, leadIds[i]!, resolve, allStarted);
        runs.push(run);
        run.catch(reject);
      });
    });
    const leadSeconds = (Date.now() - startedAt) / 1000;
    const leadCpuUsed = cpuSince(leadCpu, cpuSeconds());
    startPhaseOver();
    await Promise.all(runs);
    const lifecycleSeconds = (Date.now() - startedAt) / 1000;
    await sleep(1_000);

    const costs = new Map<DevPath, Cost[]>();
    for (const [i, leadId] of leadIds.entries()) {
      const p = PATHS[i % PATHS.length]!;
      if ((costs.get(p)?.length ?? 0) >= sample) continue;
      if (dump && !costs.has(p)) {
        const runs = await historiesOf(client, leadWorkflowId(leadId));
        fs.mkdirSync(dump, { recursive: true });
        fs.writeFileSync(path.join(dump, `${p}.txt`), runs.map((h) => billableEvents(h).join('\n')).join('\n-- continue-as-new\n') + '\n');
      }
      costs.set(p, [...(costs.get(p) ?? []), await workflowCost(client, leadWorkflowId(leadId))]);
    }
    return { rounds, leadSeconds, lifecycleSeconds, costs, leadCpuUsed, transitions: observed.transitions - transitionsBefore };
  });
  clearInterval(rssTimer);
  await env.teardown();
  return { ...result, leads, observed, peakRss };
}

/** Default policy, one engagement a week for 12 weeks and 6 more days, on the time-skipping server. */
async function nurtureRun(leadCount: number): Promise<Cost[]> {
  const env: TestWorkflowEnvironment = await timeSkippingEnv();
  const policy = testPolicy();
  const observed = new Observed();
  const worker = await bundledWorker(env, workflowsPath(), observed.activities);
  const costs = await worker.runUntil(async () => {
    const gateway = createLeadGateway({ client: env.client, taskQueue: TASK_QUEUE, namespace: 'default' }, policy);
    const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
    const ids = Array.from({ length: leadCount }, () => uniqueLeadId());
    for (const leadId of ids) {
      const at = await nowIso();
      const trigger = triggerSchema.parse({
        leadId,
        eventId: 'q',
        occurredAt: at,
        firmographics,
        activities: [{ type: 'whitepaper', occurredAt: at }],
      });
      const view = await gateway.ingestTrigger(trigger, at);
      if (view.stage !== 'NURTURE') throw new Error(`nurture lead is ${view.stage}, not NURTURE`);
    }
    for (let week = 1; week <= 12; week++) {
      await env.sleep('7d');
      for (const leadId of ids) {
        const at = await nowIso();
        await env.client.workflow.getHandle(leadWorkflowId(leadId)).signal(recordEngagement, {
          body: { eventId: `open-${week}`, type: 'email_open', occurredAt: at },
          receivedAt: at,
        });
      }
    }
    await env.sleep('6d');
    return Promise.all(ids.map((leadId) => workflowCost(env.client, leadWorkflowId(leadId))));
  });
  await env.teardown();
  return costs;
}

function mean(xs: (number | null)[]): number | null {
  return xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + x!, 0) / xs.length;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows
      .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
      .join('\n') + '\n'
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'per-path': { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '20' },
      sample: { type: 'string', default: '10' },
      'nurture-leads': { type: 'string', default: '1' },
      'start-rounds': { type: 'string', default: '3' },
      dump: { type: 'string' },
    },
  });
  const perPath = Number(values['per-path']);
  const concurrency = Number(values.concurrency);
  const dev = await devServerRun(perPath, concurrency, Number(values.sample), Number(values['start-rounds']), values.dump);
  const nurture = await nurtureRun(Number(values['nurture-leads']));

  const lags = [...dev.observed.breachLags].sort((a, b) => a - b);
  const noopSeconds = mean(dev.rounds.map((r) => r.noop.seconds))!;
  const aloneSeconds = mean(dev.rounds.map((r) => r.alone.seconds))!;
  const summary: string[][] = [
    ['figure', 'now', 'issue (today)', 'goal'],
    ['leads on the dev server (paths × per path)', String(dev.leads), '', ''],
    ['update calls retried after DEADLINE_EXCEEDED', String(retries), '', ''],
    ['start rounds (each: no-op starts, then as many lead starts alone)', String(dev.rounds.length), '', ''],
    ['no-op workflows started/s', (dev.leads / noopSeconds).toFixed(1), '', ''],
    ['leads started/s alone (update-with-start through the gateway)', (dev.leads / aloneSeconds).toFixed(1), '', ''],
    ['ratio lead/no-op (all rounds)', (noopSeconds / aloneSeconds).toFixed(2), '0.25–0.33', '≥ 0.6'],
    ['ratio lead/no-op per round', dev.rounds.map((r) => (r.noop.seconds / r.alone.seconds).toFixed(2)).join(' '), '', ''],
    ['leads started/s in the storm (the paths\' clocks running out meanwhile)', (dev.leads / dev.leadSeconds).toFixed(1), '', ''],
    ['ratio lead in the storm/no-op', (noopSeconds / dev.leadSeconds).toFixed(2), '', ''],
    ...(['server', 'bench'] as const).map((who) => [
      `${who === 'server' ? 'dev server' : 'bench process (worker + client)'} CPU ms per start: no-op / alone / storm`,
      [mean(dev.rounds.map((r) => r.noop.cpu[who])), mean(dev.rounds.map((r) => r.alone.cpu[who])), dev.leadCpuUsed[who]]
        .map((c) => (c === null ? 'n/a' : ((c * 1000) / dev.leads).toFixed(1)))
        .join(' / '),
      '',
      '',
    ]),
    ['lifecycle transitions (ledger rows of the paths\' leads)', String(dev.transitions), '', ''],
    [
      'lifecycle transitions/s (first start → last path ended)',
      (dev.transitions / dev.lifecycleSeconds).toFixed(1),
      '',
      '',
    ],
    ['breaches measured (SLA_BREACHED / ESCALATION_REPEATED rows)', String(lags.length), '', ''],
    [
      'breach lag p50 ms (deadline → its effects batch executed)',
      percentile(lags, 50).toFixed(0),
      '177 / 1500 burst',
      '',
    ],
    ['breach lag p99 ms', percentile(lags, 99).toFixed(0), '390 / 3100 burst', '< 1000'],
    ['breach lag max ms', percentile(lags, 100).toFixed(0), '', ''],
    ['process peak RSS MiB (worker + client + bench)', (dev.peakRss / 2 ** 20).toFixed(0), '', ''],
  ];
  const perPathCosts: [PathName, Cost, number][] = [
    ...PATHS.map((p): [PathName, Cost, number] => [p, meanCost(dev.costs.get(p) ?? []), dev.costs.get(p)?.length ?? 0]),
    ['nurture90d', meanCost(nurture), nurture.length],
  ];
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  const costRows: string[][] = [
    ['path (mean of n)', 'n', ...COST_KEYS, '$/1k leads', 'events today', 'actions today', 'actions goal'],
    ...perPathCosts.map(([p, c, n]) => [
      p,
      String(n),
      ...COST_KEYS.map((k) => fmt(c[k])),
      (c.actions * DOLLARS_PER_ACTION * 1000).toFixed(3),
      TODAY[p].events,
      TODAY[p].actions,
      TODAY[p].goal,
    ]),
  ];
  process.stdout.write(
    `\nbench:engine — dev server (in-memory SQLite), ${concurrency} concurrent clients, ${perPath} leads per path\n`,
  );
  process.stdout.write(table(summary));
  process.stdout.write(
    `\nbillable actions per lead, from real histories (Temporal Cloud rules in bench/engine/actions.ts; $50 per million actions)\n`,
  );
  process.stdout.write(table(costRows));
  process.stdout.write(
    'accept/breach2/cadence are counted when the path ended (the lead stays open in SAL); reject/cadence/decay end RECYCLED in a cool-off;\n' +
      'breach2: the default reminders, set on the Salesforce tasks; breach2engine: reminderDelivery engine, each reminder sent by the engine;\n' +
      'nurture90d: default policy, time-skipping server, 12 weekly email_open signals then 6 days.\n',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
