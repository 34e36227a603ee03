import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import {
  addBusinessDays,
  addBusinessTime,
  businessCalendarSchema,
  businessTimeBetween,
  isWorkingTime,
  nextWorkingInstant,
  type BusinessCalendar,
} from '../../src/domain/calendar';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Zones with ordinary, 30-minute, midnight and negative DST, and some without DST. */
const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Tehran',
  'Africa/Cairo',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'UTC',
];

const REPO_ROOT = path.resolve(__dirname, '../..');
const ANSWERS_SCRIPT = `
const calendar = require(${JSON.stringify(require.resolve('../../src/domain/calendar'))});
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const answers = cases.map(({ calendar: cal, t, d }) => [
  calendar.addBusinessTime(cal, t, d),
  calendar.addBusinessDays(cal, t, 2.5),
  calendar.businessTimeBetween(cal, t, t + 10 * 86400000),
  calendar.nextWorkingInstant(cal, t),
  calendar.isWorkingTime(cal, t),
]);
process.stdout.write(JSON.stringify({ offsetAtEpoch: new Date(0).getTimezoneOffset(), answers }));
`;

const FROM_2020 = Date.UTC(2020, 0, 1);
const TO_2030 = Date.UTC(2030, 0, 1);

const timeOfDay = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** 0–3 non-overlapping windows on a 10-minute grid (edges such as 02:10 or 24:00 included). */
const dayWindowsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 144 }), { maxLength: 6 })
  .map((edges) => {
    const sorted = [...edges].sort((a, b) => a - b).map((edge) => edge * 10);
    const windows: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) windows.push([sorted[i] ?? 0, sorted[i + 1] ?? 0]);
    return windows;
  });

const officeWeekArb = fc.constantFrom(
  [[[540, 1020]], [[540, 1020]], [[540, 1020]], [[540, 1020]], [[540, 1020]], [], []],
  [[[540, 720], [780, 1020]], [[540, 720], [780, 1020]], [[540, 720], [780, 1020]], [[540, 720], [780, 1020]], [[540, 780]], [[600, 840]], []],
  [[[1320, 1440]], [[0, 360], [1320, 1440]], [[0, 360]], [], [], [], [[90, 180]]],
);

const weekArb = fc
  .oneof(fc.array(dayWindowsArb, { minLength: 7, maxLength: 7 }), officeWeekArb)
  .filter((week) => week.some((day) => day.length > 0));

/** The instants in 2020–2030 at which `zone` changes its UTC offset. */
function offsetChanges(zone: string): number[] {
  const iana = IANAZone.create(zone);
  const changes: number[] = [];
  for (let week = FROM_2020; week < TO_2030; week += 7 * DAY) {
    const offset = iana.offset(week);
    if (offset === iana.offset(week + 7 * DAY)) continue;
    let [before, after] = [week, week + 7 * DAY];
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (iana.offset(middle) === offset) before = middle;
      else after = middle;
    }
    changes.push(after);
  }
  return changes;
}
const OFFSET_CHANGES = new Map(ZONES.map((zone) => [zone, offsetChanges(zone)]));

/**
 * Instants over 2020–2030, half of them within two days of one of the zone's DST changes; half of
 * all are snapped to a 5-minute boundary so that they hit window edges exactly.
 */
function instantArb(zone: string): fc.Arbitrary<number> {
  const changes = OFFSET_CHANGES.get(zone) ?? [];
  const anywhere = fc.integer({ min: FROM_2020, max: TO_2030 });
  const nearChange = (): fc.Arbitrary<number> =>
    fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -2 * DAY, max: 2 * DAY }))
      .map(([change, shift]) => change + shift);
  return fc
    .tuple(changes.length > 0 ? fc.oneof(anywhere, nearChange()) : anywhere, fc.boolean())
    .map(([t, snap]) => (snap ? Math.round(t / (5 * MINUTE)) * 5 * MINUTE : t));
}

