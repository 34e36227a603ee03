import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';
import { prepareLambdaEnv } from '../lambda/secrets';
import { createLogger } from '../logger';
import { buildApp } from './app';
import { apiConfigFromEnv } from './config';
import { apiDependenciesFromEnv } from './dependencies';

/** The parts of the Lambda context the handler touches (@types/aws-lambda is not a dependency). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  awsRequestId?: string;
}
// The typings declare only the callback form; called without a callback it returns its promise.
type Proxy = (event: unknown, context: LambdaContext) => Promise<LambdaResponse>;

/**
 * A Lambda handler over an app built once per container, on the first invocation (the Temporal
 * connection with it). A failed build is not cached, so the next invocation tries again.
 */
export function createLambdaHandler(build: () => Promise<FastifyInstance>) {
  let proxy: Promise<Proxy> | undefined;
  return async (event: unknown, context: LambdaContext) => {
    // The Temporal connection keeps sockets open between invocations by design.
    context.callbackWaitsForEmptyEventLoop = false;
    proxy ??= build()
      .then(async (app) => {
        await app.ready();
        // API Gateway v2 joins repeated query parameters with commas; the API has none that are lists.
        return awsLambdaFastify(app, { parseCommaSeparatedQueryParams: false, decorateRequest: false }) as unknown as Proxy;
      })
      .catch((err: unknown) => {
        proxy = undefined;
        throw err;
      });
    return (await proxy)(event, context);
  };
}

/** The API Gateway (HTTP API, payload v2) / Function URL entry point; configuration from the environment. */
export const handler = createLambdaHandler(async () => {
  await prepareLambdaEnv({ requireDatabase: false });
  const logger = createLogger({ name: 'api' });
  const config = apiConfigFromEnv();
  const { deps } = await apiDependenciesFromEnv(config, logger);
  return buildApp(deps);
});
