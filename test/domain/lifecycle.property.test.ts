import fc from 'fast-check';
import type { Effect } from '../../src/domain/effects';
import { leadEventSchema, type LeadEvent } from '../../src/domain/inputs';
import { ALLOWED_ACTIONS, isClosed, newLead, nextDeadline, refusal, step } from '../../src/domain/lifecycle';
import type { Stage } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import type { LeadState } from '../../src/domain/state';
import { leadRecordOf } from '../../src/domain/step-context';
import { testPolicy } from '../helpers/policy';
import { COLD, DAY, HOT, iso, MINUTE, received } from './lead-fixtures';

/** Every stage change a single step may make (staying put is always allowed). */
const ALLOWED_TRANSITIONS: Record<Stage, readonly Stage[]> = {
  NURTURE: ['NURTURE', 'REVIEW', 'MQL', 'DISQUALIFIED'],
  REVIEW: ['REVIEW', 'MQL', 'NURTURE', 'DISQUALIFIED'],
  MQL: ['MQL', 'SAL', 'RECYCLED', 'DISQUALIFIED'],
  SAL: ['SAL', 'SQL', 'RECYCLED', 'DISQUALIFIED'],
  SQL: ['SQL', 'CONVERTED', 'RECYCLED', 'DISQUALIFIED'],
  RECYCLED: ['RECYCLED', 'NURTURE', 'REVIEW', 'MQL', 'DISQUALIFIED'],
  CONVERTED: ['CONVERTED'],
  DISQUALIFIED: ['DISQUALIFIED'],
};

// ---------------------------------------------------------------------------------------------
// Policies: the default NA business calendar or 24/7, playbook windows or seconds-long ones.
// ---------------------------------------------------------------------------------------------

type PolicyKnobs = {
  team: 'na' | 'always';
  windows: 'playbook' | 'short';
  reminders: number[];
  onBreach: { reassignTo: 'fallback' | 'none'; notifyManager: boolean; maxReassignments: number };
  /** An explicit two-step escalation chain instead of the onBreach shorthand. */
  chain: boolean;
  touches: number;
  minChannels: number;
};

const FALLBACK = '00G000000000001EAA';
const MANAGER = '005000000000001AAA';
const policyCache = new Map<string, Policy>();
const SHORT_POLICIES = new WeakSet<Policy>();
function policyOf(knobs: PolicyKnobs): Policy {
  const key = JSON.stringify(knobs);
  const cached = policyCache.get(key);
  if (cached) return cached;
  const short = knobs.windows === 'short';
  const clock = knobs.team === 'na' ? 'business' : 'calendar';
  const policy = testPolicy({
    teams: [{ id: 'na', calendar: knobs.team, fallbackOwnerId: FALLBACK, managerId: MANAGER }],
    sla: {
      reminders: knobs.reminders,
      escalation: knobs.chain ? { steps: [{ reassignTo: 'fallback' }, { reassignTo: 'manager', notify: 'none' }], repeatEvery: { within: '1h', clock } } : undefined,
      onBreach: knobs.onBreach,
      ...(short
        ? {
            firstTouch: {
              HAND_RAISE: { within: '90s', clock },
              PQL: { within: '2m', clock: 'calendar' },
              MQL: { within: '5m', clock },
            },
          }
        : {}),
    },
    cadence: { touches: knobs.touches, minChannels: Math.min(knobs.minChannels, knobs.touches), ...(short ? { within: { within: '10m', clock: 'calendar' } } : {}) },
    ...(short
      ? {
          review: { within: '3m', clock },
          decay: { tick: '1m' },
          recycle: { coolOff: { default: '5m', TIMING_NOT_RIGHT: '20m' } },
          stale: { SAL: { within: '15m', clock: 'calendar' }, SQL: { within: '20m', clock: 'business' } },
          scoring: { intent: { events: { demo_request: { points: 50, halfLife: '10m', kind: 'HAND_RAISE' }, webinar: { points: 15, halfLife: '5m' } } } },
        }
      : {}),
  });
  policyCache.set(key, policy);
  if (short) SHORT_POLICIES.add(policy);
  return policy;
}

