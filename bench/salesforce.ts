/**
 * Salesforce write-back benchmark: lead updates arriving at real rates (Poisson), through the writer and
 * jsforce over HTTP, against the in-process Salesforce emulator, with the default batch windows.
 *
 *   npm run bench:salesforce -- [--rates 1,10,100] [--seconds 40] [--critical-every-s 5] [--burst 1000] [--latency-ms 0] [--seed 7]
 *
 * --rates: lead writes per second, one run each (Poisson arrivals, normal priority);
 * --seconds: length of each run (writes = rate x seconds; figures are normalized per 1,000);
 * --critical-every-s: alongside the lead writes, one critical write (an escalation task) on average this often;
 * --burst: the old figure, N lead writes at one instant (0 to skip);
 * --latency-ms: latency the emulator adds to every data call (a real org answers in ~50-300 ms).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { HandoffTask, LeadRecord } from '../src/domain/effects';
import { DEFAULT_BATCH_OPTIONS } from '../src/salesforce/batcher';
import { emulatorAuth } from '../src/salesforce/config';
import { connect } from '../src/salesforce/connection';
import { createSalesforceWriter, type SalesforceWriter } from '../src/salesforce/writer';
import { startEmulator, type Emulator } from '../tools/salesforce-emulator';
import { percentile } from '../test/helpers/measure';
import { prng } from './audit-data';

const API_VERSION = '62.0';
const REP_ID = '005000000000002AAA';
const LEAD_POOL = 2_000;
const quiet = pino({ level: 'silent' });

type Run = {
  name: string;
  seconds: number;
  leadWrites: number;
  leadCalls: number;
  leadLatencies: number[];
  criticalWrites: number;
  criticalCalls: number;
  criticalLatencies: number[];
  landed: number;
  leadsWritten: number;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '1,10,100' },
      seconds: { type: 'string', default: '40' },
      'critical-every-s': { type: 'string', default: '5' },
      burst: { type: 'string', default: '1000' },
      'latency-ms': { type: 'string', default: '0' },
      seed: { type: 'string', default: '7' },
    },
  });
  const rates = (values.rates ?? '').split(',').map((r) => positiveNumber(r, 'rates'));
  const seconds = positiveNumber(values.seconds, 'seconds');
  const criticalEveryS = positiveNumber(values['critical-every-s'], 'critical-every-s');
  const burst = integer(values.burst, 'burst', 0);
  const latencyMs = integer(values['latency-ms'], 'latency-ms', 0);
  const random = prng(integer(values.seed, 'seed', 0));

  const emulator = await startEmulator({ port: 0, logger: quiet, dailyApiLimit: 100_000_000 });
  try {
    const conn = await connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet });
    const leadIds = await createLeads(emulator, Math.max(LEAD_POOL, burst));
    emulator.setFaults(latencyMs > 0 ? { latencyMs } : {});
    const runs: Run[] = [];
    for (const rate of rates) {
      const writer = createSalesforceWriter({ connection: conn, logger: quiet });
      runs.push(await poisson(emulator, writer, leadIds, { rate, seconds, criticalRate: 1 / criticalEveryS, random }));
      await writer.close();
    }
    if (burst > 0) {
      const writer = createSalesforceWriter({ connection: conn, logger: quiet });
      runs.push(await atOnce(emulator, writer, leadIds.slice(0, burst)));
      await writer.close();
    }
    print(runs, { latencyMs, criticalEveryS });
  } finally {
    await emulator.close();
  }
}

/** Lead writes (normal) at `rate`/s and escalation tasks (critical) at `criticalRate`/s, both Poisson. */
async function poisson(
  emulator: Emulator,
  writer: SalesforceWriter,
  leadIds: string[],
  options: { rate: number; seconds: number; criticalRate: number; random: () => number },
): Promise<Run> {
  const { rate, seconds, criticalRate, random } = options;
  const arrivals = (perSecond: number) => {
    const times: number[] = [];
    for (let t = exponential(random, perSecond); t < seconds * 1000; t += exponential(random, perSecond)) times.push(t);
    return times;
  };
  const events = [
    ...arrivals(rate).map((at) => ({ at, critical: false })),
    ...arrivals(criticalRate).map((at) => ({ at, critical: true })),
  ].sort((a, b) => a.at - b.at);

  const since = new Date().toISOString();
  const countedBefore = emulator.apiCalls();
  const leadLatencies: number[] = [];
  const criticalLatencies: number[] = [];
  const last = new Map<string, number>();
  const pending: Array<Promise<unknown>> = [];
  const started = performance.now();
  let leadWrites = 0;
  let criticalWrites = 0;
  for (const event of events) {
    const wait = started + event.at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    if (event.critical) {
      const leadId = leadIds[criticalWrites % leadIds.length] ?? '';
      const task = escalation(leadId, `bench-${rate}:esc-${criticalWrites++}`);
      pending.push(
        writer.upsertTask(task, { priority: 'critical' }).then(() => criticalLatencies.push(performance.now() - t0)),
      );
    } else {
      const leadId = leadIds[leadWrites % Math.min(LEAD_POOL, leadIds.length)] ?? '';
      const attempts = leadWrites++;
      last.set(leadId, attempts);
      pending.push(
        writer
          .updateLead(leadRecord(leadId, `bench-${rate}`, attempts))
          .then(() => leadLatencies.push(performance.now() - t0)),
      );
    }
  }
  await Promise.all(pending);
  const calls = callsSince(emulator, since, countedBefore);
  return {
    name: `${rate} lead write${rate === 1 ? '' : 's'}/s`,
    seconds,
    leadWrites,
    leadCalls: calls.lead,
    leadLatencies,
    criticalWrites,
    criticalCalls: calls.task,
    criticalLatencies,
    landed: landed(emulator, last, `bench-${rate}`),
    leadsWritten: last.size,
  };
}

