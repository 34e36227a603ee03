import type { Logger } from 'pino';
import type { Policy } from '../domain/policy';
import { createLedgerActivities, type LedgerActivityDeps } from './ledger';
import { createSalesforceActivities, type SalesforceActivityDeps } from './salesforce';
import { createSalesforceActivityPollActivities, type SalesforceActivityPollDeps } from './salesforce-activity';

export type ActivityDeps = SalesforceActivityDeps &
  LedgerActivityDeps &
  SalesforceActivityPollDeps & {
    logger: Logger;
    /** The policy the worker runs now: recycled leads re-qualify under it. */
    policy: () => Policy;
  };

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSalesforceActivities(deps),
    ...createLedgerActivities(deps),
    ...createSalesforceActivityPollActivities(deps),
    async currentPolicy(): Promise<Policy> {
      return deps.policy();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
