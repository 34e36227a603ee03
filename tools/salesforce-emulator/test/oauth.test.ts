import { createSign, generateKeyPairSync } from 'node:crypto';
import { Connection } from 'jsforce';
import type { Emulator } from '../index';
import { INTEGRATION_USER_ID } from '../index';
import { API_VERSION, failure, http, idOf, lead, rest, start } from './helpers';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

function signJwt(claims: Record<string, unknown>, key = privateKey, header: Record<string, unknown> = { alg: 'RS256' }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

async function token(emulator: Emulator, params: Record<string, string>) {
  const response = await fetch(`${emulator.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

describe('OAuth token endpoint', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await start({ jwtPublicKeyPem: publicPem });
  });
  afterAll(() => emulator.close());

  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: 'handoff-dev',
    sub: 'integration@handoff.emulator',
    aud: emulator.url,
    exp: Math.floor(Date.now() / 1000) + 180,
    ...overrides,
  });

  it('grants client credentials through jsforce and the token works for data calls', async () => {
    const conn = new Connection({ loginUrl: emulator.url, version: API_VERSION, oauth2: { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret', loginUrl: emulator.url } });
    const userInfo = await conn.authorize({ grant_type: 'client_credentials' });
    expect(userInfo).toEqual({ id: INTEGRATION_USER_ID, organizationId: '00D000000000001EAA', url: `${emulator.url}/id/00D000000000001EAA/${INTEGRATION_USER_ID}` });
    expect(conn.instanceUrl).toBe(emulator.url);
    const created = await conn.sobject('Lead').create(lead());
    expect(created.success).toBe(true);
    const identity = (await conn.identity()) as unknown as Record<string, unknown>;
    expect(identity).toMatchObject({ emulator: true, user_id: INTEGRATION_USER_ID, username: 'integration@handoff.emulator' });
  });

  it('answers the documented token response shape', async () => {
    const reply = await token(emulator, { grant_type: 'client_credentials', client_id: 'handoff-dev', client_secret: 'handoff-dev-secret' });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('application/json;charset=UTF-8');
    expect(reply.body).toEqual({
      access_token: expect.stringMatching(/^00D000000000001!AQ/),
      instance_url: emulator.url,
      id: `${emulator.url}/id/00D000000000001EAA/${INTEGRATION_USER_ID}`,
      token_type: 'Bearer',
      issued_at: expect.stringMatching(/^\d{13}$/),
      signature: expect.any(String),
      scope: 'api',
    });
  });

  it.each([
    ['a wrong secret', { client_id: 'handoff-dev', client_secret: 'nope' }],
    ['an unknown client', { client_id: 'someone-else', client_secret: 'handoff-dev-secret' }],
    ['no credentials', {}],
  ])('rejects client credentials with %s', async (_, credentials) => {
    const reply = await token(emulator, { grant_type: 'client_credentials', ...credentials });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('surfaces invalid_client as the jsforce error name', async () => {
    const conn = new Connection({ loginUrl: emulator.url, version: API_VERSION, oauth2: { clientId: 'handoff-dev', clientSecret: 'wrong', loginUrl: emulator.url } });
    const error = await failure(conn.authorize({ grant_type: 'client_credentials' }));
    expect(error.name).toBe('invalid_client');
  });

  it('rejects unsupported grant types', async () => {
    const reply = await token(emulator, { grant_type: 'password', username: 'x', password: 'y' });
    expect(reply).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });

  it('grants a JWT bearer assertion signed with the configured key', async () => {
    const conn = new Connection({ loginUrl: emulator.url, version: API_VERSION });
    const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion: signJwt(claims({ sub: 'rep@handoff.emulator' })) });
    expect(userInfo.id).toBe('005000000000002AAA');
    const created = await conn.sobject('Task').create({ Subject: 'Call' });
    const task = await conn.sobject('Task').retrieve(idOf(created), { fields: ['OwnerId', 'CreatedById'] });
    expect(task).toMatchObject({ OwnerId: '005000000000002AAA', CreatedById: '005000000000002AAA' });
  });

  it.each([
    ['signed by another key', () => signJwt(claims(), other.privateKey), 'invalid_grant', 'invalid assertion'],
    ['expired', () => signJwt(claims({ exp: Math.floor(Date.now() / 1000) - 1 })), 'invalid_grant', 'expired authorization code'],
    ['for another audience', () => signJwt(claims({ aud: 'https://login.salesforce.com' })), 'invalid_grant', 'audience is invalid'],
    ['from another client', () => signJwt(claims({ iss: 'someone-else' })), 'invalid_client_id', 'client identifier invalid'],
    ['for an unknown user', () => signJwt(claims({ sub: 'nobody@example.com' })), 'invalid_grant', "user hasn't approved this consumer"],
    ['with another algorithm', () => signJwt(claims(), privateKey, { alg: 'HS256' }), 'invalid_grant', 'invalid assertion'],
    ['that is not a JWT', () => 'not-a-jwt', 'invalid_grant', 'invalid assertion'],
  ])('rejects a JWT assertion %s', async (_, assertion, error, description) => {
    const reply = await token(emulator, { grant_type: JWT_GRANT, assertion: assertion() });
    expect(reply).toEqual({ status: 400, contentType: 'application/json;charset=UTF-8', body: { error, error_description: description } });
  });

  it('refuses JWT bearer when no public key is configured', async () => {
    const bare = await start();
    try {
      const reply = await token(bare, { grant_type: JWT_GRANT, assertion: signJwt({ iss: 'handoff-dev', sub: 'integration@handoff.emulator', aud: bare.url, exp: 9e9 }) });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('invalid_grant');
    } finally {
      await bare.close();
    }
  });

  it('does not count token requests against the daily API allocation', async () => {
    const before = emulator.apiCalls();
    await token(emulator, { grant_type: 'client_credentials', client_id: 'handoff-dev', client_secret: 'handoff-dev-secret' });
    expect(emulator.apiCalls()).toBe(before);
  });
});

describe('sessions', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start();
  });
  afterEach(() => emulator.close());

  it('answers 401 INVALID_SESSION_ID exactly, without a limit header, for a missing, unknown or expired token', async () => {
    const valid = emulator.issueToken();
    expect((await rest(emulator, 'GET', '/limits', { token: valid })).status).toBe(200);
    emulator.expireTokens();
    for (const tokenValue of [valid, 'garbage', null]) {
      const response = await rest(emulator, 'GET', '/limits', { token: tokenValue });
      expect(response.status).toBe(401);
      expect(response.text).toBe('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]');
      expect(response.headers.get('sforce-limit-info')).toBeNull();
    }
    expect(emulator.apiCalls()).toBe(1);
  });

  it('lets jsforce refresh with a refresh token after the access tokens expire, then retry the call', async () => {
    const conn = new Connection({
      instanceUrl: emulator.url,
      accessToken: emulator.issueToken(),
      refreshToken: emulator.issueRefreshToken(),
      version: API_VERSION,
      oauth2: { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret', loginUrl: emulator.url },
    });
    const refreshed: string[] = [];
    conn.on('refresh', (accessToken: string) => refreshed.push(accessToken));
    await conn.sobject('Lead').create(lead());
    emulator.expireTokens();
    const result = await conn.query('SELECT Id FROM Lead');
    expect(result.totalSize).toBe(1);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).toBe(refreshed[0]);
    const grants = emulator.requestLog().filter((e) => e.kind === 'oauth').map((e) => e.status);
    expect(grants).toEqual([200]);
  });

  it('refreshes a client-credentials session through a custom refreshFn', async () => {
    const oauth2 = { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret', loginUrl: emulator.url };
    const conn: Connection = new Connection({
      loginUrl: emulator.url,
      version: API_VERSION,
      oauth2,
      refreshFn: (_conn, callback) => {
        const fresh = new Connection({ loginUrl: emulator.url, version: API_VERSION, oauth2 });
        fresh.authorize({ grant_type: 'client_credentials' }).then(
          () => callback(null, fresh.accessToken ?? undefined),
          (error: Error) => callback(error),
        );
      },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    emulator.expireTokens();
    const created = await conn.sobject('Lead').create(lead());
    expect(created.success).toBe(true);
    expect(emulator.records('Lead')).toHaveLength(1);
  });

  it('answers invalid_grant for a revoked refresh token, which jsforce reports', async () => {
    const refreshToken = emulator.issueRefreshToken();
    emulator.revokeTokens();
    const conn = new Connection({
      instanceUrl: emulator.url,
      accessToken: 'expired',
      refreshToken,
      version: API_VERSION,
      oauth2: { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret', loginUrl: emulator.url },
    });
    const error = await failure(conn.query('SELECT Id FROM Lead'));
    expect(error.message).toBe('Unable to refresh session due to: expired access/refresh token');
  });

  it('checks the client on refresh', async () => {
    const refreshToken = emulator.issueRefreshToken();
    const wrongClient = await token(emulator, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'other' });
    expect(wrongClient).toMatchObject({ status: 400, body: { error: 'invalid_client_id' } });
    const wrongSecret = await token(emulator, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'handoff-dev', client_secret: 'x' });
    expect(wrongSecret).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    const ok = await token(emulator, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'handoff-dev' });
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toBeUndefined();
  });

  it('revokes a token through /services/oauth2/revoke', async () => {
    const accessToken = emulator.issueToken();
    const revoke = await fetch(`${emulator.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect((await rest(emulator, 'GET', '/limits', { token: accessToken })).status).toBe(401);
    const again = await http(emulator, 'POST', '/services/oauth2/revoke', { rawBody: `token=${accessToken}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(again.status).toBe(400);
  });

  it('accepts the OAuth authorization scheme as well as Bearer', async () => {
    const accessToken = emulator.issueToken();
    const response = await rest(emulator, 'GET', '/limits', { token: null, headers: { Authorization: `OAuth ${accessToken}` } });
    expect(response.status).toBe(200);
  });
});
