import { mkdtempSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { openStateDatabase } from '../../src/api/state-store';
import type { SqlClient } from '../../src/audit/sql';
import { fuzzRequests, ReplayPool, toHttp, TRUSTED_PROXY, validTrigger, type FuzzRequest } from './fuzz-requests';
import { captureLogs, inject, KEYS, ORG_ID, silent, startStack, WEBHOOK_SECRET, type Stack } from './harness';

let stack: Stack;
let app: FastifyInstance;
let stateDir: string;
let state: SqlClient;
let starts: jest.SpyInstance[];
const logs = captureLogs();
beforeAll(async () => {
  stack = await startStack();
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-fuzz-state-'));
  state = await openStateDatabase({ dataDir: stateDir, logger: silent });
  app = await stack.build({ sql: state, trustProxy: [TRUSTED_PROXY], logger: logs.logger });
  starts = [
    jest.spyOn(stack.client.workflow, 'executeUpdateWithStart'),
    jest.spyOn(stack.client.workflow, 'startUpdateWithStart'),
  ];
});
afterAll(async () => {
  await app?.close();
  await state?.close();
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** The routes that take a Handoff-Signature: a signature past authentication there was used up. */
const SIGNED_ROUTE = /^\/v1\/leads(\/[^/]+\/events)?\/?$/;
const startCalls = () => starts.reduce((n, spy) => n + spy.mock.calls.length, 0);
const options = { keys: KEYS, webhookSecret: WEBHOOK_SECRET, orgId: ORG_ID, leadPrefix: 'fz' };
const base: FuzzRequest = {
  method: 'GET',
  path: '/',
  query: '',
  authorization: undefined,
  contentType: 'application/json',
  signature: undefined,
  idempotencyKey: undefined,
  requestId: undefined,
  cookie: undefined,
  origin: undefined,
  forwarded: undefined,
  viaProxy: false,
  peer: '127.0.0.1',
  body: undefined,
};

test('arbitrary requests never get a 5xx, a refused request never starts a workflow, a replay is always refused', async () => {
  let refused = 0;
  let replays = 0;
  const statuses = new Map<number, number>();
  const pool = new ReplayPool();
  const spoofed = new Set<string>();
  const fromProxy = new Set<string>();
  let seed = 0;
  await fc.assert(
    fc.asyncProperty(fuzzRequests(options), async (generated) => {
      const r = toHttp(generated, options, pool, (seed += 1));
      const forwardedFor = r.headers['x-forwarded-for']?.split(',').map((a) => a.trim());
      if (forwardedFor) for (const a of forwardedFor) (generated.viaProxy ? fromProxy : spoofed).add(a);
      const before = startCalls();
      const res = await inject(app, {
        method: r.method as 'GET',
        url: r.url,
        headers: r.headers,
        remoteAddress: r.remoteAddress,
        ...(r.payload === undefined ? {} : { payload: r.payload }),
      });
      expect(res.status).toBeLessThan(500);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (r.replayed) {
        replays += 1;
        expect([401, 429]).toContain(res.status);
      } else if (
        r.signed &&
        SIGNED_ROUTE.test(r.url.split('?')[0]!) &&
        r.method === 'POST' &&
        ![401, 413, 429].includes(res.status)
      ) {
        pool.accepted.push({ signature: r.headers['handoff-signature']!, payload: r.payload ?? '' });
      }
      if (res.status >= 400) {
        refused += 1;
        expect(startCalls()).toBe(before);
        const htmlOrSoap = r.url.includes('outbound-messages') || r.url.startsWith('/dashboard/sign-');
        if (!htmlOrSoap) expect(() => res.json().error.code).not.toThrow();
      }
    }),
    {
      numRuns: 500,
      // Each layer at least once, whatever the seed: success, validation, auth, role, Temporal's 404, size, NUL, deep XML, replay.
      examples: [
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/leads',
            authorization: `Bearer ${KEYS.crm}`,
            body: JSON.stringify(validTrigger('fzexample')),
          },
        ],
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.crm}`, body: '{"leadId":' }],
        [{ ...base, method: 'POST', path: '/v1/leads', body: '{}' }],
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.sales}`, body: '{}' }],
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/leads/fznobody/accept',
            authorization: `Bearer ${KEYS.sales}`,
            body: '{"repId":"r"}',
          },
        ],
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/leads',
            authorization: `Bearer ${KEYS.crm}`,
            body: 'x'.repeat(1024 * 1024 + 1),
          },
        ],
        [
          {
            ...base,
            method: 'GET',
            path: '/v1/audit/sla',
            query: '?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&team=%00na',
            authorization: `Bearer ${KEYS.revops}`,
          },
        ],
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/leads',
            authorization: `Bearer ${KEYS.crm}`,
            body: JSON.stringify({ ...validTrigger('fznul'), team: 'na\u0000' }),
          },
        ],
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/leads',
            signature: 'fresh',
            body: JSON.stringify(validTrigger('fzsigned')),
          },
        ],
        [{ ...base, method: 'POST', path: '/v1/leads', signature: 'replay' }],
        [
          {
            ...base,
            method: 'POST',
            path: '/v1/salesforce/outbound-messages',
            query: `?key=${KEYS.crm}`,
            contentType: 'text/xml',
            body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</soapenv:Body></soapenv:Envelope>`,
          },
        ],
        [
          {
            ...base,
            method: 'GET',
            path: '/v1/leads/fznobody',
            authorization: `Bearer ${KEYS.sales}`,
            forwarded: { 'x-forwarded-for': '198.51.100.99' },
            peer: '192.0.2.1',
          },
        ],
      ],
    },
  );
  // The mix reaches every layer: auth, validation, Temporal's own answers, and successes.
  for (const status of [200, 400, 401, 403, 404, 413]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(250);
  expect(replays).toBeGreaterThan(0);
  // A spoofed X-Forwarded-For from an untrusted peer is never logged as the client.
  const logged = new Set(
    logs.lines.flatMap((l) =>
      [(JSON.parse(l) as { req?: { remoteAddress?: string } }).req?.remoteAddress ?? []].flat(),
    ),
  );
  expect(logged.size).toBeGreaterThan(0);
  for (const address of logged) expect(isIP(address)).not.toBe(0);
  for (const address of spoofed)
    if (!fromProxy.has(address) && !['127.0.0.1', '192.0.2.1', '192.0.2.2'].includes(address))
      expect(logged).not.toContain(address);
});

test('wrong keys past the address limit are refused with 429 whatever X-Forwarded-For says, and start nothing', async () => {
  const limited = await stack.build({
    sql: state,
    trustProxy: [TRUSTED_PROXY],
    rateLimit: { max: 1000, perAddress: 20, windowMs: 60_000 },
  });
  const before = startCalls();
  const statuses: number[] = [];
  await fc.assert(
    fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.ipV4(),
      fc.constantFrom('/v1/leads', '/v1/leads/fz1/accept', '/v1/leads/fz1/events', '/dashboard/sign-in'),
      async (guess, spoof, url) => {
        const form = url === '/dashboard/sign-in';
        const res = await inject(limited, {
          method: 'POST',
          url,
          remoteAddress: '192.0.2.77',
          headers: {
            'x-forwarded-for': spoof,
            ...(form
              ? { 'content-type': 'application/x-www-form-urlencoded' }
              : { 'content-type': 'application/json', authorization: `Bearer guess-${guess}` }),
          },
          payload: form ? new URLSearchParams({ key: guess }).toString() : JSON.stringify(validTrigger('fzguess')),
        });
        statuses.push(res.status);
        expect(res.status).toBeLessThan(500);
      },
    ),
    { numRuns: 100 },
  );
  expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
  expect(statuses.slice(20)).toEqual(Array(80).fill(429));
  // The right key from the same address waits too; another address does not.
  const right = (remoteAddress: string) =>
    inject(limited, {
      method: 'POST',
      url: '/v1/leads',
      remoteAddress,
      headers: { authorization: `Bearer ${KEYS.crm}`, 'content-type': 'application/json' },
      payload: '{}',
    });
  expect((await right('192.0.2.77')).status).toBe(429);
  expect((await right('192.0.2.78')).status).toBe(400);
  expect(startCalls()).toBe(before);
  await limited.close();
});

test('a foreign org or a refused trigger leaves no workflow behind', async () => {
  const before = startCalls();
  const foreign = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D000000000999EAA</OrganizationId><Notification><Id>04lZ1</Id><sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>00QFUZZ1</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;
  expect(
    (
      await inject(app, {
        method: 'POST',
        url: `/v1/salesforce/outbound-messages?key=${KEYS.crm}`,
        headers: { 'content-type': 'text/xml' },
        payload: foreign,
      })
    ).status,
  ).toBe(403);
  expect(foreign).not.toContain(ORG_ID);
  const badTrigger = { ...validTrigger('00QFUZZ2'), occurredAt: 'soon' };
  expect(
    (
      await inject(app, {
        method: 'POST',
        url: '/v1/leads',
        headers: { authorization: `Bearer ${KEYS.crm}` },
        payload: badTrigger,
      })
    ).status,
  ).toBe(400);
  expect(startCalls()).toBe(before);
  const leftovers = [];
  for await (const wf of stack.client.workflow.list({
    query: `WorkflowId = 'lead-00QFUZZ1' OR WorkflowId = 'lead-00QFUZZ2'`,
  }))
    leftovers.push(wf.workflowId);
  expect(leftovers).toEqual([]);
});
