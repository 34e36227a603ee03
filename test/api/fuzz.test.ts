import fc from 'fast-check';
import { signBody } from '../../src/api/auth';
import { ORG_ID, hotTrigger, inject, KEYS, PEOPLE, startStack, WEBHOOK_SECRET, type Stack } from './harness';

let stack: Stack;
let starts: jest.SpyInstance[];
beforeAll(async () => {
  stack = await startStack();
  starts = [jest.spyOn(stack.client.workflow, 'executeUpdateWithStart'), jest.spyOn(stack.client.workflow, 'startUpdateWithStart')];
});
afterAll(() => stack?.stop());

const startCalls = () => starts.reduce((n, spy) => n + spy.mock.calls.length, 0);

/** Header values a client can actually send (visible ASCII and spaces). */
const headerText = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:;,=/+*"\'(){}[]<>@!?%&'.split('')), maxLength: 300 });
const leadId = fc.oneof(
  fc.constantFrom('L1', '00Q000000000001AAA', 'a'.repeat(81), '..', '%00', 'lead id', 'ü', '-'),
  fc.string({ maxLength: 100 }),
);
const path = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('/v1/leads', '/v1/salesforce/outbound-messages', '/v1/audit/sla', '/v1/audit/funnel', '/dashboard', '/readyz') },
  {
    weight: 6,
    arbitrary: fc
      .tuple(leadId, fc.constantFrom('', '/events', '/accept', '/reject', '/contact-attempts', '/qualify', '/convert', '/disqualify', '/reassign', '/review', '/timeline', '/nope'))
      .map(([id, action]) => `/v1/leads/${encodeURIComponent(id)}${action}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((s) => `/${encodeURIComponent(s)}`) },
);
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('from', 'to', 'format', 'kind', 'key', 'ownerId', 'x'), fc.string({ maxLength: 40 })).map(
    (q) => `?${new URLSearchParams(q).toString()}`,
  ),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  { weight: 4, arbitrary: fc.constantFrom(...Object.values(KEYS)).map((k) => `Bearer ${k}`) },
  fc.constantFrom('Bearer', 'Bearer ', 'Basic abc', `bearer ${KEYS.crm}`, `Bearer ${'k'.repeat(5000)}`),
  headerText,
);
const contentType = fc.oneof(
  fc.constant(undefined),
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'text/xml; charset=utf-8',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/vnd.x+json',
    '*/*',
    ';;;',
  ),
  headerText,
);
/** Valid bodies with one field broken: the closest a random request gets to passing. */
const mutatedTrigger = fc
  .tuple(
    fc.nat(),
    fc.constantFrom('leadId', 'eventId', 'occurredAt', 'kind', 'fitScore', 'intentScore', 'firmographics', 'activities', 'ownerId', 'team', 'timezone', 'extra'),
    fc.jsonValue(),
  )
  .map(([n, field, value]) => ({ ...hotTrigger(`fz${n}`), [field]: value }));
const body = fc.oneof(
  fc.constant(undefined),
  { weight: 2, arbitrary: fc.nat().map((n) => JSON.stringify(hotTrigger(`fz${n}`))) },
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  mutatedTrigger.map((t) => JSON.stringify(t)),
  fc.record({ repId: fc.jsonValue(), reason: fc.jsonValue(), eventId: fc.jsonValue(), type: fc.jsonValue(), occurredAt: fc.jsonValue() }, { requiredKeys: [] }).map((o) =>
    JSON.stringify(o),
  ),
  fc.string({ minLength: 10_000, maxLength: 50_000 }),
  fc.constantFrom(
    '{"a":',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '\u0000\u0001',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
    '<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>',
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D000000000999EAA</OrganizationId><Notification><Id>04lZ</Id><sObject xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Lead"><Id>00QFOREIGN</Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`,
    'x'.repeat(1024 * 1024 + 10),
  ),
);
const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
  path,
  query,
  authorization,
  contentType,
  signature: fc.oneof(fc.constant(undefined), headerText, fc.constant('fresh')),
  idempotencyKey: fc.option(headerText, { nil: undefined }),
  requestId: fc.option(headerText, { nil: undefined }),
  cookie: fc.option(headerText, { nil: undefined }),
  body,
});

type Generated = typeof request extends fc.Arbitrary<infer T> ? T : never;
const base: Generated = {
  method: 'GET',
  path: '/',
  query: '',
  authorization: undefined,
  contentType: 'application/json',
  signature: undefined,
  idempotencyKey: undefined,
  requestId: undefined,
  cookie: undefined,
  body: undefined,
};

test('arbitrary requests never get a 5xx, and a refused request never starts a workflow', async () => {
  let refused = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const payload = r.method === 'GET' || r.method === 'OPTIONS' ? undefined : r.body;
      const headers: Record<string, string> = {};
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (r.signature !== undefined) {
        headers['handoff-signature'] = r.signature === 'fresh' ? signBody(WEBHOOK_SECRET, payload ?? '') : r.signature;
      }
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
      if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
      if (r.cookie !== undefined) headers.cookie = r.cookie;
      const before = startCalls();
      const res = await inject(stack.app, { method: r.method as 'GET', url: `${r.path}${r.query}`, headers, ...(payload === undefined ? {} : { payload }) });
      expect(res.status).toBeLessThan(500);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 400) {
        refused += 1;
        expect(startCalls()).toBe(before);
        if (!r.path.includes('outbound-messages')) expect(() => res.json().error.code).not.toThrow();
      }
    }),
    {
      numRuns: 400,
      // Each layer at least once, whatever the seed: success, validation, auth, role, Temporal's 404, size.
      examples: [
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.crm}`, body: JSON.stringify(hotTrigger('fzexample')) }],
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.crm}`, body: '{"leadId":' }],
        [{ ...base, method: 'POST', path: '/v1/leads', body: '{}' }],
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.sales}`, body: '{}' }],
        [{ ...base, method: 'POST', path: '/v1/leads/fznobody/accept', authorization: `Bearer ${KEYS.sales}`, body: JSON.stringify({ repId: PEOPLE.rep }) }],
        [{ ...base, method: 'POST', path: '/v1/leads', authorization: `Bearer ${KEYS.crm}`, body: 'x'.repeat(1024 * 1024 + 1) }],
      ],
    },
  );
  // The mix reaches every layer: auth, validation, Temporal's own answers, and successes.
  for (const status of [200, 400, 401, 403, 404, 413]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(200);
});

test('a foreign org or a refused trigger leaves no workflow behind', async () => {
  const before = startCalls();
  const foreign = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D000000000999EAA</OrganizationId><Notification><Id>04lZ1</Id><sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>00QFUZZ1</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;
  expect((await inject(stack.app, { method: 'POST', url: '/v1/salesforce/outbound-messages', headers: { 'content-type': 'text/xml' }, payload: foreign })).status).toBe(403);
  expect(foreign).not.toContain(ORG_ID);
  const badTrigger = { ...hotTrigger('00QFUZZ2'), occurredAt: 'soon' };
  expect((await inject(stack.app, { method: 'POST', url: '/v1/leads', headers: { authorization: `Bearer ${KEYS.crm}` }, payload: badTrigger })).status).toBe(400);
  expect(startCalls()).toBe(before);
  const leftovers = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId = 'lead-00QFUZZ1' OR WorkflowId = 'lead-00QFUZZ2'` })) leftovers.push(wf.workflowId);
  expect(leftovers).toEqual([]);
});
