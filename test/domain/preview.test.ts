import { previewQuerySchema, previewSla, UnknownTeamError, type SlaPreview } from '../../src/domain/preview';
import type { Kind } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import { testPolicy } from '../helpers/policy';
import { activity, advance, apply, DAY, freshLead, HOT, iso, ledger, nyIso, trigger } from './lead-fixtures';

const policy = testPolicy();
const REP = '005000000000002AAA';
const FALLBACK = '00G000000000001EAA';
const MANAGER = '005000000000001AAA';

const preview = (
  kind: Kind,
  at: string,
  patch: { team?: string; ownerId?: string } = {},
  p: Policy = policy,
): SlaPreview => previewSla(p, previewQuerySchema.parse({ kind, team: 'na', at, ...patch }));
const utc = (steps: SlaPreview['breachSteps']) => steps.map((s) => `${s.type} ${s.at.utc}`);

describe('previewSla on the default policy (America/New_York, Mon-Fri 09:00-17:00)', () => {
  it('a hand-raiser on a Friday evening is due on Monday morning, in UTC and New York time', () => {
    const p = preview('HAND_RAISE', '2026-12-04T21:30:00Z');
    expect(p.handedToSalesAt.local).toBe('2026-12-04T16:30:00-05:00');
    // 30 minutes on Friday before 17:00, the other 30 on Monday after 09:00.
    expect(p.firstTouchDueAt).toEqual({ utc: '2026-12-07T14:30:00.000Z', local: '2026-12-07T09:30:00-05:00' });
    expect(p.reminders).toEqual([
      { fraction: 0.5, at: { utc: '2026-12-04T22:00:00.000Z', local: '2026-12-04T17:00:00-05:00' } },
      { fraction: 0.8, at: { utc: '2026-12-07T14:18:00.000Z', local: '2026-12-07T09:18:00-05:00' } },
    ]);
    expect(p.timezone).toBe('America/New_York');
    expect(p.window).toEqual({ within: '1h', clock: 'business' });
  });

  it('reminders by the engine fall at the same instants as the ones set on the Salesforce tasks', () => {
    const at = '2026-12-04T21:30:00Z';
    const p = preview('HAND_RAISE', at, { ownerId: REP }, testPolicy({ sla: { reminderDelivery: 'engine' } }));
    expect(p.reminders).toEqual(preview('HAND_RAISE', at, { ownerId: REP }).reminders);
    const handedOff = apply(freshLead(policy, Date.parse(at)), trigger(Date.parse(at), { kind: 'HAND_RAISE', ownerId: REP }), Date.parse(at), policy);
    const set = handedOff.effects.flatMap((e) => (e.type === 'upsertTask' ? [e.task.reminderAt] : []));
    expect(set).toEqual(p.reminders.map((r) => r.at.utc));
  });

  it('skips a holiday: an MQL the evening before Thanksgiving is due one business day after Friday opens', () => {
    const p = preview('MQL', nyIso('2026-11-25T18:00'));
    // One working day, counted from the next opening: Thursday 2026-11-26 is a holiday, so Friday 09:00 → Monday 09:00.
    expect(p.firstTouchDueAt.local).toBe('2026-11-30T09:00:00-05:00');
  });

  it('follows the clock change: windows across the fall-back and spring-forward weekends', () => {
    // Friday 2026-10-30 16:30 EDT (UTC-4); due Monday 2026-11-02 09:30 EST (UTC-5).
    const fall = preview('PQL', '2026-10-30T20:30:00Z');
    expect(fall.handedToSalesAt.local).toBe('2026-10-30T16:30:00-04:00');
    expect(fall.firstTouchDueAt).toEqual({ utc: '2026-11-02T14:30:00.000Z', local: '2026-11-02T09:30:00-05:00' });
    // Friday 2027-03-12 16:45 EST; due Monday 2027-03-15 09:45 EDT.
    const spring = preview('HAND_RAISE', '2027-03-12T21:45:00Z');
    expect(spring.firstTouchDueAt).toEqual({ utc: '2027-03-15T13:45:00.000Z', local: '2027-03-15T09:45:00-04:00' });
  });

  it('a lead without an owner belongs to the fallback queue: its breach restarts the clock, then the escalation repeats', () => {
    const p = preview('HAND_RAISE', '2026-12-04T21:30:00Z');
    expect(p.ownerId).toBe(FALLBACK);
    expect(p.breachSteps).toEqual([
      { type: 'BREACH', at: p.firstTouchDueAt, ownerId: FALLBACK, window: 1 },
      { type: 'ESCALATE', at: p.firstTouchDueAt, to: MANAGER, ownerId: FALLBACK },
      { type: 'RESTART', at: p.firstTouchDueAt, ownerId: FALLBACK, dueAt: { utc: '2026-12-07T15:30:00.000Z', local: '2026-12-07T10:30:00-05:00' } },
      { type: 'REPEAT', at: { utc: '2026-12-07T15:30:00.000Z', local: '2026-12-07T10:30:00-05:00' }, ownerId: FALLBACK, nextAt: { utc: '2026-12-07T16:30:00.000Z', local: '2026-12-07T11:30:00-05:00' } },
      { type: 'ESCALATE', at: { utc: '2026-12-07T15:30:00.000Z', local: '2026-12-07T10:30:00-05:00' }, to: MANAGER, ownerId: FALLBACK },
    ]);
  });

  it("a rep's breach escalates and hands the lead to the fallback owner with a fresh window counted from the breach", () => {
    const p = preview('HAND_RAISE', '2026-12-04T21:30:00Z', { ownerId: REP });
    expect(utc(p.breachSteps)).toEqual([
      'BREACH 2026-12-07T14:30:00.000Z',
      'ESCALATE 2026-12-07T14:30:00.000Z',
      'REASSIGN 2026-12-07T14:30:00.000Z',
      'REPEAT 2026-12-07T15:30:00.000Z',
      'ESCALATE 2026-12-07T15:30:00.000Z',
    ]);
    expect(p.breachSteps[2]).toMatchObject({ from: REP, to: FALLBACK, dueAt: { local: '2026-12-07T10:30:00-05:00' } });
  });

  it('honours the onBreach shorthand: no reassignment when maxReassignments is 0 or reassignTo is none, no escalation without notifyManager', () => {
    const none = testPolicy({ sla: { escalation: undefined, onBreach: { reassignTo: 'fallback', notifyManager: false, maxReassignments: 0 } } });
    expect(preview('MQL', '2026-12-01T15:00:00Z', { ownerId: REP }, none).breachSteps.map((s) => s.type)).toEqual(['BREACH', 'RESTART', 'REPEAT', 'ESCALATE']);
    const noFallback = testPolicy({ sla: { escalation: undefined, onBreach: { reassignTo: 'none', notifyManager: true, maxReassignments: 2 } } });
    expect(preview('MQL', '2026-12-01T15:00:00Z', { ownerId: REP }, noFallback).breachSteps.map((s) => s.type)).toEqual(['BREACH', 'ESCALATE', 'RESTART', 'REPEAT', 'ESCALATE']);
  });

  it('a 24/7 team counts elapsed time and answers in UTC; a calendar-clock window ignores working hours', () => {
    const always = testPolicy({
      teams: [{ id: 'na', calendar: 'always', fallbackOwnerId: FALLBACK, managerId: MANAGER }],
    });
    const p = preview('HAND_RAISE', '2026-12-05T03:00:00Z', {}, always);
    expect(p.timezone).toBe('UTC');
    expect(p.firstTouchDueAt).toEqual({ utc: '2026-12-05T04:00:00.000Z', local: '2026-12-05T04:00:00Z' });
    const calendarClock = testPolicy({ sla: { firstTouch: { MQL: { within: '2h', clock: 'calendar' } } } });
    const q = preview('MQL', '2026-12-05T03:00:00Z', {}, calendarClock);
    expect(q.firstTouchDueAt.utc).toBe('2026-12-05T05:00:00.000Z');
    expect(q.reminders.map((r) => r.at.utc)).toEqual(['2026-12-05T04:00:00.000Z', '2026-12-05T04:36:00.000Z']);
  });

  it('refuses an unknown team (no silent default team), an unknown kind and a bad instant', () => {
    expect(() => preview('HAND_RAISE', '2026-12-04T21:30:00Z', { team: 'emea' })).toThrow(UnknownTeamError);
    expect(() => preview('HAND_RAISE', '2026-12-04T21:30:00Z', { team: 'emea' })).toThrow(
      'unknown team "emea" (known: na)',
    );
    expect(previewQuerySchema.safeParse({ kind: 'WARM', team: 'na', at: '2026-12-04T21:30:00Z' }).success).toBe(false);
    expect(previewQuerySchema.safeParse({ kind: 'MQL', team: 'na', at: '2026-12-04 21:30' }).success).toBe(false);
    expect(previewQuerySchema.safeParse({ kind: 'MQL', team: 'na', at: '2026-02-30T10:00:00Z' }).success).toBe(false);
  });

  it('normalizes a 15-character owner id to 18 characters', () => {
    expect(preview('MQL', '2026-12-01T15:00:00Z', { ownerId: '005000000000002' }).ownerId).toBe(REP);
  });
});

