import type { EventOf } from './inputs';
import { CONNECTED_OUTCOMES } from './model';
import type { Policy } from './policy';
import { notify, recordFirstTouch } from './first-touch';
import { recycle } from './recycle';
import type { LeadState } from './state';
import { deadlineOf, iso, ms, type StepContext } from './step-context';
import { enterStage } from './transitions';

/**
 * The contact cadence (policy `cadence`): e.g. 5 touches spread across 10 days over at least 2
 * channels. Touches closer than `minSpacing` to the last counted one are recorded but not counted.
 * UNRESPONSIVE is decided only once the touches and channels are done and `waitAfterLastTouch`
 * passed with no reply; a window that ends before the rep made the touches is the rep's breach.
 */

/** MQL → SAL, by an explicit accept or a first contact attempt: the first touch, and the cadence window starts. */
function takeOn(ctx: StepContext, repId: string, at: number, how: 'accept' | 'contact'): void {
  const s = ctx.s;
  recordFirstTouch(ctx, at, how);
  s.ownerId = repId;
  enterStage(ctx, 'SAL', at);
  s.cadence.startedAt = iso(at);
  s.cadence.dueBy = iso(ctx.deadline(at, ctx.policy.cadence.within));
  ctx.audit('ACCEPTED', repId, {
    ...(how === 'contact' ? { by: 'first contact attempt' } : {}),
    slaStatus: s.sla.status,
    firstTouchAt: s.sla.firstTouchAt,
  });
}

export function accept(ctx: StepContext, e: EventOf<'accept'>, at: number): void {
  takeOn(ctx, e.repId, at, 'accept');
}

/** A logged touch. In MQL it is the rep working the lead: it meets the SLA and accepts the lead. */
export function contact(ctx: StepContext, e: EventOf<'contact'>, at: number): void {
  const s = ctx.s;
  if (s.stage === 'MQL') takeOn(ctx, e.repId, at, 'contact');
  s.cadence.attempts += 1;
  const counts =
    s.cadence.lastCountedAt === null ||
    at >= deadlineOf(ctx.policy, s, ms(s.cadence.lastCountedAt), ctx.policy.cadence.minSpacing);
  if (counts) {
    s.cadence.counted += 1;
    s.cadence.lastCountedAt = iso(at);
    if (!s.cadence.channels.includes(e.channel)) s.cadence.channels.push(e.channel);
  }
  if (CONNECTED_OUTCOMES.includes(e.outcome)) s.cadence.connected = true;
  ctx.audit('CONTACT_ATTEMPT', e.repId, {
    channel: e.channel,
    outcome: e.outcome,
    attempt: s.cadence.attempts,
    counted: counts,
    ...(counts
      ? { touch: s.cadence.counted }
      : { why: `within ${ctx.policy.cadence.minSpacing.within.text} of the last counted touch` }),
    ...(e.occurredAt ? { claimedAt: e.occurredAt } : {}),
  });
}

/** The agreed touches were made over enough channels and the lead has not answered (yet). */
function touchesDone(s: LeadState, policy: Policy): boolean {
  const c = s.cadence;
  return !c.connected && c.counted >= policy.cadence.touches && c.channels.length >= policy.cadence.minChannels;
}

/** When the lead counts as unresponsive: the last counted touch plus the wait for a reply. */
export function unresponsiveAt(s: LeadState, policy: Policy): number | null {
  if (s.stage !== 'SAL' || !touchesDone(s, policy) || !s.cadence.lastCountedAt) return null;
  return deadlineOf(policy, s, ms(s.cadence.lastCountedAt), policy.cadence.waitAfterLastTouch);
}

export function exhaustCadence(ctx: StepContext): void {
  const { cadence } = ctx.s;
  ctx.audit('CADENCE_EXHAUSTED', null, {
    attempts: cadence.attempts,
    counted: cadence.counted,
    channels: cadence.channels,
  });
  recycle(ctx, 'UNRESPONSIVE', null, null);
}

/** When the rep's cadence window ends with touches still owed. */
export function cadenceDue(s: LeadState, policy: Policy): number | null {
  const c = s.cadence;
  if (s.stage !== 'SAL' || c.breached || c.connected || !c.dueBy || touchesDone(s, policy)) return null;
  return ms(c.dueBy);
}

/** The cadence window ended before the rep made the agreed touches: the rep's breach, not the lead's. */
export function breachCadence(ctx: StepContext): void {
  const s = ctx.s;
  const p = ctx.policy.cadence;
  s.cadence.breached = true;
  ctx.audit('CADENCE_BREACHED', null, {
    counted: s.cadence.counted,
    required: p.touches,
    channels: s.cadence.channels,
    requiredChannels: p.minChannels,
    ownerId: s.ownerId,
  });
  notify(
    ctx,
    s.ownerId,
    `made ${s.cadence.counted}/${p.touches} touches over ${s.cadence.channels.length}/${p.minChannels} channels by ${s.cadence.dueBy}`,
  );
}
