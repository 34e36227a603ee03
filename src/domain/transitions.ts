import type { Action } from './inputs';
import { STAGES, type Stage } from './model';
import type { StepContext } from './step-context';

/**
 * Which actions each stage allows and where each one can take the lead. Everything not listed is
 * refused with 409; `ALLOWED_ACTIONS` and the refusal messages derive from this table.
 */
export const TRANSITIONS: Record<Stage, Partial<Record<Action, readonly Stage[]>>> = {
  NURTURE: { disqualify: ['DISQUALIFIED'] },
  REVIEW: { review: ['MQL', 'NURTURE', 'DISQUALIFIED'], reassign: ['REVIEW'], disqualify: ['DISQUALIFIED'] },
  MQL: {
    accept: ['SAL'],
    contact: ['SAL'],
    reject: ['RECYCLED'],
    reassign: ['MQL'],
    disqualify: ['DISQUALIFIED'],
  },
  SAL: {
    contact: ['SAL', 'RECYCLED'],
    qualify: ['SQL'],
    reject: ['RECYCLED'],
    reassign: ['SAL'],
    disqualify: ['DISQUALIFIED'],
  },
  SQL: {
    contact: ['SQL'],
    convert: ['CONVERTED'],
    reject: ['RECYCLED'],
    reassign: ['SQL'],
    disqualify: ['DISQUALIFIED'],
  },
  RECYCLED: { disqualify: ['DISQUALIFIED'] },
  CONVERTED: { reopen: ['NURTURE'] },
  DISQUALIFIED: { reopen: ['NURTURE'] },
};

export const ALLOWED_ACTIONS = Object.fromEntries(
  STAGES.map((stage) => [stage, Object.keys(TRANSITIONS[stage])]),
) as unknown as Record<Stage, readonly Action[]>;

/** A rep who converts the Lead in Salesforce closes it from any sales stage (read by the activity poller). */
export const SALESFORCE_CONVERSION_STAGES: readonly Stage[] = ['MQL', 'SAL', 'SQL'];

/** Stages in which marketing owns the lead, so new information can (re-)route it. */
export const MARKETING_STAGES: readonly Stage[] = ['NURTURE', 'RECYCLED'];

/** The one place that moves a lead between stages: stage, entry time and the stale flag change together. */
export function enterStage(ctx: StepContext, stage: Stage, at: number = ctx.now): void {
  ctx.s.stage = stage;
  ctx.s.stageEnteredAt = new Date(at).toISOString();
  ctx.s.staleSince = null;
}

/** "accept → SAL, reject → RECYCLED": what the stage allows, for a refusal message. */
export function describeAllowed(stage: Stage): string {
  const moves = Object.entries(TRANSITIONS[stage]).map(([action, to]) => `${action} → ${(to ?? []).join('/')}`);
  return moves.length ? `allowed in ${stage}: ${moves.join(', ')}` : `${stage} is final: no action is allowed`;
}
