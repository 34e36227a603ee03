import type { Emulator, FaultConfig } from '../index';
import { connect, errorCodes, failure, http, idOf, lead, rest, start } from './helpers';

async function statusesOf(emulator: Emulator, faults: FaultConfig, count: number): Promise<number[]> {
  const id = idOf(await connect(emulator).sobject('Lead').create(lead()));
  emulator.setFaults(faults);
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Contact_Attempts__c: i } })).status);
  }
  return statuses;
}

describe('fault injection', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start();
  });
  afterEach(() => emulator.close());

  it('is deterministic for a seed and differs across seeds', async () => {
    const faults = { seed: 42, writesOnly: true, rates: { UNABLE_TO_LOCK_ROW: 0.3, SERVER_ERROR: 0.2 } };
    const first = await statusesOf(emulator, faults, 40);
    const other = await start();
    try {
      expect(await statusesOf(other, faults, 40)).toEqual(first);
      other.reset();
      expect(await statusesOf(other, { ...faults, seed: 7 }, 40)).not.toEqual(first);
    } finally {
      await other.close();
    }
    expect(first).toContain(204);
    expect(first).toContain(400);
    expect(first.some((s) => s === 500 || s === 503)).toBe(true);
    expect(first.every((s) => [204, 400, 500, 503].includes(s))).toBe(true);
  });

  it('refuses a write with UNABLE_TO_LOCK_ROW before touching it, on every write route', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL' })));
    const before = emulator.records('Lead');
    emulator.setFaults({ rates: { UNABLE_TO_LOCK_ROW: 1 } });
    const single = await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Handoff_Stage__c: 'SAL' } });
    expect(single.status).toBe(400);
    expect(single.json).toEqual([{ message: `unable to obtain exclusive access to this record or 1 records: ${id}`, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }]);
    const many = await conn.sobject('Lead').update([{ Id: id, Handoff_Stage__c: 'SAL' }]);
    expect(errorCodes(many[0]?.errors)).toEqual(['UNABLE_TO_LOCK_ROW']);
    expect((await failure(conn.sobject('Lead').create(lead()))).name).toBe('UNABLE_TO_LOCK_ROW');
    expect((await failure(conn.sobject('Lead').destroy(id))).name).toBe('UNABLE_TO_LOCK_ROW');
    const composite = (await conn.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'GET', url: `/services/data/v62.0/sobjects/Lead/${id}`, referenceId: 'read' },
        { method: 'PATCH', url: `/services/data/v62.0/sobjects/Lead/${id}`, referenceId: 'write', body: { Title: 'x' } },
      ],
    })) as { compositeResponse: { body: unknown }[] };
    expect(composite.compositeResponse.map((r) => errorCodes(r.body)[0])).toEqual(['PROCESSING_HALTED', 'UNABLE_TO_LOCK_ROW']);
    expect(emulator.records('Lead')).toEqual(before);
    expect((await conn.sobject('Lead').retrieve(id, { fields: ['Handoff_Stage__c'] })).Handoff_Stage__c).toBe('MQL');
  });

  it.each([
    ['SERVER_ERROR', [500, 503]],
    ['REQUEST_LIMIT_EXCEEDED', [403]],
  ] as const)('answers %s without writing or counting the call', async (kind, statuses) => {
    emulator.setFaults({ rates: { [kind]: 1 } });
    const response = await rest(emulator, 'POST', '/sobjects/Task', { body: { Subject: 'Call' } });
    expect(statuses).toContain(response.status);
    expect(errorCodes(response.json)).toHaveLength(1);
    expect(response.headers.get('sforce-limit-info')).toBe('api-usage=0/100000');
    expect(emulator.records('Task')).toEqual([]);
    expect(emulator.apiCalls()).toBe(0);
  });

  it('drops the connection before a write: the client sees a socket error and nothing is written', async () => {
    emulator.setFaults({ next: ['DROP_CONNECTION', 'DROP_CONNECTION'] });
    await expect(rest(emulator, 'POST', '/sobjects/Task', { body: { Subject: 'Call' } })).rejects.toThrow();
    const error = await failure(connect(emulator).sobject('Task').create({ Subject: 'Call' }));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(emulator.records('Task')).toEqual([]);
    expect(emulator.requestLog().map((e) => [e.status, e.fault])).toEqual([
      [0, 'DROP_CONNECTION'],
      [0, 'DROP_CONNECTION'],
    ]);
  });

  it('with DROP_AFTER_WRITE applies the write, then drops the socket, so only an idempotent retry is safe', async () => {
    const conn = connect(emulator);
    emulator.setFaults({ next: ['DROP_AFTER_WRITE'] });
    const task = { Handoff_Event_Id__c: 'wf-1:1', Subject: 'First touch due' };
    await expect(conn.sobject('Task').upsert(task, 'Handoff_Event_Id__c')).rejects.toThrow();
    expect(emulator.records('Task')).toHaveLength(1);
    const retry = await conn.sobject('Task').upsert(task, 'Handoff_Event_Id__c');
    expect(retry).toMatchObject({ success: true, created: false });
    expect(emulator.records('Task')).toHaveLength(1);
    expect(emulator.apiCalls()).toBe(2);
  });

  it('keeps queued faults for the next eligible request and only lets writes take write faults', async () => {
    const conn = connect(emulator);
    const id = idOf(await conn.sobject('Lead').create(lead()));
    emulator.setFaults({ next: ['UNABLE_TO_LOCK_ROW'] });
    expect((await rest(emulator, 'GET', `/sobjects/Lead/${id}`)).status).toBe(200);
    expect((await rest(emulator, 'POST', '/composite/sobjects/Lead', { body: { ids: [id], fields: ['Id'] } })).status).toBe(200);
    expect(emulator.faults().next).toEqual(['UNABLE_TO_LOCK_ROW']);
    expect((await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Title: 'a' } })).status).toBe(400);
    expect((await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Title: 'b' } })).status).toBe(204);
    expect(emulator.faults().next).toEqual([]);
    emulator.setFaults({ writesOnly: true, rates: { SERVER_ERROR: 1 } });
    expect((await rest(emulator, 'GET', '/limits')).status).toBe(200);
    expect((await rest(emulator, 'PATCH', `/sobjects/Lead/${id}`, { body: { Title: 'c' } })).status).toBeGreaterThanOrEqual(500);
  });

  it('adds latency to data requests only', async () => {
    emulator.setFaults({ latencyMs: 150, rates: { DROP_CONNECTION: 1 }, writesOnly: true });
    const started = Date.now();
    expect((await rest(emulator, 'GET', '/limits')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const tokenStarted = Date.now();
    const grant = await http(emulator, 'POST', '/services/oauth2/token', {
      token: null,
      rawBody: 'grant_type=client_credentials&client_id=handoff-dev&client_secret=handoff-dev-secret',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(grant.status).toBe(200);
    expect((await http(emulator, 'GET', '/__emulator__/stats', { token: null })).status).toBe(200);
    expect(Date.now() - tokenStarted).toBeLessThan(140);
    emulator.setFaults({ latencyMs: { min: 20, max: 40 } });
    const rangeStarted = Date.now();
    await rest(emulator, 'GET', '/limits');
    expect(Date.now() - rangeStarted).toBeGreaterThanOrEqual(19);
  });

  it('validates fault configurations', () => {
    expect(() => emulator.setFaults({ rates: { SERVER_ERROR: 0.7, UNABLE_TO_LOCK_ROW: 0.7 } })).toThrow(/at most 1/);
    expect(() => emulator.setFaults({ latencyMs: { min: 50, max: 10 } })).toThrow();
    expect(() => emulator.setFaults({ next: ['TEAPOT' as never] })).toThrow();
  });
});
