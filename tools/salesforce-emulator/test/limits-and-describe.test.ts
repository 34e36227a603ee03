import type { Emulator } from '../index';
import { connect, failure, http, lead, rest, start } from './helpers';

describe('daily API allocation', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start({ dailyApiLimit: 3 });
  });
  afterEach(() => emulator.close());

  it('reports usage in /limits and in the Sforce-Limit-Info header that jsforce reads', async () => {
    const conn = connect(emulator);
    await conn.sobject('Lead').create(lead());
    const limits = await rest(emulator, 'GET', '/limits');
    expect(limits.json).toEqual({ DailyApiRequests: { Max: 3, Remaining: 1 } });
    expect(limits.headers.get('sforce-limit-info')).toBe('api-usage=2/3');
    await conn.query('SELECT Id FROM Lead');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 3, limit: 3 } });
    expect(emulator.apiCalls()).toBe(3);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the allocation is spent, writes nothing, and recovers on reset', async () => {
    const conn = connect(emulator);
    for (let i = 0; i < 3; i++) await conn.sobject('Lead').create(lead());
    const refused = await rest(emulator, 'POST', '/sobjects/Lead', { body: lead() });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED","fields":[]}]');
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    const error = await failure(conn.sobject('Lead').create(lead()));
    expect(error.name).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(emulator.records('Lead')).toHaveLength(3);
    expect(emulator.apiCalls()).toBe(3);
    emulator.setApiCalls(1);
    expect((await rest(emulator, 'GET', '/limits')).json).toEqual({ DailyApiRequests: { Max: 3, Remaining: 1 } });
    emulator.reset();
    expect(emulator.apiCalls()).toBe(0);
    expect(emulator.records('Lead')).toEqual([]);
  });
});

describe('describe and resource routes', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await start();
  });
  afterAll(() => emulator.close());

  it('describes Lead with the metadata custom fields and the standard ones', async () => {
    const describe = await connect(emulator).sobject('Lead').describe();
    expect(describe).toMatchObject({ name: 'Lead', keyPrefix: '00Q', createable: true });
    const field = (name: string) => describe.fields.find((f) => f.name === name);
    expect(field('Handoff_Stage__c')).toMatchObject({
      type: 'picklist',
      custom: true,
      restrictedPicklist: true,
      nillable: true,
      picklistValues: ['NURTURE', 'REVIEW', 'MQL', 'SAL', 'SQL', 'CONVERTED', 'RECYCLED', 'DISQUALIFIED'].map((value) => expect.objectContaining({ value, active: true })),
    });
    expect(field('Fit_Score__c')).toMatchObject({ type: 'double', precision: 5, scale: 1 });
    expect(field('Recycle_Notes__c')).toMatchObject({ type: 'textarea', length: 32768 });
    expect(field('SLA_Due_At__c')).toMatchObject({ type: 'datetime', soapType: 'xsd:dateTime' });
    expect(field('LastName')).toMatchObject({ type: 'string', nillable: false, custom: false });
    expect(field('OwnerId')).toMatchObject({ type: 'reference', referenceTo: ['User', 'Group'], relationshipName: 'Owner' });
    expect(field('IsConverted')).toMatchObject({ createable: false, updateable: false });
  });

  it('describes Task with the Activity external id', async () => {
    const describe = await connect(emulator).sobject('Task').describe();
    expect(describe.fields.find((f) => f.name === 'Handoff_Event_Id__c')).toMatchObject({
      type: 'string',
      length: 255,
      externalId: true,
      unique: true,
      caseSensitive: true,
      idLookup: true,
    });
    expect(describe.fields.find((f) => f.name === 'TaskSubtype')).toMatchObject({ createable: true, updateable: false });
  });

  it('serves the describe-global, sObject, resource and version routes', async () => {
    const global = (await rest(emulator, 'GET', '/sobjects')).json as { sobjects: { name: string; keyPrefix: string }[] };
    expect(global.sobjects.map((s) => [s.name, s.keyPrefix])).toEqual([
      ['Lead', '00Q'],
      ['Event', '00U'],
      ['Task', '00T'],
      ['User', '005'],
      ['Group', '00G'],
    ]);
    expect((await rest(emulator, 'GET', '/sobjects/Task')).json).toMatchObject({ objectDescribe: { name: 'Task' }, recentItems: [] });
    expect((await rest(emulator, 'GET', '', { version: '58.0' })).json).toMatchObject({ sobjects: '/services/data/v58.0/sobjects', query: '/services/data/v58.0/query' });
    const versions = await http(emulator, 'GET', '/services/data', { token: null });
    expect(versions.json).toEqual([expect.objectContaining({ version: '62.0', url: '/services/data/v62.0' })]);
    expect((await rest(emulator, 'GET', '/nothing-here')).status).toBe(404);
    expect((await http(emulator, 'GET', '/services/data/latest/sobjects')).status).toBe(404);
  });

  it('lets users and the queue be queried', async () => {
    const result = await connect(emulator).query("SELECT Id, Name FROM User WHERE IsActive = true AND Username LIKE '%@handoff.emulator' ORDER BY Id");
    expect(result.records.map((r) => r.Id)).toEqual(['005000000000001AAA', '005000000000002AAA', '005000000000003AAA']);
    const queue = await connect(emulator).query("SELECT Id FROM Group WHERE Type = 'Queue'");
    expect(queue.records.map((r) => r.Id)).toEqual(['00G000000000001AAA']);
  });
});
