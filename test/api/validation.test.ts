import { toId18 } from '../../src/domain/salesforce-id';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { signBody } from '../../src/api/auth';
import { bearer, captureLogs, deps, hotTrigger, inject, KEYS, nowIso, PEOPLE, WEBHOOK_SECRET } from './harness';

let app: FastifyInstance;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  logs = captureLogs();
  app = await buildApp(deps({ logger: logs.logger }));
});
afterAll(() => app.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = bearer('crm')) =>
  inject(app, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

const expectValidationFailed = (res: Awaited<ReturnType<typeof post>>) => {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body.error.code).toBe('VALIDATION_FAILED');
  expect(Array.isArray(body.error.details)).toBe(true);
  return body.error as { message: string; details: { in: string; path: (string | number)[]; code: string; message: string; expected?: string }[] };
};

describe('bad input gets 400 VALIDATION_FAILED with the zod issues, never a 500', () => {
  test('zod issues carry where, path, code and what was expected', async () => {
    const error = expectValidationFailed(await post('/v1/leads', { leadId: 5, eventId: 'e 1', occurredAt: 'yesterday', colour: 'red' }));
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: ['leadId'], code: 'invalid_type', expected: 'string' }),
        expect.objectContaining({ in: 'body', path: ['eventId'], code: 'invalid_format' }),
        expect.objectContaining({ in: 'body', path: ['occurredAt'], code: 'invalid_format' }),
        expect.objectContaining({ in: 'body', path: [], code: 'unrecognized_keys' }),
      ]),
    );
    expect(error.message).toMatch(/^body\.leadId: .*\(and 3 more\)$/);
  });

  test.each([
    ['malformed JSON', '{"leadId": ', 'application/json', /not valid JSON/],
    ['prototype poisoning', '{"__proto__": {"admin": true}}', 'application/json', /not valid JSON/],
    ['a text body', 'leadId=00Q000000000001EAA', 'text/plain', /unsupported Content-Type "text\/plain"/],
    ['a form body', 'leadId=00Q000000000001EAA', 'application/x-www-form-urlencoded', /unsupported Content-Type/],
    ['XML on a JSON route', '<a/>', 'text/xml', /expected Content-Type application\/json/],
    ['an empty body', '', 'application/json', /expected object/],
    ['a JSON array', '[]', 'application/json', /expected object/],
    ['JSON null', 'null', 'application/json', /expected object/],
    ['a +json media type', '{"leadId":"00Q000000000001EAA"}', 'application/vnd.handoff+json', /eventId/],
  ])('%s', async (_name, payload, contentType, message) => {
    const error = expectValidationFailed(await post('/v1/leads', payload, { ...bearer('crm'), 'content-type': contentType }));
    expect(error.message).toMatch(message);
  });

  test('a body without Content-Type', async () => {
    const res = await inject(app, { method: 'POST', url: '/v1/leads/00Q000000000001EAA/accept', headers: { ...bearer('sales') }, payload: Buffer.from('{"repId":"r"}') });
    expect(expectValidationFailed(res).message).toMatch(/Content-Type/);
  });

  test('path parameters are validated', async () => {
    const res = await inject(app, { method: 'GET', url: `/v1/leads/${'x'.repeat(81)}`, headers: bearer('sales') });
    expect(expectValidationFailed(res).details[0]).toMatchObject({ in: 'params', path: ['leadId'] });
  });

  test('query parameters are validated', async () => {
    const res = await inject(app, { method: 'GET', url: '/v1/audit/sla?from=yesterday&to=2026-01-01&format=xml', headers: bearer('revops') });
    const error = expectValidationFailed(res);
    expect(error.details.map((d) => d.path[0]).sort()).toEqual(['format', 'from']);
    const reversed = await inject(app, { method: 'GET', url: '/v1/audit/funnel?from=2026-02-01&to=2026-01-01', headers: bearer('revops') });
    expect(expectValidationFailed(reversed).details[0]).toMatchObject({ in: 'query', path: ['to'] });
  });

  test('an Idempotency-Key must be visible ASCII', async () => {
    const res = await post('/v1/leads/00Q000000000001EAA/accept', { repId: PEOPLE.rep }, { ...bearer('sales'), 'idempotency-key': 'x'.repeat(201) });
    expect(expectValidationFailed(res).details[0]).toMatchObject({ in: 'headers', path: ['idempotency-key'] });
  });
});

