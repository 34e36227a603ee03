import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_AUDIT_EVENT, createEffectsActivities } from '../../src/activities/effects';
import { LedgerBusyError, LedgerUnavailableError } from '../../src/audit/errors';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '../../src/audit/migrate';
import { connectPostgres, openPglite, type SqlClient } from '../../src/audit/sql';
import type { AuditEvent } from '../../src/domain/effects';
import { type LedgerTarget, ledgerTargets, silentLogger } from './drivers';
import { acceptingSalesforce } from '../helpers/accepting-salesforce';
import { LeadRun, sfId } from './lead-run';
import { REP_A, seedPolicy } from './seed';

/** Three rows from the engine: qualified, accepted, a contact attempt. */
function sampleEvents(leadId: string): AuditEvent[] {
  return new LeadRun(seedPolicy(), leadId, '2026-10-05T14:00:00.000Z')
    .trigger('2026-10-05T14:00:00.000Z', {
      kind: 'MQL',
      ownerId: REP_A,
      firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' },
    })
    .accept('2026-10-05T15:00:00.000Z', REP_A)
    .contact('2026-10-05T15:05:00.000Z', REP_A, 'email', 'replied').events;
}

async function rawClient(target: LedgerTarget): Promise<SqlClient> {
  const schema = target.options.schema ?? 'public';
  return target.options.databaseUrl
    ? connectPostgres(target.options.databaseUrl, schema, silentLogger)
    : openPglite(target.options.dataDir ?? '', schema);
}

const ACTIVITY_LEAD = sfId('00Q000000000301');

