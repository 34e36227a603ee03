import type { Effect } from '../../src/domain/effects';
import { ACTIONS, type Action, type LeadEvent, type Trigger } from '../../src/domain/inputs';
import { ALLOWED_ACTIONS, isClosed, nextDeadline, refusal, step } from '../../src/domain/lifecycle';
import { STAGES, type Stage } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import type { LeadState } from '../../src/domain/state';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import {
  activity,
  advance,
  apply,
  auditTypes,
  COLD,
  DAY,
  engagement,
  freshLead,
  handRaiser,
  HOT,
  HOUR,
  iso,
  LEAD_ID,
  ledger,
  MINUTE,
  MON_0900,
  ny,
  nyIso,
  plainMql,
  PREFIX,
  shape,
  syncs,
  tasks,
  TEAM,
  trigger,
  type Applied,
} from './lead-fixtures';

const policy = testPolicy();

const accept = (repId = 'rep-1'): LeadEvent => ({ type: 'accept', repId });
const contact = (channel: 'call' | 'email' | 'sms' | 'linkedin', outcome: 'no_answer' | 'voicemail' | 'connected' | 'replied' = 'no_answer', repId = 'rep-1'): LeadEvent => ({
  type: 'contact',
  repId,
  channel,
  outcome,
});
const BANT = { budget: '50k', authority: 'VP Sales signs', need: 'carrier integration', timeline: 'Q1' };
const qualify = (repId = 'rep-1'): LeadEvent => ({ type: 'qualify', repId, bant: BANT });
const convert = (repId = 'rep-1'): LeadEvent => ({ type: 'convert', repId, opportunityId: '006000000000001AAA' });
const TICK: LeadEvent = { type: 'tick' };

/** Applies events one after another at the given instants, collecting every effect. */
function run(state: LeadState, steps: [LeadEvent, number][], p: Policy = policy): Applied {
  const effects: Effect[] = [];
  for (const [event, at] of steps) {
    const r = apply(state, event, at, p);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

function refused(state: LeadState, event: LeadEvent, now: number, p: Policy = policy) {
  const before = JSON.stringify(state);
  const result = step(state, event, now, p);
  if (result.ok) throw new Error(`expected ${event.type} to be refused in ${state.stage}`);
  expect(JSON.stringify(state)).toBe(before);
  expect(refusal(state, event, p)).toEqual(result.refusal);
  return result.refusal;
}

describe('qualification by a CRM trigger', () => {
  it('hands a Wednesday-afternoon hand-raiser to sales due Friday 09:30 NY (Thanksgiving is not working time)', () => {
    const at = ny('2026-11-25T16:30');
    const { state, effects } = handRaiser(policy, at, 'rep-1');
    const due = nyIso('2026-11-27T09:30');
    expect(shape(effects)).toEqual(['ledger:QUALIFIED', 'task:HANDOFF', 'sync']);
    expect(effects.map((e) => e.id)).toEqual([`${PREFIX}-1`, `${PREFIX}-2`, `${PREFIX}-3`]);

    const [qualified] = ledger(effects);
    expect(qualified).toEqual({
      id: `${PREFIX}-1`,
      leadId: LEAD_ID,
      workflowId: 'lead-L1',
      type: 'QUALIFIED',
      at: iso(at),
      actor: 'crm',
      cycle: 1,
      policyVersion: '2026-11-01',
      detail: { kind: 'HAND_RAISE', fitScore: 80, intentScore: 50, dueAt: due },
      lead: {
        stage: 'MQL',
        kind: 'HAND_RAISE',
        ownerId: 'rep-1',
        team: 'na',
        fitScore: 80,
        intentScore: 50,
        qualifiedAt: iso(at),
        sla: {
          dueAt: due,
          firstDueAt: due,
          status: 'ON_TRACK',
          firstTouchAt: null,
          breaches: 0,
          escalations: 0,
          reassignments: 0,
          responseBusinessMs: null,
          responseCalendarMs: null,
        },
        cadence: { attempts: 0, connected: false, channels: [] },
        recycleReason: null,
      },
    });

    expect(tasks(effects)).toEqual([
      {
        externalId: `${PREFIX}-2`,
        leadId: LEAD_ID,
        kind: 'HANDOFF',
        ownerId: 'rep-1',
        subject: `Hand raiser: work by ${due}`,
        description: `Handed to sales by Handoff (policy 2026-11-01). First touch or accept due ${due}.`,
        dueAt: due,
        reminderAt: null,
        priority: 'High',
        packet: {
          kind: 'HAND_RAISE',
          dueAt: due,
          fitScore: 80,
          fitBreakdown: [
            { rule: 'industry in [Software, Fintech, Logistics]', points: 20 },
            { rule: 'employees 50-500', points: 20 },
            { rule: 'region in [NA, EMEA]', points: 15 },
            { rule: 'title ~ /\\b(VP|Vice President|Director|Head of)\\b/', points: 25 },
          ],
          intentScore: 50,
          intentBreakdown: [{ type: 'demo_request', occurredAt: iso(at), points: 50, current: 50 }],
          firmographics: HOT,
        },
      },
    ]);

    expect(syncs(effects)).toEqual([
      {
        leadId: LEAD_ID,
        workflowId: 'lead-L1',
        stage: 'MQL',
        kind: 'HAND_RAISE',
        ownerId: 'rep-1',
        fitScore: 80,
        intentScore: 50,
        slaDueAt: due,
        slaStatus: 'ON_TRACK',
        firstTouchAt: null,
        slaBreaches: 0,
        contactAttempts: 0,
        recycleReason: null,
        recycleNotes: null,
      },
    ]);

    expect(state).toMatchObject({
      stage: 'MQL',
      kind: 'HAND_RAISE',
      cycle: 1,
      ownerId: 'rep-1',
      qualifiedAt: iso(at),
      stageEnteredAt: iso(at),
      handoffTaskId: `${PREFIX}-2`,
      seq: 3,
      seenEventIds: [expect.any(String)],
      nextDecayAt: iso(at + DAY),
      sla: { dueAt: due, firstDueAt: due, windowStartedAt: iso(at), windowOpen: true, status: 'ON_TRACK', remindersSent: 0 },
    });
    expect(state.history).toEqual([{ at: iso(at), type: 'QUALIFIED', actor: 'crm', detail: qualified!.detail }]);
    expect(isClosed(state)).toBe(false);
    // The first reminder (50% of the hour) falls at Wednesday's closing time.
    expect(nextDeadline(state, policy)).toBe(ny('2026-11-25T17:00'));
  });

  it('hands a product-activation lead to sales as a PQL due in one business hour', () => {
    const { state, effects } = apply(
      freshLead(policy),
      trigger(MON_0900, { firmographics: HOT, activities: [activity('product_activation', MON_0900)] }),
      MON_0900,
      policy,
    );
    expect(state).toMatchObject({ stage: 'MQL', kind: 'PQL', intentScore: 40, sla: { dueAt: nyIso('2026-11-23T10:00') } });
    expect(tasks(effects)[0]).toMatchObject({ subject: `Product-qualified lead: work by ${nyIso('2026-11-23T10:00')}`, priority: 'High' });
  });

  it('hands inferred interest to sales as an MQL due in 24 business hours (three working days)', () => {
    const { state, effects } = apply(
      freshLead(policy),
      trigger(MON_0900, {
        firmographics: HOT,
        activities: [activity('webinar', MON_0900), activity('whitepaper', MON_0900), activity('pricing_visit', MON_0900)],
      }),
      MON_0900,
      policy,
    );
    const due = nyIso('2026-11-25T17:00');
    expect(state).toMatchObject({ stage: 'MQL', kind: 'MQL', intentScore: 34, sla: { dueAt: due, firstDueAt: due } });
    expect(tasks(effects)[0]).toMatchObject({ subject: `New MQL: work by ${due}`, priority: 'Normal', dueAt: due });
  });

  it('counts a Friday-afternoon MQL\'s 24 business hours over the weekend: due Wednesday 16:00', () => {
    const { state } = plainMql(policy, ny('2026-11-27T16:00'));
    expect(state.sla.dueAt).toBe(nyIso('2026-12-02T16:00'));
  });

  it('starts the clock at the next opening when qualified at night: Saturday 22:00 → Monday 10:00', () => {
    const { state } = handRaiser(policy, ny('2026-11-21T22:00'));
    expect(state.sla.dueAt).toBe(nyIso('2026-11-23T10:00'));
  });

  it('routes high fit, low intent to NURTURE once, without a task', () => {
    const first = apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT, activities: [activity('email_open', MON_0900)] }), MON_0900, policy);
    expect(shape(first.effects)).toEqual(['ledger:ROUTED_TO_NURTURE', 'sync']);
    expect(ledger(first.effects)[0]).toMatchObject({ actor: 'crm', cycle: 1, detail: { fitScore: 80, intentScore: 1, from: 'NURTURE' } });
    expect(first.state).toMatchObject({ stage: 'NURTURE', cycle: 1, ignored: false, ownerId: null, qualifiedAt: null, sla: { status: 'NOT_APPLICABLE', dueAt: null } });
    expect(isClosed(first.state)).toBe(false);
    expect(nextDeadline(first.state, policy)).toBe(MON_0900 + DAY);

    const again = apply(first.state, trigger(MON_0900 + HOUR, { activities: [activity('email_open', MON_0900 + HOUR)] }), MON_0900 + HOUR, policy);
    expect(shape(again.effects)).toEqual(['sync']);
    expect(again.state).toMatchObject({ stage: 'NURTURE', cycle: 1, intentScore: 2 });
  });

  it('routes low fit, high intent to REVIEW with a task for the manager due in one business day', () => {
    const { state, effects } = apply(
      freshLead(policy),
      trigger(MON_0900, { firmographics: COLD, activities: [activity('demo_request', MON_0900)] }),
      MON_0900,
      policy,
    );
    const due = nyIso('2026-11-24T09:00');
    expect(shape(effects)).toEqual(['ledger:ROUTED_TO_REVIEW', 'task:REVIEW', 'sync']);
    expect(ledger(effects)[0]!.detail).toEqual({ fitScore: 0, intentScore: 50, reviewDueAt: due });
    expect(tasks(effects)[0]).toMatchObject({
      kind: 'REVIEW',
      ownerId: TEAM.managerId,
      dueAt: due,
      priority: 'Normal',
      subject: 'Review lead L1: low fit, high intent',
      packet: { kind: 'HAND_RAISE', fitScore: 0, intentScore: 50 },
    });
    expect(state).toMatchObject({ stage: 'REVIEW', kind: 'HAND_RAISE', cycle: 1, reviewDueAt: due, sla: { status: 'NOT_APPLICABLE' } });
    expect(nextDeadline(state, policy)).toBe(ny('2026-11-24T09:00'));
  });

  it('ignores low fit, low intent: the workflow closes', () => {
    const { state, effects } = apply(
      freshLead(policy),
      trigger(MON_0900, { firmographics: COLD, activities: [activity('email_open', MON_0900)] }),
      MON_0900,
      policy,
    );
    expect(shape(effects)).toEqual(['ledger:IGNORED', 'sync']);
    expect(ledger(effects)[0]!.detail).toMatchObject({ fitScore: 0, intentScore: 1 });
    expect(state).toMatchObject({ ignored: true, stage: 'NURTURE', cycle: 1 });
    expect(isClosed(state)).toBe(true);
  });

  it('routes an explicit kind from the CRM straight to MQL, whatever the scores', () => {
    const mql = apply(freshLead(policy), trigger(MON_0900, { kind: 'MQL', firmographics: COLD }), MON_0900, policy);
    expect(mql.state).toMatchObject({ stage: 'MQL', kind: 'MQL', fitScore: 0, intentScore: 0, sla: { dueAt: nyIso('2026-11-25T17:00') } });
    expect(auditTypes(mql.effects)).toEqual(['QUALIFIED']);

    const pql = apply(freshLead(policy), trigger(MON_0900, { kind: 'PQL' }), MON_0900, policy);
    expect(pql.state).toMatchObject({ stage: 'MQL', kind: 'PQL', sla: { dueAt: nyIso('2026-11-23T10:00') } });
  });

  it('gives the lead to the trigger\'s owner, else to the team\'s fallback owner', () => {
    expect(handRaiser(policy, MON_0900, 'rep-7').state.ownerId).toBe('rep-7');
    const fallback = handRaiser(policy, MON_0900, null);
    expect(fallback.state.ownerId).toBe(TEAM.fallbackOwnerId);
    expect(tasks(fallback.effects)[0]!.ownerId).toBe(TEAM.fallbackOwnerId);
  });

  it('uses scores reported by the CRM: fit stays reported, intent replaces older events and decays', () => {
    const first = apply(
      freshLead(policy),
      trigger(MON_0900, {
        fitScore: 72.04,
        intentScore: 44,
        firmographics: COLD,
        activities: [activity('demo_request', MON_0900 - DAY)],
      }),
      MON_0900,
      policy,
    );
    expect(first.state).toMatchObject({
      stage: 'MQL',
      // The demo request happened before the reported score: it is in the 44 already, but it still makes a hand-raiser.
      kind: 'HAND_RAISE',
      fitScore: 72,
      fitBreakdown: [{ rule: 'reported by the CRM', points: 72 }],
      fitReported: true,
      intentScore: 44,
    });
    const later = apply(first.state, trigger(MON_0900 + 30 * DAY, { firmographics: HOT }), MON_0900 + 30 * DAY, policy);
    expect(later.state.fitScore).toBe(72);
    // Only the reported 44 counts (the demo request is older than it), halved after 30 days.
    expect(later.state.intentScore).toBe(22);
  });

  it('refuses a trigger for a team the policy does not know', () => {
    const r = refused(freshLead(policy), trigger(MON_0900, { team: 'emea' }), MON_0900);
    expect(r).toEqual({ code: 'POLICY_VIOLATION', message: 'unknown team "emea" (policy 2026-11-01 knows na)', stage: 'NURTURE', allowed: ['disqualify'] });
  });

  it('uses the trigger\'s team calendar', () => {
    const p = testPolicy({
      teams: [
        { id: 'na', calendar: 'na', fallbackOwnerId: TEAM.fallbackOwnerId, managerId: TEAM.managerId },
        { id: 'global', calendar: 'always', fallbackOwnerId: 'fb-global', managerId: 'mgr-global' },
      ],
    });
    const { state } = apply(freshLead(p), trigger(ny('2026-11-26T12:00'), { team: 'global', kind: 'HAND_RAISE' }), ny('2026-11-26T12:00'), p);
    expect(state).toMatchObject({ team: 'global', ownerId: 'fb-global', sla: { dueAt: nyIso('2026-11-26T13:00') } });
  });
});

