import { ACTIONS, type Action, type Engagement, type LeadEvent, type Trigger } from './inputs';
import { CLOSED_STAGES, type Stage } from './model';
import type { Policy } from './policy';
import type { LeadState } from './state';
import { ALLOWED_ACTIONS, describeAllowed, SALESFORCE_CONVERSION_STAGES, TRANSITIONS } from './transitions';

/**
 * Why an event cannot be applied: `LEAD_CLOSED` and `INVALID_TRANSITION` (409) depend on the
 * lead's stage; `POLICY_VIOLATION` (400) on the content against the policy alone. The API's 400s
 * and the workflow's update validators both come from here.
 */
export type Refusal = {
  code: 'INVALID_TRANSITION' | 'POLICY_VIOLATION' | 'LEAD_CLOSED';
  message: string;
  /** The body field at fault, for a POLICY_VIOLATION. */
  path?: (string | number)[];
  stage?: Stage;
  allowed?: readonly Action[];
  closedAt?: string;
};

const knownTypes = (policy: Policy): string => Object.keys(policy.scoring.intent.events).join(', ');
const violation = (path: (string | number)[], message: string): Refusal => ({
  code: 'POLICY_VIOLATION',
  path,
  message,
});

function engagementViolations(
  e: Pick<Engagement, 'type' | 'points'>,
  policy: Policy,
  path: (string | number)[],
): Refusal[] {
  if (e.type in policy.scoring.intent.events || e.points !== undefined) return [];
  return [
    violation(
      path,
      `unknown engagement type "${e.type}" with no points (policy ${policy.version} knows ${knownTypes(policy)})`,
    ),
  ];
}

function triggerViolations(t: Trigger, policy: Policy): Refusal[] {
  const out = (t.activities ?? []).flatMap((a, i) => engagementViolations(a, policy, ['activities', i, 'type']));
  if (t.team !== undefined && !policy.teams.some((team) => team.id === t.team)) {
    out.push(
      violation(
        ['team'],
        `unknown team "${t.team}" (policy ${policy.version} knows ${policy.teams.map((team) => team.id).join(', ')})`,
      ),
    );
  }
  if (t.timezone !== undefined && !isTimeZone(t.timezone))
    out.push(violation(['timezone'], `unknown IANA time zone "${t.timezone}"`));
  return out;
}

/** Every way the event's content breaks the policy, whatever the lead's stage. */
export function policyViolations(event: LeadEvent, policy: Policy): Refusal[] {
  switch (event.type) {
    case 'trigger':
      return triggerViolations(event.trigger, policy);
    case 'engagement':
      return engagementViolations(event.engagement, policy, ['type']);
    case 'reject':
      return policy.recycle.notesRequiredFor.includes(event.reason) && !event.notes
        ? [violation(['notes'], `notes are required when rejecting with reason ${event.reason}`)]
        : [];
    case 'disqualify':
      return event.reason === 'OTHER' && !event.notes
        ? [violation(['notes'], 'notes are required when disqualifying with reason OTHER')]
        : [];
    default:
      return [];
  }
}

const isAction = (type: string): type is Action => (ACTIONS as readonly string[]).includes(type);

/** Why the event cannot be applied to this lead now, or null. Pure and synchronous: update validators call it. */
export function refusal(state: LeadState, event: LeadEvent, policy: Policy): Refusal | null {
  const stage = state.stage;
  if ((event.type === 'trigger' || event.type === 'engagement') && CLOSED_STAGES.includes(stage)) {
    return {
      code: 'LEAD_CLOSED',
      message: `lead ${state.leadId} is ${stage} since ${state.stageEnteredAt}: it takes no more triggers or engagement (RevOps can reopen it)`,
      stage,
      allowed: ALLOWED_ACTIONS[stage],
      closedAt: state.stageEnteredAt,
    };
  }
  const [violated] = policyViolations(event, policy);
  if (violated) return violated;
  if (!isAction(event.type)) return null;
  const allowed = ALLOWED_ACTIONS[stage];
  const convertedInSalesforce =
    event.type === 'convert' && event.inSalesforce === true && SALESFORCE_CONVERSION_STAGES.includes(stage);
  if (!TRANSITIONS[stage][event.type] && !convertedInSalesforce) {
    return {
      code: 'INVALID_TRANSITION',
      message: `cannot ${event.type} lead ${state.leadId} in stage ${stage} (${describeAllowed(stage)})`,
      stage,
      allowed,
    };
  }
  return null;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
