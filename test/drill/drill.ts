/**
 * The crash drill: seconds-SLA leads across the lifecycle's paths on a real dev server, a real
 * worker process SIGKILLed mid-run several times and restarted, then, for every lead, the ledger
 * rows compared with the rows in the workflow's committed history (the input of every scheduled
 * `applyEffects`, across all runs of the workflow), and the Salesforce emulator's Lead and Tasks
 * compared with the Salesforce writes of the batches history says landed (salesforce-record.ts).
 * The worker writes through the real writer, jsforce over HTTP. Used by test/drill/crash.test.ts
 * (small) and scripts/drill-crash.ts (`npm run drill:crash`, full size).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { Client as PgClient } from 'pg';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import type { AuditEvent, SalesforceEffect } from '../../src/domain/effects';
import type { Policy } from '../../src/domain/policy';
import { toId18 } from '../../src/domain/salesforce-id';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { emulatorSeedFromPolicy } from '../../src/salesforce/policy-owners';
import type { BatchResult, EffectBatch } from '../../src/workflows/outbox';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { acceptLead, logContactAttempt, rejectLead } from '../../src/workflows/messages';
import { hotFirmographics, sendTrigger } from '../helpers/leads';
import { ORG } from '../helpers/owners';
import { testPolicy } from '../helpers/policy';
import { pool } from '../helpers/measure';
import { workflowBundlerOptions, workflowsPath } from '../../src/worker/workflow-bundle';
import { freePort } from '../helpers/ports';
import { connectTo, createLeads } from '../salesforce/harness';
import { compareSalesforce, expectedSalesforce } from './salesforce-record';

export type DrillMode = 'effects-batch' | 'local-append';

export type DrillOptions = {
  databaseUrl: string;
  leads: number;
  /** Timed SIGKILLs of the worker, each 2–4 s after the previous worker became ready. */
  kills: number;
  /** Besides the timed kills, this many workers SIGKILL themselves right after a ledger write. */
  writeCrashes?: number;
  mode?: DrillMode;
  /** How long to wait for every lead to go idle after the last kill. */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
};

export type Difference = { leadId: string; id: string; what: string };

export type DrillResult = {
  mode: DrillMode;
  leads: number;
  paths: Record<string, number>;
  timedKills: number;
  crashesAtWrite: number;
  workerStarts: number;
  ledgerRows: number;
  historyRows: number;
  /** Salesforce records compared: the leads' Lead records and their Tasks. */
  salesforceLeads: number;
  salesforceTasks: number;
  differences: Difference[];
  leadsDiffering: number;
  refusedActions: number;
  runs: number;
  perLead: { historyEvents: Stats; billableActions: Stats; ledgerRows: Stats };
  perPath: Record<string, { historyEvents: number; billableActions: number }>;
  elapsedMs: number;
};

type Stats = { mean: number; min: number; max: number };

/** The team's own rep, in the 15-character form an org hands out (the engine keys it by the 18). */
const OWNER = ORG.rep15;
const PATHS = ['accept', 'breach-twice', 'reject', 'mql-breach', 'cadence'] as const;
type LeadPath = (typeof PATHS)[number];

/**
 * Windows of seconds on the 24/7 calendar: two breaches and a spaced cadence within a drill, with the
 * default policy's reminders (set on the Salesforce tasks, so no engine step of their own). The
 * team's own manager and queue (lower-case letters, the queue in 15 characters).
 */
export function drillPolicy(): Policy {
  return testPolicy({
    teams: [{ id: 'na', calendar: 'always', fallbackOwnerId: ORG.naQueue15, managerId: ORG.naManager }],
    version: 'drill-1',
    sla: {
      firstTouch: {
        HAND_RAISE: { within: '3s', clock: 'calendar' },
        PQL: { within: '3s', clock: 'calendar' },
        MQL: { within: '2s', clock: 'calendar' },
      },
      reminders: [0.5],
      escalation: {
        steps: [{ reassignTo: 'fallback', notify: 'manager', within: { within: '2s', clock: 'calendar' } }],
        repeatEvery: { within: '1h', clock: 'calendar' },
      },
    },
    cadence: {
      touches: 3,
      minChannels: 2,
      within: { within: '10m', clock: 'calendar' },
      minSpacing: { within: '1s', clock: 'calendar' },
      waitAfterLastTouch: { within: '2s', clock: 'calendar' },
    },
  });
}

