import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { channelSchema, outcomeSchema, REJECT_REASONS } from '../../src/domain/model';
import { deps, inject } from '../api/harness';
import { catalogue, contractProblems, registrationSchema, resolve, type OpenApi } from './checks';
import { list, readProject } from './metadata';

const cat = catalogue(readProject());
const registration = registrationSchema(cat.get('ExternalServiceRegistration', 'Handoff')!);

let app: FastifyInstance;
let served: OpenApi;
beforeAll(async () => {
  app = await buildApp(deps());
  const res = await inject(app, { method: 'GET', url: '/openapi.json' });
  expect(res.status).toBe(200);
  served = res.json() as OpenApi;
});
afterAll(() => app.close());

const body = (doc: OpenApi, path: string) =>
  resolve(doc, doc.paths[path]!.post!.requestBody!.content!['application/json']!.schema)!;

test("the External Service's requests and responses match the API's OpenAPI document", () => {
  expect(Object.keys(registration.paths).sort()).toEqual([
    '/v1/leads/{leadId}/accept',
    '/v1/leads/{leadId}/contact-attempts',
    '/v1/leads/{leadId}/reject',
  ]);
  expect(contractProblems(registration, served)).toEqual([]);
});

test('its enums are the domain enums', () => {
  expect(body(registration, '/v1/leads/{leadId}/reject').properties!.reason!.enum).toEqual([...REJECT_REASONS]);
  expect(body(registration, '/v1/leads/{leadId}/contact-attempts').properties!.channel!.enum).toEqual(
    channelSchema.options,
  );
  expect(body(registration, '/v1/leads/{leadId}/contact-attempts').properties!.outcome!.enum).toEqual(
    outcomeSchema.options,
  );
});

test('the Outbound Message endpoint is a route of the API', () => {
  const url = new URL(String(list(cat.get('Workflow', 'Lead')!.body.outboundMessages)[0]!.endpointUrl));
  expect(served.paths[url.pathname]?.post?.operationId).toBe('salesforceOutboundMessage');
});

describe('a schema that drifted from the API is caught', () => {
  type Edit = (doc: OpenApi) => void;
  const reject = (doc: OpenApi) => doc.components!.schemas!.RejectRequest!;
  const cases: [string, Edit, RegExp][] = [
    [
      'a renamed property',
      (d) => (reject(d).properties = { ...reject(d).properties, rep_id: { type: 'string' } }),
      /body: property rep_id is not in the API's schema/,
    ],
    [
      'an optional property made required',
      (d) => reject(d).required!.push('notes'),
      /requires notes, reason, repId, the API requires reason, repId/,
    ],
    [
      'a required property made optional',
      (d) => (reject(d).required = ['reason']),
      /requires reason, the API requires reason, repId/,
    ],
    [
      'a reason the API does not know',
      (d) => reject(d).properties!.reason!.enum!.push('TOO_SMALL'),
      /body\.reason: values .*TOO_SMALL/,
    ],
    [
      'an enum dropped',
      (d) => delete d.components!.schemas!.ContactAttemptRequest!.properties!.channel!.enum,
      /body\.channel: the API accepts only call, email/,
    ],
    [
      'a wrong type',
      (d) => (d.components!.schemas!.AcceptRequest!.properties!.repId!.type = 'integer'),
      /body\.repId: type integer, the API's is string/,
    ],
    [
      'a nullable request field',
      (d) => (d.components!.schemas!.AcceptRequest!.properties!.repId!.nullable = true),
      /repId: may be null/,
    ],
    [
      'a nullable answer read as not nullable',
      (d) => delete d.components!.schemas!.LeadState!.properties!.ownerId!.nullable,
      /response 200\.ownerId: the API may answer null/,
    ],
    [
      'an answer property the API does not send',
      (d) => (d.components!.schemas!.ErrorDetail!.properties!.hint = { type: 'string' }),
      /response 409\.error: property hint is not in the API's schema/,
    ],
    [
      'a wrong path',
      (d) => (
        (d.paths['/v1/leads/{leadId}/touch'] = d.paths['/v1/leads/{leadId}/contact-attempts']!),
        delete d.paths['/v1/leads/{leadId}/contact-attempts']
      ),
      /POST \/v1\/leads\/\{leadId\}\/touch: not a route of the API/,
    ],
    [
      'a wrong method',
      (d) => (d.paths['/v1/leads/{leadId}/accept'] = { put: d.paths['/v1/leads/{leadId}/accept']!.post! }),
      /PUT \/v1\/leads\/\{leadId\}\/accept: not a route/,
    ],
    [
      'a renamed path parameter',
      (d) => (d.paths['/v1/leads/{leadId}/accept']!.post!.parameters![0]!.name = 'id'),
      /path parameters id, the API's are leadId/,
    ],
    [
      'another operation id',
      (d) => (d.paths['/v1/leads/{leadId}/reject']!.post!.operationId = 'reject'),
      /operationId reject, the API's is rejectLead/,
    ],
    [
      'a response the API never gives',
      (d) => (d.paths['/v1/leads/{leadId}/accept']!.post!.responses!['422'] = { content: {} }),
      /response 422 is not one the API answers/,
    ],
  ];
  test.each(cases)('%s', (_, edit, expected) => {
    const drifted = structuredClone(registration);
    edit(drifted);
    expect(contractProblems(drifted, served)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
