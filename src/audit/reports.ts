/**
 * RevOps reports from the ledger (docs/contracts/http-api.md). The rules, as RevOps will be asked about them:
 *
 * - A lead counts once per qualification cycle, in the window holding its `qualifiedAt` (the
 *   hand-off to sales). A recycled lead that qualifies again is a new row.
 * - The status is the outcome the engine recorded for the cycle (`lead.sla.outcome`), never
 *   re-derived here: BREACHED if the cycle ever breached its first-touch SLA, even if someone
 *   worked it later; MET if it was worked (accept, reject or contact attempt) in time;
 *   CLOSED_UNWORKED if it closed before anyone responded (disqualified, decayed); PENDING if none
 *   of these has happened yet.
 * - `responseType` says what stopped the clock: `contact`, `accept` or `reject`.
 * - The owner a cycle counts for is the one who held the clock when it was decided: met, the clock
 *   owner at the first touch; breached, the clock owner at the first breach (`breachedOwnerId`,
 *   also given on its own), not the fallback who rescued the lead afterwards; closed unworked, the
 *   clock owner at the close; pending, the one holding the clock now.
 * - `dueAt` is the deadline in force when the outcome was decided (the missed one for a breach);
 *   time to action after a breach is `firstTouchAt − dueAt`, in calendar time.
 * - The compliance rate is met / (met + breached): pending cycles are not decided yet, and closed
 *   unworked ones were never worked, so neither counts.
 * - Percentiles are nearest-rank (observed values) over the cycles that were worked.
 */
import type { AuditEvent } from '../domain/effects';
import { type Kind, KINDS, STAGES } from '../domain/model';
import { csvRecord } from './csv';
import type { Ledger, SlaCycleFacts } from './ledger';
import {
  CONVERSION_STEPS,
  type FunnelQuery,
  type FunnelReport,
  SLA_CSV_COLUMNS,
  type SlaCounts,
  type SlaFilter,
  type SlaLead,
  type SlaOutcome,
  type SlaReport,
  type TimelineEntry,
} from './schemas';
import { percentiles, rate, WEEK_MS, weekStartMs } from './stats';

export type Progress = (done: number, total: number) => void;

/** The engine's outcome; a cycle written before the engine recorded one (before migration 004) by the old rule. */
function slaOutcome(facts: Pick<SlaCycleFacts, 'outcome' | 'everBreached' | 'breaches' | 'firstTouchAt'>): SlaOutcome {
  if (facts.outcome !== null) return facts.outcome;
  if (facts.everBreached || facts.breaches > 0) return 'BREACHED';
  return facts.firstTouchAt ? 'MET' : 'PENDING';
}

/** One `leads[]` row from what the ledger knows about a cycle. */
export function slaLeadOf(f: SlaCycleFacts): SlaLead {
  const status = slaOutcome(f);
  return {
    leadId: f.leadId,
    kind: f.kind,
    ownerId: f.ownerId,
    breachedOwnerId: f.breachedOwnerId,
    team: f.team,
    qualifiedAt: f.qualifiedAt,
    dueAt: f.dueAt,
    firstTouchAt: f.firstTouchAt,
    status,
    breaches: f.breaches,
    policyVersion: f.policyVersion,
    workflowId: f.workflowId,
    cycle: f.cycle,
    responseType: f.responseType,
    responseBusinessMs: f.responseBusinessMs,
    responseCalendarMs: f.responseCalendarMs,
    timeToActionMs:
      status === 'BREACHED' && f.firstTouchAt && f.dueAt ? Date.parse(f.firstTouchAt) - Date.parse(f.dueAt) : null,
  };
}

/**
 * The SLA compliance report. With `onProgress` the window is read a week at a time so a long
 * export can show how far it is; the answer is the same.
 */
export async function slaReport(ledger: Ledger, filter: SlaFilter, onProgress?: Progress): Promise<SlaReport> {
  const slices = onProgress ? weekSlices(filter.from, filter.to) : [[filter.from, filter.to] as const];
  const facts: SlaCycleFacts[] = [];
  for (const [i, [from, to]] of slices.entries()) {
    facts.push(...(await ledger.slaCycles({ ...filter, from, to })));
    onProgress?.(i + 1, slices.length);
  }
  return summarizeSla(filter.from, filter.to, facts.map(slaLeadOf));
}

function weekSlices(from: string, to: string): (readonly [string, string])[] {
  const end = Date.parse(to);
  const slices: (readonly [string, string])[] = [];
  for (let t = Date.parse(from); t < end; t += WEEK_MS) {
    slices.push([new Date(t).toISOString(), new Date(Math.min(t + WEEK_MS, end)).toISOString()]);
  }
  return slices;
}

type Tally = SlaCounts;

function tally<K>(groups: Map<K, Tally>, key: K, status: SlaOutcome): void {
  let t = groups.get(key);
  if (!t) {
    t = { ...EMPTY };
    groups.set(key, t);
  }
  t.leads += 1;
  t[COUNTER[status]] += 1;
}

const COUNTER = {
  MET: 'met',
  BREACHED: 'breached',
  PENDING: 'pending',
  CLOSED_UNWORKED: 'closedUnworked',
} as const satisfies Record<SlaOutcome, keyof Tally>;
const EMPTY: Tally = { leads: 0, met: 0, breached: 0, pending: 0, closedUnworked: 0 };
const withRate = (t: Tally = EMPTY) => ({ ...t, complianceRate: rate(t.met, t.met + t.breached) });
const byName = (a: string | null, b: string | null): number => (a ?? '').localeCompare(b ?? '');

