import { z } from 'zod';

const durationUnitSchema = z.enum(['ms', 's', 'm', 'h', 'd', 'w']);
export type DurationUnit = z.output<typeof durationUnitSchema>;

const MS_PER_UNIT: Record<DurationUnit, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

const expectedDuration = (input: unknown): string =>
  `expected a duration like "15m", "1h", "10d" (a positive number then ms, s, m, h, d or w), got ${JSON.stringify(input)}`;

/** A policy duration string such as "15m", "1.5h" or "10d", parsed into its amount and unit. */
export const durationSchema = z.string({ error: (issue) => expectedDuration(issue.input) }).transform((text, ctx) => {
  const match = DURATION_PATTERN.exec(text);
  const amount = Number(match?.[1]);
  const unit = durationUnitSchema.safeParse(match?.[2]);
  if (!unit.success || !Number.isFinite(amount) || amount <= 0) {
    ctx.addIssue({ code: 'custom', message: expectedDuration(text), input: text });
    return z.NEVER;
  }
  return { amount, unit: unit.data, text };
});
export type Duration = z.output<typeof durationSchema>;

/** A duration measured on a clock: `business` counts only a calendar's working time, `calendar` counts elapsed time. */
export const clockedDurationSchema = z.strictObject({
  within: durationSchema,
  clock: z.enum(['business', 'calendar'], {
    error: (issue) => `expected clock "business" or "calendar", got ${JSON.stringify(issue.input)}`,
  }),
});
export type ClockedDuration = z.output<typeof clockedDurationSchema>;

/** Elapsed milliseconds of a duration on the calendar clock (1d = 24h, 1w = 7d), rounded to the millisecond. */
export function durationMs(duration: Duration): number {
  return Math.round(duration.amount * MS_PER_UNIT[duration.unit]);
}
