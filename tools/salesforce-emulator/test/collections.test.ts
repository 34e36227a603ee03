import type { Emulator } from '../index';
import { connect, errorCodes, failure, idOf, lead, rest, start } from './helpers';

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

describe('sObject Collections', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start();
  });
  afterEach(() => emulator.close());

  async function seedTwoLeads(): Promise<[string, string]> {
    const conn = connect(emulator);
    const [a, b] = await conn.sobject('Lead').create([lead({ LastName: 'Lead 0' }), lead({ LastName: 'Lead 1' })]);
    if (!a || !b) throw new Error('seeding failed');
    return [idOf(a), idOf(b)];
  }

  it('creates mixed types in one call (HTTP 200, results in request order) and counts one API call', async () => {
    const response = await rest(emulator, 'POST', '/composite/sobjects', {
      body: { allOrNone: false, records: [{ attributes: { type: 'Lead' }, ...lead() }, { attributes: { type: 'Task' }, Subject: 'Call' }] },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      { id: '00Q000000000001EAA', success: true, errors: [] },
      { id: '00T000000000001EAA', success: true, errors: [] },
    ]);
    expect(response.headers.get('sforce-limit-info')).toBe('api-usage=1/100000');
  });

  it('with allOrNone=false commits the good records and reports the bad ones with statusCode (jsforce does not throw)', async () => {
    const conn = connect(emulator);
    const results = await conn.sobject('Lead').create([lead(), lead({ Handoff_Stage__c: 'BOGUS' }), { Company: 'No Name Inc' }]);
    expect(results).toEqual([
      { id: '00Q000000000001EAA', success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Handoff Stage: bad value for restricted picklist field: BOGUS', fields: ['Handoff_Stage__c'] }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] },
    ]);
    expect(emulator.records('Lead')).toHaveLength(1);
  });

  it('with allOrNone=true rolls everything back: the failure keeps its error, the others say ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const [a, b] = await seedTwoLeads();
    const before = emulator.records('Lead');
    const conn = connect(emulator);
    const results = await conn.sobject('Lead').update(
      [
        { Id: a, Handoff_Stage__c: 'SAL' },
        { Id: b, SLA_Status__c: 'LATE' },
        { Id: b, Contact_Attempts__c: 2 },
      ],
      { allOrNone: true },
    );
    expect(results).toEqual([
      { id: a, success: false, errors: [ROLLED_BACK] },
      { id: b, success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'SLA Status: bad value for restricted picklist field: LATE', fields: ['SLA_Status__c'] }] },
      { id: b, success: false, errors: [ROLLED_BACK] },
    ]);
    expect(emulator.records('Lead')).toEqual(before);
  });

  it('rolls back creates under allOrNone without reporting the ids they would have had', async () => {
    const results = await connect(emulator).sobject('Task').create([{ Subject: 'ok' }, { Subject: 'bad', Priority: 'Urgent' }], { allOrNone: true });
    expect(results[0]).toEqual({ success: false, errors: [ROLLED_BACK] });
    expect(errorCodes(results[1]?.errors)).toEqual(['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
    expect(emulator.records('Task')).toEqual([]);
  });

  it('updates with allOrNone=false record by record, even the same record twice', async () => {
    const [a, b] = await seedTwoLeads();
    const conn = connect(emulator);
    const results = await conn.sobject('Lead').update([
      { Id: a, Handoff_Stage__c: 'MQL' },
      { Id: b, Fit_Score__c: 'x' },
      { Id: a, Fit_Score__c: 80 },
      { Id: '00Q000000000099EAA', Title: 'x' },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, true, false]);
    expect(errorCodes(results[3]?.errors)).toEqual(['NOT_FOUND']);
    expect(emulator.records('Lead')[0]).toMatchObject({ Id: a, Handoff_Stage__c: 'MQL', Fit_Score__c: 80 });
    const noId = await rest(emulator, 'PATCH', '/composite/sobjects', { body: { records: [{ attributes: { type: 'Lead' }, Title: 'x' }] } });
    expect(noId.json).toEqual([{ success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] }]);
  });

  it('refuses more than 200 records with a top-level 400 EXCEEDED_ID_LIMIT and writes nothing', async () => {
    const records = Array.from({ length: 201 }, () => ({ attributes: { type: 'Task' }, Subject: 'x' }));
    const response = await rest(emulator, 'POST', '/composite/sobjects', { body: { records } });
    expect(response.status).toBe(400);
    expect(response.json).toEqual([{ message: 'record limit reached. cannot submit more than 200 records into this call', errorCode: 'EXCEEDED_ID_LIMIT', fields: [] }]);
    const error = await failure(connect(emulator).sobject('Task').create(records.map(({ Subject }) => ({ Subject }))));
    expect(error.name).toBe('EXCEEDED_ID_LIMIT');
    const chunked = await connect(emulator).sobject('Task').create(records.map(({ Subject }) => ({ Subject })), { allowRecursive: true });
    expect(chunked).toHaveLength(201);
    expect(emulator.records('Task')).toHaveLength(201);
  });

  it('upserts on the external id: created flags, in-request duplicates, allOrNone rollback', async () => {
    const conn = connect(emulator);
    await conn.sobject('Task').upsert({ Handoff_Event_Id__c: 'e-1', Subject: 'first' }, 'Handoff_Event_Id__c');
    const results = await conn.sobject('Task').upsert(
      [
        { Handoff_Event_Id__c: 'e-1', Subject: 'updated' },
        { Handoff_Event_Id__c: 'e-2', Subject: 'new' },
      ],
      'Handoff_Event_Id__c',
    );
    expect(results).toEqual([
      { id: '00T000000000001EAA', success: true, errors: [], created: false },
      { id: '00T000000000002EAA', success: true, errors: [], created: true },
    ]);
    const dup = await rest(emulator, 'PATCH', '/composite/sobjects/Task/Handoff_Event_Id__c', {
      body: { records: [{ attributes: { type: 'Task' }, Handoff_Event_Id__c: 'e-3' }, { attributes: { type: 'Task' }, Handoff_Event_Id__c: 'e-3' }, { attributes: { type: 'Task' }, Subject: 'no key' }] },
    });
    expect(dup.status).toBe(200);
    expect((dup.json as { errors: { statusCode: string }[] }[]).map((r) => r.errors[0]?.statusCode)).toEqual(['DUPLICATE_EXTERNAL_ID', 'DUPLICATE_EXTERNAL_ID', 'MISSING_ARGUMENT']);
    const rolledBack = await conn.sobject('Task').upsert(
      [
        { Handoff_Event_Id__c: 'e-4', Subject: 'would be created' },
        { Handoff_Event_Id__c: 'e-1', Status: 'Done' },
      ],
      'Handoff_Event_Id__c',
      { allOrNone: true },
    );
    expect(rolledBack).toEqual([
      { success: false, errors: [ROLLED_BACK], created: true },
      { id: '00T000000000001EAA', success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' })], created: false },
    ]);
    expect(emulator.records('Task').map((t) => [t.Handoff_Event_Id__c, t.Subject])).toEqual([
      ['e-1', 'updated'],
      ['e-2', 'new'],
    ]);
  });

  it('deletes by ids, per record or all-or-none', async () => {
    const [a, b] = await seedTwoLeads();
    const conn = connect(emulator);
    const allOrNone = await conn.sobject('Lead').destroy([a, 'bogus'], { allOrNone: true });
    expect(allOrNone).toEqual([
      { id: a, success: false, errors: [ROLLED_BACK] },
      { id: 'bogus', success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id bogus', fields: [] }] },
    ]);
    expect(emulator.records('Lead')).toHaveLength(2);
    const perRecord = await conn.sobject('Lead').destroy([a, b, a]);
    expect(perRecord.map((r) => r.success)).toEqual([true, true, false]);
    expect(errorCodes(perRecord[2]?.errors)).toEqual(['ENTITY_IS_DELETED']);
    expect(emulator.records('Lead')).toEqual([]);
  });

  it('retrieves by ids with null for missing ones, by POST with fields or GET, and via describe when jsforce omits fields', async () => {
    const [a, b] = await seedTwoLeads();
    const response = await rest(emulator, 'POST', '/composite/sobjects/Lead', { body: { ids: [b, '00Q000000000099EAA', 'junk', a], fields: ['LastName'] } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      { attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${b}` }, LastName: 'Lead 1' },
      null,
      null,
      { attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${a}` }, LastName: 'Lead 0' },
    ]);
    const viaGet = await rest(emulator, 'GET', `/composite/sobjects/Lead?ids=${a}&fields=Id,Company`);
    expect(viaGet.json).toEqual([{ attributes: expect.any(Object), Id: a, Company: 'Analytical Engines' }]);
    const conn = connect(emulator);
    const all = await conn.sobject('Lead').retrieve([a, b]);
    expect(all.map((r) => r.Id)).toEqual([a, b]);
    expect(Object.keys(all[0] ?? {})).toContain('Handoff_Stage__c');
    expect(emulator.requestLog().map((e) => `${e.method} ${e.path.split('?')[0]}`).slice(-2)).toEqual([
      'GET /services/data/v62.0/sobjects/Lead/describe',
      'POST /services/data/v62.0/composite/sobjects/Lead',
    ]);
    const badField = await rest(emulator, 'POST', '/composite/sobjects/Lead', { body: { ids: [a], fields: ['Nope'] } });
    expect(badField.status).toBe(400);
    expect(errorCodes(badField.json)).toEqual(['INVALID_FIELD']);
  });

  it('rejects a malformed envelope with JSON_PARSER_ERROR', async () => {
    const response = await rest(emulator, 'POST', '/composite/sobjects', { body: { records: 'nope' } });
    expect(response.status).toBe(400);
    expect(errorCodes(response.json)).toEqual(['JSON_PARSER_ERROR']);
    const unknownType = await rest(emulator, 'POST', '/composite/sobjects', { body: { records: [{ attributes: { type: 'Foo' } }] } });
    expect(unknownType.json).toEqual([{ success: false, errors: [{ statusCode: 'INVALID_TYPE', message: "sObject type 'Foo' is not supported.", fields: [] }] }]);
  });
});
