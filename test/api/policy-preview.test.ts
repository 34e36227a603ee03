import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { testPolicy } from '../helpers/policy';
import { bearer, deps, inject } from './harness';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp(deps({ policy: testPolicy() }));
});
afterAll(() => app.close());

const get = (query: string, role: Parameters<typeof bearer>[0] = 'revops') =>
  inject(app, { method: 'GET', url: `/v1/policy/preview?${query}`, headers: bearer(role) });

describe('GET /v1/policy/preview', () => {
  it('answers when a Friday-evening hand-raiser is due, its reminders and breach steps, in UTC and New York time', async () => {
    const res = await get('kind=HAND_RAISE&team=na&at=2026-12-04T21:30:00Z');
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      policyVersion: '2026-11-01',
      kind: 'HAND_RAISE',
      team: 'na',
      timezone: 'America/New_York',
      firstTouchDueAt: { utc: '2026-12-07T14:30:00.000Z', local: '2026-12-07T09:30:00-05:00' },
    });
    expect(body.reminders.map((r: { at: { local: string } }) => r.at.local)).toEqual([
      '2026-12-04T17:00:00-05:00',
      '2026-12-07T09:18:00-05:00',
    ]);
    expect(body.breachSteps.map((s: { type: string }) => s.type)).toEqual(['BREACH', 'ESCALATE', 'RESTART', 'REPEAT', 'ESCALATE']);
  });

  it('shows the reassignment chain for a rep-owned lead (15-character id normalized)', async () => {
    const body = (await get('kind=MQL&team=na&at=2026-12-01T15:00:00Z&ownerId=005000000000002')).json();
    expect(body.ownerId).toBe('005000000000002AAA');
    expect(body.breachSteps.map((s: { type: string }) => s.type)).toEqual([
      'BREACH',
      'ESCALATE',
      'REASSIGN',
      'REPEAT',
      'ESCALATE',
    ]);
  });

  it.each([
    ['an unknown team', 'kind=MQL&team=emea&at=2026-12-01T15:00:00Z', ['team'], /unknown team "emea" \(known: na\)/],
    ['an unknown kind', 'kind=WARM&team=na&at=2026-12-01T15:00:00Z', ['kind'], /./],
    ['a bad instant', 'kind=MQL&team=na&at=tomorrow', ['at'], /./],
    ['an impossible date', 'kind=MQL&team=na&at=2026-02-30T10:00:00Z', ['at'], /./],
    ['a missing kind', 'team=na&at=2026-12-01T15:00:00Z', ['kind'], /./],
    ['a bad owner id', 'kind=MQL&team=na&at=2026-12-01T15:00:00Z&ownerId=rep-1', ['ownerId'], /Salesforce id/],
    ['an unknown parameter', 'kind=MQL&team=na&at=2026-12-01T15:00:00Z&zone=UTC', [], /./],
  ])('%s is a 400 naming the parameter', async (_name, query, path, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'query', path, message: expect.stringMatching(message) })]),
    );
  });

  it('is for RevOps only', async () => {
    expect((await get('kind=MQL&team=na&at=2026-12-01T15:00:00Z', 'sales')).status).toBe(403);
    expect(
      (await inject(app, { method: 'GET', url: '/v1/policy/preview?kind=MQL&team=na&at=2026-12-01T15:00:00Z' })).status,
    ).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await inject(app, { method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/policy/preview'].get.operationId).toBe('policyPreview');
  });
});
