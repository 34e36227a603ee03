import type { Policy } from './policy';
import type { LeadState } from './state';
import { deadlineOf, ms, type StepContext } from './step-context';

/** Time in stage (policy `stale`): a lead longer than its limit in SAL or SQL is flagged once, with a task for its owner. */

export function staleDue(s: LeadState, policy: Policy): number | null {
  if ((s.stage !== 'SAL' && s.stage !== 'SQL') || s.staleSince) return null;
  return deadlineOf(policy, s, ms(s.stageEnteredAt), policy.stale[s.stage]);
}

export function flagStale(ctx: StepContext): void {
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
