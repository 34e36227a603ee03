import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import { openPglite } from '../../src/audit/sql';

export const silentLogger = pino({ level: 'silent' });

export type LedgerTarget = {
  name: 'pglite' | 'postgres';
  /** Options that reach the same ledger again (reopen, a second process). */
  options: { databaseUrl?: string; dataDir?: string; schema?: string };
  open(): Promise<Ledger>;
  /** Runs SQL against the ledger's database, beside the ledger (to probe append-only, migrations). */
  sql<R>(text: string): Promise<R[]>;
  /** Runs a script of several statements the same way. */
  exec(text: string): Promise<void>;
  cleanup(): Promise<void>;
};

let counter = 0;

function pgliteTarget(): LedgerTarget {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-ledger-'));
  const options = { dataDir };
  return {
    name: 'pglite',
    options,
    open: () => createLedger({ ...options, logger: silentLogger }),
    async sql<R>(text: string) {
      // PGlite is single-process: open the files directly only while no ledger holds them.
      const db = await openPglite(dataDir, 'public');
      try {
        return (await db.query<R>(text)).rows;
      } finally {
        await db.close();
      }
    },
    async exec(text: string) {
      const db = await openPglite(dataDir, 'public');
      try {
        await db.exec(text);
      } finally {
        await db.close();
      }
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A schema of its own per test, so parallel runs on one server never see each other. */
function postgresTarget(databaseUrl: string): LedgerTarget {
  counter += 1;
  const schema = `audit_test_${process.pid}_${Date.now().toString(36)}_${counter}`;
  const options = { databaseUrl, schema };
  const sql = async <R>(text: string): Promise<R[]> => {
    const client = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(text)).rows as R[];
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    options,
    open: () => createLedger({ ...options, logger: silentLogger }),
    sql,
    exec: async (text) => void (await sql(text)),
    cleanup: async () => void (await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

/** PGlite always; the real server too when TEST_DATABASE_URL is set. */
export function ledgerTargets(): [LedgerTarget['name'], () => LedgerTarget][] {
  const url = process.env.TEST_DATABASE_URL;
  return [['pglite', pgliteTarget], ...(url ? [['postgres', () => postgresTarget(url)] as [LedgerTarget['name'], () => LedgerTarget]] : [])];
}
