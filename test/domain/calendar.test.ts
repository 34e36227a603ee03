import { DateTime } from 'luxon';
import {
  addBusinessDays,
  addBusinessTime,
  addClocked,
  businessCalendarSchema,
  businessTimeBetween,
  isWorkingTime,
  nextWorkingInstant,
  type BusinessCalendar,
} from '../../src/domain/calendar';
import { clockedDurationSchema } from '../../src/domain/duration';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NEW_YORK = 'America/New_York';

const NINE_TO_FIVE = ['09:00', '17:00'];
const WEEKDAYS_NINE_TO_FIVE = { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE };

const calendar = (input: unknown): BusinessCalendar => businessCalendarSchema.parse(input);

/** The policy file's `na` calendar. */
const na = calendar({ timezone: NEW_YORK, hours: WEEKDAYS_NINE_TO_FIVE, holidays: ['2026-11-26', '2026-12-25'] });
const naWithoutHolidays = calendar({ timezone: NEW_YORK, hours: WEEKDAYS_NINE_TO_FIVE });

/** A local date-time (no offset in the string) or an instant with an explicit offset, in `zone`. */
const at = (iso: string, zone = NEW_YORK): number => {
  const dateTime = DateTime.fromISO(iso, { zone });
  if (!dateTime.isValid) throw new Error(`bad test instant ${iso}`);
  return dateTime.toMillis();
};
const local = (t: number, zone = NEW_YORK): string =>
  DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true }) ?? 'invalid';
const clocked = (within: string, clock: 'business' | 'calendar') => clockedDurationSchema.parse({ within, clock });

