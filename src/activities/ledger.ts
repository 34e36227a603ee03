import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import type { Ledger } from '../audit/ledger';
import type { AuditEvent } from '../domain/effects';

export type LedgerActivityDeps = { ledger: Ledger };

/** ApplicationFailure type of an audit event the ledger refuses as malformed (retrying cannot help). */
export const INVALID_AUDIT_EVENT = 'INVALID_AUDIT_EVENT';

/**
 * The ledger append. Idempotent on each event id, so Temporal may retry it freely: any failure
 * other than a malformed event (a lost connection, a failover, a full disk) is thrown as is and
 * retried; nothing is swallowed.
 */
export function createLedgerActivities(deps: LedgerActivityDeps) {
  return {
    async appendAudit(events: AuditEvent[]): Promise<void> {
      try {
        await deps.ledger.append(events);
      } catch (err) {
        if (!(err instanceof ZodError)) throw err;
        throw ApplicationFailure.create({
          type: INVALID_AUDIT_EVENT,
          message: `audit event refused: ${err.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
          nonRetryable: true,
          details: [{ eventIds: events.map((e) => e.id) }],
        });
      }
    },
  };
}
