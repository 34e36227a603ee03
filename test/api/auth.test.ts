import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { devKeysWarning, KeyRing, parseApiKeys, SignatureVerifier, signBody } from '../../src/api/auth';
import { ApiConfigError, apiConfigFromEnv, DEFAULT_SALESFORCE_ORG_ID } from '../../src/api/config';
import { bearer, captureLogs, deps, HASHED_SALES_KEY, inject, KEYS, WEBHOOK_SECRET } from './harness';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('API keys', () => {
  test('plain and sha256-hashed keys, one key under several roles carries all of them', () => {
    const ring = new KeyRing(parseApiKeys(`crm:plain-key-0000000001, sales:sha256:${sha('hashed-key-00000001')},revops:plain-key-0000000001`));
    expect([...(ring.authenticate('plain-key-0000000001')?.roles ?? [])].sort()).toEqual(['crm', 'revops']);
    expect([...(ring.authenticate('hashed-key-00000001')?.roles ?? [])]).toEqual(['sales']);
    expect(ring.authenticate('nope')).toBeUndefined();
    expect(ring.authenticate(sha('hashed-key-00000001'))).toBeUndefined();
  });

  test('bad entries are all listed', () => {
    expect(() => parseApiKeys('admin:xxxxxxxxxxxxxxxxxxx,crm:short,sales:sha256:abc,revops')).toThrow(
      /entry 1: expected.*\n.*entry 2: a key needs at least 16.*\n.*entry 3: expected 64 hex.*\n.*entry 4: expected/,
    );
    expect(() => parseApiKeys(' , ')).toThrow(/no keys/);
  });

  test('configuration: production without keys fails at start; development generates and prints keys', () => {
    expect(() => apiConfigFromEnv({ NODE_ENV: 'production' })).toThrow(ApiConfigError);
    const dev = apiConfigFromEnv({});
    expect(dev.devKeys?.map((k) => k.role)).toEqual(['crm', 'sales', 'revops']);
    expect(dev.auth.keys).toHaveLength(3);
    expect(devKeysWarning(dev.devKeys!)).toMatch(/WARNING: HANDOFF_API_KEYS is not set/);
    expect(dev.salesforceOrgId).toBe(DEFAULT_SALESFORCE_ORG_ID);
    expect(dev.host).toBe('127.0.0.1');

    const prod = apiConfigFromEnv({
      NODE_ENV: 'production',
      HANDOFF_API_KEYS: `crm:sha256:${sha('x')}`,
      HANDOFF_WEBHOOK_SECRET: 'a-long-enough-secret',
      SALESFORCE_ORG_ID: '00D5g000004ABCDEAA',
      HANDOFF_RATE_LIMIT_PER_MINUTE: '0',
      HANDOFF_OUTBOUND_FIELD_MAP: '{"team":"Handoff_Team__c"}',
      HANDOFF_OUTBOUND_REQUIRE_KEY: 'true',
      HANDOFF_TRUST_PROXY: '10.0.0.0/8',
    });
    expect(prod).toMatchObject({
      devKeys: null,
      host: '0.0.0.0',
      salesforceOrgId: '00D5g000004ABCDEAA',
      rateLimit: { max: 0 },
      outboundMessages: { fieldMap: { team: 'Handoff_Team__c' }, requireKey: true },
      auth: { webhookSecret: 'a-long-enough-secret' },
      trustProxy: '10.0.0.0/8',
    });
    expect(apiConfigFromEnv({ HANDOFF_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(apiConfigFromEnv({}).trustProxy).toBeUndefined();
  });

  test('configuration problems are listed together', () => {
    try {
      apiConfigFromEnv({ HANDOFF_API_KEYS: 'boss:whatever-key-123456', SALESFORCE_ORG_ID: 'x', HANDOFF_WEBHOOK_SECRET: 'short' });
      throw new Error('expected a configuration error');
    } catch (err) {
      expect((err as ApiConfigError).problems).toEqual([
        expect.stringMatching(/^HANDOFF_WEBHOOK_SECRET/),
        expect.stringMatching(/^SALESFORCE_ORG_ID/),
      ]);
    }
    expect(() => apiConfigFromEnv({ HANDOFF_OUTBOUND_FIELD_MAP: '{"color":"x"}' })).toThrow(/HANDOFF_OUTBOUND_FIELD_MAP/);
    expect(() => apiConfigFromEnv({ HANDOFF_API_KEYS: 'boss:whatever-key-123456' })).toThrow(/entry 1/);
  });
});

describe('Handoff-Signature', () => {
  const t0 = 1_800_000_000;
  const verifier = (now = t0) => new SignatureVerifier('s3cret-s3cret-s3cret', { now: () => now * 1000 });

  test('a fresh, correct signature passes once; its replay is refused', () => {
    const v = verifier();
    const header = signBody('s3cret-s3cret-s3cret', '{"a":1}', t0);
    expect(v.verify(header, '{"a":1}')).toEqual({ ok: true });
    expect(v.verify(header, '{"a":1}')).toEqual({ ok: false, reason: 'signature already used' });
  });

  test('wrong secret, changed body, stale or future timestamp, malformed header', () => {
    const v = verifier();
    expect(v.verify(signBody('other-secret-000000', 'x', t0), 'x')).toMatchObject({ reason: 'signature does not match' });
    expect(v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0), 'y')).toMatchObject({ reason: 'signature does not match' });
    expect(v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0 - 301), 'x')).toMatchObject({ reason: /tolerance/ });
    expect(v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0 + 301), 'x')).toMatchObject({ reason: /tolerance/ });
    expect(v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0 - 299), 'x')).toEqual({ ok: true });
    for (const header of ['', 'v1=abc', `t=${t0}`, `t=abc,v1=${'0'.repeat(64)}`, 'garbage']) {
      expect(v.verify(header, 'x')).toMatchObject({ ok: false, reason: /malformed/ });
    }
  });

  test('any of several v1 values may match (secret rotation)', () => {
    const good = signBody('s3cret-s3cret-s3cret', 'x', t0).split(',v1=')[1];
    expect(verifier().verify(`t=${t0},v1=${'ab'.repeat(32)},v1=${good}`, 'x')).toEqual({ ok: true });
  });

  test('a remembered signature is forgotten once outside the window', () => {
    let now = t0;
    const v = new SignatureVerifier('s3cret-s3cret-s3cret', { now: () => now * 1000 });
    v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0), 'x');
    now = t0 + 700;
    expect(v.verify(signBody('s3cret-s3cret-s3cret', 'x', t0), 'x')).toMatchObject({ reason: /tolerance/ });
  });
});