describe('businessCalendarSchema', () => {
  it('parses the policy calendar, listing every day and defaulting holidays', () => {
    expect(calendar({ timezone: NEW_YORK, hours: { mon: NINE_TO_FIVE, sat: [['13:00', '17:00'], ['08:00', '12:00']] } })).toEqual({
      timezone: NEW_YORK,
      hours: {
        mon: [['09:00', '17:00']],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [
          ['08:00', '12:00'],
          ['13:00', '17:00'],
        ],
        sun: [],
      },
      holidays: [],
    });
  });

  it('accepts "24/7", windows ending at "24:00", touching windows and an empty day', () => {
    expect(calendar('24/7')).toBe('24/7');
    const night = calendar({ timezone: 'UTC', hours: { mon: [['18:00', '20:00'], ['20:00', '24:00']], tue: [] } });
    expect(night).toMatchObject({ hours: { mon: [['18:00', '20:00'], ['20:00', '24:00']], tue: [] } });
  });

  const base = { timezone: NEW_YORK, hours: { mon: NINE_TO_FIVE } };
  it.each([
    ['a string other than "24/7"', 'always', [], 'expected "24/7" or a calendar { timezone, hours, holidays }, got "always"'],
    ['a number', 7, [], 'expected "24/7" or a calendar { timezone, hours, holidays }, got 7'],
    ['a missing time zone', { hours: { mon: NINE_TO_FIVE } }, ['timezone'], 'expected an IANA time zone like "America/New_York", got undefined'],
    ['an unknown zone', { ...base, timezone: 'America/NewYork' }, ['timezone'], 'unknown time zone "America/NewYork"; expected an IANA name like "America/New_York"'],
    ['a time without leading zero', { ...base, hours: { mon: ['9:00', '17:00'] } }, ['hours', 'mon', 0], 'expected a time "HH:MM" from "00:00" to "24:00", got "9:00"'],
    ['a time past 24:00', { ...base, hours: { mon: ['09:00', '24:30'] } }, ['hours', 'mon', 1], 'expected a time "HH:MM" from "00:00" to "24:00", got "24:30"'],
    ['a non-string time', { ...base, hours: { mon: [['09:00', 17]] } }, ['hours', 'mon', 0, 1], 'expected a time "HH:MM" from "00:00" to "24:00", got 17'],
    ['a window ending before it starts', { ...base, hours: { mon: ['17:00', '09:00'] } }, ['hours', 'mon'], 'a window must end after it starts, got ["17:00","09:00"]'],
    ['an empty window', { ...base, hours: { tue: [['09:00', '12:00'], ['12:00', '12:00']] } }, ['hours', 'tue', 1], 'a window must end after it starts, got ["12:00","12:00"]'],
    ['a window starting at 24:00', { ...base, hours: { mon: ['24:00', '24:00'] } }, ['hours', 'mon'], 'a window must end after it starts, got ["24:00","24:00"]'],
    ['a one-element window', { ...base, hours: { mon: ['09:00'] } }, ['hours', 'mon'], 'expected a window ["HH:MM", "HH:MM"], got ["09:00"]'],
    ['a "09:00-17:00" string', { ...base, hours: { mon: '09:00-17:00' } }, ['hours', 'mon'], 'expected a window ["HH:MM", "HH:MM"] or a list of windows, got "09:00-17:00"'],
    ['overlapping windows', { ...base, hours: { mon: [['13:00', '17:00'], ['09:00', '14:00']] } }, ['hours', 'mon', 0], 'window ["13:00","17:00"] overlaps window ["09:00","14:00"]'],
    ['a window inside another', { ...base, hours: { mon: [['08:00', '18:00'], ['12:00', '13:00']] } }, ['hours', 'mon', 1], 'window ["12:00","13:00"] overlaps window ["08:00","18:00"]'],
    ['no working window', { ...base, hours: { sat: [] } }, ['hours'], 'a calendar needs at least one working window, e.g. mon: ["09:00", "17:00"] (or use "24/7")'],
    ['a misspelt day', { ...base, hours: { monday: NINE_TO_FIVE, mon: NINE_TO_FIVE } }, ['hours'], 'unknown day "monday"; days are mon, tue, wed, thu, fri, sat, sun'],
    ['hours that are not an object', { ...base, hours: '9-5' }, ['hours'], 'expected working hours per day, e.g. { mon: ["09:00", "17:00"] }, got "9-5"'],
    ['an impossible holiday', { ...base, holidays: ['2026-02-30'] }, ['holidays', 0], '"2026-02-30" is not a calendar date'],
    ['a holiday in another format', { ...base, holidays: ['2026-12-25', '12/26/2026'] }, ['holidays', 1], 'expected a holiday date "YYYY-MM-DD", got "12/26/2026"'],
    ['a holiday listed twice', { ...base, holidays: ['2026-12-25', '2026-11-26', '2026-12-25'] }, ['holidays', 2], 'holiday "2026-12-25" is listed twice'],
    ['holidays that are not a list', { ...base, holidays: '2026-12-25' }, ['holidays'], 'expected a list of "YYYY-MM-DD" dates, got "2026-12-25"'],
    ['an unknown setting', { ...base, weekends: 'off' }, [], 'unknown calendar setting "weekends"; settings are timezone, hours, holidays'],
  ])('rejects %s with its path and a clear message', (_case, input, path, message) => {
    const result = businessCalendarSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => ({ path: issue.path, message: issue.message }))).toEqual([{ path, message }]);
  });

  it('reports every problem at once', () => {
    const result = businessCalendarSchema.safeParse({ timezone: 'Mars/Olympus', hours: { mon: ['9', '17'] }, holidays: ['x'] });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['timezone', 'hours.mon.0', 'hours.mon.1', 'holidays.0']);
  });
});