interface Scenario {
  calendar: BusinessCalendar;
  zone: string;
  t: number;
  /** Nominal working time per week (wall-clock), to keep durations proportionate to the calendar. */
  weeklyMs: number;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .constantFrom(...ZONES)
  .chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      week: weekArb,
      t: instantArb(zone),
      holidayOffsets: fc.uniqueArray(fc.integer({ min: -3, max: 40 }), { maxLength: 8 }),
      holidayRun: fc.record({ from: fc.integer({ min: -3, max: 30 }), days: fc.integer({ min: 0, max: 6 }) }),
    }),
  )
  .map(({ zone, week, t, holidayOffsets, holidayRun }) => {
    const runOffsets = Array.from({ length: holidayRun.days }, (_, i) => holidayRun.from + i);
    const holidays = new Set(
      [...holidayOffsets, ...runOffsets].map((offset) => DateTime.fromMillis(t + offset * DAY, { zone }).toISODate()),
    );
    const hours = Object.fromEntries(
      WEEKDAYS.map((day, i) => [day, (week[i] ?? []).map(([start, end]) => [timeOfDay(start), timeOfDay(end)])]),
    );
    const weeklyMs = week.flat().reduce((total, [start, end]) => total + (end - start) * MINUTE, 0);
    return { calendar: businessCalendarSchema.parse({ timezone: zone, hours, holidays: [...holidays] }), zone, t, weeklyMs };
  });

/** A duration from 0 to three nominal working weeks of the scenario's calendar, in whole milliseconds. */
const weeksArb = fc.integer({ min: 0, max: 3_000_000 });
const durationOf = (scenario: Scenario, microWeeks: number): number => Math.round((scenario.weeklyMs * microWeeks) / 1_000_000);

/** Whether `t` shows a wall-clock time the zone already showed an instant earlier (the second pass of a fall-back). */
function isRepeatedWallTime(zone: string, t: number): boolean {
  const offset = DateTime.fromMillis(t, { zone }).offset;
  const earlierOffset = DateTime.fromMillis(t - DAY, { zone }).offset;
  if (earlierOffset <= offset) return false;
  return DateTime.fromMillis(t - (earlierOffset - offset) * MINUTE, { zone }).offset === earlierOffset;
}

/** Reads the local clock and checks it against the calendar's wall-clock windows. */
function worksByWallClock(calendar: Exclude<BusinessCalendar, '24/7'>, t: number): boolean {
  const local = DateTime.fromMillis(t, { zone: calendar.timezone });
  const date = local.toISODate() ?? '';
  if (calendar.holidays.includes(date)) return false;
  const sinceMidnight = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
  const windows = calendar.hours[WEEKDAYS[local.weekday - 1] ?? 'mon'];
  return windows.some(([start, end]) => {
    const [startHour, startMinute] = start.split(':').map(Number);
    const [endHour, endMinute] = end.split(':').map(Number);
    return (
      sinceMidnight >= ((startHour ?? 0) * 60 + (startMinute ?? 0)) * MINUTE &&
      sinceMidnight < ((endHour ?? 0) * 60 + (endMinute ?? 0)) * MINUTE
    );
  });
}

