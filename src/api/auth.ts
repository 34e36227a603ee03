import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from './errors';
import type { ApiStateStore } from './state-store';
import { parseEntryList } from '../env';

export const ROLES = ['crm', 'sales', 'revops'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** A configured key: only its SHA-256 digest is kept in memory. */
export interface ApiKey {
  role: Role;
  sha256: Buffer;
}

export interface Principal {
  /** Stable, non-secret name of the credential (rate limiting, logs). */
  id: string;
  roles: ReadonlySet<Role>;
  via: 'key' | 'signature' | 'session';
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Parses `role:key` / `role:sha256:<hex>` entries (comma-separated); throws listing every bad entry. */
export function parseApiKeys(spec: string): ApiKey[] {
  return parseEntryList<ApiKey>('HANDOFF_API_KEYS', spec, (name, secret, entry) => {
    const role = roleSchema.safeParse(name);
    if (!role.success) return { problem: `${entry}: expected "<${ROLES.join('|')}>:<key>"` };
    if (secret.startsWith('sha256:')) {
      const hex = secret.slice('sha256:'.length);
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { problem: `${entry}: expected 64 hex digits after sha256:` };
      return { role: role.data, sha256: Buffer.from(hex, 'hex') };
    }
    if (secret.length < 16) return { problem: `${entry}: a key needs at least 16 characters` };
    return { role: role.data, sha256: sha256(secret) };
  });
}

export interface DevKey {
  role: Role;
  key: string;
}

export function generateDevKeys(): { keys: ApiKey[]; devKeys: DevKey[] } {
  const devKeys = ROLES.map((role) => ({ role, key: `dev-${role}-${randomBytes(12).toString('hex')}` }));
  return { keys: devKeys.map(({ role, key }) => ({ role, sha256: sha256(key) })), devKeys };
}

export function devKeysWarning(devKeys: DevKey[]): string {
  return [
    'WARNING: HANDOFF_API_KEYS is not set; generated development keys (valid until this process stops):',
    ...devKeys.map(({ role, key }) => `  ${role.padEnd(6)} ${key}`),
    'Set HANDOFF_API_KEYS (role:key or role:sha256:<hex>, comma-separated) for anything but local development.',
  ].join('\n');
}

/** Keys grouped by digest, so one key listed under several roles carries all of them. */
export class KeyRing {
  private readonly entries: { id: string; sha256: Buffer; fingerprint: string; roles: Set<Role> }[] = [];

  constructor(keys: readonly ApiKey[]) {
    for (const key of keys) {
      const existing = this.entries.find((e) => e.sha256.equals(key.sha256));
      if (existing) existing.roles.add(key.role);
      else {
        const fingerprint = createHash('sha256').update('handoff-session-key:').update(key.sha256).digest('hex');
        this.entries.push({ id: `key-${this.entries.length + 1}`, sha256: key.sha256, fingerprint, roles: new Set([key.role]) });
      }
    }
  }

  /** What a dashboard session remembers of the key that opened it: a hash of its digest, not usable as a key. */
  fingerprint(principal: Principal): string | undefined {
    return this.entries.find((e) => e.id === principal.id)?.fingerprint;
  }

  /** The principal of a session, while its key is still configured. */
  byFingerprint(fingerprint: string): Principal | undefined {
    const match = this.entries.find((e) => e.fingerprint === fingerprint);
    return match && { id: match.id, roles: match.roles, via: 'session' };
  }

  /** Compares against every digest without stopping early, so timing says nothing about which key matched. */
  authenticate(token: string): Principal | undefined {
    const digest = sha256(token);
    let match: (typeof this.entries)[number] | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.sha256, digest)) match = entry;
    }
    return match && { id: match.id, roles: match.roles, via: 'key' };
  }
}

export interface SignatureOptions {
  toleranceSeconds?: number;
  now?: () => number;
}

/**
 * Verifies `Handoff-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<raw body>")>` and records
 * accepted signatures in the state store until their timestamp leaves the tolerance window, so a
 * captured request cannot be replayed: not after a restart, not on another instance.
 */
export class SignatureVerifier {
  private readonly toleranceMs: number;
  private readonly now: () => number;

