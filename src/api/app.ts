import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { Authenticator } from './auth';
import { installBodyParsers } from './body-parsers';
import type { ApiContext, ApiDeps } from './context';
import { installErrorHandling } from './errors';
import { apiLogger } from './logger';
import { RateLimiter } from './rate-limit';
import { RouteRegistry } from './route';
import { auditRoutes } from './routes/audit';
import { codecRoutes } from './routes/codec';
import { dashboardRoutes } from './routes/dashboard';
import { healthRoutes } from './routes/health';
import { leadActionRoutes } from './routes/lead-actions';
import { leadReadRoutes } from './routes/lead-reads';
import { leadRoutes } from './routes/leads';
import { openApiRoutes } from './routes/openapi';
import { outboundMessageRoutes } from './routes/outbound-messages';
import { createLeadGateway } from './temporal';

export type { ApiDeps } from './context';

const ONE_MB = 1024 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The HTTP API of DESIGN §3.1 as a Fastify instance (not listening): for a server, Lambda or inject(). */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const options: FastifyHttpOptions<Server> & { loggerInstance: FastifyBaseLogger } = {
    loggerInstance: apiLogger(deps.logger) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? ONE_MB,
    trustProxy: deps.trustProxy ?? false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  };
  const app = fastify(options);

  installBodyParsers(app);
  installErrorHandling(app);
  app.decorateRequest('receivedAt', '');
  app.addHook('onRequest', async (request, reply) => {
    request.receivedAt = new Date().toISOString();
    reply.header('x-request-id', request.id);
  });

  const ctx: ApiContext = {
    deps,
    leads: createLeadGateway(deps.temporal, deps.policy, deps.ledger),
    auth: new Authenticator({ keys: deps.auth.keys, webhookSecret: deps.auth.webhookSecret, signature: deps.auth.signature }),
    limiter: new RateLimiter(deps.rateLimit ?? { max: 6000, windowMs: 60_000 }),
    registry: new RouteRegistry(),
  };
  await app.register(healthRoutes, ctx);
  await app.register(leadRoutes, ctx);
  await app.register(leadActionRoutes, ctx);
  await app.register(leadReadRoutes, ctx);
  await app.register(auditRoutes, ctx);
  await app.register(dashboardRoutes, ctx);
  await app.register(outboundMessageRoutes, ctx);
  await app.register(codecRoutes, ctx);
  await app.register(openApiRoutes, ctx);
  return app;
}