/** The report's figures from its rows, in one pass (a quarter is ~100,000 rows). */
export function summarizeSla(from: string, to: string, leads: SlaLead[]): SlaReport {
  const all = new Map<null, Tally>();
  const kinds = new Map<Kind, Tally>();
  const owners = new Map<string | null, Tally>();
  const teams = new Map<string, Tally>();
  const weeks = new Map<number, Tally>();
  const versions = new Map<string, Tally>();
  const business: number[] = [];
  const calendar: number[] = [];
  const afterBreach: number[] = [];
  for (const l of leads) {
    tally(all, null, l.status);
    tally(kinds, l.kind, l.status);
    tally(owners, l.ownerId, l.status);
    tally(teams, l.team, l.status);
    tally(weeks, weekStartMs(Date.parse(l.qualifiedAt)), l.status);
    tally(versions, l.policyVersion, l.status);
    if (l.firstTouchAt !== null && l.responseBusinessMs !== null) business.push(l.responseBusinessMs);
    if (l.firstTouchAt !== null && l.responseCalendarMs !== null) calendar.push(l.responseCalendarMs);
    if (l.timeToActionMs !== null) afterBreach.push(l.timeToActionMs);
  }
  const { complianceRate, ...totals } = withRate(all.get(null));
  const byWeek: SlaReport['byWeek'] = [];
  for (let w = weekStartMs(Date.parse(from)); w < Date.parse(to); w += WEEK_MS) {
    byWeek.push({ weekStart: new Date(w).toISOString(), ...withRate(weeks.get(w)) });
  }
  return {
    from,
    to,
    totals,
    complianceRate,
    byKind: KINDS.map((kind) => ({ kind, ...withRate(kinds.get(kind)) })),
    byOwner: [...owners]
      .map(([ownerId, t]) => ({ ownerId, ...withRate(t) }))
      .sort((a, b) => b.breached - a.breached || b.leads - a.leads || byName(a.ownerId, b.ownerId)),
    byTeam: [...teams].map(([team, t]) => ({ team, ...withRate(t) })).sort((a, b) => byName(a.team, b.team)),
    byWeek,
    byPolicyVersion: [...versions]
      .map(([policyVersion, t]) => ({ policyVersion, ...withRate(t) }))
      .sort((a, b) => byName(a.policyVersion, b.policyVersion)),
    responseTime: { business: percentiles(business), calendar: percentiles(calendar) },
    timeToActionAfterBreach: { leads: afterBreach.length, ...percentiles(afterBreach) },
    leads,
  };
}

/** `text/csv`: a header row, then one row per lead cycle with the docs/contracts/http-api.md columns. */
export function slaCsv(leads: readonly SlaLead[]): string {
  return csvRecord(SLA_CSV_COLUMNS) + leads.map((l) => csvRecord(SLA_CSV_COLUMNS.map((c) => l[c]))).join('');
}

export async function funnelReport(ledger: Ledger, window: FunnelQuery): Promise<FunnelReport> {
  const facts = await ledger.funnel(window);
  const convertedBy = { MQL: facts.converted.mqlSal, SAL: facts.converted.salSql, SQL: facts.converted.sqlConverted };
  const reasons = (type: 'RECYCLED' | 'DISQUALIFIED') =>
    facts.reasons.filter((r) => r.type === type).map(({ reason, count }) => ({ reason, count }));
  return {
    from: window.from,
    to: window.to,
    stages: STAGES.map((stage) => ({ stage, leads: facts.stages[stage] })),
    conversion: CONVERSION_STEPS.map(([from, to]) => {
      const leads = facts.stages[from];
      const converted = convertedBy[from];
      return { from, to, leads, converted, rate: rate(converted, leads) };
    }),
    recycleReasons: reasons('RECYCLED'),
    disqualifyReasons: reasons('DISQUALIFIED'),
  };
}

/** An audit event as a timeline entry, whichever source it was read from. */
export function timelineEntryOf(e: AuditEvent): Omit<TimelineEntry, 'source'> {
  return {
    id: e.id,
    at: e.at,
    type: e.type,
    actor: e.actor,
    detail: e.detail,
    cycle: e.cycle,
    stage: e.lead.stage,
    policyVersion: e.policyVersion,
  };
}

/** A lead's ledger events as timeline entries, oldest first. */
export async function timeline(ledger: Ledger, leadId: string): Promise<TimelineEntry[]> {
  return (await ledger.events(leadId)).map((e) => ({ source: 'ledger', ...timelineEntryOf(e) }));
}

type Unsourced = Omit<TimelineEntry, 'source'>;

/**
 * One timeline from the ledger and the Temporal history (while Temporal still retains it): each
 * entry marked with the source it came from, ordered by server time (ties keep each source's own
 * order, ledger first). An entry whose id is already present is dropped, the ledger's copy
 * winning: give a history event that carries an audit event id (the appendAudit activity input)
 * that id, and it collapses into its ledger row.
 */
export function mergeTimeline(ledgerEntries: readonly Unsourced[], temporalEntries: readonly Unsourced[]): TimelineEntry[] {
  const seen = new Set<string>();
  const merged: { entry: TimelineEntry; at: number; order: number }[] = [];
  const add = (entries: readonly Unsourced[], source: TimelineEntry['source']) => {
    for (const e of entries) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      merged.push({ entry: { ...e, source }, at: Date.parse(e.at), order: merged.length });
    }
  };
  add(ledgerEntries, 'ledger');
  add(temporalEntries, 'temporal');
  return merged.sort((a, b) => a.at - b.at || a.order - b.order).map((m) => m.entry);
}
