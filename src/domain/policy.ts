import { z } from 'zod';
import { businessCalendarSchema } from './calendar';
import { clockedDurationSchema, durationSchema } from './duration';
import { kindSchema, recycleReasonSchema } from './model';
import { toId18 } from './salesforce-id';
import { salesforceActivityPolicySchema } from './salesforce-activity';

const routeSchema = z.enum(['route', 'nurture', 'review', 'ignore']);
export type Route = z.infer<typeof routeSchema>;

const fitConditionSchema = z
  .object({
    industry: z.array(z.string().min(1)).min(1).optional(),
    region: z.array(z.string().min(1)).min(1).optional(),
    country: z.array(z.string().min(1)).min(1).optional(),
    employees: z
      .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
      .strict()
      .refine((r) => r.min !== undefined || r.max !== undefined, 'expected min and/or max')
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'expected min <= max')
      .optional(),
    title: z
      .object({ pattern: z.string().min(1) })
      .strict()
      .refine((t) => compiles(t.pattern), 'expected a valid regular expression')
      .optional(),
    freeEmailDomain: z.boolean().optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'expected at least one condition');
export type FitCondition = z.infer<typeof fitConditionSchema>;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

const intentEventPolicySchema = z
  .object({ points: z.number().finite(), halfLife: durationSchema, kind: kindSchema.exclude(['MQL']).optional() })
  .strict();

/** A Salesforce User or Queue id, kept in its 18-character form. */
const orgIdSchema = z.string().transform((text, ctx) => {
  const id = toId18(text);
  if (id === null)
    ctx.addIssue({
      code: 'custom',
      message: `expected a Salesforce id (15 or 18 letters and digits), got ${JSON.stringify(text)}`,
    });
  return id ?? z.NEVER;
});

const teamSchema = z
  .object({
    id: z.string().min(1),
    calendar: z.string().min(1),
    fallbackOwnerId: orgIdSchema,
    managerId: orgIdSchema,
    /** Who works the tasks of a lead a queue owns (a queue cannot own a Task); the manager by default. */
    queueTaskOwnerId: orgIdSchema.optional(),
  })
  .strict();

/**
 * One step of the escalation chain, taken when a first-touch window runs out: who gets the lead
 * (with a fresh window) and who is told. The steps run in order; after the last one the escalation
 * repeats every `repeatEvery` until someone acts, so a lead never sits without a clock.
 */
const escalationStepSchema = z
  .object({
    reassignTo: z.enum(['fallback', 'manager', 'none']),
    notify: z.enum(['manager', 'none']).default('manager'),
    /** The new window; the lead kind's first-touch window when absent. */
    within: clockedDurationSchema.optional(),
  })
  .strict();

const escalationSchema = z
  .object({
    steps: z.array(escalationStepSchema).max(10),
    /** After the last step; the lead kind's first-touch window when absent. */
    repeatEvery: clockedDurationSchema.optional(),
  })
  .strict();
export type Escalation = z.output<typeof escalationSchema>;

/** The design's shorthand: every breach escalates to the manager and hands the lead to the fallback, up to maxReassignments times. */
const onBreachSchema = z
  .object({
    reassignTo: z.enum(['fallback', 'none']),
    notifyManager: z.boolean(),
    maxReassignments: z.number().int().nonnegative().max(10),
  })
  .strict();

function chainOf(onBreach: z.output<typeof onBreachSchema>): Escalation {
  const notify = onBreach.notifyManager ? 'manager' : 'none';
  const steps = onBreach.reassignTo === 'fallback' ? onBreach.maxReassignments : 0;
  return {
    steps: Array.from({ length: Math.max(steps, 1) }, () => ({ reassignTo: steps > 0 ? 'fallback' : 'none', notify })),
  };
}

const DEFAULT_FREE_EMAIL_DOMAINS = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'aol.com',
  'icloud.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'mail.com',
];

