/**
 * Salesforce write-back benchmark: concurrent lead updates through the real activities and writer,
 * against the in-process Salesforce emulator, batched (sObject Collections) and unbatched, same run.
 *
 *   npm run bench:salesforce -- [--leads 1000] [--rounds 2] [--latency-ms 0]
 *
 * --leads: concurrent "workflows", one lead each; --rounds: sequential updates per workflow;
 * --latency-ms: latency the emulator adds to every data call (a real org answers in ~50-300 ms).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createSalesforceActivities } from '../src/activities/salesforce';
import type { LeadRecord } from '../src/domain/effects';
import type { Stage } from '../src/domain/model';
import { emulatorAuth } from '../src/salesforce/config';
import { connect } from '../src/salesforce/connection';
import { createSalesforceWriter } from '../src/salesforce/writer';
import { startEmulator, type Emulator } from '../tools/salesforce-emulator';

const API_VERSION = '62.0';
const STAGES: Stage[] = ['MQL', 'SAL', 'SQL', 'CONVERTED'];
const quiet = pino({ level: 'silent' });

type Result = {
  mode: string;
  updates: number;
  apiCalls: number;
  latenciesMs: number[];
  wallMs: number;
  landed: number;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '2' },
      'latency-ms': { type: 'string', default: '0' },
    },
  });
  const leads = positiveInt(values.leads, 'leads');
  const rounds = positiveInt(values.rounds, 'rounds');
  const latencyMs = positiveInt(values['latency-ms'], 'latency-ms', 0);

  const emulator = await startEmulator({ port: 0, logger: quiet, dailyApiLimit: 100_000_000 });
  try {
    const leadIds = await createLeads(emulator, leads);
    emulator.setFaults(latencyMs > 0 ? { latencyMs } : {});
    const results = [
      await run(emulator, leadIds, rounds, 'batched', true),
      await run(emulator, leadIds, rounds, 'unbatched', false),
    ];
    print(results, { leads, rounds, latencyMs });
  } finally {
    await emulator.close();
  }
}

async function run(emulator: Emulator, leadIds: string[], rounds: number, mode: string, batched: boolean): Promise<Result> {
  const conn = await connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet });
  const writer = createSalesforceWriter({ connection: conn, logger: quiet, ...(batched ? {} : { batch: false }) });
  const activities = createSalesforceActivities({ salesforce: writer, logger: quiet });
  const stageOf = (round: number): Stage => STAGES[round % STAGES.length] ?? 'MQL';
  const latenciesMs: number[] = [];
  const callsBefore = emulator.apiCalls();
  const started = performance.now();

  await Promise.all(
    leadIds.map(async (leadId) => {
      for (let round = 0; round < rounds; round++) {
        const lead = leadRecord(leadId, mode, stageOf(round), round);
        const t0 = performance.now();
        await activities.syncLead({ id: `lead-${leadId}:bench-${mode}:${round}`, lead });
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );

  const wallMs = performance.now() - started;
  const apiCalls = emulator.apiCalls() - callsBefore;
  await writer.close();
  const finalStage = stageOf(rounds - 1);
  const ids = new Set(leadIds);
  const landed = emulator
    .records('Lead')
    .filter((r) => ids.has(String(r.Id)) && r.Handoff_Stage__c === finalStage && r.Contact_Attempts__c === rounds - 1 && r.Handoff_Workflow_Id__c === `bench-${mode}`).length;
  return { mode, updates: leadIds.length * rounds, apiCalls, latenciesMs, wallMs, landed };
}

function leadRecord(leadId: string, mode: string, stage: Stage, round: number): LeadRecord {
  return {
    leadId,
    workflowId: `bench-${mode}`,
    stage,
    kind: 'MQL',
    ownerId: '005000000000002AAA',
    fitScore: 70,
    intentScore: 40 - round,
    slaDueAt: '2026-11-02T17:00:00.000Z',
    slaStatus: 'ON_TRACK',
    firstTouchAt: null,
    slaBreaches: 0,
    contactAttempts: round,
    recycleReason: null,
    recycleNotes: null,
  };
}

async function createLeads(emulator: Emulator, count: number): Promise<string[]> {
  const conn = await connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet });
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const records = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({ LastName: `Bench ${start + i}`, Company: 'Bench Co' }));
    for (const r of await conn.sobject('Lead').create(records, { allOrNone: true })) {
      if (!r.success || !r.id) throw new Error(`could not create a lead: ${JSON.stringify(r)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function print(results: Result[], setup: { leads: number; rounds: number; latencyMs: number }): void {
  const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const header = ['mode', 'lead updates', 'API calls', 'calls / 1,000 updates', 'p50 ms', 'p99 ms', 'max ms', 'wall s', 'updates/s', 'landed'];
  const rows = results.map((r) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    return [
      r.mode,
      fmt(r.updates, 0),
      fmt(r.apiCalls, 0),
      fmt((r.apiCalls / r.updates) * 1000),
      fmt(percentile(sorted, 50)),
      fmt(percentile(sorted, 99)),
      fmt(sorted.at(-1) ?? NaN),
      fmt(r.wallMs / 1000, 2),
      fmt(r.updates / (r.wallMs / 1000), 0),
      `${fmt(r.landed, 0)}/${fmt(r.updates / setup.rounds, 0)}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');

  console.log('Salesforce write-back benchmark, against the in-process Salesforce emulator (not a real org)');
  console.log(
    `${fmt(setup.leads, 0)} leads = ${fmt(setup.leads, 0)} concurrent workflows, ${setup.rounds} sequential updates each, ` +
      `emulated latency ${setup.latencyMs} ms per API call; node ${process.version}`,
  );
  console.log('API calls = data API calls the emulator counted against the daily allocation (token requests excluded);');
  console.log('latency = one syncLead activity call, batching delay included; landed = leads whose final values are in the org.\n');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function positiveInt(raw: string | undefined, name: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
