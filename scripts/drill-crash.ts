/**
 * `npm run drill:crash -- [--leads 400] [--kills 5] [--write-crashes 5] [--mode effects-batch|local-append]`
 * The full-size crash drill (test/drill/drill.ts): seconds-SLA leads on a real dev server, the
 * worker process SIGKILLed and restarted, then every lead's ledger rows and Salesforce records
 * compared with its committed history. Needs Postgres: DATABASE_URL or TEST_DATABASE_URL. Exits 1 when any row differs.
 */
import { parseArgs } from 'node:util';
import { runDrill, type DrillMode } from '../test/drill/drill';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string', default: '400' },
      kills: { type: 'string', default: '5' },
      'write-crashes': { type: 'string', default: '5' },
      mode: { type: 'string', default: 'effects-batch' },
      'settle-timeout': { type: 'string', default: '600' },
    },
  });
  const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl)
    throw new Error('set DATABASE_URL or TEST_DATABASE_URL to a Postgres the drill may create a schema in');
  const mode = values.mode as DrillMode;
  if (mode !== 'effects-batch' && mode !== 'local-append') throw new Error('--mode is effects-batch or local-append');
  const count = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${raw}`);
    return n;
  };
  const started = Date.now();
  const r = await runDrill({
    databaseUrl,
    mode,
    leads: count('leads', values.leads),
    kills: count('kills', values.kills),
    writeCrashes: count('write-crashes', values['write-crashes']),
    settleTimeoutMs: count('settle-timeout', values['settle-timeout']) * 1000,
    log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
  });
  const f = (n: number) => n.toFixed(1);
  console.log(`crash drill, mode ${r.mode}, ${(r.elapsedMs / 1000).toFixed(0)} s`);
  console.log(
    `  leads              ${r.leads} (${Object.entries(r.paths)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ')})`,
  );
  console.log(
    `  kills              ${r.timedKills + r.crashesAtWrite} SIGKILLs: ${r.timedKills} timed, ${r.crashesAtWrite} right after a ledger write; ${r.workerStarts} worker starts`,
  );
  console.log(
    `  rows compared      ${r.ledgerRows} in the ledger, ${r.historyRows} in committed history (${r.runs} runs)`,
  );
  console.log(`  Salesforce         ${r.salesforceLeads} Leads and ${r.salesforceTasks} Tasks compared with their committed writes`);
  console.log(`  differences        ${r.differences.length} in ${r.leadsDiffering} leads (ledger and Salesforce)`);
  console.log(`  refused actions    ${r.refusedActions} (a script's action the lead no longer allowed after a stall)`);
  console.log(
    `  per lead           history events ${f(r.perLead.historyEvents.mean)} (${r.perLead.historyEvents.min}–${r.perLead.historyEvents.max}), billable actions ${f(r.perLead.billableActions.mean)} (${r.perLead.billableActions.min}–${r.perLead.billableActions.max}), ledger rows ${f(r.perLead.ledgerRows.mean)}`,
  );
  for (const [p, v] of Object.entries(r.perPath))
    console.log(`    ${p.padEnd(14)} history events ${f(v.historyEvents)}, billable actions ${f(v.billableActions)}`);
  for (const d of r.differences.slice(0, 20)) console.log(`  ≠ ${d.leadId} ${d.id}: ${d.what}`);
  process.exitCode = r.differences.length === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
