import type { z } from 'zod';
import type { Engagement, Trigger, disqualifySchema, rejectSchema } from '../domain/inputs';
import type { Policy } from '../domain/policy';
import type { Issue } from './errors';

/**
 * Checks a body against the loaded policy before it reaches Temporal: an unknown engagement type
 * would otherwise be dropped silently by the workflow, and the rest saves a round trip.
 */
const issue = (path: Issue['path'], message: string): Issue => ({ in: 'body', path, code: 'policy', message });

const knownTypes = (policy: Policy): string => Object.keys(policy.scoring.intent.events).join(', ');

export function engagementIssues(engagement: Pick<Engagement, 'type'>, policy: Policy, path: Issue['path'] = ['type']): Issue[] {
  return engagement.type in policy.scoring.intent.events
    ? []
    : [issue(path, `unknown engagement type "${engagement.type}" (policy ${policy.version} knows ${knownTypes(policy)})`)];
}

export function triggerIssues(trigger: Trigger, policy: Policy): Issue[] {
  const issues = (trigger.activities ?? []).flatMap((activity, i) => engagementIssues(activity, policy, ['activities', i, 'type']));
  if (trigger.team !== undefined && !policy.teams.some((t) => t.id === trigger.team)) {
    issues.push(issue(['team'], `unknown team "${trigger.team}" (policy ${policy.version} knows ${policy.teams.map((t) => t.id).join(', ')})`));
  }
  if (trigger.timezone !== undefined && !isTimeZone(trigger.timezone)) {
    issues.push(issue(['timezone'], `unknown IANA time zone "${trigger.timezone}"`));
  }
  return issues;
}

export function rejectIssues(body: z.output<typeof rejectSchema>, policy: Policy): Issue[] {
  return policy.recycle.notesRequiredFor.includes(body.reason) && !body.notes
    ? [issue(['notes'], `notes are required when rejecting with reason ${body.reason}`)]
    : [];
}

export function disqualifyIssues(body: z.output<typeof disqualifySchema>): Issue[] {
  return body.reason === 'OTHER' && !body.notes ? [issue(['notes'], 'notes are required when disqualifying with reason OTHER')] : [];
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
