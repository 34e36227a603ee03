import type { Logger } from 'pino';
import { emulatorAuth, type SalesforceConfig } from './config';
import { createConnectionFactory, type ConnectionFactory } from './connection';
import { OwnerDirectory } from './directory';
import { createSalesforceReader, type SalesforceReader } from './reader';
import { createSalesforceWriter, type SalesforceWriter } from './writer';

type FromConfigOptions = { emulatorUrl?: string; logger: Logger };

/** Connections to the configured org, or to the local emulator at `emulatorUrl` when no org is configured. */
export function connectionFactoryFromConfig(sf: SalesforceConfig, options: FromConfigOptions): ConnectionFactory {
  const emulatorUrl = sf.auth ? undefined : options.emulatorUrl;
  const auth = sf.auth ?? (emulatorUrl ? emulatorAuth(emulatorUrl) : null);
  if (!auth) throw new Error('no Salesforce org is configured (SALESFORCE_*) and no emulator URL was given');
  return createConnectionFactory({
    auth,
    apiVersion: sf.apiVersion,
    instanceUrl: sf.instanceUrl ?? emulatorUrl ?? null,
    requestTimeoutMs: sf.requestTimeoutMs,
    logger: options.logger,
  });
}

/** The writer for the configured org, or for the local emulator at `emulatorUrl` when no org is configured. */
export function salesforceWriterFromConfig(sf: SalesforceConfig, options: FromConfigOptions): SalesforceWriter {
  return createSalesforceWriter({
    connection: connectionFactoryFromConfig(sf, options),
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
  options: FromConfigOptions & { refreshIntervalMs?: number },
): OwnerDirectory {
  return new OwnerDirectory({
    connection: connectionFactoryFromConfig(sf, options),
    logger: options.logger,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
  });
}

/** The query-only reader for the configured org, or for the local emulator at `emulatorUrl`. */
export function salesforceReaderFromConfig(sf: SalesforceConfig, options: FromConfigOptions): SalesforceReader {
  return createSalesforceReader({ connection: connectionFactoryFromConfig(sf, options) });
}
