import {
  countedIntentEvents,
  decayedPoints,
  fitConditionHolds,
  halfLifeOf,
  intentBreakdown,
  kindOfEvents,
  kindOfEventType,
  roundScore,
  route,
  scoreFit,
  scoreIntent,
  strongerKind,
  type IntentInputs,
} from '../../src/domain/scoring';
import type { Firmographics } from '../../src/domain/model';
import type { IntentEvent } from '../../src/domain/state';
import { testPolicy } from '../helpers/policy';
import { DAY, HOT, iso, MON_0900 } from './lead-fixtures';

const policy = testPolicy();
const NOW = MON_0900;

const INDUSTRY = { rule: 'industry in [Software, Fintech, Logistics]', points: 20 };
const EMPLOYEES = { rule: 'employees 50-500', points: 20 };
const REGION = { rule: 'region in [NA, EMEA]', points: 15 };
const TITLE = { rule: 'title ~ /\\b(VP|Vice President|Director|Head of)\\b/', points: 25 };
const FREE_EMAIL = { rule: 'freeEmailDomain = true', points: -15 };

const fit = (f: Firmographics, p = policy) => scoreFit(f, p);

/** An intent event as the lifecycle stores it, with the policy's half-life for its type. */
function ev(type: string, ageDays: number, points?: number, id = `${type}-${ageDays}`): IntentEvent {
  return {
    eventId: id,
    type,
    occurredAt: iso(NOW - ageDays * DAY),
    points: points ?? policy.scoring.intent.events[type]!.points,
    halfLifeMs: halfLifeOf(type, policy),
  };
}
const events = (...list: IntentEvent[]): IntentInputs => ({ intentBase: null, intentEvents: list });