const policyArb: fc.Arbitrary<Policy> = fc
  .record<PolicyKnobs>({
    team: fc.constantFrom('na', 'always'),
    windows: fc.constantFrom('playbook', 'short'),
    reminders: fc.constantFrom([], [0.5], [0.5, 0.8], [0.25, 0.5, 0.75]),
    onBreach: fc.record({
      reassignTo: fc.constantFrom('fallback', 'none'),
      notifyManager: fc.boolean(),
      maxReassignments: fc.integer({ min: 0, max: 3 }),
    }),
    chain: fc.boolean(),
    touches: fc.integer({ min: 1, max: 5 }),
    minChannels: fc.integer({ min: 1, max: 2 }),
  })
  .map(policyOf);

// ---------------------------------------------------------------------------------------------
// Commands: CRM events, people's actions and the passage of time.
// ---------------------------------------------------------------------------------------------

/** What happens next, and how long after the previous command. */
type MakeEvent = (now: number, state: LeadState) => LeadEvent;
type Command =
  | { at: 'deadline' } // the workflow's timer fires at the next deadline
  | { delay: Delay; event: MakeEvent };

/** A delay class (seconds, minutes-to-days, weeks) and where in it: scaled to the policy's windows. */
type Delay = { scale: 0 | 1 | 2; fraction: number };
const delayArb: fc.Arbitrary<Delay> = fc.record({
  scale: fc.constantFrom<Delay['scale']>(0, 0, 1, 1, 2, 2),
  fraction: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
});
const SCALES: Record<PolicyKnobs['windows'], readonly number[]> = {
  playbook: [5 * MINUTE, 3 * DAY, 40 * DAY],
  short: [20_000, 3 * MINUTE, 30 * MINUTE],
};
const delayMs = (delay: Delay, policy: Policy): number =>
  Math.round(delay.fraction * SCALES[SHORT_POLICIES.has(policy) ? 'short' : 'playbook'][delay.scale]!);

/** People who act (Users) and owners (Users or the fallback queue). */
const REPS = ['005000000000002AAA', '005000000000003AAA', MANAGER];
const OWNERS = [...REPS, FALLBACK];
const EVENT_TYPES = ['demo_request', 'contact_sales', 'product_activation', 'pricing_visit', 'webinar', 'whitepaper', 'email_open', 'unsubscribe', 'trade_show'];
/** A small pool of ids so that duplicates happen. */
const eventIdArb = fc.integer({ min: 1, max: 12 }).map((n) => `evt-${n}`);
const ageArb = fc.integer({ min: 0, max: 60 * DAY });

const triggerArb = fc.record(
  {
    eventId: eventIdArb,
    kind: fc.constantFrom('HAND_RAISE', 'PQL', 'MQL' as const),
    firmographics: fc.constantFrom(HOT, COLD, { industry: 'Fintech', employees: 60 }, { emailDomain: 'gmail.com' }),
    fitScore: fc.integer({ min: -20, max: 100 }),
    intentScore: fc.integer({ min: -10, max: 80 }),
    ownerId: fc.constantFrom(...OWNERS),
    team: fc.constantFrom('na', 'na', 'emea'),
    activities: fc.array(fc.record({ type: fc.constantFrom(...EVENT_TYPES), age: ageArb, eventId: fc.option(eventIdArb, { nil: undefined }) }), { maxLength: 3 }),
  },
  { requiredKeys: ['eventId'] },
);

const engagementArb = fc.record(
  { eventId: eventIdArb, type: fc.constantFrom(...EVENT_TYPES), age: ageArb, points: fc.integer({ min: -30, max: 60 }) },
  { requiredKeys: ['eventId', 'type', 'age'] },
);

const channelArb = fc.constantFrom('call', 'email', 'sms', 'linkedin' as const);
const outcomeArb = fc.constantFrom('no_answer', 'no_answer', 'voicemail', 'bounced', 'connected', 'replied' as const);
const notesArb = fc.option(fc.constantFrom('budget frozen', 'see call notes'), { nil: undefined });

