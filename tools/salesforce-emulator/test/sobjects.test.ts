import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_METADATA_DIR, INTEGRATION_USER_ID, type Emulator } from '../index';
import { checksum } from '../ids';
import { connect, errorCodes, failure, idOf, lead, rest, start } from './helpers';

const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

/** A copy of the repo's metadata with one field removed and a non-unique external id added. */
function customMetadataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-metadata-'));
  cpSync(DEFAULT_METADATA_DIR, dir, { recursive: true });
  unlinkSync(path.join(dir, 'objects/Lead/fields/Fit_Score__c.field-meta.xml'));
  writeFileSync(
    path.join(dir, 'objects/Lead/fields/Legacy_Key__c.field-meta.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Legacy_Key__c</fullName>
    <externalId>true</externalId>
    <label>Legacy Key</label>
    <length>40</length>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
`,
  );
  return dir;
}

describe('single-record sObject routes', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start({ validationRules: [{ sobject: 'Lead', field: 'Company', matches: '^Test ', message: 'Test companies are not allowed' }] });
  });
  afterEach(() => emulator.close());

  it('creates with 201, Salesforce-shaped ids from a counter, and the REST headers', async () => {
    const first = await rest(emulator, 'POST', '/sobjects/Lead', { body: lead() });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ id: '00Q000000000001EAA', success: true, errors: [] });
    expect(first.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/100000');
    expect(first.headers.get('x-salesforce-emulator')).toMatch(/not Salesforce/);
    const conn = connect(emulator);
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(idOf(await conn.sobject('Lead').create(lead())));
    expect(ids[0]).toBe('00Q000000000002EAA');
    // The 11th id has a letter in its last chunk, which shows in the checksum.
    expect(ids[9]).toBe('00Q00000000000BEAQ');
    for (const id of ids) expect(id.slice(15)).toBe(checksum(id.slice(0, 15)));
    const task = await conn.sobject('Task').create({ Subject: 'Call' });
    expect(task.id).toBe('00T000000000001EAA');
  });

  it('sets system fields and defaults on create, and derives read-only ones', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead({ FirstName: 'Ada' })));
    const record = await conn.sobject('Lead').retrieve(id);
    expect(record).toMatchObject({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${id}` },
      Id: id,
      Name: 'Ada Lovelace',
      Status: 'Open - Not Contacted',
      OwnerId: INTEGRATION_USER_ID,
      CreatedById: INTEGRATION_USER_ID,
      IsConverted: false,
      IsDeleted: false,
      Handoff_Stage__c: null,
    });
    for (const field of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp']) expect(record[field]).toMatch(SF_DATETIME);
    const taskId = idOf(await conn.sobject('Task').create({ Subject: 'Call', Status: 'Completed', Priority: 'High' }));
    expect(await conn.sobject('Task').retrieve(taskId, { fields: ['IsClosed', 'IsHighPriority', 'CompletedDateTime'] })).toMatchObject({
      IsClosed: true,
      IsHighPriority: true,
      CompletedDateTime: expect.stringMatching(SF_DATETIME),
    });
  });

  it('retrieves only the requested fields, in order, and rejects unknown ones', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL', Fit_Score__c: 72.5 })));
    const response = await rest(emulator, 'GET', `/sobjects/Lead/${id}?fields=Fit_Score__c,handoff_stage__c`);
    expect(response.status).toBe(200);
    expect(response.text).toBe(
      `{"attributes":{"type":"Lead","url":"/services/data/v62.0/sobjects/Lead/${id}"},"Fit_Score__c":72.5,"Handoff_Stage__c":"MQL"}`,
    );
    const bad = await rest(emulator, 'GET', `/sobjects/Lead/${id}?fields=Id,Nope__c`);
    expect(bad.status).toBe(400);
    expect(errorCodes(bad.json)).toEqual(['INVALID_FIELD']);
  });

  it('accepts 15-character and lower-case ids for the same record', async () => {
    const id = idOf(await connect(emulator).sobject('Lead').create(lead()));
    for (const variant of [id.slice(0, 15), id.toLowerCase()]) {
      const response = await rest(emulator, 'GET', `/sobjects/Lead/${variant}?fields=Id`);
      expect(response.status).toBe(200);
      expect((response.json as { Id: string }).Id).toBe(id);
    }
  });

  it('updates with PATCH 204 and an empty body, and keeps other fields', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL' })));
    const response = await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Handoff_Stage__c: 'SAL', SLA_Breaches__c: 1 } });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    const result = await conn.sobject('Lead').update({ Id: id, SLA_Status__c: 'BREACHED' });
    expect(result).toEqual({ id, success: true, errors: [] });
    expect(emulator.records('Lead')[0]).toMatchObject({ Handoff_Stage__c: 'SAL', SLA_Breaches__c: 1, SLA_Status__c: 'BREACHED', LastName: 'Lovelace' });
  });

  it('deletes with 204; the record is then gone (ENTITY_IS_DELETED), unknown ids are NOT_FOUND', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead()));
    expect((await rest(emulator, 'DELETE', `/sobjects/Lead/${id}`)).status).toBe(204);
    expect(emulator.records('Lead')).toEqual([]);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const response = await rest(emulator, method, `/sobjects/Lead/${id}`, method === 'PATCH' ? { body: { Title: 'x' } } : {});
      expect(response.status).toBe(404);
      expect(response.json).toEqual([{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
    }
    const missing = await rest(emulator, 'GET', '/sobjects/Lead/00Q000000000099EAA');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND', fields: [] }]);
    const error = await failure(conn.sobject('Lead').update({ Id: '00Q000000000099EAA', Title: 'x' }));
    expect(error.name).toBe('NOT_FOUND');
  });

  it('reads a malformed id in the path as an unknown external ID field, and unknown types as NOT_FOUND', async () => {
    const malformed = await rest(emulator, 'GET', '/sobjects/Lead/abc');
    expect(malformed.status).toBe(404);
    expect(malformed.json).toEqual([{ message: 'Provided external ID field does not exist or is not accessible: abc', errorCode: 'NOT_FOUND', fields: [] }]);
    expect((await rest(emulator, 'POST', '/sobjects/Opportunity', { body: {} })).status).toBe(404);
    expect((await rest(emulator, 'GET', '/sobjects/Lead/00T000000000001EAA')).status).toBe(404);
  });

  it('answers 405 METHOD_NOT_ALLOWED and JSON_PARSER_ERROR like Salesforce', async () => {
    const put = await rest(emulator, 'PUT', '/sobjects/Lead', { body: lead() });
    expect(put.status).toBe(405);
    expect(put.json).toEqual([{ message: "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,POST", errorCode: 'METHOD_NOT_ALLOWED', fields: [] }]);
    const broken = await rest(emulator, 'POST', '/sobjects/Lead', { rawBody: '{"LastName":', headers: { 'Content-Type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(errorCodes(broken.json)).toEqual(['JSON_PARSER_ERROR']);
    expect(emulator.records('Lead')).toEqual([]);
  });

  describe('errors, exactly as Salesforce sends them, and nothing is written', () => {
    const cases: [string, () => Record<string, unknown>, { message: string; errorCode: string; fields: string[] }][] = [
      ['an unknown field', () => lead({ Foo__c: 1 }), { message: "No such column 'Foo__c' on sobject of type Lead", errorCode: 'INVALID_FIELD', fields: [] }],
      ['a misspelt custom field', () => lead({ Handoff_Stages__c: 'MQL' }), { message: "No such column 'Handoff_Stages__c' on sobject of type Lead", errorCode: 'INVALID_FIELD', fields: [] }],
      ['a malformed owner id', () => lead({ OwnerId: 'xyz' }), { message: 'Owner ID: id value of incorrect type: xyz', errorCode: 'MALFORMED_ID', fields: ['OwnerId'] }],
      ['an owner of the wrong type', () => lead({ OwnerId: '00Q000000000001EAA' }), { message: 'Owner ID: id value of incorrect type: 00Q000000000001EAA', errorCode: 'MALFORMED_ID', fields: ['OwnerId'] }],
      ['an owner that does not exist', () => lead({ OwnerId: '005000000000009AAA' }), { message: 'Owner ID: invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'] }],
      ['a bad restricted picklist value', () => lead({ Handoff_Stage__c: 'HOT' }), { message: 'Handoff Stage: bad value for restricted picklist field: HOT', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Handoff_Stage__c'] }],
      ['a picklist value in the wrong case', () => lead({ SLA_Status__c: 'breached' }), { message: 'SLA Status: bad value for restricted picklist field: breached', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['SLA_Status__c'] }],
      ['a lead status the org does not have', () => lead({ Status: 'Qualified' }), { message: 'Status: bad value for restricted picklist field: Qualified', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] }],
      ['a value longer than the field', () => lead({ Handoff_Workflow_Id__c: 'w'.repeat(256) }), { message: `Handoff Workflow Id: data value too large: ${'w'.repeat(120)}... (max length=255)`, errorCode: 'STRING_TOO_LONG', fields: ['Handoff_Workflow_Id__c'] }],
      ['missing required fields', () => ({ FirstName: 'Ada' }), { message: 'Required fields are missing: [LastName, Company]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName', 'Company'] }],
      ['a validation rule', () => lead({ Company: 'Test Corp' }), { message: 'Test companies are not allowed', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Company'] }],
      ['a number too large for its precision', () => lead({ Fit_Score__c: 10000 }), { message: 'Fit Score: value outside of valid range on numeric field: 10000', errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', fields: ['Fit_Score__c'] }],
      ['a number that is not one', () => lead({ Intent_Score__c: 'high' }), { message: 'Intent Score: value not of required type: high', errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['Intent_Score__c'] }],
      ['an impossible datetime', () => lead({ SLA_Due_At__c: '2026-02-30T10:00:00Z' }), { message: 'SLA Due At: value not of required type: 2026-02-30T10:00:00Z', errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['SLA_Due_At__c'] }],
      ['a read-only field', () => lead({ IsConverted: true, CreatedDate: '2020-01-01T00:00:00Z' }), { message: 'Unable to create/update fields: IsConverted, CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.', errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsConverted', 'CreatedDate'] }],
      ['an Id on create', () => lead({ Id: '00Q000000000001EAA' }), { message: 'Record ID: cannot specify Id in an insert call', errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Id'] }],
      ['an invalid email', () => lead({ Email: 'not-an-email' }), { message: 'Email: invalid email address: not-an-email', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] }],
    ];
    it.each(cases)('rejects %s with 400', async (_, body, expected) => {
      const response = await rest(emulator, 'POST', '/sobjects/Lead', { body: body() });
      expect(response.status).toBe(400);
      expect(response.json).toEqual([expected]);
      expect(emulator.records('Lead')).toEqual([]);
    });

    it('hands jsforce one error whose name and errorCode are the code and data is the error object', async () => {
      const error = await failure(connect(emulator).sobject('Lead').create(lead({ Handoff_Kind__c: 'SPAM' })));
      expect(error.name).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      expect(error.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      expect(error.data).toEqual({ message: 'Handoff Kind: bad value for restricted picklist field: SPAM', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Handoff_Kind__c'] });
    });

    it('checks updates the same way and leaves the record unchanged', async () => {
      const conn = connect(emulator);
      const id = idOf(await conn.sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL' })));
      const before = emulator.records('Lead');
      for (const [body, code] of [
        [{ LastName: null }, 'REQUIRED_FIELD_MISSING'],
        [{ Handoff_Stage__c: 'WON' }, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
        [{ Company: 'Test Inc' }, 'FIELD_CUSTOM_VALIDATION_EXCEPTION'],
        [{ Id: '00Q000000000002EAA', Title: 'x' }, 'INVALID_FIELD_FOR_INSERT_UPDATE'],
        [{ Name: 'Someone' }, 'INVALID_FIELD_FOR_INSERT_UPDATE'],
      ] as const) {
        const response = await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body });
        expect(response.status).toBe(400);
        expect(errorCodes(response.json)).toEqual([code]);
      }
      expect(emulator.records('Lead')).toEqual(before);
    });

    it('creates tasks without required input and rejects a duplicate unique external id (case-sensitive)', async () => {
      const conn = connect(emulator);
      const first = idOf(await conn.sobject('Task').create({ Handoff_Event_Id__c: 'wf-1:7' }));
      const duplicate = await rest(emulator, 'POST', '/sobjects/Task', { body: { Handoff_Event_Id__c: 'wf-1:7', Subject: 'again' } });
      expect(duplicate.status).toBe(400);
      expect(duplicate.json).toEqual([{ message: `duplicate value found: Handoff_Event_Id__c duplicates value on record with id: ${first}`, errorCode: 'DUPLICATE_VALUE', fields: [] }]);
      expect(await conn.sobject('Task').create({ Handoff_Event_Id__c: 'WF-1:7' })).toMatchObject({ success: true });
      expect(emulator.records('Task')).toHaveLength(2);
      expect(emulator.records('Task')[0]).toMatchObject({ Status: 'Not Started', Priority: 'Normal', OwnerId: INTEGRATION_USER_ID, IsClosed: false });
    });

    it('takes the seeded users and queue as owners, with 15- and 18-character ids in any case', async () => {
      const conn = connect(emulator);
      const queued = idOf(await conn.sobject('Lead').create(lead({ OwnerId: '00G000000000001AAA' })));
      const rep = idOf(await conn.sobject('Lead').create(lead({ OwnerId: '005000000000002aaa' })));
      expect(emulator.records('Lead').map((r) => [r.Id, r.OwnerId])).toEqual([
        [queued, '00G000000000001AAA'],
        [rep, '005000000000002AAA'],
      ]);
      const taskToQueue = await failure(conn.sobject('Task').create({ OwnerId: '00G000000000001AAA' }));
      expect(taskToQueue.name).toBe('MALFORMED_ID');
    });
  });

  it('stores values the way Salesforce does: UTC datetimes, rounded numbers, empty strings as null', async () => {
    const conn = connect(emulator);
    const id = idOf(
      await conn.sobject('Lead').create(
        lead({ SLA_Due_At__c: '2026-03-01T10:00:00+13:45', First_Touch_At__c: '2026-03-01T10:00:00', Fit_Score__c: '72.46', Title: '', Recycle_Notes__c: 'n'.repeat(32768) }),
      ),
    );
    const taskId = idOf(await conn.sobject('Task').create({ ActivityDate: '2026-03-02', ReminderDateTime: '2026-03-02T09:30:00.5-05:00' }));
    expect(await conn.sobject('Lead').retrieve(id, { fields: ['SLA_Due_At__c', 'First_Touch_At__c', 'Fit_Score__c', 'Title'] })).toMatchObject({
      SLA_Due_At__c: '2026-02-28T20:15:00.000+0000',
      First_Touch_At__c: '2026-03-01T10:00:00.000+0000',
      Fit_Score__c: 72.5,
      Title: null,
    });
    expect(await conn.sobject('Task').retrieve(taskId, { fields: ['ActivityDate', 'ReminderDateTime'] })).toMatchObject({
      ActivityDate: '2026-03-02',
      ReminderDateTime: '2026-03-02T14:30:00.500+0000',
    });
  });

  it('records whether Sforce-Auto-Assign was sent, per request', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead(), { headers: { 'Sforce-Auto-Assign': 'FALSE' } }));
    expect(emulator.lastRequestHeaders()?.['sforce-auto-assign']).toBe('FALSE');
    await conn.sobject('Lead').update({ Id: id, Title: 'VP' });
    expect(emulator.lastRequestHeaders()?.['sforce-auto-assign']).toBeUndefined();
    const log = emulator.requestLog().filter((e) => e.kind === 'data');
    expect(log.map((e) => [e.method, e.autoAssign])).toEqual([
      ['POST', 'FALSE'],
      ['PATCH', null],
    ]);
    expect(log[0]?.headers.authorization).toBe('Bearer <redacted>');
  });
});

describe('external-id routes', () => {
  let emulator: Emulator;
  let metadataDir: string;
  beforeAll(() => {
    metadataDir = customMetadataDir();
  });
  afterAll(() => rmSync(metadataDir, { recursive: true, force: true }));
  beforeEach(async () => {
    emulator = await start({ metadataDir });
  });
  afterEach(() => emulator.close());

  it('checks fields against the metadata directory it was given', async () => {
    const conn = connect(emulator);
    const error = await failure(conn.sobject('Lead').create(lead({ Fit_Score__c: 50 })));
    expect(error.name).toBe('INVALID_FIELD');
    expect(error.message).toBe("No such column 'Fit_Score__c' on sobject of type Lead");
    const describe = await conn.sobject('Lead').describe();
    const names = describe.fields.map((f) => f.name);
    expect(names).toContain('Legacy_Key__c');
    expect(names).toContain('Intent_Score__c');
    expect(names).not.toContain('Fit_Score__c');
  });

  it('upserts: 201 created, then 200 created:false (204 before API 46), never a second record', async () => {
    const created = await rest(emulator, 'PATCH', '/sobjects/Task/Handoff_Event_Id__c/wf-9:1', { body: { Subject: 'Call', Priority: 'High' } });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    expect(created.json).toEqual({ id, success: true, errors: [], created: true });
    const updated = await rest(emulator, 'PATCH', '/sobjects/Task/Handoff_Event_Id__c/wf-9:1', { body: { Subject: 'Call again' } });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ id, success: true, errors: [], created: false });
    const legacy = await rest(emulator, 'PATCH', '/sobjects/Task/Handoff_Event_Id__c/wf-9:1', { body: { Status: 'Completed' }, version: '45.0' });
    expect(legacy.status).toBe(204);
    expect(emulator.records('Task')).toHaveLength(1);
    expect(emulator.records('Task')[0]).toMatchObject({ Id: id, Handoff_Event_Id__c: 'wf-9:1', Subject: 'Call again', Priority: 'High', Status: 'Completed' });
  });

  it('upserts through jsforce, which reports created true then false', async () => {
    const conn = connect(emulator);
    const first = await conn.sobject('Task').upsert({ Handoff_Event_Id__c: 'wf-2:3', Subject: 'SLA breach' }, 'Handoff_Event_Id__c');
    const second = await conn.sobject('Task').upsert({ Handoff_Event_Id__c: 'wf-2:3', Subject: 'SLA breach' }, 'Handoff_Event_Id__c');
    expect(first).toMatchObject({ success: true, created: true });
    expect(second).toEqual({ id: first.id, success: true, errors: [], created: false });
  });

  it('answers 300 with the matching record URLs when an external id matches several records', async () => {
    const conn = connect(emulator);
    const a = idOf(await conn.sobject('Lead').create(lead({ Legacy_Key__c: 'K-1' })));
    const b = idOf(await conn.sobject('Lead').create(lead({ Legacy_Key__c: 'k-1' })));
    const response = await rest(emulator, 'PATCH', '/sobjects/Lead/Legacy_Key__c/K-1', { body: { Title: 'CTO' } });
    expect(response.status).toBe(300);
    expect(response.json).toEqual([`/services/data/v62.0/sobjects/Lead/${a}`, `/services/data/v62.0/sobjects/Lead/${b}`]);
    const error = await failure(conn.sobject('Lead').upsert({ Legacy_Key__c: 'K-1', Title: 'CTO' }, 'Legacy_Key__c'));
    expect(error.name).toBe('MULTIPLE_CHOICES');
    expect(emulator.records('Lead').map((r) => r.Title ?? null)).toEqual([null, null]);
    expect((await rest(emulator, 'GET', '/sobjects/Lead/Legacy_Key__c/K-1')).status).toBe(300);
  });

  it('reads and deletes by external id, and rejects fields that are not external ids', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Task').create({ Handoff_Event_Id__c: 'wf-3:1', Subject: 'Email' }));
    const read = await rest(emulator, 'GET', '/sobjects/Task/Handoff_Event_Id__c/wf-3:1?fields=Subject');
    expect(read.json).toEqual({ attributes: { type: 'Task', url: `/services/data/v62.0/sobjects/Task/${id}` }, Subject: 'Email' });
    expect((await rest(emulator, 'GET', '/sobjects/Task/Handoff_Event_Id__c/nope')).status).toBe(404);
    const notExternal = await rest(emulator, 'PATCH', '/sobjects/Task/Subject/Email', { body: {} });
    expect(notExternal.status).toBe(404);
    expect(notExternal.json).toEqual([{ message: 'Provided external ID field does not exist or is not accessible: Subject', errorCode: 'NOT_FOUND', fields: [] }]);
    const conflicting = await rest(emulator, 'PATCH', '/sobjects/Task/Handoff_Event_Id__c/wf-3:1', { body: { Id: id } });
    expect(errorCodes(conflicting.json)).toEqual(['INVALID_FIELD_FOR_INSERT_UPDATE']);
    expect((await rest(emulator, 'DELETE', '/sobjects/Task/Handoff_Event_Id__c/wf-3:1')).status).toBe(204);
    expect(emulator.records('Task')).toEqual([]);
  });
});
