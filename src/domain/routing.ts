import type { Engagement, EventOf, Trigger } from './inputs';
import type { Kind } from './model';
import { openWindow, windowTask } from './first-touch';
import { breaksCoolOff, inCoolOff } from './recycle';
import { openReview } from './review';
import { halfLifeOf, kindOfEvents, kindOfEventType, roundScore, route, scoreFit, strongerKind } from './scoring';
import { emptyCadence, emptySla, type LeadState } from './state';
import { iso, ms, type StepContext } from './step-context';
import { enterStage, MARKETING_STAGES } from './transitions';

/**
 * Routing (policy `scoring`, `routing`): CRM triggers and engagement update fit and intent; while
 * marketing owns the lead, the 2×2 matrix routes it (sales now, nurture, RevOps review, or no
 * workflow); a stronger kind mid-SLA tightens the deadline.
 */

const SEEN_LIMIT = 1000;
const INTENT_EVENTS_LIMIT = 300;

/** A trigger, engagement or request already applied, or an engagement already counted as a trigger's activity. */
export function alreadySeen(state: LeadState, id: string): boolean {
  return state.seenEventIds.includes(id) || state.intentEvents.some((e) => e.eventId === id);
}

/** Records an event or request id on a state the caller owns, keeping the most recent ones. */
export function remember(state: LeadState, id: string): void {
  state.seenEventIds.push(id);
  if (state.seenEventIds.length > SEEN_LIMIT) state.seenEventIds.splice(0, state.seenEventIds.length - SEEN_LIMIT);
}

function addIntentEvent(
  ctx: StepContext,
  e: { eventId: string; type: string; occurredAt: string; points?: number },
): boolean {
  if (alreadySeen(ctx.s, e.eventId)) return false;
  ctx.s.intentEvents.push({
    eventId: e.eventId,
    type: e.type,
    occurredAt: e.occurredAt,
    points: e.points ?? ctx.policy.scoring.intent.events[e.type]?.points ?? 0,
    halfLifeMs: halfLifeOf(e.type, ctx.policy),
  });
  if (ctx.s.intentEvents.length > INTENT_EVENTS_LIMIT)
    ctx.s.intentEvents.splice(0, ctx.s.intentEvents.length - INTENT_EVENTS_LIMIT);
  return true;
}

const isMarketingStage = (s: LeadState): boolean => MARKETING_STAGES.includes(s.stage);

/** What a trigger or engagement that a cool-off holds back records beside itself. */
const heldBy = (s: LeadState) => ({
  coolOffUntil: s.recycle!.coolOffUntil,
  held: 'recycled: the cool-off holds until then',
});

/** A CRM trigger: merge what it tells us (recorded), then route the lead if marketing still owns it. */
export function applyTrigger(ctx: StepContext, t: Trigger): void {
  const s = ctx.s;
  if (t.team) s.team = t.team;
  if (t.timezone) s.timezone = t.timezone;
  if (t.firmographics) s.firmographics = { ...s.firmographics, ...t.firmographics };
  if (t.fitScore !== undefined) {
    s.fitScore = roundScore(t.fitScore);
    s.fitBreakdown = [{ rule: 'reported by the CRM', points: roundScore(t.fitScore) }];
    s.fitReported = true;
  } else if (!s.fitReported) {
    const fit = scoreFit(s.firmographics, ctx.policy);
    s.fitScore = fit.score;
    s.fitBreakdown = fit.breakdown;
  }
  if (t.intentScore !== undefined) s.intentBase = { score: t.intentScore, at: t.occurredAt };
  const activityIds = (t.activities ?? []).flatMap((a, i) => {
    const eventId = a.eventId ?? `${t.eventId}#${i}`;
    return addIntentEvent(ctx, { ...a, eventId }) ? [eventId] : [];
  });
  remember(s, t.eventId);
  ctx.refreshIntent();
  ctx.stampFirstRow({ eventId: t.eventId, ...(activityIds.length ? { activityEventIds: activityIds } : {}) });

  const derived =
    t.kind ??
    kindOfEvents(
      s.intentEvents.map((e) => e.type),
      ctx.policy,
    );
  if (s.cycle === 0 || isMarketingStage(s)) {
    if (t.ownerId) s.ownerId = t.ownerId;
    qualifyIfReady(ctx, derived, t.kind !== undefined, 'crm');
  } else {
    upgradeKind(ctx, derived, 'crm');
    if (t.ownerId !== undefined && t.ownerId !== s.ownerId)
      reassignOwner(ctx, t.ownerId, 'crm', 'owner changed in the CRM');
  }
  // Never silently: a trigger that moved nothing (a cool-off holds, or it only added facts) is recorded too.
  if (!ctx.audited) {
    ctx.audit('TRIGGER_RECEIVED', 'crm', {
      occurredAt: t.occurredAt,
      fitScore: s.fitScore,
      intentScore: s.intentScore,
      ...(inCoolOff(s, ctx.now) ? heldBy(s) : {}),
    });
  }
}

