import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { addClocked } from '../../src/domain/calendar';
import { durationMs } from '../../src/domain/duration';
import { PolicyError, teamOf, validatePolicy, type Policy } from '../../src/domain/policy';
import { parsePolicy } from '../../src/domain/policy-text';
import { salesforceActivityPolicySchema } from '../../src/domain/salesforce-activity';
import { testPolicy } from '../helpers/policy';
import { DAY, HOUR, MON_0900, ny } from './lead-fixtures';

/** The example of docs/contracts/policy.md ("this must validate and mean what it says"). */
const DOCS_POLICY_EXAMPLE = String.raw`version: "2026-11-01"
calendars:
  na: { timezone: America/New_York, hours: { mon: ["09:00", "17:00"], tue: ["09:00", "17:00"],
        wed: ["09:00", "17:00"], thu: ["09:00", "17:00"], fri: ["09:00", "17:00"] },
        holidays: ["2026-11-26", "2026-12-25"] }
  always: "24/7"
teams:
  - { id: na, calendar: na, fallbackOwnerId: "00G000000000001AAA", managerId: "005000000000001AAA" }
defaultTeam: na
scoring:
  fit:
    threshold: 60
    rules:
      - { when: { industry: [Software, Fintech, Logistics] }, points: 20 }
      - { when: { employees: { min: 50, max: 500 } }, points: 20 }
      - { when: { region: [NA, EMEA] }, points: 15 }
      - { when: { title: { pattern: "\\b(VP|Vice President|Director|Head of)\\b" } }, points: 25 }
      - { when: { freeEmailDomain: true }, points: -15 }
  intent:
    threshold: 30
    events:
      demo_request:   { points: 50, halfLife: 30d, kind: HAND_RAISE }
      contact_sales:  { points: 50, halfLife: 30d, kind: HAND_RAISE }
      product_activation: { points: 40, halfLife: 30d, kind: PQL }
      pricing_visit:  { points: 9, halfLife: 14d }
      webinar:        { points: 15, halfLife: 21d }
      whitepaper:     { points: 10, halfLife: 21d }
      blog_subscribe: { points: 5, halfLife: 60d }
      email_open:     { points: 1, halfLife: 7d }
      unsubscribe:    { points: -20, halfLife: 90d }
routing: { highFitHighIntent: route, highFitLowIntent: nurture, lowFitHighIntent: review, lowFitLowIntent: ignore }
sla:
  firstTouch:
    HAND_RAISE: { within: 1h, clock: business }
    PQL:        { within: 1h, clock: business }
    MQL:        { within: 24h, clock: business }
  reminders: [0.5, 0.8]
  onBreach: { reassignTo: fallback, notifyManager: true, maxReassignments: 2 }
review: { within: 1d, clock: business }
cadence: { touches: 5, within: { within: 10d, clock: calendar }, minChannels: 2 }
decay: { tick: 1d }
recycle:
  notesRequiredFor: [OTHER]
  coolOff: { default: 30d, TIMING_NOT_RIGHT: 90d }
stale: { SAL: { within: 14d, clock: calendar }, SQL: { within: 30d, clock: calendar } }
`;

const DEFAULT_FILE = path.resolve(__dirname, '../../policy/default.yaml');

const d = (amount: number, unit: string) => ({ amount, unit, text: `${amount}${unit}` });
const nineToFive = [['09:00', '17:00']];

/** Every problem of a policy that must not validate, as "path: message". */
function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected the policy to be refused');
}
const pathsOf = (run: () => unknown): string[] => problemsOf(run).map((p) => p.path);

