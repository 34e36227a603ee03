import { businessTimeBetween } from './calendar';
import type { Engagement, Trigger } from './inputs';
import type { Kind } from './model';
import { roundScore, halfLifeOf, kindOfEventType, kindOfEvents, route, scoreFit, strongerKind } from './scoring';
import { emptyCadence, emptySla, type LeadState } from './state';
import { iso, ms, type StepContext } from './step-context';

const SEEN_LIMIT = 1000;
const INTENT_EVENTS_LIMIT = 300;

/** Stages in which marketing still owns the lead, so new information can (re-)route it. */
const MARKETING_STAGES = ['NURTURE', 'RECYCLED'] as const;

/** A trigger or engagement already applied, or an engagement already counted as a trigger's activity. */
export function alreadySeen(state: LeadState, eventId: string): boolean {
  return state.seenEventIds.includes(eventId) || state.intentEvents.some((e) => e.eventId === eventId);
}

/** Records an event or request id on a state the caller owns, keeping the most recent ones. */
export function remember(state: LeadState, id: string): void {
  state.seenEventIds.push(id);
  if (state.seenEventIds.length > SEEN_LIMIT) state.seenEventIds.splice(0, state.seenEventIds.length - SEEN_LIMIT);
}

function addIntentEvent(ctx: StepContext, e: { eventId: string; type: string; occurredAt: string; points?: number }): void {
  // The same activity re-sent by a later trigger (or as an engagement) counts once.
  if (ctx.s.intentEvents.some((known) => known.eventId === e.eventId)) return;
  const policyPoints = ctx.policy.scoring.intent.events[e.type]?.points ?? 0;
  ctx.s.intentEvents.push({
    eventId: e.eventId,
    type: e.type,
    occurredAt: e.occurredAt,
    points: e.points ?? policyPoints,
    halfLifeMs: halfLifeOf(e.type, ctx.policy),
  });
  if (ctx.s.intentEvents.length > INTENT_EVENTS_LIMIT) ctx.s.intentEvents.splice(0, ctx.s.intentEvents.length - INTENT_EVENTS_LIMIT);
}

/** A CRM trigger: merge what it tells us, then route the lead if marketing still owns it. */
export function applyTrigger(ctx: StepContext, t: Trigger): void {
  const s = ctx.s;
  remember(ctx.s, t.eventId);
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
  (t.activities ?? []).forEach((a, i) => addIntentEvent(ctx, { ...a, eventId: a.eventId ?? `${t.eventId}#${i}` }));
  ctx.refreshIntent();

  const explicitKind = t.kind;
  const derived = explicitKind ?? kindOfEvents(s.intentEvents.map((e) => e.type), ctx.policy);
  const ownerChanged = t.ownerId !== undefined && t.ownerId !== s.ownerId;

  if (s.cycle === 0 || isMarketingStage(ctx)) {
    if (t.ownerId) s.ownerId = t.ownerId;
    qualifyIfReady(ctx, derived, explicitKind !== undefined, 'crm');
    return;
  }
  upgradeKind(ctx, derived, 'crm');
  if (ownerChanged && t.ownerId) reassignOwner(ctx, t.ownerId, 'crm', 'owner changed in the CRM');
}

/** Engagement from marketing automation: more intent, maybe a raised hand. */
export function applyEngagement(ctx: StepContext, e: Engagement): void {
  remember(ctx.s, e.eventId);
  const known = e.type in ctx.policy.scoring.intent.events;
  if (!known && e.points === undefined) {
    ctx.audit('ENGAGEMENT', null, { eventId: e.eventId, type: e.type, ignored: 'unknown event type in policy ' + ctx.s.policyVersion });
    return;
  }
  addIntentEvent(ctx, e);
  ctx.refreshIntent();
  ctx.audit('ENGAGEMENT', null, { eventId: e.eventId, type: e.type, intentScore: ctx.s.intentScore });
  const kind = kindOfEventType(e.type, ctx.policy);
  if (isMarketingStage(ctx)) {
    qualifyIfReady(ctx, strongerKind(kindOfEvents(ctx.s.intentEvents.map((x) => x.type), ctx.policy), kind), false, null);
    return;
  }
  upgradeKind(ctx, kind, null);
}

function isMarketingStage(ctx: StepContext): boolean {
  return (MARKETING_STAGES as readonly string[]).includes(ctx.s.stage);
}

/** A recycled lead re-enters the funnel only after its cool-off, and only on new engagement. */
function inCoolOff(ctx: StepContext): boolean {
  return ctx.s.stage === 'RECYCLED' && ctx.s.recycle !== null && !pastCoolOff(ctx.s, ctx.now);
}

/** A recycled lead whose cool-off is over: its next cycle runs under the policy in force then. */
export function pastCoolOff(state: LeadState, now: number): boolean {
  return state.stage === 'RECYCLED' && state.recycle !== null && now >= ms(state.recycle.coolOffUntil);
}