/** Engagement from marketing automation: more intent, maybe a raised hand; always recorded. */
export function applyEngagement(ctx: StepContext, e: Engagement): void {
  const s = ctx.s;
  addIntentEvent(ctx, e);
  remember(s, e.eventId);
  ctx.refreshIntent();
  const kind = kindOfEventType(e.type, ctx.policy);
  const cooling = inCoolOff(s, ctx.now);
  const breaks = cooling && breaksCoolOff(ctx, kind);
  ctx.audit('ENGAGEMENT', null, {
    eventId: e.eventId,
    type: e.type,
    intentScore: s.intentScore,
    ...(cooling && !breaks ? heldBy(s) : {}),
  });
  if (isMarketingStage(s)) {
    if (breaks) {
      ctx.audit('COOL_OFF_BROKEN', null, {
        eventId: e.eventId,
        type: e.type,
        kind,
        coolOffUntil: s.recycle!.coolOffUntil,
      });
      s.recycle = { ...s.recycle!, coolOffUntil: ctx.nowIso };
    }
    qualifyIfReady(
      ctx,
      strongerKind(
        kindOfEvents(
          s.intentEvents.map((x) => x.type),
          ctx.policy,
        ),
        kind,
      ),
      false,
      null,
    );
    return;
  }
  upgradeKind(ctx, kind, null);
}

/**
 * The 2×2 router, applied while marketing owns the lead and no cool-off holds. An explicit kind
 * from the CRM means the CRM already qualified the lead (a Flow or a rep pushed it to sales).
 */
function qualifyIfReady(ctx: StepContext, kind: Kind, explicit: boolean, actor: string | null): void {
  const s = ctx.s;
  if (inCoolOff(s, ctx.now)) return;
  const decision = explicit ? 'route' : route(s.fitScore, s.intentScore, ctx.policy);
  const scores = { fitScore: s.fitScore, intentScore: s.intentScore };
  if (decision === 'route') {
    handToSales(ctx, kind, explicit, actor);
    return;
  }
  s.kind = kind;
  if (decision === 'review') {
    if (s.stage === 'REVIEW') return;
    startCycle(ctx, 'REVIEW');
    openReview(ctx, actor, scores);
    return;
  }
  if (decision === 'nurture') {
    if (s.stage === 'NURTURE' && s.cycle > 0) return;
    const from = s.stage;
    enterStage(ctx, 'NURTURE');
    if (s.cycle === 0) s.cycle = 1;
    ctx.audit('ROUTED_TO_NURTURE', actor, { ...scores, from });
    return;
  }
  if (s.cycle === 0) s.cycle = 1;
  s.ignored = true;
  ctx.audit('IGNORED', actor, { ...scores, why: 'low fit and low intent: the policy keeps no workflow for this lead' });
}

/**
 * A new qualification cycle: new numbers for the SLA report, the recycle reason cleared. A lead
 * routed out of REVIEW stays in the cycle its review opened.
 */