describe('isWorkingTime and nextWorkingInstant', () => {
  it('treats windows as half-open: the opening instant works, the closing instant does not', () => {
    expect(isWorkingTime(na, at('2026-11-25T09:00'))).toBe(true);
    expect(isWorkingTime(na, at('2026-11-25T16:59:59.999'))).toBe(true);
    expect(isWorkingTime(na, at('2026-11-25T17:00'))).toBe(false);
    expect(isWorkingTime(na, at('2026-11-25T08:59:59.999'))).toBe(false);
  });

  it('excludes weekends and holidays', () => {
    expect(isWorkingTime(na, at('2026-11-28T10:00'))).toBe(false); // Saturday
    expect(isWorkingTime(na, at('2026-11-26T10:00'))).toBe(false); // Thanksgiving
    expect(isWorkingTime(naWithoutHolidays, at('2026-11-26T10:00'))).toBe(true);
  });

  it('returns the instant itself during working time, else the next opening', () => {
    expect(local(nextWorkingInstant(na, at('2026-11-24T11:17')))).toBe('2026-11-24T11:17:00-05:00');
    expect(local(nextWorkingInstant(na, at('2026-11-24T06:00')))).toBe('2026-11-24T09:00:00-05:00');
    expect(local(nextWorkingInstant(na, at('2026-11-06T17:00')))).toBe('2026-11-09T09:00:00-05:00'); // Friday close
    expect(local(nextWorkingInstant(na, at('2026-11-25T17:00')))).toBe('2026-11-27T09:00:00-05:00'); // Thanksgiving eve
    expect(local(nextWorkingInstant(na, at('2026-12-24T17:00')))).toBe('2026-12-28T09:00:00-05:00'); // holiday Friday, weekend
  });

  it('treats every instant as working time on "24/7"', () => {
    const t = at('2026-11-28T03:00');
    expect(isWorkingTime('24/7', t)).toBe(true);
    expect(nextWorkingInstant('24/7', t)).toBe(t);
  });
});

describe('addBusinessTime', () => {
  it('skips a holiday: 1h from Wednesday 16:30 before Thanksgiving ends Friday 09:30', () => {
    expect(local(addBusinessTime(na, at('2026-11-25T16:30'), HOUR))).toBe('2026-11-27T09:30:00-05:00');
  });

  it('returns the closing instant when the time runs out exactly at closing: 24h from Monday 09:00 is Wednesday 17:00', () => {
    expect(local(addBusinessTime(na, at('2026-11-09T09:00'), 24 * HOUR))).toBe('2026-11-11T17:00:00-05:00');
    expect(local(addBusinessTime(na, at('2026-11-09T09:00'), 8 * HOUR))).toBe('2026-11-09T17:00:00-05:00');
    expect(addBusinessTime(na, at('2026-11-09T09:00'), 24 * HOUR + 1)).toBe(at('2026-11-12T09:00:00.001'));
  });

  it('returns the start unchanged for zero, even outside working hours', () => {
    const saturday = at('2026-11-28T10:00');
    expect(addBusinessTime(na, saturday, 0)).toBe(saturday);
  });

  it('starts counting at the next opening when started outside working hours', () => {
    expect(local(addBusinessTime(na, at('2026-11-28T10:00'), HOUR))).toBe('2026-11-30T10:00:00-05:00'); // Saturday
    expect(local(addBusinessTime(na, at('2026-11-24T07:00'), 30 * MINUTE))).toBe('2026-11-24T09:30:00-05:00');
  });

  it('skips a holiday on the Friday before a weekend', () => {
    expect(local(addBusinessTime(na, at('2026-12-24T16:30'), HOUR))).toBe('2026-12-28T09:30:00-05:00');
  });

  it('skips consecutive holidays', () => {
    const christmas = calendar({ timezone: NEW_YORK, hours: WEEKDAYS_NINE_TO_FIVE, holidays: ['2026-12-24', '2026-12-25', '2026-12-28'] });
    expect(local(addBusinessTime(christmas, at('2026-12-23T16:00'), 2 * HOUR))).toBe('2026-12-29T10:00:00-05:00');
  });

  it('handles long durations across both DST changes: 2,000 business hours is 50 working weeks', () => {
    const start = at('2026-01-05T09:00');
    const end = addBusinessTime(naWithoutHolidays, start, 2_000 * HOUR);
    expect(local(end)).toBe('2026-12-18T17:00:00-05:00');
    expect(businessTimeBetween(naWithoutHolidays, start, end)).toBe(2_000 * HOUR);
    expect(local(addBusinessTime(na, start, 2_000 * HOUR))).toBe('2026-12-21T17:00:00-05:00'); // one holiday before
  });

  it('is plain addition on "24/7"', () => {
    expect(addBusinessTime('24/7', at('2026-11-28T10:00'), 5 * DAY + 1)).toBe(at('2026-11-28T10:00') + 5 * DAY + 1);
  });

  it('rejects negative or non-finite durations and invalid instants', () => {
    expect(() => addBusinessTime(na, 0, -1)).toThrow(new RangeError('ms must be a finite number >= 0, got -1'));
    expect(() => addBusinessTime(na, 0, Infinity)).toThrow(RangeError);
    expect(() => addBusinessTime(na, Number.NaN, HOUR)).toThrow(new RangeError('start must be an instant in epoch milliseconds, got NaN'));
    expect(() => addBusinessTime(na, 1e17, HOUR)).toThrow(RangeError);
  });
});