  constructor(
    private readonly secret: string,
    private readonly state: Pick<ApiStateStore, 'rememberSignature'>,
    options: SignatureOptions = {},
  ) {
    this.toleranceMs = (options.toleranceSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  async verify(header: string, rawBody: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const parts = new Map<string, string[]>();
    for (const item of header.split(',')) {
      const eq = item.indexOf('=');
      if (eq <= 0) continue;
      const name = item.slice(0, eq).trim();
      parts.set(name, [...(parts.get(name) ?? []), item.slice(eq + 1).trim()]);
    }
    const t = parts.get('t')?.[0];
    const candidates = (parts.get('v1') ?? []).filter((v) => /^[0-9a-fA-F]{64}$/.test(v));
    if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0) {
      return { ok: false, reason: 'malformed Handoff-Signature (expected t=<unix seconds>,v1=<hex>)' };
    }
    const signedAt = Number(t) * 1000;
    if (Math.abs(this.now() - signedAt) > this.toleranceMs) return { ok: false, reason: 'signature timestamp outside the tolerance window' };
    const expected = createHmac('sha256', this.secret).update(`${t}.${rawBody}`, 'utf8').digest();
    const valid = candidates.find((v) => timingSafeEqual(Buffer.from(v, 'hex'), expected));
    if (!valid) return { ok: false, reason: 'signature does not match' };
    // Past signedAt + tolerance the timestamp check refuses it anyway; the margin covers clock skew between instances.
    const fresh = await this.state.rememberSignature(`${t}.${valid.toLowerCase()}`, signedAt + this.toleranceMs * 2);
    return fresh ? { ok: true } : { ok: false, reason: 'signature already used' };
  }
}

/** Builds a signature header (for clients, tests and the benchmark). */
export function signBody(secret: string, rawBody: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`, 'utf8').digest('hex')}`;
}

/** The dashboard's session cookie: a random id; the state store keeps its SHA-256 only. */
export const SESSION_COOKIE = 'handoff_session';

export const sessionIdHash = (sessionId: string): string => createHash('sha256').update(sessionId, 'utf8').digest('hex');

export interface AuthOptions {
  keys: readonly ApiKey[];
  webhookSecret?: string;
  signature?: SignatureOptions;
  state: ApiStateStore;
}

/** Where a route accepts credentials from, beyond the Bearer header. */
export interface CredentialSources {
  signature?: boolean;
  /** The dashboard's session cookie. */
  session?: boolean;
  /** `?key=`: only the Outbound Message endpoint, since Salesforce cannot add headers to one. */
  queryKey?: boolean;
}

export class Authenticator {
  readonly ring: KeyRing;
  private readonly signatures?: SignatureVerifier;
  private readonly state: ApiStateStore;

  constructor(options: AuthOptions) {
    this.ring = new KeyRing(options.keys);
    this.state = options.state;
    if (options.webhookSecret) this.signatures = new SignatureVerifier(options.webhookSecret, options.state, options.signature);
  }

  /** The caller, or an ApiError: 401 without valid credentials, 403 without one of `roles`. */
  async authenticate(request: FastifyRequest, roles: readonly Role[], sources: CredentialSources = {}): Promise<Principal> {
    const principal = await this.identify(request, sources);
    if (![...principal.roles].some((r) => roles.includes(r))) {
      throw new ApiError(403, 'FORBIDDEN', `this route needs the role ${roles.join(' or ')}`);
    }
    return principal;
  }

  keyPrincipal(token: string): Principal | undefined {
    return this.ring.authenticate(token);
  }

  private async identify(request: FastifyRequest, sources: CredentialSources): Promise<Principal> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
      const principal = match?.[1] ? this.ring.authenticate(match[1]) : undefined;
      if (!principal) throw unauthorized('invalid API key (expected Authorization: Bearer <key>)');
      return principal;
    }
    const signature = request.headers['handoff-signature'];
    if (sources.signature && typeof signature === 'string') {
      if (!this.signatures) throw unauthorized('request signatures are not enabled (HANDOFF_WEBHOOK_SECRET is not set)');
      const result = await this.signatures.verify(signature, request.rawBody ?? '');
      if (!result.ok) throw unauthorized(result.reason);
      return { id: 'webhook-signature', roles: new Set<Role>(['crm']), via: 'signature' };
    }
    if (sources.queryKey) {
      const token = queryKey(request);
      if (token !== undefined) {
        const principal = this.ring.authenticate(token);
        if (!principal) throw unauthorized('invalid API key in ?key=');
        return principal;
      }
    }
    if (sources.session) {
      const sessionId = cookie(request, SESSION_COOKIE);
      if (sessionId !== undefined) {
        const session = await this.state.findSession(sessionIdHash(sessionId));
        const principal = session && this.ring.byFingerprint(session.keyFingerprint);
        if (!principal) throw unauthorized('the dashboard session has expired or was signed out: sign in again');
        return principal;
      }
    }
    throw unauthorized(
      sources.queryKey
        ? 'missing credentials (expected Authorization: Bearer <key>, or ?key=<crm key> in the endpoint URL)'
        : 'missing credentials (expected Authorization: Bearer <key>)',
    );
  }
}

const unauthorized = (message: string): ApiError =>
  new ApiError(401, 'UNAUTHORIZED', message, undefined, { 'www-authenticate': 'Bearer' });

export function queryKey(request: FastifyRequest): string | undefined {
  const key = (request.query as Record<string, unknown> | undefined)?.key;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

export function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