describe.each(ledgerTargets())('ledger on %s', (_name, makeTarget) => {
  let target: LedgerTarget;
  let ledger: Ledger;

  beforeAll(async () => {
    target = makeTarget();
    ledger = await target.open();
  });
  afterAll(async () => {
    await ledger.close();
    await target.cleanup();
  });

  it('appends events and gives them back unchanged, in order', async () => {
    const events = sampleEvents('00Q000000000311');
    expect(await ledger.append(events)).toEqual({ inserted: 3 });
    expect(await ledger.events(sfId('00Q000000000311'))).toEqual(events);
    await expect(ledger.ping()).resolves.toBeUndefined();
  });

  it('is idempotent on the event id: a retried or overlapping append inserts nothing twice', async () => {
    const events = sampleEvents('00Q000000000312');
    expect(await ledger.append(events.slice(0, 2))).toEqual({ inserted: 2 });
    expect(await ledger.append(events.slice(0, 2))).toEqual({ inserted: 0 });
    expect(await ledger.append(events)).toEqual({ inserted: 1 });
    const first = events[0] as AuditEvent;
    expect(await ledger.append([first, first])).toEqual({ inserted: 0 });
    expect(await ledger.events(sfId('00Q000000000312'))).toHaveLength(3);
    // Same id, different content: the first write stands (a retry never rewrites history).
    await ledger.append([{ ...first, type: 'CONVERTED' }]);
    expect((await ledger.events(sfId('00Q000000000312')))[0]?.type).toBe('QUALIFIED');
  });

  it('refuses a malformed event and inserts nothing of its batch', async () => {
    const [good, bad] = sampleEvents('00Q000000000313');
    const broken = { ...bad, at: undefined } as unknown as AuditEvent;
    await expect(ledger.append([good as AuditEvent, broken])).rejects.toThrow(/at/);
    expect(await ledger.events(sfId('00Q000000000313'))).toEqual([]);
  });

  it('the applyEffects activity retries safely and fails malformed events for good', async () => {
    const { applyEffects } = createEffectsActivities({ ledger, salesforce: acceptingSalesforce, logger: silentLogger });
    const events = sampleEvents(ACTIVITY_LEAD);
    const batch = (ledgerRows: AuditEvent[]) => ({
      leadId: ACTIVITY_LEAD,
      workflowId: `lead-${ACTIVITY_LEAD}`,
      ledger: ledgerRows,
      salesforce: [],
    });
    await applyEffects(batch(events));
    await applyEffects(batch(events));
    expect(await ledger.events(ACTIVITY_LEAD)).toHaveLength(3);
    const failure = await applyEffects(batch([{ ...(events[0] as AuditEvent), cycle: 1.5 }])).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: INVALID_AUDIT_EVENT, nonRetryable: true });
  });

  it('lists the leads whose Salesforce write-back is failing now, and drops one once a write lands in full', async () => {
    const failing = sfId('00Q000000000391');
    const recovered = sfId('00Q000000000392');
    const run = (leadId: string) =>
      new LeadRun(seedPolicy(), leadId, '2026-10-05T14:00:00.000Z')
        .trigger('2026-10-05T14:00:00.000Z', { kind: 'MQL', ownerId: REP_A, firmographics: { industry: 'Software' } })
        .send('2026-10-05T14:01:00.000Z', { type: 'salesforceSynced', syncError: { code: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'], message: 'Owner ID: id value of incorrect type' } });
    await ledger.append(run(failing).events);
    await ledger.append(run(recovered).send('2026-10-05T14:02:00.000Z', { type: 'salesforceSynced', syncError: null }).events);
    const listed = (await ledger.syncFailing(50)).filter((f) => f.leadId === failing || f.leadId === recovered);
    expect(listed).toEqual([{ leadId: failing, workflowId: `lead-${failing}`, at: '2026-10-05T14:01:00.000Z', code: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'] }]);
  });

  it('reports its migrations applied once', async () => {
    await ledger.close();
    ledger = await target.open(); // second start: nothing to apply, nothing fails
    await ledger.close();
    const versions = (await loadMigrations()).map((m) => m.version);
    const rows = await target.sql<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(versions);
    ledger = await target.open();
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the ledger table', async () => {
    await ledger.close();
    for (const statement of ['UPDATE audit_events SET actor = NULL', 'DELETE FROM audit_events', 'TRUNCATE audit_events']) {
      await expect(target.sql(statement)).rejects.toThrow(/append-only/);
    }
    ledger = await target.open();
    expect(await ledger.events(sfId('00Q000000000311'))).toHaveLength(3);
  });

  it('refuses a migration edited after it was applied', async () => {
    await ledger.close();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-migrations-'));
    const db = await rawClient(target);
    try {
      for (const m of await loadMigrations()) {
        const file = `${m.version}_${m.name}.sql`;
        writeFileSync(path.join(dir, file), `${readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8')}\n-- edited\n`);
      }
      await expect(migrate(db, target.options.schema ?? 'public', silentLogger, dir)).rejects.toThrow(/changed after it was applied/);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      ledger = await target.open();
    }
  });
});

describe('embedded ledger (PGlite)', () => {
  it('persists across restarts and refuses a second process on the same files', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-ledger-'));
    try {
      const first = await createLedger({ dataDir, logger: silentLogger });
      await first.append(sampleEvents('00Q000000000314'));
      await expect(createLedger({ dataDir, logger: silentLogger })).rejects.toBeInstanceOf(LedgerBusyError);
      await first.close();
      // A lock left by a process that died is taken over.
      writeFileSync(path.join(dataDir, 'ledger.lock'), '2147483646');
      const second = await createLedger({ dataDir, logger: silentLogger });
      expect(await second.events(sfId('00Q000000000314'))).toHaveLength(3);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('ledger on an unreachable Postgres', () => {
  it('fails with a clear LedgerUnavailableError and no password in the message', async () => {
    const err = await createLedger({ databaseUrl: 'postgres://handoff:s3cret@127.0.0.1:1/test', logger: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerUnavailableError);
    expect((err as Error).message).toMatch(/cannot reach the ledger database at postgres:\/\/handoff:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;
(pgUrl ? describe : describe.skip)('ledger migrations on real Postgres', () => {
  it('are safe for several processes starting at once', async () => {
    const schema = `audit_test_${process.pid}_race_${Date.now().toString(36)}`;
    const ledgers = await Promise.all([1, 2, 3, 4].map(() => createLedger({ databaseUrl: pgUrl, schema, logger: silentLogger })));
    try {
      await Promise.all(ledgers.map((l, i) => l.append(sampleEvents(`00Q00000000032${i}`))));
      const db = await connectPostgres(pgUrl ?? '', schema, silentLogger);
      try {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
        expect(rows[0]?.n).toBe((await loadMigrations()).length);
      } finally {
        await db.exec(`DROP SCHEMA ${schema} CASCADE`);
        await db.close();
      }
    } finally {
      await Promise.all(ledgers.map((l) => l.close()));
    }
  });
});