describe('DST', () => {
  it('keeps wall-clock hours across the New York spring-forward and fall-back weekends', () => {
    expect(local(addBusinessTime(na, at('2026-03-06T16:00'), 2 * HOUR))).toBe('2026-03-09T10:00:00-04:00');
    expect(businessTimeBetween(na, at('2026-03-06T16:00'), at('2026-03-09T10:00'))).toBe(2 * HOUR);
    expect(local(addBusinessTime(na, at('2026-10-30T16:00'), 2 * HOUR))).toBe('2026-11-02T10:00:00-05:00');
    expect(businessTimeBetween(na, at('2026-03-02T00:00'), at('2026-03-16T00:00'))).toBe(80 * HOUR);
  });

  it('counts the real length of a whole local day: 23h on spring-forward, 25h on fall-back', () => {
    const sundays = calendar({ timezone: NEW_YORK, hours: { sun: ['00:00', '24:00'] } });
    expect(businessTimeBetween(sundays, at('2026-03-01T00:00'), at('2026-03-02T00:00'))).toBe(24 * HOUR);
    expect(businessTimeBetween(sundays, at('2026-03-08T00:00'), at('2026-03-09T00:00'))).toBe(23 * HOUR);
    expect(businessTimeBetween(sundays, at('2026-11-01T00:00'), at('2026-11-02T00:00'))).toBe(25 * HOUR);
    expect(local(addBusinessTime(sundays, at('2026-03-08T00:00'), 23 * HOUR))).toBe('2026-03-09T00:00:00-04:00');
    expect(local(addBusinessTime(sundays, at('2026-11-01T00:00'), 24 * HOUR))).toBe('2026-11-01T23:00:00-05:00');
  });

  it('opens a window whose start is skipped by spring-forward when the clock jumps (02:30 opens at 03:00)', () => {
    const earlySundays = calendar({ timezone: NEW_YORK, hours: { sun: ['02:30', '10:00'] } });
    expect(local(nextWorkingInstant(earlySundays, at('2026-03-08T00:00')))).toBe('2026-03-08T03:00:00-04:00');
    expect(isWorkingTime(earlySundays, at('2026-03-08T01:59:59.999'))).toBe(false);
    expect(businessTimeBetween(earlySundays, at('2026-03-08T00:00'), at('2026-03-09T00:00'))).toBe(7 * HOUR);
    expect(local(addBusinessTime(earlySundays, at('2026-03-07T12:00'), HOUR))).toBe('2026-03-08T04:00:00-04:00');
    expect(businessTimeBetween(earlySundays, at('2026-03-01T00:00'), at('2026-03-02T00:00'))).toBe(7.5 * HOUR);
  });

  it('gives no working time to a window that lies wholly inside the skipped hour', () => {
    const skipped = calendar({ timezone: NEW_YORK, hours: { sun: ['02:00', '02:30'] } });
    expect(businessTimeBetween(skipped, at('2026-03-08T00:00'), at('2026-03-09T00:00'))).toBe(0);
    expect(local(nextWorkingInstant(skipped, at('2026-03-08T00:00')))).toBe('2026-03-15T02:00:00-04:00');
  });

  it('uses the first occurrence of a window edge inside the repeated fall-back hour', () => {
    const spanning = calendar({ timezone: NEW_YORK, hours: { sun: ['01:30', '03:00'] } });
    expect(local(nextWorkingInstant(spanning, at('2026-11-01T00:00')))).toBe('2026-11-01T01:30:00-04:00');
    expect(businessTimeBetween(spanning, at('2026-11-01T00:00'), at('2026-11-02T00:00'))).toBe(2.5 * HOUR);
    const endingInside = calendar({ timezone: NEW_YORK, hours: { sun: ['00:00', '01:30'] } });
    expect(businessTimeBetween(endingInside, at('2026-11-01T00:00'), at('2026-11-02T00:00'))).toBe(1.5 * HOUR);
    expect(isWorkingTime(endingInside, at('2026-11-01T01:15-05:00'))).toBe(false); // second 01:15
  });

  it('keeps wall-clock hours across the London changes', () => {
    const london = calendar({ timezone: 'Europe/London', hours: WEEKDAYS_NINE_TO_FIVE });
    expect(local(addBusinessTime(london, at('2026-03-27T16:00', 'Europe/London'), 2 * HOUR), 'UTC')).toBe('2026-03-30T09:00:00Z');
    expect(local(addBusinessTime(london, at('2026-10-23T16:00', 'Europe/London'), 2 * HOUR), 'UTC')).toBe('2026-10-26T10:00:00Z');
  });

  it('handles the 30-minute shifts of Lord Howe Island', () => {
    const zone = 'Australia/Lord_Howe';
    const sundays = calendar({ timezone: zone, hours: { sun: ['00:00', '24:00'] } });
    expect(businessTimeBetween(sundays, at('2026-10-04T00:00', zone), at('2026-10-05T00:00', zone))).toBe(23.5 * HOUR);
    expect(businessTimeBetween(sundays, at('2026-04-05T00:00', zone), at('2026-04-06T00:00', zone))).toBe(24.5 * HOUR);
    const startsInGap = calendar({ timezone: zone, hours: { sun: ['02:10', '03:00'] } });
    expect(local(nextWorkingInstant(startsInGap, at('2026-10-04T00:00', zone)), zone)).toBe('2026-10-04T02:30:00+11:00');
    expect(businessTimeBetween(startsInGap, at('2026-10-04T00:00', zone), at('2026-10-05T00:00', zone))).toBe(30 * MINUTE);
    const insideGap = calendar({ timezone: zone, hours: { sun: ['02:00', '02:30'] } });
    expect(businessTimeBetween(insideGap, at('2026-10-04T00:00', zone), at('2026-10-05T00:00', zone))).toBe(0);
  });

  it('handles Santiago, whose clocks change at midnight', () => {
    const zone = 'America/Santiago';
    const lateShift = calendar({ timezone: zone, hours: { sat: ['22:00', '24:00'], sun: ['00:00', '02:00'] } });
    // 2026-09-06: Saturday 24:00 jumps to Sunday 01:00, so Sunday's window has one hour.
    expect(businessTimeBetween(lateShift, at('2026-09-05T22:00', zone), at('2026-09-06T02:00', zone))).toBe(3 * HOUR);
    expect(local(addBusinessTime(lateShift, at('2026-09-05T22:00', zone), 2 * HOUR), zone)).toBe('2026-09-06T01:00:00-03:00');
    // 2026-04-05: Saturday's last hour repeats, so Saturday's window has three hours.
    expect(businessTimeBetween(lateShift, at('2026-04-04T22:00', zone), at('2026-04-05T00:00', zone))).toBe(3 * HOUR);
  });
});

