import rateLimit, {
  normalizeIP,
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from './auth';
import { ApiError } from './errors';
import type { ApiStateStore } from './state-store';

export interface RateLimitSettings {
  /** Requests per window and principal (API key, signature); 0 disables it. */
  max: number;
  /** Requests per window and client address, counted before authentication; 0 disables it. Default: max. */
  perAddress?: number;
  windowMs: number;
}

/** Counts the two limits of a request: by client address before authentication, by principal after. */
export interface RateLimits {
  byAddress(request: FastifyRequest): Promise<void>;
  byPrincipal(request: FastifyRequest, principal: Principal): Promise<void>;
}

/** @fastify/rate-limit's store over the API state store, so every instance counts in the same windows. */
function storeOver(state: ApiStateStore): FastifyRateLimitStoreCtor {
  const store: FastifyRateLimitStore = {
    incr(key, callback, timeWindow) {
      state.hit(key, timeWindow).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (err: Error) => callback(err),
      );
    },
    child: () => store,
  };
  return class {
    constructor() {
      return store;
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

/**
 * The client's address: what the trusted proxies say (Fastify's `request.ip`), or the peer itself when
 * what they say is not an address, since a value no one can verify must not open a bucket of its own.
 */
export function clientAddress(request: Pick<FastifyRequest, 'ip' | 'socket'>): string {
  return isIP(request.ip) !== 0 ? request.ip : (request.socket?.remoteAddress ?? 'unknown');
}

const PRINCIPAL = Symbol('handoff.rateLimitPrincipal');
type WithPrincipal = FastifyRequest & { [PRINCIPAL]?: Principal };

/**
 * Registers @fastify/rate-limit (not as a global hook: the routes call it where the order of
 * authentication needs it). `request.ip` is the client address as HANDOFF_TRUST_PROXY allows it to
 * be read, so a spoofed X-Forwarded-For from an untrusted peer counts against the peer itself (IPv6 by
 * /64, what one host usually holds).
 */
export async function installRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
  state: ApiStateStore,
): Promise<RateLimits> {
  await app.register(rateLimit, { global: false, store: storeOver(state), timeWindow: settings.windowMs });
  const refuse = (what: string, max: number, retryAfterSeconds: number) =>
    new ApiError(
      429,
      'RATE_LIMITED',
      `rate limit of ${max} requests per ${settings.windowMs / 1000}s ${what} exceeded`,
      undefined,
      {
        'retry-after': String(Math.max(1, retryAfterSeconds)),
      },
    );
  const limiter = (max: number, what: string, keyGenerator: (request: FastifyRequest) => string) => {
    if (max <= 0) return async () => undefined;
    const check = app.createRateLimit({ max, timeWindow: settings.windowMs, keyGenerator });
    return async (request: FastifyRequest) => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) throw refuse(what, max, result.ttlInSeconds);
    };
  };
  const address = limiter(
    settings.perAddress ?? settings.max,
    'per client address',
    (request) => `addr:${normalizeIP(clientAddress(request))}`,
  );
  const principal = limiter(
    settings.max,
    'per API key',
    (request) => `principal:${(request as WithPrincipal)[PRINCIPAL]!.id}`,
  );
  return {
    byAddress: address,
    byPrincipal: async (request, who) => {
      (request as WithPrincipal)[PRINCIPAL] = who;
      await principal(request);
    },
  };
}
