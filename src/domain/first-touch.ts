import { addBusinessTime, businessTimeBetween } from './calendar';
import type { ClockedDuration } from './duration';
import type { Policy } from './policy';
import type { ResponseType, LeadState } from './state';
import { calendarOf, iso, ms, type StepContext, type TaskSpec } from './step-context';

/**
 * The first-touch SLA (policy `sla`): a window per lead kind, reminders inside it, and on breach
 * the escalation chain. "Worked" means a first contact attempt, an explicit accept, or a reject
 * with a reason; the time to action keeps being measured after a breach.
 */

/** Opens a fresh first-touch window for the current owner, who now holds the clock. */
export function openWindow(ctx: StepContext, window: ClockedDuration = ctx.firstTouchWindow(ctx.s.kind)): void {
  const s = ctx.s;
  s.sla.windowStartedAt = ctx.nowIso;
  s.sla.dueAt = iso(ctx.deadline(ctx.now, window));
  s.sla.remindersSent = 0;
  s.sla.windowOpen = true;
  s.sla.clockOwnerId = s.ownerId;
  if (s.sla.status === 'NOT_APPLICABLE') s.sla.status = 'ON_TRACK';
  if (s.sla.outcome === null) s.sla.outcome = 'PENDING';
}

/** Instants of the open window's reminders, in the window's own clock; none after the chain ran out. */
export function reminderTimes(s: LeadState, policy: Policy): number[] {
  const { sla } = s;
  if (!sla.windowOpen || !sla.windowStartedAt || !sla.dueAt || sla.step > policy.sla.escalation.steps.length) return [];
  const start = ms(sla.windowStartedAt);
  const due = ms(sla.dueAt);
  const calendar = calendarOf(policy, s);
  const business = policy.sla.firstTouch[s.kind].clock === 'business';
  const length = business ? businessTimeBetween(calendar, start, due) : due - start;
  return policy.sla.reminders.map((f) =>
    business ? addBusinessTime(calendar, start, Math.round(length * f)) : start + Math.round(length * f),
  );
}

export function reminderDue(s: LeadState, policy: Policy): number | null {
  if (s.stage !== 'MQL' || policy.sla.reminderDelivery === 'salesforce') return null;
  return reminderTimes(s, policy)[s.sla.remindersSent] ?? null;
}

/**
 * The owner's task for an open window. With `reminderDelivery: salesforce` it carries the window's
 * first reminder (Salesforce pops it for the owner), and each later one is a reminder task written
 * with it, so no engine timer runs for them; reminder tasks of an earlier window are closed.
 */
export function windowTask(
  ctx: StepContext,
  spec: Pick<TaskSpec, 'externalId' | 'subject' | 'description' | 'priority' | 'urgent'>,
): string {
  const s = ctx.s;
  const salesforce = ctx.policy.sla.reminderDelivery === 'salesforce';
  const [first, ...later] = salesforce ? reminderTimes(s, ctx.policy).map(iso) : [];
  if (salesforce) ctx.closeTasks('the reminders moved with the first-touch window', (t) => t.kind === 'REMINDER');
  const id = ctx.task({ ...spec, kind: 'HANDOFF', ownerId: s.ownerId, dueAt: s.sla.dueAt, withPacket: true, reminderAt: first ?? null });
  for (const [i, reminderAt] of later.entries()) {
    ctx.task({
      kind: 'REMINDER',
      ownerId: s.ownerId,
      subject: `Reminder: lead ${s.leadId} must be worked by ${s.sla.dueAt}`,
      description: `${Math.round(ctx.policy.sla.reminders[i + 1]! * 100)}% of the first-touch window will have passed at the reminder.`,
      dueAt: s.sla.dueAt,
      priority: 'High',
      reminderAt,
    });
  }
  return id;
}

export function firstTouchDue(s: LeadState): number | null {
  return s.stage === 'MQL' && s.sla.windowOpen && s.sla.dueAt ? ms(s.sla.dueAt) : null;
}

export function sendReminder(ctx: StepContext): void {
  const s = ctx.s;
  const fraction = ctx.policy.sla.reminders[s.sla.remindersSent]!;
  s.sla.remindersSent += 1;
  if (s.sla.dueAt !== null && ms(s.sla.dueAt) <= ctx.now) return;
  ctx.audit('SLA_REMINDER', null, { fraction, dueAt: s.sla.dueAt, ownerId: s.ownerId });
  ctx.task({
    kind: 'REMINDER',
    ownerId: s.ownerId,
    subject: `Reminder: lead ${s.leadId} must be worked by ${s.sla.dueAt}`,
    description: `${Math.round(fraction * 100)}% of the first-touch window has passed without an accept or a contact attempt.`,
    dueAt: s.sla.dueAt,
    priority: 'High',
  });
}

/**
 * The window ran out with nobody working the lead: count the breach and take the next step of
 * the escalation chain (reassign with a fresh window, tell someone). After the last step the
 * escalation repeats at an interval, so the lead always has a clock, until someone acts.
 */
