import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SqlClient } from './sql';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

type Migration = { version: string; name: string; sql: string; checksum: string };

/** `NNN_name.sql` files, in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8');
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_');
      return { version, name: rest.join('_'), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** 32-bit FNV-1a, as a signed int: the advisory lock key of one schema's migrations. */
function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) h = Math.imul(h ^ byte, 0x01000193);
  return h | 0;
}
const LOCK_CLASS = 0x48414e44; // "HAND"

/**
 * Applies the migrations not yet recorded in `schema_migrations`, all in one transaction under an
 * advisory lock, so two processes starting at once neither race nor half-apply; a migration edited
 * after it was applied is refused rather than silently skipped.
 */
export async function migrate(db: SqlClient, schema: string, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, lockKey(schema)]);
    // `public` exists already, and creating it would need a privilege a ledger role may not have.
    if (schema !== 'public') await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const { rows } = await tx.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.version, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const checksum = applied.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) throw new Error(`ledger migration ${m.version}_${m.name} changed after it was applied; add a new migration instead`);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      done.push(`${m.version}_${m.name}`);
    }
    if (done.length > 0) logger.info({ schema, applied: done }, 'ledger migrations applied');
    return done;
  });
}
