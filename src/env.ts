import { z } from 'zod';

/** An environment variable: trimmed, and unset when empty. */
export const optionalEnv = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An integer environment variable within [min, max], `fallback` when unset. */
export const integerEnv = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
  const expected = `expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`;
  return optionalEnv
    .pipe(
      z.union([z.undefined(), z.string()]).transform((text, ctx) => {
        if (text === undefined) return fallback;
        const n = Number(text);
        if (Number.isInteger(n) && n >= min && n <= max) return n;
        ctx.addIssue({ code: 'custom', message: `${expected}, got "${text}"` });
        return z.NEVER;
      }),
    );
};