describe('multi-window days, Saturday hours and windows ending at 24:00', () => {
  const lunchBreak = [
    ['09:00', '12:00'],
    ['13:00', '17:00'],
  ];
  const withLunch = calendar({ timezone: NEW_YORK, hours: { mon: lunchBreak, tue: lunchBreak, wed: lunchBreak, thu: lunchBreak, fri: lunchBreak } });

  it('skips the lunch break', () => {
    expect(local(addBusinessTime(withLunch, at('2026-11-09T11:30'), HOUR))).toBe('2026-11-09T13:30:00-05:00');
    expect(local(addBusinessTime(withLunch, at('2026-11-09T11:00'), HOUR))).toBe('2026-11-09T12:00:00-05:00');
    expect(isWorkingTime(withLunch, at('2026-11-09T12:30'))).toBe(false);
    expect(local(nextWorkingInstant(withLunch, at('2026-11-09T12:30')))).toBe('2026-11-09T13:00:00-05:00');
    expect(businessTimeBetween(withLunch, at('2026-11-09T00:00'), at('2026-11-10T00:00'))).toBe(7 * HOUR);
  });

  it('works Saturday hours', () => {
    const sixDays = calendar({ timezone: NEW_YORK, hours: { ...WEEKDAYS_NINE_TO_FIVE, sat: ['10:00', '14:00'] } });
    expect(local(addBusinessTime(sixDays, at('2026-11-06T16:00'), 2 * HOUR))).toBe('2026-11-07T11:00:00-05:00');
    expect(local(addBusinessTime(sixDays, at('2026-11-07T13:00'), 2 * HOUR))).toBe('2026-11-09T10:00:00-05:00');
    expect(businessTimeBetween(sixDays, at('2026-11-02T00:00'), at('2026-11-09T00:00'))).toBe(44 * HOUR);
  });

  it('runs a night shift through midnight', () => {
    const nights = calendar({ timezone: NEW_YORK, hours: { mon: ['22:00', '24:00'], tue: ['00:00', '06:00'] } });
    expect(local(addBusinessTime(nights, at('2026-11-09T23:00'), 2 * HOUR))).toBe('2026-11-10T01:00:00-05:00');
    expect(local(addBusinessTime(nights, at('2026-11-09T22:00'), 2 * HOUR))).toBe('2026-11-10T00:00:00-05:00');
    expect(isWorkingTime(nights, at('2026-11-10T00:00'))).toBe(true);
    expect(businessTimeBetween(nights, at('2026-11-09T12:00'), at('2026-11-10T12:00'))).toBe(8 * HOUR);
  });
});

