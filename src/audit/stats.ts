/** Nearest-rank percentile (an observed value, like percentile_disc): the smallest value with at least p of the data at or below it. */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number | null {
  if (sortedAscending.length === 0) return null;
  return sortedAscending[Math.max(0, Math.ceil(p * sortedAscending.length) - 1)] ?? null;
}

export function percentiles(values: readonly number[]): { p50: number | null; p90: number | null; p95: number | null } {
  // A typed array sorts numerically, and several times faster than Array#sort with a comparator.
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p95: percentile(sorted, 0.95) };
}

/** part / whole to four decimals, null when there is nothing to divide. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

const DAY_MS = 86_400_000;

/** Monday 00:00 UTC of the ISO week holding `instantMs`. */
export function weekStartMs(instantMs: number): number {
  const day = Math.floor(instantMs / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  return (day - ((((day + 3) % 7) + 7) % 7)) * DAY_MS;
}

export const WEEK_MS = 7 * DAY_MS;
