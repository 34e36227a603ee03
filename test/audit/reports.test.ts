import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ledger } from '../../src/audit/ledger';
import { MIGRATIONS_DIR } from '../../src/audit/migrate';
import { KINDS } from '../../src/domain/model';
import { funnelReport, mergeTimeline, slaCsv, slaReport, timeline } from '../../src/audit/reports';
import { funnelQuerySchema, slaQuerySchema, slaReportSchema, funnelReportSchema, type SlaReport } from '../../src/audit/schemas';
import { type LedgerTarget, ledgerTargets } from './drivers';
import { seedQuarter } from './seed';

const H = 3_600_000;
const Q4 = { from: '2026-10-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
const group = (leads: number, met: number, breached: number, pending: number, complianceRate: number | null) => ({
  leads,
  met,
  breached,
  pending,
  complianceRate,
});

describe.each(ledgerTargets())('reports on %s', (_name, makeTarget) => {
  let target: LedgerTarget;
  let ledger: Ledger;
  let q4: SlaReport;

  beforeAll(async () => {
    target = makeTarget();
    ledger = await target.open();
    await ledger.append(seedQuarter());
    q4 = await slaReport(ledger, Q4);
  });
  afterAll(async () => {
    await ledger.close();
    await target.cleanup();
  });

  it('counts each qualification cycle once, in the window where it was qualified', () => {
    expect(slaReportSchema.parse(q4)).toEqual(q4);
    expect(q4.leads.map((l) => `${l.leadId}/${l.cycle}:${l.status}`)).toEqual([
      'L1/1:MET',
      'L2/1:BREACHED',
      'L8/1:MET',
      'L3/1:MET',
      'L4/1:PENDING',
      'L10/1:MET',
      'L8/2:BREACHED',
      'L11/1:MET',
      'L6/1:MET',
    ]);
    expect(q4.totals).toEqual({ leads: 9, met: 6, breached: 2, pending: 1 });
    expect(q4.complianceRate).toBe(0.75);
  });

  it('keeps a breach even when the lead was worked later, and counts it for the owner at qualification', () => {
    expect(q4.leads.find((l) => l.leadId === 'L2')).toEqual({
      leadId: 'L2',
      kind: 'HAND_RAISE',
      ownerId: 'rep-a',
      team: 'na',
      qualifiedAt: '2026-10-06T13:00:00.000Z',
      dueAt: '2026-10-06T14:00:00.000Z',
      firstTouchAt: '2026-10-06T14:30:00.000Z',
      status: 'BREACHED',
      breaches: 1,
      policyVersion: '2026-11-01',
      workflowId: 'lead-L2',
      cycle: 1,
      responseBusinessMs: 1.5 * H,
      responseCalendarMs: 1.5 * H,
      timeToActionMs: 0.5 * H,
    });
    // Upgraded to a hand-raiser: the tightened deadline is the one reported, and its kind is the new one.
    expect(q4.leads.find((l) => l.leadId === 'L10')).toMatchObject({ kind: 'HAND_RAISE', dueAt: '2026-11-02T12:00:00.000Z', status: 'MET' });
  });

  it('groups by kind, owner, team, week and policy version', () => {
    expect(q4.byKind).toEqual([
      { kind: 'HAND_RAISE', ...group(3, 1, 2, 0, 0.3333) },
      { kind: 'PQL', ...group(1, 1, 0, 0, 1) },
      { kind: 'MQL', ...group(5, 4, 0, 1, 1) },
    ]);
    expect(q4.byOwner).toEqual([
      { ownerId: 'rep-a', ...group(3, 2, 1, 0, 0.6667) },
      { ownerId: 'rep-c', ...group(3, 2, 1, 0, 0.6667) },
      { ownerId: 'rep-b', ...group(3, 2, 0, 1, 1) },
    ]);
    expect(q4.byTeam).toEqual([
      { team: 'emea', ...group(2, 1, 0, 1, 1) },
      { team: 'na', ...group(7, 5, 2, 0, 0.7143) },
    ]);
    expect(q4.byPolicyVersion).toEqual([
      { policyVersion: '2026-11-01', ...group(8, 5, 2, 1, 0.7143) },
      { policyVersion: '2026-12-01', ...group(1, 1, 0, 0, 1) },
    ]);
    const weeks = Object.fromEntries(q4.byWeek.map(({ weekStart, ...g }) => [weekStart.slice(0, 10), g]));
    expect(Object.keys(weeks)).toEqual([
      '2026-09-28',
      '2026-10-05',
      '2026-10-12',
      '2026-10-19',
      '2026-10-26',
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
      '2026-11-23',
      '2026-11-30',
      '2026-12-07',
      '2026-12-14',
      '2026-12-21',
      '2026-12-28',
    ]);
    expect(weeks['2026-09-28']).toEqual(group(0, 0, 0, 0, null));
    expect(weeks['2026-10-05']).toEqual(group(3, 2, 1, 0, 0.6667));
    expect(weeks['2026-10-19']).toEqual(group(1, 0, 0, 1, null));
    expect(weeks['2026-11-16']).toEqual(group(1, 0, 1, 0, 0));
    expect(weeks['2026-12-28']).toEqual(group(1, 1, 0, 0, 1));
  });

  it('gives nearest-rank response-time percentiles in business and calendar time, and time to action after a breach', () => {
    // business: 0.6M 3.6M 5.4M 5.4M 7.2M 7.2M 9M; calendar: 0.6M 3.6M 5.4M 5.4M 7.2M 9M 122.4M+1
    expect(q4.responseTime).toEqual({
      business: { p50: 1.5 * H, p90: 2.5 * H, p95: 2.5 * H },
      calendar: { p50: 1.5 * H, p90: 34 * H + 1, p95: 34 * H + 1 },
    });
    expect(q4.timeToActionAfterBreach).toEqual({ leads: 1, p50: 0.5 * H, p90: 0.5 * H, p95: 0.5 * H });
  });

  it('filters by kind, owner and team', async () => {
    const ids = async (q: Record<string, string>) =>
      (await slaReport(ledger, slaQuerySchema.parse({ ...Q4, ...q }))).leads.map((l) => `${l.leadId}/${l.cycle}`);
    expect(await ids({ kind: 'HAND_RAISE' })).toEqual(['L2/1', 'L10/1', 'L8/2']);
    expect(await ids({ ownerId: 'rep-b' })).toEqual(['L3/1', 'L4/1', 'L10/1']);
    expect(await ids({ team: 'emea', kind: 'MQL' })).toEqual(['L4/1']);
    expect(await ids({ ownerId: 'nobody' })).toEqual([]);
  });

  it('takes half-open windows: [from, to)', async () => {
    const week = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-10-05', to: '2026-10-12' }));
    expect(week.leads.map((l) => l.leadId)).toEqual(['L1', 'L2', 'L8']);
    const lastMs = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-12-31T23:59:59.999Z', to: '2027-01-01T00:00:00Z' }));
    expect(lastMs.leads.map((l) => l.leadId)).toEqual(['L6']);
    const empty = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-07-01', to: '2026-09-30' }));
    expect(empty.totals).toEqual({ leads: 0, met: 0, breached: 0, pending: 0 });
    expect(empty.complianceRate).toBeNull();
    expect(empty.responseTime.business).toEqual({ p50: null, p90: null, p95: null });
  });

  it('reads the window week by week for progress, with the same answer', async () => {
    const calls: [number, number][] = [];
    const sliced = await slaReport(ledger, Q4, (done, total) => calls.push([done, total]));
    expect(sliced).toEqual(q4);
    expect(calls).toHaveLength(14);
    expect(calls.at(-1)).toEqual([14, 14]);
  });

  it('writes the CSV columns of docs/contracts/http-api.md, byte for byte', async () => {
    const emea = await slaReport(ledger, slaQuerySchema.parse({ ...Q4, team: 'emea' }));
    expect(slaCsv(emea.leads)).toBe(
      'leadId,kind,ownerId,team,qualifiedAt,dueAt,firstTouchAt,status,breaches,policyVersion\r\n' +
        'L3,PQL,rep-b,emea,2026-10-12T09:00:00.000Z,2026-10-12T10:00:00.000Z,2026-10-12T09:10:00.000Z,MET,0,2026-12-01\r\n' +
        'L4,MQL,rep-b,emea,2026-10-20T10:00:00.000Z,2026-10-21T10:00:00.000Z,,PENDING,0,2026-11-01\r\n',
    );
    const march = await slaReport(ledger, slaQuerySchema.parse({ from: '2027-03-01', to: '2027-04-01' }));
    expect(slaCsv(march.leads)).toBe(
      'leadId,kind,ownerId,team,qualifiedAt,dueAt,firstTouchAt,status,breaches,policyVersion\r\n' +
        'L12,MQL,"rep,""q""","\'=HYPERLINK(""x"")",2027-03-01T10:00:00.000Z,2027-03-01T11:00:00.000Z,2027-03-01T10:30:00.000Z,MET,0,2026-11-01\r\n',
    );
  });

  it('counts the funnel: stage entries in the window, conversions, recycle and disqualify reasons', async () => {
    const funnel = await funnelReport(ledger, funnelQuerySchema.parse(Q4));
    expect(funnelReportSchema.parse(funnel)).toEqual(funnel);
    expect(Object.fromEntries(funnel.stages.map((s) => [s.stage, s.leads]))).toEqual({
      NURTURE: 1,
      REVIEW: 0,
      MQL: 8,
      SAL: 6,
      SQL: 2,
      CONVERTED: 1,
      RECYCLED: 2,
      DISQUALIFIED: 1,
    });
    expect(funnel.conversion).toEqual([
      { from: 'MQL', to: 'SAL', leads: 8, converted: 5, rate: 0.625 },
      { from: 'SAL', to: 'SQL', leads: 6, converted: 2, rate: 0.3333 },
      { from: 'SQL', to: 'CONVERTED', leads: 2, converted: 1, rate: 0.5 },
    ]);
    expect(funnel.recycleReasons).toEqual([
      { reason: 'NO_BUDGET', count: 2 },
      { reason: 'SCORE_DECAYED', count: 1 },
    ]);
    expect(funnel.disqualifyReasons).toEqual([{ reason: 'SPAM', count: 1 }]);
    const october = await funnelReport(ledger, funnelQuerySchema.parse({ from: '2026-10-01', to: '2026-11-01' }));
    expect(october.stages.find((s) => s.stage === 'MQL')?.leads).toBe(5); // L1 L2 L3 L4 L8
    expect(october.recycleReasons).toEqual([{ reason: 'NO_BUDGET', count: 1 }]);
  });

  it("gives a lead's timeline from the ledger, in order, with server times", async () => {
    const entries = await timeline(ledger, 'L2');
    expect(entries.map((e) => [e.source, e.type, e.at])).toEqual([
      ['ledger', 'QUALIFIED', '2026-10-06T13:00:00.000Z'],
      ['ledger', 'SLA_BREACHED', '2026-10-06T14:00:00.000Z'],
      ['ledger', 'ESCALATED', '2026-10-06T14:00:00.000Z'],
      ['ledger', 'REASSIGNED', '2026-10-06T14:00:00.000Z'],
      ['ledger', 'ACCEPTED', '2026-10-06T14:30:00.000Z'],
    ]);
    expect(entries[3]).toMatchObject({ actor: null, cycle: 1, stage: 'MQL', detail: { from: 'rep-a', to: 'fallback-na' } });
    expect(await timeline(ledger, 'nobody')).toEqual([]);
  });
});

describe('report queries', () => {
  it('take dates or instants and answer ISO UTC', () => {
    expect(slaQuerySchema.parse({ from: '2026-10-01', to: '2027-01-01T09:00:00+13:45' })).toEqual({
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-12-31T19:15:00.000Z',
      format: 'json',
    });
  });

  it.each([
    [{ from: '2026-13-01', to: '2027-01-01' }, 'from', /expected a date like 2026-10-01/],
    [{ from: '2026-02-30', to: '2027-01-01' }, 'from', /expected a date/],
    [{ from: '2026-10-01T00:00:00', to: '2027-01-01' }, 'from', /time zone/],
    [{ from: '2027-01-01', to: '2026-10-01' }, 'to', /must be after/],
    [{ from: '2026-10-01', to: '2027-01-01', kind: 'LEAD' }, 'kind', /HAND_RAISE/],
    [{ from: '2026-10-01', to: '2027-01-01', format: 'xml' }, 'format', /csv/],
    [{ from: '2026-10-01', to: '2027-01-01', owner: 'x' }, '', /owner/],
  ])('refuse %j with a clear message', (query, pathKey, message) => {
    const result = slaQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path.join('.')).toBe(pathKey);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe('mergeTimeline', () => {
  const entry = (id: string, at: string, type = 'X') => ({ id, at, type, actor: null, detail: {} });

  it('marks each entry with its source, orders by server time and drops duplicates (the ledger copy wins)', () => {
    const ledger = [entry('e1', '2026-10-06T13:00:00.000Z', 'QUALIFIED'), entry('e2', '2026-10-06T14:00:00.000Z', 'SLA_BREACHED')];
    const temporal = [
      entry('t1', '2026-10-06T12:59:59.000Z', 'WorkflowExecutionStarted'),
      entry('e2', '2026-10-06T14:00:00.500Z', 'ActivityTaskScheduled'),
      entry('t3', '2026-10-06T14:00:00.000Z', 'TimerFired'),
      entry('t3', '2026-10-06T14:00:00.000Z', 'TimerFired'),
    ];
    expect(mergeTimeline(ledger, temporal).map((e) => `${e.source}:${e.id}:${e.type}`)).toEqual([
      'temporal:t1:WorkflowExecutionStarted',
      'ledger:e1:QUALIFIED',
      'ledger:e2:SLA_BREACHED',
      'temporal:t3:TimerFired',
    ]);
    expect(mergeTimeline([], [])).toEqual([]);
  });
});

describe.each(ledgerTargets())('the SLA cycle summary on %s', (_name, makeTarget) => {
  let target: LedgerTarget;

  beforeAll(() => {
    target = makeTarget();
  });
  afterAll(() => target.cleanup());

  it('is the same whatever the order and batching of appends, and equals a rebuild from the events', async () => {
    const events = seedQuarter();
    // A deterministic shuffle, appended one event at a time, then everything again (retries).
    const shuffled = events.map((e, i) => ({ e, k: (i * 7919) % events.length })).sort((a, b) => a.k - b.k).map((x) => x.e);
    const ledger = await target.open();
    try {
      for (const e of shuffled) await ledger.append([e]);
      await ledger.append(events);
      const bulk = await slaReport(ledger, Q4);
      expect(bulk.totals).toEqual({ leads: 9, met: 6, breached: 2, pending: 1 });
      expect(bulk.leads.find((l) => l.leadId === 'L10')).toMatchObject({ kind: 'HAND_RAISE', dueAt: '2026-11-02T12:00:00.000Z', ownerId: 'rep-b' });
    } finally {
      await ledger.close();
    }
    const columns = 'lead_id, cycle, kind_rank, owner_id, team, qualified_at, breached_due_at, touched_due_at, latest_due_at, first_touch_at, breaches, ever_breached';
    const before = await target.sql(`SELECT ${columns} FROM sla_cycles ORDER BY lead_id, cycle`);
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '003_sla_cycles.sql'), 'utf8');
    const rebuild = migration.slice(migration.indexOf('INSERT INTO sla_cycles\n'));
    await target.exec(`BEGIN; DELETE FROM sla_cycles; ${rebuild}; COMMIT`);
    expect(await target.sql(`SELECT ${columns} FROM sla_cycles ORDER BY lead_id, cycle`)).toEqual(before);
  });
});

describe('migration 003', () => {
  it('ranks kinds in the order of the domain model', () => {
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '003_sla_cycles.sql'), 'utf8');
    const arrays = [...migration.matchAll(/array_position\(ARRAY\[([^\]]+)\]/g)].map((m) => m[1]?.replace(/'/g, '').split(/,\s*/));
    expect(arrays).toHaveLength(2);
    for (const kinds of arrays) expect(kinds).toEqual([...KINDS]);
  });
});