const eventArb: fc.Arbitrary<MakeEvent> = fc.oneof(
  {
    weight: 6,
    arbitrary: triggerArb.map(({ activities, ...t }) => (now: number): LeadEvent => ({
      type: 'trigger',
      trigger: {
        leadId: '00Q000000000001EAA',
        occurredAt: iso(now),
        ...t,
        ...(activities ? { activities: activities.map(({ age, eventId, type }) => ({ type, occurredAt: iso(now - age), ...(eventId ? { eventId } : {}) })) } : {}),
      },
    })),
  },
  {
    weight: 6,
    arbitrary: engagementArb.map(({ age, ...e }) => (now: number): LeadEvent => ({ type: 'engagement', engagement: { ...e, occurredAt: iso(now - age) } })),
  },
  { weight: 2, arbitrary: fc.constant((): LeadEvent => ({ type: 'tick' })) },
  { weight: 4, arbitrary: fc.constantFrom(...REPS).map((repId) => (): LeadEvent => ({ type: 'accept', repId })) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...REPS), channelArb, outcomeArb)
      .map(([repId, channel, outcome]) => (): LeadEvent => ({ type: 'contact', repId, channel, outcome })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('TIMING_NOT_RIGHT', 'NO_BUDGET', 'NOT_ICP', 'OTHER' as const), notesArb)
      .map(([reason, notes]) => (): LeadEvent => ({ type: 'reject', repId: '005000000000002AAA', reason, ...(notes ? { notes } : {}) })),
  },
  {
    weight: 2,
    arbitrary: fc.constant((): LeadEvent => ({ type: 'qualify', repId: '005000000000002AAA', bant: { budget: 'b', authority: 'a', need: 'n', timeline: 't' } })),
  },
  { weight: 2, arbitrary: fc.constant((): LeadEvent => ({ type: 'convert', repId: '005000000000002AAA', opportunityId: '006000000000001AAA' })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('SPAM', 'DUPLICATE', 'OTHER' as const), notesArb)
      .map(([reason, notes]) => (): LeadEvent => ({ type: 'disqualify', actorId: '005000000000004AAA', reason, ...(notes ? { notes } : {}) })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...OWNERS).map((ownerId) => (): LeadEvent => ({ type: 'reassign', actorId: MANAGER, ownerId })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('route', 'nurture', 'disqualify' as const), notesArb)
      .map(([decision, notes]) => (): LeadEvent => ({ type: 'review', actorId: '005000000000004AAA', decision, ...(notes ? { notes } : {}) })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('salesforce', 'ledger' as const).map((target) => (): LeadEvent => ({
      type: 'writeFailed',
      effectId: 'lead-L1-x-1',
      target,
      code: 'UNABLE_TO_LOCK_ROW',
      message: 'locked',
    })),
  },
);

/**
 * A natural next step for the lead's stage (choice picks among a few), so that deep stages and
 * paths (SQL, CONVERTED, cadence exhaustion, re-qualification) come up often.
 */
const progress =
  (choice: number): MakeEvent =>
  (now, state) => {
    const pick = <T,>(options: T[]): T => options[choice % options.length]!;
    const channel = state.cadence.attempts % 2 ? 'email' : 'call';
    switch (state.stage) {
      case 'MQL':
        return pick<LeadEvent>([
          { type: 'accept', repId: '005000000000002AAA' },
          { type: 'contact', repId: '005000000000003AAA', channel, outcome: 'no_answer' },
          { type: 'reject', repId: '005000000000002AAA', reason: 'NO_BUDGET' },
        ]);
      case 'SAL':
        return pick<LeadEvent>([
          { type: 'contact', repId: '005000000000002AAA', channel, outcome: 'no_answer' },
          { type: 'contact', repId: '005000000000002AAA', channel, outcome: 'no_answer' },
          { type: 'qualify', repId: '005000000000002AAA', bant: { budget: 'b', authority: 'a', need: 'n', timeline: 't' } },
          { type: 'qualify', repId: '005000000000002AAA', bant: { budget: 'b', authority: 'a', need: 'n', timeline: 't' } },
          { type: 'reject', repId: '005000000000002AAA', reason: 'TIMING_NOT_RIGHT' },
        ]);
      case 'SQL':
        return pick<LeadEvent>([
          { type: 'convert', repId: '005000000000002AAA', opportunityId: '006000000000001AAA' },
          { type: 'convert', repId: '005000000000002AAA', opportunityId: '006000000000001AAA' },
          { type: 'reject', repId: '005000000000002AAA', reason: 'CHOSE_COMPETITOR' },
        ]);
      case 'REVIEW':
        return pick<LeadEvent>([
          { type: 'review', actorId: '005000000000004AAA', decision: 'route' },
          { type: 'review', actorId: '005000000000004AAA', decision: 'nurture' },
        ]);
      default: {
        const type = pick(['demo_request', 'webinar', 'email_open']);
        return { type: 'engagement', engagement: { eventId: `${type}-${now}`, type, occurredAt: iso(now) } };
      }
    }
  };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Command>({ at: 'deadline' }) },
  { weight: 4, arbitrary: fc.tuple(delayArb, fc.nat()).map(([delay, choice]): Command => ({ delay, event: progress(choice) })) },
  { weight: 6, arbitrary: fc.tuple(delayArb, eventArb).map(([delay, event]): Command => ({ delay, event })) },
);

