import Ajv2020 from 'ajv/dist/2020';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { newLead } from '../../src/domain/lifecycle';
import { toLeadView } from '../../src/domain/state';
import { deps, hotTrigger, inject, policy } from './harness';

/** DESIGN §3.1, every route. */
const CONTRACT = [
  ['post', '/v1/leads'],
  ['post', '/v1/leads/{leadId}/events'],
  ['post', '/v1/leads/{leadId}/accept'],
  ['post', '/v1/leads/{leadId}/reject'],
  ['post', '/v1/leads/{leadId}/contact-attempts'],
  ['post', '/v1/leads/{leadId}/qualify'],
  ['post', '/v1/leads/{leadId}/convert'],
  ['post', '/v1/leads/{leadId}/disqualify'],
  ['post', '/v1/leads/{leadId}/reassign'],
  ['post', '/v1/leads/{leadId}/review'],
  ['post', '/v1/leads/{leadId}/reopen'],
  ['get', '/v1/leads/{leadId}'],
  ['get', '/v1/leads/{leadId}/timeline'],
  ['get', '/v1/audit/sla'],
  ['get', '/v1/audit/funnel'],
  ['get', '/dashboard'],
  ['post', '/v1/salesforce/outbound-messages'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/openapi.json'],
  ['post', '/codec/decode'],
  ['post', '/codec/encode'],
] as const;

type Operation = {
  operationId: string;
  security: unknown[];
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object>; securitySchemes: object } };

let app: FastifyInstance;
let doc: Doc;
beforeAll(async () => {
  app = await buildApp(deps());
  const res = await inject(app, { method: 'GET', url: '/openapi.json' });
  expect(res.status).toBe(200);
  doc = res.json() as Doc;
});
afterAll(() => app.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

let ajv: Ajv2020 | undefined;
/** Compiles a schema of the document, with #/components/... references resolvable. */
function compile(schema: object) {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    // The one format zod emits here (ISO instants); RFC 3339 with an offset, as the API requires.
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/);
    ajv.addSchema({ $id: 'doc', components: doc.components });
  }
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')) as object;
  return ajv.compile(rewritten);
}

test('an OpenAPI 3.1 document with every route of the contract, and nothing else', () => {
  expect(doc.openapi).toBe('3.1.0');
  expect(operations().map(({ method, path }) => `${method} ${path}`).sort()).toEqual(CONTRACT.map(([m, p]) => `${m} ${p}`).sort());
  const ids = operations().map(({ op }) => op.operationId);
  expect(new Set(ids).size).toBe(ids.length);
});

test('authenticated routes declare their security and their 401/403/429; path parameters are required', () => {
  for (const { path, op } of operations()) {
    const isPublic = ['/healthz', '/readyz', '/openapi.json', '/v1/salesforce/outbound-messages'].includes(path);
    if (!isPublic) {
      expect(op.security.length).toBeGreaterThan(0);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
    for (const name of path.match(/\{(\w+)\}/g) ?? []) {
      expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: name.slice(1, -1), in: 'path', required: true })]));
    }
  }
  expect(doc.paths['/v1/leads']!.post!.security).toEqual([{ apiKey: [] }, { webhookSignature: [] }]);
  expect(doc.paths['/v1/audit/sla']!.get!.parameters.map((p) => [p.name, p.required])).toEqual([
    ['from', true],
    ['to', true],
    ['kind', false],
    ['ownerId', false],
    ['team', false],
    ['format', false],
  ]);
});

test('every schema in the document compiles as JSON Schema 2020-12', () => {
  let count = 0;
  for (const { op } of operations()) {
    const schemas = [
      ...op.parameters.map((p) => p.schema),
      ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
      ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}).map((c) => c.schema)),
    ];
    for (const schema of schemas) {
      compile(schema);
      count += 1;
    }
  }
  expect(count).toBeGreaterThan(50);
});

test('the schemas say what the API accepts and answers', () => {
  const trigger = compile(doc.paths['/v1/leads']!.post!.requestBody!.content['application/json']!.schema);
  expect(trigger(hotTrigger('00Q000000000001EAA'))).toBe(true);
  expect(trigger({ ...hotTrigger('00Q000000000001EAA'), leadId: undefined })).toBe(false);
  expect(trigger({ ...hotTrigger('00Q000000000001EAA'), colour: 'red' })).toBe(false);
  expect(trigger({ ...hotTrigger('00Q000000000001EAA'), occurredAt: 'yesterday' })).toBe(false);

  const view = toLeadView(newLead({ leadId: '00Q000000000001EAA', workflowId: 'lead-L1', effectPrefix: 'lead-L1-x', policy, now: Date.parse('2026-11-02T15:00:00Z') }));
  const leadState = compile(doc.paths['/v1/leads/{leadId}']!.get!.responses['200']!.content!['application/json']!.schema);
  expect(leadState(view)).toBe(true);
  expect(leadState({ ...view, stage: 'LOST' })).toBe(false);

  const error = compile(doc.paths['/v1/leads/{leadId}/accept']!.post!.responses['409']!.content!['application/json']!.schema);
  expect(error({ error: { code: 'INVALID_TRANSITION', message: 'cannot accept lead L1 in stage SAL' } })).toBe(true);
  expect(error({ error: { code: 'TEAPOT', message: 'x' } })).toBe(false);
});
