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

describe('per-key rate limit', () => {
  test('429 with Retry-After past the limit, per key', async () => {
    const limited = await buildApp(deps({ rateLimit: { max: 3, windowMs: 60_000 } }));
    const send = (role: 'sales' | 'revops') => inject(limited, { method: 'GET', url: '/v1/leads/bad%20id', headers: bearer(role) });
    for (let i = 0; i < 3; i++) expect((await send('sales')).status).toBe(400);
    const refused = await send('sales');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect((await send('revops')).status).toBe(400);
    // health checks are not limited
    for (let i = 0; i < 5; i++) expect((await inject(limited, { method: 'GET', url: '/healthz' })).status).toBe(200);
    await limited.close();
  });

  test('signed requests count against the webhook', async () => {
    const limited = await buildApp(deps({ rateLimit: { max: 1, windowMs: 60_000 } }));
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
    expect(Object.keys(body.error.details.checks).sort()).toEqual(['ledger', 'salesforce', 'temporal', 'worker']);
    expect(body.error.details.checks.ledger).toBe('not configured');
  });
});
