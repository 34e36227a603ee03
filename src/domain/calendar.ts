import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { durationMs, type ClockedDuration } from './duration';

/*
 * Business calendars and business-hours arithmetic. Instants are epoch milliseconds.
 *
 * Working hours are wall-clock windows in the calendar's time zone. A window opens at the first
 * instant the local clock reads its start and closes at the first instant it reads its end. Across
 * DST that means: on spring-forward day a window starting at 02:30 (a time that never shows) opens
 * when the clock jumps to 03:00, and a window lying wholly inside the skipped hour has no working
 * time that day; on fall-back day a window spanning the repeated hour is an hour longer, and a
 * window edge inside the repeated hour means its first occurrence. Windows are half-open
 * [opens, closes): the closing instant itself is not working time.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WORKING_DAYS_PER_WEEK = 5;
const MAX_EPOCH_MS = 8.64e15;
const ROUND_THE_CLOCK = '24/7';

/** Day keys of `hours`, in ISO order (index 0 is Monday). */
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/**
 * Like z.union, but the branch is chosen from the input's shape, so a typo deep inside a calendar
 * is reported at its own path instead of as z.union's opaque "Invalid input".
 */
function unionByShape<A extends z.ZodType, B extends z.ZodType>(
  isFirstShape: (input: unknown) => boolean,
  first: A,
  second: B,
) {
  return z.custom<z.input<A> | z.input<B>>().transform((input, ctx): z.output<A> | z.output<B> => {
    const result = isFirstShape(input) ? first.safeParse(input) : second.safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

const expectedTime = (issue: { input?: unknown }): string =>
  `expected a time "HH:MM" from "00:00" to "24:00", got ${show(issue.input)}`;

const timeOfDaySchema = z
  .string({ error: expectedTime })
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: expectedTime, abort: true });

function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const workingWindowSchema = z
  .tuple([timeOfDaySchema, timeOfDaySchema], {
    error: (issue) => `expected a window ["HH:MM", "HH:MM"], got ${show(issue.input)}`,
  })
  .refine(([start, end]) => minutesOfDay(end) > minutesOfDay(start), {
    error: (issue) => `a window must end after it starts, got ${show(issue.input)}`,
  });
type WorkingWindow = z.output<typeof workingWindowSchema>;

function rejectOverlappingWindows(windows: WorkingWindow[], ctx: z.RefinementCtx): void {
  const byStart = windows
    .map((window, index) => ({ window, index }))
    .sort((a, b) => minutesOfDay(a.window[0]) - minutesOfDay(b.window[0]));
  let latestEnding: (typeof byStart)[number] | undefined;
  for (const current of byStart) {
    if (latestEnding && minutesOfDay(current.window[0]) < minutesOfDay(latestEnding.window[1])) {
      ctx.addIssue({
        code: 'custom',
        path: [current.index],
        input: current.window,
        message: `window ${show(current.window)} overlaps window ${show(latestEnding.window)}`,
      });
    }
    if (!latestEnding || minutesOfDay(current.window[1]) > minutesOfDay(latestEnding.window[1])) {
      latestEnding = current;
    }
  }
}

const sortedByStart = (windows: WorkingWindow[]): WorkingWindow[] =>
  [...windows].sort((a, b) => minutesOfDay(a[0]) - minutesOfDay(b[0]));

/** One window `["09:00", "17:00"]` or several `[["09:00", "12:00"], ["13:00", "17:00"]]`; always output as a sorted list. */
const dayHoursSchema = unionByShape(
  (input) => Array.isArray(input) && typeof input[0] === 'string',
  workingWindowSchema.transform((window) => [window]),
  z
    .array(workingWindowSchema, {
      error: (issue) => `expected a window ["HH:MM", "HH:MM"] or a list of windows, got ${show(issue.input)}`,
    })
    .superRefine(rejectOverlappingWindows)
    .transform(sortedByStart),
).default(() => []);

const weeklyHoursSchema = z
  .strictObject(
    {
      mon: dayHoursSchema,
      tue: dayHoursSchema,
      wed: dayHoursSchema,
      thu: dayHoursSchema,
      fri: dayHoursSchema,
      sat: dayHoursSchema,
      sun: dayHoursSchema,
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown day ${issue.keys.map(show).join(', ')}; days are ${WEEKDAYS.join(', ')}`
          : `expected working hours per day, e.g. { mon: ["09:00", "17:00"] }, got ${show(issue.input)}`,
    },
  )
  .refine((hours) => WEEKDAYS.some((day) => hours[day].length > 0), {
    error: 'a calendar needs at least one working window, e.g. mon: ["09:00", "17:00"] (or use "24/7")',
  });

const expectedHoliday = (issue: { input?: unknown }): string =>
  `expected a holiday date "YYYY-MM-DD", got ${show(issue.input)}`;

const holidaySchema = z
  .string({ error: expectedHoliday })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: expectedHoliday, abort: true })
  .refine((date) => DateTime.fromISO(date, { zone: 'utc' }).isValid, {
    error: (issue) => `${show(issue.input)} is not a calendar date`,
  });

function rejectDuplicateHolidays(holidays: string[], ctx: z.RefinementCtx): void {
  holidays.forEach((date, index) => {
    if (holidays.indexOf(date) !== index) {
      ctx.addIssue({ code: 'custom', path: [index], input: date, message: `holiday ${show(date)} is listed twice` });
    }
  });
}

const expectedCalendar = (issue: { input?: unknown }): string =>
  `expected "24/7" or a calendar { timezone, hours, holidays }, got ${show(issue.input)}`;

const workingHoursCalendarSchema = z.strictObject(
  {
    timezone: z
      .string({ error: (issue) => `expected an IANA time zone like "America/New_York", got ${show(issue.input)}` })
      .refine((zone) => IANAZone.isValidZone(zone), {
        error: (issue) => `unknown time zone ${show(issue.input)}; expected an IANA name like "America/New_York"`,
      }),
    hours: weeklyHoursSchema,
    holidays: z
      .array(holidaySchema, { error: (issue) => `expected a list of "YYYY-MM-DD" dates, got ${show(issue.input)}` })
      .superRefine(rejectDuplicateHolidays)
      .default(() => []),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown calendar setting ${issue.keys.map(show).join(', ')}; settings are timezone, hours, holidays`
        : expectedCalendar(issue),
  },
);

/**
 * A team's business calendar: `"24/7"` (every instant is working time) or
 * `{ timezone, hours: { mon: ["09:00", "17:00"], ... }, holidays: ["2026-12-25"] }`.
 * Parsed hours list every day (days off as `[]`), each day's windows sorted by start.
 */
export const businessCalendarSchema = unionByShape(
  (input) => typeof input === 'string',
  z.literal(ROUND_THE_CLOCK, { error: expectedCalendar }),
  workingHoursCalendarSchema,
);
export type BusinessCalendar = z.output<typeof businessCalendarSchema>;
type WorkingHoursCalendar = z.output<typeof workingHoursCalendarSchema>;

// ---------------------------------------------------------------------------------------------
// Schedule: a calendar resolved to concrete working intervals, one local date at a time
// ---------------------------------------------------------------------------------------------

/** Local calendar dates are counted as days since 1970-01-01; a date's wall-clock midnight is `day * DAY_MS`. */
type LocalDay = number;

interface Interval {
  start: number;
  end: number;
}

interface WeeklySchedule {
  zone: IANAZone;
  /** Minutes after local midnight, index 0 is Monday. */
  windowsByWeekday: ReadonlyArray<ReadonlyArray<Interval>>;
  holidays: ReadonlySet<LocalDay>;
  /** UTC offsets (ms) sampled at the instant `day * DAY_MS`, memoized because day-by-day walks reuse them. */
  offsetsAtMidnight: Map<LocalDay, number>;
}

interface WorkingDay {
  day: LocalDay;
  intervals: Interval[];
  opensAt: number;
  workingMs: number;
}

function weeklySchedule(calendar: WorkingHoursCalendar): WeeklySchedule {
  return {
    zone: IANAZone.create(calendar.timezone),
    windowsByWeekday: WEEKDAYS.map((weekday) =>
      calendar.hours[weekday].map(([start, end]) => ({ start: minutesOfDay(start), end: minutesOfDay(end) })),
    ),
    holidays: new Set(calendar.holidays.map((date) => Date.parse(`${date}T00:00Z`) / DAY_MS)),
    offsetsAtMidnight: new Map(),
  };
}

/** The local wall-clock reading of instant `t`, expressed as if the zone were UTC. */
function wallClockAt(zone: IANAZone, t: number): number {
  return t + zone.offset(t) * MINUTE_MS;
}

function localDayOf(schedule: WeeklySchedule, t: number): LocalDay {
  return Math.floor(wallClockAt(schedule.zone, t) / DAY_MS);
}

function offsetAtMidnight(schedule: WeeklySchedule, day: LocalDay): number {
  let offset = schedule.offsetsAtMidnight.get(day);
  if (offset === undefined) {
    offset = schedule.zone.offset(day * DAY_MS) * MINUTE_MS;
    schedule.offsetsAtMidnight.set(day, offset);
  }
  return offset;
}

/**
 * The first instant at which the local clock reads `wall` (a local date-time expressed as if the
 * zone were UTC) or later. That instant lies within a day of `wall`, so the offsets sampled a day
 * either side are the only candidates, given that a zone changes its offset at most once in three
 * days (true of every IANA zone this century).
 */
function instantWhenClockReaches(schedule: WeeklySchedule, wall: number): number {
  const day = Math.floor(wall / DAY_MS);
  const offsetBefore = offsetAtMidnight(schedule, day - 1);
  const offsetAfter = offsetAtMidnight(schedule, day + 2);
  if (offsetBefore === offsetAfter) return wall - offsetBefore;
  const { zone } = schedule;
  const exact = [wall - offsetBefore, wall - offsetAfter].filter((t) => wallClockAt(zone, t) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // `wall` was skipped by a spring-forward: find the instant the clock jumped over it.
  let before = wall - Math.max(offsetBefore, offsetAfter);
  let after = wall - Math.min(offsetBefore, offsetAfter);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallClockAt(zone, middle) >= wall) after = middle;
    else before = middle;
  }
  return after;
}

