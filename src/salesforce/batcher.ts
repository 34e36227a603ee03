import type { Logger } from 'pino';
import { classifyError, SalesforceWriteError } from './errors';
import type { SObjectFields } from './field-map';

/** sObject Collections take at most 200 records per call. */
export const MAX_COLLECTION_SIZE = 200;

export type BatchOptions = {
  /** Records per Collections call (1–200). */
  maxBatchSize: number;
  /** How long the first pending write waits for company before a call goes out. */
  flushDelayMs: number;
  /** The flush delay once the org's remaining allocation is below `minRemainingApiCalls`. */
  lowAllocationFlushDelayMs: number;
  minRemainingApiCalls: number;
  /** Collections calls in flight at once, per batcher. */
  maxConcurrentCalls: number;
};

export const DEFAULT_BATCH_OPTIONS: BatchOptions = {
  maxBatchSize: MAX_COLLECTION_SIZE,
  flushDelayMs: 50,
  lowAllocationFlushDelayMs: 2_000,
  minRemainingApiCalls: 1_000,
  maxConcurrentCalls: 4,
};

export type BatchItem = { key: string; fields: SObjectFields };
export type ItemResult = { ok: true } | { ok: false; error: SalesforceWriteError };
/** Sends one Collections call; answers one result per item, in order. */
export type SendBatch = (items: readonly BatchItem[]) => Promise<readonly ItemResult[]>;

type Waiter = { resolve: () => void; reject: (err: SalesforceWriteError) => void };
type Pending = { fields: SObjectFields; waiters: Waiter[]; since: number };

/**
 * Coalesces writes from many concurrent activities into Collections calls. Two pending writes of the
 * same record merge into one (the later values win field by field) and both callers get its result; a
 * record in flight is never sent again before its call returns, so writes to one record stay in order.
 */
export class CollectionBatcher {
  private readonly options: BatchOptions;
  private pending = new Map<string, Pending>();
  private readonly inFlight = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly name: string,
    private readonly send: SendBatch,
    private readonly remainingApiCalls: () => number | null,
    options: Partial<BatchOptions>,
    private readonly logger: Logger,
  ) {
    this.options = { ...DEFAULT_BATCH_OPTIONS, ...options };
    if (this.options.maxBatchSize < 1 || this.options.maxBatchSize > MAX_COLLECTION_SIZE) {
      throw new RangeError(`maxBatchSize must be 1-${MAX_COLLECTION_SIZE}`);
    }
  }

  submit(key: string, fields: SObjectFields): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const existing = this.pending.get(key);
      if (existing) {
        existing.fields = { ...existing.fields, ...fields };
        existing.waiters.push({ resolve, reject });
      } else {
        this.pending.set(key, { fields, waiters: [{ resolve, reject }], since: Date.now() });
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

  private lowAllocation(): boolean {
    const remaining = this.remainingApiCalls();
    return remaining !== null && remaining < this.options.minRemainingApiCalls;
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
    if (this.timer !== null || this.pending.size === 0) return;
    let oldest = Infinity;
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.since);
    const delay = this.lowAllocation() ? this.options.lowAllocationFlushDelayMs : this.options.flushDelayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(0, oldest + delay - Date.now()));
  }

  private flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
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

  private take(): Array<[string, Pending]> {
    const batch: Array<[string, Pending]> = [];
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

  private async run(batch: Array<[string, Pending]>): Promise<void> {
    let results: readonly ItemResult[];
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
      const result: ItemResult = results[i] ?? {
        ok: false,
        error: new SalesforceWriteError('UNKNOWN_EXCEPTION', 'Salesforce answered fewer results than records sent'),
      };
      for (const w of p.waiters) {
        if (result.ok) w.resolve();
        else w.reject(result.error);
      }
    });
  }
}
