import type { Logger } from 'pino';
import type { WritePriority } from '../domain/effects';
import { classifyError, SalesforceWriteError } from './errors';
import type { SObjectFields } from './field-map';

/** sObject Collections take at most 200 records per call. */
export const MAX_COLLECTION_SIZE = 200;
/** What a critical write may wait for company, at most (issue 10: escalations never wait more than 1 s for a batch). */
export const MAX_CRITICAL_WINDOW_MS = 1_000;

export type BatchOptions = {
  /** Records per Collections call (1–200); a batch this full goes out at once. */
  maxBatchSize: number;
  /** How long a critical write (escalation, reassignment task) waits for company before its call goes out. */
  criticalWindowMs: number;
  /** How long any other write waits for company. */
  normalWindowMs: number;
  /** The windows once the org's remaining allocation is below `minRemainingApiCalls`. */
  lowAllocationCriticalWindowMs: number;
  lowAllocationNormalWindowMs: number;
  minRemainingApiCalls: number;
  /** Collections calls in flight at once, per batcher. */
  maxConcurrentCalls: number;
};

export const DEFAULT_BATCH_OPTIONS: BatchOptions = {
  maxBatchSize: MAX_COLLECTION_SIZE,
  criticalWindowMs: 500,
  normalWindowMs: 1_500,
  lowAllocationCriticalWindowMs: MAX_CRITICAL_WINDOW_MS,
  lowAllocationNormalWindowMs: 10_000,
  minRemainingApiCalls: 1_000,
  maxConcurrentCalls: 4,
};

export type BatchItem = { key: string; fields: SObjectFields };
export type ItemResult<R> = { ok: true; value: R } | { ok: false; error: SalesforceWriteError };
/** Sends one Collections call; answers one result per item, in order. */
export type SendBatch<R> = (items: readonly BatchItem[]) => Promise<ReadonlyArray<ItemResult<R>>>;
/** How a later write of a record that is still waiting combines with the earlier one. */
export type Combine = (earlier: SObjectFields, later: SObjectFields) => SObjectFields;

/** A lead sync is a full snapshot of Handoff's fields: the later one replaces the earlier. */
export const supersede: Combine = (_earlier, later) => later;
/** Task writes are partial (an upsert, then a close): later values win field by field. */
export const mergeFields: Combine = (earlier, later) => ({ ...earlier, ...later });

type Waiter<R> = { resolve: (value: R) => void; reject: (err: SalesforceWriteError) => void };
type Pending<R> = { fields: SObjectFields; waiters: Array<Waiter<R>>; dueAt: number };

/**
 * Coalesces writes from many concurrent activities into Collections calls. Each write may wait up to
 * its class's window for company; a call goes out when the earliest-due pending write is due (carrying
 * everything pending with it) or when a batch is full. A later write of a record still waiting combines
 * with the earlier one and keeps the earlier deadline, and every caller gets the combined write's
 * result; a record in flight is never sent again before its call returns, so writes to one record stay
 * in order.
 */
export class CollectionBatcher<R> {
  private readonly options: BatchOptions;
  private pending = new Map<string, Pending<R>>();
  private readonly inFlight = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private timer: { handle: NodeJS.Timeout; at: number } | null = null;

  constructor(
    private readonly name: string,
    private readonly send: SendBatch<R>,
    private readonly combine: Combine,
    private readonly remainingApiCalls: () => number | null,
    options: Partial<BatchOptions>,
    private readonly logger: Logger,
  ) {
    this.options = { ...DEFAULT_BATCH_OPTIONS, ...options };
    if (this.options.maxBatchSize < 1 || this.options.maxBatchSize > MAX_COLLECTION_SIZE) {
      throw new RangeError(`maxBatchSize must be 1-${MAX_COLLECTION_SIZE}`);
    }
  }

  submit(key: string, fields: SObjectFields, priority: WritePriority = 'normal'): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const dueAt = Date.now() + this.window(priority);
      const existing = this.pending.get(key);
      if (existing) {
        existing.fields = this.combine(existing.fields, fields);
        existing.waiters.push({ resolve, reject });
        existing.dueAt = Math.min(existing.dueAt, dueAt);
      } else {
        this.pending.set(key, { fields, waiters: [{ resolve, reject }], dueAt });
      }
      this.schedule();
    });
  }

  /** Sends everything pending now and waits until no call is in flight. */
  async drain(): Promise<void> {
    while (this.pending.size > 0 || this.calls.size > 0) {
      this.flush();
      await Promise.race(this.calls);
    }
  }

  private window(priority: WritePriority): number {
    const remaining = this.remainingApiCalls();
    const low = remaining !== null && remaining < this.options.minRemainingApiCalls;
    if (priority === 'critical')
      return low ? this.options.lowAllocationCriticalWindowMs : this.options.criticalWindowMs;
    return low ? this.options.lowAllocationNormalWindowMs : this.options.normalWindowMs;
  }

  private sendable(): number {
    let n = 0;
    for (const key of this.pending.keys()) if (!this.inFlight.has(key)) n++;
    return n;
  }

  private schedule(): void {
    if (this.sendable() >= this.options.maxBatchSize) {
      this.flush();
      return;
    }
    let due = Infinity;
    for (const [key, p] of this.pending) if (!this.inFlight.has(key)) due = Math.min(due, p.dueAt);
    if (due === Infinity || (this.timer !== null && this.timer.at <= due)) return;
    if (this.timer !== null) clearTimeout(this.timer.handle);
    const handle = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, due - Date.now()),
    );
    this.timer = { handle, at: due };
  }

  private flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer.handle);
      this.timer = null;
    }
    while (this.calls.size < this.options.maxConcurrentCalls) {
      const batch = this.take();
      if (batch.length === 0) break;
      const call = this.run(batch).finally(() => {
        this.calls.delete(call);
        for (const [key] of batch) this.inFlight.delete(key);
        this.schedule();
      });
      this.calls.add(call);
    }
  }

  private take(): Array<[string, Pending<R>]> {
    const batch: Array<[string, Pending<R>]> = [];
    for (const [key, p] of this.pending) {
      if (batch.length >= this.options.maxBatchSize) break;
      if (this.inFlight.has(key)) continue;
      batch.push([key, p]);
    }
    for (const [key] of batch) {
      this.pending.delete(key);
      this.inFlight.add(key);
    }
    return batch;
  }

  private async run(batch: Array<[string, Pending<R>]>): Promise<void> {
    let results: ReadonlyArray<ItemResult<R>>;
    try {
      results = await this.send(batch.map(([key, p]) => ({ key, fields: p.fields })));
    } catch (err) {
      const error = classifyError(err);
      this.logger.warn(
        { batcher: this.name, records: batch.length, sfErrorCode: error.code, retryable: error.retryable },
        'salesforce collections call failed',
      );
      for (const [, p] of batch) for (const w of p.waiters) w.reject(error);
      return;
    }
    batch.forEach(([, p], i) => {
      const result: ItemResult<R> = results[i] ?? {
        ok: false,
        error: new SalesforceWriteError('UNKNOWN_EXCEPTION', 'Salesforce answered fewer results than records sent'),
      };
      for (const w of p.waiters) {
        if (result.ok) w.resolve(result.value);
        else w.reject(result.error);
      }
    });
  }
}