/** The old figure: every write at the same instant. */
async function atOnce(emulator: Emulator, writer: SalesforceWriter, leadIds: string[]): Promise<Run> {
  const since = new Date().toISOString();
  const countedBefore = emulator.apiCalls();
  const leadLatencies: number[] = [];
  const last = new Map(leadIds.map((id, i) => [id, i]));
  await Promise.all(
    leadIds.map((leadId, i) => {
      const t0 = performance.now();
      return writer
        .updateLead(leadRecord(leadId, 'bench-burst', i))
        .then(() => leadLatencies.push(performance.now() - t0));
    }),
  );
  const calls = callsSince(emulator, since, countedBefore);
  return {
    name: `burst (${leadIds.length} at once)`,
    seconds: 0,
    leadWrites: leadIds.length,
    leadCalls: calls.lead,
    leadLatencies,
    criticalWrites: 0,
    criticalCalls: calls.task,
    criticalLatencies: [],
    landed: landed(emulator, last, 'bench-burst'),
    leadsWritten: last.size,
  };
}

/**
 * Collections calls the emulator logged since `since`, by what they wrote; checked against the calls
 * it counted against the allocation (its request log keeps the last 1,000 requests).
 */
function callsSince(emulator: Emulator, since: string, countedBefore: number): { lead: number; task: number } {
  const data = emulator.requestLog().filter((e) => e.kind === 'data' && e.at >= since);
  if (data.length !== emulator.apiCalls() - countedBefore)
    throw new Error('the emulator request log overflowed: use a shorter run');
  const writes = data.filter((e) => e.method === 'PATCH');
  return {
    lead: writes.filter((e) => e.path.endsWith('/composite/sobjects')).length,
    task: writes.filter((e) => e.path.includes('/composite/sobjects/Task/')).length,
  };
}

function landed(emulator: Emulator, last: Map<string, number>, workflowId: string): number {
  return emulator
    .records('Lead')
    .filter((r) => r.Handoff_Workflow_Id__c === workflowId && last.get(String(r.Id)) === r.Contact_Attempts__c).length;
}

