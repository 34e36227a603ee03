import type { AuditEvent, Effect, SalesforceEffect } from '../domain/effects';
import type { WriteResult } from '../domain/inputs';

/**
 * How a step's ledger rows and Salesforce writes leave the workflow: in one regular activity per
 * batch, whose input is the batch itself. A batch is in the workflow's history (the activity's
 * scheduled event) before it runs, so the ledger receives only decisions the workflow committed,
 * with their committed ids and times, and a retried activity writes the same rows again (the
 * ledger skips ids it has). One batch is in flight at a time; effects produced meanwhile wait and
 * leave together, a lead snapshot superseding the waiting one. Salesforce writes that failed
 * retryably come back from the activity and join the next batch (after a backoff when nothing new
 * comes), so an outage never blocks the ledger, the clocks, or later escalations.
 */
export type EffectBatch = {
  leadId: string;
  workflowId: string;
  ledger: AuditEvent[];
  salesforce: SalesforceEffect[];
};

export type WriteOutcome = {
  effectId: string;
  code: string;
  message: string;
  retryable: boolean;
  /** What Salesforce asked for (a request limit, refused credentials): wait at least this long. */
  retryAfterMs: number | null;
};

export type BatchResult = {
  /** Salesforce writes that did not land. */
  failed: WriteOutcome[];
  /** The lead snapshot's field-level outcome, when the batch carried one that landed. */
  synced?: WriteResult;
};

const BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

/** The state the lane carries across continue-as-new: what has not been sent yet. */
export type OutboxSnapshot = { pending: Effect[] };

export class Outbox {
  private ledger: AuditEvent[] = [];
  private salesforce: SalesforceEffect[] = [];
  private inFlight: EffectBatch | null = null;
  private fresh = false;
  private failures = 0;
  private notBefore = 0;

  constructor(
    private readonly leadId: string,
    private readonly workflowId: string,
    carried: OutboxSnapshot = { pending: [] },
  ) {
    this.push(carried.pending);
  }

  push(effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'ledger') this.ledger.push(effect.event);
      else this.enqueue(effect);
    }
    if (effects.length > 0) this.fresh = true;
  }

  /**
   * A newer write of the same kind to the same record replaces the one waiting: a lead sync is a full
   * snapshot, a task upsert the task's latest content. A close never replaces its task's upsert (the
   * task may not exist yet): the activity writes upserts before closes.
   */
  private enqueue(effect: SalesforceEffect): void {
    const record = recordOf(effect);
    this.salesforce = this.salesforce.filter((waiting) => recordOf(waiting) !== record);
    this.salesforce.push(effect);
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  get empty(): boolean {
    return this.ledger.length === 0 && this.salesforce.length === 0;
  }

  /** True when a batch should leave now: something waits, nothing is in flight, and no backoff holds it back. */
  ready(now: number): boolean {
    return !this.busy && !this.empty && (this.fresh || now >= this.notBefore);
  }

  /** Milliseconds until a backoff ends, or null when nothing waits on one. */
  waitMs(now: number): number | null {
    if (this.busy || this.empty || this.fresh) return null;
    return Math.max(0, this.notBefore - now);
  }

  take(): EffectBatch {
    if (this.busy) throw new Error('an effects batch is already in flight');
    const batch: EffectBatch = {
      leadId: this.leadId,
      workflowId: this.workflowId,
      ledger: this.ledger,
      salesforce: this.salesforce,
    };
    this.ledger = [];
    this.salesforce = [];
    this.fresh = false;
    this.inFlight = batch;
    return batch;
  }

  /**
   * The batch's outcome. Retryable failures wait again, unless a newer write of the same record is
   * already waiting; the others are given back so the lead records them.
   */
  settle(result: BatchResult, now: number): WriteOutcome[] {
    const batch = this.inFlight;
    if (!batch) throw new Error('no effects batch in flight');
    this.inFlight = null;
    const retry = result.failed.filter((f) => f.retryable).map((f) => f.effectId);
    const again = batch.salesforce.filter(
      (e) => retry.includes(e.id) && !this.salesforce.some((w) => recordOf(w) === recordOf(e)),
    );
    this.salesforce = [...again, ...this.salesforce];
    if (retry.length > 0) {
      const asked = Math.max(0, ...result.failed.map((f) => f.retryAfterMs ?? 0));
      this.notBefore = now + Math.max(BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!, asked);
      this.failures += 1;
    } else this.failures = 0;
    return result.failed.filter((f) => !f.retryable);
  }

  snapshot(): OutboxSnapshot {
    const inFlight = this.inFlight;
    const ledger = [...(inFlight?.ledger ?? []), ...this.ledger].map((event): Effect => ({
      type: 'ledger',
      id: event.id,
      event,
    }));
    return { pending: [...ledger, ...(inFlight?.salesforce ?? []), ...this.salesforce] };
  }
}

function recordOf(effect: SalesforceEffect): string {
  switch (effect.type) {
    case 'syncLead':
      return `syncLead:${effect.lead.leadId}`;
    case 'upsertTask':
      return `upsertTask:${effect.task.externalId}`;
    case 'closeTask':
      return `closeTask:${effect.close.externalId}`;
  }
}
