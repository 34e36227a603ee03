import type { Effect } from '../../src/domain/effects';
import { ACTIONS, type Action, type LeadEvent, type Trigger } from '../../src/domain/inputs';
import { ALLOWED_ACTIONS, isClosed, nextDeadline, refusal, step } from '../../src/domain/lifecycle';
import { describeAllowed } from '../../src/domain/transitions';
import { STAGES, type Stage } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import type { LeadState } from '../../src/domain/state';
import { ALWAYS_TEAM, designPolicy, testPolicy } from '../helpers/policy';
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
  received,
} from './lead-fixtures';

// The design's example sends reminders from the engine; `reminderDelivery: salesforce` (the default) has its own block.
const policy = designPolicy();

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
  const result = step(state, received(event, now), now, p);
  if (result.ok) throw new Error(`expected ${event.type} to be refused in ${state.stage}`);
  expect(JSON.stringify(state)).toBe(before);
  expect(refusal(state, event, p)).toEqual(result.refusal);
  return result.refusal;
}

describe('qualification by a CRM trigger', () => {
  it('counts from when Handoff received the trigger, not from when a busy worker stepped it', () => {
    const receivedAt = ny('2026-11-23T10:00');
    const steppedAt = receivedAt + 7_000;
    const t = trigger(receivedAt, { kind: 'MQL', firmographics: HOT, ownerId: 'rep-1' });
    const r = step(freshLead(policy, steppedAt), received(t, steppedAt, iso(receivedAt)), steppedAt, policy);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.state.qualifiedAt).toBe(iso(receivedAt));
    expect(r.state.sla.dueAt).toBe(nyIso('2026-11-27T10:00')); // 24 business hours, Thanksgiving off, to the minute of receipt
    expect(ledger(r.effects)[0]).toMatchObject({ type: 'QUALIFIED', at: iso(receivedAt) });
  });

  it('a trigger received before the lead last moved counts from that move, so its times stay in order', () => {
    const { state } = plainMql(policy, ny('2026-11-23T10:00'));
    const accepted = apply(state, { type: 'accept', repId: 'rep-1' }, ny('2026-11-23T11:00'), policy).state;
    const late = { ...trigger(ny('2026-11-23T10:30'), { fitScore: 90 }), receivedAt: nyIso('2026-11-23T10:30') };
    const r = apply(accepted, late, ny('2026-11-23T11:05'), policy);
    expect(r.state.history.at(-1)!.at >= accepted.history.at(-1)!.at).toBe(true);
    expect(ledger(r.effects).length).toBeGreaterThan(0);
    expect(ledger(r.effects).map((e) => e.at)).toEqual(ledger(r.effects).map(() => nyIso('2026-11-23T11:00')));
  });

  it('a receive time a clock ahead of the worker claims counts as the step time', () => {
    const at = ny('2026-11-23T10:00');
    const t = trigger(at, { kind: 'MQL', firmographics: HOT, ownerId: 'rep-1' });
    const r = step(freshLead(policy, at), received(t, at, iso(at + 60_000)), at, policy);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.state.qualifiedAt).toBe(iso(at));
  });
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
      // The trigger's ids ride on its first row: the ledger knows what was seen, across runs.
      detail: { kind: 'HAND_RAISE', fitScore: 80, intentScore: 50, dueAt: due, eventId: expect.any(String), activityEventIds: [expect.any(String)] },
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
          step: 0,
          clockOwnerId: 'rep-1',
          breachedOwnerId: null,
          responseType: null,
          outcome: 'PENDING',
          responseBusinessMs: null,
          responseCalendarMs: null,
        },
        cadence: { attempts: 0, counted: 0, connected: false, channels: [] },
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
    // Decay changes nothing that matters in nurture: no clock runs for it.
    expect(nextDeadline(first.state, policy)).toBeNull();

    const again = apply(first.state, trigger(MON_0900 + HOUR, { activities: [activity('email_open', MON_0900 + HOUR)] }), MON_0900 + HOUR, policy);
    // Recorded, never silently: the trigger's own row, then the new score.
    expect(shape(again.effects)).toEqual(['ledger:TRIGGER_RECEIVED', 'sync']);
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
    expect(ledger(effects)[0]!.detail).toEqual({ fitScore: 0, intentScore: 50, reviewDueAt: due, eventId: expect.any(String), activityEventIds: [expect.any(String)] });
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
    // A queue cannot own a Task: the team's manager works it unless the policy names someone for the queue.
    expect(tasks(fallback.effects)[0]!.ownerId).toBe(TEAM.managerId);
    const named = testPolicy({ teams: [{ id: 'na', calendar: 'na', fallbackOwnerId: TEAM.fallbackOwnerId, managerId: TEAM.managerId, queueTaskOwnerId: '005000000000009AAA' }] });
    expect(tasks(handRaiser(named, MON_0900, null).effects)[0]!.ownerId).toBe('005000000000009AAA');
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
    expect(r).toEqual({ code: 'POLICY_VIOLATION', message: 'unknown team "emea" (policy 2026-11-01 knows na)', path: ['team'] });
  });

  it('uses the trigger\'s team calendar', () => {
    const p = testPolicy({
      teams: [
        { id: 'na', calendar: 'na', fallbackOwnerId: TEAM.fallbackOwnerId, managerId: TEAM.managerId },
        { id: 'global', calendar: 'always', fallbackOwnerId: '00G000000000002EAA', managerId: '005000000000002AAA' },
      ],
    });
    const { state } = apply(freshLead(p), trigger(ny('2026-11-26T12:00'), { team: 'global', kind: 'HAND_RAISE' }), ny('2026-11-26T12:00'), p);
    expect(state).toMatchObject({ team: 'global', ownerId: '00G000000000002EAA', sla: { dueAt: nyIso('2026-11-26T13:00') } });
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

  it('refuses an event type the policy does not know and that carries no points of its own (400 at the API)', () => {
    const lead = freshLead(policy);
    const r = refused(lead, engagement('trade_show', MON_0900), MON_0900);
    expect(r).toMatchObject({ code: 'POLICY_VIOLATION', path: ['type'], message: expect.stringContaining('unknown engagement type "trade_show"') });
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

  describe('reminderDelivery: salesforce', () => {
    const sf = designPolicy({ sla: { reminderDelivery: 'salesforce' } });
    const reminders = (effects: Effect[]) => tasks(effects).map((t) => [t.kind, t.reminderAt]);

    it('the handoff task carries the 50% reminder and a reminder task the 80% one; the engine arms no timer for them', () => {
      const { state, effects } = plainMql(sf); // Monday 09:00, due Wednesday 17:00
      expect(shape(effects)).toEqual(['ledger:QUALIFIED', 'task:HANDOFF', 'task:REMINDER', 'sync']);
      expect(reminders(effects)).toEqual([
        ['HANDOFF', nyIso('2026-11-24T13:00')],
        ['REMINDER', nyIso('2026-11-25T12:12')],
      ]);
      expect(tasks(effects)[1]).toMatchObject({ ownerId: 'rep-1', dueAt: nyIso('2026-11-25T17:00'), priority: 'High', packet: null });
      expect(nextDeadline(state, sf)).toBe(ny('2026-11-25T17:00'));
      const r = advance(state, ny('2026-11-25T16:59'), sf);
      expect(r.ticks).toEqual([]);
      expect(r.effects).toEqual([]);
    });

    it('a breach closes both and the new owner gets the reminders of the fresh window', () => {
      const { state } = plainMql(sf);
      const r = apply(state, TICK, ny('2026-11-25T17:00'), sf);
      expect(r.effects.filter((e) => e.type === 'closeTask')).toHaveLength(2);
      // Fresh window from Wednesday 17:00 to Tuesday 17:00 (Thanksgiving off): 12 of 24 working hours is Monday 13:00, 19.2 Tuesday 12:12.
      expect(reminders(r.effects)).toEqual([
        ['ESCALATION', null],
        ['HANDOFF', nyIso('2026-11-30T13:00')],
        ['REMINDER', nyIso('2026-12-01T12:12')],
      ]);
    });

    it('a raised hand tightens the window: the reminders move with it, the old reminder task is closed', () => {
      const { state } = plainMql(sf);
      const r = apply(state, engagement('demo_request', ny('2026-11-23T10:00')), ny('2026-11-23T10:00'), sf);
      const handoff = tasks(r.effects).find((t) => t.kind === 'HANDOFF')!;
      expect(handoff.externalId).toBe(state.handoffTaskId);
      expect(handoff.reminderAt).toBe(nyIso('2026-11-23T10:30'));
      expect(r.effects.filter((e) => e.type === 'closeTask').map((e) => e.type === 'closeTask' && e.close.reason)).toEqual([
        'the reminders moved with the first-touch window',
      ]);
      expect(tasks(r.effects).filter((t) => t.kind === 'REMINDER').map((t) => t.reminderAt)).toEqual([nyIso('2026-11-23T10:48')]);
    });

    it('the first touch closes the handoff and reminder tasks', () => {
      const { state } = plainMql(sf);
      const r = apply(state, { type: 'accept', repId: 'rep-1' }, ny('2026-11-23T11:00'), sf);
      expect(r.effects.filter((e) => e.type === 'closeTask')).toHaveLength(2);
      expect(r.state.openTasks).toEqual([]);
    });
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
      'close',
      'close',
      'close',
      'task:HANDOFF',
      'sync',
    ]);
    const [breached, escalated, reassigned] = ledger(r.effects);
    expect(breached!.detail).toEqual({ dueAt: nyIso('2026-11-25T17:00'), ownerId: 'rep-1', breach: 1, step: 1 });
    expect(escalated!.detail).toEqual({ to: TEAM.managerId, ownerId: 'rep-1', what: `missed the first-touch SLA due ${nyIso('2026-11-25T17:00')}` });
    expect(reassigned!.detail).toEqual({ from: 'rep-1', to: TEAM.fallbackOwnerId, why: 'first-touch SLA breached', dueAt: freshDue });
    expect(reassigned!.actor).toBeNull();
    // The old owner's handoff task and both reminders close; the new owner gets a fresh handoff task.
    expect(r.effects.filter((e) => e.type === 'closeTask').map((e) => e.type === 'closeTask' && e.close.reason)).toEqual([
      'reassigned after an SLA breach',
      'reassigned after an SLA breach',
      'reassigned after an SLA breach',
    ]);
    const [escalation, handoff] = tasks(r.effects);
    expect(escalation).toMatchObject({ kind: 'ESCALATION', ownerId: TEAM.managerId, dueAt: nyIso('2026-11-25T17:00'), priority: 'High', packet: null });
    // The fallback is a queue: its task goes to a person (the manager, by default), never to the integration user.
    expect(handoff).toMatchObject({ kind: 'HANDOFF', ownerId: TEAM.managerId, dueAt: freshDue, priority: 'High', subject: `Reassigned after an SLA breach: work by ${freshDue}` });
    expect(r.effects.find((e) => e.type === 'upsertTask' && e.task.kind === 'HANDOFF')).toMatchObject({ priority: 'critical' });
    expect(syncs(r.effects)[0]).toMatchObject({ ownerId: TEAM.fallbackOwnerId, slaDueAt: freshDue, slaStatus: 'BREACHED', slaBreaches: 1 });
    expect(r.state.sla).toMatchObject({
      dueAt: freshDue,
      firstDueAt: nyIso('2026-11-25T17:00'),
      windowOpen: true,
      status: 'BREACHED',
      outcome: 'BREACHED',
      breachedOwnerId: 'rep-1',
      clockOwnerId: TEAM.fallbackOwnerId,
      breaches: 1,
      escalations: 1,
      reassignments: 1,
      step: 1,
    });
  });

  it('the chain never leaves a lead without a clock: a second step for the owner it already has restarts the window, then the escalation repeats', () => {
    const { state } = plainMql(policy);
    const first = advance(state, ny('2026-11-25T17:00'), policy).state;
    const second = advance(first, ny('2026-12-01T17:00'), policy);
    expect(second.ticks.at(-1)).toBe(ny('2026-12-01T17:00'));
    // Step 2 of onBreach (maxReassignments 2) names the fallback, which already owns the lead: the window restarts.
    expect(auditTypes(second.effects).slice(-3)).toEqual(['SLA_BREACHED', 'ESCALATED', 'SLA_RESTARTED']);
    expect(second.state.sla).toMatchObject({ windowOpen: true, status: 'BREACHED', breaches: 2, escalations: 2, reassignments: 1, step: 2 });
    const thirdDue = nyIso('2026-12-04T17:00');
    expect(second.state.sla.dueAt).toBe(thirdDue);
    expect(nextDeadline(second.state, policy)).not.toBeNull();

    // After the last step the escalation repeats at the kind's window until someone acts, and no breach is counted twice.
    const repeated = advance(second.state, ny('2026-12-10T17:00'), policy);
    // The restarted window still reminds its owner; then, at 12-04 and 12-09 17:00 (24 business hours apart), the manager again.
    expect(auditTypes(repeated.effects)).toEqual(['SLA_REMINDER', 'SLA_REMINDER', 'ESCALATION_REPEATED', 'ESCALATED', 'ESCALATION_REPEATED', 'ESCALATED']);
    expect(repeated.ticks.slice(2)).toEqual([ny('2026-12-04T17:00'), ny('2026-12-09T17:00')]);
    expect(repeated.state.sla).toMatchObject({ breaches: 2, escalations: 4, step: 4, windowOpen: true });
    expect(nextDeadline(repeated.state, policy)).toBe(ny('2026-12-14T17:00'));

    // Accepted at last: 49 working hours after qualification on Monday 09:00 (Thanksgiving and weekends excluded), breached.
    const accepted = apply(first, accept(TEAM.managerId), ny('2026-12-02T10:00'), policy);
    expect(accepted.state.sla).toMatchObject({ firstTouchAt: nyIso('2026-12-02T10:00'), status: 'BREACHED', responseCalendarMs: 217 * HOUR, responseBusinessMs: 49 * HOUR });
    expect(accepted.effects.filter((e) => e.type === 'closeTask')).not.toHaveLength(0);
  });

  it('a lead the queue owns from the start (no ownerId) still walks the chain: the breach restarts the clock instead of stopping it', () => {
    const { state } = handRaiser(policy, MON_0900, null);
    const r = apply(state, TICK, ny('2026-11-23T10:00'), policy);
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ESCALATED', 'SLA_RESTARTED']);
    expect(r.state.sla).toMatchObject({ windowOpen: true, reassignments: 0, dueAt: nyIso('2026-11-23T11:00') });
  });

  it('a chain of named steps: the fallback with a 30-minute window, then the manager; an escalation never goes from the manager to himself', () => {
    const p = testPolicy({
      sla: {
        reminders: [],
        escalation: {
          steps: [
            { reassignTo: 'fallback', notify: 'manager', within: { within: '30m', clock: 'business' } },
            { reassignTo: 'manager', notify: 'manager' },
          ],
          repeatEvery: { within: '2h', clock: 'business' },
        },
      },
    });
    const r = advance(handRaiser(p).state, ny('2026-11-23T15:00'), p);
    expect(r.ticks).toEqual(['10:00', '10:30', '11:30', '13:30'].map((t) => ny(`2026-11-23T${t}`)));
    expect(auditTypes(r.effects)).toEqual([
      'SLA_BREACHED',
      'ESCALATED',
      'REASSIGNED', // 10:00 → the fallback queue, due 10:30
      'SLA_BREACHED',
      'REASSIGNED', // 10:30 → the manager, due 11:30: no escalation task from the manager to himself
      'ESCALATION_REPEATED', // 11:30: the manager owns it, so there is nobody above to tell
      'ESCALATION_REPEATED',
    ]);
    expect(tasks(r.effects).filter((t) => t.kind === 'ESCALATION').map((t) => t.ownerId)).toEqual([TEAM.managerId]);
    expect(r.state).toMatchObject({ ownerId: TEAM.managerId, sla: { breaches: 2, reassignments: 2, breachedOwnerId: 'rep-1', dueAt: nyIso('2026-11-23T15:30') } });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['maxReassignments 0', { maxReassignments: 0 }, ['SLA_BREACHED', 'ESCALATED', 'SLA_RESTARTED']],
    ['reassignTo none', { reassignTo: 'none' }, ['SLA_BREACHED', 'ESCALATED', 'SLA_RESTARTED']],
    ['notifyManager false', { notifyManager: false }, ['SLA_BREACHED', 'REASSIGNED']],
  ])('follows onBreach: %s', (_what, onBreach, expected) => {
    const p = designPolicy({ sla: { onBreach, reminders: [] } });
    const { state } = handRaiser(p);
    const r = apply(state, TICK, ny('2026-11-23T10:00'), p);
    expect(auditTypes(r.effects)).toEqual(expected);
    const taskOf: Record<string, string> = { ESCALATED: 'ESCALATION', REASSIGNED: 'HANDOFF' };
    expect(tasks(r.effects).map((t) => t.kind)).toEqual(expected.flatMap((type) => taskOf[type] ?? []));
    expect(nextDeadline(r.state, p)).toBe(ny('2026-11-23T11:00'));
  });

  it('maxReassignments counts the chain, not manual reassignments', () => {
    const p = designPolicy({ sla: { reminders: [], onBreach: { maxReassignments: 1 } } });
    const r = run(
      handRaiser(p).state,
      [
        [TICK, ny('2026-11-23T10:00')], // rep-1 breaches → fallback (step 1 of 1)
        [{ type: 'reassign', actorId: 'mgr', ownerId: 'rep-2' }, ny('2026-11-23T10:15')],
        [TICK, ny('2026-11-23T11:15')], // rep-2 breaches → the chain is done: the escalation repeats
      ],
      p,
    );
    expect(auditTypes(r.effects)).toEqual(['SLA_BREACHED', 'ESCALATED', 'REASSIGNED', 'REASSIGNED', 'ESCALATION_REPEATED', 'ESCALATED']);
    expect(r.state).toMatchObject({ ownerId: 'rep-2', sla: { breaches: 1, reassignments: 1, windowOpen: true, step: 2 } });
  });

  it('an accept in time meets the SLA, records the response time and starts the cadence', () => {
    const { state } = plainMql(policy);
    const r = apply(state, accept('rep-2'), ny('2026-11-24T11:00'), policy);
    // The handoff task closes: the lead was worked.
    expect(shape(r.effects)).toEqual(['close', 'ledger:ACCEPTED', 'sync']);
    expect(r.effects[0]).toMatchObject({ type: 'closeTask', close: { externalId: state.handoffTaskId, reason: `worked: first accept at ${nyIso('2026-11-24T11:00')}` } });
    expect(r.state.openTasks).toEqual([]);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'rep-2', detail: { slaStatus: 'MET', firstTouchAt: nyIso('2026-11-24T11:00') } });
    expect(r.state).toMatchObject({
      stage: 'SAL',
      ownerId: 'rep-2',
      stageEnteredAt: nyIso('2026-11-24T11:00'),
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
    expect(shape(r.effects)).toEqual(['close', 'ledger:ACCEPTED', 'ledger:CONTACT_ATTEMPT', 'sync']);
    expect(ledger(r.effects).map((e) => [e.actor, e.detail])).toEqual([
      ['rep-2', { by: 'first contact attempt', slaStatus: 'MET', firstTouchAt: nyIso('2026-11-23T09:20') }],
      ['rep-2', { channel: 'call', outcome: 'no_answer', attempt: 1, counted: true, touch: 1 }],
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
    expect(shape(r.effects)).toEqual(['close', 'ledger:REJECTED', 'ledger:RECYCLED', 'sync']);
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
    // No clock runs for a recycled lead: its cool-off is checked when something happens to it.
    expect(nextDeadline(r.state, policy)).toBeNull();
  });

  it('cools off per reason: TIMING_NOT_RIGHT waits 90 days', () => {
    const { state } = handRaiser(policy);
    const r = apply(state, { type: 'reject', repId: 'rep-1', reason: 'TIMING_NOT_RIGHT' }, MON_0900, policy);
    expect(r.state.recycle!.coolOffUntil).toBe(iso(MON_0900 + 90 * DAY));
  });

  it('refuses OTHER without notes, and records the notes when given', () => {
    const { state } = handRaiser(policy);
    const r = refused(state, { type: 'reject', repId: 'rep-1', reason: 'OTHER' }, MON_0900);
    expect(r).toEqual({ code: 'POLICY_VIOLATION', message: 'notes are required when rejecting with reason OTHER', path: ['notes'] });
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
  const daily: LeadEvent[] = [contact('call'), contact('email'), contact('call', 'voicemail'), contact('email'), contact('call')];

  it('5 touches spread over 2 channels, then a business day without a reply: CADENCE_EXHAUSTED and RECYCLED UNRESPONSIVE', () => {
    const r = run(accepted(), daily.map((t, i) => [t, MON_0900 + (i + 1) * DAY]));
    // The fifth touch is Saturday 09:00; the reply may still come until a business day later: Tuesday 09:00.
    expect(r.state).toMatchObject({ stage: 'SAL', cadence: { attempts: 5, counted: 5, connected: false } });
    const waitEnds = ny('2026-12-01T09:00');
    expect(nextDeadline(r.state, policy)).toBe(waitEnds);
    const exhausted = apply(r.state, TICK, waitEnds, policy);
    expect(auditTypes(exhausted.effects)).toEqual(['CADENCE_EXHAUSTED', 'RECYCLED']);
    const [done, recycledRow] = ledger(exhausted.effects);
    expect(done).toMatchObject({ actor: null, detail: { attempts: 5, counted: 5, channels: ['call', 'email'] } });
    expect(recycledRow).toMatchObject({ actor: null, detail: { reason: 'UNRESPONSIVE', notes: null, from: 'SAL', coolOffUntil: iso(waitEnds + 30 * DAY) } });
    expect(exhausted.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'UNRESPONSIVE' } });
    expect(syncs(exhausted.effects).at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'UNRESPONSIVE', contactAttempts: 5 });
  });

  it('five touches in half a second are recorded but count once: the cadence is not exhausted', () => {
    const r = run(accepted(), daily.map((t, i) => [t, MON_0900 + HOUR + i * 100]));
    expect(r.state).toMatchObject({ stage: 'SAL', cadence: { attempts: 5, counted: 1, channels: ['call'] } });
    const rows = ledger(r.effects).filter((e) => e.type === 'CONTACT_ATTEMPT');
    expect(rows.map((e) => e.detail.counted)).toEqual([true, false, false, false, false]);
    expect(rows[1]!.detail).toMatchObject({ why: 'within 4h of the last counted touch' });
    expect(advance(r.state, MON_0900 + 3 * DAY, policy).state.stage).toBe('SAL');
  });

  it('a reply after the last touch still saves the lead', () => {
    const r = run(accepted(), daily.map((t, i) => [t, MON_0900 + (i + 1) * DAY]));
    const replied = apply(r.state, contact('email', 'replied'), ny('2026-11-30T15:00'), policy);
    expect(replied.state.cadence.connected).toBe(true);
    expect(nextDeadline(replied.state, policy)).toBe(MON_0900 + 10 * MINUTE + 14 * DAY);
    expect(advance(replied.state, MON_0900 + 13 * DAY, policy).state.stage).toBe('SAL');
  });

  it('5 touches on one channel are not enough channels: the lead stays in SAL until a second channel', () => {
    const five = run(accepted(), [1, 2, 3, 4, 5].map((d) => [contact('call'), MON_0900 + d * DAY]));
    expect(five.state).toMatchObject({ stage: 'SAL', cadence: { counted: 5, channels: ['call'] } });
    expect(auditTypes(advance(five.state, MON_0900 + 9 * DAY, policy).effects)).not.toContain('CADENCE_EXHAUSTED');
    const sixth = apply(five.state, contact('sms'), MON_0900 + 6 * DAY, policy);
    expect(sixth.state.cadence.channels).toEqual(['call', 'sms']);
    expect(auditTypes(advance(sixth.state, MON_0900 + 9 * DAY, policy).effects)).toEqual(['CADENCE_EXHAUSTED', 'RECYCLED']);
  });

  it('a connected outcome ends the cadence: no exhaustion, no cadence deadline', () => {
    const r = run(accepted(), [
      [contact('call'), MON_0900 + DAY],
      [contact('email', 'replied'), MON_0900 + 2 * DAY],
      ...[3, 4, 5, 6, 7].map((d): [LeadEvent, number] => [contact(d % 2 ? 'call' : 'email'), MON_0900 + d * DAY]),
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
    expect(ledger(r.effects)[0]!.detail).toEqual({ counted: 2, required: 5, channels: ['call'], requiredChannels: 2, ownerId: 'rep-1' });
    expect(tasks(r.effects)[0]).toMatchObject({
      kind: 'ESCALATION',
      ownerId: TEAM.managerId,
      subject: `Escalation: lead L1 made 2/5 touches over 1/2 channels by ${iso(dueBy)}`,
    });
    expect(r.state).toMatchObject({ stage: 'SAL', recycle: null, cadence: { breached: true }, sla: { escalations: 1 } });
    // The cadence clock is spent; the stale clock remains.
    expect(nextDeadline(r.state, policy)).toBe(MON_0900 + 10 * MINUTE + 14 * DAY);
    // The rep may still finish the touches; an unanswered cadence then recycles the lead after the wait.
    const finished = run(r.state, [1, 2, 3].map((d) => [contact('email'), dueBy + d * DAY]));
    expect(advance(finished.state, dueBy + 6 * DAY, policy).state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'UNRESPONSIVE' } });
  });

  it('touches logged in SQL are counted but never exhaust the cadence', () => {
    const sql = run(accepted(), [[qualify(), MON_0900 + HOUR]]).state;
    const r = run(sql, [1, 2, 3, 4, 5, 6].map((d) => [contact(d % 2 ? 'call' : 'email'), MON_0900 + d * DAY]));
    expect(r.state).toMatchObject({ stage: 'SQL', cadence: { attempts: 6 } });
    expect(advance(r.state, MON_0900 + 9 * DAY, policy).state.stage).toBe('SQL');
  });
});

describe('intent decay', () => {
  it('sleeps until the solved threshold crossing, writing only on 10-point moves, and recycles an untouched MQL as SCORE_DECAYED', () => {
    // Reported intent 45 decays with the 30-day half-life: under 35 after 10.9 days, under 30 after 17.6.
    const p = designPolicy({ sla: { firstTouch: { MQL: { within: '30d', clock: 'calendar' } }, reminders: [] } });
    const { state } = plainMql(p, MON_0900, 'rep-1', { intentScore: 45, kind: undefined });
    expect(state).toMatchObject({ stage: 'MQL', kind: 'MQL', kindExplicit: false, intentScore: 45 });
    const r = advance(state, MON_0900 + 20 * DAY, p);
    expect(r.ticks.map((t) => Math.floor((t - MON_0900) / DAY))).toEqual([10, 17]);
    expect(auditTypes(r.effects)).toEqual(['INTENT_REEVALUATED', 'INTENT_REEVALUATED', 'SCORE_DECAYED', 'RECYCLED']);
    const [first, second, decayed, recycledRow] = ledger(r.effects);
    expect(first!.detail).toEqual({ from: 45, to: 35 });
    expect(second!.detail.to).toBeLessThan(30);
    expect(decayed!.detail).toMatchObject({ threshold: 30 });
    expect(recycledRow).toMatchObject({ actor: null, detail: { reason: 'SCORE_DECAYED', from: 'MQL' } });
    // The cycle ends unworked: listed in the SLA report, not counted in its rate.
    expect(r.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'SCORE_DECAYED' }, sla: { outcome: 'CLOSED_UNWORKED' } });
    expect(syncs(r.effects).at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'SCORE_DECAYED' });
    // A recycled lead costs nothing per tick.
    expect(nextDeadline(r.state, p)).toBeNull();
  });

  it('never recycles a lead sales has touched, nor one the CRM handed over with an explicit kind', () => {
    const sal = run(plainMql(policy, MON_0900, 'rep-1', { intentScore: 31, kind: undefined }).state, [[accept(), MON_0900 + HOUR]]).state;
    const r = advance(sal, MON_0900 + 9 * DAY, policy);
    expect(auditTypes(r.effects)).toEqual([]);
    expect(r.state.stage).toBe('SAL');
    const explicit = plainMql(policy, MON_0900, 'rep-1', { intentScore: 31 }).state;
    expect(explicit.kindExplicit).toBe(true);
    expect(auditTypes(advance(explicit, MON_0900 + 2 * HOUR, policy).effects)).not.toContain('SCORE_DECAYED');
  });

  it('a nurtured or recycled lead with no new engagement costs nothing: no clock runs for decay', () => {
    const nurtured = apply(freshLead(policy), trigger(MON_0900, { firmographics: HOT, activities: [activity('webinar', MON_0900)] }), MON_0900, policy).state;
    expect(nextDeadline(nurtured, policy)).toBeNull();
    expect(advance(nurtured, MON_0900 + 90 * DAY, policy).effects).toEqual([]);
    // New engagement refreshes the score on the spot.
    const revived = apply(nurtured, engagement('whitepaper', MON_0900 + 21 * DAY), MON_0900 + 21 * DAY, policy);
    expect(revived.state.intentScore).toBe(17.5);
  });
});

