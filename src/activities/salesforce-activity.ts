import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors';
import { toApiError } from '../api/temporal';
import type { Policy } from '../domain/policy';
import {
  activityTouch,
  convertedLeadRecordSchema,
  instant,
  leadConversion,
  salesforceActivityRecordSchema,
} from '../domain/salesforce-activity';
import { toId18 } from '../domain/salesforce-id';
import { classifyError, redactMessage } from '../salesforce/errors';
import type { SalesforceReader } from '../salesforce/reader';
import { convertLead, leadWorkflowId, logContactAttempt } from '../workflows/messages';
import type { PollCursor, PollPage, PollSource } from '../workflows/salesforce-activity-poller';

export type SalesforceActivityPollDeps = {
  salesforceReader: SalesforceReader;
  logger: Logger;
  /** The worker's current policy: its `salesforceActivity` mapping applies to every lead. */
  policy: () => Policy;
};

export const POLL_PAGE_SIZE = 200;
/**
 * Records younger than this are left for the next round: a record becomes visible when its transaction
 * commits, possibly after a later-stamped one was read, and the cursor must not pass it unseen.
 */
export const SETTLE_MS = 2_000;
const UPDATE_TIMEOUT_MS = 10_000;
/** Updates in flight at once (to different leads, mostly; Temporal orders those on one lead). */
const SENDS_AT_ONCE = 10;

const FIELDS: Record<PollSource, string[]> = {
  Task: [
    'Id',
    'WhoId',
    'OwnerId',
    'Type',
    'TaskSubtype',
    'CallDisposition',
    'Status',
    'CreatedDate',
    'CompletedDateTime',
    'SystemModstamp',
    'Handoff_Event_Id__c',
  ],
  Event: ['Id', 'WhoId', 'OwnerId', 'Type', 'CreatedDate', 'StartDateTime', 'SystemModstamp', 'Handoff_Event_Id__c'],
  Lead: ['Id', 'OwnerId', 'LastModifiedById', 'IsConverted', 'ConvertedOpportunityId', 'SystemModstamp'],
};
const FILTER: Record<PollSource, string> = {
  Task: 'WhoId != null',
  Event: 'WhoId != null',
  Lead: 'IsConverted = true',
};

/** The page after `cursor` and before `until`, in cursor order. Cursor values are validated ids and instants only. */
export function pollQuery(source: PollSource, cursor: PollCursor, until: Date, limit = POLL_PAGE_SIZE): string {
  const at = instant(cursor.at);
  const id = cursor.id === null ? null : toId18(cursor.id);
  if (!at || (cursor.id !== null && !id))
    throw ApplicationFailure.nonRetryable(`malformed poll cursor ${JSON.stringify(cursor)}`, 'BAD_CURSOR');
  const after = id ? `(SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > '${id}'))` : `SystemModstamp > ${at}`;
  return `SELECT ${FIELDS[source].join(', ')} FROM ${source} WHERE ${FILTER[source]} AND ${after} AND SystemModstamp < ${until.toISOString()} ORDER BY SystemModstamp, Id LIMIT ${limit}`;
}

type Outcome = 'sent' | 'skipped';

/**
 * Reads one page of Tasks, Events or converted Leads past the cursor and sends each touch or conversion
 * to its lead's workflow as the `logContactAttempt` / `convertLead` update, with an update id derived
 * from the Salesforce record id, so a record read twice changes nothing. A lead without a running
 * workflow, or whose stage refuses the action, is logged and skipped; anything else (Temporal or
 * Salesforce unavailable) fails the attempt, which Temporal retries from the last record handled.
 */