describe('bodies are checked against the policy', () => {
  test('an unknown engagement type is refused with the known ones', async () => {
    const error = expectValidationFailed(await post('/v1/leads/00Q000000000001EAA/events', { eventId: 'e1', type: 'tiktok_like', occurredAt: nowIso() }));
    expect(error.details).toEqual([expect.objectContaining({ path: ['type'], code: 'policy', message: expect.stringMatching(/unknown engagement type "tiktok_like".*demo_request/) })]);
  });

  test('trigger activities, team and time zone', async () => {
    const trigger = {
      ...hotTrigger('00Q000000000001EAA'),
      activities: [{ type: 'demo_request', occurredAt: nowIso() }, { type: 'coffee', occurredAt: nowIso() }],
      team: 'mars',
      timezone: 'Mars/Olympus_Mons',
    };
    const error = expectValidationFailed(await post('/v1/leads', trigger));
    expect(error.details.map((d) => d.path)).toEqual([['activities', 1, 'type'], ['team'], ['timezone']]);
  });

  test('notes are required for the policy notesRequiredFor reasons (reject) and OTHER (disqualify)', async () => {
    const reject = expectValidationFailed(await post('/v1/leads/00Q000000000001EAA/reject', { repId: PEOPLE.rep, reason: 'OTHER' }, bearer('sales')));
    expect(reject.details).toEqual([expect.objectContaining({ path: ['notes'], message: 'notes are required when rejecting with reason OTHER' })]);
    const disqualify = expectValidationFailed(await post('/v1/leads/00Q000000000001EAA/disqualify', { actorId: PEOPLE.revops, reason: 'OTHER' }, bearer('revops')));
    expect(disqualify.details[0]).toMatchObject({ path: ['notes'] });
    const unknownReason = expectValidationFailed(await post('/v1/leads/00Q000000000001EAA/reject', { repId: PEOPLE.rep, reason: 'BORED' }, bearer('sales')));
    expect(unknownReason.details[0]).toMatchObject({ path: ['reason'], code: 'invalid_value' });
  });
});

