import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { ApiConfigError, apiConfigFromEnv } from '../../src/api/config';
import { testDataConverter } from '../helpers/temporal';
import { bearer, deps, inject, KEYS } from './harness';

const OTHER_KEYS = 'k2:2uVnbjAeLH25Hi+QR/uTFrDgQPQfUn+8i/utIACuJ+w=';
const UI = 'http://127.0.0.1:8233';
const secret = { company: 'Acme Logistics GmbH', notes: 'call jane.doe@acme-logistics.com on +1 415 555 0199' };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
/** A payload as the Web UI sends it: proto3 JSON, bytes in base64. */
const jsonPayload = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
};
const valueOf = (p: { metadata: Record<string, string>; data: string }) => {
  expect(unb64(p.metadata.encoding!)).toBe('json/plain');
  return JSON.parse(unb64(p.data));
};

const clientWith = (keys?: string) =>
  new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), dataConverter: testDataConverter(keys) });

let app: FastifyInstance;
let otherApp: FastifyInstance;
beforeAll(async () => {
  const temporal = (keys?: string) => ({
    client: clientWith(keys),
    taskQueue: 'nowhere',
    namespace: 'default',
    timeoutMs: 1000,
  });
  app = await buildApp(deps({ temporal: temporal() }));
  otherApp = await buildApp(deps({ temporal: temporal(OTHER_KEYS), codecCorsOrigins: ['https://cloud.temporal.io'] }));
});
afterAll(async () => {
  await app.close();
  await otherApp.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = bearer('revops'), target = app) =>
  inject(target, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });

