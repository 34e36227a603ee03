import { z } from 'zod';

/** An environment variable: trimmed, and unset when empty. */
export const optionalEnv = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An integer environment variable within [min, max], `fallback` when unset. */
export const integerEnv = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  optionalEnv
    .pipe(
      z.union([z.undefined(), z.coerce.number<string>().int().min(min).max(max)], {
        error: (issue) => `expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${String(issue.input)}"`,
      }),
    )
    .transform((v) => v ?? fallback);
