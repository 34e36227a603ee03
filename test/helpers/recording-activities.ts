import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import type { AuditEvent, HandoffTask, LeadRecord } from '../../src/domain/effects';
import type { Policy } from '../../src/domain/policy';

export type Recorded = {
  leadUpdates: LeadRecord[];
  tasks: HandoffTask[];
  audit: AuditEvent[];
  policyFetches: number;
};

/** Activities that record every effect the workflow asks for (the Temporal-standard mocked activities). */
export function recordingActivities(opts: { policy: () => Policy; failSyncLead?: (lead: LeadRecord) => string | undefined }) {
  const recorded: Recorded = { leadUpdates: [], tasks: [], audit: [], policyFetches: 0 };
  const seenAudit = new Set<string>();
  const activities: Activities = {
    // No Salesforce activity to read: the poller's page stays where it is.
    async pollSalesforceActivity({ cursor }) {
      return { next: cursor, read: 0, sent: 0, skipped: 0, more: false };
    },
    async syncLead({ lead }) {
      const code = opts.failSyncLead?.(lead);
      if (code) throw ApplicationFailure.nonRetryable(`Salesforce refused the write (${code})`, code);
      recorded.leadUpdates.push(lead);
    },
    async upsertTask({ task }) {
      const i = recorded.tasks.findIndex((t) => t.externalId === task.externalId);
      if (i >= 0) recorded.tasks[i] = task;
      else recorded.tasks.push(task);
    },
    async appendAudit(events) {
      for (const e of events) {
        if (seenAudit.has(e.id)) continue;
        seenAudit.add(e.id);
        recorded.audit.push(e);
      }
    },
    async currentPolicy() {
      recorded.policyFetches += 1;
      return opts.policy();
    },
  };
  return { activities, recorded, auditTypes: () => recorded.audit.map((e) => e.type) };
}
