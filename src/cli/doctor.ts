import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pino from 'pino';
import { LedgerBusyError } from '../audit/errors';
import { createLedger, type Ledger } from '../audit/ledger';
import { loadCoreConfig, loadPolicyFile, policyFileOf } from '../config';
import {
  allRequiredPass,
  checkResultSchema,
  CHECKS,
  runChecks,
  type CheckResult,
  type HealthCheck,
  type HealthContext,
} from '../health/checks';
import { listSearchAttributes, liveWorkflowPollers } from '../health/temporal';
import { loadSalesforceConfig } from '../salesforce/config';
import { ownerDirectoryFromConfig, salesforceWriterFromConfig } from '../salesforce/from-config';
import type { SalesforceWriter } from '../salesforce/writer';
import { temporalConnectionOptions } from '../temporal/connection';
import type { CliIo } from './main';
import { findRunningApi } from './running-api';

const EXIT = { ok: 0, failed: 1 } as const;
const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', warning: 'WARN', failed: 'FAIL' };

/**
 * `handoff doctor`: the shared checks (src/health/checks.ts) against the configuration in the
 * environment, one line per check with its fix. While `npm start` holds the embedded ledger, the
 * ledger check is the one its API answers on /readyz.
 */
export async function doctor(io: CliIo): Promise<number> {
  const core = loadCoreConfig(io.env);
  const logger = pino({ level: io.env.HANDOFF_LOG_LEVEL ?? 'silent' }, pino.destination(2));
  const opened: { close(): Promise<void> }[] = [];
  const once = <T>(open: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= open());
  };
  const address = core.TEMPORAL_ADDRESS ?? `127.0.0.1:${core.TEMPORAL_DEV_SERVER_PORT}`;
  const devKeysFile = path.join(core.HANDOFF_DATA_DIR, 'dev-api-keys');
  let busyLedger: LedgerBusyError | undefined;

  const ctx: HealthContext = {
    policy: async () => loadPolicyFile(policyFileOf(io.env)),
    keys: {
      apiKeys: io.env.HANDOFF_API_KEYS,
      webhookSecret: io.env.HANDOFF_WEBHOOK_SECRET,
      production: io.env.NODE_ENV === 'production',
      ...(fs.existsSync(devKeysFile) ? { devKeysFile } : {}),
    },
    temporal: once(async () => {
      const connection = await Connection.connect({
        ...temporalConnectionOptions(address, core),
        connectTimeout: '3s',
      });
      opened.push(connection);
      return {
        address,
        namespace: core.TEMPORAL_NAMESPACE,
        taskQueue: core.HANDOFF_TASK_QUEUE,
        searchAttributes: () => listSearchAttributes(connection, core.TEMPORAL_NAMESPACE),
        workflowPollers: () => liveWorkflowPollers(connection, core.TEMPORAL_NAMESPACE, core.HANDOFF_TASK_QUEUE),
      };
    }),
    ledger: once(async (): Promise<Ledger> => {
      if (!core.DATABASE_URL && !fs.existsSync(path.join(core.HANDOFF_DATA_DIR, 'ledger'))) {
        throw new Error(`no embedded ledger yet under ${core.HANDOFF_DATA_DIR} (the first \`npm start\` creates it)`);
      }
      try {
        const ledger = await createLedger({
          ...(core.DATABASE_URL ? { databaseUrl: core.DATABASE_URL } : {}),
          dataDir: core.HANDOFF_DATA_DIR,
          migrate: false,
          logger,
        });
        opened.push(ledger);
        return ledger;
      } catch (err) {
        if (err instanceof LedgerBusyError) busyLedger = err;
        throw err;
      }
    }),
    salesforce: once(async () => {
      const sf = loadSalesforceConfig(io.env);
      const writer: SalesforceWriter = salesforceWriterFromConfig(sf, {
        emulatorUrl: `http://127.0.0.1:${core.SALESFORCE_EMULATOR_PORT}`,
        logger,
      });
      opened.push(writer);
      return {
        ping: () => writer.ping(),
        remainingApiCalls: () => writer.remainingApiCalls(),
        minRemainingApiCalls: sf.minRemainingApiCalls,
      };
    }),
    owners: once(async () => {
      const directory = ownerDirectoryFromConfig(loadSalesforceConfig(io.env), {
        emulatorUrl: `http://127.0.0.1:${core.SALESFORCE_EMULATOR_PORT}`,
        logger,
        refreshIntervalMs: 0,
      });
      await directory.start();
      opened.push({ close: async () => directory.close() });
      return directory;
    }),
  };

  try {
    let results = await runChecks(ctx, CHECKS, 5000);
    if (busyLedger) results = await withLedgerFromRunningApi(results, core.HANDOFF_DATA_DIR);
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) {
      const fix = r.status === 'ok' || !r.fix ? '' : `  -> fix: ${r.fix}`;
      const detail = r.detail.replace(/:?\s*\n\s*(?:-\s*)?/g, (sep) => (sep.startsWith(':') ? ': ' : '; '));
      io.stdout.write(`${MARK[r.status]}  ${r.name.padEnd(width)}  ${detail}${fix}\n`);
    }
    return allRequiredPass(results) ? EXIT.ok : EXIT.failed;
  } finally {
    await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
  }
}

/** The ledger check as the running API answers it on /readyz, since only that process can open the embedded ledger. */
async function withLedgerFromRunningApi(results: CheckResult[], dataDir: string): Promise<CheckResult[]> {
  const api = findRunningApi(dataDir);
  const ledgerCheck = CHECKS.find((c) => c.name === 'ledger') as HealthCheck;
  let remote: CheckResult | undefined;
  if (api) {
    try {
      const res = await fetch(new URL('/readyz', api.url), { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { checks?: unknown; error?: { details?: { checks?: unknown } } };
      const checks = checkResultSchema.array().safeParse(body.checks ?? body.error?.details?.checks);
      remote = checks.success ? checks.data.find((c) => c.name === ledgerCheck.name) : undefined;
    } catch {
      remote = undefined;
    }
  }
  return results.map((r) => {
    if (r.name !== ledgerCheck.name) return r;
    if (!remote) return r;
    return {
      ...remote,
      detail: `${remote.detail} (answered by npm start, pid ${api!.pid}, which holds the embedded ledger)`,
    };
  });
}