const scenarioArb = fc.record({
  policy: policyArb,
  // Any instant in 2026–2027, so DST changes, week-ends and holidays all come up.
  start: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
  // The lead's first event: usually a trigger that qualifies or nurtures it, as the API sends.
  first: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...OWNERS).map((ownerId): MakeEvent => (now) => ({ type: 'trigger', trigger: { leadId: '00Q000000000001EAA', eventId: 'first', occurredAt: iso(now), firmographics: HOT, ownerId, activities: [{ type: 'demo_request', occurredAt: iso(now) }] } })) },
    { weight: 1, arbitrary: fc.constant<MakeEvent>((now) => ({ type: 'trigger', trigger: { leadId: '00Q000000000001EAA', eventId: 'first', occurredAt: iso(now), firmographics: HOT } })) },
    { weight: 2, arbitrary: eventArb },
  ),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 60 }),
});

// ---------------------------------------------------------------------------------------------
// The properties, checked on every step of every scenario.
// ---------------------------------------------------------------------------------------------

type Checked = { state: LeadState; effects: Effect[]; ids: Set<string>; refused: boolean };

/** Steps without checking anything: to reach random states quickly for the other properties. */
function quickStep(before: LeadState, event: LeadEvent, now: number, policy: Policy, ids: Set<string>): Checked {
  const result = step(before, received(event, now), now, policy);
  return result.ok ? { state: result.state, effects: result.effects, ids, refused: false } : { state: before, effects: [], ids, refused: true };
}