describe('engagement', () => {
  it('qualifies a lead in marketing when it crosses the thresholds', () => {
    const nurtured = apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT }), MON_0900, policy).state;
    const r = apply(nurtured, engagement('contact_sales', MON_0900 + HOUR), MON_0900 + HOUR, policy);
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT', 'ledger:QUALIFIED', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects)[0]!.detail).toEqual({ eventId: expect.any(String), type: 'contact_sales', intentScore: 50 });
    expect(r.state).toMatchObject({ stage: 'MQL', kind: 'HAND_RAISE', sla: { dueAt: nyIso('2026-11-23T11:00') } });
  });

  it('records an event type the policy does not know, without scoring it', () => {
    const lead = freshLead(policy);
    const r = apply(lead, engagement('trade_show', MON_0900), MON_0900, policy);
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT']);
    expect(ledger(r.effects)[0]!.detail).toMatchObject({ type: 'trade_show', ignored: 'unknown event type in policy 2026-11-01' });
    expect(r.state.intentEvents).toEqual([]);
  });

  it('scores an unknown event type that carries its own points, with the reported half-life', () => {
    const r = apply(freshLead(policy), engagement('trade_show', MON_0900, { points: 12 }), MON_0900, policy);
    expect(r.state.intentEvents).toEqual([expect.objectContaining({ type: 'trade_show', points: 12, halfLifeMs: 30 * DAY })]);
    expect(r.state.intentScore).toBe(12);
  });
});

