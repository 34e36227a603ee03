import type { FastifyInstance } from 'fastify';
import { createLogger } from '../logger';
import { buildApp } from './app';
import { devKeysWarning } from './auth';
import { apiConfigFromEnv } from './config';
import type { ApiDeps } from './context';
import { apiDependenciesFromEnv } from './dependencies';

export interface RunningApi {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:3000 */
  url: string;
  close(): Promise<void>;
}

/** Builds the app and listens; `close()` stops accepting requests and lets those in flight finish. */
export async function startApiServer(deps: ApiDeps, options: { port: number; host?: string }): Promise<RunningApi> {
  const app = await buildApp(deps);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}

/** The API alone (`tsx src/api/server.ts`), against an already running Temporal and worker. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'api' });
  const config = apiConfigFromEnv();
  if (config.devKeys) process.stderr.write(`${devKeysWarning(config.devKeys)}\n`);
  const { deps, close } = await apiDependenciesFromEnv(config, logger);
  const port = Number(process.env.PORT ?? 3000);
  const api = await startApiServer(deps, { port, host: config.host });
  logger.info({ url: api.url }, 'Handoff API listening');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await api.close();
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
