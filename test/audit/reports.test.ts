import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSERT_EVENTS, type Ledger } from '../../src/audit/ledger';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '../../src/audit/migrate';
import { connectPostgres, openPglite, type SqlClient } from '../../src/audit/sql';
import { slaOutcomeSchema } from '../../src/domain/state';
import { KINDS } from '../../src/domain/model';
import { funnelReport, mergeTimeline, slaCsv, slaReport, timeline } from '../../src/audit/reports';
import {
  funnelQuerySchema,
  slaLeadSchema,
  slaQuerySchema,
  slaReportSchema,
  funnelReportSchema,
  type SlaReport,
} from '../../src/audit/schemas';
import { type LedgerTarget, ledgerTargets, silentLogger } from './drivers';
import { sfId } from './lead-run';
import { FALLBACK_NA, LEADS, REP_A, REP_B, REP_C, seedQuarter, seedRuns } from './seed';

const CSV_HEADER =
  'leadId,kind,ownerId,team,qualifiedAt,dueAt,firstTouchAt,status,breaches,policyVersion,cycle,workflowId,responseType,breachedOwnerId';

const H = 3_600_000;
const MIN = 60_000;
const Q4 = { from: '2026-10-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
const group = (
  leads: number,
  met: number,
  breached: number,
  pending: number,
  closedUnworked: number,
  complianceRate: number | null,
) => ({
  leads,
  met,
  breached,
  pending,
  closedUnworked,
  complianceRate,
});
const L = Object.fromEntries(Object.entries(LEADS).map(([name, id]) => [name, sfId(id.slice(0, 15))])) as Record<
  keyof typeof LEADS,
  string
>;
const row = (r: SlaReport['leads'][number]) => `${r.leadId}/${r.cycle}:${r.status}`;

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

  it('counts each qualification cycle once, in the window where it was qualified, with the outcome the engine recorded', () => {
    expect(slaReportSchema.parse(q4)).toEqual(q4);
    expect(q4.leads.map(row)).toEqual([
      `${L.metByAccept}/1:MET`,
      `${L.breachedThenWorked}/1:BREACHED`,
      `${L.rejectedThenBreachedTwice}/1:MET`,
      `${L.metByContact}/1:MET`,
      `${L.pending}/1:PENDING`,
      `${L.disqualifiedUntouched}/1:CLOSED_UNWORKED`,
      `${L.rejectedThenBreachedTwice}/2:BREACHED`,
      `${L.reassignedThenMet}/1:MET`,
      `${L.decayedUntouched}/1:CLOSED_UNWORKED`,
      `${L.lastMillisecond}/1:MET`,
    ]);
    // Closed before anyone responded: listed, and out of the rate (5 met of 7 decided).
    expect(q4.totals).toEqual({ leads: 10, met: 5, breached: 2, pending: 1, closedUnworked: 2 });
    expect(q4.complianceRate).toBe(0.7143);
  });

  it('says what stopped the clock: an accept, a contact attempt or a reject', () => {
    const how = Object.fromEntries(q4.leads.map((l) => [`${l.leadId}/${l.cycle}`, l.responseType]));
    expect(how).toEqual({
      [`${L.metByAccept}/1`]: 'accept',
      [`${L.breachedThenWorked}/1`]: 'contact',
      [`${L.rejectedThenBreachedTwice}/1`]: 'reject',
      [`${L.metByContact}/1`]: 'contact',
      [`${L.pending}/1`]: null,
      [`${L.disqualifiedUntouched}/1`]: null,
      [`${L.rejectedThenBreachedTwice}/2`]: 'contact',
      [`${L.reassignedThenMet}/1`]: 'accept',
      [`${L.decayedUntouched}/1`]: null,
      [`${L.lastMillisecond}/1`]: 'accept',
    });
  });

  it('keeps a breach when the lead was worked later, credited to the owner who held the clock, not to the rescuer', () => {
    expect(q4.leads.find((l) => l.leadId === L.breachedThenWorked)).toEqual({
      leadId: L.breachedThenWorked,
      kind: 'HAND_RAISE',
      ownerId: REP_A,
      breachedOwnerId: REP_A,
      team: 'na',
      qualifiedAt: '2026-10-06T14:00:00.000Z',
      dueAt: '2026-10-06T15:00:00.000Z',
      firstTouchAt: '2026-10-06T15:30:00.000Z',
      status: 'BREACHED',
      breaches: 1,
      policyVersion: '2026-11-01',
      workflowId: `lead-${L.breachedThenWorked}`,
      cycle: 1,
      responseType: 'contact',
      responseBusinessMs: 1.5 * H,
      responseCalendarMs: 1.5 * H,
      timeToActionMs: 30 * MIN,
    });
    // Missed by rep C, then twice more by the queue: the breaches count, rep C is the one named.
    expect(q4.leads.find((l) => l.leadId === L.rejectedThenBreachedTwice && l.cycle === 2)).toMatchObject({
      kind: 'HAND_RAISE',
      ownerId: REP_C,
      breachedOwnerId: REP_C,
      breaches: 2,
      dueAt: '2026-11-20T16:00:00.000Z',
      timeToActionMs: 2.5 * H,
    });
  });

  it('credits a met cycle to the owner who held the clock at the first touch, not the owner at qualification', () => {
    // Handed to rep B, reassigned to rep C an hour later (a fresh window), accepted by C.
    expect(q4.leads.find((l) => l.leadId === L.reassignedThenMet)).toMatchObject({
      ownerId: REP_C,
      breachedOwnerId: null,
      status: 'MET',
      dueAt: '2026-12-04T16:00:00.000Z',
      responseBusinessMs: 2.5 * H,
    });
  });

  it('lists a cycle closed before any response as CLOSED_UNWORKED, for whoever held the clock', () => {
    const closed = q4.leads.filter((l) => l.status === 'CLOSED_UNWORKED');
    expect(closed.map((l) => [l.leadId, l.ownerId, l.dueAt, l.firstTouchAt, l.responseType])).toEqual([
      [L.disqualifiedUntouched, REP_A, '2026-11-05T15:00:00.000Z', null, null],
      [L.decayedUntouched, REP_B, '2026-12-09T15:00:00.000Z', null, null],
    ]);
  });

  it('groups by kind, credited owner, team, week and policy version', () => {
    expect(q4.byKind).toEqual([
      { kind: 'HAND_RAISE', ...group(3, 1, 2, 0, 0, 0.3333) },
      { kind: 'PQL', ...group(1, 1, 0, 0, 0, 1) },
      { kind: 'MQL', ...group(6, 3, 0, 1, 2, 1) },
    ]);
    expect(q4.byOwner).toEqual([
      { ownerId: REP_C, ...group(4, 3, 1, 0, 0, 0.75) },
      { ownerId: REP_A, ...group(3, 1, 1, 0, 1, 0.5) },
      { ownerId: REP_B, ...group(3, 1, 0, 1, 1, 1) },
    ]);
    expect(q4.byTeam).toEqual([
      { team: 'emea', ...group(2, 1, 0, 1, 0, 1) },
      { team: 'na', ...group(8, 4, 2, 0, 2, 0.6667) },
    ]);
    expect(q4.byPolicyVersion).toEqual([
      { policyVersion: '2026-11-01', ...group(9, 4, 2, 1, 2, 0.6667) },
      { policyVersion: '2026-12-01', ...group(1, 1, 0, 0, 0, 1) },
    ]);
    const weeks = Object.fromEntries(q4.byWeek.map(({ weekStart, ...g }) => [weekStart.slice(0, 10), g]));
    expect(Object.keys(weeks)).toHaveLength(14);
    expect(weeks['2026-09-28']).toEqual(group(0, 0, 0, 0, 0, null));
    expect(weeks['2026-10-05']).toEqual(group(3, 2, 1, 0, 0, 0.6667));
    expect(weeks['2026-10-19']).toEqual(group(1, 0, 0, 1, 0, null));
    expect(weeks['2026-11-02']).toEqual(group(1, 0, 0, 0, 1, null));
    expect(weeks['2026-11-16']).toEqual(group(1, 0, 1, 0, 0, 0));
    expect(weeks['2026-11-30']).toEqual(group(2, 1, 0, 0, 1, 1));
    expect(weeks['2026-12-28']).toEqual(group(1, 1, 0, 0, 0, 1));
  });

  it('gives nearest-rank response-time percentiles in business and calendar time, and time to action after a breach', () => {
    // business: 10 min, 40 min, 1.5 h, 2 h, 2.5 h, 3.5 h, 9 h (Thu evening → Mon 10:00: Friday Jan 1 is a working day)
    // calendar: the same but the last, 87 h + 1 ms
    expect(q4.responseTime).toEqual({
      business: { p50: 2 * H, p90: 9 * H, p95: 9 * H },
      calendar: { p50: 2 * H, p90: 87 * H + 1, p95: 87 * H + 1 },
    });
    expect(q4.timeToActionAfterBreach).toEqual({ leads: 2, p50: 30 * MIN, p90: 2.5 * H, p95: 2.5 * H });
  });

  it('filters by kind, credited owner and team', async () => {
    const ids = async (q: Record<string, string>) =>
      (await slaReport(ledger, slaQuerySchema.parse({ ...Q4, ...q }))).leads.map((l) => `${l.leadId}/${l.cycle}`);
    expect(await ids({ kind: 'HAND_RAISE' })).toEqual([
      `${L.metByAccept}/1`,
      `${L.breachedThenWorked}/1`,
      `${L.rejectedThenBreachedTwice}/2`,
    ]);
    expect(await ids({ ownerId: REP_B })).toEqual([`${L.metByContact}/1`, `${L.pending}/1`, `${L.decayedUntouched}/1`]);
    expect(await ids({ ownerId: REP_C })).toEqual([
      `${L.rejectedThenBreachedTwice}/1`,
      `${L.rejectedThenBreachedTwice}/2`,
      `${L.reassignedThenMet}/1`,
      `${L.lastMillisecond}/1`,
    ]);
    expect(await ids({ team: 'emea', kind: 'MQL' })).toEqual([`${L.pending}/1`]);
    expect(await ids({ ownerId: '005000000000099AAA' })).toEqual([]);
  });

  it('takes half-open windows: [from, to)', async () => {
    const week = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-10-05', to: '2026-10-12' }));
    expect(week.leads.map((l) => l.leadId)).toEqual([L.metByAccept, L.breachedThenWorked, L.rejectedThenBreachedTwice]);
    const lastMs = await slaReport(
      ledger,
      slaQuerySchema.parse({ from: '2026-12-31T23:59:59.999Z', to: '2027-01-01T00:00:00Z' }),
    );
    expect(lastMs.leads.map((l) => l.leadId)).toEqual([L.lastMillisecond]);
    const empty = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-07-01', to: '2026-09-30' }));
    expect(empty.totals).toEqual({ leads: 0, met: 0, breached: 0, pending: 0, closedUnworked: 0 });
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

  it('writes the CSV columns of docs/contracts/http-api.md with cycle, workflowId, responseType and the breached owner, byte for byte', async () => {
    const emea = await slaReport(ledger, slaQuerySchema.parse({ ...Q4, team: 'emea' }));
    expect(slaCsv(emea.leads)).toBe(
      `${CSV_HEADER}\r\n` +
        `${L.metByContact},PQL,${REP_B},emea,2026-10-12T09:00:00.000Z,2026-10-12T10:00:00.000Z,2026-10-12T09:10:00.000Z,MET,0,2026-12-01,1,lead-${L.metByContact},contact,\r\n` +
        `${L.pending},MQL,${REP_B},emea,2026-10-20T09:00:00.000Z,2026-10-23T09:00:00.000Z,,PENDING,0,2026-11-01,1,lead-${L.pending},,\r\n`,
    );
    const twice = await slaReport(ledger, slaQuerySchema.parse({ from: '2026-11-20', to: '2026-11-21' }));
    expect(slaCsv(twice.leads).split('\r\n')[1]).toBe(
      `${L.rejectedThenBreachedTwice},HAND_RAISE,${REP_C},na,2026-11-20T15:00:00.000Z,2026-11-20T16:00:00.000Z,2026-11-20T18:30:00.000Z,BREACHED,2,2026-11-01,2,lead-${L.rejectedThenBreachedTwice},contact,${REP_C}`,
    );
  });

  it('counts the funnel: stage entries in the window, conversions, recycle and disqualify reasons', async () => {
    const funnel = await funnelReport(ledger, funnelQuerySchema.parse(Q4));
    expect(funnelReportSchema.parse(funnel)).toEqual(funnel);
    expect(Object.fromEntries(funnel.stages.map((s) => [s.stage, s.leads]))).toEqual({
      NURTURE: 1,
      REVIEW: 0,
      MQL: 9,
      SAL: 6,
      SQL: 1,
      CONVERTED: 1,
      RECYCLED: 2,
      DISQUALIFIED: 1,
    });
    expect(funnel.conversion).toEqual([
      { from: 'MQL', to: 'SAL', leads: 9, converted: 5, rate: 0.5556 },
      { from: 'SAL', to: 'SQL', leads: 6, converted: 1, rate: 0.1667 },
      { from: 'SQL', to: 'CONVERTED', leads: 1, converted: 1, rate: 1 },
    ]);
    expect(funnel.recycleReasons).toEqual([
      { reason: 'NO_BUDGET', count: 1 },
      { reason: 'SCORE_DECAYED', count: 1 },
    ]);
    expect(funnel.disqualifyReasons).toEqual([{ reason: 'SPAM', count: 1 }]);
    const october = await funnelReport(ledger, funnelQuerySchema.parse({ from: '2026-10-01', to: '2026-11-01' }));
    expect(october.stages.find((s) => s.stage === 'MQL')?.leads).toBe(5);
    expect(october.recycleReasons).toEqual([{ reason: 'NO_BUDGET', count: 1 }]);
  });

  it("gives a lead's timeline from the ledger, in order, with server times", async () => {
    const entries = await timeline(ledger, L.breachedThenWorked);
    expect(entries.map((e) => [e.source, e.type, e.at])).toEqual([
      ['ledger', 'QUALIFIED', '2026-10-06T14:00:00.000Z'],
      ['ledger', 'SLA_REMINDER', '2026-10-06T14:30:00.000Z'],
      ['ledger', 'SLA_REMINDER', '2026-10-06T14:48:00.000Z'],
      ['ledger', 'SLA_BREACHED', '2026-10-06T15:00:00.000Z'],
      ['ledger', 'ESCALATED', '2026-10-06T15:00:00.000Z'],
      ['ledger', 'REASSIGNED', '2026-10-06T15:00:00.000Z'],
      ['ledger', 'SLA_REMINDER', '2026-10-06T15:30:00.000Z'],
      ['ledger', 'ACCEPTED', '2026-10-06T15:30:00.000Z'],
      ['ledger', 'CONTACT_ATTEMPT', '2026-10-06T15:30:00.000Z'],
    ]);
    expect(entries[5]).toMatchObject({ actor: null, cycle: 1, stage: 'MQL', detail: { from: REP_A, to: FALLBACK_NA } });
    expect(await timeline(ledger, '00Q000000000999AAA')).toEqual([]);
  });
});

describe('the SLA CSV', () => {
  it('quotes what a spreadsheet would split on and defuses what it would take for a formula', () => {
    const base = slaLeadSchema.parse({
      leadId: '00Q000000000201AAA',
      kind: 'MQL',
      ownerId: 'rep,"q"',
      breachedOwnerId: '@SUM(A1)',
      team: '=HYPERLINK("x")',
      qualifiedAt: '2027-03-01T10:00:00.000Z',
      dueAt: null,
      firstTouchAt: null,
      status: 'CLOSED_UNWORKED',
      breaches: 0,
      policyVersion: '-1',
      workflowId: 'lead-00Q000000000201AAA',
      cycle: 3,
      responseType: null,
      responseBusinessMs: null,
      responseCalendarMs: null,
      timeToActionMs: null,
    });
    expect(slaCsv([base])).toBe(
      `${CSV_HEADER}\r\n` +
        `00Q000000000201AAA,MQL,"rep,""q""","'=HYPERLINK(""x"")",2027-03-01T10:00:00.000Z,,,CLOSED_UNWORKED,0,'-1,3,lead-00Q000000000201AAA,,'@SUM(A1)\r\n`,
    );
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
    // A deterministic shuffle, appended one event at a time, then everything again (retries):
    // rows of one step share their instant (the decayed lead's SCORE_DECAYED, still PENDING, and
    // its RECYCLED, CLOSED_UNWORKED), so the merge cannot lean on the order they arrive in.
    const shuffled = events
      .map((e, i) => ({ e, k: (i * 7919) % events.length }))
      .sort((a, b) => b.k - a.k)
      .map((x) => x.e);
    const ledger = await target.open();
    try {
      for (const e of shuffled) await ledger.append([e]);
      await ledger.append(events);
      const bulk = await slaReport(ledger, Q4);
      expect(bulk.totals).toEqual({ leads: 10, met: 5, breached: 2, pending: 1, closedUnworked: 2 });
      expect(bulk.leads.find((l) => l.leadId === L.decayedUntouched)).toMatchObject({
        status: 'CLOSED_UNWORKED',
        ownerId: REP_B,
      });
      expect(bulk.leads.find((l) => l.leadId === L.reassignedThenMet)).toMatchObject({
        status: 'MET',
        ownerId: REP_C,
        responseType: 'accept',
      });
    } finally {
      await ledger.close();
    }
    const columns =
      'lead_id, cycle, kind_rank, owner_id, qualified_owner_id, team, qualified_at, breached_due_at, touched_due_at, latest_due_at, first_touch_at, breaches, ever_breached, outcome, response_type, breached_owner_id, decided_owner_id, latest_clock_owner_id';
    const before = await target.sql(`SELECT ${columns} FROM sla_cycles ORDER BY lead_id, cycle`);
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '004_sla_outcomes.sql'), 'utf8');
    const rebuild = migration.slice(migration.indexOf('INSERT INTO sla_cycles\n'));
    await target.exec(`BEGIN; DELETE FROM sla_cycles; ${rebuild}; COMMIT`);
    expect(await target.sql(`SELECT ${columns} FROM sla_cycles ORDER BY lead_id, cycle`)).toEqual(before);
  });

  it('backfills what the ledger held before migration 004, and reads cycles the engine wrote no outcome for by the old rule', async () => {
    const fresh = makeTarget();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-migrations-'));
    const db = await rawClient(fresh);
    const schema = fresh.options.schema ?? 'public';
    try {
      for (const m of (await loadMigrations()).filter((m) => m.version < '004')) {
        writeFileSync(path.join(dir, `${m.version}_${m.name}.sql`), m.sql);
      }
      await migrate(db, schema, silentLogger, dir);
      // Rows as the engine wrote them before it recorded outcomes: no sla.outcome, no clock owner.
      const legacy = (e: ReturnType<typeof seedQuarter>[number]) => {
        const { outcome: _o, responseType: _r, clockOwnerId: _c, breachedOwnerId: _b, step: _s, ...sla } = e.lead.sla;
        return { ...e, id: `legacy-${e.id}`, leadId: `legacy-${e.leadId}`, lead: { ...e.lead, sla } };
      };
      const old = seedRuns()
        .filter((r) => r.leadId === L.reassignedThenMet || r.leadId === L.breachedThenWorked)
        .flatMap((r) => r.events);
      await db.query(INSERT_EVENTS, [JSON.stringify(old.map(legacy))]);
      await db.query(INSERT_EVENTS, [JSON.stringify(seedQuarter().filter((e) => e.leadId === L.decayedUntouched))]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const ledger = await fresh.open();
    try {
      const report = await slaReport(ledger, Q4);
      const by = (id: string) => report.leads.find((l) => l.leadId === id);
      // Backfilled from the engine's outcome...
      expect(by(L.decayedUntouched)).toMatchObject({ status: 'CLOSED_UNWORKED', ownerId: REP_B });
      // ...or, for rows without one, the old rule: breached or touched, owner at qualification.
      expect(by(`legacy-${L.reassignedThenMet}`)).toMatchObject({ status: 'MET', ownerId: REP_B, responseType: null });
      expect(by(`legacy-${L.breachedThenWorked}`)).toMatchObject({
        status: 'BREACHED',
        ownerId: REP_A,
        breachedOwnerId: null,
      });
    } finally {
      await ledger.close();
      await fresh.cleanup();
    }
  });
});

async function rawClient(target: LedgerTarget): Promise<SqlClient> {
  const schema = target.options.schema ?? 'public';
  return target.options.databaseUrl
    ? connectPostgres(target.options.databaseUrl, schema, silentLogger)
    : openPglite(target.options.dataDir ?? '', schema);
}

describe('migrations 003 and 004', () => {
  it.each(['003_sla_cycles.sql', '004_sla_outcomes.sql'])('%s ranks kinds in the order of the domain model', (file) => {
    const migration = readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
    const arrays = [...migration.matchAll(/array_position\(ARRAY\[([^\]]+)\]/g)].map((m) =>
      m[1]?.replace(/'/g, '').split(/,\s*/),
    );
    expect(arrays).toHaveLength(2);
    for (const kinds of arrays) expect(kinds).toEqual([...KINDS]);
  });

  it('004 ranks every outcome the engine can record', () => {
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '004_sla_outcomes.sql'), 'utf8');
    const ranked = [...migration.matchAll(/WHEN '([A-Z_]+)' THEN \d/g)].map((m) => m[1]);
    expect([...ranked].sort()).toEqual([...slaOutcomeSchema.options].sort());
  });
});
