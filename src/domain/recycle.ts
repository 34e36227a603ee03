import { durationMs } from './duration';
import { closeUnworked, recordFirstTouch } from './first-touch';
import type { EventOf } from './inputs';
import type { Kind, RecycleReason } from './model';
import type { LeadState } from './state';
import { iso, ms, type StepContext } from './step-context';
import { enterStage } from './transitions';

/**
 * Recycling (policy `recycle`): a lead goes back to marketing with a documented reason, never
 * silently into the trash, and may re-qualify after its cool-off; engagement of the kinds in
 * `breakCoolOff` (a hand-raise, a PQL) ends the cool-off at once. Disqualification is final, and
 * only a deliberate reopen by RevOps starts a new cycle.
 */

export function reject(ctx: StepContext, e: EventOf<'reject'>, at: number): void {
  recordFirstTouch(ctx, at, 'reject');
  ctx.audit('REJECTED', e.repId, { reason: e.reason, notes: e.notes ?? null });
  recycle(ctx, e.reason, e.notes ?? null, e.repId);
}

export function recycle(ctx: StepContext, reason: RecycleReason, notes: string | null, actor: string | null): void {
  const s = ctx.s;
  const coolOff = ctx.policy.recycle.coolOff[reason] ?? ctx.policy.recycle.coolOff.default;
  const from = s.stage;
  closeUnworked(ctx);
  enterStage(ctx, 'RECYCLED');
  s.recycle = { reason, notes, at: ctx.nowIso, coolOffUntil: iso(ctx.now + durationMs(coolOff)) };
  ctx.audit('RECYCLED', actor, { reason, notes, from, coolOffUntil: s.recycle.coolOffUntil });
  ctx.closeTasks(`recycled: ${reason}`);
}

export function disqualify(ctx: StepContext, e: EventOf<'disqualify'>): void {
  const s = ctx.s;
  const from = s.stage;
  closeUnworked(ctx);
  enterStage(ctx, 'DISQUALIFIED');
  s.disqualification = { reason: e.reason, notes: e.notes ?? null, at: ctx.nowIso };
  ctx.audit('DISQUALIFIED', e.actorId, { reason: e.reason, notes: e.notes ?? null, from });
  ctx.closeTasks(`disqualified: ${e.reason}`);
}

/** A recycled lead still inside its cool-off. */
export function inCoolOff(s: LeadState, now: number): boolean {
  return s.stage === 'RECYCLED' && s.recycle !== null && now < ms(s.recycle.coolOffUntil);
}

/** A recycled lead whose cool-off is over: its next cycle runs under the policy in force then. */
export function pastCoolOff(s: LeadState, now: number): boolean {
  return s.stage === 'RECYCLED' && s.recycle !== null && now >= ms(s.recycle.coolOffUntil);
}

/** Engagement of this kind ends the cool-off now (policy `recycle.breakCoolOff`). */
export function breaksCoolOff(ctx: StepContext, kind: Kind): boolean {
  return kind !== 'MQL' && ctx.policy.recycle.breakCoolOff.includes(kind);
}

/**
 * RevOps reopens a closed lead: back to marketing (NURTURE) with its ids and cycle count, so the
 * next qualification opens a new cycle and nothing already seen counts twice.
 */
export function reopen(ctx: StepContext, e: EventOf<'reopen'>): void {
  const s = ctx.s;
  s.cycle = Math.max(s.cycle, e.prior.cycle);
  for (const id of e.prior.seenIds) if (!s.seenEventIds.includes(id)) s.seenEventIds.push(id);
  s.disqualification = null;
  s.opportunityId = null;
  s.recycle = null;
  enterStage(ctx, 'NURTURE');
  ctx.audit('REOPENED', e.actorId, {
    reason: e.reason,
    from: e.prior.stage,
    closedAt: e.prior.closedAt,
    cycle: s.cycle,
  });
}