/**
 * The 2×2 router, applied while marketing owns the lead. An explicit kind from the CRM means the
 * CRM already qualified the lead (a Flow or a rep pushed it to sales), so it goes straight to MQL.
 */
function qualifyIfReady(ctx: StepContext, kind: Kind, explicit: boolean, actor: string | null): void {
  const s = ctx.s;
  if (inCoolOff(ctx)) return;
  const decision = explicit ? 'route' : route(s.fitScore, s.intentScore, ctx.policy);
  const scores = { fitScore: s.fitScore, intentScore: s.intentScore };
  if (decision === 'route') {
    handToSales(ctx, kind, actor);
    return;
  }
  s.kind = kind;
  if (decision === 'review') {
    if (s.stage === 'REVIEW') return;
    startCycle(ctx, 'REVIEW');
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

function enterStage(ctx: StepContext, stage: typeof ctx.s.stage): void {
  ctx.s.stage = stage;
  ctx.s.stageEnteredAt = ctx.nowIso;
  ctx.s.staleSince = null;
}

/**
 * A new qualification cycle: new numbers for the SLA report, the recycle reason cleared. A lead
 * routed out of REVIEW stays in the cycle its review opened.
 */
function startCycle(ctx: StepContext, stage: 'MQL' | 'REVIEW'): void {
  const s = ctx.s;
  // Recycled, or nurtured after a recycle's cool-off (the recycle is kept until the next cycle).
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
export function handToSales(ctx: StepContext, kind: Kind, actor: string | null): void {
  const s = ctx.s;
  startCycle(ctx, 'MQL');
  s.kind = kind;
  s.qualifiedAt = ctx.nowIso;
  if (!s.ownerId) s.ownerId = ctx.team().fallbackOwnerId;
  openFirstTouchWindow(ctx, ctx.now);
  s.sla.firstDueAt = s.sla.dueAt;
  ctx.audit('QUALIFIED', actor, { kind, fitScore: s.fitScore, intentScore: s.intentScore, dueAt: s.sla.dueAt });
  s.handoffTaskId = handoffTask(ctx);
}

export function openFirstTouchWindow(ctx: StepContext, from: number): void {
  const s = ctx.s;
  s.sla.windowStartedAt = iso(from);
  s.sla.dueAt = iso(ctx.deadline(from, ctx.firstTouchWindow(s.kind)));
  s.sla.remindersSent = 0;
  s.sla.windowOpen = true;
  if (s.sla.status === 'NOT_APPLICABLE') s.sla.status = 'ON_TRACK';
}

function handoffTask(ctx: StepContext, externalId?: string): string {
  const s = ctx.s;
  return ctx.task({
    ...(externalId ? { externalId } : {}),
    kind: 'HANDOFF',
    ownerId: s.ownerId,
    subject: `${s.kind === 'MQL' ? 'New MQL' : s.kind === 'PQL' ? 'Product-qualified lead' : 'Hand raiser'}: work by ${s.sla.dueAt}`,
    description: `Handed to sales by Handoff (policy ${s.policyVersion}). First touch or accept due ${s.sla.dueAt}.`,
    dueAt: s.sla.dueAt,
    priority: s.kind === 'MQL' ? 'Normal' : 'High',
    withPacket: true,
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
  if (restart) openFirstTouchWindow(ctx, ctx.now);
  ctx.audit('REASSIGNED', actor, { from, to: ownerId, why, ...(restart ? { dueAt: s.sla.dueAt } : {}) });
  if (restart) s.handoffTaskId = handoffTask(ctx);
}

/**
 * The first touch (accept, reject or contact attempt) meets the SLA, or measures the time to action
 * after a breach. A touch after the deadline is a breach even when its timer has not fired yet.
 */
export function recordFirstTouch(ctx: StepContext, at: number): void {
  const s = ctx.s;
  if (s.sla.firstTouchAt !== null || !s.qualifiedAt) return;
  s.sla.firstTouchAt = iso(at);
  const late = s.sla.windowOpen && s.sla.dueAt !== null && at > ms(s.sla.dueAt);
  if (late) {
    s.sla.breaches += 1;
    s.sla.status = 'BREACHED';
    ctx.audit('SLA_BREACHED', null, { dueAt: s.sla.dueAt, ownerId: s.ownerId, breach: s.sla.breaches, detectedAt: 'first touch' });
  } else if (s.sla.status === 'ON_TRACK') s.sla.status = 'MET';
  const qualifiedAt = ms(s.qualifiedAt);
  s.sla.responseCalendarMs = Math.max(0, at - qualifiedAt);
  s.sla.responseBusinessMs = businessTimeBetween(ctx.calendar(), qualifiedAt, at);
  s.sla.windowOpen = false;
}
