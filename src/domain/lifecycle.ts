import { contact, accept } from './cadence';
import { tick } from './deadlines';
import type { Effect } from './effects';
import { recordFirstTouch } from './first-touch';
import { convert, qualify } from './funnel';
import type { EventOf, LeadEvent, PriorLife, Received } from './inputs';
import { CLOSED_STAGES } from './model';
import type { Policy } from './policy';
import { disqualify, reject, reopen } from './recycle';
import { refusal, type Refusal } from './refusals';
import { review } from './review';
import { alreadySeen, applyEngagement, applyTrigger, reassign, remember } from './routing';
import { emptyCadence, emptySla, type LeadState } from './state';
import { iso, leadRecordOf, ms, StepContext } from './step-context';

export { nextDeadline } from './deadlines';
export { refusal, type Refusal } from './refusals';
export { ALLOWED_ACTIONS } from './transitions';

export type StepResult = { ok: true; state: LeadState; effects: Effect[] } | { ok: false; refusal: Refusal };

export type LeadInit = { leadId: string; workflowId: string; effectPrefix: string; policy: Policy; now: number };

export function newLead(init: LeadInit): LeadState {
  const now = iso(init.now);
  return {
    leadId: init.leadId,
    workflowId: init.workflowId,
    effectPrefix: init.effectPrefix,
    stage: 'NURTURE',
    ignored: false,
    kind: 'MQL',
    kindExplicit: false,
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
    openTasks: [],
    reviewDueAt: null,
    staleSince: null,
    decayCheckedAt: null,
    bant: null,
    opportunityId: null,
    syncError: null,
    seenEventIds: [],
    seq: 0,
    history: [],
  };
}

/** A closed lead as a new run finds it before RevOps reopens it: its final stage, cycles and seen ids. */
export function closedLead(init: LeadInit, prior: PriorLife): LeadState {
  const s = newLead(init);
  return {
    ...s,
    stage: prior.stage,
    stageEnteredAt: prior.closedAt,
    cycle: prior.cycle,
    seenEventIds: prior.seenIds.slice(-1000),
  };
}

/** The id a duplicate would carry again: the event id of a trigger or engagement, else the request (update) id. */
function dedupeKey(received: Received): string | null {
  const e = received.event;
  if (e.type === 'trigger') return e.trigger.eventId;
  if (e.type === 'engagement') return e.engagement.eventId;
  return received.requestId;
}

/** The lifecycle state machine: (state, received event, now, policy) → { state, effects }, or a refusal. */
export function step(state: LeadState, received: Received, now: number, policy: Policy): StepResult {
  const event = received.event;
  const refused = refusal(state, event, policy);
  if (refused) return { ok: false, refusal: refused };
  const key = dedupeKey(received);
  if (key !== null && alreadySeen(state, key)) return { ok: true, state, effects: [] };

  const at = Math.min(ms(received.receivedAt), now);
  const ctx = new StepContext(structuredCloneJson(state), fromOutside(event) ? countsFrom(state, at) : now, policy, received.requestId);
  const before = leadRecordOf(state);
  if (key !== null && event.type !== 'trigger' && event.type !== 'engagement') remember(ctx.s, key);
  dispatch(ctx, event, at);
  ctx.syncIfChanged(before);
  return { ok: true, state: ctx.s, effects: ctx.effects };
}

const fromOutside = (event: LeadEvent): boolean => event.type === 'trigger' || event.type === 'engagement';

/**
 * A trigger or an engagement happens when Handoff received it, not when a busy worker got to it:
 * a hand-off's first-touch window opens at the receive time. Never before the lead's last recorded
 * step, so the lead's own times stay in order.
 */
function countsFrom(state: LeadState, receivedAt: number): number {
  const last = state.history.at(-1)?.at;
  return last === undefined ? receivedAt : Math.max(ms(last), receivedAt);
}

function dispatch(ctx: StepContext, event: LeadEvent, at: number): void {
  switch (event.type) {
    case 'trigger':
      return applyTrigger(ctx, event.trigger);
    case 'engagement':
      return applyEngagement(ctx, event.engagement);
    case 'accept':
      return accept(ctx, event, at);
    case 'reject':
      return reject(ctx, event, at);
    case 'contact':
      return contact(ctx, event, at);
    case 'qualify':
      return qualify(ctx, event, at);
    case 'convert':
      if (ctx.s.stage === 'MQL') recordFirstTouch(ctx, at, 'accept');
      return convert(ctx, event);
    case 'disqualify':
      return disqualify(ctx, event);
    case 'reassign':
      return reassign(ctx, event);
    case 'review':
      return review(ctx, event);
    case 'reopen':
      return reopen(ctx, event);
    case 'tick':
      return tick(ctx);
    case 'salesforceSynced':
      return salesforceSynced(ctx, event);
    case 'writeFailed':
      ctx.s.syncError = { code: event.code, fields: [], message: event.message, at: ctx.nowIso };
      return ctx.audit('WRITE_FAILED', null, {
        effectId: event.effectId,
        target: event.target,
        code: event.code,
        message: event.message,
      });
  }
}

/** The write-back's report: a refused field is recorded once when it appears, and once when writes land in full again. */
function salesforceSynced(ctx: StepContext, event: EventOf<'salesforceSynced'>): void {
  const s = ctx.s;
  const error = event.syncError;
  if (error === null) {
    if (s.syncError === null) return;
    s.syncError = null;
    return ctx.audit('SYNC_RECOVERED', null, {});
  }
  if (s.syncError && s.syncError.code === error.code && s.syncError.fields.join() === error.fields.join()) return;
  s.syncError = { ...error, at: ctx.nowIso };
  ctx.audit('SYNC_ERROR', null, { code: error.code, fields: error.fields, message: error.message });
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The workflow ends when the lead reached a final stage, or the policy keeps no workflow for it. */
export function isClosed(state: LeadState): boolean {
  return state.ignored || CLOSED_STAGES.includes(state.stage);
}