/** A free port p whose p + 1000 (the dev server's UI) is free too. */
async function devServerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port + 1000 > 65535) continue;
    const ui = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port + 1000, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ui) return port;
  }
  throw new Error('no free port pair for the dev server');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The worker child process; `exited` resolves with the signal that ended it. */
type Child = { proc: ChildProcess; ready: Promise<void>; exited: Promise<NodeJS.Signals | null>; stderr: string[] };

function spawnWorker(env: NodeJS.ProcessEnv, logFile: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-child.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    fs.appendFileSync(logFile, chunk);
    if (stderr.length > 40) stderr.shift();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((signal) =>
      reject(new Error(`worker exited before ready (${signal ?? 'no signal'}): ${stderr.join('').slice(-2000)}`)),
    );
  });
  ready.catch(() => undefined);
  return { proc, ready, exited, stderr };
}

/**
 * What the workflow's committed history sent, over all its runs: the ledger part of every scheduled
 * applyEffects, and the Salesforce writes of every batch that completed, in order, less those its
 * result reports as not landed.
 */
export async function committedHistory(
  client: Client,
  workflowId: string,
): Promise<{ rows: AuditEvent[]; landed: SalesforceEffect[]; events: number; actions: number; runs: number; conflicts: Difference[] }> {
  const rows = new Map<string, AuditEvent>();
  const conflicts: Difference[] = [];
  const runsLanded: SalesforceEffect[][] = [];
  let events = 0;
  let actions = 0;
  let runs = 0;
  const T = temporal.api.enums.v1.EventType;
  let runId: string | undefined = undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs += 1;
    let previous: string | undefined;
    const batches = new Map<string, EffectBatch>();
    const landed: SalesforceEffect[] = [];
    for (const event of history.events ?? []) {
      events += 1;
      actions += billable(event);
      if (event.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        previous = event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      }
      const completed = event.activityTaskCompletedEventAttributes;
      const batch = completed ? batches.get(String(completed.scheduledEventId)) : undefined;
      if (event.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && batch) {
        const result = defaultPayloadConverter.fromPayload<BatchResult>(completed!.result!.payloads![0]!);
        const failed = new Set(result.failed.map((f) => f.effectId));
        landed.push(...batch.salesforce.filter((e) => !failed.has(e.id)));
      }
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (event.eventType !== T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || scheduled?.activityType?.name !== 'applyEffects')
        continue;
      const sent = defaultPayloadConverter.fromPayload<EffectBatch>(scheduled.input!.payloads![0]!);
      batches.set(String(event.eventId), sent);
      for (const row of sent.ledger) {
        const seen = rows.get(row.id);
        if (seen && canonical(seen) !== canonical(row))
          conflicts.push({ leadId: row.leadId, id: row.id, what: 'history sends two rows under one id' });
        if (!seen) rows.set(row.id, row);
      }
    }
    runsLanded.unshift(landed);
    if (!previous) break;
    runId = previous;
  }
  return { rows: [...rows.values()], landed: runsLanded.flat(), events, actions, runs, conflicts };
}

/**
 * Temporal Cloud actions visible in history: the start, each activity scheduled and each retry,
 * timers, signals, updates accepted, search-attribute upserts, markers (local activities),
 * continue-as-new.
 */
function billable(event: temporal.api.history.v1.IHistoryEvent): number {
  const T = temporal.api.enums.v1.EventType;
  switch (event.eventType) {
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
    case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
    case T.EVENT_TYPE_TIMER_STARTED:
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
    case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
    case T.EVENT_TYPE_MARKER_RECORDED:
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return 1;
    case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
      return Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
    default:
      return 0;
  }
}

