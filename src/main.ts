import { Client, Connection } from '@temporalio/client';
import { startEmulator, type Emulator } from '../tools/salesforce-emulator';
import fs from 'node:fs';
import path from 'node:path';
import { generateDevKeys } from './api/auth';
import { apiConfigFromEnv } from './api/config';
import { startApiServer, type RunningApi } from './api/server';
import { loadCoreConfig, loadPolicyFile, policyFileOf } from './config';
import { createLogger } from './logger';
import { loadSalesforceConfig } from './salesforce/config';
import { ownerCheckConfigFromEnv, startOwnerDirectory } from './salesforce/owner-check';
import { emulatorSeedFromPolicy } from './salesforce/policy-owners';
import { temporalConnectionOptions } from './temporal/connection';
import { loadPayloadKeys } from './temporal/data-converter';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { activityPollerConfigFromEnv } from './worker/activity-poller';
import { createWorkerDependencies } from './worker/dependencies';
import { startWorker, type RunningWorker } from './worker/main';
import { installPinoRuntime, metricsAddressFromEnv, prometheusMetrics } from './worker/runtime';

/**
 * Outside production with no HANDOFF_API_KEYS, `npm start` keeps development keys in the data dir so
 * they survive restarts (the README's curl walkthrough keeps working); they are printed at start.
 */
function developmentKeys(dataDir: string): string | undefined {
  if (process.env.HANDOFF_API_KEYS || process.env.NODE_ENV === 'production') return undefined;
  const file = path.join(dataDir, 'dev-api-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const keys = generateDevKeys().devKeys.map(({ role, key }) => `${role}:${key}`).join(',');
    fs.writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  }
  process.env.HANDOFF_API_KEYS = fs.readFileSync(file, 'utf8').trim();
  return file;
}

/** Collects every configuration problem before anything starts, so one run shows all of them. */
function loadAllConfig() {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const core = attempt(() => loadCoreConfig());
  const devKeysFile = core ? developmentKeys(core.HANDOFF_DATA_DIR) : undefined;
  const payloadKeys = core ? attempt(() => loadPayloadKeys(process.env, core.HANDOFF_DATA_DIR)) : undefined;
  const api = attempt(() => apiConfigFromEnv());
  const salesforce = attempt(() => loadSalesforceConfig());
  const policy = attempt(() => loadPolicyFile(policyFileOf(process.env)));
  const owners = attempt(() => ownerCheckConfigFromEnv());
  const activityPoller = attempt(() => activityPollerConfigFromEnv());
  const metrics = attempt(() => ({ address: metricsAddressFromEnv(process.env) }));
  if (!core || !payloadKeys || !api || !salesforce || !policy || !owners || !activityPoller || !metrics) {
    throw new Error(`Handoff cannot start:\n${problems.join('\n')}`);
  }
  return { core, api, salesforce, policy, owners, devKeysFile, devPayloadKeyFile: payloadKeys.devKeyFile, metricsAddress: metrics.address };
}