describe('authentication and roles on the routes', () => {
  let app: FastifyInstance;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    logs = captureLogs();
    app = await buildApp(deps({ logger: logs.logger }));
  });
  afterAll(() => app.close());

  // An authenticated request with an empty body gets 400: authentication passed, validation did not.
  const post = (url: string, headers: Record<string, string> = {}, payload = '{}') =>
    inject(app, { method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

  test.each([
    ['POST', '/v1/leads', 'crm'],
    ['POST', '/v1/leads/00Q000000000001EAA/events', 'crm'],
    ['POST', '/v1/leads/00Q000000000001EAA/accept', 'sales'],
    ['POST', '/v1/leads/00Q000000000001EAA/reject', 'sales'],
    ['POST', '/v1/leads/00Q000000000001EAA/contact-attempts', 'sales'],
    ['POST', '/v1/leads/00Q000000000001EAA/qualify', 'sales'],
    ['POST', '/v1/leads/00Q000000000001EAA/convert', 'sales'],
    ['POST', '/v1/leads/00Q000000000001EAA/disqualify', 'sales,revops'],
    ['POST', '/v1/leads/00Q000000000001EAA/reassign', 'sales,revops'],
    ['POST', '/v1/leads/00Q000000000001EAA/review', 'revops'],
    ['GET', '/v1/leads/bad%20id/timeline', 'revops'],
    ['GET', '/v1/audit/sla?x=1', 'revops'],
    ['GET', '/v1/audit/funnel?x=1', 'revops'],
  ] as const)('%s %s needs %s', async (method, url, allowed) => {
    const roles = allowed.split(',');
    const send = (headers: Record<string, string>) =>
      method === 'POST' ? post(url, headers) : inject(app, { method, url, headers });
    const missing = await send({});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json().error.code).toBe('UNAUTHORIZED');
    expect((await send({ authorization: 'Bearer not-a-key' })).status).toBe(401);
    expect((await send({ authorization: `Basic ${KEYS.crm}` })).status).toBe(401);
    for (const role of ['crm', 'sales', 'revops'] as const) {
      const res = await send(bearer(role));
      if (roles.includes(role)) expect(res.status).toBe(400);
      else expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.stringContaining(allowed.replace(',', ' or ')) } });
    }
  });

  test('GET /v1/leads/:leadId is for sales and revops', async () => {
    const get = (headers: Record<string, string>) => inject(app, { method: 'GET', url: '/v1/leads/bad%20id', headers });
    expect((await get({})).status).toBe(401);
    expect((await get(bearer('crm'))).status).toBe(403);
    expect((await get(bearer('sales'))).status).toBe(400);
    expect((await get(bearer('revops'))).status).toBe(400);
  });

  test('a key configured by its sha256 digest authenticates', async () => {
    expect((await post('/v1/leads/00Q000000000001EAA/accept', { authorization: `Bearer ${HASHED_SALES_KEY}` })).status).toBe(400);
  });

  test('HMAC signatures are accepted on CRM routes only, once, and within five minutes', async () => {
    const body = JSON.stringify({ nope: true });
    const signature = signBody(WEBHOOK_SECRET, body);
    expect((await post('/v1/leads', { 'handoff-signature': signature }, body)).status).toBe(400);
    const replay = await post('/v1/leads', { 'handoff-signature': signature }, body);
    expect(replay.status).toBe(401);
    expect(replay.json().error.message).toBe('signature already used');
    const stale = await post('/v1/leads', { 'handoff-signature': signBody(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 301) }, body);
    expect(stale.json().error.message).toMatch(/tolerance/);
    const bad = await post('/v1/leads/00Q000000000001EAA/events', { 'handoff-signature': signBody('some-other-secret', body) }, body);
    expect(bad.json().error).toEqual({ code: 'UNAUTHORIZED', message: 'signature does not match' });
    const tampered = await post('/v1/leads', { 'handoff-signature': signBody(WEBHOOK_SECRET, body) }, JSON.stringify({ nope: false }));
    expect(tampered.status).toBe(401);
    const salesRoute = await post('/v1/leads/00Q000000000001EAA/accept', { 'handoff-signature': signBody(WEBHOOK_SECRET, body) }, body);
    expect(salesRoute.status).toBe(401);
  });

  test('signatures are refused when no webhook secret is configured', async () => {
    const noSecret = await buildApp(deps({ auth: { keys: parseApiKeys(`crm:${KEYS.crm}`) } }));
    const body = '{}';
    const res = await inject(noSecret, {
      method: 'POST',
      url: '/v1/leads',
      headers: { 'content-type': 'application/json', 'handoff-signature': signBody(WEBHOOK_SECRET, body) },
      payload: body,
    });
    expect(res.status).toBe(401);
    expect(res.json().error.message).toMatch(/not enabled/);
    await noSecret.close();
  });

  test('no key, secret or signature reaches the logs', async () => {
    const body = '{"leadId":"00Q000000000001EAA"}';
    await post('/v1/leads', { 'handoff-signature': signBody(WEBHOOK_SECRET, body) }, body);
    await post('/v1/leads/00Q000000000001EAA/accept', bearer('sales'));
    await inject(app, { method: 'GET', url: `/dashboard?key=${KEYS.revops}` });
    await inject(app, { method: 'GET', url: '/v1/audit/sla', headers: { cookie: `handoff_key=${KEYS.revops}` } });
    const text = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(KEYS), WEBHOOK_SECRET, 'v1=']) expect(text).not.toContain(secret);
  });
});