export function breach(ctx: StepContext): void {
  const s = ctx.s;
  const { steps, repeatEvery } = ctx.policy.sla.escalation;
  const holder = s.sla.clockOwnerId ?? s.ownerId;
  const missedDueAt = s.sla.dueAt;
  const next = steps[s.sla.step];
  s.sla.step += 1;
  if (!next) {
    s.sla.dueAt = iso(ctx.deadline(ctx.now, repeatEvery ?? ctx.firstTouchWindow(s.kind)));
    s.sla.remindersSent = ctx.policy.sla.reminders.length;
    ctx.audit('ESCALATION_REPEATED', null, { ownerId: holder, missedDueAt, nextAt: s.sla.dueAt });
    notify(ctx, holder, `has still not been worked (first touch was due ${s.sla.firstDueAt})`);
    return;
  }
  s.sla.breaches += 1;
  s.sla.status = 'BREACHED';
  if (s.sla.outcome === 'PENDING') {
    s.sla.outcome = 'BREACHED';
    s.sla.breachedOwnerId = holder;
  }
  ctx.audit('SLA_BREACHED', null, { dueAt: missedDueAt, ownerId: holder, breach: s.sla.breaches, step: s.sla.step });
  const team = ctx.team();
  const target =
    next.reassignTo === 'fallback' ? team.fallbackOwnerId : next.reassignTo === 'manager' ? team.managerId : null;
  const reassigned = target !== null && target !== s.ownerId;
  if (reassigned) {
    s.sla.reassignments += 1;
    s.ownerId = target;
  }
  openWindow(ctx, next.within ?? ctx.firstTouchWindow(s.kind));
  if (next.notify === 'manager' && team.managerId !== s.ownerId)
    notify(ctx, holder, `missed the first-touch SLA due ${missedDueAt}`);
  if (!reassigned) {
    const why = target === null ? 'this escalation step reassigns nobody' : 'the step target already owns the lead';
    ctx.audit('SLA_RESTARTED', null, { ownerId: s.ownerId, dueAt: s.sla.dueAt, why });
    return;
  }
  ctx.audit('REASSIGNED', null, { from: holder, to: s.ownerId, why: 'first-touch SLA breached', dueAt: s.sla.dueAt });
  ctx.closeTasks('reassigned after an SLA breach', (t) => t.kind === 'HANDOFF' || t.kind === 'REMINDER');
  s.handoffTaskId = windowTask(ctx, {
    subject: `Reassigned after an SLA breach: work by ${s.sla.dueAt}`,
    description: `The previous owner did not work this lead in time. First touch or accept due ${s.sla.dueAt}.`,
    priority: 'High',
    urgent: true,
  });
}

/** An escalation task for the team manager about the one who held the clock; never from someone to himself. */
export function notify(ctx: StepContext, aboutOwnerId: string | null, what: string): void {
  const s = ctx.s;
  const managerId = ctx.team().managerId;
  if (managerId === aboutOwnerId) return;
  s.sla.escalations += 1;
  ctx.audit('ESCALATED', null, { to: managerId, ownerId: aboutOwnerId, what });
  ctx.task({
    kind: 'ESCALATION',
    ownerId: managerId,
    subject: `Escalation: lead ${s.leadId} ${what}`,
    description: `Owner ${aboutOwnerId ?? 'none'} ${what}. Policy ${s.policyVersion}.`,
    dueAt: ctx.nowIso,
    priority: 'High',
    urgent: true,
  });
}

/**
 * The first touch stops the clock: met in time, or a breach detected at the touch (its timer may
 * not have fired yet), and the real time to action either way.
 */
export function recordFirstTouch(ctx: StepContext, at: number, how: ResponseType): void {
  const s = ctx.s;
  if (s.sla.firstTouchAt !== null || !s.qualifiedAt) return;
  // A touch Salesforce recorded before the hand-off reached us (the activity poller) counts at the hand-off.
  at = Math.max(at, ms(s.qualifiedAt));
  s.sla.firstTouchAt = iso(at);
  s.sla.responseType = how;
  const late = s.sla.windowOpen && s.sla.dueAt !== null && at > ms(s.sla.dueAt);
  if (late && s.sla.outcome === 'PENDING') {
    s.sla.breaches += 1;
    s.sla.status = 'BREACHED';
    s.sla.outcome = 'BREACHED';
    s.sla.breachedOwnerId = s.sla.clockOwnerId;
    ctx.audit('SLA_BREACHED', null, {
      dueAt: s.sla.dueAt,
      ownerId: s.sla.clockOwnerId,
      breach: s.sla.breaches,
      detectedAt: 'first touch',
    });
  } else if (s.sla.outcome === 'PENDING') {
    s.sla.status = 'MET';
    s.sla.outcome = 'MET';
  }
  const qualifiedAt = ms(s.qualifiedAt);
  s.sla.responseCalendarMs = Math.max(0, at - qualifiedAt);
  s.sla.responseBusinessMs = businessTimeBetween(ctx.calendar(), qualifiedAt, at);
  s.sla.windowOpen = false;
  ctx.closeTasks(
    `worked: first ${how} at ${s.sla.firstTouchAt}`,
    (t) => t.kind === 'HANDOFF' || t.kind === 'REMINDER' || t.kind === 'ESCALATION',
  );
}

/** A cycle that closes before anyone worked it (disqualified, decayed, reopened): listed, not counted in the rate. */
export function closeUnworked(ctx: StepContext): void {
  const { sla } = ctx.s;
  sla.windowOpen = false;
  if (sla.outcome === 'PENDING') sla.outcome = 'CLOSED_UNWORKED';
}
