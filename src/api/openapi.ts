import { z } from 'zod';
import { errorBodySchema } from './errors';
import type { RouteRegistry, RouteSpec } from './route';

type JsonSchema = Record<string, unknown>;
type AnySpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: the request does not match the schema or the policy (zod issues in details)',
  401: 'UNAUTHORIZED: missing or invalid credentials',
  403: 'FORBIDDEN: the credentials lack the role this route needs',
  404: 'LEAD_NOT_FOUND: no workflow for this lead',
  409: 'INVALID_TRANSITION: the lead stage does not allow this action (the message names the stage and what is allowed)',
  413: 'PAYLOAD_TOO_LARGE: the body exceeds 1 MB',
  429: 'RATE_LIMITED: too many requests from this client address or for this API key (see Retry-After)',
  503: 'UNAVAILABLE: Temporal or another dependency did not answer (see Retry-After)',
};

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema; requests are described by their input side. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

function operation(spec: AnySpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const contentType = response.contentType ?? 'application/json';
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { [contentType]: { schema: jsonSchema(response.schema, 'output') } } }
        : response.contentType
          ? { content: { [contentType]: { schema: { type: 'string' } } } }
          : {}),
    };
  }
  const errors = new Set(spec.errors);
  if (spec.access.kind === 'roles') [401, 403, 429].forEach((s) => errors.add(s));
  for (const status of [...errors].sort()) {
    responses[String(status)] ??= {
      description: ERROR_DESCRIPTIONS[status] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const headers = Object.entries(spec.headers ?? {}).map(([name, description]) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  const security =
    spec.access.kind === 'roles'
      ? [
          { apiKey: [] },
          ...(spec.access.sources?.signature ? [{ webhookSignature: [] }] : []),
          ...(spec.access.sources?.session ? [{ dashboardSession: [] }] : []),
          ...(spec.access.sources?.queryKey ? [{ keyInQuery: [] }] : []),
        ]
      : [];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.access.kind === 'roles' ? { description: `Roles: ${spec.access.roles.join(', ')}` } : {}),
    security,
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query'), ...headers],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every registered route, from the same zod schemas that validate them. */
export function openApiDocument(registry: RouteRegistry, info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of registry.routes) {
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description: 'Handoff: the marketing-to-sales lead handoff agreement, enforced by one durable Temporal workflow per lead.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'HANDOFF_API_KEYS: roles crm, sales, revops' },
        dashboardSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'handoff_session',
          description: 'GET /dashboard only: a random session id, set by signing in with a revops key at /dashboard/sign-in',
        },
        keyInQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'key',
          description: 'Salesforce Outbound Messages only (Salesforce cannot add headers): a crm key in the endpoint URL; redacted from logs',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Handoff-Signature',
          description: 't=<unix seconds>,v1=<hex HMAC-SHA256(HANDOFF_WEBHOOK_SECRET, "<t>.<raw body>")>; 5-minute tolerance; replays refused',
        },
      },
    },
  };
}
