import { pendingDeadlines, scheduleDecay, tick } from './deadlines';
import type { Effect } from './effects';
import { ACTIONS, type Action, type LeadEvent } from './inputs';
import { TERMINAL_STAGES, type Stage } from './model';
import type { Policy } from './policy';
import { alreadySeen, applyEngagement, applyTrigger } from './qualification';
import { accept, contact, convert, disqualify, qualify, reassign, reject, review } from './sales-actions';
import { emptyCadence, emptySla, type LeadState } from './state';
import { iso, leadRecordOf, ms, StepContext } from './step-context';

/** Which actions each stage allows; everything else is refused with this list in the message. */
export const ALLOWED_ACTIONS: Record<Stage, readonly Action[]> = {
  NURTURE: ['disqualify'],
  REVIEW: ['review', 'reassign', 'disqualify'],
  MQL: ['accept', 'reject', 'contact', 'reassign', 'disqualify'],
  SAL: ['contact', 'qualify', 'reject', 'reassign', 'disqualify'],
  SQL: ['contact', 'convert', 'reject', 'reassign', 'disqualify'],
  RECYCLED: ['disqualify'],
  CONVERTED: [],
  DISQUALIFIED: [],
};

export type Refusal = {
  code: 'INVALID_TRANSITION' | 'POLICY_VIOLATION';
  message: string;
  stage: Stage;
  allowed: readonly Action[];
};

export type StepResult = { ok: true; state: LeadState; effects: Effect[] } | { ok: false; refusal: Refusal };

export function newLead(init: { leadId: string; workflowId: string; effectPrefix: string; policy: Policy; now: number }): LeadState {
  const now = iso(init.now);
  return {
    leadId: init.leadId,
    workflowId: init.workflowId,
    effectPrefix: init.effectPrefix,
    stage: 'NURTURE',
    ignored: false,
    kind: 'MQL',
    ownerId: null,
    team: init.policy.defaultTeam,
    timezone: null,
    policyVersion: init.policy.version,
    cycle: 0,
    firmographics: {},
    fitScore: 0,
    fitBreakdown: [],
    fitReported: false,
    intentBase: null,
    intentEvents: [],
    intentScore: 0,
    qualifiedAt: null,
    stageEnteredAt: now,
    sla: emptySla(),
    cadence: emptyCadence(),
    recycle: null,
    disqualification: null,
    handoffTaskId: null,
    reviewDueAt: null,
    staleSince: null,
    nextDecayAt: null,
    bant: null,
    opportunityId: null,
    lastSyncError: null,
    seenEventIds: [],
    seq: 0,
    history: [],
  };
}

const isAction = (type: string): type is Action => (ACTIONS as readonly string[]).includes(type);

/** Why the event cannot be applied now, or null. Pure and synchronous: Temporal update validators call it. */
export function refusal(state: LeadState, event: LeadEvent, policy: Policy): Refusal | null {
  const stage = state.stage;
  const allowed = ALLOWED_ACTIONS[stage];
  const refuse = (code: Refusal['code'], message: string): Refusal => ({ code, message, stage, allowed });
  if (event.type === 'trigger') {
    if (TERMINAL_STAGES.includes(stage)) return refuse('INVALID_TRANSITION', `lead ${state.leadId} is ${stage}, a final stage: it takes no more triggers`);
    if (event.trigger.team && !policy.teams.some((t) => t.id === event.trigger.team)) {
      return refuse('POLICY_VIOLATION', `unknown team "${event.trigger.team}" (policy ${policy.version} knows ${policy.teams.map((t) => t.id).join(', ')})`);
    }
    return null;
  }
  if (!isAction(event.type)) return null;
  if (!allowed.includes(event.type)) {
    const options = allowed.length ? `allowed in ${stage}: ${allowed.join(', ')}` : `${stage} is final: no action is allowed`;
    return refuse('INVALID_TRANSITION', `cannot ${event.type} lead ${state.leadId} in stage ${stage} (${options})`);
  }
  if (event.type === 'reject' && policy.recycle.notesRequiredFor.includes(event.reason) && !event.notes) {
    return refuse('POLICY_VIOLATION', `notes are required when rejecting with reason ${event.reason}`);
  }
  if (event.type === 'disqualify' && event.reason === 'OTHER' && !event.notes) {
    return refuse('POLICY_VIOLATION', 'notes are required when disqualifying with reason OTHER');
  }
  return null;
}

/** The lifecycle state machine: (state, event, now, policy) → { state, effects }, or a refusal. */
export function step(state: LeadState, event: LeadEvent, now: number, policy: Policy): StepResult {
  const refused = refusal(state, event, policy);
  if (refused) return { ok: false, refusal: refused };
  const duplicate =
    (event.type === 'trigger' && alreadySeen(state, event.trigger.eventId)) ||
    (event.type === 'engagement' && alreadySeen(state, event.engagement.eventId));
  const afterTheEnd = event.type === 'engagement' && TERMINAL_STAGES.includes(state.stage);
  if (duplicate || afterTheEnd) return { ok: true, state, effects: [] };

  const ctx = new StepContext(structuredCloneJson(state), now, policy);
  const before = leadRecordOf(state);
  const at = 'receivedAt' in event && typeof event.receivedAt === 'string' ? Math.min(ms(event.receivedAt), now) : now;
  switch (event.type) {
    case 'trigger':
      applyTrigger(ctx, event.trigger);
      break;
    case 'engagement':
      applyEngagement(ctx, event.engagement);
      break;
    case 'accept':
      accept(ctx, event, at);
      break;
    case 'reject':
      reject(ctx, event, at);
      break;
    case 'contact':
      contact(ctx, event, at);
      break;
    case 'qualify':
      qualify(ctx, event, at);
      break;
    case 'convert':
      convert(ctx, event);
      break;
    case 'disqualify':
      disqualify(ctx, event);
      break;
    case 'reassign':
      reassign(ctx, event);
      break;
    case 'review':
      review(ctx, event);
      break;
    case 'tick':
      tick(ctx);
      break;
    case 'writeFailed':
      ctx.s.lastSyncError = { effectId: event.effectId, target: event.target, code: event.code, message: event.message, at: ctx.nowIso };
      ctx.audit('WRITE_FAILED', null, { effectId: event.effectId, target: event.target, code: event.code, message: event.message });
      break;
  }
  if (event.type !== 'tick' || ctx.s.nextDecayAt === null || ms(ctx.s.nextDecayAt) <= now) scheduleDecay(ctx);
  ctx.syncIfChanged(before);
  return { ok: true, state: ctx.s, effects: ctx.effects };
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The earliest instant at which time alone changes the lead, or null when nothing is pending. */
export function nextDeadline(state: LeadState, policy: Policy): number | null {
  const all = Object.values(pendingDeadlines(new StepContext(state, 0, policy)));
  return all.length ? Math.min(...all) : null;
}

/** The workflow ends when the lead reached a final stage, or the policy keeps no workflow for it. */
export function isClosed(state: LeadState): boolean {
  return state.ignored || TERMINAL_STAGES.includes(state.stage);
}
