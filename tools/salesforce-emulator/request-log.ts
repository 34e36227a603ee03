import type { FaultKind } from './faults';

export interface RequestLogEntry {
  at: string;
  kind: 'data' | 'oauth';
  method: string;
  /** Path and query string as received. */
  path: string;
  /** HTTP status answered; 0 when the connection was dropped instead. */
  status: number;
  /** Request headers with lower-case names; Authorization is redacted. */
  headers: Record<string, string>;
  /** The `Sforce-Auto-Assign` header value, or null when the request did not send it. */
  autoAssign: string | null;
  /** Records in an sObject Collections save body (`records`), or null for any other request. */
  records: number | null;
  fault: FaultKind | null;
}

const CAPACITY = 1000;

/** The most recent requests, so tests can assert what a client actually sent. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(
    entry: Omit<RequestLogEntry, 'at' | 'headers' | 'autoAssign' | 'records'>,
    headers: Record<string, string | undefined>,
    body = '',
  ): void {
    const recorded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      recorded[name] = name === 'authorization' ? value.replace(/^(\S+)\s+.*$/, '$1 <redacted>') : value;
    }
    this.entries.push({
      at: new Date().toISOString(),
      ...entry,
      headers: recorded,
      autoAssign: recorded['sforce-auto-assign'] ?? null,
      records: entry.path.includes('/composite/sobjects') ? collectionSize(body) : null,
    });
    if (this.entries.length > CAPACITY) this.entries.splice(0, this.entries.length - CAPACITY);
  }

  all(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e, headers: { ...e.headers } }));
  }

  lastData(): RequestLogEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry?.kind === 'data') return { ...entry, headers: { ...entry.headers } };
    }
    return undefined;
  }

  clear(): void {
    this.entries = [];
  }
}

function collectionSize(body: string): number | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const records =
      typeof parsed === 'object' && parsed !== null ? (parsed as { records?: unknown }).records : undefined;
    return Array.isArray(records) ? records.length : null;
  } catch {
    return null;
  }
}
