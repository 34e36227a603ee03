import { createHmac, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface Session {
  userId: string;
  issuedAt: number;
}

export const tokenStateSchema = z.object({
  access: z.array(z.object({ token: z.string(), userId: z.string(), issuedAt: z.number() })),
  refresh: z.array(z.object({ token: z.string(), userId: z.string() })),
});
export type TokenState = z.infer<typeof tokenStateSchema>;

export interface OAuthConfig {
  orgId: string;
  clientId: string;
  clientSecret: string;
  jwtPublicKeyPem?: string;
  /** The user client-credentials tokens run as. */
  runAsUserId: string;
  findUserIdByUsername: (username: string) => string | undefined;
  onChange: () => void;
}

export interface OAuthReply {
  status: number;
  body: Record<string, unknown>;
}

const oauthError = (error: string, description: string): OAuthReply => ({ status: 400, body: { error, error_description: description } });

const jwtHeaderSchema = z.object({ alg: z.literal('RS256') });
const jwtClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
});

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Access and refresh tokens. Tokens stay valid until expired, revoked or reset through the controls. */
export class TokenService {
  private readonly access = new Map<string, Session>();
  private readonly refresh = new Map<string, { userId: string }>();
  private readonly jwtKey: KeyObject | undefined;

  constructor(private readonly config: OAuthConfig) {
    this.jwtKey = config.jwtPublicKeyPem ? createPublicKey(config.jwtPublicKeyPem) : undefined;
  }

  issueAccessToken(userId: string): string {
    const token = `${this.config.orgId.slice(0, 15)}!AQ${randomBytes(24).toString('base64url')}`;
    this.access.set(token, { userId, issuedAt: Date.now() });
    this.config.onChange();
    return token;
  }

  issueRefreshToken(userId: string): string {
    const token = `5Aep861${randomBytes(24).toString('base64url')}`;
    this.refresh.set(token, { userId });
    this.config.onChange();
    return token;
  }

  /** The session behind an `Authorization: Bearer <token>` (or `OAuth <token>`) header. */
  session(authorization: string | undefined): Session | undefined {
    const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(authorization ?? '');
    return match?.[1] ? this.access.get(match[1]) : undefined;
  }

  activeAccessTokens(): number {
    return this.access.size;
  }

  /** Invalidates every access token; refresh tokens keep working, so clients can recover. */
  expireAccessTokens(): void {
    this.access.clear();
    this.config.onChange();
  }

  revokeAll(): void {
    this.access.clear();
    this.refresh.clear();
    this.config.onChange();
  }

  revoke(token: string): boolean {
    const refresh = this.refresh.get(token);
    if (refresh) this.refresh.delete(token);
    const removed = this.access.delete(token) || refresh !== undefined;
    if (removed) this.config.onChange();
    return removed;
  }

  toState(): TokenState {
    return {
      access: [...this.access].map(([token, s]) => ({ token, ...s })),
      refresh: [...this.refresh].map(([token, s]) => ({ token, ...s })),
    };
  }

  loadState(state: TokenState): void {
    this.access.clear();
    this.refresh.clear();
    for (const { token, ...session } of state.access) this.access.set(token, session);
    for (const { token, userId } of state.refresh) this.refresh.set(token, { userId });
  }

  /** `POST /services/oauth2/token`; `baseUrls` are the addresses this server answers on (JWT audiences). */
  handleTokenRequest(params: URLSearchParams, baseUrls: string[]): OAuthReply {
    const grant = params.get('grant_type');
    switch (grant) {
      case 'client_credentials':
        if (params.get('client_id') !== this.config.clientId || params.get('client_secret') !== this.config.clientSecret) {
          return oauthError('invalid_client', 'invalid client credentials');
        }
        return this.grant(this.config.runAsUserId, baseUrls[0] ?? '');
      case JWT_BEARER_GRANT:
        return this.jwtBearer(params.get('assertion') ?? '', baseUrls);
      case 'refresh_token': {
        if (params.get('client_id') !== this.config.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
        const secret = params.get('client_secret');
        if (secret !== null && secret !== this.config.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
        const stored = this.refresh.get(params.get('refresh_token') ?? '');
        if (!stored) return oauthError('invalid_grant', 'expired access/refresh token');
        return this.grant(stored.userId, baseUrls[0] ?? '');
      }
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  private jwtBearer(assertion: string, baseUrls: string[]): OAuthReply {
    if (!this.jwtKey) return oauthError('invalid_grant', 'no certificate is configured for JWT bearer on this emulator (jwtPublicKeyPem)');
    const [header, payload, signature, ...extra] = assertion.split('.');
    if (!header || !payload || !signature || extra.length > 0) return oauthError('invalid_grant', 'invalid assertion');
    let claims: z.infer<typeof jwtClaimsSchema>;
    try {
      jwtHeaderSchema.parse(decodeSegment(header));
      claims = jwtClaimsSchema.parse(decodeSegment(payload));
    } catch {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    const signed = verify('sha256', Buffer.from(`${header}.${payload}`), this.jwtKey, Buffer.from(signature, 'base64url'));
    if (!signed) return oauthError('invalid_grant', 'invalid assertion');
    if (claims.iss !== this.config.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).map(trimSlash);
    if (!baseUrls.some((url) => audiences.includes(trimSlash(url)))) return oauthError('invalid_grant', 'audience is invalid');
    if (claims.exp * 1000 <= Date.now()) return oauthError('invalid_grant', 'expired authorization code');
    const userId = this.config.findUserIdByUsername(claims.sub);
    if (!userId) return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    return this.grant(userId, baseUrls[0] ?? '');
  }

  private grant(userId: string, baseUrl: string): OAuthReply {
    const id = `${baseUrl}/id/${this.config.orgId}/${userId}`;
    const issuedAt = String(Date.now());
    const signature = createHmac('sha256', this.config.clientSecret).update(id + issuedAt).digest('base64');
    return {
      status: 200,
      body: {
        access_token: this.issueAccessToken(userId),
        instance_url: baseUrl,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
        signature,
        scope: 'api',
      },
    };
  }
}
