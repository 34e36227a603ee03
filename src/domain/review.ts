import type { EventOf } from './inputs';
import { notify } from './first-touch';
import { disqualify } from './recycle';
import { handToSales } from './routing';
import type { LeadState } from './state';
import { iso, ms, type StepContext } from './step-context';
import { enterStage } from './transitions';

/**
 * RevOps review (policy `review`): low fit with high intent waits for a RevOps decision within
 * the review window: route to sales, nurture, or disqualify. An overdue review escalates once.
 */

export function openReview(ctx: StepContext, actor: string | null, scores: Record<string, unknown>): void {
  const s = ctx.s;
  s.reviewDueAt = iso(ctx.deadline(ctx.now, ctx.policy.review));
  ctx.audit('ROUTED_TO_REVIEW', actor, { ...scores, reviewDueAt: s.reviewDueAt });
  ctx.task({
    kind: 'REVIEW',
    ownerId: ctx.team().managerId,
    subject: `Review lead ${s.leadId}: low fit, high intent`,
    description: `Fit ${s.fitScore} (threshold ${ctx.policy.scoring.fit.threshold}), intent ${s.intentScore} (threshold ${ctx.policy.scoring.intent.threshold}). Decide: route to sales, nurture, or disqualify.`,
    dueAt: s.reviewDueAt,
    priority: 'Normal',
    withPacket: true,
  });
}

export function review(ctx: StepContext, e: EventOf<'review'>): void {
  const s = ctx.s;
  ctx.audit('REVIEW_DECIDED', e.actorId, { decision: e.decision, notes: e.notes ?? null });
  s.reviewDueAt = null;
  ctx.closeTasks(`reviewed: ${e.decision}`, (t) => t.kind === 'REVIEW' || t.kind === 'ESCALATION');
  if (e.decision === 'route') {
    handToSales(ctx, s.kind, false, e.actorId);
  } else if (e.decision === 'nurture') {
    enterStage(ctx, 'NURTURE');
    ctx.audit('ROUTED_TO_NURTURE', e.actorId, { from: 'REVIEW' });
  } else {
    disqualify(ctx, {
      type: 'disqualify',
      actorId: e.actorId,
      reason: 'OTHER',
      notes: e.notes ?? 'disqualified in RevOps review',
    });
  }
}

export function reviewDue(s: LeadState): number | null {
  return s.stage === 'REVIEW' && s.reviewDueAt ? ms(s.reviewDueAt) : null;
}

export function reviewOverdue(ctx: StepContext): void {
  const s = ctx.s;
  ctx.audit('REVIEW_OVERDUE', null, { dueAt: s.reviewDueAt });
  notify(ctx, null, `review was due ${s.reviewDueAt}`);
  s.reviewDueAt = null;
}
