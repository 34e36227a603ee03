import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../index';
import { connect, idOf, lead, rest, silentLogger, start } from './helpers';

describe('persistence', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sf-emulator-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const dataFile = () => path.join(dataDir, 'salesforce-emulator.json');

  it('reloads records, id counters, deletions, tokens and API usage after a restart', async () => {
    const first = await start({ dataDir });
    const token = first.issueToken();
    const conn = connect(first);
    const kept = idOf(await conn.sobject('Lead').create(lead({ Handoff_Stage__c: 'MQL', SLA_Due_At__c: '2026-01-01T09:00:00Z' })));
    const removed = idOf(await conn.sobject('Lead').create(lead()));
    await conn.sobject('Lead').destroy(removed);
    await conn.sobject('Task').upsert({ Handoff_Event_Id__c: 'wf-1:1', WhoId: kept }, 'Handoff_Event_Id__c');
    const records = { Lead: first.records('Lead'), Task: first.records('Task') };
    const calls = first.apiCalls();
    await first.close();

    const second = await start({ dataDir });
    try {
      expect(second.records('Lead')).toEqual(records.Lead);
      expect(second.records('Task')).toEqual(records.Task);
      expect(second.apiCalls()).toBe(calls);
      expect((await rest(second, 'GET', `/sobjects/Lead/${removed}`, { token })).json).toEqual([{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
      const next = await rest(second, 'POST', '/sobjects/Lead', { body: lead(), token });
      expect(next.json).toEqual({ id: '00Q000000000003EAA', success: true, errors: [] });
      const upsert = await rest(second, 'PATCH', '/sobjects/Task/Handoff_Event_Id__c/wf-1:1', { body: { Subject: 'again' }, token });
      expect(upsert.status).toBe(200);
      expect(second.records('Task')).toHaveLength(1);
    } finally {
      await second.close();
    }
    expect(readdirSync(dataDir)).toEqual(['salesforce-emulator.json']);
  });

  it('writes through shortly after each change, without waiting for close', async () => {
    const emulator = await start({ dataDir });
    try {
      const id = idOf(await connect(emulator).sobject('Lead').create(lead({ LastName: 'Written' })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const saved = JSON.parse(readFileSync(dataFile(), 'utf8')) as { format: string; store: { records: { Lead: { Id: string; LastName: string }[] } } };
      expect(saved.format).toBe('handoff-salesforce-emulator/1');
      expect(saved.store.records.Lead).toEqual([expect.objectContaining({ Id: id, LastName: 'Written' })]);
      emulator.reset();
      await emulator.flush();
      const afterReset = JSON.parse(readFileSync(dataFile(), 'utf8')) as { store: { records: { Lead: unknown[]; User: unknown[] } } };
      expect(afterReset.store.records.Lead).toEqual([]);
      expect(afterReset.store.records.User).toHaveLength(3);
    } finally {
      await emulator.close();
    }
  });

  it('refuses to start on a data file it cannot read instead of silently starting empty', async () => {
    writeFileSync(dataFile(), JSON.stringify({ format: 'something-else' }));
    await expect(startEmulator({ port: 0, dataDir, logger: silentLogger })).rejects.toThrow(/salesforce-emulator\.json is not a salesforce-emulator data file/);
  });

  it('keeps nothing on disk without a dataDir', async () => {
    const emulator = await start();
    await connect(emulator).sobject('Lead').create(lead());
    await emulator.close();
    const again = await start();
    try {
      expect(again.records('Lead')).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