describe('addBusinessDays', () => {
  it('keeps the position in the working day: Friday 15:00 + 1 is Monday 15:00', () => {
    expect(local(addBusinessDays(na, at('2026-11-06T15:00'), 1))).toBe('2026-11-09T15:00:00-05:00');
  });

  it('counts from the next opening when started outside working hours', () => {
    expect(local(addBusinessDays(na, at('2026-11-06T18:00'), 1))).toBe('2026-11-10T09:00:00-05:00');
    expect(local(addBusinessDays(na, at('2026-11-06T17:00'), 1))).toBe('2026-11-10T09:00:00-05:00'); // closing instant
    expect(local(addBusinessDays(na, at('2026-11-07T12:00'), 1))).toBe('2026-11-10T09:00:00-05:00'); // Saturday
  });

  it('skips holidays and weekends', () => {
    expect(local(addBusinessDays(na, at('2026-11-25T15:00'), 1))).toBe('2026-11-27T15:00:00-05:00');
    expect(local(addBusinessDays(na, at('2026-11-16T10:00'), 10))).toBe('2026-12-01T10:00:00-05:00');
    expect(local(addBusinessDays(na, at('2026-12-24T10:00'), 1))).toBe('2026-12-28T10:00:00-05:00');
  });

  it('clamps to the closing time of a shorter target day', () => {
    const shortFriday = calendar({
      timezone: NEW_YORK,
      hours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: ['09:00', '13:00'] },
    });
    expect(local(addBusinessDays(shortFriday, at('2026-11-12T15:00'), 1))).toBe('2026-11-13T13:00:00-05:00');
    expect(local(addBusinessDays(shortFriday, at('2026-11-12T15:00'), 2))).toBe('2026-11-16T15:00:00-05:00');
  });

  it('adds a fraction of the target day\'s working time', () => {
    expect(local(addBusinessDays(na, at('2026-11-09T15:00'), 0.5))).toBe('2026-11-10T11:00:00-05:00');
    expect(local(addBusinessDays(na, at('2026-11-09T10:00'), 1.5))).toBe('2026-11-10T14:00:00-05:00');
  });

  it('maps the position into a multi-window day, ending at a closing instant like addBusinessTime', () => {
    const lunchBreak = [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ];
    const withLunch = calendar({ timezone: NEW_YORK, hours: { mon: lunchBreak, fri: lunchBreak } });
    // 12:30 is lunch, so counting starts at 13:00, 3h into the working day; 3h into Monday is 12:00.
    expect(local(addBusinessDays(withLunch, at('2026-11-06T12:30'), 1))).toBe('2026-11-09T12:00:00-05:00');
    expect(local(addBusinessDays(withLunch, at('2026-11-06T14:00'), 1))).toBe('2026-11-09T14:00:00-05:00');
  });

  it('keeps the wall-clock position across spring-forward', () => {
    expect(local(addBusinessDays(na, at('2026-03-06T15:00'), 1))).toBe('2026-03-09T15:00:00-04:00');
  });

  it('returns the start for zero days, adds 24h days on "24/7", and rejects negative days', () => {
    const saturday = at('2026-11-07T12:00');
    expect(addBusinessDays(na, saturday, 0)).toBe(saturday);
    expect(addBusinessDays('24/7', saturday, 2.5)).toBe(saturday + 2.5 * DAY);
    expect(() => addBusinessDays(na, saturday, -1)).toThrow(new RangeError('days must be a finite number >= 0, got -1'));
  });
});