export function createSalesforceActivityPollActivities(deps: SalesforceActivityPollDeps) {
  const { logger } = deps;

  async function send(
    client: Client,
    leadId: string,
    fields: Record<string, unknown>,
    run: () => Promise<unknown>,
  ): Promise<Outcome> {
    try {
      await client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, run);
      return 'sent';
    } catch (err) {
      const mapped = toApiError(err, leadId);
      if (mapped instanceof ApiError && mapped.statusCode < 500) {
        const entry = {
          ...fields,
          leadId,
          workflowId: leadWorkflowId(leadId),
          code: mapped.code,
          reason: mapped.message,
        };
        if (mapped.code === 'LEAD_NOT_FOUND')
          logger.info(entry, 'salesforce activity skipped: no running Handoff workflow for the lead');
        else logger.warn(entry, 'salesforce activity skipped: the lead refused it');
        return 'skipped';
      }
      throw err;
    }
  }

  return {
    async pollSalesforceActivity(input: { source: PollSource; cursor: PollCursor }): Promise<PollPage> {
      const ctx = Context.current();
      const { source } = input;
      // A retried attempt resumes past the records the failed one handled.
      const resumed = ctx.info.heartbeatDetails as PollCursor | undefined;
      const cursor = resumed ?? input.cursor;
      const policy = deps.policy().salesforceActivity;
      let records: Record<string, unknown>[];
      try {
        records = await deps.salesforceReader.query(pollQuery(source, cursor, new Date(Date.now() - SETTLE_MS)));
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const error = classifyError(err);
        logger.warn(
          { source, sfErrorCode: error.code, retryable: error.retryable, error: redactMessage(error.message) },
          'salesforce activity query failed',
        );
        throw ApplicationFailure.create({
          message: `${error.code}: ${redactMessage(error.message)}`,
          type: error.code,
          nonRetryable: !error.retryable,
          ...(error.retryAfterMs !== null ? { nextRetryDelay: error.retryAfterMs } : {}),
        });
      }
      const page: PollPage = {
        next: cursor,
        read: records.length,
        sent: 0,
        skipped: 0,
        more: records.length >= POLL_PAGE_SIZE,
      };
      // Records go out a few at a time; the cursor moves only past a batch that was wholly handled.
      for (let i = 0; i < records.length; i += SENDS_AT_ONCE) {
        const batch = records.slice(i, i + SENDS_AT_ONCE);
        for (const outcome of await Promise.all(batch.map((raw) => handle(ctx.client, source, raw, policy))))
          page[outcome]++;
        const last = batch.at(-1)!;
        const at = typeof last.SystemModstamp === 'string' ? instant(last.SystemModstamp) : null;
        const id = typeof last.Id === 'string' ? toId18(last.Id) : null;
        if (at && id) page.next = { at, id };
        ctx.heartbeat(page.next);
      }
      if (page.read > 0)
        logger.info(
          { source, read: page.read, sent: page.sent, skipped: page.skipped, cursor: page.next },
          'salesforce activity polled',
        );
      return page;
    },
  };

  async function handle(
    client: Client,
    source: PollSource,
    raw: Record<string, unknown>,
    policy: Policy['salesforceActivity'],
  ): Promise<Outcome> {
    const recordId = typeof raw.Id === 'string' ? raw.Id : null;
    if (source === 'Lead') {
      const parsed = convertedLeadRecordSchema.safeParse(raw);
      const decision = parsed.success ? leadConversion(parsed.data) : { skip: 'unreadable record' };
      if ('skip' in decision) {
        logger.warn({ source, recordId, reason: decision.skip }, 'salesforce conversion skipped');
        return 'skipped';
      }
      const { leadId, repId, opportunityId } = decision.conversion;
      const handle = client.workflow.getHandle(leadWorkflowId(leadId));
      return send(client, leadId, { source, recordId, opportunityId }, () =>
        handle.executeUpdate(convertLead, { args: [{ body: { repId, opportunityId, inSalesforce: true } }], updateId: `sf-convert-${leadId}` }),
      );
    }
    const parsed = salesforceActivityRecordSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ source, recordId, reason: 'unreadable record' }, 'salesforce activity skipped');
      return 'skipped';
    }
    const decision = activityTouch(source, parsed.data, policy);
    if ('skip' in decision) {
      logger.debug({ source, recordId, reason: decision.skip }, 'salesforce activity is not a touch');
      return 'skipped';
    }
    const { activityId, leadId, repId, channel, outcome, at, claimedAt } = decision.touch;
    const handle = client.workflow.getHandle(leadWorkflowId(leadId));
    return send(client, leadId, { source, recordId: activityId, channel, outcome }, () =>
      handle.executeUpdate(logContactAttempt, {
        args: [{ body: { repId, channel, outcome, ...(claimedAt ? { occurredAt: claimedAt } : {}) }, receivedAt: at }],
        updateId: `sf-activity-${activityId}`,
      }),
    );
  }
}