describe('the preview agrees with the lifecycle', () => {
  // A lead handed to sales at each instant, left untouched: the lifecycle's own reminders, breaches,
  // escalations and reassignments must fall where the preview says.
  const instants = [
    '2026-12-04T21:30:00Z',
    nyIso('2026-11-25T16:50'),
    '2026-10-30T20:30:00Z',
    '2027-03-12T21:45:00Z',
    nyIso('2026-12-02T10:00'),
  ];
  const deliveries = { salesforce: policy, engine: testPolicy({ sla: { reminderDelivery: 'engine' } }) };
  it.each(
    instants.flatMap((at) =>
      (['HAND_RAISE', 'MQL'] as const).flatMap((kind) =>
        [REP, undefined].flatMap((ownerId) => (['salesforce', 'engine'] as const).map((d) => [at, kind, ownerId, d] as const)),
      ),
    ),
  )('handed to sales at %s, kind %s, owner %s, reminders by %s', (at, kind, ownerId, delivery) => {
    const policy = deliveries[delivery];
    const now = Date.parse(at);
    const started = apply(
      freshLead(policy, now),
      trigger(now, {
        kind,
        firmographics: HOT,
        activities: [activity('demo_request', now)],
        ...(ownerId ? { ownerId } : {}),
      }),
      now,
      policy,
    );
    const { effects } = advance(started.state, now + 30 * DAY, policy);
    const events = ledger(effects);
    const p = preview(kind, at, ownerId ? { ownerId } : {}, policy);
    expect(started.state.sla.dueAt).toBe(p.firstTouchDueAt.utc);
    const firstDue = Date.parse(p.firstTouchDueAt.utc);
    // The engine writes a row when each reminder is due; Salesforce pops the instants set on the handoff's tasks.
    const reminders =
      delivery === 'engine'
        ? events.filter((e) => e.type === 'SLA_REMINDER' && Date.parse(e.at) < firstDue).map((e) => e.at)
        : started.effects.flatMap((e) => (e.type === 'upsertTask' && e.task.reminderAt ? [e.task.reminderAt] : []));
    expect(reminders).toEqual(p.reminders.map((r) => r.at.utc).filter((t) => delivery === 'salesforce' || Date.parse(t) < firstDue));
    if (delivery === 'salesforce') expect(events.filter((e) => e.type === 'SLA_REMINDER')).toEqual([]);
    const names: Record<string, string> = { SLA_BREACHED: 'BREACH', ESCALATED: 'ESCALATE', REASSIGNED: 'REASSIGN', SLA_RESTARTED: 'RESTART', ESCALATION_REPEATED: 'REPEAT' };
    const steps = events.filter((e) => e.type in names).map((e) => `${names[e.type]} ${iso(Date.parse(e.at))}`);
    // The preview stops once the escalation repeats; the lead would go on repeating it.
    expect(steps.slice(0, p.breachSteps.length)).toEqual(utc(p.breachSteps));
  });
});
