import { durationMs } from './duration';
import type { Policy } from './policy';
import { recycle } from './recycle';
import { roundScore, scoreIntent, type IntentInputs } from './scoring';
import type { LeadState } from './state';
import { ms, type StepContext } from './step-context';

/**
 * Intent decay (policy `decay`, `scoring.intent`): intent is a sum of exponentials, so the instant
 * it falls under a level is solved here, and the lead sleeps until then instead of ticking. Only
 * where a crossing changes something: an MQL nobody touched, handed over by the score (not an
 * explicit CRM kind), goes back to marketing when its intent falls under the threshold; on the way
 * its written score follows in steps of `decay.minChange`. Everywhere else the score is refreshed
 * when something happens to the lead, and time alone costs nothing.
 */

const STEP_FRACTION = 2;
const HORIZON_HALF_LIVES = 64;

/**
 * The first instant after `from` at which the (rounded) intent score is under `level`, or null
 * within the horizon. Scans in steps of half the shortest half-life (a sum of exponentials with
 * mixed signs can dip and rise), then bisects to the millisecond; the scan ends early once the
 * positive parts alone are under the level, since the crossing is then behind.
 */
export function fallsUnder(inputs: IntentInputs, from: number, level: number, policy: Policy): number | null {
  const under = (t: number) => scoreIntent(inputs, t, policy) < level;
  if (under(from)) return from;
  const halfLives = [
    ...(inputs.intentBase ? [durationMs(policy.scoring.intent.reportedHalfLife)] : []),
    ...inputs.intentEvents.map((e) => e.halfLifeMs),
  ];
  if (halfLives.length === 0) return null;
  const step = Math.max(1, Math.floor(Math.min(...halfLives) / STEP_FRACTION));
  const horizon = from + Math.max(...halfLives) * HORIZON_HALF_LIVES;
  let lo = from;
  for (let t = from + step; t <= horizon + step; lo = t, t += step) {
    if (!under(t)) continue;
    let hi = t;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (under(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  return null;
}

function watched(s: LeadState, policy: Policy): boolean {
  return (
    s.stage === 'MQL' &&
    s.sla.firstTouchAt === null &&
    !s.kindExplicit &&
    s.intentScore >= policy.scoring.intent.threshold
  );
}

/** When time alone next changes what matters about the lead's intent, or null. */
export function decayDue(s: LeadState, policy: Policy): number | null {
  if (!watched(s, policy) || !s.decayCheckedAt) return null;
  const checked = ms(s.decayCheckedAt);
  const level = Math.max(policy.scoring.intent.threshold, s.intentScore - policy.decay.minChange + 0.05);
  const at = fallsUnder(s, checked, level, policy);
  return at === null ? null : Math.max(at, checked + durationMs(policy.decay.tick));
}

export function reevaluateIntent(ctx: StepContext): void {
  const s = ctx.s;
  const before = s.intentScore;
  const threshold = ctx.policy.scoring.intent.threshold;
  ctx.refreshIntent();
  ctx.audit('INTENT_REEVALUATED', null, { from: before, to: s.intentScore });
  if (s.intentScore < threshold) {
    ctx.audit('SCORE_DECAYED', null, { intentScore: s.intentScore, threshold });
    recycle(ctx, 'SCORE_DECAYED', `intent decayed to ${roundScore(s.intentScore)}, under ${threshold}`, null);
  }
}