describe('re-qualification of a recycled lead', () => {
  const rejectedAt = ny('2026-11-23T10:00');
  const recycled = () => run(handRaiser(policy).state, [[{ type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, rejectedAt]]).state;

  it('during the cool-off, other engagement is recorded and scored but does not re-qualify; time never re-qualifies', () => {
    const during = apply(recycled(), engagement('webinar', ny('2026-12-03T10:00')), ny('2026-12-03T10:00'), policy);
    expect(shape(during.effects)).toEqual(['ledger:ENGAGEMENT', 'sync']);
    expect(ledger(during.effects)[0]!.detail).toMatchObject({ type: 'webinar', held: 'recycled: the cool-off holds until then', coolOffUntil: iso(rejectedAt + 30 * DAY) });
    expect(during.state).toMatchObject({ stage: 'RECYCLED', cycle: 1 });
    // A trigger during the cool-off that raises intent from 50 to 100 is recorded too, never silently.
    const trig = apply(during.state, trigger(ny('2026-12-04T10:00'), { intentScore: 100 }), ny('2026-12-04T10:00'), policy);
    expect(trig.state).toMatchObject({ stage: 'RECYCLED', intentScore: 100 });
    expect(ledger(trig.effects)).toEqual([expect.objectContaining({ type: 'TRIGGER_RECEIVED', detail: expect.objectContaining({ intentScore: 100, held: expect.any(String) }) })]);
    const ticked = advance(during.state, ny('2027-01-15T10:00'), policy);
    expect(ticked.state.stage).toBe('RECYCLED');
    expect(ticked.effects).toEqual([]);
  });

  it('a hand-raise breaks the cool-off at once and re-qualifies, recorded with the engagement that did it', () => {
    const r = apply(recycled(), engagement('demo_request', ny('2026-12-03T10:00'), { eventId: 'demo-42' }), ny('2026-12-03T10:00'), policy);
    expect(auditTypes(r.effects)).toEqual(['ENGAGEMENT', 'COOL_OFF_BROKEN', 'REQUALIFIED', 'QUALIFIED']);
    expect(ledger(r.effects)[1]!.detail).toEqual({ eventId: 'demo-42', type: 'demo_request', kind: 'HAND_RAISE', coolOffUntil: iso(rejectedAt + 30 * DAY) });
    expect(r.state).toMatchObject({ stage: 'MQL', cycle: 2, kind: 'HAND_RAISE' });
    const strict = testPolicy({ recycle: { breakCoolOff: [] } });
    const held = apply(run(handRaiser(strict).state, [[{ type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, rejectedAt]], strict).state, engagement('demo_request', ny('2026-12-03T10:00')), ny('2026-12-03T10:00'), strict);
    expect(held.state.stage).toBe('RECYCLED');
  });

  it('re-qualifies on new engagement after the cool-off: a new cycle under the newest policy', () => {
    const newer = testPolicy({ version: '2026-12-01', sla: { firstTouch: { HAND_RAISE: { within: '2h', clock: 'business' } } } });
    const at = ny('2026-12-28T09:00');
    const r = apply(recycled(), engagement('contact_sales', at), at, newer);
    // The default policy's reminders ride on Salesforce tasks: the handoff task carries the 50% one, a reminder task the 80%.
    expect(shape(r.effects)).toEqual(['ledger:ENGAGEMENT', 'ledger:REQUALIFIED', 'ledger:QUALIFIED', 'task:HANDOFF', 'task:REMINDER', 'sync']);
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
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'close', 'ledger:QUALIFIED', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects).map((e) => [e.actor, e.detail])).toEqual([
      ['revops-1', { decision: 'route', notes: null }],
      ['revops-1', { kind: 'HAND_RAISE', fitScore: 0, intentScore: 50, dueAt: nyIso('2026-11-23T12:00') }],
    ]);
    expect(r.state).toMatchObject({ stage: 'MQL', cycle: 1, kind: 'HAND_RAISE', ownerId: TEAM.fallbackOwnerId, reviewDueAt: null });
  });

  it('nurture: back to marketing', () => {
    const r = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'nurture', notes: 'student project' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'close', 'ledger:ROUTED_TO_NURTURE', 'sync']);
    expect(ledger(r.effects)[1]).toMatchObject({ actor: 'revops-1', detail: { from: 'REVIEW' } });
    expect(r.state).toMatchObject({ stage: 'NURTURE', reviewDueAt: null });
    expect(nextDeadline(r.state, policy)).toBeNull();
  });

  it('disqualify: closes the lead with the reviewer\'s notes', () => {
    const r = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'disqualify', notes: 'competitor' }, ny('2026-11-23T11:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_DECIDED', 'close', 'ledger:DISQUALIFIED', 'sync']);
    expect(r.state.disqualification).toEqual({ reason: 'OTHER', notes: 'competitor', at: nyIso('2026-11-23T11:00') });
    expect(isClosed(r.state)).toBe(true);
    const silent = apply(inReview(), { type: 'review', actorId: 'revops-1', decision: 'disqualify' }, ny('2026-11-23T11:00'), policy);
    expect(silent.state.disqualification?.notes).toBe('disqualified in RevOps review');
  });

  it('an overdue review escalates to the manager once', () => {
    const r = apply(inReview(), TICK, ny('2026-11-24T09:00'), policy);
    expect(shape(r.effects)).toEqual(['ledger:REVIEW_OVERDUE', 'ledger:ESCALATED', 'task:ESCALATION']);
    expect(ledger(r.effects)[0]!.detail).toEqual({ dueAt: nyIso('2026-11-24T09:00') });
    expect(tasks(r.effects)[0]).toMatchObject({ ownerId: TEAM.managerId, subject: `Escalation: lead L1 review was due ${nyIso('2026-11-24T09:00')}`, dueAt: nyIso('2026-11-24T09:00') });
    expect(r.state).toMatchObject({ stage: 'REVIEW', reviewDueAt: null });
    expect(nextDeadline(r.state, policy)).toBeNull();
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
    // Recorded (the trigger added a webinar), but nothing moved.
    expect(auditTypes(weaker.effects)).toEqual(['TRIGGER_RECEIVED']);
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
    // The old owner's handoff task closes; the new owner gets his own.
    expect(shape(r.effects)).toEqual(['ledger:REASSIGNED', 'close', 'task:HANDOFF', 'sync']);
    expect(ledger(r.effects)[0]).toMatchObject({
      actor: 'crm',
      detail: { from: 'rep-1', to: 'rep-2', why: 'owner changed in the CRM', dueAt: nyIso('2026-11-23T10:40') },
    });
    expect(tasks(r.effects)[0]).toMatchObject({ ownerId: 'rep-2', dueAt: nyIso('2026-11-23T10:40') });
    expect(r.state).toMatchObject({ ownerId: 'rep-2', handoffTaskId: r.effects[2]!.id, sla: { reassignments: 0, remindersSent: 0, clockOwnerId: 'rep-2' } });
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
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'rep-1', detail: { opportunityId: '006000000000001AAA', from: 'SQL' } });
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
    expect(shape(r.effects).filter((x) => x !== 'close')).toEqual(['ledger:DISQUALIFIED', 'sync']);
    expect(r.state.openTasks).toEqual([]);
    expect(ledger(r.effects)[0]).toMatchObject({ actor: 'revops-1', detail: { reason: 'SPAM', notes: null, from: stage } });
    expect(r.state).toMatchObject({ stage: 'DISQUALIFIED', disqualification: { reason: 'SPAM', notes: null, at: iso(at) }, sla: { windowOpen: false } });
    expect(isClosed(r.state)).toBe(true);
    expect(nextDeadline(r.state, policy)).toBeNull();
    // Closed stays closed: engagement and triggers are refused with LEAD_CLOSED, naming the stage and when.
    const closed = {
      code: 'LEAD_CLOSED',
      message: `lead L1 is DISQUALIFIED since ${iso(at)}: it takes no more triggers or engagement (RevOps can reopen it)`,
      stage: 'DISQUALIFIED',
      allowed: ['reopen'],
      closedAt: iso(at),
    };
    expect(refused(r.state, engagement('demo_request', at + HOUR), at + HOUR)).toEqual(closed);
    expect(refused(r.state, trigger(at + HOUR, { kind: 'HAND_RAISE' }), at + HOUR)).toEqual(closed);
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
    reopen: { type: 'reopen', actorId: 'revops-1', reason: 'bought a second product line', prior: { stage: 'CONVERTED', closedAt: iso(MON_0900), cycle: 1, seenIds: [] } },
  };

  it('is the agreed table', () => {
    expect(ALLOWED_ACTIONS).toEqual({
      NURTURE: ['disqualify'],
      REVIEW: ['review', 'reassign', 'disqualify'],
      MQL: ['accept', 'contact', 'reject', 'reassign', 'disqualify'],
      SAL: ['contact', 'qualify', 'reject', 'reassign', 'disqualify'],
      SQL: ['contact', 'convert', 'reject', 'reassign', 'disqualify'],
      RECYCLED: ['disqualify'],
      CONVERTED: ['reopen'],
      DISQUALIFIED: ['reopen'],
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
      expect(step(state, received(event, now), now, policy).ok).toBe(true);
      return;
    }
    const r = refused(state, event, now);
    const allowed = ALLOWED_ACTIONS[stage];
    expect(r).toEqual({ code: 'INVALID_TRANSITION', message: `cannot ${action} lead L1 in stage ${stage} (${describeAllowed(stage)})`, stage, allowed });
    expect(r.message).toContain(stage);
    for (const a of allowed) expect(r.message).toContain(`${a} → `);
  });
});

