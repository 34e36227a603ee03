import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HandoffTask, LeadRecord, TaskClose } from '../domain/effects';
import { type BatchOptions, CollectionBatcher, DEFAULT_BATCH_OPTIONS, type ItemResult } from './batcher';
import type { ConnectionFactory } from './connection';
import { classifyError, fromRecordErrors, recordErrorSchema, SalesforceWriteError } from './errors';
import { DEFAULT_FIELD_MAP, type FieldMap, leadToSalesforce, taskToSalesforce } from './field-map';

export type SalesforceWriter = {
  updateLead(record: LeadRecord): Promise<void>;
  upsertTask(task: HandoffTask): Promise<void>;
  /** Completes a Handoff task that no longer applies (upsert on its external id). */
  closeTask(close: TaskClose): Promise<void>;
  /** For /readyz: resolves when Salesforce answered recently or answers now. */
  ping(): Promise<void>;
  /** From the last `Sforce-Limit-Info` header; null before the first call. */
  remainingApiCalls(): number | null;
  /** Sends what is pending and waits for calls in flight. */
  close(): Promise<void>;
};

export type SalesforceWriterOptions = {
  connection: Connection | ConnectionFactory;
  fieldMap?: FieldMap;
  /** `false`: one REST call per write (no Collections batching). */
  batch?: Partial<BatchOptions> | false;
  /** A successful call this recent answers `ping()` without a request (default 60 s), sparing the allocation. */
  pingMaxAgeMs?: number;
  logger: Logger;
};

const saveResultsSchema = z.array(z.object({ success: z.boolean(), errors: z.array(recordErrorSchema).default([]) }));
const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
/**
 * Assignment rules would otherwise run on every Lead update and may silently change the owner. A new
 * object per request: jsforce adds Authorization and content-length to the headers object it is given.
 */
const leadWriteHeaders = () => ({ 'content-type': 'application/json', 'Sforce-Auto-Assign': 'FALSE' });
const jsonHeaders = () => ({ 'content-type': 'application/json' });
const ALLOCATION_LOG_INTERVAL_MS = 60_000;