/**
 * `npm start`: the whole system in one foreground process tree. Whatever is not configured
 * externally runs embedded: the Temporal dev server, the Salesforce emulator, the PGlite ledger.
 */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'handoff' });
  const { core, api: apiConfig, salesforce, policy, owners, devKeysFile, devPayloadKeyFile, metricsAddress } = loadAllConfig();
  installPinoRuntime(logger, 'WARN', metricsAddress ? prometheusMetrics(metricsAddress) : undefined);

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping Handoff');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stopAll('SIGINT', 0));
  process.once('SIGTERM', () => void stopAll('SIGTERM', 0));
  try {
    await startAll();
  } catch (err) {
    process.stderr.write(`Handoff failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll('start failed', 1);
  }

  async function startAll(): Promise<void> {
    let emulator: Emulator | undefined;
    if (!salesforce.auth) {
      emulator = await startEmulator({
        port: core.SALESFORCE_EMULATOR_PORT,
        dataDir: core.HANDOFF_DATA_DIR,
        seed: emulatorSeedFromPolicy(policy),
        logger,
      });
      stops.push(() => emulator!.close());
    }
    // Before Temporal: a policy naming owners the org does not have stops the start here.
    const directory = await startOwnerDirectory({ salesforce, policy, config: owners, emulatorUrl: emulator?.url, logger });
    stops.push(async () => directory.close());

    let devServer: DevServer | undefined;
    if (!core.TEMPORAL_ADDRESS) {
      devServer = await startDevServer({
        port: core.TEMPORAL_DEV_SERVER_PORT,
        dataDir: core.HANDOFF_DATA_DIR,
        namespace: core.TEMPORAL_NAMESPACE,
        logger,
      });
      stops.push(() => devServer!.stop());
    }
    const address = core.TEMPORAL_ADDRESS ?? devServer!.address;

    const deps = await createWorkerDependencies({
      config: core,
      policy: () => policy,
      logger,
      emulatorUrl: emulator?.url,
    });
    const worker: RunningWorker = await startWorker({ config: core, address, deps, logger });
    stops.push(() => worker.stop());

    const connection = await Connection.connect(temporalConnectionOptions(address, core));
    stops.push(() => connection.close());
    const temporalUiUrl = apiConfig.temporalUiUrl ?? devServer?.uiUrl;
    const api: RunningApi = await startApiServer(
      {
        temporal: {
          client: new Client({ connection, namespace: core.TEMPORAL_NAMESPACE, dataConverter: deps.dataConverter }),
          taskQueue: core.HANDOFF_TASK_QUEUE,
          namespace: core.TEMPORAL_NAMESPACE,
          timeoutMs: apiConfig.temporalTimeoutMs,
        },
        policy,
        ledger: deps.ledger,
        salesforce: deps.salesforce,
        directory,
        auth: apiConfig.auth,
        salesforceOrgId: emulator?.orgId ?? apiConfig.salesforceOrgId,
        outboundMessages: apiConfig.outboundMessages,
        rateLimit: apiConfig.rateLimit,
      trustProxy: apiConfig.trustProxy,
        ...(temporalUiUrl ? { temporalUiUrl } : {}),
        ...(apiConfig.codecCorsOrigins ? { codecCorsOrigins: apiConfig.codecCorsOrigins } : {}),
        logger,
      },
      { port: core.PORT, host: apiConfig.host },
    );
    stops.splice(stops.length - 1, 0, () => api.close());

    const lines = [
      '',
      'Handoff is running (Ctrl-C stops everything)',
      `  API             ${api.url}   (OpenAPI: ${api.url}/openapi.json)`,
      `  Dashboard       ${api.url}/dashboard`,
      `  Temporal        ${address}${devServer ? ' (embedded dev server)' : ''}`,
      ...(temporalUiUrl ? [`  Temporal Web UI ${temporalUiUrl}`] : []),
      `  Salesforce      ${emulator ? `${emulator.url}  — the Handoff Salesforce EMULATOR, not Salesforce` : 'the configured org'}`,
      `  Audit ledger    ${deps.ledger.location}`,
      ...(metricsAddress ? [`  Metrics         http://${metricsAddress}/metrics   (Prometheus: Temporal SDK and Handoff)`] : []),
      `  Policy          ${core.HANDOFF_POLICY} (version ${policy.version})`,
      `  Data dir        ${core.HANDOFF_DATA_DIR}`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (devKeysFile) {
      process.stdout.write(
        `WARNING: HANDOFF_API_KEYS is not set; using development keys kept in ${devKeysFile}:\n` +
          `${(process.env.HANDOFF_API_KEYS ?? '')
            .split(',')
            .map((k) => `  ${k.replace(':', '  ')}`)
            .join('\n')}\n` +
          'Set HANDOFF_API_KEYS (role:key or role:sha256:<hex>) for anything but local development.\n',
      );
    }
    if (devPayloadKeyFile) {
      process.stdout.write(
        `WARNING: HANDOFF_PAYLOAD_KEYS is not set; Temporal payloads are encrypted with the development key kept in ${devPayloadKeyFile}.\n`,
      );
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