describe('idempotency and bookkeeping', () => {
  it('a duplicate trigger eventId changes nothing: same state object, no effects', () => {
    const t = trigger(MON_0900, { firmographics: HOT, activities: [activity('demo_request', MON_0900)] });
    const first = apply(freshLead(policy), t, MON_0900, policy);
    const again = step(first.state, received(t, MON_0900 + HOUR), MON_0900 + HOUR, policy);
    expect(again).toEqual({ ok: true, state: first.state, effects: [] });
    expect(again.ok && again.state).toBe(first.state);
  });

  it('a duplicate engagement eventId changes nothing: same state object, no effects', () => {
    const { state } = plainMql(policy);
    const e = engagement('webinar', MON_0900 + HOUR);
    const first = apply(state, e, MON_0900 + HOUR, policy);
    const again = step(first.state, received(e, MON_0900 + 2 * HOUR), MON_0900 + 2 * HOUR, policy);
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
    const asEngagement = step(resent.state, received(engagement('webinar', MON_0900, { eventId: 'act-1' }), MON_0900 + 2 * MINUTE), MON_0900 + 2 * MINUTE, policy);
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
    expect(r.state.syncError).toEqual({ code: detail.code, fields: [], message: detail.message, at: iso(at) });
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
    // Handed over below the threshold: decay runs no clock for it; only its SLA does.
    // Its first-touch due (the reminders are on its Salesforce tasks, so the engine arms no clock for them).
    expect(nextDeadline(handedBelow, policy)).toBe(Date.parse(handedBelow.sla.dueAt!));

    const above = qualify({ intentScore: 31 });
    expect(above.stage).toBe('MQL');
    // 31 falls under 30 after 30·log2(31/29.95) ≈ 1.5 days: a wake-up at the solved instant, past the tick.
    const crossing = advance(above, t0 + 3 * DAY, designPolicy({ sla: { firstTouch: { MQL: { within: '30d', clock: 'calendar' } }, reminders: [] } }));
    expect(crossing.state).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'SCORE_DECAYED' } });
    expect((crossing.ticks.at(-1)! - t0) / DAY).toBeCloseTo(1.49, 1);
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
