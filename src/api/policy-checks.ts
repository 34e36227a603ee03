import type { LeadEvent } from '../domain/inputs';
import type { Policy } from '../domain/policy';
import { policyViolations } from '../domain/refusals';
import type { Issue } from './errors';

/**
 * The domain's policy refusals as the API's 400 issues, checked before a message reaches Temporal
 * (the workflow's validators apply the same rules, from the same place: src/domain/refusals.ts).
 */
export function policyIssues(event: LeadEvent, policy: Policy, prefix: Issue['path'] = []): Issue[] {
  return policyViolations(event, policy).map((r) => ({ in: 'body', path: [...prefix, ...(r.path ?? [])], code: 'policy', message: r.message }));
}
