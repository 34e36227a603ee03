import { asyncLocalStorage, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Ledger } from '../audit/ledger';
import type { SalesforceEffect } from '../domain/effects';
import { classifyError, redactMessage } from '../salesforce/errors';
import type { SalesforceWriter } from '../salesforce/writer';
import { handoffMetrics } from '../metrics';
import type { BatchResult, EffectBatch, WriteOutcome } from '../workflows/outbox';

export type EffectsActivityDeps = { ledger: Ledger; salesforce: SalesforceWriter; logger: Logger };

/**
 * A batch still running after this long says it is alive, and again while it runs, so a batch caught
 * on a killed worker is retried after the workflow's heartbeat timeout rather than the minute of its
 * start-to-close timeout. A quick batch sends no heartbeat: each one is a billable action.
 */
export const HEARTBEAT_AFTER_MS = 3_000;

/** ApplicationFailure type of an audit event the ledger refuses as malformed (retrying cannot help). */
export const INVALID_AUDIT_EVENT = 'INVALID_AUDIT_EVENT';

/**
 * One batch of a lead's committed effects: the ledger rows first (idempotent on their ids, so a
 * retry inserts nothing twice; a ledger failure fails the activity and Temporal retries it), then
 * the Salesforce writes, upserts before closes. A Salesforce failure never fails the activity: it
 * is given back to the workflow, retryable or not, so the ledger is never held behind Salesforce.
 */
export function createEffectsActivities(deps: EffectsActivityDeps) {
  return {
    async applyEffects(batch: EffectBatch): Promise<BatchResult> {
      const alive = setInterval(() => heartbeat(), HEARTBEAT_AFTER_MS);
      try {
        return await apply(batch);
      } finally {
        clearInterval(alive);
      }
    },
  };

  async function apply(batch: EffectBatch): Promise<BatchResult> {
    await appendLedger(deps.ledger, batch);
    const written = Date.now();
    for (const e of batch.ledger) handoffMetrics.ledgerLag(written - Date.parse(e.at));
    if ((asyncLocalStorage.getStore()?.info.attempt ?? 1) > 1 && batch.salesforce.length > 0)
      handoffMetrics.salesforceWriteRetried();
    const failed: WriteOutcome[] = [];
    let synced: BatchResult['synced'];
    const run = async (effect: SalesforceEffect): Promise<void> => {
      try {
        if (effect.type === 'syncLead') {
          const { syncError } = await deps.salesforce.updateLead(effect.lead, { priority: effect.priority });
          synced = { syncError };
        } else if (effect.type === 'upsertTask')
          await deps.salesforce.upsertTask(effect.task, { priority: effect.priority });
        else await deps.salesforce.closeTask(effect.close);
      } catch (err) {
        failed.push(outcomeOf(err, effect, batch, deps.logger));
      }
    };
    await Promise.all(batch.salesforce.filter((e) => e.type !== 'closeTask').map(run));
    await Promise.all(batch.salesforce.filter((e) => e.type === 'closeTask').map(run));
    recordWriteMetrics(batch, failed, deps.salesforce.remainingApiCalls());
    return synced ? { failed, synced } : { failed };
  }
}

/** Breach lag: from the missed deadline to its escalation landing in Salesforce (the manager can act). */
function recordWriteMetrics(batch: EffectBatch, failed: readonly WriteOutcome[], remaining: number | null): void {
  for (const f of failed) handoffMetrics.salesforceWriteFailed(f.code);
  if (remaining !== null) handoffMetrics.salesforceApiRemaining(remaining);
  const escalated = batch.salesforce.some(
    (e) => e.type === 'upsertTask' && e.task.kind === 'ESCALATION' && !failed.some((f) => f.effectId === e.id),
  );
  if (!escalated) return;
  const now = Date.now();
  for (const row of batch.ledger) {
    if (row.type === 'SLA_BREACHED' && typeof row.detail.dueAt === 'string')
      handoffMetrics.breachLag(now - Date.parse(row.detail.dueAt));
  }
}

async function appendLedger(ledger: Ledger, batch: EffectBatch): Promise<void> {
  if (batch.ledger.length === 0) return;
  try {
    await ledger.append(batch.ledger);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    throw ApplicationFailure.create({
      type: INVALID_AUDIT_EVENT,
      message: `audit event refused: ${err.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
      nonRetryable: true,
      details: [{ eventIds: batch.ledger.map((e) => e.id) }],
    });
  }
}

function outcomeOf(err: unknown, effect: SalesforceEffect, batch: EffectBatch, logger: Logger): WriteOutcome {
  const error = classifyError(err);
  const message = redactMessage(error.message);
  const info = asyncLocalStorage.getStore()?.info;
  const entry = {
    effectId: effect.id,
    write: effect.type,
    leadId: batch.leadId,
    workflowId: batch.workflowId,
    attempt: info?.attempt,
    sfErrorCode: error.code,
    retryable: error.retryable,
    fields: error.fields,
    error: message,
  };
  if (error.retryable) logger.warn(entry, 'salesforce write failed; will retry');
  else logger.error(entry, 'salesforce write rejected');
  return {
    effectId: effect.id,
    code: error.code,
    message: `${error.code}: ${message}`,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
  };
}
