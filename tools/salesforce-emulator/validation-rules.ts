import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * A stand-in for an org's validation rule: the save fails with FIELD_CUSTOM_VALIDATION_EXCEPTION
 * and `message` when the saved value of `field` equals `equals`, differs from `notEquals`, or
 * matches the regular expression `matches` (tested against the value as text, '' for null). The error
 * names `field` unless `errorLocation` is 'top' (a rule shown at the top of the page names no field).
 */
export const validationRuleSchema = z
  .object({
    sobject: z.string().min(1),
    field: z.string().min(1),
    message: z.string().min(1),
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    matches: z.string().optional(),
    errorLocation: z.enum(['field', 'top']).optional(),
  })
  .strict()
  .refine((r) => [r.equals, r.notEquals, r.matches].filter((c) => c !== undefined).length === 1, {
    message: 'a validation rule needs exactly one of equals, notEquals, matches',
  });
export type ValidationRule = z.infer<typeof validationRuleSchema>;

export function ruleFires(rule: ValidationRule, value: unknown): boolean {
  const actual = value ?? null;
  if (rule.equals !== undefined) return actual === rule.equals;
  if (rule.notEquals !== undefined) return actual !== rule.notEquals;
  return new RegExp(rule.matches ?? '').test(actual === null ? '' : String(actual));
}
