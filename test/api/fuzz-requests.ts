import fc from 'fast-check';
import { signBody } from '../../src/api/auth';

/**
 * Random requests for the API, shared by the fuzz test (inject) and `npm run drill:fuzz` (real HTTP):
 * every route and method, broken and valid credentials, bodies one field away from valid, NUL
 * characters in every query, body and path field, deep and huge XML and JSON, spoofed forwarding
 * headers, and replays of signatures that were accepted before.
 */
export interface FuzzKeys {
  crm: string;
  sales: string;
  revops: string;
}

export interface FuzzOptions {
  keys: FuzzKeys;
  webhookSecret: string;
  orgId: string;
  /** Leads get this prefix plus a number, so a run can find the workflows it caused. */
  leadPrefix: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** The peer address the request comes from (a trusted proxy or not). */
  remoteAddress: string;
  /** The lead a successful trigger of this request would start, if any. */
  leadId?: string;
}

export const TRUSTED_PROXY = '10.0.0.0/8';
export const PROXY_ADDRESS = '10.0.0.2';

const NUL = '\u0000';
const withNul = (s: string) => fc.nat({ max: s.length }).map((i) => `${s.slice(0, i)}${NUL}${s.slice(i)}`);
const text = (maxLength = 40) =>
  fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength }) }, fc.string({ maxLength }).chain(withNul));
const headerText = fc.string({
  unit: fc.constantFrom(...'abcXYZ019 -_.:;,=/+*"\'(){}[]<>@!?%&'.split('')),
  maxLength: 300,
});
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

export const nowIso = () => new Date().toISOString();

export const validTrigger = (leadId: string) => ({
  leadId,
  eventId: `t-${leadId}`,
  occurredAt: nowIso(),
  ownerId: '005000000000009AAA',
  firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' },
  activities: [{ type: 'demo_request', occurredAt: nowIso() }],
});