export function startCycle(ctx: StepContext, stage: 'MQL' | 'REVIEW'): void {
  const s = ctx.s;
  const requalified = s.stage === 'RECYCLED' || s.recycle !== null;
  if (s.stage !== 'REVIEW') s.cycle += 1;
  s.policyVersion = ctx.policy.version;
  enterStage(ctx, stage);
  s.recycle = null;
  s.reviewDueAt = null;
  s.handoffTaskId = null;
  s.sla = emptySla();
  s.cadence = emptyCadence();
  if (requalified) ctx.audit('REQUALIFIED', null, { cycle: s.cycle });
}

/** MQL: the lead is handed to sales and the first-touch clock starts. */
export function handToSales(ctx: StepContext, kind: Kind, explicit: boolean, actor: string | null): void {
  const s = ctx.s;
  startCycle(ctx, 'MQL');
  s.kind = kind;
  s.kindExplicit = explicit;
  s.qualifiedAt = ctx.nowIso;
  if (!s.ownerId) s.ownerId = ctx.team().fallbackOwnerId;
  openWindow(ctx);
  s.sla.firstDueAt = s.sla.dueAt;
  ctx.audit('QUALIFIED', actor, { kind, fitScore: s.fitScore, intentScore: s.intentScore, dueAt: s.sla.dueAt });
  s.handoffTaskId = handoffTask(ctx);
}

function handoffTask(ctx: StepContext, externalId?: string): string {
  const s = ctx.s;
  return windowTask(ctx, {
    ...(externalId ? { externalId } : {}),
    subject: `${s.kind === 'MQL' ? 'New MQL' : s.kind === 'PQL' ? 'Product-qualified lead' : 'Hand raiser'}: work by ${s.sla.dueAt}`,
    description: `Handed to sales by Handoff (policy ${s.policyVersion}). First touch or accept due ${s.sla.dueAt}.`,
    priority: s.kind === 'MQL' ? 'Normal' : 'High',
  });
}

/**
 * A stronger kind mid-SLA (an MQL that raises its hand): the deadline tightens to the new kind's
 * window counted from now, never loosens, and the handoff task moves with it.
 */
function upgradeKind(ctx: StepContext, kind: Kind, actor: string | null): void {
  const s = ctx.s;
  const stronger = strongerKind(s.kind, kind);
  if (stronger === s.kind) return;
  const from = s.kind;
  s.kind = stronger;
  const detail: Record<string, unknown> = { from, to: stronger };
  if (s.stage === 'MQL' && s.sla.windowOpen && s.sla.dueAt) {
    const tightened = ctx.deadline(ctx.now, ctx.firstTouchWindow(stronger));
    if (tightened < ms(s.sla.dueAt)) {
      detail.previousDueAt = s.sla.dueAt;
      s.sla.dueAt = iso(tightened);
      s.sla.windowStartedAt = ctx.nowIso;
      s.sla.remindersSent = 0;
      detail.dueAt = s.sla.dueAt;
    }
  }
  ctx.audit('KIND_UPGRADED', actor, detail);
  if (s.stage === 'MQL' && s.handoffTaskId) handoffTask(ctx, s.handoffTaskId);
}

/** Hands the lead to a new owner; in MQL before first touch the new owner gets a fresh window. The same owner changes nothing. */
export function reassignOwner(ctx: StepContext, ownerId: string, actor: string, why: string): void {
  const s = ctx.s;
  const from = s.ownerId;
  if (from === ownerId) return;
  s.ownerId = ownerId;
  const restart = s.stage === 'MQL' && s.sla.firstTouchAt === null;
  if (restart) openWindow(ctx);
  ctx.audit('REASSIGNED', actor, { from, to: ownerId, why, ...(restart ? { dueAt: s.sla.dueAt } : {}) });
  ctx.closeTasks(
    `reassigned to ${ownerId}`,
    (t) => t.ownerId !== null && t.ownerId === from && t.kind !== 'ESCALATION',
  );
  if (restart) s.handoffTaskId = handoffTask(ctx);
}

export function reassign(ctx: StepContext, e: EventOf<'reassign'>): void {
  reassignOwner(ctx, e.ownerId, e.actorId, 'manual reassignment');
}