describe('the policy example of docs/contracts/policy.md', () => {
  const policy = parsePolicy(DOCS_POLICY_EXAMPLE, 'docs/contracts/policy.md');

  it('validates exactly into the documented structure, with defaults filled in', () => {
    expect(policy).toEqual({
      version: '2026-11-01',
      calendars: {
        na: {
          timezone: 'America/New_York',
          hours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
          holidays: ['2026-11-26', '2026-12-25'],
        },
        always: '24/7',
      },
      teams: [{ id: 'na', calendar: 'na', fallbackOwnerId: '00G000000000001EAA', managerId: '005000000000001AAA' }],
      defaultTeam: 'na',
      scoring: {
        fit: {
          threshold: 60,
          rules: [
            { when: { industry: ['Software', 'Fintech', 'Logistics'] }, points: 20 },
            { when: { employees: { min: 50, max: 500 } }, points: 20 },
            { when: { region: ['NA', 'EMEA'] }, points: 15 },
            { when: { title: { pattern: '\\b(VP|Vice President|Director|Head of)\\b' } }, points: 25 },
            { when: { freeEmailDomain: true }, points: -15 },
          ],
          freeEmailDomains: expect.arrayContaining(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com']),
        },
        intent: {
          threshold: 30,
          events: {
            demo_request: { points: 50, halfLife: d(30, 'd'), kind: 'HAND_RAISE' },
            contact_sales: { points: 50, halfLife: d(30, 'd'), kind: 'HAND_RAISE' },
            product_activation: { points: 40, halfLife: d(30, 'd'), kind: 'PQL' },
            pricing_visit: { points: 9, halfLife: d(14, 'd') },
            webinar: { points: 15, halfLife: d(21, 'd') },
            whitepaper: { points: 10, halfLife: d(21, 'd') },
            blog_subscribe: { points: 5, halfLife: d(60, 'd') },
            email_open: { points: 1, halfLife: d(7, 'd') },
            unsubscribe: { points: -20, halfLife: d(90, 'd') },
          },
          reportedHalfLife: d(30, 'd'),
        },
      },
      routing: { highFitHighIntent: 'route', highFitLowIntent: 'nurture', lowFitHighIntent: 'review', lowFitLowIntent: 'ignore' },
      sla: {
        firstTouch: {
          HAND_RAISE: { within: d(1, 'h'), clock: 'business' },
          PQL: { within: d(1, 'h'), clock: 'business' },
          MQL: { within: d(24, 'h'), clock: 'business' },
        },
        reminders: [0.5, 0.8],
        reminderDelivery: 'salesforce',
        escalation: {
          steps: [
            { reassignTo: 'fallback', notify: 'manager' },
            { reassignTo: 'fallback', notify: 'manager' },
          ],
        },
      },
      review: { within: d(1, 'd'), clock: 'business' },
      cadence: {
        touches: 5,
        within: { within: d(10, 'd'), clock: 'calendar' },
        minChannels: 2,
        minSpacing: { within: d(4, 'h'), clock: 'calendar' },
        waitAfterLastTouch: { within: d(1, 'd'), clock: 'business' },
      },
      decay: { tick: d(1, 'd'), minChange: 10 },
      recycle: {
        notesRequiredFor: ['OTHER'],
        breakCoolOff: ['HAND_RAISE', 'PQL'],
        coolOff: { default: d(30, 'd'), TIMING_NOT_RIGHT: d(90, 'd') },
      },
      stale: { SAL: { within: d(14, 'd'), clock: 'calendar' }, SQL: { within: d(30, 'd'), clock: 'calendar' } },
      salesforceActivity: salesforceActivityPolicySchema.parse({}),
    });
  });

  it('means what it says: durations in milliseconds', () => {
    expect(durationMs(policy.sla.firstTouch.HAND_RAISE.within)).toBe(HOUR);
    expect(durationMs(policy.sla.firstTouch.MQL.within)).toBe(24 * HOUR);
    expect(durationMs(policy.cadence.within.within)).toBe(10 * DAY);
    expect(durationMs(policy.decay.tick)).toBe(DAY);
    expect(durationMs(policy.recycle.coolOff.default)).toBe(30 * DAY);
    expect(durationMs(policy.recycle.coolOff.TIMING_NOT_RIGHT!)).toBe(90 * DAY);
    expect(durationMs(policy.stale.SAL.within)).toBe(14 * DAY);
    expect(durationMs(policy.stale.SQL.within)).toBe(30 * DAY);
    expect(durationMs(policy.scoring.intent.events.email_open!.halfLife)).toBe(7 * DAY);
  });

  it('means what it says: business clocks count NA working time, calendar clocks elapsed time', () => {
    const na = policy.calendars[teamOf(policy, 'na').calendar]!;
    // 1 business hour from Wed 16:30 before Thanksgiving: 30 min Wed, Thursday is a holiday, 30 min Fri.
    expect(addClocked(na, ny('2026-11-25T16:30'), policy.sla.firstTouch.HAND_RAISE)).toBe(ny('2026-11-27T09:30'));
    // 24 business hours from Monday 09:00 are three full working days: Wednesday 17:00.
    expect(addClocked(na, MON_0900, policy.sla.firstTouch.MQL)).toBe(ny('2026-11-25T17:00'));
    // 1 business day of review from Wednesday 11:00 skips Thanksgiving: Friday 11:00.
    expect(addClocked(na, ny('2026-11-25T11:00'), policy.review)).toBe(ny('2026-11-27T11:00'));
    // The cadence counts calendar days, weekends and holidays included.
    expect(addClocked(na, MON_0900, policy.cadence.within)).toBe(MON_0900 + 10 * DAY);
    // The 24/7 calendar has no closing time.
    expect(addClocked(policy.calendars.always!, ny('2026-11-26T23:30'), policy.sla.firstTouch.PQL)).toBe(ny('2026-11-27T00:30'));
  });

  it('means what it says: thresholds, reminders, breach handling, recycle rules', () => {
    expect(policy.scoring.fit.threshold).toBe(60);
    expect(policy.scoring.intent.threshold).toBe(30);
    expect(policy.sla.reminders).toEqual([0.5, 0.8]);
    // onBreach is the design's shorthand for a chain: each of the 2 reassignments is a step to the fallback, the manager told.
    expect(policy.sla.escalation.steps).toEqual([
      { reassignTo: 'fallback', notify: 'manager' },
      { reassignTo: 'fallback', notify: 'manager' },
    ]);
    expect(policy.teams[0]!.fallbackOwnerId).toBe('00G000000000001EAA');
    expect(policy.recycle.notesRequiredFor).toEqual(['OTHER']);
    expect(policy.cadence.touches).toBe(5);
    expect(policy.cadence.minChannels).toBe(2);
  });

  it('is what policy/default.yaml says, plus the default file\'s extra negative signals', () => {
    const fromFile = parsePolicy(fs.readFileSync(DEFAULT_FILE, 'utf8'), DEFAULT_FILE);
    const { careers_visit, competitor_domain, ...events } = fromFile.scoring.intent.events;
    expect(careers_visit).toEqual({ points: -10, halfLife: d(30, 'd') });
    expect(competitor_domain).toEqual({ points: -30, halfLife: d(180, 'd') });
    // Where the file departs from the design's example, on purpose: MQL within one business day, and an explicit chain.
    expect(fromFile.sla.firstTouch.MQL).toEqual({ within: d(1, 'd'), clock: 'business' });
    expect(fromFile.sla.escalation).toEqual({ steps: [{ reassignTo: 'fallback', notify: 'manager' }], repeatEvery: { within: d(1, 'h'), clock: 'business' } });
    const sla = { ...fromFile.sla, firstTouch: policy.sla.firstTouch, escalation: policy.sla.escalation };
    expect({ ...fromFile, sla, scoring: { ...fromFile.scoring, intent: { ...fromFile.scoring.intent, events } } }).toEqual(policy);
    expect(testPolicy()).toEqual(fromFile);
  });

  it('validates the same policy written as JSON', () => {
    expect(parsePolicy(JSON.stringify(parseYaml(DOCS_POLICY_EXAMPLE)))).toEqual(policy);
  });

  it('accepts seconds-long windows for acceptance tests', () => {
    const quick = testPolicy({
      sla: { firstTouch: { HAND_RAISE: { within: '3s', clock: 'calendar' } } },
      cadence: { within: { within: '1.5s', clock: 'calendar' } },
      decay: { tick: '250ms' },
    });
    expect(durationMs(quick.sla.firstTouch.HAND_RAISE.within)).toBe(3000);
    expect(durationMs(quick.cadence.within.within)).toBe(1500);
    expect(durationMs(quick.decay.tick)).toBe(250);
  });

  it('finds a team by id and falls back to the default team', () => {
    expect(teamOf(policy, 'na').managerId).toBe('005000000000001AAA');
    expect(teamOf(policy, 'gone').id).toBe('na');
  });
});

describe('an invalid policy', () => {
  it('lists EVERY problem with its path, several at once', () => {
    const problems = problemsOf(() =>
      testPolicy({
        decay: { tick: 'soon' },
        teams: [{ id: 'na', calendar: 'emea', fallbackOwnerId: '00G000000000001', managerId: '005000000000001' }],
        defaultTeam: 'eu',
        scoring: { fit: { rules: [{ when: { title: { pattern: '(VP' } }, points: 25 }] } },
        sla: { reminders: [0.8, 0.5] },
        surprise: true,
        recycle: { coolOff: { default: '30d', LATER: '5d' } },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'decay.tick', message: expect.stringContaining('expected a duration like "15m", "1h", "10d"') },
        { path: 'decay.tick', message: expect.stringContaining('got "soon"') },
        { path: 'teams.0.calendar', message: 'unknown calendar "emea" (known: na, always)' },
        { path: 'defaultTeam', message: 'unknown team "eu" (known: na)' },
        { path: 'scoring.fit.rules.0.when.title', message: 'expected a valid regular expression' },
        { path: 'sla.reminders', message: 'expected ascending fractions' },
        { path: '', message: 'Unrecognized key: "surprise"' },
        { path: 'recycle.coolOff.LATER', message: 'unknown recycle reason "LATER"' },
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('reports cross-reference problems even when a field elsewhere is malformed', () => {
    expect(
      pathsOf(() =>
        testPolicy({
          stale: { SAL: { within: '14 days', clock: 'calendar' } },
          teams: [
            { id: 'na', calendar: 'emea', fallbackOwnerId: '00G000000000001', managerId: '005000000000001' },
            { id: 'na', calendar: 'na', fallbackOwnerId: '00G000000000001', managerId: '005000000000001' },
          ],
          defaultTeam: 'eu',
          cadence: { minChannels: 6 },
        }),
      ).sort(),
    ).toEqual(['cadence.minChannels', 'defaultTeam', 'stale.SAL.within', 'teams.0.calendar', 'teams.1.id']);
  });

  it('reports an unknown recycle reason in coolOff even when another cool-off is malformed', () => {
    expect(pathsOf(() => testPolicy({ recycle: { coolOff: { default: 'a month', LATER: '5d' } } })).sort()).toEqual([
      'recycle.coolOff.LATER',
      'recycle.coolOff.default',
    ]);
  });

  it('formats the error with the source and one line per problem', () => {
    let error: PolicyError | undefined;
    try {
      validatePolicy({ ...parseYaml(DOCS_POLICY_EXAMPLE), defaultTeam: 'eu', extra: 1 }, 'policy/prod.yaml');
    } catch (err) {
      error = err as PolicyError;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect(error!.name).toBe('PolicyError');
    expect(error!.source).toBe('policy/prod.yaml');
    expect(error!.message).toBe(
      [
        'invalid policy policy/prod.yaml:',
        '  - (root): Unrecognized key: "extra"',
        '  - defaultTeam: unknown team "eu" (known: na)',
      ].join('\n'),
    );
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a zero duration', { decay: { tick: '0h' } }, 'decay.tick', /got "0h"/],
    ['a negative duration', { decay: { tick: '-1h' } }, 'decay.tick', /got "-1h"/],
    ['a spaced duration', { decay: { tick: '1 h' } }, 'decay.tick', /got "1 h"/],
    ['an unknown unit', { decay: { tick: '1y' } }, 'decay.tick', /ms, s, m, h, d or w/],
    ['a bare number', { decay: { tick: 15 } }, 'decay.tick', /got 15/],
    ['an unknown clock', { sla: { firstTouch: { MQL: { within: '24h', clock: 'wall' } } } }, 'sla.firstTouch.MQL.clock', /"business" or "calendar", got "wall"/],
    ['a window without a clock', { review: { within: '1d', clock: undefined } }, 'review.clock', /"business" or "calendar"/],
    ['an empty fit condition', { scoring: { fit: { rules: [{ when: {}, points: 1 }] } } }, 'scoring.fit.rules.0.when', /at least one condition/],
    ['an inverted employee range', { scoring: { fit: { rules: [{ when: { employees: { min: 10, max: 5 } }, points: 1 }] } } }, 'scoring.fit.rules.0.when.employees', /min <= max/],
    ['an employee range without bounds', { scoring: { fit: { rules: [{ when: { employees: {} }, points: 1 }] } } }, 'scoring.fit.rules.0.when.employees', /min and\/or max/],
    ['an unknown fit condition', { scoring: { fit: { rules: [{ when: { revenue: 5 }, points: 1 }] } } }, 'scoring.fit.rules.0.when', /Unrecognized key: "revenue"/],
    ['an MQL event kind', { scoring: { intent: { events: { webinar: { points: 1, halfLife: '1d', kind: 'MQL' } } } } }, 'scoring.intent.events.webinar.kind', /HAND_RAISE|PQL/],
    ['an event type that is not snake_case', { scoring: { intent: { events: { DemoRequest: { points: 1, halfLife: '1d' } } } } }, 'scoring.intent.events.DemoRequest', /snake_case/],
    ['a reminder at 0', { sla: { reminders: [0, 0.5] } }, 'sla.reminders.0', /0/],
    ['a reminder at 1', { sla: { reminders: [0.5, 1] } }, 'sla.reminders.1', /1/],
    ['a repeated reminder', { sla: { reminders: [0.5, 0.5] } }, 'sla.reminders', /ascending/],
    ['an unknown reassignment target', { sla: { onBreach: { reassignTo: 'queue' } } }, 'sla.onBreach.reassignTo', /fallback/],
    ['a negative maxReassignments', { sla: { onBreach: { maxReassignments: -1 } } }, 'sla.onBreach.maxReassignments', /0/],
    ['an unknown key in a section', { sla: { onBreach: { retry: true } } }, 'sla.onBreach', /Unrecognized key: "retry"/],
    ['an unknown routing target', { routing: { lowFitHighIntent: 'discard' } }, 'routing.lowFitHighIntent', /route|review/],
    ['an unknown reason needing notes', { recycle: { notesRequiredFor: ['LATER'] } }, 'recycle.notesRequiredFor.0', /TIMING_NOT_RIGHT/],
    ['an unknown reason in coolOff', { recycle: { coolOff: { TIMING: '90d' } } }, 'recycle.coolOff.TIMING', /unknown recycle reason "TIMING"/],
    ['a coolOff without a default', { recycle: { coolOff: { default: undefined } } }, 'recycle.coolOff.default', /duration/],
    ['more channels than touches', { cadence: { minChannels: 6 } }, 'cadence.minChannels', /minChannels <= touches/],
    ['no teams', { teams: [] }, 'teams', /1/],
    ['a stale window for an unknown stage', { stale: { MQL: { within: '1d', clock: 'calendar' } } }, 'stale', /Unrecognized key: "MQL"/],
    ['a missing section', { sla: null }, 'sla', /expected object/],
  ])('refuses %s at its path', (_what, patch, at, message) => {
    const problems = problemsOf(() => testPolicy(patch));
    expect(problems).toContainEqual({ path: at, message: expect.stringMatching(message) });
  });

  it('refuses duplicate team ids', () => {
    expect(
      problemsOf(() =>
        testPolicy({
          teams: [
            { id: 'na', calendar: 'na', fallbackOwnerId: '00G000000000001', managerId: '005000000000001' },
            { id: 'na', calendar: 'always', fallbackOwnerId: '00G000000000002', managerId: '005000000000002' },
          ],
        }),
      ),
    ).toEqual([{ path: 'teams.1.id', message: 'duplicate team "na"' }]);
  });

  it('refuses owner ids that cannot be Salesforce ids, and keeps every id in its 18-character form', () => {
    expect(problemsOf(() => testPolicy({ teams: [{ id: 'na', calendar: 'na', fallbackOwnerId: 'queue-1', managerId: '<b>' }] }))).toEqual([
      { path: 'teams.0.fallbackOwnerId', message: 'expected a Salesforce id (15 or 18 letters and digits), got "queue-1"' },
      { path: 'teams.0.managerId', message: 'expected a Salesforce id (15 or 18 letters and digits), got "<b>"' },
    ]);
    // 00530000003xqAb → 00530000003xqAbAAI is Salesforce's own documented example.
    const team = testPolicy({ teams: [{ id: 'na', calendar: 'na', fallbackOwnerId: '00G5g000001AbCd', managerId: '00530000003xqAb' }] }).teams[0]!;
    expect([team.fallbackOwnerId, team.managerId]).toEqual(['00G5g000001AbCdEAK', '00530000003xqAbAAI']);
  });

  it('an explicit escalation chain replaces the onBreach shorthand', () => {
    const chain = {
      steps: [
        { reassignTo: 'fallback', notify: 'manager', within: { within: '30m', clock: 'business' } },
        { reassignTo: 'manager', notify: 'none' },
      ],
      repeatEvery: { within: '2h', clock: 'business' },
    };
    const policy = testPolicy({ sla: { onBreach: undefined, escalation: chain } });
    expect(policy.sla.escalation.steps.map((s) => s.reassignTo)).toEqual(['fallback', 'manager']);
    expect(policy.sla.escalation.repeatEvery?.within.text).toBe('2h');
    expect(testPolicy({ sla: { escalation: undefined, onBreach: { reassignTo: 'none', notifyManager: true, maxReassignments: 0 } } }).sla.escalation.steps).toEqual([
      { reassignTo: 'none', notify: 'manager' },
    ]);
  });

  it.each([
    ['an unclosed flow sequence', 'version: "1"\nteams: [1, 2\n', /not valid YAML\/JSON: .*\]/s],
    ['a duplicate key', 'version: "1"\nversion: "2"\n', /not valid YAML\/JSON: Map keys must be unique/],
    ['a tab-indented block', 'sla:\n\tfirstTouch: {}\n', /not valid YAML\/JSON/],
    ['unbalanced JSON', '{"version": "1", ', /not valid YAML\/JSON/],
  ])('reports a YAML syntax error (%s) as one root problem', (_what, text, message) => {
    const problems = problemsOf(() => parsePolicy(text, 'broken.yaml'));
    expect(problems).toEqual([{ path: '', message: expect.stringMatching(message) }]);
  });

  it('reports an empty file and a non-mapping document at the root', () => {
    expect(problemsOf(() => parsePolicy(''))).toEqual([{ path: '', message: expect.stringMatching(/expected object, received null/) }]);
    expect(problemsOf(() => parsePolicy('- 1\n- 2\n'))).toEqual([{ path: '', message: expect.stringMatching(/expected object, received array/) }]);
  });

  it('lists every missing section of an almost empty policy', () => {
    expect(pathsOf(() => parsePolicy('version: "1"\n')).sort()).toEqual(
      ['calendars', 'cadence', 'decay', 'defaultTeam', 'recycle', 'review', 'routing', 'scoring', 'sla', 'stale', 'teams'].sort(),
    );
  });
});

describe('policy types', () => {
  it('keeps the parsed policy JSON-serialisable (it travels as workflow input)', () => {
    const policy: Policy = testPolicy();
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });
});
