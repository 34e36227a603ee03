/**
 * The crash drill, CI size: a real worker process SIGKILLed mid-run over a few dozen seconds-SLA
 * leads; afterwards, for every lead, the ledger equals the rows in the workflow's committed history,
 * and the Salesforce emulator's Lead and Tasks equal the writes of the batches history says landed.
 * The second test puts the old design back (ledger rows appended by a local activity inside the
 * workflow task, old-append-interceptor.ts) and shows the same drill catching it.
 */
import { runDrill, type DrillResult } from './drill';

const databaseUrl = process.env.TEST_DATABASE_URL;
const drillTest = databaseUrl ? test : test.skip;
if (!databaseUrl) {
  console.warn(
    'crash drill skipped: set TEST_DATABASE_URL (the drill worker is a separate process, so the ledger is Postgres)',
  );
}

jest.setTimeout(420_000);

const print = (r: DrillResult) =>
  console.log(
    `crash drill (${r.mode}): ${r.leads} leads, ${r.timedKills} timed SIGKILLs + ${r.crashesAtWrite} at a ledger write, ` +
      `${r.workerStarts} worker starts, ${r.ledgerRows} ledger rows vs ${r.historyRows} committed rows, ` +
      `Salesforce: ${r.salesforceLeads} Leads and ${r.salesforceTasks} Tasks vs their committed writes, ` +
      `${r.differences.length} differences in ${r.leadsDiffering} leads\n` +
      r.differences
        .slice(0, 10)
        .map((d) => `  ${d.leadId} ${d.id}: ${d.what}`)
        .join('\n'),
  );

drillTest(
  'after SIGKILLs of the worker, every lead’s ledger rows and Salesforce records are exactly what its history committed',
  async () => {
    const result = await runDrill({ databaseUrl: databaseUrl!, leads: 24, kills: 3, writeCrashes: 2 });
    print(result);
    expect(result.timedKills).toBe(3);
    expect(result.crashesAtWrite).toBe(2);
    expect(result.historyRows).toBeGreaterThan(result.leads * 3);
    expect(result.differences).toEqual([]);
    expect(result.ledgerRows).toBe(result.historyRows);
    expect(result.salesforceTasks).toBeGreaterThanOrEqual(result.leads);
  },
);

drillTest(
  'the same drill fails when the rows are appended the old way, by a local activity before the task commits',
  async () => {
    const result = await runDrill({
      databaseUrl: databaseUrl!,
      leads: 24,
      kills: 1,
      writeCrashes: 2,
      mode: 'local-append',
    });
    print(result);
    expect(result.crashesAtWrite).toBe(2);
    expect(result.differences.length).toBeGreaterThan(0);
  },
);