describe('the codec-server endpoint', () => {
  test('encode gives ciphertext under the current key id; decode gives the values back', async () => {
    const encoded = await post('/codec/encode', { payloads: [jsonPayload(secret), jsonPayload('VP of Sales')] });
    expect(encoded.status).toBe(200);
    const payloads = encoded.json().payloads as { metadata: Record<string, string>; data: string }[];
    expect(payloads).toHaveLength(2);
    for (const p of payloads) {
      expect(unb64(p.metadata.encoding!)).toBe('binary/encrypted');
      expect(unb64(p.metadata['encryption-key-id']!)).toBe('test-1');
      const raw = Buffer.from(p.data, 'base64').toString('latin1');
      for (const s of ['Acme', 'jane.doe', '555', 'VP of Sales']) expect(raw).not.toContain(s);
    }
    const decoded = await post('/codec/decode', { payloads });
    expect(decoded.status).toBe(200);
    expect(decoded.json().payloads.map(valueOf)).toEqual([secret, 'VP of Sales']);
  });

  test('payloads that were never encrypted come back as they are', async () => {
    const plain = jsonPayload({ stage: 'MQL' });
    const res = await post('/codec/decode', { payloads: [plain, { metadata: { encoding: b64('binary/null') } }] });
    expect(res.status).toBe(200);
    expect(res.json().payloads).toEqual([plain, { metadata: { encoding: b64('binary/null') }, data: '' }]);
  });

  test('a payload under a key this deployment does not hold: 400 naming the payload and the key id, never the bytes as data', async () => {
    const { payloads } = (await post('/codec/encode', { payloads: [jsonPayload(secret)] })).json();
    const res = await post(
      '/codec/decode',
      { payloads: [jsonPayload('fine'), payloads[0]] },
      bearer('revops'),
      otherApp,
    );
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        {
          path: ['payloads', 1],
          code: 'undecryptable_payload',
          message: expect.stringContaining('key id "test-1", which is not in HANDOFF_PAYLOAD_KEYS'),
        },
      ],
    });
    expect(res.body).not.toContain('Acme');
  });

  test('revops only: no key 401, a sales key 403; bad bodies 400', async () => {
    expect((await post('/codec/decode', { payloads: [] }, {})).status).toBe(401);
    expect((await post('/codec/decode', { payloads: [] }, bearer('sales'))).status).toBe(403);
    expect((await post('/codec/encode', { payloads: [] }, bearer('crm'))).status).toBe(403);
    expect((await post('/codec/decode', { payloads: [] })).json()).toEqual({ payloads: [] });
    for (const body of [
      {},
      { payloads: [{ data: 'not base64!' }] },
      { payloads: [{ metadata: { encoding: 7 } }] },
      { payloads: [], extra: 1 },
      [1],
    ]) {
      const res = await post('/codec/decode', body);
      expect([res.status, res.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const notJson = await inject(app, {
      method: 'POST',
      url: '/codec/decode',
      headers: { ...bearer('revops'), 'content-type': 'application/json' },
      payload: '{"payloads":',
    });
    expect(notJson.status).toBe(400);
  });

  test('CORS for the Temporal Web UI: preflight answered, the origin echoed (also on errors); other origins refused', async () => {
    const preflight = await inject(app, {
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-namespace',
      vary: 'Origin',
    });
    const ok = await post(
      '/codec/decode',
      { payloads: [] },
      { ...bearer('revops'), origin: 'http://localhost:8233', 'x-namespace': 'default' },
    );
    expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([200, 'http://localhost:8233']);
    const denied = await post('/codec/decode', { payloads: [] }, { origin: UI });
    expect([denied.status, denied.headers['access-control-allow-origin']]).toEqual([401, UI]);

    const evil = await inject(app, {
      method: 'OPTIONS',
      url: '/codec/encode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.json().error.message).toContain('origin https://evil.example is not allowed');
    const evilPost = await post(
      '/codec/decode',
      { payloads: [] },
      { ...bearer('revops'), origin: 'https://evil.example' },
    );
    expect(evilPost.status).toBe(403);

    const configured = await inject(otherApp, {
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://cloud.temporal.io' },
    });
    expect([configured.status, configured.headers['access-control-allow-origin']]).toEqual([
      204,
      'https://cloud.temporal.io',
    ]);
    expect((await inject(otherApp, { method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI } })).status).toBe(
      403,
    );

    const cli = await post('/codec/decode', { payloads: [] });
    expect(cli.headers['access-control-allow-origin']).toBeUndefined();
    expect((await inject(app, { method: 'OPTIONS', url: '/v1/leads', headers: { origin: UI } })).status).toBe(404);
    // The origin check belongs to the codec routes only.
    const elsewhere = await post('/v1/leads', {}, { origin: 'https://evil.example' });
    expect([elsewhere.status, elsewhere.headers['access-control-allow-origin']]).toEqual([401, undefined]);
  });

  test('the Temporal Web UI decodes with the dashboard session (cookie, credentials included): no key in the browser', async () => {
    const signIn = await inject(app, {
      method: 'POST',
      url: '/dashboard/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${KEYS.revops}`,
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^handoff_session=/);
    expect(String(signIn.headers['set-cookie'])).toContain('Path=/;');
    const encoded = (await post('/codec/encode', { payloads: [jsonPayload(secret)] })).json();
    const viaSession = await post('/codec/decode', encoded, { cookie, origin: UI });
    expect(viaSession.status).toBe(200);
    expect(viaSession.headers['access-control-allow-origin']).toBe(UI);
    expect(valueOf(viaSession.json().payloads[0])).toEqual(secret);
    expect((await post('/codec/decode', encoded, { cookie: 'handoff_session=forged', origin: UI })).status).toBe(401);
  });

  test('HANDOFF_CODEC_CORS_ORIGINS: origins only, every bad one listed', () => {
    expect(
      apiConfigFromEnv({ HANDOFF_CODEC_CORS_ORIGINS: 'https://cloud.temporal.io, http://127.0.0.1:8233' })
        .codecCorsOrigins,
    ).toEqual(['https://cloud.temporal.io', 'http://127.0.0.1:8233']);
    expect(apiConfigFromEnv({}).codecCorsOrigins).toBeUndefined();
    try {
      apiConfigFromEnv({ HANDOFF_CODEC_CORS_ORIGINS: 'https://ui.example/path,*,cloud.temporal.io' });
      throw new Error('expected a configuration error');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiConfigError);
      const problems = (err as ApiConfigError).problems.join('\n');
      expect(problems).toContain('"https://ui.example/path" is not an origin');
      expect(problems).toContain('"*" is not an origin');
      expect(problems).toContain('"cloud.temporal.io" is not an origin');
    }
  });
});
