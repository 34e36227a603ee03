import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { HandoffTask, LeadRecord } from '../domain/effects';
import { classifyError, redactMessage } from '../salesforce/errors';
import type { SalesforceWriter } from '../salesforce/writer';

export type SalesforceActivityDeps = { salesforce: SalesforceWriter; logger: Logger };

type WriteContext = { activity: string; effectId: string; leadId: string };

/**
 * Salesforce write-back. A non-retryable failure becomes a non-retryable ApplicationFailure whose `type`
 * is the Salesforce error code (the workflow records it on the lead); anything else is retried by Temporal.
 */
export function createSalesforceActivities(deps: SalesforceActivityDeps) {
  const write = async (context: WriteContext, op: () => Promise<void>): Promise<void> => {
    try {
      await op();
    } catch (err) {
      throw toFailure(err, context, deps.logger);
    }
  };
  return {
    async syncLead(effect: { id: string; lead: LeadRecord }): Promise<void> {
      const context = { activity: 'syncLead', effectId: effect.id, leadId: effect.lead.leadId };
      await write(context, () => deps.salesforce.updateLead(effect.lead));
    },
    async upsertTask(effect: { id: string; task: HandoffTask }): Promise<void> {
      const context = { activity: 'upsertTask', effectId: effect.id, leadId: effect.task.leadId };
      await write(context, () => deps.salesforce.upsertTask(effect.task));
    },
  };
}

function toFailure(err: unknown, context: WriteContext, logger: Logger): ApplicationFailure {
  const error = classifyError(err);
  const message = redactMessage(error.message);
  // Outside a worker (scripts, benchmarks) there is no activity context to name the workflow and attempt.
  const info = asyncLocalStorage.getStore()?.info;
  const entry = {
    ...context,
    workflowId: info?.workflowExecution?.workflowId,
    attempt: info?.attempt,
    sfErrorCode: error.code,
    retryable: error.retryable,
    fields: error.fields,
    error: message,
  };
  if (error.retryable) logger.warn(entry, 'salesforce write failed; will retry');
  else logger.error(entry, 'salesforce write rejected');
  return ApplicationFailure.create({
    message: `${error.code}: ${message}`,
    type: error.code,
    nonRetryable: !error.retryable,
    details: [{ code: error.code, fields: error.fields }],
    ...(error.retryAfterMs !== null ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}