describe('the first-touch SLA', () => {
  it('sends reminders at 50% and 80% of the business window, to the owner', () => {
    const { state } = plainMql(policy); // Monday 09:00, due Wednesday 17:00
    const r = advance(state, ny('2026-11-25T16:59'), policy);
    // 12 of 24 working hours: Tuesday 13:00; 19.2 of 24: Wednesday 12:12.
    expect(r.ticks).toEqual([ny('2026-11-24T13:00'), ny('2026-11-25T12:12')]);
    expect(shape(r.effects)).toEqual(['ledger:SLA_REMINDER', 'task:REMINDER', 'ledger:SLA_REMINDER', 'task:REMINDER']);
    expect(ledger(r.effects).map((e) => e.detail)).toEqual([
      { fraction: 0.5, dueAt: nyIso('2026-11-25T17:00'), ownerId: 'rep-1' },
      { fraction: 0.8, dueAt: nyIso('2026-11-25T17:00'), ownerId: 'rep-1' },
    ]);
    expect(tasks(r.effects)).toEqual([
      expect.objectContaining({
        kind: 'REMINDER',
        ownerId: 'rep-1',
        dueAt: nyIso('2026-11-25T17:00'),
        priority: 'High',
        description: '50% of the first-touch window has passed without an accept or a contact attempt.',
        packet: null,
      }),
      expect.objectContaining({ kind: 'REMINDER', description: '80% of the first-touch window has passed without an accept or a contact attempt.' }),
    ]);
    expect(r.state.sla.remindersSent).toBe(2);
    expect(nextDeadline(r.state, policy)).toBe(ny('2026-11-25T17:00'));
  });

  it('a tick that arrives at the deadline skips the reminders: no reminder after the window ended', () => {
    const { state } = handRaiser(policy);
    const r = apply(state, TICK, ny('2026-11-23T10:00'), policy);
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ESCALATED', 'REASSIGNED']);
  });

  it('on breach: SLA_BREACHED, escalation to the manager, reassignment to the fallback owner with a fresh window', () => {
    const { state } = plainMql(policy);
    const before = advance(state, ny('2026-11-25T16:59'), policy).state;
    const r = apply(before, TICK, ny('2026-11-25T17:00'), policy);
    const freshDue = nyIso('2026-12-01T17:00'); // Thanksgiving off: Fri 8h + Mon 8h + Tue 8h
    expect(shape(r.effects)).toEqual([
      'ledger:SLA_BREACHED',
      'ledger:ESCALATED',
      'task:ESCALATION',
      'ledger:REASSIGNED',
      'task:HANDOFF',
      'sync',
    ]);
    const [breached, escalated, reassigned] = ledger(r.effects);
    expect(breached!.detail).toEqual({ dueAt: nyIso('2026-11-25T17:00'), ownerId: 'rep-1', breach: 1 });
    expect(escalated!.detail).toEqual({ to: TEAM.managerId, ownerId: 'rep-1', what: `missed the first-touch SLA due ${nyIso('2026-11-25T17:00')}` });
    expect(reassigned!.detail).toEqual({ from: 'rep-1', to: TEAM.fallbackOwnerId, why: 'first-touch SLA breached', dueAt: freshDue });
    expect(reassigned!.actor).toBeNull();
    const [escalation, handoff] = tasks(r.effects);
    expect(escalation).toMatchObject({ kind: 'ESCALATION', ownerId: TEAM.managerId, dueAt: nyIso('2026-11-25T17:00'), priority: 'High', packet: null });
    expect(handoff).toMatchObject({
      kind: 'HANDOFF',
      ownerId: TEAM.fallbackOwnerId,
      dueAt: freshDue,
      priority: 'High',
      subject: `Reassigned after an SLA breach: work by ${freshDue}`,
      externalId: r.effects[4]!.id,
    });
    expect(syncs(r.effects)[0]).toMatchObject({ ownerId: TEAM.fallbackOwnerId, slaDueAt: freshDue, slaStatus: 'BREACHED', slaBreaches: 1 });
    expect(r.state.sla).toEqual({
      dueAt: freshDue,
      firstDueAt: nyIso('2026-11-25T17:00'),
      windowStartedAt: nyIso('2026-11-25T17:00'),
      windowOpen: true,
      status: 'BREACHED',
      firstTouchAt: null,
      breaches: 1,
      escalations: 1,
      reassignments: 1,
      remindersSent: 0,
      responseBusinessMs: null,
      responseCalendarMs: null,
    });
    expect(r.state.handoffTaskId).toBe(r.effects[4]!.id);
  });

  it('a second breach, by the fallback owner, escalates without reassigning; the time to action is still measured', () => {
    const { state } = plainMql(policy);
    const first = advance(state, ny('2026-11-25T17:00'), policy).state;
    const second = advance(first, ny('2026-12-01T17:00'), policy);
    // The fallback owner's window: reminders at Mon 13:00 (12h) and Tue 12:12 (19.2h), breach Tue 17:00.
    expect(second.ticks).toEqual([ny('2026-11-30T13:00'), ny('2026-12-01T12:12'), ny('2026-12-01T17:00')]);
    expect(shape(second.effects).slice(4)).toEqual(['ledger:SLA_BREACHED', 'ledger:ESCALATED', 'task:ESCALATION', 'sync']);
    expect(ledger(second.effects)[2]!.detail).toEqual({ dueAt: nyIso('2026-12-01T17:00'), ownerId: TEAM.fallbackOwnerId, breach: 2 });
    expect(second.state.ownerId).toBe(TEAM.fallbackOwnerId);
    expect(second.state.sla).toMatchObject({ windowOpen: false, status: 'BREACHED', breaches: 2, escalations: 2, reassignments: 1 });
    expect(nextDeadline(second.state, policy)).toBeNull();

    // Accepted the next morning: 217 h after qualification, 49 working hours (Thanksgiving and the weekend excluded).
    const accepted = apply(second.state, accept(TEAM.fallbackOwnerId), ny('2026-12-02T10:00'), policy);
    expect(accepted.state.sla).toMatchObject({
      firstTouchAt: nyIso('2026-12-02T10:00'),
      status: 'BREACHED',
      responseCalendarMs: 217 * HOUR,
      responseBusinessMs: 49 * HOUR,
    });
    expect(ledger(accepted.effects)[0]!.detail).toEqual({ slaStatus: 'BREACHED', firstTouchAt: nyIso('2026-12-02T10:00') });
    expect(syncs(accepted.effects)[0]).toMatchObject({ stage: 'SAL', slaStatus: 'BREACHED', firstTouchAt: nyIso('2026-12-02T10:00') });
  });

  it('a hand-raiser left alone: breach at 10:00, fallback window to 11:00, final breach, accepted at 13:30', () => {
    const { state } = handRaiser(policy);
    const r = advance(state, ny('2026-11-23T12:00'), policy);
    expect(r.ticks).toEqual(['09:30', '09:48', '10:00', '10:30', '10:48', '11:00'].map((t) => ny(`2026-11-23T${t}`)));
    expect(auditTypes(r.effects)).toEqual([
      'SLA_REMINDER',
      'SLA_REMINDER',
      'SLA_BREACHED',
      'ESCALATED',
      'REASSIGNED',
      'SLA_REMINDER',
      'SLA_REMINDER',
      'SLA_BREACHED',
      'ESCALATED',
    ]);
    const late = apply(r.state, accept(TEAM.fallbackOwnerId), ny('2026-11-23T13:30'), policy);
    expect(late.state.sla).toMatchObject({ responseCalendarMs: 4.5 * HOUR, responseBusinessMs: 4.5 * HOUR, status: 'BREACHED' });
  });

  it('escalates without reassigning when the lead already belongs to the fallback owner', () => {
    const { state } = handRaiser(policy, MON_0900, null);
    const r = apply(state, TICK, ny('2026-11-23T10:00'), policy);
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ESCALATED']);
    expect(r.state.sla).toMatchObject({ windowOpen: false, reassignments: 0 });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['maxReassignments 0', { maxReassignments: 0 }, ['SLA_BREACHED', 'ESCALATED']],
    ['reassignTo none', { reassignTo: 'none' }, ['SLA_BREACHED', 'ESCALATED']],
    ['notifyManager false', { notifyManager: false }, ['SLA_BREACHED', 'REASSIGNED']],
  ])('follows onBreach: %s', (_what, onBreach, expected) => {
    const p = testPolicy({ sla: { onBreach, reminders: [] } });
    const { state } = handRaiser(p);
    const r = apply(state, TICK, ny('2026-11-23T10:00'), p);
    expect(auditTypes(r.effects)).toEqual(expected);
    const taskOf: Record<string, string> = { ESCALATED: 'ESCALATION', REASSIGNED: 'HANDOFF' };
    expect(tasks(r.effects).map((t) => t.kind)).toEqual(expected.flatMap((type) => taskOf[type] ?? []));
  });

  it('respects maxReassignments across manual reassignments', () => {
    const p = testPolicy({ sla: { reminders: [], onBreach: { maxReassignments: 1 } } });
    const { state } = handRaiser(p);
    const r = run(
      state,
      [
        [TICK, ny('2026-11-23T10:00')], // rep-1 breaches → fallback (1 of 1)
        [{ type: 'reassign', actorId: 'mgr', ownerId: 'rep-2' }, ny('2026-11-23T10:15')],
        [TICK, ny('2026-11-23T11:15')], // rep-2 breaches → no more reassignments
      ],
      p,
    );
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ESCALATED', 'REASSIGNED', 'REASSIGNED', 'SLA_BREACHED', 'ESCALATED']);
    expect(r.state).toMatchObject({ ownerId: 'rep-2', sla: { breaches: 2, reassignments: 1, windowOpen: false } });

    const p2 = testPolicy({ sla: { reminders: [] } }); // maxReassignments 2
    const r2 = run(
      handRaiser(p2).state,
      [
        [TICK, ny('2026-11-23T10:00')],
        [{ type: 'reassign', actorId: 'mgr', ownerId: 'rep-2' }, ny('2026-11-23T10:15')],
        [TICK, ny('2026-11-23T11:15')], // rep-2 breaches → fallback (2 of 2)
        [{ type: 'reassign', actorId: 'mgr', ownerId: 'rep-3' }, ny('2026-11-23T11:30')],
        [TICK, ny('2026-11-23T12:30')], // rep-3 breaches → stays
      ],
      p2,
    );
    expect(auditTypes(r2.effects).filter((t) => t === 'REASSIGNED')).toHaveLength(4);
    expect(r2.state).toMatchObject({ ownerId: 'rep-3', sla: { breaches: 3, reassignments: 2, escalations: 3 } });
  });

  it('an accept in time meets the SLA, records the response time and starts the cadence', () => {
    const { state } = plainMql(policy);
    const r = apply(state, accept('rep-2'), ny('2026-11-24T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:ACCEPTED', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'rep-2', detail: { slaStatus: 'MET', firstTouchAt: nyIso('2026-11-24T11:00') } });
    expect(r.state).toMatchObject({
      stage: 'SAL',
      ownerId: 'rep-2',
      stageEnteredAt: nyIso('2026-11-24T11:00'),
      nextDecayAt: null,
      sla: { status: 'MET', firstTouchAt: nyIso('2026-11-24T11:00'), windowOpen: false, responseCalendarMs: 26 * HOUR, responseBusinessMs: 10 * HOUR },
      cadence: { attempts: 0, startedAt: nyIso('2026-11-24T11:00'), dueBy: nyIso('2026-12-04T11:00') },
    });
    expect(syncs(r.effects)[0]).toMatchObject({ stage: 'SAL', ownerId: 'rep-2', slaStatus: 'MET', firstTouchAt: nyIso('2026-11-24T11:00') });
    expect(nextDeadline(r.state, policy)).toBe(ny('2026-12-04T11:00'));
  });

  it('counts the API\'s receive time, not the processing time, for the SLA', () => {
    const { state } = handRaiser(policy);
    // The workflow passes the API's receivedAt along with the action.
    const received = (receivedAt: string): LeadEvent => Object.assign(accept(), { receivedAt });
    const r = apply(state, received(nyIso('2026-11-23T09:55')), ny('2026-11-23T10:05'), policy);
    expect(r.state.sla).toMatchObject({ status: 'MET', firstTouchAt: nyIso('2026-11-23T09:55') });
    // A receive time in the future is clamped to now.
    const future = apply(state, received(nyIso('2026-11-23T11:00')), ny('2026-11-23T09:40'), policy);
    expect(future.state.sla.firstTouchAt).toBe(nyIso('2026-11-23T09:40'));
  });

  it('a contact attempt in MQL is the first touch and accepts the lead', () => {
    const { state } = handRaiser(policy);
    const r = apply(state, contact('call', 'no_answer', 'rep-2'), ny('2026-11-23T09:20'), policy);
    expect(shape(r.effects)).toEqual(['ledger:ACCEPTED', 'ledger:CONTACT_ATTEMPT', 'sync']);
    expect(ledger(r.effects).map((e) => [e.actor, e.detail])).toEqual([
      ['rep-2', { by: 'first contact attempt', slaStatus: 'MET', firstTouchAt: nyIso('2026-11-23T09:20') }],
      ['rep-2', { channel: 'call', outcome: 'no_answer', attempt: 1 }],
    ]);
    expect(r.state).toMatchObject({
      stage: 'SAL',
      ownerId: 'rep-2',
      sla: { status: 'MET', responseBusinessMs: 20 * MINUTE },
      cadence: { attempts: 1, channels: ['call'], connected: false },
    });
    expect(syncs(r.effects)[0]).toMatchObject({ stage: 'SAL', contactAttempts: 1 });
  });
});

