import path from 'node:path';
import pino from 'pino';
import { LOG_BINDINGS } from './logger';
import { DEFAULTS, startEmulator } from './emulator';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { ...LOG_BINDINGS } });
  const port = Number(process.env.SALESFORCE_EMULATOR_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SALESFORCE_EMULATOR_PORT is not a port: ${process.env.SALESFORCE_EMULATOR_PORT}`);
  const dataDir = path.resolve(process.env.HANDOFF_DATA_DIR ?? '.handoff');
  const emulator = await startEmulator({ port, dataDir, logger });
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