/** JSON with sorted keys and instants normalized, so a jsonb round trip compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const COMPARED = ['leadId', 'workflowId', 'type', 'at', 'actor', 'cycle', 'policyVersion', 'detail', 'lead'] as const;

/** Every difference between a lead's ledger rows and its committed rows, by id. */
export function compareRows(leadId: string, ledger: AuditEvent[], history: AuditEvent[]): Difference[] {
  const differences: Difference[] = [];
  const byId = new Map(history.map((r) => [r.id, r]));
  const inLedger = new Set<string>();
  for (const row of ledger) {
    inLedger.add(row.id);
    const committed = byId.get(row.id);
    if (!committed) {
      differences.push({ leadId, id: row.id, what: `in the ledger, never committed: ${row.type} at ${row.at}` });
      continue;
    }
    for (const field of COMPARED) {
      const a = field === 'at' ? new Date(row.at).toISOString() : canonical(row[field] ?? null);
      const b = field === 'at' ? new Date(committed.at).toISOString() : canonical(committed[field] ?? null);
      if (a !== b)
        differences.push({
          leadId,
          id: row.id,
          what: `${field}: ledger ${a.slice(0, 120)} ≠ history ${b.slice(0, 120)}`,
        });
    }
  }
  for (const row of history) {
    if (!inLedger.has(row.id))
      differences.push({ leadId, id: row.id, what: `committed, missing from the ledger: ${row.type} at ${row.at}` });
  }
  return differences;
}