function leadRecord(leadId: string, workflowId: string, contactAttempts: number): LeadRecord {
  return {
    leadId,
    workflowId,
    stage: 'MQL',
    kind: 'MQL',
    ownerId: REP_ID,
    fitScore: 70,
    intentScore: 40,
    slaDueAt: '2026-11-02T17:00:00.000Z',
    slaStatus: 'ON_TRACK',
    firstTouchAt: null,
    slaBreaches: 0,
    contactAttempts,
    recycleReason: null,
    recycleNotes: null,
  };
}

function escalation(leadId: string, externalId: string): HandoffTask {
  return {
    externalId,
    leadId,
    kind: 'ESCALATION',
    ownerId: '005000000000001AAA',
    subject: 'SLA breached: lead not touched in time',
    description: 'Escalated to you as the team manager.',
    dueAt: null,
    reminderAt: null,
    priority: 'High',
    packet: null,
  };
}

async function createLeads(emulator: Emulator, count: number): Promise<string[]> {
  const conn = await connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet });
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const records = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({
      LastName: `Bench ${start + i}`,
      Company: 'Bench Co',
    }));
    for (const r of await conn.sobject('Lead').create(records, { allOrNone: true })) {
      if (!r.success || !r.id) throw new Error(`could not create a lead: ${JSON.stringify(r)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

function exponential(random: () => number, perSecond: number): number {
  return (-Math.log(1 - random()) / perSecond) * 1000;
}

function print(runs: Run[], setup: { latencyMs: number; criticalEveryS: number }): void {
  const fmt = (n: number, digits = 1) =>
    Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const header = [
    'arrivals',
    'lead writes',
    'lead calls',
    'calls / 1,000',
    'normal p50 ms',
    'normal p99 ms',
    'critical writes',
    'critical calls',
    'critical p50 ms',
    'critical p99 ms',
    'critical max ms',
    'landed',
  ];
  const rows = runs.map((r) => {
    const lead = [...r.leadLatencies].sort((a, b) => a - b);
    const critical = [...r.criticalLatencies].sort((a, b) => a - b);
    return [
      r.name,
      fmt(r.leadWrites, 0),
      fmt(r.leadCalls, 0),
      fmt((r.leadCalls / r.leadWrites) * 1000),
      fmt(percentile(lead, 50), 0),
      fmt(percentile(lead, 99), 0),
      fmt(r.criticalWrites, 0),
      fmt(r.criticalCalls, 0),
      fmt(percentile(critical, 50), 0),
      fmt(percentile(critical, 99), 0),
      fmt(critical.at(-1) ?? NaN, 0),
      `${fmt(r.landed, 0)}/${fmt(r.leadsWritten, 0)}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const o = DEFAULT_BATCH_OPTIONS;

  console.log(
    'Salesforce write-back benchmark, against the in-process Salesforce emulator (not a real org), through jsforce over HTTP',
  );
  console.log(
    `windows: critical ${o.criticalWindowMs} ms, normal ${o.normalWindowMs} ms (below ${o.minRemainingApiCalls} calls left: ` +
      `${o.lowAllocationCriticalWindowMs} / ${o.lowAllocationNormalWindowMs} ms), ${o.maxBatchSize} records a call at most; ` +
      `emulated latency ${setup.latencyMs} ms per call; node ${process.version}`,
  );
  console.log(
    `Poisson arrivals of lead writes (normal) at each rate, with one escalation task (critical) every ${setup.criticalEveryS} s on average;`,
  );
  console.log(
    'calls / 1,000 = lead Collections calls per 1,000 lead writes (the sample size is the "lead writes" column);',
  );
  console.log('latency = call -> resolved; landed = leads whose last written values are in the org.\n');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function positiveNumber(raw: string | undefined, name: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

function integer(raw: string | undefined, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
