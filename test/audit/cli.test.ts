import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLedger } from '../../src/audit/ledger';
import type { SlaReport } from '../../src/audit/schemas';
import { progressBar } from '../../src/cli/progress';
import { silentLogger } from './drivers';
import { sfId } from './lead-run';
import { LEADS, REP_A, REP_B, seedQuarter } from './seed';

const BREACHED = sfId(LEADS.breachedThenWorked.slice(0, 15));
const CONTACTED = sfId(LEADS.metByContact);
const PENDING = sfId(LEADS.pending.slice(0, 15));

const BIN = path.resolve(__dirname, '../../bin/handoff.js');

type Run = { code: number; stdout: string; stderr: string };

function handoff(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('handoff CLI on the embedded ledger', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-cli-'));
    env = { HANDOFF_DATA_DIR: dataDir };
    const ledger = await createLedger({ dataDir, logger: silentLogger });
    await ledger.append(seedQuarter());
    await ledger.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exports the SLA report as CSV on stdout, nothing else', async () => {
    const run = await handoff(['audit', 'sla', '--from', '2026-10-01', '--to', '2027-01-01', '--team', 'emea', '--format', 'csv'], env);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'leadId,kind,ownerId,team,qualifiedAt,dueAt,firstTouchAt,status,breaches,policyVersion,cycle,workflowId,responseType,breachedOwnerId\r\n' +
        `${CONTACTED},PQL,${REP_B},emea,2026-10-12T09:00:00.000Z,2026-10-12T10:00:00.000Z,2026-10-12T09:10:00.000Z,MET,0,2026-12-01,1,lead-${CONTACTED},contact,\r\n` +
        `${PENDING},MQL,${REP_B},emea,2026-10-20T09:00:00.000Z,2026-10-23T09:00:00.000Z,,PENDING,0,2026-11-01,1,lead-${PENDING},,\r\n`,
    });
  });

  it('answers the SLA report as JSON by default, with the filters', async () => {
    const run = await handoff(
      [
        'audit',
        'sla',
        '--from',
        '2026-10-01',
        '--to',
        '2027-01-01',
        '--owner',
        REP_A.slice(0, 15),
        '--kind',
        'HAND_RAISE',
      ],
      env,
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as SlaReport;
    expect(report.totals).toEqual({ leads: 2, met: 1, breached: 1, pending: 0, closedUnworked: 0 });
    expect(report.leads.map((l) => [l.leadId, l.status, l.responseType])).toEqual([
      [sfId(LEADS.metByAccept), 'MET', 'accept'],
      [BREACHED, 'BREACHED', 'contact'],
    ]);
    const all = JSON.parse(
      (await handoff(['audit', 'sla', '--from', '2026-10-01', '--to', '2027-01-01'], env)).stdout,
    ) as SlaReport;
    expect(all.totals).toEqual({ leads: 10, met: 5, breached: 2, pending: 1, closedUnworked: 2 });
  });

  it('answers the funnel and a lead timeline', async () => {
    const funnel = await handoff(['audit', 'funnel', '--from', '2026-10-01', '--to', '2027-01-01'], env);
    expect(funnel.code).toBe(0);
    expect(JSON.parse(funnel.stdout).conversion[0]).toEqual({
      from: 'MQL',
      to: 'SAL',
      leads: 9,
      converted: 5,
      rate: 0.5556,
    });
    const lead = await handoff(['lead', BREACHED], env);
    expect(lead.code).toBe(0);
    expect(
      lead.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s{2,}/).slice(0, 4)),
    ).toEqual([
      ['2026-10-06T14:00:00.000Z', 'cycle 1', 'MQL', 'QUALIFIED'],
      ['2026-10-06T14:30:00.000Z', 'cycle 1', 'MQL', 'SLA_REMINDER'],
      ['2026-10-06T14:48:00.000Z', 'cycle 1', 'MQL', 'SLA_REMINDER'],
      ['2026-10-06T15:00:00.000Z', 'cycle 1', 'MQL', 'SLA_BREACHED'],
      ['2026-10-06T15:00:00.000Z', 'cycle 1', 'MQL', 'ESCALATED'],
      ['2026-10-06T15:00:00.000Z', 'cycle 1', 'MQL', 'REASSIGNED'],
      ['2026-10-06T15:30:00.000Z', 'cycle 1', 'MQL', 'SLA_REMINDER'],
      ['2026-10-06T15:30:00.000Z', 'cycle 1', 'SAL', 'ACCEPTED'],
      ['2026-10-06T15:30:00.000Z', 'cycle 1', 'SAL', 'CONTACT_ATTEMPT'],
    ]);
    // The 15-character form of the id names the same lead.
    const json = await handoff(['lead', BREACHED.slice(0, 15), '--format', 'json'], env);
    expect(JSON.parse(json.stdout)).toHaveLength(9);
    expect(await handoff(['lead', 'nobody'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'handoff: the ledger has no events for lead nobody\n',
    });
  });

  it.each([
    [['audit', 'sla', '--from', '2026-13-01', '--to', '2027-01-01'], /^handoff: --from: expected a date like 2026-10-01/],
    [['audit', 'sla', '--from', '2027-01-01', '--to', '2026-10-01'], /--to: `to` must be after `from`/],
    [['audit', 'sla', '--from', '2026-10-01'], /^handoff: --to: required: a date like 2026-10-01/],
    [['audit', 'sla', '--from', '2026-10-01', '--to', '2027-01-01', '--format', 'xlsx'], /--format: .*"json"\|"csv"/],
    [['audit', 'funnel', '--from', 'yesterday', '--to', '2027-01-01'], /--from: expected a date/],
    [['audit', 'sla', '--from', '2026-10-01', '--to', '2027-01-01', '--bogus'], /Unknown option '--bogus'/],
    [['audit', 'burndown'], /unknown command: audit burndown/],
    [['lead', '../etc'], /<leadId>: expected 1-80 characters/],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const run = await handoff(args, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('says when the embedded ledger is held by another process (exit 3)', async () => {
    const ledger = await createLedger({ dataDir, logger: silentLogger });
    try {
      const run = await handoff(['audit', 'funnel', '--from', '2026-10-01', '--to', '2027-01-01'], env);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(`handoff: the embedded ledger is in use by process ${process.pid}`);
    } finally {
      await ledger.close();
    }
  });
});

describe('handoff CLI on an unreachable Postgres', () => {
  it('exits 3 with the address, without the password', async () => {
    const run = await handoff(['audit', 'sla', '--from', '2026-10-01', '--to', '2027-01-01'], {
      DATABASE_URL: 'postgres://revops:hunter2@127.0.0.1:1/ledger',
    });
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'handoff: cannot reach the ledger database at postgres://revops:***@127.0.0.1:1/ledger: connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });
});

describe('progress bar', () => {
  const stream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('draws on a terminal and clears its line at the end', () => {
    const tty = stream(true);
    const bar = progressBar(tty.stream, 'reading');
    bar.update(1, 4);
    bar.update(4, 4);
    bar.done();
    expect(tty.writes).toEqual([
      `\rreading [${'#'.repeat(8)}${'-'.repeat(22)}] 1/4`,
      `\rreading [${'#'.repeat(30)}] 4/4`,
      '\r\x1b[2K',
    ]);
  });

  it('stays silent when stderr is not a terminal', () => {
    const pipe = stream(false);
    const bar = progressBar(pipe.stream, 'reading');
    bar.update(1, 2);
    bar.done();
    expect(pipe.writes).toEqual([]);
  });
});
