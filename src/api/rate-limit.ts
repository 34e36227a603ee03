import { ApiError } from './errors';

export interface RateLimitOptions {
  /** Requests allowed per window and caller; 0 disables the limit. */
  max: number;
  windowMs: number;
  now?: () => number;
}

/**
 * Fixed-window counter per caller (API key, signature, or IP for unauthenticated routes). In-memory:
 * each API process (or Lambda container) counts on its own, so the effective limit scales with them.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  consume(callerId: string): void {
    if (this.options.max <= 0) return;
    const now = this.now();
    let window = this.windows.get(callerId);
    if (!window || now - window.startedAt >= this.options.windowMs) {
      if (this.windows.size > 10_000) this.evictExpired(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(callerId, window);
    }
    window.count += 1;
    if (window.count > this.options.max) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - now) / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `rate limit of ${this.options.max} requests per ${this.options.windowMs / 1000}s exceeded`, undefined, {
        'retry-after': String(retryAfter),
      });
    }
  }

  private evictExpired(now: number): void {
    for (const [id, window] of this.windows) {
      if (now - window.startedAt >= this.options.windowMs) this.windows.delete(id);
    }
  }
}