/** A cheap assertion (jest's expect is too slow for every step of thousands of scenarios). */
function ensure(condition: boolean, what: string, ...context: unknown[]): void {
  if (!condition) throw new Error(`${what}\n${context.map((c) => JSON.stringify(c, null, 1)).join('\n')}`);
}
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function checkStep(before: LeadState, event: LeadEvent, now: number, policy: Policy, ids: Set<string>): Checked {
  ensure(leadEventSchema.safeParse(event).success, 'the generator made an invalid event', event);
  const frozen = JSON.stringify(before);
  const result = step(before, received(event, now), now, policy); // never throws
  // Stepping is deterministic and leaves its input alone.
  ensure(same(step(before, received(event, now), now, policy), result), 'stepping twice gave different results', event);
  ensure(JSON.stringify(before) === frozen, 'step mutated its input state', event);
  const context = { event, now: iso(now), before: before.stage };

  if (!result.ok) {
    // A refusal changes nothing and explains itself.
    const r = result.refusal;
    ensure(same(refusal(before, event, policy), r), 'refusal() and step() disagree', context, r);
    const staged = r.code !== 'POLICY_VIOLATION';
    ensure(!staged || (r.stage === before.stage && same(r.allowed, ALLOWED_ACTIONS[before.stage])), 'a stage refusal names the stage and its actions', context, r);
    ensure(staged || (r.path ?? []).length > 0, 'a policy refusal names the field at fault', context, r);
    ensure(r.code !== 'INVALID_TRANSITION' || r.message.includes(before.stage), 'an invalid transition names the stage', r);
    return { state: before, effects: [], ids, refused: true };
  }

  const { state, effects } = result;
  // Effect ids: `<prefix>-<seq>`, consecutive from the previous seq, never repeated.
  ensure(state.seq === before.seq + effects.length, 'seq counts the effects', context, before.seq, state.seq, effects.length);
  effects.forEach((effect, i) => {
    ensure(effect.id === `${state.effectPrefix}-${before.seq + i + 1}`, 'effect ids are sequential', context, effect.id, before.seq + i + 1);
    ensure(!ids.has(effect.id), 'effect ids never repeat', context, effect.id);
    ids.add(effect.id);
    if (effect.type === 'ledger') ensure(effect.event.id === effect.id && effect.event.at === iso(now), 'ledger row id and time', effect);
  });
  // At most one Lead write per step, last, carrying the final record.
  const syncsOf = effects.filter((e) => e.type === 'syncLead');
  ensure(syncsOf.length <= 1, 'one Lead write per step at most', context);
  if (syncsOf.length) {
    ensure(effects.at(-1) === syncsOf[0], 'the Lead write comes last', context);
    ensure(same(syncsOf[0]!.type === 'syncLead' && syncsOf[0]!.lead, leadRecordOf(state)), 'the Lead write carries the final record', context);
  } else {
    // Compared as JSON, as Salesforce sees it (a score rounded to -0 is 0 there).
    ensure(same(leadRecordOf(state), leadRecordOf(before)), 'a changed Lead record is written', context, leadRecordOf(before), leadRecordOf(state));
  }
  // The stage moves only along the lifecycle graph.
  ensure(ALLOWED_TRANSITIONS[before.stage].includes(state.stage), `${before.stage} → ${state.stage} is not a lifecycle transition`, context);
  // A step without effects leaves no trace in the history either.
  ensure(effects.length > 0 || state.history.length === before.history.length, 'history without an audit row', context);

  // Every RECYCLED state carries its reason; final stages carry theirs.
  ensure(state.stage !== 'RECYCLED' || !!state.recycle?.reason, 'a RECYCLED lead without a reason', context, state.recycle);
  ensure(state.stage !== 'DISQUALIFIED' || state.disqualification !== null, 'a DISQUALIFIED lead without a reason', context);
  ensure(state.stage !== 'CONVERTED' || state.opportunityId !== null, 'a CONVERTED lead without an opportunity', context);
  // SLA bookkeeping stays coherent.
  if (state.stage === 'MQL') {
    ensure(state.sla.dueAt !== null && state.sla.status !== 'NOT_APPLICABLE' && state.ownerId !== null, 'an MQL has an owner and a deadline', context, state.sla);
  }
  ensure(!state.sla.windowOpen || state.stage === 'MQL', 'a first-touch window open outside MQL', context, state.stage);
  if (state.sla.firstTouchAt !== null) {
    const { responseCalendarMs: calendar, responseBusinessMs: business } = state.sla;
    ensure(calendar !== null && business !== null && calendar >= 0 && business >= 0 && business <= calendar, 'response times', context, state.sla);
  }
  ensure(state.sla.reassignments <= policy.sla.escalation.steps.length, 'the chain reassigns at most once per step', context, state.sla);
  ensure(state.cycle >= before.cycle, 'the cycle never goes back', context);

  if (event.type === 'tick') {
    // After a tick at t, nothing is left due at or before t.
    const next = nextDeadline(state, policy);
    ensure(next === null || next > now, 'a deadline still due after a tick at it', context, next === null ? null : iso(next), state);
  }
  return { state, effects, ids, refused: false };
}

/** Runs a scenario the way the workflow does, checking each step; returns what happened. */
type Scenario = { policy: Policy; start: number; first: MakeEvent; commands: Command[] };

