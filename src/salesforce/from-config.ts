import type { Logger } from 'pino';
import { emulatorAuth, type SalesforceConfig } from './config';
import { createConnectionFactory } from './connection';
import { OwnerDirectory } from './directory';
import { createSalesforceWriter, type SalesforceWriter } from './writer';

/** The writer for the configured org, or for the local emulator at `emulatorUrl` when no org is configured. */
export function salesforceWriterFromConfig(
  sf: SalesforceConfig,
  options: { emulatorUrl?: string; logger: Logger },
): SalesforceWriter {
  const emulatorUrl = sf.auth ? undefined : options.emulatorUrl;
  const auth = sf.auth ?? (emulatorUrl ? emulatorAuth(emulatorUrl) : null);
  if (!auth) throw new Error('no Salesforce org is configured (SALESFORCE_*) and no emulator URL was given');
  return createSalesforceWriter({
    connection: createConnectionFactory({
      auth,
      apiVersion: sf.apiVersion,
      instanceUrl: sf.instanceUrl ?? emulatorUrl ?? null,
      requestTimeoutMs: sf.requestTimeoutMs,
      logger: options.logger,
    }),
    fieldMap: sf.fieldMap,
    batch: {
      criticalWindowMs: sf.batchWindowMs.critical,
      normalWindowMs: sf.batchWindowMs.normal,
      lowAllocationNormalWindowMs: sf.batchWindowMs.lowAllocationNormal,
      minRemainingApiCalls: sf.minRemainingApiCalls,
    },
    logger: options.logger,
  });
}

/** The owner directory for the configured org, or for the local emulator at `emulatorUrl`; call `start()` on it. */
export function ownerDirectoryFromConfig(
  sf: SalesforceConfig,
  options: { emulatorUrl?: string; logger: Logger; refreshIntervalMs?: number },
): OwnerDirectory {
  const emulatorUrl = sf.auth ? undefined : options.emulatorUrl;
  const auth = sf.auth ?? (emulatorUrl ? emulatorAuth(emulatorUrl) : null);
  if (!auth) throw new Error('no Salesforce org is configured (SALESFORCE_*) and no emulator URL was given');
  return new OwnerDirectory({
    connection: createConnectionFactory({
      auth,
      apiVersion: sf.apiVersion,
      instanceUrl: sf.instanceUrl ?? emulatorUrl ?? null,
      requestTimeoutMs: sf.requestTimeoutMs,
      logger: options.logger,
    }),
    logger: options.logger,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
  });
}