function stats(values: number[]): Stats {
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const mode = options.mode ?? 'effects-batch';
  const policy = drillPolicy();
  const run = crypto
    .randomBytes(3)
    .toString('hex')
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '0');
  const schema = `drill_${run.toLowerCase()}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-drill-'));
  const silent = pino({ level: 'silent' });
  const taskQueue = `drill-${run}`;
  const workerLog = path.join(os.tmpdir(), `handoff-drill-${run}.log`);
  log(`worker stderr, if any: ${workerLog}`);

  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    ...workflowBundlerOptions,
    workflowInterceptorModules: mode === 'local-append' ? [path.join(__dirname, 'old-append-interceptor.ts')] : [],
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(bundlePath, code);

  let server: DevServer | undefined;
  let emulator: Emulator | undefined;
  let connection: Connection | undefined;
  let ledger: Ledger | undefined;
  let child: Child | undefined;
  let stopping = false;
  try {
    ledger = await createLedger({ databaseUrl: options.databaseUrl, schema, logger: silent });
    // The org: the policy's manager and queue, the rep, and one Lead per drill lead (its id, half of
    // them in the 15-character form, is what the drill hands to the engine).
    const seed = emulatorSeedFromPolicy(policy);
    emulator = await startEmulator({
      port: 0,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      dailyApiLimit: 100_000_000,
      seed: { ...seed, users: [...seed.users, { Id: toId18(OWNER)!, LastName: 'Drill rep' }] },
    });
    const orgLeads = await createLeads(await connectTo(emulator), options.leads);
    server = await startDevServer({ port: await devServerPort(), dataDir, namespace: 'default', logger: silent });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const baseEnv = {
      DRILL_MODE: mode,
      DRILL_DATABASE_URL: options.databaseUrl,
      DRILL_SCHEMA: schema,
      DRILL_POLICY: JSON.stringify(policy),
      DRILL_TEMPORAL_ADDRESS: server.address,
      DRILL_TASK_QUEUE: taskQueue,
      DRILL_WORKFLOW_BUNDLE: bundlePath,
      DRILL_SALESFORCE_URL: emulator.url,
    };

    // The worker supervisor: a timed SIGKILL 2–4 s after each worker is ready, `kills` times, and
    // `writeCrashes` workers that SIGKILL themselves right after a ledger write (their 1st–8th);
    // a worker that dies is restarted at once. The last one runs without crash points.
    let timedKills = 0;
    let crashesAtWrite = 0;
    let workerStarts = 0;
    const writeCrashes = options.writeCrashes ?? 0;
    const startWorker = async (): Promise<void> => {
      while (!stopping) {
        if (workerStarts > (options.kills + writeCrashes) * 3 + 10)
          throw new Error('the drill worker keeps failing to start');
        const crashing = workerStarts > 0 && crashesAtWrite < writeCrashes;
        workerStarts += 1;
        const current = spawnWorker(
          { ...baseEnv, DRILL_CRASH_AFTER_WRITES: String(crashing ? 1 + Math.floor(Math.random() * 8) : 0) },
          workerLog,
        );
        child = current;
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        void current.ready.then(
          () => {
            if (timedKills >= options.kills) return;
            timer = setTimeout(
              () => {
                timedOut = true;
                timedKills += 1;
                log(`SIGKILL worker ${current.proc.pid} (${timedKills}/${options.kills})`);
                current.proc.kill('SIGKILL');
              },
              2_000 + Math.random() * 2_000,
            );
          },
          (err: Error) => log(err.message),
        );
        const signal = await current.exited;
        clearTimeout(timer);
        if (stopping) return;
        if (signal === 'SIGKILL' && !timedOut && crashing) {
          crashesAtWrite += 1;
          log(`worker ${current.proc.pid} died at a ledger write (${crashesAtWrite}/${writeCrashes})`);
        } else if (!timedOut) log(`worker exited (${signal ?? 'exit code'}): ${current.stderr.join('').slice(-1500)}`);
      }
    };
    const supervisor = startWorker();
    supervisor.catch(() => undefined);
    await child!.ready;

    const leadIds = orgLeads.map((id, i) => (i % 2 === 0 ? id.slice(0, 15) : id));
    const pathOf = (i: number): LeadPath => PATHS[i % PATHS.length]!;
    let refusedActions = 0;
    const startWindowMs = Math.max(4_000, options.kills * 3_000);
    await Promise.all(
      leadIds.map(async (leadId, i) => {
        await sleep(Math.random() * startWindowMs);
        refusedActions += await drive(client, policy, taskQueue, leadId, pathOf(i), log);
      }),
    );
    log(`all ${leadIds.length} leads driven; ${refusedActions} actions refused`);
    const killDeadline = Date.now() + (options.kills + writeCrashes) * 15_000 + 30_000;
    while ((timedKills < options.kills || crashesAtWrite < writeCrashes) && Date.now() < killDeadline) await sleep(250);

    const settled = await waitIdle(client, leadIds.map(leadWorkflow), options.settleTimeoutMs ?? 180_000, log);
    if (!settled.ok)
      throw new Error(`leads still busy after the settle timeout: ${settled.busy.slice(0, 10).join(', ')}`);
    stopping = true;
    child?.proc.kill('SIGTERM');
    const stopTimer = setTimeout(() => child?.proc.kill('SIGKILL'), 15_000);
    await child?.exited;
    clearTimeout(stopTimer);
    await supervisor;

    const differences: Difference[] = [];
    const leadsDiffering = new Set<string>();
    let ledgerRows = 0;
    let historyRows = 0;
    let salesforceTasks = 0;
    const orgTasks = emulator.records('Task');
    const orgLeadsById = new Map(emulator.records('Lead').map((r) => [String(r.Id), r]));
    let runs = 0;
    const perLeadEvents: number[] = [];
    const perLeadActions: number[] = [];
    const perLeadRows: number[] = [];
    const perPath: Record<string, { events: number[]; actions: number[] }> = {};
    await pool(leadIds, 8, async (leadId) => {
      const id18 = toId18(leadId)!;
      const committed = await committedHistory(client, leadWorkflow(leadId));
      const rows = await ledger!.events(id18);
      const tasks = orgTasks.filter((t) => t.WhoId === id18);
      salesforceTasks += tasks.length;
      const diff = [
        ...committed.conflicts,
        ...compareRows(id18, rows, committed.rows),
        ...compareSalesforce(id18, expectedSalesforce(committed.landed), orgLeadsById.get(id18), tasks),
      ];
      differences.push(...diff);
      if (diff.length > 0) leadsDiffering.add(id18);
      ledgerRows += rows.length;
      historyRows += committed.rows.length;
      runs += committed.runs;
      perLeadEvents.push(committed.events);
      perLeadActions.push(committed.actions);
      perLeadRows.push(rows.length);
      const p = (perPath[pathOf(leadIds.indexOf(leadId))] ??= { events: [], actions: [] });
      p.events.push(committed.events);
      p.actions.push(committed.actions);
    });
    return {
      mode,
      leads: leadIds.length,
      paths: Object.fromEntries(PATHS.map((p) => [p, leadIds.filter((_, i) => pathOf(i) === p).length])),
      timedKills,
      crashesAtWrite,
      workerStarts,
      ledgerRows,
      historyRows,
      salesforceLeads: leadIds.length,
      salesforceTasks,
      differences,
      leadsDiffering: leadsDiffering.size,
      refusedActions,
      runs,
      perLead: {
        historyEvents: stats(perLeadEvents),
        billableActions: stats(perLeadActions),
        ledgerRows: stats(perLeadRows),
      },
      perPath: Object.fromEntries(
        Object.entries(perPath).map(([p, v]) => [
          p,
          { historyEvents: stats(v.events).mean, billableActions: stats(v.actions).mean },
        ]),
      ),
      elapsedMs: Date.now() - started,
    };
  } finally {
    stopping = true;
    child?.proc.kill('SIGKILL');
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await dropSchema(options.databaseUrl, schema).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const leadWorkflow = (leadId: string) => `lead-${toId18(leadId)}`;

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  try {
    await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await pg.end();
  }
}

/**
 * One lead's script. Every call is retried until it answers (a worker may be dead for seconds),
 * under a fixed update id, so a retry is the same request. A refusal (the clock moved on while
 * the worker was down) is counted, not fatal: the drill is about what reached the ledger.
 */
async function drive(
  client: Client,
  policy: Policy,
  taskQueue: string,
  leadId: string,
  p: LeadPath,
  log: (l: string) => void,
): Promise<number> {
  const occurredAt = new Date().toISOString();
  const activities =
    p === 'mql-breach'
      ? [
          { type: 'webinar', occurredAt },
          { type: 'whitepaper', occurredAt },
          { type: 'pricing_visit', occurredAt },
        ]
      : [{ type: 'demo_request', occurredAt }];
  const { handle } = await retry(`${leadId} trigger`, log, () =>
    sendTrigger(
      client,
      policy,
      { leadId, eventId: `q-${leadId}`, occurredAt, ownerId: OWNER, firmographics: hotFirmographics, activities },
      taskQueue,
    ),
  );
  let refused = 0;
  const update = async (name: string, fn: (h: WorkflowHandle) => Promise<unknown>) => {
    try {
      await retry(`${leadId} ${name}`, log, () => fn(handle));
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      refused += 1;
    }
  };
  const rep = { repId: OWNER };
  switch (p) {
    case 'accept':
      await sleep(500);
      await update('accept', (h) => h.executeUpdate(acceptLead, { args: [{ body: rep }], updateId: 'accept' }));
      await update('contact', (h) =>
        h.executeUpdate(logContactAttempt, {
          args: [{ body: { ...rep, channel: 'call', outcome: 'connected' } }],
          updateId: 'contact',
        }),
      );
      break;
    case 'reject':
      await sleep(800);
      await update('reject', (h) =>
        h.executeUpdate(rejectLead, { args: [{ body: { ...rep, reason: 'NO_BUDGET' } }], updateId: 'reject' }),
      );
      break;
    case 'cadence': {
      await sleep(300);
      await update('accept', (h) => h.executeUpdate(acceptLead, { args: [{ body: rep }], updateId: 'accept' }));
      const channels = ['call', 'email', 'call'] as const;
      for (const [n, channel] of channels.entries()) {
        await sleep(1_200);
        await update(`touch-${n}`, (h) =>
          h.executeUpdate(logContactAttempt, {
            args: [{ body: { ...rep, channel, outcome: 'no_answer' } }],
            updateId: `touch-${n}`,
          }),
        );
      }
      break;
    }
    case 'breach-twice':
    case 'mql-breach':
      break;
  }
  return refused;
}

/** Retries until an answer, for at most 3 minutes: a killed worker's workflow task waits out its 10 s timeout first. */
async function retry<T>(what: string, log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError || Date.now() > deadline) throw err;
      if (attempt % 10 === 0) log(`${what}: attempt ${attempt} failed: ${(err as Error).message}`);
      await sleep(1_000);
    }
  }
}

/**
 * Idle: every lead's workflow has no activity pending and no workflow task pending, and its
 * history did not grow between two looks a few seconds apart (the policy leaves no deadline
 * within the hour once a path is done).
 */
async function waitIdle(
  client: Client,
  workflowIds: string[],
  timeoutMs: number,
  log: (l: string) => void,
): Promise<{ ok: true } | { ok: false; busy: string[] }> {
  const deadline = Date.now() + timeoutMs;
  let last = new Map<string, string>();
  let busy: string[] = workflowIds;
  while (Date.now() < deadline) {
    const now = new Map<string, string>();
    busy = [];
    await pool(workflowIds, 8, async (id) => {
      const { raw, status } = await client.workflow.getHandle(id).describe();
      const key = `${status.name}:${raw.workflowExecutionInfo?.historyLength?.toString()}`;
      now.set(id, key);
      const pending = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null;
      if (pending || last.get(id) !== key) busy.push(id);
    });
    if (busy.length === 0) return { ok: true };
    log(`${busy.length} leads still busy`);
    last = now;
    await sleep(3_000);
  }
  return { ok: false, busy };
}
