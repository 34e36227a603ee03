import { sign } from 'node:crypto';
import { Connection, OAuth2, type TokenResponse } from 'jsforce';
import { Transport } from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types';
import type { StreamPromise } from 'jsforce/lib/util/promise';
import type { Logger } from 'pino';
import { isLoopbackUrl, type SalesforceAuth } from './config';

export type ConnectOptions = {
  auth: SalesforceAuth;
  apiVersion: string;
  /** Used until the first token answers with its own `instance_url`. */
  instanceUrl?: string | null;
  /** Per HTTP request; jsforce's own default is 30 minutes. */
  requestTimeoutMs?: number;
  /** Token refreshes allowed per rolling minute, whatever happens (default 5). */
  maxRefreshesPerMinute?: number;
  /** After a refresh whose token was rejected at once, how long until the next refresh is tried (default 60 s). */
  refreshCooldownMs?: number;
  logger: Logger;
  now?: () => number;
};

export type ConnectionFactory = () => Promise<Connection>;

/**
 * One connection for every caller: the factory runs once, and again only after it failed (the
 * next call retries). `mapError` is what a failure is thrown as.
 */
export function sharedConnection(
  source: Connection | ConnectionFactory,
  mapError: (err: unknown) => unknown = (err) => err,
): () => Promise<Connection> {
  if (typeof source !== 'function') return () => Promise.resolve(source);
  let connecting: Promise<Connection> | null = null;
  return () =>
    (connecting ??= source().catch((err: unknown) => {
      connecting = null;
      throw mapError(err);
    }));
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const JWT_LIFETIME_S = 180;

/** Returns a factory that authenticates with the configured flow (each call makes a new connection). */
export function createConnectionFactory(options: ConnectOptions): ConnectionFactory {
  return () => connect(options);
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const { auth, logger } = options;
  const now = options.now ?? Date.now;
  const gate = new RefreshGate(options.maxRefreshesPerMinute ?? 5, options.refreshCooldownMs ?? 60_000, now);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const oauth2 = new OAuth2({
    loginUrl: auth.loginUrl,
    clientId: auth.clientId,
    clientSecret: auth.flow === 'jwt' ? undefined : (auth.clientSecret ?? undefined),
  });
  oauth2._transport = new GuardedTransport(timeoutMs);

  let refreshToken = auth.flow === 'refreshToken' ? auth.refreshToken : null;
  const grant = async (): Promise<TokenResponse> => {
    switch (auth.flow) {
      case 'clientCredentials':
        return oauth2.requestToken({ grant_type: 'client_credentials' });
      case 'jwt':
        return oauth2.requestToken({ grant_type: JWT_BEARER, assertion: signJwtAssertion(auth, now()) });
      case 'refreshToken': {
        const res = await oauth2.refreshToken(refreshToken ?? auth.refreshToken);
        refreshToken = res.refresh_token ?? refreshToken;
        return res;
      }
    }
  };

  const conn: Connection = new Connection({
    oauth2,
    version: options.apiVersion,
    instanceUrl: options.instanceUrl ?? undefined,
    refreshFn: (_c, callback) => {
      const denied = gate.acquire();
      if (denied !== null) {
        logger.warn({ flow: auth.flow, reason: denied }, 'salesforce session refresh refused');
        callback(new Error(`INVALID_SESSION_ID: ${denied}`));
        return;
      }
      grant().then(
        (res) => {
          conn.instanceUrl = res.instance_url || conn.instanceUrl;
          logger.info({ flow: auth.flow }, 'salesforce session refreshed');
          callback(null, res.access_token, res);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  conn._transport = new GuardedTransport(timeoutMs, (status) => gate.observe(status));

  const res = await grant();
  conn.instanceUrl = res.instance_url || conn.instanceUrl;
  conn.accessToken = res.access_token;
  logger.info({ flow: auth.flow, apiVersion: options.apiVersion, loopback: isLoopbackUrl(conn.instanceUrl) }, 'salesforce connected');
  return conn;
}

/** The JWT bearer assertion (RFC 7523), RS256-signed with node:crypto: jsforce 3 has no helper for it. */
export function signJwtAssertion(auth: Extract<SalesforceAuth, { flow: 'jwt' }>, nowMs: number): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: auth.clientId,
    sub: auth.username,
    aud: auth.audience,
    exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_S,
  });
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), auth.privateKeyPem).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

/**
 * jsforce 3.10 re-sends a request after every 401 + refresh, with no cap: a token that the org keeps
 * rejecting makes it loop forever. A refresh is allowed when the previous token was seen working (a
 * non-401 answer since), or once the previous refresh is older than a cool-down, and never more than N a
 * minute.
 * So a persistent 401 costs one refresh, then fails with INVALID_SESSION_ID (retryable, later).
 */
class RefreshGate {
  private lastRefreshAt: number | null = null;
  private workedSinceRefresh = true;
  private recent: number[] = [];

  constructor(
    private readonly maxPerMinute: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  observe(status: number): void {
    if (status !== 401) this.workedSinceRefresh = true;
  }

  granted(): void {
    const t = this.now();
    this.lastRefreshAt = t;
    this.workedSinceRefresh = false;
    this.recent.push(t);
  }

  /** Null when a refresh may run (and counts it), else why not. */
  acquire(): string | null {
    const t = this.now();
    this.recent = this.recent.filter((r) => t - r < 60_000);
    if (this.recent.length >= this.maxPerMinute) return `refresh cap reached (${this.maxPerMinute} a minute)`;
    const stale = this.lastRefreshAt === null || t - this.lastRefreshAt >= this.cooldownMs;
    if (!this.workedSinceRefresh && !stale) return 'the session was rejected again right after a refresh';
    this.granted();
    return null;
  }
}

/**
 * jsforce reads http(s)_proxy when its module loads and ignores NO_PROXY, so with a proxy in the
 * environment even 127.0.0.1 goes through it. We decide per request, like NO_PROXY=localhost would: a
 * loopback URL (the emulator) never uses the proxy, a real org keeps it. Per request rather than
 * deleting the variables because the import order is not ours and other clients in the process may
 * rely on them. Also bounds every request (jsforce's default timeout is 30 minutes) and reports
 * response statuses to the refresh gate.
 */
class GuardedTransport extends Transport {
  constructor(
    private readonly timeoutMs: number,
    private readonly onStatus?: (status: number) => void,
  ) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    const guarded: HttpRequestOptions = {
      ...options,
      timeout: this.timeoutMs,
      // GET retries of jsforce wait 0.5+1+2+4+8 s; Temporal retries our activities anyway.
      retry: options.retry ?? { maxRetries: 1 },
      ...(isLoopbackUrl(req.url) ? { httpProxy: undefined } : {}),
    };
    const pending = super.httpRequest(req, guarded);
    const onStatus = this.onStatus;
    if (onStatus) pending.then((res) => onStatus(res.statusCode), () => undefined);
    return pending;
  }
}