describe('rejection and recycling', () => {
  it('a rejection with a reason recycles the lead with the default cool-off', () => {
    const { state } = handRaiser(policy);
    const at = ny('2026-11-23T09:30');
    const r = apply(state, { type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, at, policy);
    expect(shape(r.effects)).toEqual(['ledger:REJECTED', 'ledger:RECYCLED', 'sync']);
    const [rejected, recycled] = ledger(r.effects);
    expect(rejected).toMatchObject({ actor: 'rep-1', detail: { reason: 'NO_BUDGET', notes: null } });
    expect(recycled).toMatchObject({
      actor: 'rep-1',
      detail: { reason: 'NO_BUDGET', notes: null, from: 'MQL', coolOffUntil: iso(at + 30 * DAY) },
      lead: { stage: 'RECYCLED', recycleReason: 'NO_BUDGET' },
    });
    expect(r.state).toMatchObject({
      stage: 'RECYCLED',
      recycle: { reason: 'NO_BUDGET', notes: null, at: iso(at), coolOffUntil: iso(at + 30 * DAY) },
      sla: { windowOpen: false, firstTouchAt: iso(at), status: 'MET' },
    });
    expect(syncs(r.effects)[0]).toMatchObject({ stage: 'RECYCLED', recycleReason: 'NO_BUDGET', recycleNotes: null });
    // No SLA clock runs for a recycled lead; only decay does.
    expect(nextDeadline(r.state, policy)).toBe(at + DAY);
  });

  it('cools off per reason: TIMING_NOT_RIGHT waits 90 days', () => {
    const { state } = handRaiser(policy);
    const r = apply(state, { type: 'reject', repId: 'rep-1', reason: 'TIMING_NOT_RIGHT' }, MON_0900, policy);
    expect(r.state.recycle!.coolOffUntil).toBe(iso(MON_0900 + 90 * DAY));
  });

  it('refuses OTHER without notes, and records the notes when given', () => {
    const { state } = handRaiser(policy);
    const r = refused(state, { type: 'reject', repId: 'rep-1', reason: 'OTHER' }, MON_0900);
    expect(r).toEqual({
      code: 'POLICY_VIOLATION',
      message: 'notes are required when rejecting with reason OTHER',
      stage: 'MQL',
      allowed: ALLOWED_ACTIONS.MQL,
    });
    expect(refusal(state, { type: 'reject', repId: 'rep-1', reason: 'OTHER', notes: '' }, policy)?.code).toBe('POLICY_VIOLATION');
    const ok = apply(state, { type: 'reject', repId: 'rep-1', reason: 'OTHER', notes: 'wants a reseller' }, MON_0900, policy);
    expect(ok.state.recycle).toMatchObject({ reason: 'OTHER', notes: 'wants a reseller' });
    expect(syncs(ok.effects)[0]).toMatchObject({ recycleReason: 'OTHER', recycleNotes: 'wants a reseller' });
  });

  it('requires notes for every reason the policy lists', () => {
    const p = testPolicy({ recycle: { notesRequiredFor: ['OTHER', 'NOT_ICP'] } });
    const { state } = handRaiser(p);
    expect(refusal(state, { type: 'reject', repId: 'rep-1', reason: 'NOT_ICP' }, p)?.message).toBe('notes are required when rejecting with reason NOT_ICP');
    expect(refusal(state, { type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, p)).toBeNull();
  });

  it('recycles from SAL and SQL too', () => {
    const sal = run(handRaiser(policy).state, [[accept(), MON_0900 + MINUTE]]).state;
    const fromSal = apply(sal, { type: 'reject', repId: 'rep-1', reason: 'NO_AUTHORITY' }, MON_0900 + HOUR, policy);
    expect(ledger(fromSal.effects)[1]!.detail).toMatchObject({ from: 'SAL', reason: 'NO_AUTHORITY' });
    const sql = apply(sal, qualify(), MON_0900 + HOUR, policy).state;
    const fromSql = apply(sql, { type: 'reject', repId: 'rep-1', reason: 'CHOSE_COMPETITOR' }, MON_0900 + 2 * HOUR, policy);
    expect(fromSql.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'CHOSE_COMPETITOR' } });
  });
});

