import fc from 'fast-check';
import { SfDate } from 'jsforce';
import type { Emulator } from '../index';
import { connect, errorCodes, idOf, lead, rest, start } from './helpers';

interface QueryBody {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

const q = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;

describe('SOQL queries', () => {
  let emulator: Emulator;
  let ids: string[];
  beforeAll(async () => {
    emulator = await start();
    const conn = connect(emulator);
    const results = await conn.sobject('Lead').create([
      lead({ LastName: 'Ahn', Email: "o'hara@example.com", Rating: 'Hot', LeadSource: 'Web', Fit_Score__c: 80, Intent_Score__c: 40, Handoff_Stage__c: 'MQL', SLA_Due_At__c: '2026-01-10T09:00:00Z' }),
      lead({ LastName: 'Baker', Rating: 'Warm', LeadSource: 'Webinar', Fit_Score__c: 55, Intent_Score__c: 10, Handoff_Stage__c: 'NURTURE', SLA_Due_At__c: '2026-01-10T11:00:00Z' }),
      lead({ LastName: 'Chen', Rating: 'Cold', LeadSource: 'Partner Referral', Fit_Score__c: 90, Handoff_Stage__c: 'SAL', Status: 'Working - Contacted' }),
      lead({ LastName: 'Diaz', LeadSource: 'Other', Handoff_Stage__c: 'MQL', Company: '100% Juice_Co' }),
    ]);
    ids = results.map(idOf);
    await conn.sobject('Task').create([
      { WhoId: ids[0], Subject: 'Call', Status: 'Completed' },
      { WhoId: ids[0], Subject: 'Email' },
      { WhoId: ids[1], Subject: 'Call' },
    ]);
  });
  afterAll(() => emulator.close());

  const at = (index: number): string => {
    const id = ids[index];
    if (!id) throw new Error(`no lead #${index}`);
    return id;
  };

  async function soql(query: string): Promise<QueryBody> {
    return (await connect(emulator).query(query)) as unknown as QueryBody;
  }

  const lastNames = async (query: string) => (await soql(query)).records.map((r) => r.LastName);

  it('answers the REST shape, with attributes and the selected fields only', async () => {
    const response = await rest(emulator, 'GET', q(`SELECT Id, LastName FROM Lead WHERE Id = '${ids[2]}'`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(response.json).toEqual({
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${ids[2]}` }, Id: ids[2], LastName: 'Chen' }],
    });
  });

  it('runs the queries jsforce builds', async () => {
    const conn = connect(emulator);
    const open = await conn
      .sobject('Lead')
      .find({ Status: 'Open - Not Contacted', IsConverted: false, CreatedDate: { $lt: SfDate.toDateTimeLiteral(new Date(Date.now() + 60_000)) } }, ['Id', 'LastName'])
      .sort('-LastName')
      .limit(2);
    expect(open.map((r) => r.LastName)).toEqual(['Diaz', 'Baker']);
    const byIds = await conn.sobject('Lead').find({ Id: { $in: [at(1), at(3)] } }, ['LastName']);
    expect(byIds.map((r) => r.LastName)).toEqual(['Baker', 'Diaz']);
    expect(await conn.sobject('Task').count({ WhoId: ids[0], Status: { $ne: 'Completed' } })).toBe(1);
    const quoted = await conn.sobject('Lead').find({ Email: "o'hara@example.com" }, ['LastName']).limit(1);
    expect(quoted.map((r) => r.LastName)).toEqual(['Ahn']);
    const either = await conn.sobject('Lead').find({ $or: [{ Rating: 'Hot' }, { LeadSource: { $like: 'Web%' } }] }, ['LastName']);
    expect(either.map((r) => r.LastName)).toEqual(['Ahn', 'Baker']);
  });

  it('filters with comparisons, IN, NOT IN, LIKE, NOT, null, booleans and datetimes', async () => {
    expect(await lastNames('SELECT LastName FROM Lead WHERE Fit_Score__c >= 80')).toEqual(['Ahn', 'Chen']);
    expect(await lastNames('SELECT LastName FROM Lead WHERE Fit_Score__c < 80')).toEqual(['Baker']);
    expect(await lastNames('SELECT LastName FROM Lead WHERE Fit_Score__c = null')).toEqual(['Diaz']);
    expect(await lastNames('SELECT LastName FROM Lead WHERE Fit_Score__c != null AND Intent_Score__c = null')).toEqual(['Chen']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE Rating != 'Hot'")).toEqual(['Baker', 'Chen', 'Diaz']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE Handoff_Stage__c IN ('MQL', 'SAL')")).toEqual(['Ahn', 'Chen', 'Diaz']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE Handoff_Stage__c NOT IN ('MQL', 'SAL')")).toEqual(['Baker']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE lastname LIKE 'b%'")).toEqual(['Baker']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE Company LIKE '100\\%%'")).toEqual(['Diaz']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE Company LIKE '%\\_Co'")).toEqual(['Diaz']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE LastName LIKE '_hen'")).toEqual(['Chen']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE NOT Rating = 'Hot' AND IsConverted = false AND IsDeleted = FALSE")).toEqual(['Baker', 'Chen', 'Diaz']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE (Rating = 'Hot' OR Rating = 'Cold') AND Fit_Score__c > 85")).toEqual(['Chen']);
    expect(await lastNames("SELECT LastName FROM Lead WHERE handoff_stage__c = 'mql'")).toEqual(['Ahn', 'Diaz']);
    expect(await lastNames('SELECT LastName FROM Lead WHERE SLA_Due_At__c > 2026-01-10T10:00:00Z')).toEqual(['Baker']);
    // 09:00Z is 22:45 at +13:45 (Chatham summer time); the offset is honoured whatever the host's zone.
    expect(await lastNames('SELECT LastName FROM Lead WHERE SLA_Due_At__c = 2026-01-10T22:45:00+13:45')).toEqual(['Ahn']);
    expect(await lastNames(`SELECT LastName FROM Lead WHERE Id = '${ids[1]?.slice(0, 15)}'`)).toEqual(['Baker']);
  });

  it('orders, limits and offsets, with SOQL null ordering', async () => {
    expect(await lastNames('SELECT LastName FROM Lead ORDER BY Fit_Score__c DESC')).toEqual(['Chen', 'Ahn', 'Baker', 'Diaz']);
    expect(await lastNames('SELECT LastName FROM Lead ORDER BY Fit_Score__c')).toEqual(['Diaz', 'Baker', 'Ahn', 'Chen']);
    expect(await lastNames('SELECT LastName FROM Lead ORDER BY Fit_Score__c ASC NULLS LAST LIMIT 2')).toEqual(['Baker', 'Ahn']);
    expect(await lastNames('SELECT LastName FROM Lead ORDER BY Handoff_Stage__c, LastName DESC LIMIT 3 OFFSET 1')).toEqual(['Ahn', 'Baker', 'Chen']);
  });

  it('counts with count()', async () => {
    const result = await soql("SELECT count() FROM Task WHERE Subject = 'Call'");
    expect(result).toEqual({ totalSize: 2, done: true, records: [] });
  });

  it('includes deleted records only in queryAll', async () => {
    const conn = connect(emulator);
    const doomed = idOf(await conn.sobject('Task').create({ Subject: 'Doomed' }));
    await conn.sobject('Task').destroy(doomed);
    const live = await rest(emulator, 'GET', q("SELECT Id FROM Task WHERE Subject = 'Doomed'"));
    expect((live.json as QueryBody).totalSize).toBe(0);
    const all = await rest(emulator, 'GET', `/queryAll?q=${encodeURIComponent("SELECT Id, IsDeleted FROM Task WHERE Subject = 'Doomed'")}`);
    expect((all.json as QueryBody).records).toEqual([expect.objectContaining({ Id: doomed, IsDeleted: true })]);
  });

  describe('errors', () => {
    it.each([
      ['SELECT Id FROM Lead WHERE', 'MALFORMED_QUERY'],
      ["SELECT Id FROM Lead WHERE Rating = 'Hot' AND LastName = 'x' OR LastName = 'y'", 'MALFORMED_QUERY'],
      ['SELECT Id Lead', 'MALFORMED_QUERY'],
      ["SELECT Id FROM Lead WHERE Rating = 'unterminated", 'MALFORMED_QUERY'],
      ['SELECT COUNT(Id) FROM Lead', 'MALFORMED_QUERY'],
      ['SELECT Id FROM Leads', 'INVALID_TYPE'],
      ["SELECT Id FROM Lead WHERE SLA_Due_At__c > '2026-01-01T00:00:00Z'", 'INVALID_FIELD'],
      ["SELECT Id FROM Lead WHERE Fit_Score__c = '80'", 'INVALID_FIELD'],
      ['SELECT Id FROM Lead WHERE LastName = 5', 'INVALID_FIELD'],
      ["SELECT Id FROM Lead WHERE Id = 'abc'", 'INVALID_QUERY_FILTER_OPERATOR'],
      ['SELECT Id FROM Lead OFFSET 2001', 'NUMBER_OUTSIDE_VALID_RANGE'],
    ])('%s → %s', async (query, code) => {
      const response = await rest(emulator, 'GET', q(query));
      expect(response.status).toBe(400);
      expect(errorCodes(response.json)).toEqual([code]);
    });

    it('explains an unknown column like Salesforce, with the caret under it', async () => {
      const response = await rest(emulator, 'GET', q('SELECT Id, Foo__c FROM Lead'));
      expect(response.json).toEqual([
        {
          message:
            "\nSELECT Id, Foo__c FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo__c' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
          errorCode: 'INVALID_FIELD',
          fields: [],
        },
      ]);
    });

    it('hands jsforce the error code as the error name', async () => {
      await expect(connect(emulator).query('SELECT Nope FROM Lead')).rejects.toMatchObject({ name: 'INVALID_FIELD', errorCode: 'INVALID_FIELD' });
    });

    it('needs a query string and a known locator', async () => {
      expect(errorCodes((await rest(emulator, 'GET', '/query')).json)).toEqual(['MALFORMED_QUERY']);
      expect(errorCodes((await rest(emulator, 'GET', '/query/01g000000000099EAA-200')).json)).toEqual(['INVALID_QUERY_LOCATOR']);
    });
  });

  it('agrees with a plain filter on random thresholds (property)', async () => {
    const records = emulator.records('Lead');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('<', '<=', '>', '>=', '=', '!='), fc.integer({ min: 0, max: 100 }), async (op, threshold) => {
        const result = await soql(`SELECT Id FROM Lead WHERE Fit_Score__c ${op} ${threshold}`);
        const expected = records
          .filter((r) => {
            const v = typeof r.Fit_Score__c === 'number' ? r.Fit_Score__c : null;
            if (op === '!=') return v !== threshold;
            if (v === null) return false;
            return { '<': v < threshold, '<=': v <= threshold, '>': v > threshold, '>=': v >= threshold, '=': v === threshold }[op];
          })
          .map((r) => r.Id);
        expect(result.records.map((r) => r.Id)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});

describe('query pagination', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await start();
    const conn = connect(emulator);
    for (let batch = 0; batch < 3; batch++) {
      await conn.sobject('Task').create(Array.from({ length: 150 }, (_, i) => ({ Subject: `T${batch * 150 + i}` })));
    }
  });
  afterAll(() => emulator.close());

  it('pages with nextRecordsUrl at the requested batch size, the same locator advancing', async () => {
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await rest(emulator, 'GET', q('SELECT Id, Subject FROM Task'), { headers });
    const body1 = first.json as QueryBody;
    expect(body1).toMatchObject({ totalSize: 450, done: false });
    expect(body1.records).toHaveLength(200);
    expect(body1.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[0-9A-Z]{15}-200$/);
    const second = (await rest(emulator, 'GET', (body1.nextRecordsUrl ?? '').replace('/services/data/v62.0', ''))).json as QueryBody;
    expect(second).toMatchObject({ totalSize: 450, done: false });
    expect(second.nextRecordsUrl).toBe(body1.nextRecordsUrl?.replace(/-200$/, '-400'));
    const third = (await rest(emulator, 'GET', (second.nextRecordsUrl ?? '').replace('/services/data/v62.0', ''))).json as QueryBody;
    expect(third).toMatchObject({ totalSize: 450, done: true });
    expect(third.nextRecordsUrl).toBeUndefined();
    expect([...body1.records, ...second.records, ...third.records].map((r) => r.Subject)).toEqual(Array.from({ length: 450 }, (_, i) => `T${i}`));
  });

  it('lets jsforce autoFetch every page', async () => {
    const before = emulator.requestLog().length;
    const records: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      connect(emulator)
        .query('SELECT Id FROM Task ORDER BY Subject DESC', { autoFetch: true, maxFetch: 1000, headers: { 'Sforce-Query-Options': 'batchSize=200' } })
        .on('record', (record: unknown) => records.push(record))
        .on('end', () => resolve())
        .on('error', reject)
        .run();
    });
    expect(records).toHaveLength(450);
    expect(emulator.requestLog().length - before).toBe(3);
  });

  it('returns up to 2000 rows per page by default', async () => {
    const body = (await rest(emulator, 'GET', q('SELECT Id FROM Task'))).json as QueryBody;
    expect(body).toMatchObject({ totalSize: 450, done: true });
    expect(body.records).toHaveLength(450);
  });
});
