import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import type { Policy } from '../domain/policy';
import { KEY_PREFIX, keyPrefixOf, toId18 } from '../domain/salesforce-id';
import { sharedConnection, type ConnectionFactory } from './connection';
import { policyOwnerRefs, type OwnerExpectation } from './policy-owners';

export type DirectoryEntry =
  { id: string; kind: 'user'; name: string; active: boolean } | { id: string; kind: 'queue'; name: string };

/** A policy id that does not name what its place needs. */
export type OwnerProblem = { path: string; id: string; problem: string };

export type DirectoryStatus = {
  /** ISO time of the list in use; null before the first successful load. */
  loadedAt: string | null;
  users: number;
  activeUsers: number;
  queues: number;
  /** Why the latest refresh failed (the previous list stays in use); null when it succeeded. */
  lastRefreshError: string | null;
};

export type OwnerDirectoryOptions = {
  connection: Connection | ConnectionFactory;
  logger: Logger;
  /** How often the list is read again; default 5 minutes, 0 = only on demand. */
  refreshIntervalMs?: number;
  /**
   * An id missing from a list at least this old reads the list again before it is refused (default 30 s),
   * so a rep added in Salesforce a minute ago is not turned away for a whole refresh interval.
   */
  missRefreshAfterMs?: number;
  now?: () => number;
};

export const USERS_SOQL = 'SELECT Id, Name, IsActive FROM User';
export const QUEUES_SOQL = "SELECT Id, Name FROM Group WHERE Type = 'Queue'";
const MAX_ROWS = 1_000_000;
const DEFAULT_REFRESH_MS = 5 * 60_000;
const DEFAULT_MISS_REFRESH_MS = 30_000;

type UserRow = { Id: string; Name: string | null; IsActive: boolean };
type QueueRow = { Id: string; Name: string | null };

/**
 * The org's Users and Queues (Groups of Type Queue), read with SOQL and kept in memory, so owners in the
 * policy and actors in API requests can be checked against who really exists. Ids are compared in their
 * 18-character form. A failed refresh keeps the last good list and is logged.
 */