describe('the contact cadence', () => {
  const accepted = () => run(handRaiser(policy).state, [[accept(), MON_0900 + 10 * MINUTE]]).state;

  it('5 touches over 2 channels without an answer: CADENCE_EXHAUSTED and RECYCLED UNRESPONSIVE', () => {
    const touches: LeadEvent[] = [contact('call'), contact('email'), contact('call', 'voicemail'), contact('email'), contact('call')];
    const r = run(accepted(), touches.map((t, i) => [t, MON_0900 + (i + 1) * DAY]));
    const last = ledger(r.effects).slice(-3);
    expect(last.map((e) => e.type)).toEqual(['CONTACT_ATTEMPT', 'CADENCE_EXHAUSTED', 'RECYCLED']);
    expect(last[1]).toMatchObject({ actor: null, detail: { attempts: 5, channels: ['call', 'email'] } });
    expect(last[2]).toMatchObject({ actor: null, detail: { reason: 'UNRESPONSIVE', notes: null, from: 'SAL', coolOffUntil: iso(MON_0900 + 5 * DAY + 30 * DAY) } });
    expect(r.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'UNRESPONSIVE' }, cadence: { attempts: 5, connected: false } });
    expect(syncs(r.effects).at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'UNRESPONSIVE', contactAttempts: 5 });
  });

  it('5 touches on one channel are not enough channels: the lead stays in SAL until a second channel', () => {
    const five = run(accepted(), [1, 2, 3, 4, 5].map((d) => [contact('call'), MON_0900 + d * HOUR]));
    expect(five.state).toMatchObject({ stage: 'SAL', cadence: { attempts: 5, channels: ['call'] } });
    expect(auditTypes(five.effects)).not.toContain('CADENCE_EXHAUSTED');
    const sixth = apply(five.state, contact('sms'), MON_0900 + 6 * HOUR, policy);
    expect(auditTypes(sixth.effects)).toEqual(['CONTACT_ATTEMPT', 'CADENCE_EXHAUSTED', 'RECYCLED']);
  });

  it('a connected outcome ends the cadence: no exhaustion, no cadence deadline', () => {
    const r = run(accepted(), [
      [contact('call'), MON_0900 + HOUR],
      [contact('email', 'replied'), MON_0900 + 2 * HOUR],
      ...[3, 4, 5, 6, 7].map((h): [LeadEvent, number] => [contact(h % 2 ? 'call' : 'email'), MON_0900 + h * HOUR]),
    ]);
    expect(r.state).toMatchObject({ stage: 'SAL', cadence: { attempts: 7, connected: true } });
    expect(auditTypes(r.effects)).not.toContain('CADENCE_EXHAUSTED');
    // Only the stale clock is left: 14 calendar days after the accept.
    expect(nextDeadline(r.state, policy)).toBe(MON_0900 + 10 * MINUTE + 14 * DAY);
  });

  it('a window that ends before the touches is the rep\'s breach: CADENCE_BREACHED and escalation, not recycled', () => {
    const started = run(accepted(), [
      [contact('call'), MON_0900 + HOUR],
      [contact('call'), MON_0900 + DAY],
    ]).state;
    const dueBy = MON_0900 + 10 * MINUTE + 10 * DAY;
    expect(started.cadence.dueBy).toBe(iso(dueBy));
    expect(nextDeadline(started, policy)).toBe(dueBy);
    const r = apply(started, TICK, dueBy, policy);
    expect(shape(r.effects)).toEqual(['ledger:CADENCE_BREACHED', 'ledger:ESCALATED', 'task:ESCALATION']);
    expect(ledger(r.effects)[0]!.detail).toEqual({ attempts: 2, required: 5, channels: ['call'], requiredChannels: 2, ownerId: 'rep-1' });
    expect(tasks(r.effects)[0]).toMatchObject({
      kind: 'ESCALATION',
      ownerId: TEAM.managerId,
      subject: `Escalation: lead L1 made 2/5 touches over 1/2 channels by ${iso(dueBy)}`,
    });
    expect(r.state).toMatchObject({ stage: 'SAL', recycle: null, cadence: { breached: true }, sla: { escalations: 1 } });
    // The cadence clock is spent; the stale clock remains.
    expect(nextDeadline(r.state, policy)).toBe(MON_0900 + 10 * MINUTE + 14 * DAY);
    // The rep may still finish the touches; an unanswered cadence then recycles the lead.
    const finished = run(r.state, [3, 4, 5].map((h) => [contact('email'), dueBy + h * HOUR]));
    expect(finished.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'UNRESPONSIVE' } });
  });

  it('touches logged in SQL are counted but never exhaust the cadence', () => {
    const sql = run(accepted(), [[qualify(), MON_0900 + HOUR]]).state;
    const r = run(sql, [1, 2, 3, 4, 5, 6].map((h) => [contact(h % 2 ? 'call' : 'email'), MON_0900 + (h + 1) * HOUR]));
    expect(r.state).toMatchObject({ stage: 'SQL', cadence: { attempts: 6 } });
  });
});

describe('intent decay', () => {
  it('re-evaluates intent every tick and recycles an untouched MQL as SCORE_DECAYED once under the threshold', () => {
    // Reported intent 40 decays with the 30-day half-life: 30.3 after 12 days, 29.6 after 13.
    const { state } = plainMql(policy, MON_0900, 'rep-1', { intentScore: 40, kind: undefined });
    expect(state).toMatchObject({ stage: 'MQL', kind: 'MQL', intentScore: 40 });
    const r = advance(state, MON_0900 + 13 * DAY, policy);
    const decayTicks = r.ticks.filter((t) => (t - MON_0900) % DAY === 0);
    expect(decayTicks).toEqual([...Array(13).keys()].map((k) => MON_0900 + (k + 1) * DAY));
    const reevaluated = ledger(r.effects).filter((e) => e.type === 'INTENT_REEVALUATED');
    expect(reevaluated).toHaveLength(13);
    expect(reevaluated[0]!.detail).toEqual({ from: 40, to: 39.1 });
    expect(reevaluated.at(-1)!.detail).toEqual({ from: 30.3, to: 29.6 });
    const last = r.effects.filter((e) => e.type === 'ledger' && e.event.at === iso(MON_0900 + 13 * DAY));
    expect(auditTypes(last)).toEqual(['INTENT_REEVALUATED', 'SCORE_DECAYED', 'RECYCLED']);
    expect(ledger(last)[1]!.detail).toEqual({ intentScore: 29.6, threshold: 30 });
    expect(ledger(last)[2]).toMatchObject({
      actor: null,
      detail: { reason: 'SCORE_DECAYED', notes: 'intent decayed to 29.6, under 30', from: 'MQL' },
    });
    expect(r.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'SCORE_DECAYED', coolOffUntil: iso(MON_0900 + 43 * DAY) } });
    expect(syncs(r.effects).at(-1)).toMatchObject({ stage: 'RECYCLED', intentScore: 29.6, recycleReason: 'SCORE_DECAYED' });
    // Decay goes on in RECYCLED (the score is still written), but never recycles again.
    expect(nextDeadline(r.state, policy)).toBe(MON_0900 + 14 * DAY);
  });

  it('never recycles a lead sales has touched', () => {
    const sal = run(plainMql(policy, MON_0900, 'rep-1', { intentScore: 31, kind: undefined }).state, [[accept(), MON_0900 + HOUR]]).state;
    expect(sal.nextDecayAt).toBeNull();
    const r = advance(sal, MON_0900 + 9 * DAY, policy);
    expect(auditTypes(r.effects)).toEqual([]);
    expect(r.state.stage).toBe('SAL');
  });

  it('stops ticking once the score is settled (nextDecayAt null), and restarts on new engagement', () => {
    const nurtured = apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT, activities: [activity('email_open', MON_0900)] }), MON_0900, policy).state;
    const r = advance(nurtured, MON_0900 + 60 * DAY, policy);
    // 1·0.5^(30/7) = 0.051 still counts; 1·0.5^(31/7) = 0.046 is settled.
    expect(r.ticks).toEqual([...Array(31).keys()].map((k) => MON_0900 + (k + 1) * DAY));
    expect(r.state).toMatchObject({ nextDecayAt: null, intentScore: 0, stage: 'NURTURE' });
    expect(nextDeadline(r.state, policy)).toBeNull();
    expect(ledger(r.effects).at(-1)).toMatchObject({ type: 'INTENT_REEVALUATED', detail: { from: 0.1, to: 0 } });

    const revived = apply(r.state, engagement('whitepaper', MON_0900 + 70 * DAY), MON_0900 + 70 * DAY, policy);
    expect(revived.state.nextDecayAt).toBe(iso(MON_0900 + 71 * DAY));
  });

  it('writes nothing on a tick that leaves the rounded score unchanged', () => {
    const p = testPolicy({ decay: { tick: '1m' } });
    const nurtured = apply(freshLead(p), trigger(MON_0900, { firmographics: HOT, activities: [activity('webinar', MON_0900)] }), MON_0900, p).state;
    const r = apply(nurtured, TICK, MON_0900 + MINUTE, p);
    expect(r.effects).toEqual([]);
    expect(r.state.nextDecayAt).toBe(iso(MON_0900 + 2 * MINUTE));
  });
});

