import type { DataConverter } from '@temporalio/common';
import type { Logger } from 'pino';
import { createActivities, type Activities } from '../activities';
import { createLedger, type Ledger } from '../audit/ledger';
import type { CoreConfig } from '../config';
import type { Policy } from '../domain/policy';
import { loadSalesforceConfig } from '../salesforce/config';
import { salesforceReaderFromConfig, salesforceWriterFromConfig } from '../salesforce/from-config';
import type { SalesforceWriter } from '../salesforce/writer';
import { handoffDataConverter, loadPayloadKeys } from '../temporal/data-converter';

export type WorkerDependencies = {
  activities: Activities;
  ledger: Ledger;
  salesforce: SalesforceWriter;
  /** Payloads encrypted with HANDOFF_PAYLOAD_KEYS (or the development key in the data dir). */
  dataConverter: DataConverter;
  close(): Promise<void>;
};

/**
 * The real activity dependencies from the environment: Salesforce (a real org, or the emulator at
 * `emulatorUrl` when none is configured) and the ledger (DATABASE_URL, or PGlite in the data dir).
 */
export async function createWorkerDependencies(options: {
  config: CoreConfig;
  policy: () => Policy;
  logger: Logger;
  emulatorUrl?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<WorkerDependencies> {
  const { config, logger } = options;
  const { keys } = loadPayloadKeys(options.env ?? process.env, config.HANDOFF_DATA_DIR);
  const sf = loadSalesforceConfig(options.env ?? process.env);
  const salesforce = salesforceWriterFromConfig(sf, { emulatorUrl: options.emulatorUrl, logger });
  const ledger = await createLedger({ databaseUrl: config.DATABASE_URL, dataDir: config.HANDOFF_DATA_DIR, logger });
  const salesforceReader = salesforceReaderFromConfig(sf, { emulatorUrl: options.emulatorUrl, logger });
  const activities = createActivities({ salesforce, salesforceReader, ledger, logger, policy: options.policy });
  return {
    activities,
    ledger,
    salesforce,
    dataConverter: handoffDataConverter(keys),
    async close() {
      await salesforce.close();
      await ledger.close();
    },
  };
}