describe('fit rules', () => {
  it('scores the hot persona 80 with one breakdown line per rule that held, in rule order', () => {
    expect(fit(HOT)).toEqual({ score: 80, breakdown: [INDUSTRY, EMPLOYEES, REGION, TITLE] });
  });

  it('scores nothing known as 0 with an empty breakdown: unknown facts never match', () => {
    expect(fit({})).toEqual({ score: 0, breakdown: [] });
  });

  it.each([
    ['Software', true],
    ['software', true],
    ['  FINTECH ', true],
    ['Logistics', true],
    ['Soft', false],
    ['Software Services', false],
    ['Retail', false],
  ])('industry %j is in the target list: %s (case-insensitive, whole value)', (industry, hit) => {
    expect(fit({ industry }).breakdown).toEqual(hit ? [INDUSTRY] : []);
  });

  it.each([
    [49, false],
    [50, true],
    [51, true],
    [499, true],
    [500, true],
    [501, false],
    [0, false],
  ])('employees %d is in 50–500 inclusive: %s', (employees, hit) => {
    expect(fit({ employees }).score).toBe(hit ? 20 : 0);
  });

  it('employee ranges with one bound are open on the other side', () => {
    const p = testPolicy({
      scoring: { fit: { rules: [{ when: { employees: { max: 100 } }, points: 5 }, { when: { employees: { min: 1000 } }, points: 7 }] } },
    });
    expect(fit({ employees: 0 }, p)).toEqual({ score: 5, breakdown: [{ rule: 'employees 0-100', points: 5 }] });
    expect(fit({ employees: 100 }, p).score).toBe(5);
    expect(fit({ employees: 101 }, p).score).toBe(0);
    expect(fit({ employees: 999 }, p).score).toBe(0);
    expect(fit({ employees: 1000 }, p)).toEqual({ score: 7, breakdown: [{ rule: 'employees 1000-∞', points: 7 }] });
  });

  it.each([
    ['NA', true],
    ['emea', true],
    ['APAC', false],
    ['LATAM', false],
  ])('region %j is a priority region: %s', (region, hit) => {
    expect(fit({ region }).score).toBe(hit ? 15 : 0);
  });

  it.each([
    ['VP of Sales', true],
    ['vp, engineering', true],
    ['SVP Marketing', false],
    ['Vice President Operations', true],
    ['Director of IT', true],
    ['Head of Growth', true],
    ['head of people', true],
    ['Headcount planner', false],
    ['VPN administrator', false],
    ['Directorate assistant', false],
    ['Software Engineer', false],
  ])('title %j is a decision maker: %s (regex, case-insensitive, word boundaries)', (title, hit) => {
    expect(fit({ title }).breakdown).toEqual(hit ? [TITLE] : []);
  });

  it('the free-email flag costs 15 points and beats the domain when both are given', () => {
    expect(fit({ freeEmailDomain: true })).toEqual({ score: -15, breakdown: [FREE_EMAIL] });
    expect(fit({ freeEmailDomain: false, emailDomain: 'gmail.com' })).toEqual({ score: 0, breakdown: [] });
    expect(fit({ freeEmailDomain: true, emailDomain: 'acme.com' }).score).toBe(-15);
  });

  it.each([
    ['gmail.com', -15],
    ['GMail.com', -15],
    ['yahoo.com', -15],
    ['outlook.com', -15],
    ['acme.com', 0],
    ['mail.acme.com', 0],
  ])('without the flag, email domain %j is looked up in the default free-domain list: %d', (emailDomain, points) => {
    expect(fit({ emailDomain }).score).toBe(points);
  });

  it('uses the policy\'s own free-domain list when it has one', () => {
    const p = testPolicy({ scoring: { fit: { freeEmailDomains: ['example.org'] } } });
    expect(fit({ emailDomain: 'example.org' }, p).score).toBe(-15);
    expect(fit({ emailDomain: 'gmail.com' }, p).score).toBe(0);
  });

  it('a rule for business email (freeEmailDomain: false) needs a known, non-free domain', () => {
    const p = testPolicy({ scoring: { fit: { rules: [{ when: { freeEmailDomain: false }, points: 10 }] } } });
    expect(fit({ emailDomain: 'acme.com' }, p).score).toBe(10);
    expect(fit({ freeEmailDomain: false }, p).score).toBe(10);
    expect(fit({ emailDomain: 'gmail.com' }, p).score).toBe(0);
    expect(fit({}, p).score).toBe(0);
  });

  it('a rule with several conditions needs all of them, and says so in the breakdown', () => {
    const p = testPolicy({
      scoring: { fit: { rules: [{ when: { industry: ['Software'], country: ['US', 'CA'], employees: { min: 10, max: 20 } }, points: 30 }] } },
    });
    const rule = 'industry in [Software] and country in [US, CA] and employees 10-20';
    expect(fit({ industry: 'software', country: 'ca', employees: 15 }, p)).toEqual({ score: 30, breakdown: [{ rule, points: 30 }] });
    expect(fit({ industry: 'software', country: 'MX', employees: 15 }, p).score).toBe(0);
    expect(fit({ industry: 'software', country: 'US' }, p).score).toBe(0);
    expect(fitConditionHolds(p.scoring.fit.rules[0]!.when, { industry: 'Software', country: 'US', employees: 10 }, p)).toBe(true);
  });

  it('sums every rule, negative ones included', () => {
    expect(fit({ ...HOT, emailDomain: 'hotmail.com' })).toEqual({
      score: 65,
      breakdown: [INDUSTRY, EMPLOYEES, REGION, TITLE, FREE_EMAIL],
    });
  });
});

