import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context';
import { openApiDocument } from '../openapi';
import { defineRoute } from '../route';

export const openApiRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  let document: unknown;
  defineRoute(app, ctx, {
    method: 'GET',
    url: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document (OpenAPI 3.1)',
    tag: 'Operations',
    access: { kind: 'public' },
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    errors: [],
    handler: async () => (document ??= openApiDocument(ctx.registry, { title: 'Handoff API', version: '1.0.0' })),
  });
};
