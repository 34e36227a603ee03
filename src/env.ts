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

/**
 * A comma-separated list of `<name>:<value>` entries (keys, secrets). `read` answers an entry's item,
 * or what is wrong with it; every problem is listed at once, and an empty list is a problem too.
 */
export function parseEntryList<T>(
  variable: string,
  spec: string,
  read: (name: string, value: string, entry: string) => T | { problem: string },
): T[] {
  const problems: string[] = [];
  const items: T[] = [];
  spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const result = read(colon > 0 ? entry.slice(0, colon) : '', colon > 0 ? entry.slice(colon + 1) : '', `entry ${i + 1}`);
      if (typeof result === 'object' && result !== null && 'problem' in result) problems.push(result.problem);
      else items.push(result);
    });
  if (problems.length > 0) throw new Error(`invalid ${variable}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  if (items.length === 0) throw new Error(`invalid ${variable}: no keys`);
  return items;
}
