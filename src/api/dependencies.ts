import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { createLedger } from '../audit/ledger';
import { loadCoreConfig, loadPolicyFile } from '../config';
import { loadSalesforceConfig } from '../salesforce/config';
import { salesforceWriterFromConfig } from '../salesforce/from-config';
import { ownerCheckConfigFromEnv, startOwnerDirectory } from '../salesforce/owner-check';
import { temporalConnectionOptions } from '../temporal/connection';
import { handoffDataConverter, loadPayloadKeys } from '../temporal/data-converter';
import type { ApiEnvConfig } from './config';
import type { ApiDeps } from './context';

/**
 * The API's dependencies from the environment, for a process or a Lambda container that runs the API
 * alone: Temporal at TEMPORAL_ADDRESS (default: the embedded dev server of `npm start`), the ledger at
 * DATABASE_URL (the embedded PGlite belongs to the worker's process, so without it reports answer 503),
 * and Salesforce (or the emulator) for readiness and the owner directory (the policy's owners are checked
 * against it before anything else connects).
 */
export async function apiDependenciesFromEnv(
  config: ApiEnvConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ deps: ApiDeps; close(): Promise<void> }> {
  const core = loadCoreConfig(env);
  const owners = ownerCheckConfigFromEnv(env);
  const policy = loadPolicyFile(core.HANDOFF_POLICY);
  const sf = loadSalesforceConfig(env);
  const emulatorUrl = `http://127.0.0.1:${core.SALESFORCE_EMULATOR_PORT}`;
  const directory = await startOwnerDirectory({ salesforce: sf, policy, config: owners, emulatorUrl, logger });
  const address = core.TEMPORAL_ADDRESS ?? `127.0.0.1:${core.TEMPORAL_DEV_SERVER_PORT}`;
  const connection = await Connection.connect(temporalConnectionOptions(address, core));
  const { keys } = loadPayloadKeys(env, core.HANDOFF_DATA_DIR);
  const client = new Client({ connection, namespace: core.TEMPORAL_NAMESPACE, dataConverter: handoffDataConverter(keys) });

  const salesforce = salesforceWriterFromConfig(sf, { emulatorUrl, logger });
  const ledger = core.DATABASE_URL ? await createLedger({ databaseUrl: core.DATABASE_URL, logger }) : undefined;
  if (!ledger) logger.warn('DATABASE_URL is not set: the audit routes and the dashboard answer 503 in a standalone API');

  return {
    deps: {
      temporal: { client, taskQueue: core.HANDOFF_TASK_QUEUE, namespace: core.TEMPORAL_NAMESPACE, timeoutMs: config.temporalTimeoutMs },
      policy,
      ...(ledger ? { ledger } : {}),
      salesforce,
      directory,
      auth: config.auth,
      salesforceOrgId: config.salesforceOrgId,
      outboundMessages: config.outboundMessages,
      rateLimit: config.rateLimit,
      ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
      ...(config.codecCorsOrigins ? { codecCorsOrigins: config.codecCorsOrigins } : {}),
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      logger,
    },
    async close() {
      directory.close();
      await salesforce.close();
      await ledger?.close();
      await connection.close();
    },
  };
}
