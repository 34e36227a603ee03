import type { Activities } from '../../src/activities';
import type { AuditEvent, HandoffTask, LeadRecord, SalesforceEffect } from '../../src/domain/effects';
import type { Policy } from '../../src/domain/policy';
import type { BatchResult } from '../../src/workflows/outbox';

export type Recorded = {
  leadUpdates: LeadRecord[];
  tasks: HandoffTask[];
  /** External ids of tasks completed, with the reason. */
  closed: { externalId: string; reason: string }[];
  audit: AuditEvent[];
  batches: number;
  policyFetches: number;
};

type Failure = { code: string; retryable: boolean };

/** Activities that record every effect the workflow sends (the Temporal-standard mocked activities). */
export function recordingActivities(opts: {
  policy: () => Policy;
  failSyncLead?: (lead: LeadRecord) => string | undefined;
  /** A write that Salesforce refuses, or that fails retryably (an outage). */
  failWrite?: (effect: SalesforceEffect) => Failure | undefined;
}) {
  const recorded: Recorded = { leadUpdates: [], tasks: [], closed: [], audit: [], batches: 0, policyFetches: 0 };
  const seenAudit = new Set<string>();
  const activities: Activities = {
    // No Salesforce activity to read: the poller's page stays where it is.
    async pollSalesforceActivity({ cursor }) {
      return { next: cursor, read: 0, sent: 0, skipped: 0, more: false };
    },
    async applyEffects(batch) {
      recorded.batches += 1;
      for (const e of batch.ledger) {
        if (seenAudit.has(e.id)) continue;
        seenAudit.add(e.id);
        recorded.audit.push(e);
      }
      const result: BatchResult = { failed: [] };
      for (const effect of batch.salesforce) {
        const refusedCode = effect.type === 'syncLead' ? opts.failSyncLead?.(effect.lead) : undefined;
        const failure = refusedCode ? { code: refusedCode, retryable: false } : opts.failWrite?.(effect);
        if (failure) {
          result.failed.push({ effectId: effect.id, code: failure.code, message: `${failure.code}: refused`, retryable: failure.retryable, retryAfterMs: null });
          continue;
        }
        if (effect.type === 'syncLead') {
          recorded.leadUpdates.push(effect.lead);
          result.synced = { syncError: null };
        } else if (effect.type === 'upsertTask') {
          const i = recorded.tasks.findIndex((t) => t.externalId === effect.task.externalId);
          if (i >= 0) recorded.tasks[i] = effect.task;
          else recorded.tasks.push(effect.task);
        } else recorded.closed.push({ externalId: effect.close.externalId, reason: effect.close.reason });
      }
      return result;
    },
    async currentPolicy() {
      recorded.policyFetches += 1;
      return opts.policy();
    },
  };
  return { activities, recorded, auditTypes: () => recorded.audit.map((e) => e.type) };
}