describe('addClocked', () => {
  it('adds elapsed time on the calendar clock, whatever the working hours', () => {
    const saturday = at('2026-11-07T12:00');
    expect(addClocked(na, saturday, clocked('24h', 'calendar'))).toBe(saturday + DAY);
    expect(addClocked(na, at('2026-03-01T12:00'), clocked('10d', 'calendar'))).toBe(at('2026-03-11T13:00')); // DST: elapsed, not wall
  });

  it('adds working time for ms, s, m and h on the business clock', () => {
    expect(local(addClocked(na, at('2026-11-25T16:30'), clocked('1h', 'business')))).toBe('2026-11-27T09:30:00-05:00');
    expect(local(addClocked(na, at('2026-11-09T09:00'), clocked('24h', 'business')))).toBe('2026-11-11T17:00:00-05:00');
    expect(local(addClocked(na, at('2026-11-09T16:59'), clocked('90s', 'business')))).toBe('2026-11-10T09:00:30-05:00');
  });

  it('adds working days for d and 5 working days per w on the business clock', () => {
    expect(local(addClocked(na, at('2026-11-06T15:00'), clocked('1d', 'business')))).toBe('2026-11-09T15:00:00-05:00');
    expect(local(addClocked(na, at('2026-11-09T10:00'), clocked('1w', 'business')))).toBe('2026-11-16T10:00:00-05:00');
    expect(local(addClocked(na, at('2026-11-23T10:00'), clocked('1w', 'business')))).toBe('2026-12-01T10:00:00-05:00');
  });

  it('is elapsed time on "24/7" for time units', () => {
    expect(addClocked('24/7', 1_000, clocked('3s', 'business'))).toBe(4_000);
  });
});

describe('businessTimeBetween', () => {
  it('counts only working time across a weekend', () => {
    expect(businessTimeBetween(na, at('2026-11-06T16:00'), at('2026-11-09T10:00'))).toBe(2 * HOUR);
  });

  it('counts a full week, and a holiday week', () => {
    expect(businessTimeBetween(na, at('2026-11-09T00:00'), at('2026-11-16T00:00'))).toBe(40 * HOUR);
    expect(businessTimeBetween(na, at('2026-11-23T00:00'), at('2026-11-30T00:00'))).toBe(32 * HOUR);
  });

  it('is zero for an empty or reversed range', () => {
    expect(businessTimeBetween(na, at('2026-11-09T12:00'), at('2026-11-09T12:00'))).toBe(0);
    expect(businessTimeBetween(na, at('2026-11-09T12:00'), at('2026-11-09T10:00'))).toBe(0);
  });

  it('is elapsed time on "24/7"', () => {
    expect(businessTimeBetween('24/7', 1_000, 5_000)).toBe(4_000);
  });
});