describe('intent with per-event half-life decay', () => {
  it('is points × 0.5^(age / halfLife) for one event', () => {
    expect(decayedPoints(50, NOW, 30 * DAY, NOW)).toBe(50);
    expect(decayedPoints(50, NOW - 30 * DAY, 30 * DAY, NOW)).toBe(25);
    expect(decayedPoints(50, NOW - 60 * DAY, 30 * DAY, NOW)).toBe(12.5);
    expect(decayedPoints(50, NOW - 15 * DAY, 30 * DAY, NOW)).toBeCloseTo(50 / Math.SQRT2, 12);
    expect(decayedPoints(-20, NOW - 90 * DAY, 90 * DAY, NOW)).toBe(-10);
    // An event stamped in the future counts in full, never more.
    expect(decayedPoints(50, NOW + DAY, 30 * DAY, NOW)).toBe(50);
  });

  it.each([
    ['demo_request', 30, 50, 30, 25],
    ['product_activation', 30, 40, 60, 10],
    ['pricing_visit', 14, 9, 14, 4.5],
    ['webinar', 21, 15, 42, 3.75],
    ['whitepaper', 21, 10, 21, 5],
    ['blog_subscribe', 60, 5, 120, 1.25],
    ['email_open', 7, 1, 7, 0.5],
    ['unsubscribe', 90, -20, 180, -5],
    ['careers_visit', 30, -10, 30, -5],
  ])('%s: half-life %d days, %d points, after %d days is worth %d', (type, halfLifeDays, points, ageDays, worth) => {
    expect(halfLifeOf(type, policy)).toBe(halfLifeDays * DAY);
    expect(policy.scoring.intent.events[type]!.points).toBe(points);
    expect(decayedPoints(points, NOW - ageDays * DAY, halfLifeOf(type, policy), NOW)).toBe(worth);
    expect(scoreIntent(events(ev(type, ageDays)), NOW, policy)).toBe(roundScore(worth));
  });

  it('unknown event types decay with the reported-score half-life (30 days)', () => {
    expect(halfLifeOf('trade_show', policy)).toBe(30 * DAY);
    expect(scoreIntent(events({ ...ev('webinar', 30), type: 'trade_show', halfLifeMs: 30 * DAY, points: 8 }), NOW, policy)).toBe(4);
  });

  it('sums several events, each with its own half-life, rounded to 0.1', () => {
    const inputs = events(ev('demo_request', 15), ev('webinar', 21), ev('email_open', 14), ev('unsubscribe', 45));
    // 50·0.5^(15/30) + 15·0.5^(21/21) + 1·0.5^(14/7) − 20·0.5^(45/90) = 35.355 + 7.5 + 0.25 − 14.142 = 28.963
    expect(scoreIntent(inputs, NOW, policy)).toBe(29);
    expect(intentBreakdown(inputs, NOW)).toEqual([
      { type: 'demo_request', occurredAt: iso(NOW - 15 * DAY), points: 50, current: 35.4 },
      { type: 'webinar', occurredAt: iso(NOW - 21 * DAY), points: 15, current: 7.5 },
      { type: 'email_open', occurredAt: iso(NOW - 14 * DAY), points: 1, current: 0.3 },
      { type: 'unsubscribe', occurredAt: iso(NOW - 45 * DAY), points: -20, current: -14.1 },
    ]);
  });

  it('the stored points of an event are what counts (an engagement may carry its own)', () => {
    expect(scoreIntent(events(ev('webinar', 0, 40)), NOW, policy)).toBe(40);
  });

  it('falls as time passes: a lead hot three months ago is not hot now', () => {
    const inputs = events(ev('demo_request', 0), ev('pricing_visit', 0), ev('webinar', 0));
    expect(scoreIntent(inputs, NOW, policy)).toBe(74);
    // 50·0.5^3 + 9·0.5^(90/14) + 15·0.5^(90/21) = 6.25 + 0.104 + 0.773 = 7.127
    expect(scoreIntent(inputs, NOW + 90 * DAY, policy)).toBe(7.1);
    expect(route(80, scoreIntent(inputs, NOW + 90 * DAY, policy), policy)).toBe('nurture');
  });

  it('a reported intentScore replaces the events that occurred before it, and decays itself', () => {
    const base = { score: 40, at: iso(NOW - 30 * DAY) };
    const inputs: IntentInputs = {
      intentBase: base,
      intentEvents: [
        ev('webinar', 40), // before the report: already in it
        { ...ev('webinar', 30), eventId: 'same-instant' }, // at the report's instant: already in it
        ev('whitepaper', 21), // after the report: counts
      ],
    };
    expect(countedIntentEvents(inputs).map((e) => e.eventId)).toEqual(['whitepaper-21']);
    // 40·0.5^(30/30) + 10·0.5^(21/21) = 20 + 5
    expect(scoreIntent(inputs, NOW, policy)).toBe(25);
    expect(intentBreakdown(inputs, NOW)).toEqual([{ type: 'whitepaper', occurredAt: iso(NOW - 21 * DAY), points: 10, current: 5 }]);
    expect(scoreIntent({ intentBase: base, intentEvents: [] }, NOW, policy)).toBe(20);
  });

  it('rounds scores to one decimal', () => {
    expect(roundScore(29.96)).toBe(30);
    expect(roundScore(29.94)).toBe(29.9);
    expect(roundScore(-14.142)).toBe(-14.1);
    expect(roundScore(0.25)).toBe(0.3);
  });
});

