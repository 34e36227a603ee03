import path from 'node:path';
import type { Logger } from 'pino';
import { migrate } from '../audit/migrate';
import { connectPostgres, openPglite, type SqlClient, type SqlExecutor } from '../audit/sql';

/** A hit in a fixed window: how many hits the window holds now, and when it ends. */
export interface WindowCount {
  hits: number;
  ttlMs: number;
}

export interface DashboardSession {
  keyFingerprint: string;
}

/**
 * The API state every instance must share: rate-limit windows, used webhook signatures and
 * dashboard sessions. On Postgres / PGlite (tables of migration 005_api_state) or, without a
 * database, in this process only.
 */
export interface ApiStateStore {
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** Records a signature until `expiresAtMs`; false when it is already recorded (a replay). */
  rememberSignature(signature: string, expiresAtMs: number): Promise<boolean>;
  createSession(idSha256: string, keyFingerprint: string, expiresAtMs: number): Promise<void>;
  findSession(idSha256: string): Promise<DashboardSession | undefined>;
  deleteSession(idSha256: string): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;
const TABLES = ['api_rate_limits', 'api_seen_signatures', 'api_sessions'] as const;
const EXPIRY_COLUMN = {
  api_rate_limits: 'window_ends_at',
  api_seen_signatures: 'expires_at',
  api_sessions: 'expires_at',
} as const;

/** The shared store. Times are the database's, so instances with skewed clocks agree on windows. */
export function sqlStateStore(sql: SqlExecutor, now: () => number = Date.now): ApiStateStore {
  const prunedAt = new Map<string, number>();
  // Expired rows are ignored by every read; deleting them (at most once a minute per table, after a
  // write to it) only keeps the tables small. A failed prune is retried by the next write.
  const prune = (table: (typeof TABLES)[number]) => {
    const at = now();
    if (at - (prunedAt.get(table) ?? 0) < PRUNE_EVERY_MS) return;
    prunedAt.set(table, at);
    void sql.query(`DELETE FROM ${table} WHERE ${EXPIRY_COLUMN[table]} <= now()`).catch(() => prunedAt.delete(table));
  };
  return {
    async hit(key, windowMs) {
      const { rows } = await sql.query<{ hits: number; ttl_ms: string | number }>(
        `INSERT INTO api_rate_limits AS r (key, hits, window_ends_at)
         VALUES ($1, 1, now() + $2::integer * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END,
           window_ends_at = CASE WHEN r.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE r.window_ends_at END
         RETURNING hits, ceil(extract(epoch FROM r.window_ends_at - now()) * 1000)::bigint AS ttl_ms`,
        [key, windowMs],
      );
      prune('api_rate_limits');
      return { hits: rows[0]!.hits, ttlMs: Math.max(0, Number(rows[0]!.ttl_ms)) };
    },
    async rememberSignature(signature, expiresAtMs) {
      const { rowCount } = await sql.query(
        `INSERT INTO api_seen_signatures AS s (signature, expires_at) VALUES ($1, to_timestamp($2::double precision / 1000))
         ON CONFLICT (signature) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE s.expires_at <= now()`,
        [signature, expiresAtMs],
      );
      prune('api_seen_signatures');
      return rowCount === 1;
    },
    async createSession(idSha256, keyFingerprint, expiresAtMs) {
      await sql.query(
        'INSERT INTO api_sessions (id_sha256, key_fingerprint, expires_at) VALUES ($1, $2, to_timestamp($3::double precision / 1000))',
        [idSha256, keyFingerprint, expiresAtMs],
      );
      prune('api_sessions');
    },
    async findSession(idSha256) {
      const { rows } = await sql.query<{ key_fingerprint: string }>(
        'SELECT key_fingerprint FROM api_sessions WHERE id_sha256 = $1 AND expires_at > now()',
        [idSha256],
      );
      return rows[0] && { keyFingerprint: rows[0].key_fingerprint };
    },
    async deleteSession(idSha256) {
      await sql.query('DELETE FROM api_sessions WHERE id_sha256 = $1', [idSha256]);
    },
  };
}

const MEMORY_CAPACITY = 50_000;

/** This process only: for tests and a standalone API without DATABASE_URL (each instance then counts alone). */
export function memoryStateStore(now: () => number = Date.now): ApiStateStore {
  const windows = new Map<string, { hits: number; endsAt: number }>();
  const signatures = new Map<string, number>();
  const sessions = new Map<string, { keyFingerprint: string; expiresAt: number }>();
  const sweep = <V>(map: Map<string, V>, expiry: (v: V) => number) => {
    if (map.size < MEMORY_CAPACITY) return;
    const at = now();
    for (const [key, value] of map) if (expiry(value) <= at) map.delete(key);
  };
  return {
    async hit(key, windowMs) {
      const at = now();
      let window = windows.get(key);
      if (!window || window.endsAt <= at) {
        sweep(windows, (w) => w.endsAt);
        window = { hits: 0, endsAt: at + windowMs };
        windows.set(key, window);
      }
      window.hits += 1;
      return { hits: window.hits, ttlMs: window.endsAt - at };
    },
    async rememberSignature(signature, expiresAtMs) {
      const known = signatures.get(signature);
      if (known !== undefined && known > now()) return false;
      sweep(signatures, (expiresAt) => expiresAt);
      signatures.set(signature, expiresAtMs);
      return true;
    },
    async createSession(idSha256, keyFingerprint, expiresAtMs) {
      sweep(sessions, (s) => s.expiresAt);
      sessions.set(idSha256, { keyFingerprint, expiresAt: expiresAtMs });
    },
    async findSession(idSha256) {
      const session = sessions.get(idSha256);
      return session && session.expiresAt > now() ? { keyFingerprint: session.keyFingerprint } : undefined;
    },
    async deleteSession(idSha256) {
      sessions.delete(idSha256);
    },
  };
}

/**
 * The database of the API's state for a process that runs beside the worker: the ledger's Postgres
 * (DATABASE_URL, migrated by the ledger) through a pool of its own, or else an embedded PGlite of its
 * own under `<dataDir>/api-state` (PGlite takes one connection, and the ledger's is not shared).
 */
export async function openStateDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  logger: Logger;
}): Promise<SqlClient> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, 'public', options.logger);
  const db = await openPglite(path.join(options.dataDir, 'api-state'), 'public');
  try {
    await migrate(db, 'public', options.logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