describe('re-qualification of a recycled lead', () => {
  const rejectedAt = ny('2026-11-23T10:00');
  const recycled = () => run(handRaiser(policy).state, [[{ type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, rejectedAt]]).state;

  it('waits for the cool-off: engagement during it is scored but does not re-qualify; ticks never re-qualify', () => {
    const during = apply(recycled(), engagement('demo_request', ny('2026-12-03T10:00')), ny('2026-12-03T10:00'), policy);
    expect(shape(during.effects)).toEqual(['ledger:ENGAGEMENT', 'sync']);
    expect(during.state).toMatchObject({ stage: 'RECYCLED', cycle: 1 });
    const trig = apply(during.state, trigger(ny('2026-12-04T10:00'), { kind: 'HAND_RAISE' }), ny('2026-12-04T10:00'), policy);
    expect(trig.state.stage).toBe('RECYCLED');
    const ticked = advance(during.state, ny('2027-01-15T10:00'), policy);
    expect(ticked.state.stage).toBe('RECYCLED');
    expect(auditTypes(ticked.effects).every((t) => t === 'INTENT_REEVALUATED')).toBe(true);
  });

  it('re-qualifies on new engagement after the cool-off: a new cycle under the newest policy', () => {
    const newer = testPolicy({ version: '2026-12-01', sla: { firstTouch: { HAND_RAISE: { within: '2h', clock: 'business' } } } });
    const at = ny('2026-12-28T09:00');
    const r = apply(recycled(), engagement('contact_sales', at), at, newer);
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT', 'ledger:REQUALIFIED', 'ledger:QUALIFIED', 'task:HANDOFF', 'sync']);
    const [eng, requalified, qualified] = ledger(r.effects);
    expect(eng).toMatchObject({ cycle: 1, policyVersion: '2026-11-01', lead: { stage: 'RECYCLED' } });
    expect(requalified).toMatchObject({ cycle: 2, policyVersion: '2026-12-01', detail: { cycle: 2 }, lead: { stage: 'MQL', recycleReason: null } });
    expect(qualified).toMatchObject({ cycle: 2, policyVersion: '2026-12-01', detail: { kind: 'HAND_RAISE', dueAt: nyIso('2026-12-28T11:00') } });
    expect(r.state).toMatchObject({
      stage: 'MQL',
      cycle: 2,
      policyVersion: '2026-12-01',
      recycle: null,
      qualifiedAt: iso(at),
      handoffTaskId: r.effects[3]!.id,
      sla: { dueAt: nyIso('2026-12-28T11:00'), status: 'ON_TRACK', firstTouchAt: null, breaches: 0, escalations: 0, reassignments: 0 },
      cadence: { attempts: 0, channels: [] },
    });
    expect(syncs(r.effects)[0]).toMatchObject({ stage: 'MQL', recycleReason: null, slaStatus: 'ON_TRACK', firstTouchAt: null });
  });

  it('a recycled lead nurtured after its cool-off re-qualifies later as a new cycle, with REQUALIFIED', () => {
    const nurtured = apply(recycled(), engagement('email_open', ny('2027-06-01T10:00')), ny('2027-06-01T10:00'), policy);
    expect(auditTypes(nurtured.effects)).toEqual(['ENGAGEMENT', 'ROUTED_TO_NURTURE']);
    expect(nurtured.state).toMatchObject({ stage: 'NURTURE', cycle: 1 });
    expect(ledger(nurtured.effects)[1]!.detail).toMatchObject({ from: 'RECYCLED' });
    const r = apply(nurtured.state, engagement('demo_request', ny('2027-06-02T10:00')), ny('2027-06-02T10:00'), policy);
    expect(auditTypes(r.effects)).toEqual(['ENGAGEMENT', 'REQUALIFIED', 'QUALIFIED']);
    expect(r.state).toMatchObject({ stage: 'MQL', cycle: 2, recycle: null });
  });
});

describe('RevOps review', () => {
  const inReview = () =>
    apply(freshLead(policy), trigger(MON_0900, { firmographics: COLD, activities: [activity('demo_request', MON_0900)] }), MON_0900, policy).state;

  it('route: hands the lead to sales in the cycle the review opened', () => {
    const r = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'route' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'ledger:QUALIFIED', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects).map((e) => [e.actor, e.detail])).toEqual([
      ['revops-1', { decision: 'route', notes: null }],
      ['revops-1', { kind: 'HAND_RAISE', fitScore: 0, intentScore: 50, dueAt: nyIso('2026-11-23T12:00') }],
    ]);
    expect(r.state).toMatchObject({ stage: 'MQL', cycle: 1, kind: 'HAND_RAISE', ownerId: TEAM.fallbackOwnerId, reviewDueAt: null });
  });

  it('nurture: back to marketing', () => {
    const r = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'nurture', notes: 'student project' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'ledger:ROUTED_TO_NURTURE', 'sync']);
    expect(ledger(r.effects)[1]).toMatchObject({ actor: 'revops-1', detail: { from: 'REVIEW' } });
    expect(r.state).toMatchObject({ stage: 'NURTURE', reviewDueAt: null });
    expect(nextDeadline(r.state, policy)).toBe(ny('2026-11-24T11:00')); // decay only
  });

  it('disqualify: closes the lead with the reviewer\'s notes', () => {
    const r = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'disqualify', notes: 'competitor' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'ledger:DISQUALIFIED', 'sync']);
    expect(r.state.disqualification).toEqual({ reason: 'OTHER', notes: 'competitor', at: nyIso('2026-11-23T11:00') });
    expect(isClosed(r.state)).toBe(true);
    const silent = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'disqualify' }, ny('2026-11-23T11:00'), policy);
    expect(silent.state.disqualification?.notes).toBe('disqualified in RevOps review');
  });

  it('an overdue review escalates to the manager once', () => {
    const r = apply(inReview(), TICK, ny('2026-11-24T09:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_OVERDUE', 'task:ESCALATION', 'ledger:INTENT_REEVALUATED', 'sync']);
    expect(ledger(r.effects)[0]!.detail).toEqual({ dueAt: nyIso('2026-11-24T09:00') });
    expect(tasks(r.effects)[0]).toMatchObject({ ownerId: TEAM.managerId, subject: 'Overdue review: lead L1', dueAt: nyIso('2026-11-24T09:00') });
    expect(r.state).toMatchObject({ stage: 'REVIEW', reviewDueAt: null });
    expect(nextDeadline(r.state, policy)).toBe(ny('2026-11-25T09:00'));
  });
});

describe('kind upgrade while waiting as an MQL', () => {
  it('a hand raised mid-SLA tightens the due date and re-upserts the same handoff task', () => {
    const { state, effects } = plainMql(policy); // due Wednesday 17:00
    const handoffId = tasks(effects)[0]!.externalId;
    const r = apply(state, engagement('demo_request', ny('2026-11-23T11:00')), ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT', 'ledger:KIND_UPGRADED', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects)[1]!.detail).toEqual({
      from: 'MQL',
      to: 'HAND_RAISE',
      previousDueAt: nyIso('2026-11-25T17:00'),
      dueAt: nyIso('2026-11-23T12:00'),
    });
    expect(tasks(r.effects)[0]).toMatchObject({
      externalId: handoffId,
      ownerId: 'rep-1',
      dueAt: nyIso('2026-11-23T12:00'),
      priority: 'High',
      subject: `Hand raiser: work by ${nyIso('2026-11-23T12:00')}`,
    });
    expect(r.effects[2]!.id).not.toBe(handoffId);
    expect(r.state).toMatchObject({
      kind: 'HAND_RAISE',
      handoffTaskId: handoffId,
      sla: { dueAt: nyIso('2026-11-23T12:00'), firstDueAt: nyIso('2026-11-25T17:00'), windowStartedAt: nyIso('2026-11-23T11:00'), remindersSent: 0 },
    });
    expect(syncs(r.effects)[0]).toMatchObject({ kind: 'HAND_RAISE', slaDueAt: nyIso('2026-11-23T12:00') });
    // Reminders follow the tightened window.
    expect(advance(r.state, ny('2026-11-23T12:00'), policy).ticks).toEqual([ny('2026-11-23T11:30'), ny('2026-11-23T11:48'), ny('2026-11-23T12:00')]);
  });

  it('never loosens the due date: a hand raised late on Wednesday keeps Wednesday 17:00', () => {
    const { state, effects } = plainMql(policy);
    const r = apply(state, engagement('demo_request', ny('2026-11-25T16:30')), ny('2026-11-25T16:30'), policy);
    expect(ledger(r.effects)[1]!.detail).toEqual({ from: 'MQL', to: 'HAND_RAISE' });
    expect(tasks(r.effects)[0]).toMatchObject({ externalId: tasks(effects)[0]!.externalId, dueAt: nyIso('2026-11-25T17:00'), priority: 'High' });
    expect(r.state.sla.dueAt).toBe(nyIso('2026-11-25T17:00'));
  });

  it('an explicit stronger kind from the CRM upgrades too; a weaker one never downgrades', () => {
    const { state } = plainMql(policy);
    const pql = apply(state, trigger(ny('2026-11-23T10:00'), { kind: 'PQL' }), ny('2026-11-23T10:00'), policy);
    expect(auditTypes(pql.effects)).toEqual(['KIND_UPGRADED']);
    expect(pql.state).toMatchObject({ kind: 'PQL', sla: { dueAt: nyIso('2026-11-23T11:00') } });
    const weaker = apply(pql.state, trigger(ny('2026-11-23T10:10'), { kind: 'MQL', activities: [activity('webinar', ny('2026-11-23T10:10'))] }), ny('2026-11-23T10:10'), policy);
    expect(auditTypes(weaker.effects)).toEqual([]);
    expect(weaker.state.kind).toBe('PQL');
  });

  it('upgrades the kind of an accepted lead without touching the finished SLA', () => {
    const sal = run(plainMql(policy).state, [[accept(), ny('2026-11-23T10:00')]]).state;
    const r = apply(sal, engagement('product_activation', ny('2026-11-24T10:00')), ny('2026-11-24T10:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT', 'ledger:KIND_UPGRADED', 'sync']);
    expect(r.state).toMatchObject({ stage: 'SAL', kind: 'PQL', sla: { status: 'MET', dueAt: nyIso('2026-11-25T17:00') } });
  });
});