describe('the 2×2 router', () => {
  it.each([
    [60, 30, 'route'],
    [100, 100, 'route'],
    [60, 29.9, 'nurture'],
    [95, 0, 'nurture'],
    [59.9, 30, 'review'],
    [0, 80, 'review'],
    [59.9, 29.9, 'ignore'],
    [-15, -20, 'ignore'],
  ])('fit %d and intent %d → %s (thresholds 60 and 30, inclusive)', (f, i, expected) => {
    expect(route(f, i, policy)).toBe(expected);
  });

  it('never sums the two scores: fit 100 cannot make up for intent 29', () => {
    expect(route(100, 29, policy)).toBe('nurture');
    expect(route(59, 100, policy)).toBe('review');
  });

  it('follows the policy\'s thresholds and quadrant routes', () => {
    const p = testPolicy({
      scoring: { fit: { threshold: 40 }, intent: { threshold: 10 } },
      routing: { highFitHighIntent: 'route', highFitLowIntent: 'review', lowFitHighIntent: 'route', lowFitLowIntent: 'nurture' },
    });
    expect(route(40, 10, p)).toBe('route');
    expect(route(40, 9, p)).toBe('review');
    expect(route(39, 10, p)).toBe('route');
    expect(route(39, 9, p)).toBe('nurture');
  });
});

describe('lead kinds', () => {
  it('orders HAND_RAISE > PQL > MQL whichever side the stronger kind is on', () => {
    expect(strongerKind('MQL', 'HAND_RAISE')).toBe('HAND_RAISE');
    expect(strongerKind('HAND_RAISE', 'MQL')).toBe('HAND_RAISE');
    expect(strongerKind('PQL', 'HAND_RAISE')).toBe('HAND_RAISE');
    expect(strongerKind('HAND_RAISE', 'PQL')).toBe('HAND_RAISE');
    expect(strongerKind('MQL', 'PQL')).toBe('PQL');
    expect(strongerKind('PQL', 'MQL')).toBe('PQL');
    expect(strongerKind('MQL', 'MQL')).toBe('MQL');
  });

  it('takes an event type\'s kind from the policy, MQL when it has none or is unknown', () => {
    expect(kindOfEventType('demo_request', policy)).toBe('HAND_RAISE');
    expect(kindOfEventType('contact_sales', policy)).toBe('HAND_RAISE');
    expect(kindOfEventType('product_activation', policy)).toBe('PQL');
    expect(kindOfEventType('webinar', policy)).toBe('MQL');
    expect(kindOfEventType('trade_show', policy)).toBe('MQL');
  });

  it('derives the strongest kind among events', () => {
    expect(kindOfEvents([], policy)).toBe('MQL');
    expect(kindOfEvents(['webinar', 'email_open'], policy)).toBe('MQL');
    expect(kindOfEvents(['webinar', 'product_activation'], policy)).toBe('PQL');
    expect(kindOfEvents(['product_activation', 'demo_request', 'webinar'], policy)).toBe('HAND_RAISE');
    expect(kindOfEvents(['demo_request', 'product_activation'], policy)).toBe('HAND_RAISE');
  });
});
