import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Connection } from 'jsforce';
import pino, { type Logger } from 'pino';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../tools/salesforce-emulator';
import { createEffectsActivities } from '../../src/activities/effects';
import type { AuditEvent, SalesforceEffect } from '../../src/domain/effects';
import type { BatchResult, WriteOutcome } from '../../src/workflows/outbox';
import { emulatorAuth, type SalesforceAuth } from '../../src/salesforce/config';
import { connect, type ConnectOptions } from '../../src/salesforce/connection';
import { createSalesforceWriter, type SalesforceWriter, type SalesforceWriterOptions } from '../../src/salesforce/writer';

export const API_VERSION = '62.0';

/** A pino logger whose JSON lines are kept for assertions (level debug). */
export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, text };
}

export const quiet = pino({ level: 'silent' });

export type EmulatorHandle = {
  emulator: Emulator;
  /** While on, every access token the emulator issues is invalidated at once: Salesforce keeps answering 401. */
  rejectAllTokens(on: boolean): void;
};

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  let rejecting = false;
  let emulator: Emulator | undefined;
  const noop = () => undefined;
  // The emulator has no "keep rejecting" control: its token-endpoint log line is the hook to expire
  // the token it has just issued, before the answer leaves.
  const logger = {
    debug: noop,
    warn: noop,
    error: noop,
    info: (obj: object, msg?: string) => {
      if (rejecting && msg?.includes('oauth request') && (obj as { status?: number }).status === 200) emulator?.expireTokens();
    },
  };
  emulator = await startEmulator({ port: 0, logger, ...options });
  return { emulator, rejectAllTokens: (on) => (rejecting = on) };
}

export function connectTo(emulator: Emulator, overrides: Partial<ConnectOptions> = {}): Promise<Connection> {
  return connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet, ...overrides });
}

/** Short batch windows unless a test sets its own: tests assert on calls, not on waiting. */
export const TEST_BATCH_WINDOWS = { criticalWindowMs: 10, normalWindowMs: 20 } as const;

export function writerFor(emulator: Emulator, overrides: Partial<SalesforceWriterOptions> = {}, auth?: SalesforceAuth): SalesforceWriter {
  return createSalesforceWriter({
    connection: () => connectTo(emulator, auth ? { auth } : {}),
    logger: quiet,
    batch: TEST_BATCH_WINDOWS,
    ...overrides,
  });
}

/** Creates `count` leads through the REST API (Collections, 200 a call) and answers their ids. */
export async function createLeads(conn: Connection, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const records = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({
      LastName: `Lead ${start + i}`,
      Company: `Company ${start + i}`,
    }));
    const results = await conn.sobject('Lead').create(records, { allOrNone: true });
    for (const r of results) {
      if (!r.success || !r.id) throw new Error(`could not create a test lead: ${JSON.stringify(r)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

/** Runs one activity function in a Temporal activity context (workflow `wf-test`). */
export function runActivity<A, R>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> {
  const info = { workflowExecution: { workflowId: 'wf-test', runId: 'run-test' } };
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') }).run(fn, arg);
}

/** A ledger that keeps rows in memory: the effects activity writes them before Salesforce. */
const memoryLedger = () => {
  const rows: AuditEvent[] = [];
  return { rows, append: async (events: readonly AuditEvent[]) => ({ inserted: rows.push(...events) }) };
};

/** The effects activity over a real writer, one Salesforce effect per batch, as the workflow sends them. */
export function activitiesFor(writer: SalesforceWriter, logger: Logger = quiet) {
  const { applyEffects } = createEffectsActivities({ salesforce: writer, logger, ledger: memoryLedger() as never });
  const send = (effect: SalesforceEffect, leadId: string) =>
    runActivity(applyEffects, { leadId, workflowId: 'wf-test', ledger: [], salesforce: [effect] });
  return {
    syncLead: ({ id, lead }: { id: string; lead: Parameters<SalesforceWriter['updateLead']>[0] }) =>
      send({ type: 'syncLead', id, priority: 'normal', lead }, lead.leadId),
    upsertTask: ({ id, task }: { id: string; task: Parameters<SalesforceWriter['upsertTask']>[0] }) =>
      send({ type: 'upsertTask', id, priority: 'normal', task }, task.leadId),
  };
}

/** The one write the batch reported as not landed (fails the test if it landed). */
export async function outcomeOf(result: Promise<BatchResult>): Promise<WriteOutcome> {
  const { failed } = await result;
  if (failed.length !== 1) throw new Error(`expected one failed write, got ${failed.length}`);
  return failed[0]!;
}

export function dataRequests(emulator: Emulator, pathIncludes = '/services/data/') {
  return emulator.requestLog().filter((e) => e.kind === 'data' && e.path.includes(pathIncludes));
}

export function tokenRequests(emulator: Emulator) {
  return emulator.requestLog().filter((e) => e.kind === 'oauth');
}