function startOfLocalDay(schedule: WeeklySchedule, day: LocalDay): number {
  return instantWhenClockReaches(schedule, day * DAY_MS);
}

const weekdayIndex = (day: LocalDay): number => (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday

function workingIntervalsOn(schedule: WeeklySchedule, day: LocalDay): Interval[] {
  if (schedule.holidays.has(day)) return [];
  const midnight = day * DAY_MS;
  return (schedule.windowsByWeekday[weekdayIndex(day)] ?? [])
    .map((window) => ({
      start: instantWhenClockReaches(schedule, midnight + window.start * MINUTE_MS),
      end: instantWhenClockReaches(schedule, midnight + window.end * MINUTE_MS),
    }))
    .filter((interval) => interval.end > interval.start);
}

function workingTimeWithin(intervals: Interval[], from: number, to: number): number {
  return intervals.reduce(
    (total, interval) => total + Math.max(0, Math.min(interval.end, to) - Math.max(interval.start, from)),
    0,
  );
}

function workingDayOn(schedule: WeeklySchedule, day: LocalDay): WorkingDay | undefined {
  const intervals = workingIntervalsOn(schedule, day);
  const first = intervals[0];
  if (!first) return undefined;
  return { day, intervals, opensAt: first.start, workingMs: workingTimeWithin(intervals, -Infinity, Infinity) };
}

function nextWorkingDay(schedule: WeeklySchedule, after: LocalDay): WorkingDay {
  for (let day = after + 1; ; day++) {
    const workingDay = workingDayOn(schedule, day);
    if (workingDay) return workingDay;
  }
}

/** The working day whose hours contain `t`, which must be working time. */
function workingDayAt(schedule: WeeklySchedule, t: number): WorkingDay {
  for (let day = localDayOf(schedule, t); ; day++) {
    const workingDay = workingDayOn(schedule, day);
    if (workingDay?.intervals.some((interval) => interval.end > t)) return workingDay;
  }
}

function nextWorkingInstantIn(schedule: WeeklySchedule, t: number): number {
  for (let day = localDayOf(schedule, t); ; day++) {
    const interval = workingIntervalsOn(schedule, day).find((candidate) => candidate.end > t);
    if (interval) return Math.max(t, interval.start);
  }
}

function addWorkingTime(schedule: WeeklySchedule, start: number, ms: number): number {
  if (ms === 0) return start;
  let remaining = ms;
  for (let day = localDayOf(schedule, start); ; day++) {
    for (const interval of workingIntervalsOn(schedule, day)) {
      const from = Math.max(start, interval.start);
      const available = interval.end - from;
      if (available <= 0) continue;
      // `<=`: a duration that ends exactly at closing time returns the closing instant, not the next opening.
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
  }
}

function requireInstant(name: string, t: number): void {
  if (!Number.isFinite(t) || Math.abs(t) > MAX_EPOCH_MS) {
    throw new RangeError(`${name} must be an instant in epoch milliseconds, got ${t}`);
  }
}

function requireNonNegative(name: string, amount: number): void {
  if (!Number.isFinite(amount) || amount < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${amount}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Business-hours arithmetic
// ---------------------------------------------------------------------------------------------

/** Whether `t` falls inside a working window (windows are half-open: the closing instant is not working time). */
export function isWorkingTime(calendar: BusinessCalendar, t: number): boolean {
  return nextWorkingInstant(calendar, t) === t;
}

/** `t` itself if it is working time, else the next opening. */
export function nextWorkingInstant(calendar: BusinessCalendar, t: number): number {
  requireInstant('t', t);
  if (calendar === ROUND_THE_CLOCK) return t;
  return nextWorkingInstantIn(weeklySchedule(calendar), t);
}

/**
 * The instant at which `ms` of working time has elapsed after `start` (counting from the next
 * opening if `start` is outside working hours). `ms = 0` returns `start` unchanged; a duration
 * that runs out exactly at closing time returns the closing instant (Wed 17:00, not Thu 09:00).
 */
export function addBusinessTime(calendar: BusinessCalendar, start: number, ms: number): number {
  requireInstant('start', start);
  requireNonNegative('ms', ms);
  if (calendar === ROUND_THE_CLOCK) return start + ms;
  return addWorkingTime(weeklySchedule(calendar), start, ms);
}

/**
 * `days` working days after `start`, at the same amount of working time into the day:
 * Friday 15:00 + 1 = Monday 15:00. A `start` outside working hours counts from the next opening
 * (Friday 18:00 + 1 = Tuesday 09:00). A target day with less working time than that position
 * clamps to its closing time. A fraction adds that fraction of the target day's working time,
 * carrying into later days if needed. `days = 0` returns `start` unchanged.
 */
export function addBusinessDays(calendar: BusinessCalendar, start: number, days: number): number {
  requireInstant('start', start);
  requireNonNegative('days', days);
  if (days === 0) return start;
  if (calendar === ROUND_THE_CLOCK) return start + days * DAY_MS;
  const schedule = weeklySchedule(calendar);
  const from = nextWorkingInstantIn(schedule, start);
  const startDay = workingDayAt(schedule, from);
  const position = workingTimeWithin(startDay.intervals, startDay.opensAt, from);
  let target = startDay;
  for (let counted = 0; counted < Math.floor(days); counted++) target = nextWorkingDay(schedule, target.day);
  const landing = addWorkingTime(schedule, target.opensAt, Math.min(position, target.workingMs));
  return addWorkingTime(schedule, landing, Math.round((days % 1) * target.workingMs));
}

/**
 * A policy deadline: `start` plus a clocked duration. The calendar clock adds elapsed time; the
 * business clock adds working days for `d` and `w` (a week is 5 working days) and working time
 * for `ms`, `s`, `m`, `h`.
 */
export function addClocked(calendar: BusinessCalendar, start: number, clocked: ClockedDuration): number {
  const { within, clock } = clocked;
  if (clock === 'calendar') {
    requireInstant('start', start);
    return start + durationMs(within);
  }
  switch (within.unit) {
    case 'd':
      return addBusinessDays(calendar, start, within.amount);
    case 'w':
      return addBusinessDays(calendar, start, within.amount * WORKING_DAYS_PER_WEEK);
    default:
      return addBusinessTime(calendar, start, durationMs(within));
  }
}

/** Working milliseconds in [from, to); 0 when `to <= from`. */
export function businessTimeBetween(calendar: BusinessCalendar, from: number, to: number): number {
  requireInstant('from', from);
  requireInstant('to', to);
  if (to <= from) return 0;
  if (calendar === ROUND_THE_CLOCK) return to - from;
  const schedule = weeklySchedule(calendar);
  let total = 0;
  for (let day = localDayOf(schedule, from); startOfLocalDay(schedule, day) < to; day++) {
    total += workingTimeWithin(workingIntervalsOn(schedule, day), from, to);
  }
  return total;
}
