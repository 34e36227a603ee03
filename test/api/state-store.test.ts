import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { parseApiKeys, sessionIdHash, signBody } from '../../src/api/auth';
import { sqlStateStore } from '../../src/api/state-store';
import { migrate } from '../../src/audit/migrate';
import { connectPostgres, openPglite, type SqlClient } from '../../src/audit/sql';
import { API_KEYS, bearer, deps, inject, KEYS, silent, WEBHOOK_SECRET } from './harness';

type Target = { schema: string; open(): Promise<SqlClient>; cleanup(): Promise<void> };

const pglite = (): Target => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-api-state-'));
  return {
    schema: 'public',
    open: () => openPglite(dir, 'public'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

let schemas = 0;
const postgres = (url: string) => (): Target => {
  const schema = `api_state_${process.pid}_${Date.now().toString(36)}_${(schemas += 1)}`;
  return {
    schema,
    open: () => connectPostgres(url, schema, silent),
    async cleanup() {
      const db = await connectPostgres(url, 'public', silent);
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
};

const targets: [string, () => Target][] = [
  ['pglite', pglite],
  ...(process.env.TEST_DATABASE_URL
    ? [['postgres', postgres(process.env.TEST_DATABASE_URL)] as [string, () => Target]]
    : []),
];

describe.each(targets)('the API state on %s (migration 005_api_state)', (_name, makeTarget) => {
  let target: Target;
  let db: SqlClient;
  beforeAll(async () => {
    target = makeTarget();
    db = await target.open();
    await migrate(db, target.schema, silent);
  });
  afterAll(async () => {
    await db?.close();
    await target?.cleanup();
  });

  /** Two instances of the API over one database, as two Lambda containers or two processes. */
  const instance = (overrides: Parameters<typeof deps>[0] = {}): Promise<FastifyInstance> =>
    buildApp(deps({ sql: db, ...overrides }));

  test('rate-limit windows are shared: two instances count in the same window', async () => {
    const rateLimit = { max: 100, perAddress: 3, windowMs: 60_000 };
    const [a, b] = [await instance({ rateLimit }), await instance({ rateLimit })];
    const guess = (app: FastifyInstance) =>
      inject(app, {
        method: 'GET',
        url: '/v1/leads/x',
        headers: { authorization: 'Bearer wrong-wrong-wrong' },
        remoteAddress: '198.51.100.40',
      });
    expect((await guess(a)).status).toBe(401);
    expect((await guess(b)).status).toBe(401);
    expect((await guess(a)).status).toBe(401);
    const refused = await guess(b);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
    await Promise.all([a.close(), b.close()]);
  });

  test('a window resets when it ends', async () => {
    const store = sqlStateStore(db);
    expect(await store.hit('addr:test-reset', 200)).toMatchObject({ hits: 1 });
    const second = await store.hit('addr:test-reset', 200);
    expect(second.hits).toBe(2);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.hit('addr:test-reset', 200)).toMatchObject({ hits: 1 });
  });

  test('a replayed signature is refused by another instance, and after a restart', async () => {
    const body = JSON.stringify({ replay: Date.now() });
    const signature = signBody(WEBHOOK_SECRET, body);
    const send = (app: FastifyInstance) =>
      inject(app, {
        method: 'POST',
        url: '/v1/leads',
        headers: { 'content-type': 'application/json', 'handoff-signature': signature },
        payload: body,
      });
    const a = await instance();
    expect((await send(a)).status).toBe(400);
    const b = await instance();
    const replay = await send(b);
    expect([replay.status, replay.json().error.message]).toEqual([401, 'signature already used']);
    await a.close();
    const restarted = await instance();
    expect((await send(restarted)).json().error.message).toBe('signature already used');
    await Promise.all([b.close(), restarted.close()]);
    const { rows } = await db.query<{ expires_at: Date }>(
      'SELECT expires_at FROM api_seen_signatures WHERE signature = $1',
      [signature.replace(/^t=(\d+),v1=/, '$1.')],
    );
    expect(rows).toHaveLength(1);
  });

  test('a signature is remembered until it expires, then pruned', async () => {
    let now = Date.now();
    const store = sqlStateStore(db, () => now);
    expect(await store.rememberSignature('1.expired', Date.now() - 1000)).toBe(true);
    // An expired row no longer counts as seen, even before it is pruned.
    expect(await store.rememberSignature('1.expired', Date.now() - 1000)).toBe(true);
    expect(await store.rememberSignature('2.live', Date.now() + 60_000)).toBe(true);
    expect(await store.rememberSignature('2.live', Date.now() + 60_000)).toBe(false);
    now += 61_000;
    await store.rememberSignature('3.trigger-prune', Date.now() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows } = await db.query<{ signature: string }>(
      "SELECT signature FROM api_seen_signatures WHERE signature IN ('1.expired', '2.live')",
    );
    expect(rows.map((r) => r.signature)).toEqual(['2.live']);
  });

  test('a dashboard session opened on one instance works on another, stores only hashes, and ends everywhere at sign-out', async () => {
    const a = await instance();
    const b = await instance();
    const signIn = await inject(a, {
      method: 'POST',
      url: '/dashboard/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${KEYS.revops}`,
    });
    expect(signIn.status).toBe(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const sessionId = cookie.slice('handoff_session='.length);
    // Authenticated on b: the page needs the ledger, which these apps lack (503, not 401).
    const page = await inject(b, { method: 'GET', url: '/dashboard', headers: { cookie } });
    expect([page.status, page.json().error.code]).toEqual([503, 'UNAVAILABLE']);

    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM api_sessions WHERE id_sha256 = $1', [
      sessionIdHash(sessionId),
    ]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(await db.query('SELECT * FROM api_sessions'));
    expect(stored).not.toContain(sessionId);
    expect(stored).not.toContain(KEYS.revops);

    // Removing the key from HANDOFF_API_KEYS ends its sessions.
    const rotated = await instance({
      auth: { keys: parseApiKeys(`revops:another-revops-key-000001,sales:${KEYS.sales}`) },
    });
    expect((await inject(rotated, { method: 'GET', url: '/dashboard', headers: { cookie } })).status).toBe(401);

    expect((await inject(b, { method: 'POST', url: '/dashboard/sign-out', headers: { cookie } })).status).toBe(303);
    expect((await inject(a, { method: 'GET', url: '/dashboard', headers: { cookie } })).status).toBe(401);
    await Promise.all([a.close(), b.close(), rotated.close()]);
  });

  test('an expired session is refused', async () => {
    const store = sqlStateStore(db);
    await store.createSession('expired-session-hash', 'fp', Date.now() - 1);
    expect(await store.findSession('expired-session-hash')).toBeUndefined();
    await store.createSession('live-session-hash', 'fp', Date.now() + 60_000);
    expect(await store.findSession('live-session-hash')).toEqual({ keyFingerprint: 'fp' });
  });

  test('a Bearer key still works beside the stores', async () => {
    const app = await instance({ auth: { keys: parseApiKeys(API_KEYS) } });
    expect((await inject(app, { method: 'GET', url: '/v1/leads/bad%20id', headers: bearer('sales') })).status).toBe(
      400,
    );
    await app.close();
  });
});
