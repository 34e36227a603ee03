import { Connection } from '@temporalio/client';
import { createLambdaHandler, handler, type LambdaContext } from '../../src/api/lambda';
import { buildApp } from '../../src/api/app';
import { ACK_XML } from '../../src/api/outbound-message';
import { API_KEYS, deps, hotTrigger, KEYS, ORG_ID, PEOPLE, startStack, testOrg, WEBHOOK_SECRET, type Stack } from './harness';
import { uniqueLeadId } from '../helpers/leads';
import { TEST_PAYLOAD_KEYS } from '../helpers/temporal';

/** An API Gateway HTTP API (payload format 2.0) event, as AWS builds it. */
function v2Event(options: {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
  cookies?: string[];
}) {
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString,
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers: {
      accept: '*/*',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-6740a6c2-0a1b2c3d4e5f',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: `apigw-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: '02/Nov/2026:15:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(options.body === undefined
      ? {}
      : { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body, isBase64Encoded: options.base64 ?? false }),
  };
}

const context = (): LambdaContext => ({ callbackWaitsForEmptyEventLoop: true, awsRequestId: 'lambda-req-1' });
const json = (o: unknown) => JSON.stringify(o);

describe('the Lambda handler, configured from the environment, against the real stack', () => {
  let stack: Stack;
  const saved = { ...process.env };
  let connects: jest.SpyInstance;

  beforeAll(async () => {
    stack = await startStack();
    const org = await testOrg();
    Object.assign(process.env, {
      SALESFORCE_EMULATOR_PORT: new URL(org.url).port,
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
      HANDOFF_TASK_QUEUE: stack.taskQueue,
      HANDOFF_API_KEYS: API_KEYS,
      HANDOFF_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALESFORCE_ORG_ID: ORG_ID,
      LOG_LEVEL: 'silent',
    });
    connects = jest.spyOn(Connection, 'connect');
  });
  afterAll(async () => {
    process.env = saved;
    await stack?.stop();
  });

  test('a lead through API Gateway v2 events; one Temporal connection per container', async () => {
    const leadId = uniqueLeadId();
    const created = await handler(
      v2Event({ method: 'POST', path: '/v1/leads', headers: { authorization: `Bearer ${KEYS.crm}`, 'content-type': 'application/json' }, body: json(hotTrigger(leadId)) }),
      context(),
    );
    expect(created.statusCode).toBe(200);
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(created.body)).toMatchObject({ leadId, stage: 'MQL' });

    const accepted = await handler(
      v2Event({
        method: 'POST',
        path: `/v1/leads/${leadId}/accept`,
        headers: { authorization: `Bearer ${KEYS.sales}`, 'content-type': 'application/json', 'x-request-id': 'client-req-7' },
        body: json({ repId: PEOPLE.rep }),
        base64: true,
      }),
      context(),
    );
    expect([accepted.statusCode, JSON.parse(accepted.body).stage, accepted.headers['x-request-id']]).toEqual([200, 'SAL', 'client-req-7']);

    const read = await handler(v2Event({ method: 'GET', path: `/v1/leads/${leadId}`, headers: { authorization: `Bearer ${KEYS.revops}` } }), context());
    expect(JSON.parse(read.body).stage).toBe('SAL');
    expect(read.headers['x-request-id']).toMatch(/^apigw-/);

    expect(connects).toHaveBeenCalledTimes(1);
  });

  test('errors keep their status and shape through the adapter', async () => {
    const unauthenticated = await handler(v2Event({ method: 'POST', path: '/v1/leads', headers: { 'content-type': 'application/json' }, body: '{}' }), context());
    expect([unauthenticated.statusCode, JSON.parse(unauthenticated.body).error.code]).toEqual([401, 'UNAUTHORIZED']);
    const malformed = await handler(
      v2Event({ method: 'POST', path: '/v1/leads', headers: { authorization: `Bearer ${KEYS.crm}`, 'content-type': 'application/json' }, body: '{"leadId":' }),
      context(),
    );
    expect([malformed.statusCode, JSON.parse(malformed.body).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const query = await handler(
      v2Event({ method: 'GET', path: '/v1/audit/funnel', query: { from: '2026-11-01', to: '2026-10-01,2026-12-01' }, headers: { authorization: `Bearer ${KEYS.revops}` } }),
      context(),
    );
    expect(query.statusCode).toBe(400);
    const missing = await handler(v2Event({ method: 'GET', path: '/v1/leads/00Q0000000NOPE1', headers: { authorization: `Bearer ${KEYS.sales}` } }), context());
    expect(missing.statusCode).toBe(404);
  });

  test('an Outbound Message through the adapter is acknowledged in XML', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${ORG_ID}</OrganizationId><Notification><Id>04lLAMBDA1</Id><sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>00Q00000LAMBDA1</sf:Id><sf:Fit_Score__c>80</sf:Fit_Score__c><sf:Intent_Score__c>50</sf:Intent_Score__c></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;
    const res = await handler(v2Event({ method: 'POST', path: '/v1/salesforce/outbound-messages', query: { key: KEYS.crm }, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml }), context());
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'text/xml; charset=utf-8', ACK_XML]);
    expect(res.isBase64Encoded).toBe(false);
  });

  test('the handler does not wait for the empty event loop (the Temporal connection stays open)', async () => {
    const ctx = context();
    await handler(v2Event({ method: 'GET', path: '/healthz' }), ctx);
    expect(ctx.callbackWaitsForEmptyEventLoop).toBe(false);
  });
});

test('a failed cold start is not cached: the next invocation builds again', async () => {
  let attempts = 0;
  const lambda = createLambdaHandler(async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('Temporal unreachable');
    return buildApp(deps());
  });
  await expect(lambda(v2Event({ method: 'GET', path: '/healthz' }), context())).rejects.toThrow('Temporal unreachable');
  const res = await lambda(v2Event({ method: 'GET', path: '/healthz' }), context());
  expect([res.statusCode, JSON.parse(res.body)]).toEqual([200, { status: 'ok' }]);
  await lambda(v2Event({ method: 'GET', path: '/healthz' }), context());
  expect(attempts).toBe(2);
});
