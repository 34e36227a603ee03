import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BusinessCalendar } from './calendar';
import { ownerIdSchema, type LeadEvent } from './inputs';
import { newLead, nextDeadline, step } from './lifecycle';
import { reminderTimes } from './first-touch';
import { isoInstantSchema, kindSchema, type Kind } from './model';
import type { Policy, Team } from './policy';

/*
 * The SLA preview (docs/domain.md, "Due-date preview"): what the policy would do with a lead handed to
 * sales at a given instant, before any lead exists. RevOps uses it to check a policy before deploying
 * it. It follows the rules the lifecycle applies: the first-touch window opens when the lead is
 * handed to sales, reminders fall at fractions of the window in its own clock, and a breach runs the
 * steps of the escalation chain. It is computed by running the lifecycle itself (`step` and its
 * deadlines) on a lead nobody works, so the preview cannot disagree with what a lead would live.
 */

export const previewQuerySchema = z.strictObject({
  kind: kindSchema,
  team: z.string().min(1),
  at: isoInstantSchema,
  /** The owner the lead would be handed to; default the team's fallback owner, as for a lead without one. */
  ownerId: ownerIdSchema.optional(),
});
export type PreviewQuery = z.output<typeof previewQuerySchema>;

const instantSchema = z.object({ utc: z.string(), local: z.string() });

/** A breach step with its times as `time`: epoch milliseconds inside the domain, UTC and local in the answer. */
const breachStepSchemaOf = <T extends z.ZodType>(time: T) =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('BREACH'), at: time, ownerId: z.string(), window: z.number().int() }),
    z.object({ type: z.literal('ESCALATE'), at: time, to: z.string(), ownerId: z.string() }),
    z.object({ type: z.literal('REASSIGN'), at: time, from: z.string(), to: z.string(), dueAt: time }),
    z.object({ type: z.literal('RESTART'), at: time, ownerId: z.string(), dueAt: time }),
    z.object({ type: z.literal('REPEAT'), at: time, ownerId: z.string(), nextAt: time }),
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

/** The chain's steps as a lead nobody works would live them: until the escalation first repeats. */
function simulate(
  policy: Policy,
  team: Team,
  kind: Kind,
  ownerId: string,
  start: number,
): { due: number; reminders: number[]; steps: TimedStep[] } {
  const init = {
    leadId: PREVIEW_LEAD,
    workflowId: `lead-${PREVIEW_LEAD}`,
    effectPrefix: 'preview',
    policy,
    now: start,
  };
  const trigger: LeadEvent = {
    type: 'trigger',
    trigger: {
      leadId: PREVIEW_LEAD,
      eventId: 'preview',
      occurredAt: new Date(start).toISOString(),
      kind,
      ownerId,
      team: team.id,
    },
  };
  let result = step(
    newLead(init),
    { event: trigger, receivedAt: new Date(start).toISOString(), requestId: null },
    start,
    policy,
  );
  if (!result.ok) throw new Error(`preview: ${result.refusal.message}`);
  const due = Date.parse(result.state.sla.dueAt!);
  const reminders = reminderTimes(result.state, policy);
  const steps: TimedStep[] = [];
  let window = 1;
  for (let guard = 0; guard < 50; guard++) {
    const at = nextDeadline(result.state, policy);
    if (at === null) break;
    result = step(
      result.state,
      { event: { type: 'tick' }, receivedAt: new Date(at).toISOString(), requestId: null },
      at,
      policy,
    );
    if (!result.ok) break;
    let repeated = false;
    for (const effect of result.effects) {
      if (effect.type !== 'ledger') continue;
      const { type, detail } = effect.event;
      const str = (key: string) => String(detail[key]);
      if (type === 'SLA_BREACHED') steps.push({ type: 'BREACH', at, ownerId: str('ownerId'), window: window++ });
      if (type === 'ESCALATED') steps.push({ type: 'ESCALATE', at, to: str('to'), ownerId: str('ownerId') });
      if (type === 'REASSIGNED')
        steps.push({ type: 'REASSIGN', at, from: str('from'), to: str('to'), dueAt: Date.parse(str('dueAt')) });
      if (type === 'SLA_RESTARTED')
        steps.push({ type: 'RESTART', at, ownerId: str('ownerId'), dueAt: Date.parse(str('dueAt')) });
      if (type === 'ESCALATION_REPEATED') {
        steps.push({ type: 'REPEAT', at, ownerId: str('ownerId'), nextAt: Date.parse(str('nextAt')) });
        repeated = true;
      }
    }
    if (repeated) break;
  }
  return { due, reminders, steps };
}

const PREVIEW_LEAD = '00Q000000PREVIEW';

/** When the first touch of a lead of `kind`, handed to `team` at `at`, would be due, its reminders and its breach steps. */
export function previewSla(policy: Policy, query: PreviewQuery): SlaPreview {
  const team = policy.teams.find((t) => t.id === query.team);
  if (!team)
    throw new UnknownTeamError(
      query.team,
      policy.teams.map((t) => t.id),
    );
  const zone = zoneOf(policy.calendars[team.calendar]!);
  const kind: Kind = query.kind;
  const window = policy.sla.firstTouch[kind];
  const start = Date.parse(query.at);
  const ownerId = query.ownerId ?? team.fallbackOwnerId;
  const lived = simulate(policy, team, kind, ownerId, start);
  const at = (t: number) => instant(t, zone);
  return {
    policyVersion: policy.version,
    kind,
    team: team.id,
    timezone: zone,
    window: { within: window.within.text, clock: window.clock },
    handedToSalesAt: at(start),
    ownerId,
    firstTouchDueAt: at(lived.due),
    reminders: lived.reminders.map((t, i) => ({ fraction: policy.sla.reminders[i]!, at: at(t) })),
    breachSteps: lived.steps.map((s) => {
      switch (s.type) {
        case 'REASSIGN':
        case 'RESTART':
          return { ...s, at: at(s.at), dueAt: at(s.dueAt) };
        case 'REPEAT':
          return { ...s, at: at(s.at), nextAt: at(s.nextAt) };
        default:
          return { ...s, at: at(s.at) };
      }
    }),
  };
}