export const outboundMessage = (orgId: string, leadId: string, inner = '', fields = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${orgId}</OrganizationId><Notification><Id>04l${leadId}</Id><sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${leadId}</sf:Id><sf:Fit_Score__c>80</sf:Fit_Score__c><sf:Intent_Score__c>50</sf:Intent_Score__c>${fields}${inner}</sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;

export function fuzzRequests(options: FuzzOptions) {
  const { keys, orgId, leadPrefix } = options;
  const leadNumber = fc.nat();
  const leadId = fc.oneof(
    fc.constantFrom('L1', '00Q000000000001AAA', 'a'.repeat(81), '..', 'lead id', 'ü', '-', `L${NUL}1`, NUL),
    fc.string({ maxLength: 100 }),
    fc.string({ maxLength: 20 }).chain(withNul),
  );
  const path = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '/v1/leads',
        '/v1/salesforce/outbound-messages',
        '/v1/audit/sla',
        '/v1/audit/funnel',
        '/dashboard',
        '/dashboard/sign-in',
        '/dashboard/sign-out',
        '/readyz',
      ),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          leadId,
          fc.constantFrom(
            '',
            '/events',
            '/accept',
            '/reject',
            '/contact-attempts',
            '/qualify',
            '/convert',
            '/disqualify',
            '/reassign',
            '/review',
            '/timeline',
            '/nope',
          ),
        )
        .map(([id, action]) => `/v1/leads/${encodeURIComponent(id)}${action}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((s) => `/${encodeURIComponent(s)}`) },
  );
  const query = fc.oneof(
    fc.constant(''),
    fc
      .dictionary(fc.constantFrom('from', 'to', 'format', 'kind', 'key', 'ownerId', 'team', 'x', `x${NUL}`), text())
      .map((q) => `?${new URLSearchParams(q).toString()}`),
    fc.constantFrom(
      '?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&team=%00na',
      '?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&ownerId=005%00',
      '?from=%00&to=2026-02-01T00:00:00Z',
      `?key=${keys.crm}`,
      `?key=${keys.crm}%00`,
      `?k%65y=${keys.crm}`,
    ),
  );
  const authorization = fc.oneof(
    fc.constant(undefined),
    { weight: 4, arbitrary: fc.constantFrom(keys.crm, keys.sales, keys.revops).map((k) => `Bearer ${k}`) },
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic abc',
      `bearer ${keys.crm}`,
      `Bearer ${'k'.repeat(5000)}`,
      'Bearer wrong-key-0000000000',
    ),
    headerText,
  );
  const contentType = fc.oneof(
    fc.constant(undefined),
    { weight: 4, arbitrary: fc.constant('application/json') },
    fc.constantFrom(
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
  const fieldNames = [
    'leadId',
    'eventId',
    'occurredAt',
    'kind',
    'fitScore',
    'intentScore',
    'firmographics',
    'activities',
    'ownerId',
    'team',
    'timezone',
    'extra',
  ];
  const mutatedTrigger = fc
    .tuple(leadNumber, fc.constantFrom(...fieldNames), fc.oneof(fc.jsonValue(), text()))
    .map(([n, field, value]) => ({ ...validTrigger(`${leadPrefix}${n}`), [field]: value }));
  /** A valid trigger with NUL in one of its strings, nested ones included. */
  const nulTrigger = fc
    .tuple(
      leadNumber,
      fc.constantFrom(
        'leadId',
        'eventId',
        'occurredAt',
        'ownerId',
        'team',
        'timezone',
        'industry',
        'title',
        'activity',
      ),
    )
    .map(([n, field]) => {
      const t = validTrigger(`${leadPrefix}${n}`) as Record<string, any>;
      if (field === 'industry' || field === 'title') t.firmographics[field] = `Soft${NUL}ware`;
      else if (field === 'activity') t.activities[0].type = `demo${NUL}request`;
      else t[field] = `${String(t[field] ?? 'na')}${NUL}`;
      return t;
    });
  const actionBody = fc.record(
    {
      repId: fc.oneof(fc.jsonValue(), text()),
      reason: fc.jsonValue(),
      notes: text(),
      eventId: fc.jsonValue(),
      type: fc.jsonValue(),
      occurredAt: fc.jsonValue(),
      actorId: text(),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.constant(undefined),
    { weight: 2, arbitrary: leadNumber.map((n) => JSON.stringify(validTrigger(`${leadPrefix}${n}`))) },
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    mutatedTrigger.map((t) => JSON.stringify(t)),
    nulTrigger.map((t) => JSON.stringify(t)),
    actionBody.map((o) => JSON.stringify(o)),
    fc.string({ minLength: 10_000, maxLength: 50_000 }),
    leadNumber.map((n) => outboundMessage(orgId, `00Q${leadPrefix}${n}`)),
    leadNumber.map((n) =>
      outboundMessage(orgId, `00Q${leadPrefix}${n}`, '', `<sf:Handoff_Kind__c>MQL${NUL}</sf:Handoff_Kind__c>`),
    ),
    fc
      .constantFrom(20, 33, 5_000, 20_000)
      .map((depth) => outboundMessage(orgId, 'LDEEP1', `${'<sf:X>'.repeat(depth)}${'</sf:X>'.repeat(depth)}`)),
    fc.constant(outboundMessage(orgId, 'LHUGE1', `<sf:Description>${'x'.repeat(1024 * 1024)}</sf:Description>`)),
    fc.constantFrom(
      '{"a":',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      `{"leadId":"L${'\\u0000'}1"}`,
      '\u0000\u0001',
      `key=${keys.revops}`,
      'key=wrong-key',
      '<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>',
      outboundMessage('00D000000000999EAA', 'LFOREIGN1'),
      'x'.repeat(1024 * 1024 + 10),
    ),
  );
  const forwarded = fc.option(
    fc.record(
      {
        'x-forwarded-for': fc.oneof(
          ipv4,
          fc.tuple(ipv4, ipv4).map(([a, b]) => `${a}, ${b}`),
          headerText,
        ),
        'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher'),
        'x-forwarded-host': fc.constantFrom('handoff.example.com', 'evil.example', '127.0.0.1:3000'),
      },
      { requiredKeys: ['x-forwarded-for'] },
    ),
    { nil: undefined },
  );
  return fc.record({
    method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
    path,
    query,
    authorization,
    contentType,
    signature: fc.oneof(
      fc.constant(undefined),
      headerText,
      fc.constant('fresh' as const),
      fc.constant('replay' as const),
    ),
    idempotencyKey: fc.option(headerText, { nil: undefined }),
    requestId: fc.option(headerText, { nil: undefined }),
    cookie: fc.option(fc.oneof(headerText, fc.constant('handoff_session=made-up-session')), { nil: undefined }),
    origin: fc.option(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'), { nil: undefined }),
    forwarded,
    viaProxy: fc.boolean(),
    peer: fc.constantFrom('127.0.0.1', '192.0.2.1', '192.0.2.2'),
    body,
  });
}

export type FuzzRequest = ReturnType<typeof fuzzRequests> extends fc.Arbitrary<infer T> ? T : never;

/** Signatures that were accepted once, to be replayed. */
export class ReplayPool {
  readonly accepted: { signature: string; payload: string }[] = [];
  pick(seed: number) {
    return this.accepted.length === 0 ? undefined : this.accepted[seed % this.accepted.length];
  }
}

/** The HTTP request a generated one stands for. */
export function toHttp(
  r: FuzzRequest,
  options: FuzzOptions,
  replays: ReplayPool,
  seed: number,
): HttpRequest & { replayed: boolean; signed: boolean } {
  let payload = r.method === 'GET' || r.method === 'OPTIONS' ? undefined : r.body;
  let method = r.method;
  let url = `${r.path}${r.query}`;
  const headers: Record<string, string> = {};
  if (r.authorization !== undefined && r.signature !== 'replay') headers.authorization = r.authorization;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  let replayed = false;
  if (r.signature === 'replay') {
    const old = replays.pick(seed);
    if (old) {
      headers['handoff-signature'] = old.signature;
      payload = old.payload;
      headers['content-type'] = 'application/json';
      [method, url] = ['POST', '/v1/leads'];
      replayed = true;
    }
  } else if (r.signature === 'fresh') headers['handoff-signature'] = signBody(options.webhookSecret, payload ?? '');
  else if (r.signature !== undefined) headers['handoff-signature'] = r.signature;
  if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
  if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
  if (r.cookie !== undefined) headers.cookie = r.cookie;
  if (r.origin !== undefined) headers.origin = r.origin;
  if (r.forwarded) Object.assign(headers, r.forwarded);
  let leadId: string | undefined;
  if (payload !== undefined) {
    try {
      const parsed = JSON.parse(payload) as { leadId?: unknown };
      if (typeof parsed?.leadId === 'string') leadId = parsed.leadId;
    } catch {
      leadId = /<sf:Id>([^<]*)<\/sf:Id>/.exec(payload)?.[1];
    }
  }
  return {
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
    remoteAddress: r.viaProxy ? PROXY_ADDRESS : r.peer,
    ...(leadId === undefined ? {} : { leadId }),
    replayed,
    signed: headers['handoff-signature'] !== undefined && headers.authorization === undefined,
  };
}