export const policySchema = z
  .object({
    version: z.string().min(1),
    calendars: z.record(z.string(), businessCalendarSchema),
    teams: z.array(teamSchema).min(1),
    defaultTeam: z.string().min(1),
    scoring: z
      .object({
        fit: z
          .object({
            threshold: z.number().finite(),
            rules: z.array(z.object({ when: fitConditionSchema, points: z.number().finite() }).strict()),
            freeEmailDomains: z.array(z.string().min(1)).default(DEFAULT_FREE_EMAIL_DOMAINS),
          })
          .strict(),
        intent: z
          .object({
            threshold: z.number().finite(),
            events: z.record(
              z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case event type'),
              intentEventPolicySchema,
            ),
            /** Half-life of an intent score reported by the CRM instead of computed from events. */
            reportedHalfLife: durationSchema.default(durationSchema.parse('30d')),
          })
          .strict(),
      })
      .strict(),
    routing: z
      .object({
        highFitHighIntent: routeSchema,
        highFitLowIntent: routeSchema,
        lowFitHighIntent: routeSchema,
        lowFitLowIntent: routeSchema,
      })
      .strict(),
    sla: z
      .object({
        firstTouch: z
          .object({ HAND_RAISE: clockedDurationSchema, PQL: clockedDurationSchema, MQL: clockedDurationSchema })
          .strict(),
        reminders: z
          .array(z.number().gt(0).lt(1))
          .default([])
          .refine((r) => r.every((x, i) => i === 0 || x > r[i - 1]!), 'expected ascending fractions'),
        /**
         * Who pops the reminders: `salesforce` sets them on the owner's tasks when the window opens
         * (Task reminders, no engine timer); `engine` creates a reminder task when each is due.
         */
        reminderDelivery: z.enum(['engine', 'salesforce']).default('salesforce'),
        onBreach: onBreachSchema.optional(),
        escalation: escalationSchema.optional(),
      })
      .strict()
      .transform(({ onBreach, escalation, ...sla }) => ({
        ...sla,
        escalation:
          escalation ??
          (onBreach ? chainOf(onBreach) : { steps: [{ reassignTo: 'fallback' as const, notify: 'manager' as const }] }),
      })),
    review: clockedDurationSchema,
    cadence: z
      .object({
        touches: z.number().int().positive(),
        within: clockedDurationSchema,
        minChannels: z.number().int().positive(),
        /** A touch counts toward the cadence only this long after the last counted one (closer ones are still recorded). */
        minSpacing: clockedDurationSchema.prefault({ within: '4h', clock: 'calendar' }),
        /** After the last required touch, how long a reply may still come before the lead is UNRESPONSIVE. */
        waitAfterLastTouch: clockedDurationSchema.prefault({ within: '1d', clock: 'business' }),
      })
      .strict(),
    decay: z
      .object({
        /** The shortest time between two decay re-evaluations of one lead. */
        tick: durationSchema,
        /** Decayed intent is written (ledger and Salesforce) when it moved this many points, or crossed the threshold. */
        minChange: z.number().positive().default(10),
      })
      .strict(),
    recycle: z
      .object({
        notesRequiredFor: z.array(recycleReasonSchema).default(['OTHER']),
        /** Engagement of these kinds ends a cool-off at once and re-qualifies the lead; any other is recorded and scored. */
        breakCoolOff: z.array(kindSchema.exclude(['MQL'])).default(['HAND_RAISE', 'PQL']),
        coolOff: z
          .object({ default: durationSchema })
          .catchall(durationSchema)
          .superRefine(
            (c, ctx) => {
              for (const key of Object.keys(c)) {
                if (key !== 'default' && !recycleReasonSchema.safeParse(key).success) {
                  ctx.addIssue({ code: 'custom', path: [key], message: `unknown recycle reason "${key}"` });
                }
              }
            },
            // Also when a cool-off duration is malformed: every problem is listed, not the first.
            { when: (payload) => isRecord(payload.value) },
          ),
      })
      .strict(),
    stale: z.object({ SAL: clockedDurationSchema, SQL: clockedDurationSchema }).strict(),
    salesforceActivity: salesforceActivityPolicySchema.prefault({}),
  })
  .strict()
  // Cross-references are checked even when another part of the policy is malformed (zod skips
  // refinements after an issue otherwise), so an invalid policy lists every problem at once.
  .superRefine(checkCrossReferences, { when: (payload) => isRecord(payload.value) });

/** Team calendars, team ids, the default team, channels vs touches; runs on a partly invalid policy too. */
function checkCrossReferences(p: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const teams: unknown[] = Array.isArray(p.teams) ? p.teams : [];
  const calendars = isRecord(p.calendars) ? p.calendars : {};
  teams.forEach((team, i) => {
    if (isRecord(team) && typeof team.calendar === 'string' && !(team.calendar in calendars)) {
      ctx.addIssue({
        code: 'custom',
        path: ['teams', i, 'calendar'],
        message: `unknown calendar "${team.calendar}" (known: ${Object.keys(calendars).join(', ') || 'none'})`,
      });
    }
  });
  const ids = teams.map((t) => (isRecord(t) ? t.id : undefined));
  ids.forEach((id, i) => {
    if (typeof id === 'string' && ids.indexOf(id) !== i) {
      ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `duplicate team "${id}"` });
    }
  });
  if (Array.isArray(p.teams) && typeof p.defaultTeam === 'string' && !ids.includes(p.defaultTeam)) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaultTeam'],
      message: `unknown team "${p.defaultTeam}" (known: ${ids.join(', ')})`,
    });
  }
  const cadence = isRecord(p.cadence) ? p.cadence : {};
  if (
    typeof cadence.minChannels === 'number' &&
    typeof cadence.touches === 'number' &&
    cadence.minChannels > cadence.touches
  ) {
    ctx.addIssue({ code: 'custom', path: ['cadence', 'minChannels'], message: 'expected minChannels <= touches' });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type Team = Policy['teams'][number];

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`invalid policy ${source}:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

export function validatePolicy(raw: unknown, source = 'policy'): Policy {
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new PolicyError(
      source,
      result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        // A bad record key (an event type) says what was expected in its nested issues.
        message: issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : issue.message,
      })),
    );
  }
  return result.data;
}

export function teamOf(policy: Policy, teamId: string): Team {
  return policy.teams.find((t) => t.id === teamId) ?? policy.teams.find((t) => t.id === policy.defaultTeam)!;
}