describe('reassignment', () => {
  it('an owner change from the CRM in MQL gives the new owner a fresh window and a handoff task', () => {
    const { state } = handRaiser(policy);
    const r = apply(state, trigger(ny('2026-11-23T09:40'), { ownerId: 'rep-2' }), ny('2026-11-23T09:40'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REASSIGNED', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({
      actor: 'crm',
      detail: { from: 'rep-1', to: 'rep-2', why: 'owner changed in the CRM', dueAt: nyIso('2026-11-23T10:40') },
    });
    expect(tasks(r.effects)[0]).toMatchObject({ ownerId: 'rep-2', dueAt: nyIso('2026-11-23T10:40') });
    expect(r.state).toMatchObject({ ownerId: 'rep-2', handoffTaskId: r.effects[1]!.id, sla: { reassignments: 0, remindersSent: 0 } });
  });

  it('a manual reassignment after the first touch only changes the owner', () => {
    const sal = run(handRaiser(policy).state, [[accept(), ny('2026-11-23T09:10')]]).state;
    const r = apply(sal, { type: 'reassign', actorId: 'mgr-1', ownerId: 'rep-3' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REASSIGNED', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'mgr-1', detail: { from: 'rep-1', to: 'rep-3', why: 'manual reassignment' } });
    expect(r.state).toMatchObject({ stage: 'SAL', ownerId: 'rep-3', sla: { status: 'MET' } });
  });
});

describe('stale flags', () => {
  it('flags a lead in SAL after 14 calendar days, once, with a task for the owner', () => {
    const acceptedAt = ny('2026-11-23T09:10');
    const sal = run(handRaiser(policy).state, [
      [accept(), acceptedAt],
      [contact('call', 'connected'), ny('2026-11-23T09:30')],
    ]).state;
    expect(nextDeadline(sal, policy)).toBe(acceptedAt + 14 * DAY);
    const r = advance(sal, acceptedAt + 40 * DAY, policy);
    expect(r.ticks).toEqual([acceptedAt + 14 * DAY]);
    expect(shape(r.effects)).toEqual(['ledger:STALE', 'task:STALE']);
    expect(ledger(r.effects)[0]!.detail).toEqual({ stage: 'SAL', since: iso(acceptedAt) });
    expect(tasks(r.effects)[0]).toMatchObject({
      kind: 'STALE',
      ownerId: 'rep-1',
      priority: 'High',
      subject: `Stale: lead L1 has been in SAL since ${iso(acceptedAt)}`,
      description: expect.stringContaining('The agreement allows 14d in SAL.'),
    });
    expect(r.state).toMatchObject({ stage: 'SAL', staleSince: iso(acceptedAt + 14 * DAY) });
    expect(nextDeadline(r.state, policy)).toBeNull();
  });

  it('flags a lead in SQL after 30 calendar days; qualifying clears a SAL flag', () => {
    const acceptedAt = ny('2026-11-23T09:10');
    const staleSal = advance(
      run(handRaiser(policy).state, [
        [accept(), acceptedAt],
        [contact('call', 'connected'), ny('2026-11-23T09:30')],
      ]).state,
      acceptedAt + 14 * DAY,
      policy,
    ).state;
    const qualifiedAt = ny('2026-12-08T10:00');
    const sql = apply(staleSal, qualify(), qualifiedAt, policy);
    expect(shape(sql.effects)).toEqual(['ledger:SQL_QUALIFIED', 'sync']);
    expect(ledger(sql.effects)[0]).toMatchObject({ actor: 'rep-1', detail: { bant: BANT } });
    expect(sql.state).toMatchObject({ stage: 'SQL', bant: BANT, staleSince: null, stageEnteredAt: iso(qualifiedAt) });
    expect(nextDeadline(sql.state, policy)).toBe(qualifiedAt + 30 * DAY);
    const r = apply(sql.state, TICK, qualifiedAt + 30 * DAY, policy);
    expect(ledger(r.effects)[0]).toMatchObject({ type: 'STALE', detail: { stage: 'SQL', since: iso(qualifiedAt) } });
  });
});

describe('conversion and disqualification', () => {
  it('qualify → SQL, convert → CONVERTED, which closes the lead', () => {
    const sql = run(handRaiser(policy).state, [
      [accept(), ny('2026-11-23T09:10')],
      [qualify(), ny('2026-11-24T10:00')],
    ]).state;
    const r = apply(sql, convert(), ny('2026-11-30T10:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:CONVERTED', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'rep-1', detail: { opportunityId: '006000000000001AAA' } });
    expect(r.state).toMatchObject({ stage: 'CONVERTED', opportunityId: '006000000000001AAA' });
    expect(isClosed(r.state)).toBe(true);
    expect(nextDeadline(r.state, policy)).toBeNull();
    expect(syncs(r.effects)[0]!.stage).toBe('CONVERTED');
  });

  const states = (): Record<Exclude<Stage, 'CONVERTED' | 'DISQUALIFIED'>, LeadState> => stateInEveryStage();

  it.each(['NURTURE', 'REVIEW', 'MQL', 'SAL', 'SQL', 'RECYCLED'] as const)('disqualifies from %s', (stage) => {
    const state = states()[stage];
    const at = ny('2026-11-27T10:00');
    const r = apply(state, { type: 'disqualify', actorId: 'revops-1', reason: 'SPAM' }, at, policy);
    expect(shape(r.effects)).toEqual(['ledger:DISQUALIFIED', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'revops-1', detail: { reason: 'SPAM', notes: null, from: stage } });
    expect(r.state).toMatchObject({ stage: 'DISQUALIFIED', disqualification: { reason: 'SPAM', notes: null, at: iso(at) }, sla: { windowOpen: false } });
    expect(isClosed(r.state)).toBe(true);
    expect(nextDeadline(r.state, policy)).toBeNull();
    // After the end: engagement changes nothing, a trigger is refused.
    const late = step(r.state, engagement('demo_request', at + HOUR), at + HOUR, policy);
    expect(late).toEqual({ ok: true, state: r.state, effects: [] });
    expect(refused(r.state, trigger(at + HOUR, { kind: 'HAND_RAISE' }), at + HOUR)).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'lead L1 is DISQUALIFIED, a final stage: it takes no more triggers',
      stage: 'DISQUALIFIED',
      allowed: [],
    });
    expect(apply(r.state, TICK, at + 100 * DAY, policy).effects).toEqual([]);
  });

  it('refuses disqualification with reason OTHER without notes', () => {
    const r = refused(handRaiser(policy).state, { type: 'disqualify', actorId: 'revops-1', reason: 'OTHER' }, MON_0900);
    expect(r).toMatchObject({ code: 'POLICY_VIOLATION', message: 'notes are required when disqualifying with reason OTHER' });
  });
});

/** A lead in each stage, reached the way a real one would be. */
function stateInEveryStage(): Record<Stage, LeadState> {
  const mql = handRaiser(policy).state;
  const sal = apply(mql, accept(), ny('2026-11-23T09:10'), policy).state;
  const sql = apply(sal, qualify(), ny('2026-11-23T11:00'), policy).state;
  return {
    NURTURE: apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT }), MON_0900, policy).state,
    REVIEW: apply(freshLead(policy), trigger(MON_0900, { firmographics: COLD, activities: [activity('demo_request', MON_0900)] }), MON_0900, policy).state,
    MQL: mql,
    SAL: sal,
    SQL: sql,
    CONVERTED: apply(sql, convert(), ny('2026-11-24T11:00'), policy).state,
    RECYCLED: apply(mql, { type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, ny('2026-11-23T09:10'), policy).state,
    DISQUALIFIED: apply(mql, { type: 'disqualify', actorId: 'revops-1', reason: 'SPAM' }, ny('2026-11-23T09:10'), policy).state,
  };
}

describe('which actions each stage allows', () => {
  const ACTION_EVENTS: Record<Action, LeadEvent> = {
    accept: accept('rep-2'),
    reject: { type: 'reject', repId: 'rep-2', reason: 'NO_BUDGET' },
    contact: contact('email'),
    qualify: qualify(),
    convert: convert(),
    disqualify: { type: 'disqualify', actorId: 'revops-1', reason: 'DUPLICATE' },
    reassign: { type: 'reassign', actorId: 'mgr-1', ownerId: 'rep-9' },
    review: { type: 'review', actorId: 'revops-1', decision: 'nurture' },
  };

  it('is the agreed table', () => {
    expect(ALLOWED_ACTIONS).toEqual({
      NURTURE: ['disqualify'],
      REVIEW: ['review', 'reassign', 'disqualify'],
      MQL: ['accept', 'reject', 'contact', 'reassign', 'disqualify'],
      SAL: ['contact', 'qualify', 'reject', 'reassign', 'disqualify'],
      SQL: ['contact', 'convert', 'reject', 'reassign', 'disqualify'],
      RECYCLED: ['disqualify'],
      CONVERTED: [],
      DISQUALIFIED: [],
    });
  });

  const everyStage = stateInEveryStage();
  const pairs = STAGES.flatMap((stage) => ACTIONS.map((action) => [stage, action] as const));

  it.each(pairs)('%s × %s: allowed exactly when the table says so', (stage, action) => {
    const state = everyStage[stage];
    expect(state.stage).toBe(stage);
    const event = ACTION_EVENTS[action];
    const now = ny('2026-11-23T12:00');
    if (ALLOWED_ACTIONS[stage].includes(action)) {
      expect(refusal(state, event, policy)).toBeNull();
      expect(step(state, event, now, policy).ok).toBe(true);
      return;
    }
    const r = refused(state, event, now);
    const allowed = ALLOWED_ACTIONS[stage];
    expect(r).toEqual({
      code: 'INVALID_TRANSITION',
      message: `cannot ${action} lead L1 in stage ${stage} (${allowed.length ? `allowed in ${stage}: ${allowed.join(', ')}` : `${stage} is final: no action is allowed`})`,
      stage,
      allowed,
    });
    expect(r.message).toContain(stage);
    for (const a of allowed) expect(r.message).toContain(a);
  });
});

