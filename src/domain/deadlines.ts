import { addBusinessTime, businessTimeBetween } from './calendar';
import { durationMs } from './duration';
import { openFirstTouchWindow } from './qualification';
import { recycle } from './sales-actions';
import { intentSettled } from './scoring';
import type { LeadState } from './state';
import { iso, ms, type StepContext } from './step-context';

/** Instants at which the reminders of the open first-touch window fall, in the window's own clock. */
export function reminderTimes(ctx: StepContext): number[] {
  const { sla } = ctx.s;
  if (!sla.windowOpen || !sla.windowStartedAt || !sla.dueAt) return [];
  const start = ms(sla.windowStartedAt);
  const due = ms(sla.dueAt);
  const business = ctx.firstTouchWindow(ctx.s.kind).clock === 'business';
  const length = business ? businessTimeBetween(ctx.calendar(), start, due) : due - start;
  return ctx.policy.sla.reminders.map((f) =>
    business ? addBusinessTime(ctx.calendar(), start, Math.round(length * f)) : start + Math.round(length * f),
  );
}

function staleAt(ctx: StepContext): number | null {
  const { stage, stageEnteredAt, staleSince } = ctx.s;
  if ((stage !== 'SAL' && stage !== 'SQL') || staleSince) return null;
  return ctx.deadline(ms(stageEnteredAt), ctx.policy.stale[stage]);
}

/** Stages whose intent still matters, so decayed scores are re-evaluated and written. */
const DECAYING_STAGES: readonly LeadState['stage'][] = ['NURTURE', 'REVIEW', 'MQL', 'RECYCLED'];

/** Every pending deadline of the lead, by name; the workflow sleeps until the earliest. */
export function pendingDeadlines(ctx: StepContext): Record<string, number> {
  const s = ctx.s;
  const out: Record<string, number> = {};
  if (s.stage === 'MQL' && s.sla.windowOpen && s.sla.dueAt) {
    const next = reminderTimes(ctx)[s.sla.remindersSent];
    if (next !== undefined) out.reminder = next;
    out.firstTouchDue = ms(s.sla.dueAt);
  }
  if (s.stage === 'SAL' && !s.cadence.breached && !s.cadence.connected && s.cadence.dueBy) out.cadenceDue = ms(s.cadence.dueBy);
  const stale = staleAt(ctx);
  if (stale !== null) out.stale = stale;
  if (s.stage === 'REVIEW' && s.reviewDueAt) out.reviewDue = ms(s.reviewDueAt);
  if (DECAYING_STAGES.includes(s.stage) && s.nextDecayAt) out.decay = ms(s.nextDecayAt);
  return out;
}

/** Schedules the next decay re-evaluation, or none once the score cannot move any more. */
export function scheduleDecay(ctx: StepContext): void {
  const s = ctx.s;
  const settled = intentSettled(s, ctx.now, ctx.policy);
  s.nextDecayAt = DECAYING_STAGES.includes(s.stage) && !settled ? iso(ctx.now + durationMs(ctx.policy.decay.tick)) : null;
}

/** Time passes: handle every deadline that is due, in a fixed order. */
export function tick(ctx: StepContext): void {
  const s = ctx.s;
  while (s.stage === 'MQL' && s.sla.windowOpen && (reminderTimes(ctx)[s.sla.remindersSent] ?? Infinity) <= ctx.now) {
    const overdue = s.sla.dueAt !== null && ms(s.sla.dueAt) <= ctx.now;
    if (overdue) s.sla.remindersSent += 1;
    else sendReminder(ctx);
  }
  if (s.stage === 'MQL' && s.sla.windowOpen && s.sla.dueAt && ms(s.sla.dueAt) <= ctx.now) breachFirstTouch(ctx);
  if (s.stage === 'SAL' && !s.cadence.breached && !s.cadence.connected && s.cadence.dueBy && ms(s.cadence.dueBy) <= ctx.now) {
    breachCadence(ctx);
  }
  const stale = staleAt(ctx);
  if (stale !== null && stale <= ctx.now) flagStale(ctx);
  if (s.stage === 'REVIEW' && s.reviewDueAt && ms(s.reviewDueAt) <= ctx.now) reviewOverdue(ctx);
  if (DECAYING_STAGES.includes(s.stage) && s.nextDecayAt && ms(s.nextDecayAt) <= ctx.now) reevaluateIntent(ctx);
}

