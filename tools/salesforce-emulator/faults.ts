import { z } from 'zod';

export const FAULT_KINDS = ['REQUEST_LIMIT_EXCEEDED', 'SERVER_ERROR', 'DROP_CONNECTION', 'UNABLE_TO_LOCK_ROW', 'DROP_AFTER_WRITE'] as const;
export const faultKindSchema = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof faultKindSchema>;

const rate = z.number().min(0).max(1);

/**
 * Faults for data API requests (never the token endpoint or the controls).
 * - `rates`: probability per request of each fault, drawn from a PRNG seeded with `seed` (default 1),
 *   so the same configuration and the same request sequence give the same faults.
 * - `next`: faults forced on the next eligible requests, in order, before any rate applies.
 * - `writesOnly`: only POST/PATCH/DELETE writes get faults (GET retries in jsforce take ~15 s).
 * UNABLE_TO_LOCK_ROW and DROP_AFTER_WRITE only ever apply to writes. Every fault except
 * DROP_AFTER_WRITE is decided before the request touches any record, so it changes nothing;
 * DROP_AFTER_WRITE commits the write and then destroys the socket without answering.
 */
export const faultConfigSchema = z
  .object({
    rates: z
      .object({
        UNABLE_TO_LOCK_ROW: rate,
        SERVER_ERROR: rate,
        DROP_CONNECTION: rate,
        DROP_AFTER_WRITE: rate,
        REQUEST_LIMIT_EXCEEDED: rate,
      })
      .partial()
      .strict()
      .refine((r) => Object.values(r).reduce((sum, v) => sum + (v ?? 0), 0) <= 1, { message: 'fault rates must add up to at most 1' })
      .optional(),
    latencyMs: z
      .union([
        z.number().int().nonnegative(),
        z
          .object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
          .strict()
          .refine((l) => l.min <= l.max, { message: 'latencyMs.min must not exceed latencyMs.max' }),
      ])
      .optional(),
    seed: z.number().int().optional(),
    next: z.array(faultKindSchema).optional(),
    writesOnly: z.boolean().optional(),
  })
  .strict();
export type FaultConfig = z.infer<typeof faultConfigSchema>;

export interface FaultDecision {
  fault: FaultKind | null;
  /** 500 or 503 for SERVER_ERROR. */
  serverStatus: 500 | 503;
  latencyMs: number;
}

const WRITE_ONLY_KINDS: ReadonlySet<FaultKind> = new Set(['UNABLE_TO_LOCK_ROW', 'DROP_AFTER_WRITE']);

/** mulberry32: small, fast and good enough for fault draws. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private queue: FaultKind[] = [];
  private faultRandom = prng(1);
  private latencyRandom = prng(2);

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  set(config: FaultConfig): void {
    this.config = faultConfigSchema.parse(config);
    this.queue = [...(this.config.next ?? [])];
    const seed = this.config.seed ?? 1;
    this.faultRandom = prng(seed);
    // A separate stream, so adding latency does not change which requests fail.
    this.latencyRandom = prng(seed ^ 0x5bd1e995);
  }

  current(): FaultConfig {
    return { ...this.config, next: [...this.queue] };
  }

  /** One decision per data API request, in arrival order. */
  decide(isWrite: boolean): FaultDecision {
    const latencyMs = this.latency();
    const draw = this.faultRandom();
    const eligible = (kind: FaultKind) => isWrite || (!this.config.writesOnly && !WRITE_ONLY_KINDS.has(kind));
    const queued = this.queue[0];
    if (queued !== undefined) {
      if (!eligible(queued)) return { fault: null, serverStatus: 500, latencyMs };
      this.queue.shift();
      return { fault: queued, serverStatus: draw < 0.5 ? 500 : 503, latencyMs };
    }
    let threshold = 0;
    for (const kind of FAULT_KINDS) {
      threshold += this.config.rates?.[kind] ?? 0;
      if (draw < threshold) {
        return eligible(kind) ? { fault: kind, serverStatus: this.faultRandom() < 0.5 ? 500 : 503, latencyMs } : { fault: null, serverStatus: 500, latencyMs };
      }
    }
    return { fault: null, serverStatus: 500, latencyMs };
  }

  private latency(): number {
    const latency = this.config.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return latency.min + Math.floor(this.latencyRandom() * (latency.max - latency.min + 1));
  }
}
