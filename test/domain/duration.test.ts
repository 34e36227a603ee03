import { clockedDurationSchema, durationMs, durationSchema } from '../../src/domain/duration';

const HINT = 'expected a duration like "15m", "1h", "10d" (a positive number then ms, s, m, h, d or w), got';

describe('durationSchema', () => {
  it.each([
    ['250ms', 250, 'ms', 250],
    ['3s', 3, 's', 3_000],
    ['15m', 15, 'm', 900_000],
    ['1h', 1, 'h', 3_600_000],
    ['24h', 24, 'h', 86_400_000],
    ['1.5h', 1.5, 'h', 5_400_000],
    ['10d', 10, 'd', 864_000_000],
    ['2w', 2, 'w', 1_209_600_000],
    ['0.5s', 0.5, 's', 500],
  ] as const)('parses %s', (text, amount, unit, ms) => {
    const duration = durationSchema.parse(text);
    expect(duration).toEqual({ amount, unit, text });
    expect(durationMs(duration)).toBe(ms);
  });

  it.each([
    ['', '""'],
    ['1', '"1"'],
    ['h', '"h"'],
    ['0h', '"0h"'],
    ['-1h', '"-1h"'],
    ['1H', '"1H"'],
    ['1 h', '"1 h"'],
    [' 1h', '" 1h"'],
    ['1hr', '"1hr"'],
    ['1.h', '"1.h"'],
    ['.5h', '".5h"'],
    ['1e3s', '"1e3s"'],
    ['1h30m', '"1h30m"'],
    ['1y', '"1y"'],
    [15, '15'],
    [null, 'null'],
  ])('rejects %j with a clear message', (input, shown) => {
    const result = durationSchema.safeParse(input);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([`${HINT} ${shown}`]);
  });

  it('rounds fractional milliseconds', () => {
    expect(durationMs(durationSchema.parse('1.0001s'))).toBe(1_000);
  });
});

describe('clockedDurationSchema', () => {
  it('parses both clocks', () => {
    expect(clockedDurationSchema.parse({ within: '1h', clock: 'business' })).toEqual({
      within: { amount: 1, unit: 'h', text: '1h' },
      clock: 'business',
    });
    expect(clockedDurationSchema.parse({ within: '10d', clock: 'calendar' }).clock).toBe('calendar');
  });

  it.each([
    [{ within: '1h', clock: 'wall' }, ['clock'], 'expected clock "business" or "calendar", got "wall"'],
    [{ within: '1h' }, ['clock'], 'expected clock "business" or "calendar", got undefined'],
    [{ within: '1 hour', clock: 'business' }, ['within'], `${HINT} "1 hour"`],
    [{ within: '1h', clock: 'business', timezone: 'UTC' }, [], 'Unrecognized key: "timezone"'],
  ])('rejects %j', (input, path, message) => {
    const result = clockedDurationSchema.safeParse(input);
    expect(result.error?.issues.map((issue) => ({ path: issue.path, message: issue.message }))).toEqual([{ path, message }]);
  });
});
