import { addClocked } from './calendar';
import { durationMs } from './duration';
import type { LeadEvent } from './inputs';
import { CONNECTED_OUTCOMES, type RecycleReason } from './model';
import { handToSales, reassignOwner, recordFirstTouch } from './qualification';
import { iso, type StepContext } from './step-context';

type Of<T extends LeadEvent['type']> = Extract<LeadEvent, { type: T }>;

/** SAL: sales accepted the lead; the contact cadence starts. */
export function accept(ctx: StepContext, e: Of<'accept'>, at: number): void {
  recordFirstTouch(ctx, at);
  ctx.s.ownerId = e.repId;
  enterSal(ctx, at);
  ctx.audit('ACCEPTED', e.repId, { slaStatus: ctx.s.sla.status, firstTouchAt: ctx.s.sla.firstTouchAt });
}

function enterSal(ctx: StepContext, at: number): void {
  const s = ctx.s;
  s.stage = 'SAL';
  s.stageEnteredAt = iso(at);
  s.staleSince = null;
  s.cadence.startedAt = iso(at);
  s.cadence.dueBy = iso(addClocked(ctx.calendar(), at, ctx.policy.cadence.within));
}

/** A logged touch. In MQL it is the rep working the lead: it meets the SLA and accepts the lead. */
export function contact(ctx: StepContext, e: Of<'contact'>, at: number): void {
  const s = ctx.s;
  if (s.stage === 'MQL') {
    recordFirstTouch(ctx, at);
    s.ownerId = e.repId;
    enterSal(ctx, at);
    ctx.audit('ACCEPTED', e.repId, { by: 'first contact attempt', slaStatus: s.sla.status, firstTouchAt: s.sla.firstTouchAt });
  }
  s.cadence.attempts += 1;
  if (!s.cadence.channels.includes(e.channel)) s.cadence.channels.push(e.channel);
  if (CONNECTED_OUTCOMES.includes(e.outcome)) s.cadence.connected = true;
  ctx.audit('CONTACT_ATTEMPT', e.repId, {
    channel: e.channel,
    outcome: e.outcome,
    attempt: s.cadence.attempts,
    ...(e.occurredAt ? { claimedAt: e.occurredAt } : {}),
  });
  if (s.stage === 'SAL' && cadenceExhausted(ctx)) {
    ctx.audit('CADENCE_EXHAUSTED', null, { attempts: s.cadence.attempts, channels: s.cadence.channels });
    recycle(ctx, 'UNRESPONSIVE', null, null);
  }
}

/** The agreed touches were made over enough channels and the lead never answered. */
export function cadenceExhausted(ctx: StepContext): boolean {
  const { cadence } = ctx.s;
  return (
    !cadence.connected &&
    cadence.attempts >= ctx.policy.cadence.touches &&
    cadence.channels.length >= ctx.policy.cadence.minChannels
  );
}

export function reject(ctx: StepContext, e: Of<'reject'>, at: number): void {
  recordFirstTouch(ctx, at);
  ctx.audit('REJECTED', e.repId, { reason: e.reason, notes: e.notes ?? null });
  recycle(ctx, e.reason, e.notes ?? null, e.repId);
}

/** Back to marketing with a documented reason, never silently into the trash. */
export function recycle(ctx: StepContext, reason: RecycleReason, notes: string | null, actor: string | null): void {
  const s = ctx.s;
  const coolOff = ctx.policy.recycle.coolOff[reason] ?? ctx.policy.recycle.coolOff.default;
  const from = s.stage;
  s.stage = 'RECYCLED';
  s.stageEnteredAt = ctx.nowIso;
  s.staleSince = null;
  s.sla.windowOpen = false;
  s.recycle = { reason, notes, at: ctx.nowIso, coolOffUntil: iso(ctx.now + durationMs(coolOff)) };
  ctx.audit('RECYCLED', actor, { reason, notes, from, coolOffUntil: s.recycle.coolOffUntil });
}

export function qualify(ctx: StepContext, e: Of<'qualify'>, at: number): void {
  const s = ctx.s;
  s.bant = e.bant;
  s.stage = 'SQL';
  s.stageEnteredAt = iso(at);
  s.staleSince = null;
  ctx.audit('SQL_QUALIFIED', e.repId, { bant: e.bant });
}

export function convert(ctx: StepContext, e: Of<'convert'>): void {
  ctx.s.opportunityId = e.opportunityId;
  ctx.s.stage = 'CONVERTED';
  ctx.s.stageEnteredAt = ctx.nowIso;
  ctx.audit('CONVERTED', e.repId, { opportunityId: e.opportunityId });
}

export function disqualify(ctx: StepContext, e: Of<'disqualify'>): void {
  const s = ctx.s;
  const from = s.stage;
  s.stage = 'DISQUALIFIED';
  s.stageEnteredAt = ctx.nowIso;
  s.sla.windowOpen = false;
  s.disqualification = { reason: e.reason, notes: e.notes ?? null, at: ctx.nowIso };
  ctx.audit('DISQUALIFIED', e.actorId, { reason: e.reason, notes: e.notes ?? null, from });
}

export function reassign(ctx: StepContext, e: Of<'reassign'>): void {
  reassignOwner(ctx, e.ownerId, e.actorId, 'manual reassignment');
}

/** RevOps decides a low-fit, high-intent lead. */
export function review(ctx: StepContext, e: Of<'review'>): void {
  const s = ctx.s;
  ctx.audit('REVIEW_DECIDED', e.actorId, { decision: e.decision, notes: e.notes ?? null });
  s.reviewDueAt = null;
  if (e.decision === 'route') {
    handToSales(ctx, s.kind, e.actorId);
  } else if (e.decision === 'nurture') {
    s.stage = 'NURTURE';
    s.stageEnteredAt = ctx.nowIso;
    ctx.audit('ROUTED_TO_NURTURE', e.actorId, { from: 'REVIEW' });
  } else {
    disqualify(ctx, { type: 'disqualify', actorId: e.actorId, reason: 'OTHER', notes: e.notes ?? 'disqualified in RevOps review' });
  }
}
