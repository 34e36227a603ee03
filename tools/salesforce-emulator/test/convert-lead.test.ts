import type { Emulator } from '../index';
import { SEED_IDS } from '../standard-objects';
import { connect, errorCodes, http, idOf, lead, rest, start } from './helpers';

const soapEnvelope = (sessionId: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:partner.soap.sforce.com">` +
  `<se:Header><p:SessionHeader><p:sessionId>${sessionId}</p:sessionId></p:SessionHeader></se:Header><se:Body>${body}</se:Body></se:Envelope>`;

describe('Lead conversion (SOAP convertLead) and Events', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await start();
  });
  afterAll(async () => {
    await emulator.close();
  });

  test("jsforce's conn.soap.convertLead converts a Lead; REST shows the converted state, read-only", async () => {
    const conn = connect(emulator);
    const leadId = idOf(await conn.sobject('Lead').create(lead({ OwnerId: SEED_IDS.repUserId })));
    const before = await conn.sobject('Lead').retrieve(leadId);
    const result = await conn.soap.convertLead({
      leadId: leadId.slice(0, 15),
      convertedStatus: 'Closed - Converted',
    } as never);
    expect(result).toMatchObject({ success: true, leadId, errors: [] });
    const { opportunityId, accountId, contactId } = result as unknown as Record<string, string>;
    expect(opportunityId).toMatch(/^006[A-Za-z0-9]{15}$/);
    expect(accountId).toMatch(/^001/);
    expect(contactId).toMatch(/^003/);

    const rows = await conn.query<Record<string, unknown>>(
      `SELECT Id, IsConverted, ConvertedOpportunityId, ConvertedDate, Status, OwnerId, LastModifiedById, SystemModstamp FROM Lead WHERE IsConverted = true AND Id = '${leadId}'`,
    );
    expect(rows.records).toHaveLength(1);
    expect(rows.records[0]).toMatchObject({
      IsConverted: true,
      ConvertedOpportunityId: opportunityId,
      Status: 'Closed - Converted',
      OwnerId: SEED_IDS.repUserId,
    });
    expect(rows.records[0]!.ConvertedDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(String(rows.records[0]!.SystemModstamp).replace('+0000', 'Z'))).toBeGreaterThanOrEqual(
      Date.parse(String(before.SystemModstamp).replace('+0000', 'Z')),
    );

    const again = await conn.soap.convertLead({ leadId, convertedStatus: 'Closed - Converted' } as never);
    expect(again).toMatchObject({ success: false, errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' }] });

    const write = await rest(emulator, 'PATCH', `/sobjects/Lead/${leadId}`, {
      body: { IsConverted: false, ConvertedOpportunityId: null },
    });
    expect(write.status).toBe(400);
    expect(errorCodes(write.json)).toEqual(['INVALID_FIELD_FOR_INSERT_UPDATE']);
  });

  test('a bad converted status, an unknown lead, no opportunity, a batch of several', async () => {
    const conn = connect(emulator);
    const [a, b] = (await conn.sobject('Lead').create([lead(), lead()])).map(idOf) as [string, string];
    const results = (await conn.soap.convertLead([
      { leadId: a, convertedStatus: 'Open - Not Contacted' },
      { leadId: '00Q000000000ZZZZZZ', convertedStatus: 'Closed - Converted' },
      { leadId: b, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
    ] as never)) as unknown as Record<string, unknown>[];
    expect(results.map((r) => r.success)).toEqual([false, false, true]);
    expect(results[0]).toMatchObject({ errors: [{ statusCode: 'INVALID_STATUS' }] });
    expect(results[1]).toMatchObject({ errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY' }] });
    expect(results[2]).toMatchObject({ opportunityId: null });
    const unchanged = await conn.sobject('Lead').retrieve(a);
    expect(unchanged.IsConverted).toBe(false);
  });

  test('SOAP faults: a bad session (jsforce refreshes on it), malformed XML, DOCTYPE, an unknown operation', async () => {
    const path = '/services/Soap/u/62.0';
    const call = (body: string) =>
      http(emulator, 'POST', path, {
        rawBody: body,
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        token: null,
      });
    const badSession = await call(
      soapEnvelope('nope', '<p:convertLead><p:leadConverts><p:leadId>x</p:leadId></p:leadConverts></p:convertLead>'),
    );
    expect(badSession.status).toBe(500);
    expect(badSession.text).toMatch(/<faultcode>sf:INVALID_SESSION_ID<\/faultcode>/);
    expect(badSession.headers.get('content-type')).toMatch(/^text\/xml/);

    const token = emulator.issueToken();
    expect((await call('<not xml')).text).toMatch(/not well-formed/);
    expect((await call(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${soapEnvelope(token, '<p:convertLead/>')}`)).text).toMatch(
      /DOCTYPE is disallowed/,
    );
    const unknown = await call(soapEnvelope(token, '<p:merge/>'));
    expect(unknown.status).toBe(500);
    expect(unknown.text).toMatch(/No operation available for request \{urn:partner.soap.sforce.com\}merge/);
    const empty = await call(soapEnvelope(token, '<p:convertLead/>'));
    expect(empty.text).toMatch(/expects one or more leadConverts/);
  });

  test('Events are queryable on WhoId and SystemModstamp, with Activity custom fields, and derive their duration', async () => {
    const conn = connect(emulator);
    const leadId = idOf(await conn.sobject('Lead').create(lead()));
    const eventId = idOf(
      await conn.sobject('Event').create({
        WhoId: leadId.slice(0, 15),
        Subject: 'Discovery',
        Type: 'Meeting',
        StartDateTime: '2026-12-02T15:00:00Z',
        EndDateTime: '2026-12-02T15:30:00Z',
      }),
    );
    expect(eventId).toMatch(/^00U/);
    const rows = await conn.query<Record<string, unknown>>(
      `SELECT Id, WhoId, OwnerId, Type, DurationInMinutes, ActivityDateTime, Handoff_Event_Id__c FROM Event WHERE WhoId = '${leadId}' AND SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id LIMIT 200`,
    );
    expect(rows.records).toEqual([
      expect.objectContaining({
        Id: eventId,
        WhoId: leadId,
        Type: 'Meeting',
        DurationInMinutes: 30,
        ActivityDateTime: '2026-12-02T15:00:00.000+0000',
        Handoff_Event_Id__c: null,
      }),
    ]);
    const missing = await rest(emulator, 'POST', '/sobjects/Event', { body: { WhoId: leadId, Subject: 'No time' } });
    expect(errorCodes(missing.json)).toEqual(['REQUIRED_FIELD_MISSING']);
  });
});
