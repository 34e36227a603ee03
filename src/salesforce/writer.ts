import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HandoffTask, LeadRecord, TaskClose, WritePriority } from '../domain/effects';
import type { WriteResult } from '../domain/inputs';
import {
  type BatchItem,
  type BatchOptions,
  CollectionBatcher,
  DEFAULT_BATCH_OPTIONS,
  type ItemResult,
  mergeFields,
  supersede,
} from './batcher';
import { sharedConnection, type ConnectionFactory } from './connection';
import { classifyError, fromRecordErrors, recordErrorSchema, SalesforceWriteError } from './errors';
import { saveWithFieldFallback } from './field-fallback';
import {
  DEFAULT_FIELD_MAP,
  type FieldMap,
  leadToSalesforce,
  type SObjectFields,
  taskCloseToSalesforce,
  taskOwnerIsUser,
  taskToSalesforce,
} from './field-map';


/** `critical` writes wait at most the critical window for a batch; the default is `normal`. */
export type WriteOptions = { priority?: WritePriority };

export type SalesforceWriter = {
  /**
   * Writes Handoff's Lead fields. A field Salesforce refuses (unknown owner, restricted picklist value,
   * validation rule) is left out and the rest lands: the answer says what was left out, and the Lead's
   * Handoff_Sync_Error__c holds it until a later write lands in full. Rejects (SalesforceWriteError) when
   * the write may succeed later (retryable) or the record itself is refused (NOT_FOUND, ENTITY_IS_DELETED).
   */
  updateLead(record: LeadRecord, options?: WriteOptions): Promise<WriteResult>;
  upsertTask(task: HandoffTask, options?: WriteOptions): Promise<void>;
  /** Completes a Handoff task with the reason it no longer applies (an upsert on its external id). */
  closeTask(close: TaskClose, options?: WriteOptions): Promise<void>;
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
  /** `false`: one REST call per write (no Collections batching); per-field fallback still applies. */
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
  const fallback = {
    standardFields: [fieldMap.lead.status, fieldMap.lead.ownerId].filter((f): f is string => f !== null),
    syncErrorField: fieldMap.lead.syncError,
  };

  const connection = sharedConnection(options.connection, classifyError);

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
    const body = await call<unknown>({
      method: 'PATCH',
      url,
      body: JSON.stringify({ allOrNone: false, records }),
      headers,
    });
    logger.debug(
      { url, records: records.length, ms: Date.now() - started, remainingApiCalls: remaining },
      'salesforce collections call',
    );
    return toItemResults(body, records.length);
  };

  const leadCollection = (items: readonly BatchItem[]) =>
    collections(
      '/composite/sobjects',
      items.map(({ key, fields }) => ({ attributes: { type: 'Lead' }, id: key, ...fields })),
      leadWriteHeaders(),
    );
  /** Unbatched: one PATCH; a refusal of the record is its result, a transient failure is thrown. */
  const leadSingle = async ([item]: readonly BatchItem[]): Promise<Array<ItemResult<void>>> => {
    if (!item) return [];
    try {
      await call({
        method: 'PATCH',
        url: `/sobjects/Lead/${item.key}`,
        body: JSON.stringify(item.fields),
        headers: leadWriteHeaders(),
      });
      return [{ ok: true, value: undefined }];
    } catch (err) {
      const error = classifyError(err);
      if (error.retryable) throw error;
      return [{ ok: false, error }];
    }
  };
  const saveLeads = (items: readonly BatchItem[]) =>
    saveWithFieldFallback(items, batchOptions ? leadCollection : leadSingle, fallback).then((results) => {
      for (const [i, r] of results.entries()) {
        if (r.ok && r.value.syncError) {
          const { code, fields } = r.value.syncError;
          logger.warn(
            { leadId: items[i]?.key, sfErrorCode: code, fields },
            'salesforce refused lead fields; wrote the rest',
          );
        }
      }
      return results;
    });

  const leadBatcher =
    batchOptions && new CollectionBatcher('lead', saveLeads, supersede, () => remaining, batchOptions, logger);
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
      mergeFields,
      () => remaining,
      batchOptions,
      logger,
    );

  const writeTask = async (
    externalId: string,
    fields: SObjectFields,
    priority: WritePriority | undefined,
  ): Promise<void> => {
    if (taskBatcher) return taskBatcher.submit(externalId, fields, priority);
    const { [extIdField]: _extId, ...rest } = fields;
    await single({
      method: 'PATCH',
      url: `/sobjects/Task/${extIdField}/${encodeURIComponent(externalId)}`,
      body: JSON.stringify(rest),
      headers: jsonHeaders(),
    });
  };

  return {
    async updateLead(record, writeOptions = {}) {
      if (!SALESFORCE_ID.test(record.leadId)) throw malformedId();
      const fields = leadToSalesforce(record, fieldMap);
      if (leadBatcher) return leadBatcher.submit(record.leadId, fields, writeOptions.priority);
      const [result] = await saveLeads([{ key: record.leadId, fields }]);
      if (!result) throw new SalesforceWriteError('UNKNOWN_EXCEPTION', 'no result for the lead write');
      if (!result.ok) throw result.error;
      return result.value;
    },

    async upsertTask(task, writeOptions = {}) {
      if (!SALESFORCE_ID.test(task.leadId)) throw malformedId();
      if (!taskOwnerIsUser(task)) {
        logger.warn(
          {
            leadId: task.leadId,
            externalId: task.externalId,
            kind: task.kind,
            owner: task.ownerId === null ? 'none' : 'queue',
          },
          'salesforce task has no user owner: it stays with the integration user, where no rep sees it',
        );
      }
      await writeTask(task.externalId, taskToSalesforce(task, fieldMap), writeOptions.priority);
    },

    async closeTask(close, writeOptions = {}) {
      if (!SALESFORCE_ID.test(close.leadId)) throw malformedId();
      await writeTask(close.externalId, taskCloseToSalesforce(close, fieldMap), writeOptions.priority);
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

function toItemResults(body: unknown, count: number): Array<ItemResult<void>> {
  const parsed = saveResultsSchema.safeParse(body);
  if (!parsed.success || parsed.data.length !== count) {
    throw new SalesforceWriteError(
      'UNKNOWN_EXCEPTION',
      `unexpected sObject Collections answer (expected ${count} results)`,
    );
  }
  return parsed.data.map((r) =>
    r.success ? { ok: true, value: undefined } : { ok: false, error: fromRecordErrors(r.errors) },
  );
}
