/**
 * The drill's stand-in for the engine before the effects batches: every batch's ledger rows are
 * appended by a LOCAL activity from inside the workflow task that decided them, before that task
 * commits; the regular applyEffects activity then finds them there and skips them (ON CONFLICT DO
 * NOTHING). A worker killed between the append and the task's completion leaves rows that history
 * never recorded; the retried task decides again at a later workflow time, under the same ids.
 * Only bundled into the drill's `local-append` mode, which must show differences.
 */
import { proxyLocalActivities, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { AuditEvent } from '../../src/domain/effects';
import type { EffectBatch } from '../../src/workflows/outbox';

const { appendLedgerLocally } = proxyLocalActivities<{ appendLedgerLocally(events: AuditEvent[]): Promise<void> }>({
  startToCloseTimeout: '30s',
});

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        const [batch] = input.args as [EffectBatch];
        if (input.activityType === 'applyEffects' && batch.ledger.length > 0) await appendLedgerLocally(batch.ledger);
        return next(input);
      },
    },
  ],
});
