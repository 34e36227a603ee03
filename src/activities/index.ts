import type { Policy } from '../domain/policy';
import { createEffectsActivities, type EffectsActivityDeps } from './effects';
import { createSalesforceActivityPollActivities, type SalesforceActivityPollDeps } from './salesforce-activity';

export type ActivityDeps = EffectsActivityDeps &
  SalesforceActivityPollDeps & {
    /** The policy the worker runs now: recycled leads re-qualify under it. */
    policy: () => Policy;
  };

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEffectsActivities(deps),
    ...createSalesforceActivityPollActivities(deps),
    async currentPolicy(): Promise<Policy> {
      return deps.policy();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