describe('business calendar properties', () => {
  it('adding in two steps equals adding once: add(add(t, a), b) = add(t, a + b)', () => {
    fc.assert(
      fc.property(scenarioArb, weeksArb, weeksArb, (scenario, x, y) => {
        const [a, b] = [durationOf(scenario, x / 2), durationOf(scenario, y / 2)];
        const { calendar, t } = scenario;
        expect(addBusinessTime(calendar, addBusinessTime(calendar, t, a), b)).toBe(addBusinessTime(calendar, t, a + b));
      }),
      { numRuns: 300 },
    );
  });

  it('measures back what it added: between(t, add(t, d)) = d', () => {
    fc.assert(
      fc.property(scenarioArb, weeksArb, (scenario, x) => {
        const d = durationOf(scenario, x);
        const { calendar, t } = scenario;
        expect(businessTimeBetween(calendar, t, addBusinessTime(calendar, t, d))).toBe(d);
      }),
      { numRuns: 300 },
    );
  });

  it('for d > 0, the millisecond before the result is working time: the result is working time or the exact end of a window', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 3_000_000 }), (scenario, x) => {
        const d = Math.max(1, durationOf(scenario, x));
        const { calendar, t } = scenario;
        const result = addBusinessTime(calendar, t, d);
        expect(result).toBeGreaterThan(t);
        expect(isWorkingTime(calendar, result - 1)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the duration: a < b implies add(t, a) < add(t, b)', () => {
    fc.assert(
      fc.property(scenarioArb, weeksArb, weeksArb, (scenario, x, y) => {
        const [a, b] = [durationOf(scenario, Math.min(x, y)), durationOf(scenario, Math.max(x, y))];
        const { calendar, t } = scenario;
        const [early, late] = [addBusinessTime(calendar, t, a), addBusinessTime(calendar, t, b)];
        expect(a < b ? early < late : early === late).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('measures additively: between(a, b) + between(b, c) = between(a, c)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 21 * DAY }), fc.integer({ min: 0, max: 21 * DAY }), (scenario, x, y) => {
        const { calendar, t: a } = scenario;
        const [b, c] = [a + Math.min(x, y), a + Math.max(x, y)];
        expect(businessTimeBetween(calendar, a, b) + businessTimeBetween(calendar, b, c)).toBe(businessTimeBetween(calendar, a, c));
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with the local wall clock on what is working time (outside the repeated fall-back hour)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ calendar, zone, t }) => {
        fc.pre(!isRepeatedWallTime(zone, t));
        if (calendar === '24/7') throw new Error('scenarios use working-hours calendars');
        expect(isWorkingTime(calendar, t)).toBe(worksByWallClock(calendar, t));
      }),
      { numRuns: 1000 },
    );
  });

  it('finds the next working instant with no working time skipped', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { calendar, t } = scenario;
        const next = nextWorkingInstant(calendar, t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(isWorkingTime(calendar, next)).toBe(true);
        expect(businessTimeBetween(calendar, t, next)).toBe(0);
        expect(next === t).toBe(isWorkingTime(calendar, t));
      }),
      { numRuns: 300 },
    );
  });

  it('adds business days in working time or at a closing instant, each whole day strictly later', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 99 }), (scenario, days, percent) => {
        const { calendar, t } = scenario;
        const landing = addBusinessDays(calendar, t, days + percent / 100);
        expect(isWorkingTime(calendar, landing) || isWorkingTime(calendar, landing - 1)).toBe(true);
        expect(addBusinessDays(calendar, t, days)).toBeGreaterThan(addBusinessDays(calendar, t, days - 1));
      }),
      { numRuns: 200 },
    );
  });

  it('adds whole business days: n working days later, at the same working time into the day, clamped to the target day', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 10 }), ({ calendar, zone, t }, days) => {
        const nextDay = (day: DateTime): DateTime => day.plus({ days: 1 }).startOf('day');
        const workingDayAround = (instant: number) => {
          const start = DateTime.fromMillis(instant, { zone }).startOf('day');
          return { start, workingMs: businessTimeBetween(calendar, start.toMillis(), nextDay(start).toMillis()) };
        };
        const from = nextWorkingInstant(calendar, t);
        const startDay = workingDayAround(from);
        const position = businessTimeBetween(calendar, startDay.start.toMillis(), from);
        const landing = addBusinessDays(calendar, t, days);
        const targetDay = workingDayAround(position === 0 ? landing : landing - 1);
        let workingDaysCounted = 0;
        for (let day = nextDay(startDay.start); day <= targetDay.start; day = nextDay(day)) {
          if (workingDayAround(day.toMillis()).workingMs > 0) workingDaysCounted++;
        }
        expect(workingDaysCounted).toBe(days);
        expect(businessTimeBetween(calendar, targetDay.start.toMillis(), landing)).toBe(Math.min(position, targetDay.workingMs));
      }),
      { numRuns: 200 },
    );
  });

  it('re-parses its own output unchanged (a parsed calendar can be stored and loaded again)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ calendar }) => {
        expect(businessCalendarSchema.parse(calendar)).toEqual(calendar);
      }),
      { numRuns: 100 },
    );
  });

  it('"24/7" is plain arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM_2020, max: TO_2030 }),
        fc.integer({ min: 0, max: 400 * DAY }),
        fc.integer({ min: 0, max: 400 }),
        (t, d, days) => {
          expect(addBusinessTime('24/7', t, d)).toBe(t + d);
          expect(businessTimeBetween('24/7', t, t + d)).toBe(d);
          expect(addBusinessDays('24/7', t, days)).toBe(t + days * DAY);
          expect(isWorkingTime('24/7', t)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same answers whatever the process time zone (TZ)', () => {
    // Jest sandboxes process.env, so TZ can only really change in a separate process.
    const cases = fc
      .sample(fc.tuple(scenarioArb, weeksArb), 100)
      .map(([scenario, x]) => ({ calendar: scenario.calendar, t: scenario.t, d: durationOf(scenario, x) }));
    const under = (zone: string): { offsetAtEpoch: number; answers: unknown } =>
      JSON.parse(
        execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', ANSWERS_SCRIPT], {
          cwd: REPO_ROOT,
          env: { ...process.env, TZ: zone },
          input: JSON.stringify(cases),
        }).toString(),
      );
    const runs = ['Pacific/Chatham', 'America/Los_Angeles', 'Asia/Kathmandu', 'UTC'].map(under);
    expect(new Set(runs.map((run) => run.offsetAtEpoch)).size).toBe(runs.length); // each TZ took effect
    for (const run of runs) expect(run.answers).toEqual(runs[0]?.answers);
  });
});
