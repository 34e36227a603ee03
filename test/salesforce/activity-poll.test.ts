import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Connection } from 'jsforce';
import pino from 'pino';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { SEED_IDS } from '../../tools/salesforce-emulator/standard-objects';
import { createSalesforceActivityPollActivities, pollQuery, SETTLE_MS } from '../../src/activities/salesforce-activity';
import { createSalesforceReader } from '../../src/salesforce/reader';
import type { PollCursor } from '../../src/workflows/salesforce-activity-poller';
import { testPolicy } from '../helpers/policy';

describe('pollQuery: keyset pages in SystemModstamp, Id order', () => {
  const until = new Date('2026-12-01T15:00:00.000Z');
  test('past an instant, or at it and past an id (normalized to 18 characters), and settled', () => {
    expect(pollQuery('Task', { at: '2026-12-01T14:00:00.000Z', id: null }, until)).toBe(
      'SELECT Id, WhoId, OwnerId, Type, TaskSubtype, CallDisposition, Status, CreatedDate, CompletedDateTime, SystemModstamp, Handoff_Event_Id__c FROM Task WHERE WhoId != null AND SystemModstamp > 2026-12-01T14:00:00.000Z AND SystemModstamp < 2026-12-01T15:00:00.000Z ORDER BY SystemModstamp, Id LIMIT 200',
    );
    expect(pollQuery('Lead', { at: '2026-12-01T09:00:00-05:00', id: '00Q5g00000AbCdE' }, until, 50)).toBe(
      "SELECT Id, OwnerId, LastModifiedById, IsConverted, ConvertedOpportunityId, SystemModstamp FROM Lead WHERE IsConverted = true AND (SystemModstamp > 2026-12-01T14:00:00.000Z OR (SystemModstamp = 2026-12-01T14:00:00.000Z AND Id > '00Q5g00000AbCdEEAV')) AND SystemModstamp < 2026-12-01T15:00:00.000Z ORDER BY SystemModstamp, Id LIMIT 50",
    );
  });

  test("a cursor that is not an instant and an id cannot reach the SOQL (no injection through the workflow's state)", () => {
    for (const cursor of [
      { at: "2026-12-01T14:00:00Z OR Id != ''", id: null },
      { at: '2026-12-01T14:00:00Z', id: "x' OR Id != '" },
      { at: '2026-12-01T14:00:00', id: null },
    ]) {
      expect(() => pollQuery('Event', cursor, until)).toThrow(ApplicationFailure);
    }
  });
});

/** An org where Handoff's custom fields were never deployed. */
function bareMetadataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-bare-'));
  fs.mkdirSync(path.join(dir, 'objects'));
  return dir;
}

describe('pollSalesforceActivity against the emulator', () => {
  let emulator: Emulator;
  let conn: Connection;
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, logger });
    conn = new Connection({
      instanceUrl: emulator.url,
      accessToken: emulator.issueToken(SEED_IDS.repUserId),
      version: '62.0',
    });
  });
  afterAll(async () => {
    await emulator.close();
  });

  test('Temporal unreachable: the attempt fails (Temporal retries it) and its heartbeat holds the last wholly handled batch, where the retry resumes', async () => {
    const leadId = (await conn.sobject('Lead').create({ LastName: 'Ito', Company: 'Kite' })).id!;
    const start: PollCursor = { at: new Date(Date.now() - 1000).toISOString(), id: null };
    // Ten to-dos (not touches: handled without Temporal), then a logged call, which needs Temporal.
    const todos = await conn
      .sobject('Task')
      .create(
        Array.from({ length: 10 }, () => ({
          WhoId: leadId,
          Type: 'Call',
          Status: 'Not Started',
          Subject: 'Call back',
        })),
      );
    const todo = todos.at(-1)!.id!;
    await conn.sobject('Task').create({ WhoId: leadId, Type: 'Call', Status: 'Completed', Subject: 'Call' });
    await new Promise((r) => setTimeout(r, SETTLE_MS + 100));

    const unreachable = new Client({ connection: TemporalConnection.lazy({ address: '127.0.0.1:1' }) });
    const { pollSalesforceActivity } = createSalesforceActivityPollActivities({
      salesforceReader: createSalesforceReader({ connection: conn }),
      logger,
      policy: () => testPolicy(),
    });
    const heartbeats: PollCursor[] = [];
    const env = new MockActivityEnvironment({}, { client: unreachable });
    env.on('heartbeat', (d: PollCursor) => heartbeats.push(d));
    await expect(env.run(pollSalesforceActivity, { source: 'Task' as const, cursor: start })).rejects.toThrow();
    const todoRecord = await conn.sobject('Task').retrieve(todo);
    expect(heartbeats).toEqual([
      { at: new Date(String(todoRecord.SystemModstamp).replace('+0000', 'Z')).toISOString(), id: todo },
    ]);

    // The retry starts past the to-do: its query reads only the unhandled call.
    const retry = new MockActivityEnvironment({ heartbeatDetails: heartbeats.at(-1) }, { client: unreachable });
    const queries: string[] = [];
    const { pollSalesforceActivity: poll2 } = createSalesforceActivityPollActivities({
      salesforceReader: {
        query: async (soql) => {
          queries.push(soql);
          return [];
        },
      },
      logger,
      policy: () => testPolicy(),
    });
    const page = await retry.run(poll2, { source: 'Task' as const, cursor: start });
    expect(queries[0]).toContain(`Id > '${todo}'`);
    expect(page).toEqual({ next: heartbeats[0], read: 0, sent: 0, skipped: 0, more: false });
  }, 30_000);

  test('a query the org refuses for good (fields not deployed) fails without retry; the request limit is retried later', async () => {
    const metadataDir = bareMetadataDir();
    const bare = await startEmulator({ port: 0, logger, metadataDir });
    try {
      const refusing = createSalesforceActivityPollActivities({
        salesforceReader: createSalesforceReader({
          connection: new Connection({ instanceUrl: bare.url, accessToken: bare.issueToken(), version: '62.0' }),
        }),
        logger,
        policy: () => testPolicy(),
      });
      const failure = await new MockActivityEnvironment()
        .run(refusing.pollSalesforceActivity, {
          source: 'Task' as const,
          cursor: { at: '2026-12-01T00:00:00Z', id: null },
        })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'INVALID_FIELD', nonRetryable: true });
    } finally {
      await bare.close();
      fs.rmSync(metadataDir, { recursive: true, force: true });
    }

    emulator.setFaults({ next: ['REQUEST_LIMIT_EXCEEDED'] });
    const { pollSalesforceActivity } = createSalesforceActivityPollActivities({
      salesforceReader: createSalesforceReader({ connection: conn }),
      logger,
      policy: () => testPolicy(),
    });
    const limited = await new MockActivityEnvironment()
      .run(pollSalesforceActivity, { source: 'Event' as const, cursor: { at: '2026-12-01T00:00:00Z', id: null } })
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({ type: 'REQUEST_LIMIT_EXCEEDED', nonRetryable: false, nextRetryDelay: 300_000 });
  });
});