export function createSalesforceWriter(options: SalesforceWriterOptions): SalesforceWriter {
  const { logger } = options;
  const fieldMap = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const batchOptions = options.batch === false ? null : { ...DEFAULT_BATCH_OPTIONS, ...options.batch };
  const pingMaxAgeMs = options.pingMaxAgeMs ?? 60_000;
  const extIdField = fieldMap.task.externalId;

  let connecting: Promise<Connection> | null = null;
  const connection = (): Promise<Connection> => {
    const source = options.connection;
    if (typeof source !== 'function') return Promise.resolve(source);
    connecting ??= source().catch((err: unknown) => {
      connecting = null;
      throw classifyError(err);
    });
    return connecting;
  };

  let remaining: number | null = null;
  let lastSuccessAt = 0;
  let lastAllocationLogAt = 0;
  let low = false;
  const floor = batchOptions?.minRemainingApiCalls ?? DEFAULT_BATCH_OPTIONS.minRemainingApiCalls;
  const observe = (conn: Connection): void => {
    const usage = conn.limitInfo.apiUsage;
    if (!usage) return;
    remaining = usage.limit - usage.used;
    const fields = { remainingApiCalls: remaining, limit: usage.limit, floor };
    const now = Date.now();
    if (remaining < floor !== low) {
      low = !low;
      if (low) logger.warn(fields, 'salesforce api allocation below floor: slowing writes');
      else logger.info(fields, 'salesforce api allocation back above floor');
      lastAllocationLogAt = now;
    } else if (now - lastAllocationLogAt >= ALLOCATION_LOG_INTERVAL_MS) {
      logger.info(fields, 'salesforce api allocation');
      lastAllocationLogAt = now;
    }
  };

  const call = async <R>(request: Parameters<Connection['request']>[0]): Promise<R> => {
    const conn = await connection();
    try {
      const result = await conn.request<R>(request);
      lastSuccessAt = Date.now();
      return result;
    } finally {
      observe(conn);
    }
  };

  const collections = async (url: string, records: readonly object[], headers: Record<string, string>) => {
    const started = Date.now();
    const body = await call<unknown>({ method: 'PATCH', url, body: JSON.stringify({ allOrNone: false, records }), headers });
    logger.debug({ url, records: records.length, ms: Date.now() - started, remainingApiCalls: remaining }, 'salesforce collections call');
    return toItemResults(body, records.length);
  };

  const leadBatcher =
    batchOptions &&
    new CollectionBatcher(
      'lead',
      (items) =>
        collections(
          '/composite/sobjects',
          items.map(({ key, fields }) => ({ attributes: { type: 'Lead' }, id: key, ...fields })),
          leadWriteHeaders(),
        ),
      () => remaining,
      batchOptions,
      logger,
    );
  const taskBatcher =
    batchOptions &&
    new CollectionBatcher(
      'task',
      (items) =>
        collections(
          `/composite/sobjects/Task/${extIdField}`,
          items.map(({ fields }) => ({ attributes: { type: 'Task' }, ...fields })),
          jsonHeaders(),
        ),
      () => remaining,
      batchOptions,
      logger,
    );

  return {
    async updateLead(record) {
      if (!SALESFORCE_ID.test(record.leadId)) throw malformedId();
      const fields = leadToSalesforce(record, fieldMap);
      if (leadBatcher) return leadBatcher.submit(record.leadId, fields);
      await single({ method: 'PATCH', url: `/sobjects/Lead/${record.leadId}`, body: JSON.stringify(fields), headers: leadWriteHeaders() });
    },

    async upsertTask(task) {
      if (!SALESFORCE_ID.test(task.leadId)) throw malformedId();
      const fields = taskToSalesforce(task, fieldMap);
      if (taskBatcher) return taskBatcher.submit(task.externalId, fields);
      const { [extIdField]: _extId, ...rest } = fields;
      await single({
        method: 'PATCH',
        url: `/sobjects/Task/${extIdField}/${encodeURIComponent(task.externalId)}`,
        body: JSON.stringify(rest),
        headers: jsonHeaders(),
      });
    },

    async closeTask(close) {
      const fields = { [extIdField]: close.externalId, Status: 'Completed' };
      if (taskBatcher) return taskBatcher.submit(close.externalId, fields);
      await single({
        method: 'PATCH',
        url: `/sobjects/Task/${extIdField}/${encodeURIComponent(close.externalId)}`,
        body: JSON.stringify({ Status: 'Completed' }),
        headers: jsonHeaders(),
      });
    },

    async ping() {
      if (Date.now() - lastSuccessAt < pingMaxAgeMs) return;
      await single({ method: 'GET', url: '/limits' });
    },

    remainingApiCalls: () => remaining,

    async close() {
      await Promise.all([leadBatcher?.drain(), taskBatcher?.drain()]);
    },
  };

  async function single(request: Parameters<Connection['request']>[0]): Promise<void> {
    try {
      await call(request);
    } catch (err) {
      throw classifyError(err);
    }
  }
}

function malformedId(): SalesforceWriteError {
  return new SalesforceWriteError('MALFORMED_ID', 'Lead id is not a 15- or 18-character Salesforce id', ['Id']);
}

function toItemResults(body: unknown, count: number): ItemResult[] {
  const parsed = saveResultsSchema.safeParse(body);
  if (!parsed.success || parsed.data.length !== count) {
    throw new SalesforceWriteError('UNKNOWN_EXCEPTION', `unexpected sObject Collections answer (expected ${count} results)`);
  }
  return parsed.data.map((r) => (r.success ? { ok: true } : { ok: false, error: fromRecordErrors(r.errors) }));
}