export class OwnerDirectory {
  private entries = new Map<string, DirectoryEntry>();
  private loadedAt: number | null = null;
  private lastRefreshError: string | null = null;
  private inFlight: Promise<boolean> | null = null;
  private readonly connection: () => Promise<Connection>;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: OwnerDirectoryOptions) {
    this.connection = sharedConnection(options.connection);
    this.now = options.now ?? Date.now;
  }

  /** Reads the list; rejects when that first read fails (there is no list to fall back on). Then refreshes periodically. */
  async start(): Promise<this> {
    await this.load();
    const interval = this.options.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
    if (interval > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), interval);
      this.timer.unref();
    }
    return this;
  }

  /** Reads the list again; on failure keeps the last one, logs, and resolves false. One read at a time. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.load().then(
      () => true,
      (err: unknown) => {
        this.lastRefreshError = describe(err);
        this.options.logger.warn(
          { err, users: this.countUsers(), queues: this.countQueues(), loadedAt: this.status().loadedAt },
          'salesforce owner directory refresh failed: keeping the last list',
        );
        return false;
      },
    );
    const pending = this.inFlight;
    void pending.finally(() => {
      if (this.inFlight === pending) this.inFlight = null;
    });
    return pending;
  }

  lookup(id: string): DirectoryEntry | undefined {
    const id18 = toId18(id);
    return id18 === null ? undefined : this.entries.get(id18);
  }

  isActiveUser(id: string): boolean {
    const entry = this.lookup(id);
    return entry?.kind === 'user' && entry.active;
  }

  isQueue(id: string): boolean {
    return this.lookup(id)?.kind === 'queue';
  }

  /** Like `lookup`, but an id the list does not know reads the list again first when it is old enough. */
  async resolve(id: string): Promise<DirectoryEntry | undefined> {
    const found = this.lookup(id);
    if (found || toId18(id) === null) return found;
    const age = this.loadedAt === null ? Infinity : this.now() - this.loadedAt;
    if (age < (this.options.missRefreshAfterMs ?? DEFAULT_MISS_REFRESH_MS)) return undefined;
    await this.refresh();
    return this.lookup(id);
  }

  /** Every id in the policy that names no active User / Queue where one is needed, with where it appears. */
  checkPolicy(policy: Policy): OwnerProblem[] {
    return policyOwnerRefs(policy).flatMap((ref) => {
      const problem = ownerProblem(ref.id, ref.expects, this.lookup(ref.id));
      return problem === null ? [] : [{ path: ref.path, id: ref.id, problem }];
    });
  }

  status(): DirectoryStatus {
    return {
      loadedAt: this.loadedAt === null ? null : new Date(this.loadedAt).toISOString(),
      users: this.countUsers(),
      activeUsers: [...this.entries.values()].filter((e) => e.kind === 'user' && e.active).length,
      queues: this.countQueues(),
      lastRefreshError: this.lastRefreshError,
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const conn = await this.connection();
    const [users, queues] = await Promise.all([
      readAll<UserRow>(conn, USERS_SOQL),
      readAll<QueueRow>(conn, QUEUES_SOQL),
    ]);
    const entries = new Map<string, DirectoryEntry>();
    for (const row of users) {
      const id = toId18(row.Id);
      if (id) entries.set(id, { id, kind: 'user', name: row.Name ?? '', active: row.IsActive === true });
    }
    for (const row of queues) {
      const id = toId18(row.Id);
      if (id) entries.set(id, { id, kind: 'queue', name: row.Name ?? '' });
    }
    this.entries = entries;
    this.loadedAt = this.now();
    this.lastRefreshError = null;
    this.options.logger.info(
      { users: this.countUsers(), queues: this.countQueues() },
      'salesforce owner directory loaded',
    );
  }

  private countUsers(): number {
    return [...this.entries.values()].filter((e) => e.kind === 'user').length;
  }

  private countQueues(): number {
    return [...this.entries.values()].filter((e) => e.kind === 'queue').length;
  }
}

async function readAll<T>(conn: Connection, soql: string): Promise<T[]> {
  const result = await conn.query<T & Record<string, unknown>>(soql, { autoFetch: true, maxFetch: MAX_ROWS });
  if (!result.done) throw new Error(`${soql}: more than ${MAX_ROWS} rows`);
  return result.records;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { errorCode?: unknown }).errorCode;
    return typeof code === 'string' && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

const KIND_OF_PREFIX: Record<string, string> = { [KEY_PREFIX.user]: 'User', [KEY_PREFIX.group]: 'Queue' };

/** Why `id` cannot stand where `expects` is needed (`entry` is what the directory knows of it), or null. */
export function ownerProblem(id: string, expects: OwnerExpectation, entry: DirectoryEntry | undefined): string | null {
  const id18 = toId18(id);
  const wanted =
    expects === 'user'
      ? 'an active User (005…)'
      : expects === 'queue'
        ? 'a Queue (00G…)'
        : 'an active User (005…) or a Queue (00G…)';
  if (id18 === null) return `not a Salesforce id: expected ${wanted}`;
  const prefix = keyPrefixOf(id18);
  const allowed =
    expects === 'user'
      ? [KEY_PREFIX.user]
      : expects === 'queue'
        ? [KEY_PREFIX.group]
        : [KEY_PREFIX.user, KEY_PREFIX.group];
  if (!(allowed as string[]).includes(prefix)) {
    const what = KIND_OF_PREFIX[prefix]
      ? `a ${KIND_OF_PREFIX[prefix]} id`
      : `an id of another object (key prefix ${prefix})`;
    return `${what}: expected ${wanted}`;
  }
  if (!entry) return `unknown in the org: no ${prefix === KEY_PREFIX.user ? 'User' : 'Queue'} has this id`;
  if (entry.kind === 'user' && !entry.active) return `an inactive User: expected ${wanted}`;
  return null;
}