function play({ policy, start, first, commands }: Scenario, stepper: typeof checkStep = checkStep) {
  let state = newLead({ leadId: '00Q000000000001EAA', workflowId: 'lead-L1', effectPrefix: 'lead-L1-0123abcd', policy, now: start });
  let now = start;
  const ids = new Set<string>();
  const stages: Stage[] = [state.stage];
  const transitions = new Set<string>();
  let refusals = 0;
  const record = (before: LeadState, after: LeadState, refused: boolean) => {
    stages.push(after.stage);
    if (before.stage !== after.stage) transitions.add(`${before.stage}->${after.stage}`);
    if (refused) refusals++;
  };
  for (const command of [{ delay: { scale: 0, fraction: 0 }, event: first } as Command, ...commands]) {
    if (isClosed(state)) break;
    let event: LeadEvent;
    if ('at' in command) {
      const next = nextDeadline(state, policy);
      if (next === null) continue;
      now = Math.max(now, next);
      event = { type: 'tick' };
    } else {
      // Due deadlines fire before anything that happens after them, as in the workflow.
      const at = now + delayMs(command.delay, policy);
      for (let next = nextDeadline(state, policy), guard = 0; next !== null && next <= at && guard < 200; next = nextDeadline(state, policy), guard++) {
        now = Math.max(now, next);
        const ticked = stepper(state, { type: 'tick' }, now, policy, ids).state;
        record(state, ticked, false);
        state = ticked;
        if (isClosed(state)) break;
      }
      if (isClosed(state)) break;
      now = at;
      event = command.event(now, state);
    }
    const result = stepper(state, event, now, policy, ids);
    if (stepper === checkStep && result.state !== state && (event.type === 'trigger' || event.type === 'engagement')) {
      // A new event id was taken in; the same id again is a no-op returning the very same state.
      const id = event.type === 'trigger' ? event.trigger.eventId : event.engagement.eventId;
      const again = step(result.state, received(event, now), now, policy);
      expect(again.ok && again.state).toBe(result.state);
      expect(again.ok && again.effects).toEqual([]);
      expect(result.state.seenEventIds).toContain(id);
    }
    record(state, result.state, result.refused);
    state = result.state;
  }
  return { state, stages, ids, now, transitions, refusals };
}

describe('lifecycle properties', () => {
  it('random event sequences: no throw, unique sequential ids, allowed transitions, coherent deadlines and refusals', () => {
    const reached = new Set<string>();
    const moves = new Map<string, number>();
    let refusals = 0;
    const finals = new Map<string, number>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const played = play(scenario);
        const final = played.state.ignored ? 'IGNORED' : played.state.stage;
        finals.set(final, (finals.get(final) ?? 0) + 1);
        for (const s of played.stages) reached.add(s);
        for (const t of played.transitions) moves.set(t, (moves.get(t) ?? 0) + 1);
        refusals += played.refusals;
      }),
      { numRuns: 200 },
    );
    if (process.env.SHOW_COVERAGE) console.log({ refusals, finals: Object.fromEntries([...finals].sort()), moves: Object.fromEntries([...moves].sort()) });
    expect(refusals).toBeGreaterThan(0);
    // The generator does reach every stage (otherwise the properties prove little).
    expect([...reached].sort()).toEqual(['CONVERTED', 'DISQUALIFIED', 'MQL', 'NURTURE', 'RECYCLED', 'REVIEW', 'SAL', 'SQL']);
  });

  it('ticking at each deadline always makes progress: the next deadline is strictly later', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { state } = play(scenario, quickStep);
        let s = state;
        let last = -Infinity;
        for (let i = 0; i < 50 && !isClosed(s); i++) {
          const next = nextDeadline(s, scenario.policy);
          if (next === null) break;
          expect(next).toBeGreaterThan(last);
          last = next;
          const r = step(s, received({ type: 'tick' }, next), next, scenario.policy);
          expect(r.ok).toBe(true);
          if (r.ok) s = r.state;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a refused action changes nothing, whatever the state', () => {
    fc.assert(
      fc.property(scenarioArb, eventArb, (scenario, makeEvent) => {
        const played = play(scenario, quickStep);
        const { state } = played;
        const now = played.now + MINUTE;
        const event = makeEvent(now, state);
        const refused = refusal(state, event, scenario.policy);
        const frozen = JSON.stringify(state);
        const result = step(state, received(event, now), now, scenario.policy);
        expect(result.ok).toBe(refused === null);
        expect(JSON.stringify(state)).toBe(frozen);
      }),
      { numRuns: 150 },
    );
  });
});
