import { toId18 } from '../../src/domain/salesforce-id';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { buildApp } from '../../src/api/app';
import {
  ACK_XML,
  DEFAULT_LEAD_FIELD_MAP,
  faultXml,
  notificationToTrigger,
  OutboundMessageError,
  parseOutboundMessage,
} from '../../src/api/outbound-message';
import { leadWorkflowId } from '../../src/workflows/messages';
import { bearer, deps, inject, KEYS, ORG_ID, startStack, type Stack } from './harness';

const FIXTURE = readFileSync(path.join(__dirname, 'fixtures/outbound-leads.xml'), 'utf8');
/** The fixture, modified now: reported intent decays with the age of LastModifiedDate. */
const freshFixture = () => FIXTURE.replace(/2026-11-02T15:00:0\d\.000Z/g, new Date().toISOString());

/** A message like Salesforce's, with other prefixes than the fixture (they are the sender's choice). */
function message(options: { orgId?: string; notifications: { id: string; fields: Record<string, string | null> }[] }): string {
  const notifications = options.notifications
    .map(
      (n) => `<out:Notification><out:Id>${n.id}</out:Id><out:sObject xsi:type="lead:Lead" xmlns:lead="urn:sobject.enterprise.soap.sforce.com">${Object.entries(
        n.fields,
      )
        .map(([k, v]) => (v === null ? `<lead:${k} xsi:nil="true"/>` : `<lead:${k}>${v}</lead:${k}>`))
        .join('')}</out:sObject></out:Notification>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><S:Body><out:notifications xmlns:out="http://soap.sforce.com/2005/09/outbound"><out:OrganizationId>${options.orgId ?? ORG_ID}</out:OrganizationId><out:ActionId>04k000000000001AAA</out:ActionId>${notifications}</out:notifications></S:Body></S:Envelope>`;
}

const lead = (id: string, fields: Record<string, string | null> = {}) => ({
  Id: id,
  Fit_Score__c: '80',
  Intent_Score__c: '50',
  OwnerId: '005000000000009AAA',
  LastModifiedDate: new Date().toISOString(),
  ...fields,
});

describe('Outbound Message parser', () => {
  test('the realistic fixture: org, notifications, fields, xsi:nil as null', () => {
    const parsed = parseOutboundMessage(FIXTURE);
    expect(parsed.organizationId).toBe(ORG_ID);
    expect(parsed.actionId).toBe('04k000000000001AAA');
    expect(parsed.notifications.map((n) => n.id)).toEqual(['04l000000000001AAA', '04l000000000002AAA', '04l000000000001AAA']);
    expect(parsed.notifications[1]).toEqual({
      id: '04l000000000002AAA',
      sObjectType: 'Lead',
      fields: {
        Id: '00Q000000000002AAA',
        Fit_Score__c: '72',
        Handoff_Kind__c: null,
        Intent_Score__c: '40',
        LastModifiedDate: '2026-11-02T15:00:01.000Z',
        OwnerId: '005000000000009AAA',
      },
    });
  });

  test('namespaces are resolved, not prefixes matched', () => {
    const parsed = parseOutboundMessage(message({ notifications: [{ id: '04lA', fields: { Id: '00QA', Status: 'Open &amp; new', Company: null } }] }));
    expect(parsed.notifications).toEqual([{ id: '04lA', sObjectType: 'Lead', fields: { Id: '00QA', Status: 'Open & new', Company: null } }]);
    const foreignNamespace = FIXTURE.replace('http://soap.sforce.com/2005/09/outbound', 'http://example.com/not-salesforce');
    expect(() => parseOutboundMessage(foreignNamespace)).toThrow(/expected Body\/notifications/);
    const soap12 = FIXTURE.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
    expect(() => parseOutboundMessage(soap12)).toThrow(/SOAP 1.1 Envelope/);
    expect(() => parseOutboundMessage(FIXTURE.replace(' xmlns:sf="urn:sobject.enterprise.soap.sforce.com"', ''))).toThrow(/undeclared namespace prefix "sf"/);
  });

  test('refuses DTDs, malformed XML, empty or oversized batches', () => {
    expect(() => parseOutboundMessage(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${FIXTURE.replace(/^<\?xml[^>]*>/, '')}`)).toThrow(/DTD/);
    expect(() => parseOutboundMessage('<a><b></a>')).toThrow(/malformed XML/);
    expect(() => parseOutboundMessage('')).toThrow(OutboundMessageError);
    expect(() => parseOutboundMessage(message({ notifications: [] }))).toThrow(/no Notification/);
    const many = Array.from({ length: 101 }, (_, i) => ({ id: `04l${i}`, fields: { Id: `00Q${i}` } }));
    expect(() => parseOutboundMessage(message({ notifications: many }))).toThrow(/101 notifications \(at most 100\)/);
    expect(parseOutboundMessage(message({ notifications: many.slice(0, 100) })).notifications).toHaveLength(100);
    expect(() => parseOutboundMessage(message({ orgId: '', notifications: many.slice(0, 1) }))).toThrow(/OrganizationId/);
  });

  test('a notification maps to a trigger; the notification id is the eventId; nulls are left out', () => {
    const [first, second] = parseOutboundMessage(FIXTURE).notifications;
    expect(notificationToTrigger(first!, DEFAULT_LEAD_FIELD_MAP, 'now')).toEqual({
      leadId: '00Q000000000001AAA',
      eventId: '04l000000000001AAA',
      occurredAt: '2026-11-02T15:00:00.000Z',
      ownerId: '005000000000009AAA',
      fitScore: 80,
      intentScore: 55,
      kind: 'HAND_RAISE',
    });
    expect(notificationToTrigger(second!, DEFAULT_LEAD_FIELD_MAP, 'now')).not.toHaveProperty('kind');
    const custom = notificationToTrigger(
      { id: '04lX', sObjectType: 'Lead', fields: { Id: '00QX', Team__c: 'emea', Score__c: 'high' } },
      { ...DEFAULT_LEAD_FIELD_MAP, team: 'Team__c', fitScore: 'Score__c' },
      '2026-01-01T00:00:00.000Z',
    );
    expect(custom).toEqual({ leadId: '00QX', eventId: '04lX', occurredAt: '2026-01-01T00:00:00.000Z', team: 'emea', fitScore: 'high' });
  });

  test('the Ack and the Fault are SOAP 1.1', () => {
    expect(ACK_XML).toContain('<Ack>true</Ack>');
    expect(faultXml('Client', 'a <b> & "c"')).toContain('<faultstring>a &lt;b&gt; &amp; &quot;c&quot;</faultstring>');
    expect(faultXml('Server', 'x')).toContain('<faultcode>soapenv:Server</faultcode>');
  });
});

describe('POST /v1/salesforce/outbound-messages on the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const send = (xml: string, url = '/v1/salesforce/outbound-messages', app = stack.app) =>
    inject(app, { method: 'POST', url, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, payload: xml });
  const exists = (leadId: string) =>
    stack.client.workflow
      .getHandle(leadWorkflowId(toId18(leadId)!))
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );
  const handoffTasks = (leadId: string) => stack.rec.recorded.tasks.filter((t) => JSON.stringify(t).includes(leadId));
  const qualified = (leadId: string) => stack.rec.recorded.audit.filter((e) => e.leadId === leadId && e.type === 'QUALIFIED');

  test('the fixture is acknowledged only after both leads are handed to Temporal; the duplicate counts once', async () => {
    const xml = freshFixture();
    const res = await send(xml);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe(ACK_XML);
    const first = await inject(stack.app, { method: 'GET', url: '/v1/leads/00Q000000000001AAA', headers: bearer('sales') });
    expect(first.json()).toMatchObject({ stage: 'MQL', kind: 'HAND_RAISE', ownerId: '005000000000009AAA', fitScore: 80 });
    const second = await inject(stack.app, { method: 'GET', url: '/v1/leads/00Q000000000002AAA', headers: bearer('sales') });
    expect(second.json()).toMatchObject({ stage: 'MQL', kind: 'MQL' });
    expect(qualified('00Q000000000001EAA')).toHaveLength(1);

    // Salesforce redelivers (it does, at least once): acknowledged again, nothing new happens.
    const audited = stack.rec.recorded.audit.length;
    expect((await send(xml)).body).toBe(ACK_XML);
    // A new API process (no memory of the ids) still changes nothing: the workflow dedupes on the eventId.
    const fresh = await stack.build();
    expect((await send(xml, undefined, fresh)).body).toBe(ACK_XML);
    await fresh.close();
    expect(qualified('00Q000000000001EAA')).toHaveLength(1);
    expect(stack.rec.recorded.audit.length).toBe(audited);
  });

  test('a message from another org is refused with 403 and starts nothing', async () => {
    const res = await send(message({ orgId: '00D000000000999EAA', notifications: [{ id: '04lF1', fields: lead('00Q00000FOREIGN') }] }));
    expect(res.status).toBe(403);
    expect(res.body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(res.body).toContain('00D000000000999EAA is not accepted');
    expect(await exists('00Q00000FOREIGN')).toBe(false);
  });

  test('one invalid notification refuses the whole message (400 fault) and starts nothing', async () => {
    const res = await send(
      message({
        notifications: [
          { id: '04lV1', fields: lead('00Q000000VALID1') },
          { id: '04lV2', fields: lead('00Q0000INVALID1', { Fit_Score__c: 'very high' }) },
          { id: '04lV3', fields: lead('00Q0000INVALID2', { Handoff_Kind__c: 'COLD_CALL' }) },
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Notification\.1\.fitScore: .*Notification\.2\.kind/s);
    expect(await exists('00Q000000VALID1')).toBe(false);
  });

  test('non-Lead objects, JSON bodies and bad XML are SOAP faults (400)', async () => {
    const caseMessage = message({ notifications: [{ id: '04lC1', fields: { Id: '500C1' } }] }).replace('lead:Lead', 'lead:Case');
    expect((await send(caseMessage)).body).toMatch(/expected a Lead, got Case/);
    const json = await inject(stack.app, { method: 'POST', url: '/v1/salesforce/outbound-messages', payload: { a: 1 } });
    expect([json.status, json.headers['content-type']]).toEqual([400, 'text/xml; charset=utf-8']);
    expect((await send('<soapenv:Envelope')).status).toBe(400);
  });

  test('a body over 1 MB is a 413 SOAP fault', async () => {
    const res = await send(FIXTURE.replace('Open - Not Contacted', 'x'.repeat(1024 * 1024)));
    expect(res.status).toBe(413);
    expect(res.body).toContain('soapenv:Fault');
  });

  test('optionally, the endpoint URL must carry a crm key', async () => {
    const keyed = await stack.build({ outboundMessages: { requireKey: true } });
    const xml = message({ notifications: [{ id: '04lK1', fields: lead('00Q000000KEYED1') }] });
    expect((await send(xml, '/v1/salesforce/outbound-messages', keyed)).status).toBe(401);
    expect((await send(xml, `/v1/salesforce/outbound-messages?key=${KEYS.sales}`, keyed)).status).toBe(401);
    expect((await send(xml, `/v1/salesforce/outbound-messages?key=${KEYS.crm}`, keyed)).body).toBe(ACK_XML);
    expect(await exists('00Q000000KEYED1')).toBe(true);
    await keyed.close();
  });

  test('the field mapping is configurable', async () => {
    const mapped = await stack.build({ outboundMessages: { fieldMap: { fitScore: 'Fit__c' } } });
    const xml = message({ notifications: [{ id: '04lM1', fields: lead('00Q00000MAPPED1', { Fit__c: '90', Fit_Score__c: '1' }) }] });
    expect((await send(xml, undefined, mapped)).body).toBe(ACK_XML);
    const view = await inject(mapped, { method: 'GET', url: '/v1/leads/00Q00000MAPPED1', headers: bearer('revops') });
    expect(view.json().fitScore).toBe(90);
    await mapped.close();
  });
});

test('Temporal unreachable: a 503 SOAP fault, so Salesforce retries', async () => {
  const app = await buildApp(deps());
  const res = await inject(app, {
    method: 'POST',
    url: '/v1/salesforce/outbound-messages',
    headers: { 'content-type': 'text/xml' },
    payload: message({ notifications: [{ id: '04lU1', fields: lead('00Q0000UNREACH1') }] }),
  });
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBeDefined();
  expect(res.body).toContain('<faultcode>soapenv:Server</faultcode>');
  await app.close();
});
