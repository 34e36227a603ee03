import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Pool, type PoolClient } from 'pg';
import type { Logger } from 'pino';
import { acquireDirLock } from './dir-lock';
import { LedgerUnavailableError } from './errors';

/** What the ledger needs from a Postgres connection, whichever driver is behind it. */
export interface SqlExecutor {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Runs a script of several statements (no parameters). */
  exec(text: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  readonly driver: 'postgres' | 'pglite';
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid ledger schema name ${JSON.stringify(schema)}: expected ${SCHEMA_NAME}`);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

export async function connectPostgres(databaseUrl: string, schema: string, logger: Logger): Promise<SqlClient> {
  const location = redactUrl(databaseUrl);
  const pool = new Pool({
    connectionString: databaseUrl,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
    max: 10,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'ledger connection lost'));
  const unreachable = (err: unknown) =>
    isConnectionError(err) ? new LedgerUnavailableError(`cannot reach the ledger database at ${location}: ${errorText(err)}`, { cause: err }) : err;
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new LedgerUnavailableError(`cannot reach the ledger database at ${location}: ${errorText(err)}`, { cause: err });
  }
  const run = async (c: Pool | PoolClient, text: string, params?: unknown[]) => {
    try {
      const r = await c.query(text, params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw unreachable(err);
    }
  };
  return {
    driver: 'postgres',
    location,
    query: (text, params) => run(pool, text, params),
    exec: async (text) => {
      await pool.query(text);
    },
    async transaction(fn) {
      const client = await pool.connect().catch((err: unknown) => Promise.reject(unreachable(err)));
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (text, params) => run(client, text, params), exec: async (text) => void (await client.query(text)) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * The embedded ledger: PGlite persisted under `<dataDir>/ledger`, run in a worker thread
 * (pglite-worker.js). PGlite is a single-process, single-connection database: a lock file keeps a
 * second process (say, the CLI while `npm start` runs) from opening the same files, and a queue
 * keeps other queries out of a transaction in progress.
 */
export async function openPglite(dataDir: string, schema: string): Promise<SqlClient> {
  const dir = path.resolve(dataDir, 'ledger');
  await mkdir(path.dirname(dir), { recursive: true });
  const release = await acquireDirLock(`${dir}.lock`);
  const worker = new Worker(path.join(__dirname, 'pglite-worker.js'), { workerData: { dir } });
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure = new LedgerUnavailableError(`the embedded ledger at ${dir} stopped: ${err.message}`, { cause: err });
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  worker.on('message', (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
    else p?.resolve(m.result);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`worker exited (${code})`)));
  const call = <T>(op: 'query' | 'exec' | 'close', text?: string, params?: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      nextId += 1;
      pending.set(nextId, { resolve: resolve as (r: unknown) => void, reject });
      worker.postMessage({ id: nextId, op, text, params });
    });
  const direct: SqlExecutor = {
    query: <R>(text: string, params?: unknown[]) => call<{ rows: R[]; rowCount: number }>('query', text, params),
    exec: (text) => call<void>('exec', text),
  };
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  try {
    await direct.exec(`SET search_path TO ${schema}`);
  } catch (err) {
    await worker.terminate();
    await release();
    throw new LedgerUnavailableError(`cannot open the embedded ledger at ${dir}: ${errorText(err)}`, { cause: err });
  }
  return {
    driver: 'pglite',
    location: dir,
    query: (text, params) => exclusive(() => direct.query(text, params)),
    exec: (text) => exclusive(() => direct.exec(text)),
    transaction: (fn) =>
      exclusive(async () => {
        await direct.exec('BEGIN');
        try {
          const result = await fn(direct);
          await direct.exec('COMMIT');
          return result;
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    close: () =>
      exclusive(async () => {
        worker.removeAllListeners('exit');
        try {
          await call('close');
        } finally {
          await worker.terminate();
          await release();
        }
      }),
  };
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Network failures, SQLSTATE class 08 (connection exception) and 57P01-03 (server shutting down or starting). */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  return err instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
}

/** One line, no stack: PGlite errors otherwise drag a minified bundle along. */
function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || err.message.includes(code)) return err.message || err.name;
    return err.message ? `${err.message} (${code})` : code;
  }
  return String(err);
}