function sendReminder(ctx: StepContext): void {
  const s = ctx.s;
  const fraction = ctx.policy.sla.reminders[s.sla.remindersSent]!;
  s.sla.remindersSent += 1;
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
 * The first-touch window ran out: count the breach, escalate to the manager, and hand the lead to
 * the team's fallback owner with a fresh window, up to maxReassignments. The time to action keeps
 * being measured until someone touches the lead.
 */
function breachFirstTouch(ctx: StepContext): void {
  const s = ctx.s;
  const { onBreach } = ctx.policy.sla;
  const team = ctx.team();
  const breachedOwner = s.ownerId;
  s.sla.breaches += 1;
  s.sla.status = 'BREACHED';
  s.sla.windowOpen = false;
  ctx.audit('SLA_BREACHED', null, { dueAt: s.sla.dueAt, ownerId: breachedOwner, breach: s.sla.breaches });
  if (onBreach.notifyManager) escalate(ctx, `missed the first-touch SLA due ${s.sla.dueAt}`, breachedOwner);
  const canReassign =
    onBreach.reassignTo === 'fallback' &&
    s.sla.reassignments < onBreach.maxReassignments &&
    breachedOwner !== team.fallbackOwnerId;
  if (!canReassign) return;
  s.sla.reassignments += 1;
  s.ownerId = team.fallbackOwnerId;
  openFirstTouchWindow(ctx, ctx.now);
  ctx.audit('REASSIGNED', null, { from: breachedOwner, to: s.ownerId, why: 'first-touch SLA breached', dueAt: s.sla.dueAt });
  s.handoffTaskId = ctx.task({
    kind: 'HANDOFF',
    ownerId: s.ownerId,
    subject: `Reassigned after an SLA breach: work by ${s.sla.dueAt}`,
    description: `The previous owner did not work this lead in time. First touch or accept due ${s.sla.dueAt}.`,
    dueAt: s.sla.dueAt,
    priority: 'High',
    withPacket: true,
  });
}

function escalate(ctx: StepContext, what: string, ownerId: string | null): void {
  const s = ctx.s;
  const managerId = ctx.team().managerId;
  s.sla.escalations += 1;
  ctx.audit('ESCALATED', null, { to: managerId, ownerId, what });
  ctx.task({
    kind: 'ESCALATION',
    ownerId: managerId,
    subject: `Escalation: lead ${s.leadId} ${what}`,
    description: `Owner ${ownerId ?? 'none'} ${what}. Policy ${s.policyVersion}.`,
    dueAt: ctx.nowIso,
    priority: 'High',
  });
}

/** The cadence window ended before the rep made the agreed touches: the rep's breach, not the lead's. */
function breachCadence(ctx: StepContext): void {
  const s = ctx.s;
  s.cadence.breached = true;
  const p = ctx.policy.cadence;
  ctx.audit('CADENCE_BREACHED', null, {
    attempts: s.cadence.attempts,
    required: p.touches,
    channels: s.cadence.channels,
    requiredChannels: p.minChannels,
    ownerId: s.ownerId,
  });
  escalate(
    ctx,
    `made ${s.cadence.attempts}/${p.touches} touches over ${s.cadence.channels.length}/${p.minChannels} channels by ${s.cadence.dueBy}`,
    s.ownerId,
  );
}

function flagStale(ctx: StepContext): void {
  const s = ctx.s;
  s.staleSince = ctx.nowIso;
  ctx.audit('STALE', null, { stage: s.stage, since: s.stageEnteredAt });
  ctx.task({
    kind: 'STALE',
    ownerId: s.ownerId,
    subject: `Stale: lead ${s.leadId} has been in ${s.stage} since ${s.stageEnteredAt}`,
    description: `The agreement allows ${ctx.policy.stale[s.stage as 'SAL' | 'SQL'].within.text} in ${s.stage}. Move it forward, recycle it with a reason, or disqualify it.`,
    dueAt: ctx.nowIso,
    priority: 'High',
  });
}

function reviewOverdue(ctx: StepContext): void {
  const s = ctx.s;
  ctx.audit('REVIEW_OVERDUE', null, { dueAt: s.reviewDueAt });
  ctx.task({
    kind: 'ESCALATION',
    ownerId: ctx.team().managerId,
    subject: `Overdue review: lead ${s.leadId}`,
    description: `The RevOps review was due ${s.reviewDueAt}.`,
    dueAt: ctx.nowIso,
    priority: 'High',
  });
  s.reviewDueAt = null;
}

/**
 * Decay: re-evaluate intent. An MQL nobody acted on whose intent falls under the threshold goes back
 * to marketing; one the CRM handed over below it (an explicit kind) is left to its SLA.
 */
function reevaluateIntent(ctx: StepContext): void {
  const s = ctx.s;
  const before = s.intentScore;
  ctx.refreshIntent();
  if (s.intentScore !== before) ctx.audit('INTENT_REEVALUATED', null, { from: before, to: s.intentScore });
  const threshold = ctx.policy.scoring.intent.threshold;
  const untouched = s.stage === 'MQL' && s.sla.firstTouchAt === null;
  const fellUnder = before >= threshold && s.intentScore < threshold;
  if (untouched && fellUnder) {
    ctx.audit('SCORE_DECAYED', null, { intentScore: s.intentScore, threshold });
    recycle(ctx, 'SCORE_DECAYED', `intent decayed to ${s.intentScore}, under ${threshold}`, null);
  }
}
