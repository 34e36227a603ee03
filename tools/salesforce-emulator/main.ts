import path from 'node:path';
import pino from 'pino';
import { LOG_BINDINGS } from './logger';
import { loadPolicyFile, policyFileOf } from '../../src/config';
import { emulatorSeedFromPolicy } from '../../src/salesforce/policy-owners';
import { DEFAULTS, startEmulator } from './emulator';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { ...LOG_BINDINGS } });
  const port = Number(process.env.SALESFORCE_EMULATOR_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SALESFORCE_EMULATOR_PORT is not a port: ${process.env.SALESFORCE_EMULATOR_PORT}`);
  const dataDir = path.resolve(process.env.HANDOFF_DATA_DIR ?? '.handoff');
  // The users and queues Handoff's policy names (HANDOFF_POLICY, as `npm start` reads it), so a standalone worker and API accept them.
  const policyFile = policyFileOf(process.env);
  const seed = emulatorSeedFromPolicy(loadPolicyFile(policyFile));
  const emulator = await startEmulator({ port, dataDir, seed, logger });
  logger.info({ policy: policyFile, users: seed.users.length, queues: seed.queues.length }, 'salesforce-emulator: seeded the users and queues the policy names');
  logger.info(
    { url: emulator.url, clientId: DEFAULTS.clientId, tokenEndpoint: `${emulator.url}/services/oauth2/token`, controls: `${emulator.url}/__emulator__/stats` },
    'salesforce-emulator: ready (emulator, not Salesforce); Ctrl-C to stop',
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'salesforce-emulator: stopping');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'salesforce-emulator: failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('[salesforce-emulator]', error);
  process.exit(1);
});
