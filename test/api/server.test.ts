import { startApiServer, type RunningApi } from '../../src/api/server';
import { deps, KEYS } from './harness';

let api: RunningApi;
beforeAll(async () => {
  api = await startApiServer(deps(), { port: 0 });
});
afterAll(() => api.close());

test('startApiServer listens on loopback and answers over real HTTP', async () => {
  expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'over-http-1' } });
  expect([res.status, await res.json(), res.headers.get('x-request-id')]).toEqual([200, { status: 'ok' }, 'over-http-1']);
});

test('bad input over a real socket: malformed JSON is 400, an oversized body 413, both in the error shape', async () => {
  const malformed = await fetch(`${api.url}/v1/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS.crm}`, 'content-type': 'application/json' },
    body: '{"leadId": "00Q000000000001EAA",',
  });
  expect([malformed.status, ((await malformed.json()) as { error: { code: string } }).error.code]).toEqual([400, 'VALIDATION_FAILED']);
  const huge = await fetch(`${api.url}/v1/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS.crm}`, 'content-type': 'application/json' },
    body: JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }),
  });
  expect([huge.status, ((await huge.json()) as { error: { code: string } }).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
});
