import { Writable } from 'node:stream';
import pino from 'pino';
import type { Emulator } from '../index';
import { CONTROL_ROUTES, startEmulator } from '../index';
import { connect, http, lead, rest, start } from './helpers';

const control = (emulator: Emulator, method: string, route: string, body?: unknown) =>
  http(emulator, method, `/__emulator__${route}`, { token: null, ...(body === undefined ? {} : { body }) });

describe('control routes and labelling', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start();
  });
  afterEach(() => emulator.close());

  it('says at / that it is the Handoff emulator and not Salesforce, and labels every response', async () => {
    const root = await http(emulator, 'GET', '/', { token: null });
    expect(root.status).toBe(200);
    expect(root.json).toMatchObject({ emulator: true, name: 'Handoff Salesforce emulator', notice: expect.stringContaining('It is not Salesforce'), instanceUrl: emulator.url });
    for (const response of [root, await rest(emulator, 'GET', '/limits'), await rest(emulator, 'GET', '/limits', { token: 'bad' }), await control(emulator, 'GET', '/stats')]) {
      expect(response.headers.get('x-salesforce-emulator')).toBe('handoff-salesforce-emulator; not Salesforce');
    }
    expect((await http(emulator, 'GET', '/services/apexrest/x', { token: null })).status).toBe(404);
  });

  it('reports stats, and the controls do not count as API calls', async () => {
    await connect(emulator).sobject('Lead').create(lead());
    const stats = await control(emulator, 'GET', '/stats');
    expect(stats.json).toMatchObject({ emulator: true, orgId: '00D000000000001EAA', apiCalls: 1, dailyApiLimit: 100000, records: { Lead: 1, Task: 0, User: 3, Group: 1 } });
    expect((await control(emulator, 'GET', '')).json).toMatchObject({ apiCalls: 1 });
    expect(emulator.apiCalls()).toBe(1);
  });

  it('resets records, counters, tokens and usage', async () => {
    const token = emulator.issueToken();
    await connect(emulator).sobject('Lead').create(lead());
    expect((await control(emulator, 'POST', '/reset')).json).toEqual({ emulator: true, reset: true });
    expect(emulator.records('Lead')).toEqual([]);
    expect(emulator.apiCalls()).toBe(0);
    expect((await rest(emulator, 'GET', '/limits', { token })).status).toBe(401);
    expect((await rest(emulator, 'POST', '/sobjects/Lead', { body: lead() })).json).toMatchObject({ id: '00Q000000000001EAA' });
  });

  it('sets, shows and clears faults, rejecting invalid configurations', async () => {
    const set = await control(emulator, 'PUT', '/faults', { seed: 3, rates: { UNABLE_TO_LOCK_ROW: 1 } });
    expect(set.json).toEqual({ emulator: true, faults: { seed: 3, rates: { UNABLE_TO_LOCK_ROW: 1 }, next: [] } });
    expect((await rest(emulator, 'POST', '/sobjects/Task', { body: {} })).status).toBe(400);
    const bad = await control(emulator, 'POST', '/faults', { rates: { TEAPOT: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ emulator: true, error: expect.stringContaining('TEAPOT') });
    expect((await control(emulator, 'GET', '/faults')).json).toMatchObject({ faults: { rates: { UNABLE_TO_LOCK_ROW: 1 } } });
    expect((await control(emulator, 'DELETE', '/faults')).json).toEqual({ emulator: true, faults: { next: [] } });
    expect((await rest(emulator, 'POST', '/sobjects/Task', { body: {} })).status).toBe(201);
  });

  it('dumps records and the request log', async () => {
    await rest(emulator, 'POST', '/sobjects/Lead', { body: lead(), headers: { 'Sforce-Auto-Assign': 'FALSE' } });
    const all = (await control(emulator, 'GET', '/records')).json as { emulator: boolean; records: Record<string, unknown[]> };
    expect(all.emulator).toBe(true);
    expect(Object.keys(all.records)).toEqual(['Lead', 'Event', 'Task', 'User', 'Group']);
    expect(all.records.Lead).toHaveLength(1);
    expect((await control(emulator, 'GET', '/records/Lead')).json).toMatchObject({ emulator: true, sobject: 'Lead', records: [{ LastName: 'Lovelace' }] });
    expect((await control(emulator, 'GET', '/records/Account')).status).toBe(404);
    const requests = (await control(emulator, 'GET', '/requests')).json as { requests: { method: string; autoAssign: string | null; status: number }[] };
    expect(requests.requests).toEqual([expect.objectContaining({ method: 'POST', autoAssign: 'FALSE', status: 201 })]);
  });

  it('issues, expires and revokes tokens', async () => {
    const issued = (await control(emulator, 'POST', '/tokens')).json as { access_token: string; refresh_token: string; instance_url: string };
    expect(issued.instance_url).toBe(emulator.url);
    expect((await rest(emulator, 'GET', '/limits', { token: issued.access_token })).status).toBe(200);
    await control(emulator, 'POST', '/tokens/expire');
    expect((await rest(emulator, 'GET', '/limits', { token: issued.access_token })).status).toBe(401);
    const refresh = () =>
      http(emulator, 'POST', '/services/oauth2/token', {
        token: null,
        rawBody: `grant_type=refresh_token&client_id=handoff-dev&refresh_token=${encodeURIComponent(issued.refresh_token)}`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    expect((await refresh()).status).toBe(200);
    await control(emulator, 'POST', '/tokens/revoke');
    expect((await refresh()).status).toBe(400);
  });

  it('sets the API usage', async () => {
    const stats = await control(emulator, 'PUT', '/api-usage', { used: 99999 });
    expect(stats.json).toMatchObject({ apiCalls: 99999 });
    expect((await rest(emulator, 'GET', '/limits')).json).toEqual({ DailyApiRequests: { Max: 100000, Remaining: 0 } });
    expect((await rest(emulator, 'GET', '/limits')).status).toBe(403);
    expect((await control(emulator, 'PUT', '/api-usage', { used: -1 })).status).toBe(400);
  });

  it('lists the routes for an unknown control', async () => {
    const unknown = await control(emulator, 'GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ emulator: true, routes: CONTROL_ROUTES });
  });
});

describe('logging', () => {
  it('labels every log line with component salesforce-emulator and emulator: true', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const emulator = await startEmulator({ port: 0, logger: pino({ level: 'debug' }, sink) });
    await connect(emulator).sobject('Lead').create(lead());
    emulator.setFaults({});
    await emulator.close();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toMatchObject({ component: 'salesforce-emulator', emulator: true });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringContaining('not Salesforce'), 'salesforce-emulator: data request']));
  });

  it('adds the labels itself to a logger without child()', async () => {
    const seen: object[] = [];
    const record = (obj: object) => seen.push(obj);
    const emulator = await startEmulator({ port: 0, logger: { debug: record, info: record, warn: record, error: record } });
    await emulator.close();
    expect(seen.length).toBeGreaterThan(0);
    for (const entry of seen) expect(entry).toMatchObject({ component: 'salesforce-emulator', emulator: true });
  });
});