describe('idempotency and bookkeeping', () => {
  it('a duplicate trigger eventId changes nothing: same state object, no effects', () => {
    const t = trigger(MON_0900, { firmographics: HOT, activities: [activity('demo_request', MON_0900)] });
    const first = apply(freshLead(policy), t, MON_0900, policy);
    const again = step(first.state, t, MON_0900 + HOUR, policy);
    expect(again).toEqual({ ok: true, state: first.state, effects: [] });
    expect(again.ok && again.state).toBe(first.state);
  });

  it('a duplicate engagement eventId changes nothing: same state object, no effects', () => {
    const { state } = plainMql(policy);
    const e = engagement('webinar', MON_0900 + HOUR);
    const first = apply(state, e, MON_0900 + HOUR, policy);
    const again = step(first.state, e, MON_0900 + 2 * HOUR, policy);
    expect(again.ok && again.state).toBe(first.state);
    expect(again.ok && again.effects).toEqual([]);
  });

  it('the same activity carried by two triggers, or then sent as an engagement, counts once', () => {
    const a1 = { eventId: 'act-1', ...activity('webinar', MON_0900) };
    const first = apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT, activities: [a1] }), MON_0900, policy);
    expect(first.state).toMatchObject({ stage: 'NURTURE', intentScore: 15 });
    const resent = apply(first.state, trigger(MON_0900 + MINUTE, { activities: [a1] }), MON_0900 + MINUTE, policy);
    expect(resent.state).toMatchObject({ stage: 'NURTURE', intentScore: 15 });
    expect(resent.state.intentEvents).toHaveLength(1);
    const asEngagement = step(resent.state, engagement('webinar', MON_0900, { eventId: 'act-1' }), MON_0900 + 2 * MINUTE, policy);
    expect(asEngagement).toEqual({ ok: true, state: resent.state, effects: [] });
  });

  it('writeFailed is recorded in lastSyncError and the history', () => {
    const { state } = handRaiser(policy);
    const at = ny('2026-11-23T09:05');
    const r = apply(
      state,
      { type: 'writeFailed', effectId: `${PREFIX}-3`, target: 'salesforce', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Owner is inactive' },
      at,
      policy,
    );
    expect(shape(r.effects)).toEqual(['ledger:WRITE_FAILED']);
    const detail = { effectId: `${PREFIX}-3`, target: 'salesforce', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Owner is inactive' };
    expect(ledger(r.effects)[0]).toMatchObject({ actor: null, detail });
    expect(r.state.lastSyncError).toEqual({ ...detail, at: iso(at) });
    expect(r.state.history.at(-1)).toEqual({ at: iso(at), type: 'WRITE_FAILED', detail });
    expect(r.state.stage).toBe('MQL');
  });

  it('effect ids are unique, sequential and match the ledger ids and state.seq over a whole lifecycle', () => {
    const p = testPolicy(ALWAYS_TEAM);
    const steps: [LeadEvent, number][] = [
      [trigger(MON_0900, { firmographics: HOT, kind: 'MQL', ownerId: 'rep-1' }), MON_0900],
      [engagement('demo_request', MON_0900 + HOUR), MON_0900 + HOUR],
      [TICK, MON_0900 + 2 * HOUR], // breach of the tightened window
      [accept(TEAM.fallbackOwnerId), MON_0900 + 3 * HOUR],
      [contact('call'), MON_0900 + 4 * HOUR],
      [contact('email', 'connected'), MON_0900 + 5 * HOUR],
      [qualify(TEAM.fallbackOwnerId), MON_0900 + DAY],
      [convert(TEAM.fallbackOwnerId), MON_0900 + 2 * DAY],
    ];
    let state = freshLead(p);
    const effects: Effect[] = [];
    for (const [event, at] of steps) {
      const r = apply(state, event, at, p);
      expect(r.state.seq).toBe(state.seq + r.effects.length);
      state = r.state;
      effects.push(...r.effects);
    }
    expect(effects.map((e) => e.id)).toEqual(effects.map((_, i) => `${PREFIX}-${i + 1}`));
    expect(state.seq).toBe(effects.length);
    for (const e of effects) if (e.type === 'ledger') expect(e.event.id).toBe(e.id);
    expect(auditTypes(effects)).toEqual([
      'QUALIFIED',
      'ENGAGEMENT',
      'KIND_UPGRADED',
      'SLA_BREACHED',
      'ESCALATED',
      'REASSIGNED',
      'ACCEPTED',
      'CONTACT_ATTEMPT',
      'CONTACT_ATTEMPT',
      'SQL_QUALIFIED',
      'CONVERTED',
    ]);
    expect(state.history.map((h) => h.type)).toEqual(auditTypes(effects));
  });

  it('does not touch the state it was given', () => {
    const { state } = handRaiser(policy);
    const snapshot = JSON.stringify(state);
    apply(state, TICK, ny('2026-11-23T10:00'), policy);
    apply(state, accept(), ny('2026-11-23T09:10'), policy);
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});

describe('decisions made after the domain review', () => {
  const policy = testPolicy();
  const t0 = Date.parse('2026-11-23T14:00:00Z');
  const qualify = (extra: Partial<Trigger>) =>
    apply(
      freshLead(policy),
      { type: 'trigger', trigger: { leadId: 'L1', eventId: 'q', occurredAt: new Date(t0).toISOString(), ownerId: '005000000000009AAA', firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP Sales' }, ...extra } },
      t0,
      policy,
    ).state;

  it('decay recycles an untouched MQL only when its intent falls under the threshold, not when the CRM handed it over below it', () => {
    const handedBelow = qualify({ kind: 'MQL', activities: [{ type: 'webinar', occurredAt: new Date(t0).toISOString() }] });
    expect(handedBelow).toMatchObject({ stage: 'MQL', intentScore: 15 });
    const later = apply(handedBelow, TICK, t0 + DAY, policy);
    expect(later.state.stage).toBe('MQL');
    expect(auditTypes(later.effects)).toEqual(['INTENT_REEVALUATED']);

    const above = qualify({ intentScore: 31 });
    expect(above.stage).toBe('MQL');
    const decayed = apply(apply(above, TICK, t0 + DAY, policy).state, TICK, t0 + 2 * DAY, policy);
    expect(decayed.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'SCORE_DECAYED' } });
  });

  it('reassigning an MQL to its current owner changes nothing (the SLA window is not extended)', () => {
    const lead = qualify({ activities: [{ type: 'demo_request', occurredAt: new Date(t0).toISOString() }] });
    const r = apply(lead, { type: 'reassign', actorId: 'mgr', ownerId: lead.ownerId! }, t0 + 30 * 60_000, policy);
    expect(r.effects).toEqual([]);
    expect(r.state.sla.dueAt).toBe(lead.sla.dueAt);
  });
});

describe('a first touch after the deadline, before the breach timer fired', () => {
  it('is a breach, not MET: counted, audited, and the window closes', () => {
    const policy = testPolicy();
    const t0 = Date.parse('2026-11-23T14:00:00Z');
    const lead = apply(
      freshLead(policy),
      { type: 'trigger', trigger: { leadId: 'L1', eventId: 'q', occurredAt: new Date(t0).toISOString(), ownerId: '005000000000009AAA', firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP Sales' }, activities: [{ type: 'demo_request', occurredAt: new Date(t0).toISOString() }] } },
      t0,
      policy,
    ).state;
    const late = Date.parse(lead.sla.dueAt!) + 120;
    const r = apply(lead, { type: 'accept', repId: '005000000000009AAA' }, late, policy);
    expect(r.state.sla).toMatchObject({ status: 'BREACHED', breaches: 1, windowOpen: false, firstTouchAt: new Date(late).toISOString() });
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ACCEPTED']);
    expect(nextDeadline(r.state, policy)).not.toBe(Date.parse(lead.sla.dueAt!));
  });
});
