import { DateTime } from 'luxon';
import { z } from 'zod';
import { addBusinessTime, addClocked, businessTimeBetween, type BusinessCalendar } from './calendar';
import type { ClockedDuration } from './duration';
import { isoInstantSchema, kindSchema, type Kind } from './model';
import type { Policy, Team } from './policy';
import { toId18 } from './salesforce-id';

/*
 * The SLA preview (docs/domain.md, "Due-date preview"): what the policy would do with a lead handed to
 * sales at a given instant, before any lead exists. RevOps uses it to check a policy before deploying
 * it. It follows the rules the lifecycle applies: the first-touch window opens when the lead is
 * handed to sales, reminders fall at fractions of the window in its own clock, and a breach runs the
 * steps of `sla.onBreach`.
 */

export const previewQuerySchema = z.strictObject({
  kind: kindSchema,
  team: z.string().min(1),
  at: isoInstantSchema,
  /** The owner the lead would be handed to; default the team's fallback owner, as for a lead without one. */
  ownerId: z
    .string()
    .transform((id, ctx) => {
      const id18 = toId18(id);
      if (id18 === null)
        ctx.addIssue({ code: 'custom', message: 'expected a 15- or 18-character Salesforce id', input: id });
      return id18 ?? z.NEVER;
    })
    .optional(),
});
export type PreviewQuery = z.output<typeof previewQuerySchema>;

const instantSchema = z.object({ utc: z.string(), local: z.string() });

/** A breach step with its times as `time`: epoch milliseconds inside the domain, UTC and local in the answer. */
const breachStepSchemaOf = <T extends z.ZodType>(time: T) =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('BREACH'), at: time, ownerId: z.string(), window: z.number().int() }),
    z.object({ type: z.literal('ESCALATE'), at: time, to: z.string(), ownerId: z.string() }),
    z.object({ type: z.literal('REASSIGN'), at: time, from: z.string(), to: z.string(), dueAt: time }),
  ]);
const breachStepSchema = breachStepSchemaOf(instantSchema);
type TimedStep = z.infer<ReturnType<typeof breachStepSchemaOf<z.ZodNumber>>>;

export const slaPreviewSchema = z.object({
  policyVersion: z.string(),
  kind: kindSchema,
  team: z.string(),
  /** The team calendar's IANA zone; UTC for a "24/7" calendar. */
  timezone: z.string(),
  window: z.object({ within: z.string(), clock: z.enum(['business', 'calendar']) }),
  handedToSalesAt: instantSchema,
  ownerId: z.string(),
  firstTouchDueAt: instantSchema,
  reminders: z.array(z.object({ fraction: z.number(), at: instantSchema })),
  breachSteps: z.array(breachStepSchema),
});
export type SlaPreview = z.infer<typeof slaPreviewSchema>;

export class UnknownTeamError extends Error {
  constructor(
    readonly team: string,
    readonly known: string[],
  ) {
    super(`unknown team "${team}" (known: ${known.join(', ')})`);
    this.name = 'UnknownTeamError';
  }
}

const zoneOf = (calendar: BusinessCalendar): string => (calendar === '24/7' ? 'UTC' : calendar.timezone);

const instant = (t: number, zone: string) => ({
  utc: new Date(t).toISOString(),
  local: DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(t).toISOString(),
});

/** The reminders of a window [start, due): each fraction of its length, measured in the window's own clock. */
export function reminderInstants(
  calendar: BusinessCalendar,
  window: ClockedDuration,
  start: number,
  due: number,
  fractions: readonly number[],
): number[] {
  if (window.clock === 'calendar') return fractions.map((f) => start + Math.round((due - start) * f));
  const length = businessTimeBetween(calendar, start, due);
  return fractions.map((f) => addBusinessTime(calendar, start, Math.round(length * f)));
}

/**
 * What happens when nobody works the lead, from `sla.onBreach` as it stands: each window breaches at
 * its due time, the manager is told (notifyManager), and the lead goes to the team's fallback owner
 * with a fresh window from the breach (reassignTo: fallback) while reassignments remain and the owner
 * who breached is not the fallback already. The one function to rewrite when breach handling changes.
 */
export function breachSteps(
  policy: Policy,
  team: Team,
  calendar: BusinessCalendar,
  window: ClockedDuration,
  ownerId: string,
  firstDue: number,
): TimedStep[] {
  const { onBreach } = policy.sla;
  const steps: TimedStep[] = [];
  let owner = ownerId;
  let due = firstDue;
  for (let reassignments = 0; ; reassignments += 1) {
    steps.push({ type: 'BREACH', at: due, ownerId: owner, window: reassignments + 1 });
    if (onBreach.notifyManager) steps.push({ type: 'ESCALATE', at: due, to: team.managerId, ownerId: owner });
    const canReassign =
      onBreach.reassignTo === 'fallback' && reassignments < onBreach.maxReassignments && owner !== team.fallbackOwnerId;
    if (!canReassign) return steps;
    const next = addClocked(calendar, due, window);
    steps.push({ type: 'REASSIGN', at: due, from: owner, to: team.fallbackOwnerId, dueAt: next });
    owner = team.fallbackOwnerId;
    due = next;
  }
}

/** When the first touch of a lead of `kind`, handed to `team` at `at`, would be due, its reminders and its breach steps. */
export function previewSla(policy: Policy, query: PreviewQuery): SlaPreview {
  const team = policy.teams.find((t) => t.id === query.team);
  if (!team)
    throw new UnknownTeamError(
      query.team,
      policy.teams.map((t) => t.id),
    );
  const calendar = policy.calendars[team.calendar]!;
  const zone = zoneOf(calendar);
  const kind: Kind = query.kind;
  const window = policy.sla.firstTouch[kind];
  const start = Date.parse(query.at);
  const due = addClocked(calendar, start, window);
  const ownerId = query.ownerId ?? team.fallbackOwnerId;
  const reminders = reminderInstants(calendar, window, start, due, policy.sla.reminders);
  return {
    policyVersion: policy.version,
    kind,
    team: team.id,
    timezone: zone,
    window: { within: window.within.text, clock: window.clock },
    handedToSalesAt: instant(start, zone),
    ownerId,
    firstTouchDueAt: instant(due, zone),
    reminders: policy.sla.reminders.map((fraction, i) => ({ fraction, at: instant(reminders[i]!, zone) })),
    breachSteps: breachSteps(policy, team, calendar, window, ownerId, due).map((step) =>
      step.type === 'REASSIGN'
        ? { ...step, at: instant(step.at, zone), dueAt: instant(step.dueAt, zone) }
        : { ...step, at: instant(step.at, zone) },
    ),
  };
}
