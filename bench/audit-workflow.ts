import { proxyActivities } from '@temporalio/workflow';
import type { AuditEvent } from '../src/domain/effects';

const { appendAudit } = proxyActivities<{ appendAudit(events: AuditEvent[]): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/**
 * A stand-in for a lead's lifecycle workflow in bench/audit.ts: it hands its audit events to the
 * ledger activity one engine step at a time, so its history carries them as the real one does.
 */
export async function benchAuditLead(steps: AuditEvent[][]): Promise<void> {
  for (const step of steps) await appendAudit(step);
}