describe('limits and hygiene', () => {
  test('a body over 1 MB is 413 in the error shape', async () => {
    const res = await post('/v1/leads', { leadId: '00Q000000000001EAA', padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
  });

  test('an unknown route is 404 in the error shape', async () => {
    const res = await inject(app, { method: 'DELETE', url: '/v1/leads/L1?key=abc' });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route DELETE /v1/leads/L1' } });
  });

  test('request ids: a sane x-request-id is echoed, anything else replaced', async () => {
    const echoed = await inject(app, { method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const replaced = await inject(app, { method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\u0007' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await inject(app, { method: 'GET', url: '/healthz' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.lines.some((l) => JSON.parse(l).requestId === 'abc-123')).toBe(true);
  });

  test('logs are JSON with the lead id, and carry no personal data from bodies', async () => {
    logs.lines.length = 0;
    await post('/v1/leads/00Q00000000LOGS/events', { eventId: 'e1', type: 'nope', occurredAt: nowIso(), email: 'jane@acme.example' });
    await post('/v1/leads', { ...hotTrigger('00Q00000000LOGS'), firmographics: { title: 'VP Secret Title', company: 'Acme' }, team: 'nowhere' });
    const entries = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.leadId === toId18('00Q00000000LOGS')).length).toBeGreaterThanOrEqual(2);
    const text = logs.lines.join('\n');
    expect(text).not.toContain('jane@acme.example');
    expect(text).not.toContain('VP Secret Title');
  });

  test('/healthz is always 200', async () => {
    const res = await inject(app, { method: 'GET', url: '/healthz' });
    expect([res.status, res.json()]).toEqual([200, { status: 'ok' }]);
  });
});

describe('rate limits: by client address before authentication, by API key after', () => {
  const get = (app: FastifyInstance, headers: Record<string, string>, remoteAddress = '192.0.2.10') =>
    inject(app, { method: 'GET', url: '/v1/leads/bad%20id', headers, remoteAddress });

  test('429 with Retry-After past the limit, per key; health checks are not limited', async () => {
    const limited = await buildApp(deps({ rateLimit: { max: 3, perAddress: 100, windowMs: 60_000 } }));
    for (let i = 0; i < 3; i++) expect((await get(limited, bearer('sales'))).status).toBe(400);
    const refused = await get(limited, bearer('sales'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().error).toEqual({ code: 'RATE_LIMITED', message: 'rate limit of 3 requests per 60s per API key exceeded' });
    expect((await get(limited, bearer('revops'))).status).toBe(400);
    for (let i = 0; i < 5; i++) expect((await inject(limited, { method: 'GET', url: '/healthz' })).status).toBe(200);
    await limited.close();
  });

  test('wrong keys are counted by address before authentication, so guessing is limited too', async () => {
    const limited = await buildApp(deps({ rateLimit: { max: 100, perAddress: 3, windowMs: 60_000 } }));
    for (let i = 0; i < 3; i++) expect((await get(limited, { authorization: `Bearer guess-${i}-000000000000` })).status).toBe(401);
    const refused = await get(limited, { authorization: 'Bearer guess-3-000000000000' });
    expect(refused.json().error).toEqual({ code: 'RATE_LIMITED', message: 'rate limit of 3 requests per 60s per client address exceeded' });
    // Now even the right key from that address waits; another address is not affected.
    expect((await get(limited, bearer('sales'))).status).toBe(429);
    expect((await get(limited, bearer('sales'), '192.0.2.11')).status).toBe(400);
    const signIn = await inject(limited, {
      method: 'POST',
      url: '/dashboard/sign-in',
      remoteAddress: '192.0.2.10',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${KEYS.revops}`,
    });
    expect(signIn.status).toBe(429);
    await limited.close();
  });

  test('X-Forwarded-For is believed from the configured proxies only: a spoofed one neither dodges the limit nor is logged as the client', async () => {
    const proxyLogs = captureLogs();
    const limited = await buildApp(deps({ rateLimit: { max: 100, perAddress: 2, windowMs: 60_000 }, trustProxy: ['10.0.0.0/8'], logger: proxyLogs.logger }));
    const spoofed = (n: number) => get(limited, { ...bearer('sales'), 'x-forwarded-for': `198.51.100.${n}` }, '203.0.113.7');
    expect((await spoofed(1)).status).toBe(400);
    expect((await spoofed(2)).status).toBe(400);
    expect((await spoofed(3)).status).toBe(429);
    const entries = proxyLogs.lines.map((l) => JSON.parse(l) as { req?: { remoteAddress?: string } });
    const logged = entries.flatMap((e) => (e.req?.remoteAddress ? [e.req.remoteAddress] : []));
    expect(logged.length).toBeGreaterThan(0);
    expect(new Set(logged)).toEqual(new Set(['203.0.113.7']));

    // Through the load balancer, each client has its own bucket, and is logged as itself.
    const viaProxy = (client: string) => get(limited, { ...bearer('sales'), 'x-forwarded-for': `${client}, 10.1.2.3` }, '10.0.0.5');
    expect((await viaProxy('198.51.100.20')).status).toBe(400);
    expect((await viaProxy('198.51.100.20')).status).toBe(400);
    expect((await viaProxy('198.51.100.20')).status).toBe(429);
    expect((await viaProxy('198.51.100.21')).status).toBe(400);
    expect(proxyLogs.lines.some((l) => l.includes('"remoteAddress":"198.51.100.21"'))).toBe(true);
    await limited.close();
  });

  test('signed requests count against the webhook', async () => {
    const limited = await buildApp(deps({ rateLimit: { max: 1, perAddress: 100, windowMs: 60_000 } }));
    const signed = (n: number) => {
      const body = JSON.stringify({ n });
      return inject(limited, {
        method: 'POST',
        url: '/v1/leads',
        headers: { 'content-type': 'application/json', 'handoff-signature': signBody(WEBHOOK_SECRET, body) },
        payload: body,
      });
    };
    expect((await signed(1)).status).toBe(400);
    expect((await signed(2)).status).toBe(429);
    await limited.close();
  });
});

describe('NUL characters and deep nesting are 400, wherever they are', () => {
  test.each([
    ['a query parameter', 'GET', `/v1/audit/sla?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&team=%00na`, 'revops', undefined, ['query', 'team']],
    ['a query parameter name', 'GET', `/v1/audit/funnel?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&x%00=1`, 'revops', undefined, ['query', 'x\u0000']],
    ['a path parameter', 'GET', '/v1/leads/L%001', 'sales', undefined, ['params', 'leadId']],
    ['a body field', 'POST', '/v1/leads/L1/reject', 'sales', { repId: 'r1', reason: 'OTHER', notes: 'call me\u0000' }, ['body', 'notes']],
    ['a nested body field', 'POST', '/v1/leads', 'crm', { ...hotTrigger('L1'), firmographics: { industry: 'Soft\u0000ware' } }, ['body', 'firmographics', 'industry']],
    ['a body key', 'POST', '/v1/leads/L1/accept', 'sales', { repId: 'r1', 'x\u0000': 1 }, ['body', 'x\u0000']],
  ] as const)('in %s', async (_name, method, url, role, payload, [where, ...path]) => {
    const res = await inject(app, {
      method,
      url,
      headers: { ...bearer(role), ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    const error = expectValidationFailed(res);
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ in: where, path, message: 'NUL characters (\\u0000) are not allowed' })]));
  });

  test('a body nested 20,000 deep', async () => {
    const deep = `{"leadId":"L1","firmographics":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const error = expectValidationFailed(await post('/v1/leads', deep));
    expect(error.details[0]).toMatchObject({ in: 'body', code: 'too_deep', message: 'nested deeper than 32 levels' });
  });
});

describe('Temporal unreachable', () => {
  test('a valid action answers 503 with Retry-After', async () => {
    const res = await post('/v1/leads/00Q000000000001EAA/accept', { repId: PEOPLE.rep }, { authorization: `Bearer ${KEYS.sales}` });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json().error.code).toBe('UNAVAILABLE');
  });

  test('reports and the dashboard answer 503 without a ledger', async () => {
    for (const url of ['/v1/audit/sla?from=2026-10-01&to=2026-11-01', '/v1/audit/funnel?from=2026-10-01&to=2026-11-01', '/dashboard']) {
      const res = await inject(app, { method: 'GET', url, headers: bearer('revops') });
      expect([res.status, res.json().error.code]).toEqual([503, 'UNAVAILABLE']);
    }
  });

  test('/readyz answers 503 listing what failed', async () => {
    const res = await inject(app, { method: 'GET', url: '/readyz' });
    expect(res.status).toBe(503);
    const body = res.json();
    expect(body.error.code).toBe('NOT_READY');
    const checks = Object.fromEntries((body.error.details.checks as { name: string; status: string; fix?: string }[]).map((c) => [c.name, c]));
    expect(Object.keys(checks).sort()).toEqual(['api-keys', 'ledger', 'owners', 'policy', 'salesforce', 'search-attributes', 'temporal', 'worker']);
    expect(checks.ledger).toMatchObject({ status: 'failed', detail: 'not configured', fix: expect.stringContaining('DATABASE_URL') });
    expect(checks.policy).toMatchObject({ status: 'ok' });
    expect(checks.temporal).toMatchObject({ status: 'failed', fix: expect.stringContaining('TEMPORAL_ADDRESS') });
  });
});
