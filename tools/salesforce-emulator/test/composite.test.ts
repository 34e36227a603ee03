import type { Emulator } from '../index';
import { connect, errorCodes, idOf, lead, rest, start } from './helpers';

const HALTED = [{ message: 'The transaction was rolled back since another operation in the same transaction failed.', errorCode: 'PROCESSING_HALTED', fields: [] }];

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

describe('Composite', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start();
  });
  afterEach(() => emulator.close());

  async function composite(body: object): Promise<SubResponse[]> {
    const result = (await connect(emulator).requestPost('/composite', body)) as { compositeResponse: SubResponse[] };
    return result.compositeResponse;
  }

  it('runs subrequests in order, resolving @{ref.field} references, as one API call', async () => {
    const responses = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Lead', referenceId: 'newLead', body: lead({ Handoff_Stage__c: 'MQL' }) },
        { method: 'PATCH', url: '/services/data/v62.0/sobjects/Lead/@{newLead.id}', referenceId: 'stage', body: { Handoff_Stage__c: 'SAL' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'task', body: { WhoId: '@{newLead.id}', Subject: 'Call @{newLead.id}' } },
        { method: 'GET', url: "/services/data/v62.0/query?q=SELECT+Id,Handoff_Stage__c+FROM+Lead+WHERE+Id='@{newLead.id}'", referenceId: 'check' },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Task/@{task.id}?fields=Subject', referenceId: 'taskRead' },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Lead/@{check.records[0].Id}?fields=Handoff_Stage__c', referenceId: 'nested' },
      ],
    });
    const leadId = (responses[0]?.body as { id: string }).id;
    const taskId = (responses[2]?.body as { id: string }).id;
    expect(responses.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ['newLead', 201],
      ['stage', 204],
      ['task', 201],
      ['check', 200],
      ['taskRead', 200],
      ['nested', 200],
    ]);
    expect(responses[0]?.httpHeaders).toEqual({ Location: `/services/data/v62.0/sobjects/Lead/${leadId}` });
    expect(responses[1]?.body).toBeNull();
    expect(responses[3]?.body).toMatchObject({ totalSize: 1, records: [{ Id: leadId, Handoff_Stage__c: 'SAL' }] });
    expect(responses[4]?.body).toMatchObject({ Subject: `Call ${leadId}` });
    expect(emulator.records('Task')[0]).toMatchObject({ Id: taskId, WhoId: leadId });
    expect(emulator.apiCalls()).toBe(1);
  });

  it('with allOrNone=true rolls back every subrequest: the failure keeps its error, the others PROCESSING_HALTED', async () => {
    const existing = idOf(await connect(emulator).sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL' })));
    const before = emulator.records('Lead');
    const responses = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'PATCH', url: `/services/data/v62.0/sobjects/Lead/${existing}`, referenceId: 'update', body: { Handoff_Stage__c: 'SAL' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'task', body: { Subject: 'Call' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'bad', body: { Priority: 'Whenever' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'after', body: { Subject: 'never runs' } },
      ],
    });
    expect(responses.map((r) => r.httpStatusCode)).toEqual([400, 400, 400, 400]);
    expect(responses[0]?.body).toEqual(HALTED);
    expect(responses[1]?.body).toEqual(HALTED);
    expect(errorCodes(responses[2]?.body)).toEqual(['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
    expect(responses[3]?.body).toEqual(HALTED);
    expect(emulator.records('Lead')).toEqual(before);
    expect(emulator.records('Task')).toEqual([]);
  });

  it('with allOrNone=false keeps what succeeded; references to a failed subrequest halt', async () => {
    const responses = await composite({
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'ok', body: { Subject: 'Call' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Lead', referenceId: 'badLead', body: { Company: 'Acme' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'dependent', body: { WhoId: '@{badLead.id}' } },
      ],
    });
    expect(responses.map((r) => r.httpStatusCode)).toEqual([201, 400, 400]);
    expect(errorCodes(responses[1]?.body)).toEqual(['REQUIRED_FIELD_MISSING']);
    expect(errorCodes(responses[2]?.body)).toEqual(['PROCESSING_HALTED']);
    expect(emulator.records('Task')).toHaveLength(1);
  });

  it('allows Collections inside Composite and rolls them back with the rest', async () => {
    const responses = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/composite/sobjects', referenceId: 'tasks', body: { records: [{ attributes: { type: 'Task' }, Subject: 'a' }] } },
        { method: 'DELETE', url: '/services/data/v62.0/sobjects/Lead/00Q000000000099EAA', referenceId: 'missing' },
      ],
    });
    expect(responses.map((r) => r.httpStatusCode)).toEqual([400, 404]);
    expect(emulator.records('Task')).toEqual([]);
  });

  it('refuses more than 25 subrequests, duplicate reference ids and malformed envelopes with a top-level 400', async () => {
    const many = Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: '/services/data/v62.0/limits', referenceId: `r${i}` }));
    const tooMany = await rest(emulator, 'POST', '/composite', { body: { compositeRequest: many } });
    expect(tooMany.status).toBe(400);
    expect(errorCodes(tooMany.json)).toEqual(['LIMIT_EXCEEDED']);
    const duplicate = await rest(emulator, 'POST', '/composite', {
      body: { compositeRequest: [{ method: 'GET', url: '/services/data/v62.0/limits', referenceId: 'x' }, { method: 'GET', url: '/services/data/v62.0/limits', referenceId: 'x' }] },
    });
    expect(duplicate.status).toBe(400);
    expect(errorCodes(duplicate.json)).toEqual(['JSON_PARSER_ERROR']);
    const noReference = await rest(emulator, 'POST', '/composite', { body: { compositeRequest: [{ method: 'GET', url: '/services/data/v62.0/limits' }] } });
    expect(noReference.status).toBe(400);
    expect(errorCodes(noReference.json)).toEqual(['JSON_PARSER_ERROR']);
    expect((await rest(emulator, 'GET', '/composite')).status).toBe(405);
  });
});
