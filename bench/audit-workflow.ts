import { proxyActivities } from '@temporalio/workflow';
import type { AuditEvent } from '../src/domain/effects';
import type { BatchResult, EffectBatch } from '../src/workflows/outbox';

const { applyEffects } = proxyActivities<{ applyEffects(batch: EffectBatch): Promise<BatchResult> }>({
  startToCloseTimeout: '1 minute',
});

/**
 * A stand-in for a lead's lifecycle workflow in bench/audit.ts: it hands its audit rows to the
 * effects activity one engine step at a time, so its history carries them as the real one does
 * (the `ledger` of each `applyEffects` input).
 */
export async function benchAuditLead(steps: AuditEvent[][]): Promise<void> {
  for (const ledger of steps) {
    const first = ledger[0];
    if (first) await applyEffects({ leadId: first.leadId, workflowId: first.workflowId, ledger, salesforce: [] });
  }
}
