import type { Firmographics, Kind } from './model';
import { KINDS } from './model';
import type { FitCondition, Policy, Route } from './policy';
import { durationMs } from './duration';
import type { IntentEvent } from './state';

export type FitRuleHit = { rule: string; points: number };

function describeCondition(when: FitCondition): string {
  return Object.entries(when)
    .map(([key, value]) => {
      if (Array.isArray(value)) return `${key} in [${value.join(', ')}]`;
      if (key === 'employees') {
        const r = value as { min?: number; max?: number };
        return `employees ${r.min ?? 0}-${r.max ?? '∞'}`;
      }
      if (key === 'title') return `title ~ /${(value as { pattern: string }).pattern}/`;
      return `${key} = ${String(value)}`;
    })
    .join(' and ');
}

const sameText = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

function isFreeEmail(firmographics: Firmographics, policy: Policy): boolean | undefined {
  if (firmographics.freeEmailDomain !== undefined) return firmographics.freeEmailDomain;
  if (!firmographics.emailDomain) return undefined;
  return policy.scoring.fit.freeEmailDomains.some((d) => sameText(d, firmographics.emailDomain!));
}

/** True when every part of the rule's condition holds; unknown facts never match. */
export function fitConditionHolds(when: FitCondition, firmographics: Firmographics, policy: Policy): boolean {
  const listed = (value: string | undefined, list: string[] | undefined): boolean =>
    list === undefined || (value !== undefined && list.some((item) => sameText(item, value)));
  if (!listed(firmographics.industry, when.industry)) return false;
  if (!listed(firmographics.region, when.region)) return false;
  if (!listed(firmographics.country, when.country)) return false;
  if (when.employees) {
    const n = firmographics.employees;
    if (n === undefined) return false;
    if (when.employees.min !== undefined && n < when.employees.min) return false;
    if (when.employees.max !== undefined && n > when.employees.max) return false;
  }
  if (
    when.title &&
    !(firmographics.title !== undefined && new RegExp(when.title.pattern, 'i').test(firmographics.title))
  ) {
    return false;
  }
  if (when.freeEmailDomain !== undefined && isFreeEmail(firmographics, policy) !== when.freeEmailDomain) return false;
  return true;
}

/** Fit: "should we ever sell to them", the sum of the firmographic rules that hold. */
export function scoreFit(firmographics: Firmographics, policy: Policy): { score: number; breakdown: FitRuleHit[] } {
  const breakdown = policy.scoring.fit.rules
    .filter((rule) => fitConditionHolds(rule.when, firmographics, policy))
    .map((rule) => ({ rule: describeCondition(rule.when), points: rule.points }));
  return { score: breakdown.reduce((sum, hit) => sum + hit.points, 0), breakdown };
}

/** Points left of an engagement after half-life decay: points × 0.5^(age / halfLife). */
export function decayedPoints(points: number, occurredAtMs: number, halfLifeMs: number, now: number): number {
  const age = Math.max(0, now - occurredAtMs);
  return points * Math.pow(0.5, age / halfLifeMs);
}

export function halfLifeOf(type: string, policy: Policy): number {
  const eventPolicy = policy.scoring.intent.events[type];
  return durationMs(eventPolicy ? eventPolicy.halfLife : policy.scoring.intent.reportedHalfLife);
}

export type IntentInputs = { intentBase: { score: number; at: string } | null; intentEvents: IntentEvent[] };

/** Events that count for intent: a score reported by the CRM already includes what happened before it. */
export function countedIntentEvents(inputs: IntentInputs): IntentEvent[] {
  const baseAt = inputs.intentBase ? Date.parse(inputs.intentBase.at) : -Infinity;
  return inputs.intentEvents.filter((e) => Date.parse(e.occurredAt) > baseAt);
}

/** Intent: "are they ready now", the decayed sum of engagement (plus a decayed reported score). */
export function scoreIntent(inputs: IntentInputs, now: number, policy: Policy): number {
  const base = inputs.intentBase
    ? decayedPoints(
        inputs.intentBase.score,
        Date.parse(inputs.intentBase.at),
        durationMs(policy.scoring.intent.reportedHalfLife),
        now,
      )
    : 0;
  const events = countedIntentEvents(inputs).reduce(
    (sum, e) => sum + decayedPoints(e.points, Date.parse(e.occurredAt), e.halfLifeMs, now),
    0,
  );
  return roundScore(base + events);
}

export const roundScore = (x: number): number => Math.round(x * 10) / 10;

export function intentBreakdown(inputs: IntentInputs, now: number) {
  return countedIntentEvents(inputs).map((e) => ({
    type: e.type,
    occurredAt: e.occurredAt,
    points: e.points,
    current: roundScore(decayedPoints(e.points, Date.parse(e.occurredAt), e.halfLifeMs, now)),
  }));
}

/** The 2×2 matrix: fit and intent are judged separately against their thresholds, never summed. */
export function route(fit: number, intent: number, policy: Policy): Route {
  const highFit = fit >= policy.scoring.fit.threshold;
  const highIntent = intent >= policy.scoring.intent.threshold;
  if (highFit) return highIntent ? policy.routing.highFitHighIntent : policy.routing.highFitLowIntent;
  return highIntent ? policy.routing.lowFitHighIntent : policy.routing.lowFitLowIntent;
}

/** HAND_RAISE beats PQL beats MQL. */
export function strongerKind(a: Kind, b: Kind): Kind {
  return KINDS.indexOf(a) <= KINDS.indexOf(b) ? a : b;
}

export function kindOfEventType(type: string, policy: Policy): Kind {
  return policy.scoring.intent.events[type]?.kind ?? 'MQL';
}

/** The strongest kind among the lead's engagement, MQL when none raised a hand. */
export function kindOfEvents(types: string[], policy: Policy): Kind {
  return types.reduce<Kind>((kind, type) => strongerKind(kind, kindOfEventType(type, policy)), 'MQL');
}
