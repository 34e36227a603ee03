import { WorkflowNotFoundError } from '@temporalio/client';
import { leadWorkflowId } from '../../src/workflows/messages';
import { uniqueLeadId } from '../helpers/leads';
import {
  bearer,
  directory,
  hotTrigger,
  inject,
  PEOPLE,
  startStack,
  testOrg,
  type Stack,
  type TestRole,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const post = (url: string, payload: unknown, role: TestRole) =>
  inject(stack.app, { method: 'POST', url, headers: bearer(role), payload: payload as Record<string, unknown> });
const read = async (leadId: string) =>
  (await inject(stack.app, { method: 'GET', url: `/v1/leads/${leadId}`, headers: bearer('revops') })).json();

async function newMql(trigger: Record<string, unknown> = {}): Promise<string> {
  const leadId = uniqueLeadId();
  const res = await post('/v1/leads', { ...hotTrigger(leadId), ...trigger }, 'crm');
  expect(res.status).toBe(200);
  return leadId;
}

/**
 * The 400 for one refused field: VALIDATION_FAILED, the message naming the field, one issue on it. What
 * cannot be a User or Queue id at all is refused by the body's schema (code `custom`); a well-formed id
 * the org does not have, or not as an active member, by the directory (code `unknown_actor`).
 */
function expectRefused(res: Awaited<ReturnType<typeof post>>, field: string, why: RegExp) {
  expect(res.status).toBe(400);
  const { error } = res.json();
  expect(error.code).toBe('VALIDATION_FAILED');
  const shape = why.source === SHAPE.source;
  expect(error.message).toMatch(shape ? new RegExp(`^body\\.${field}: expected the 15- or 18-character Salesforce id of a User`) : new RegExp(`^body\\.${field}: ${field} must name`));
  expect(error.message).toMatch(shape ? /Salesforce id/ : why);
  expect(error.details).toEqual([expect.objectContaining({ in: 'body', path: [field], code: shape ? 'custom' : 'unknown_actor' })]);
}
const SHAPE = /not a Salesforce id/;

describe('repId, actorId and ownerId must be active members of the org', () => {
  test.each([
    ['not-an-id', /not a Salesforce id/],
    ['<script>alert(1)</script>', /not a Salesforce id/],
    ['005000000000777AAA', /unknown in the org: no User has this id/],
    [PEOPLE.inactiveRep, /an inactive User/],
    [PEOPLE.queue, SHAPE],
    ['0058c00000qrstu', /unknown in the org/],
  ])('accept with repId %s: 400, and the lead is unchanged', async (repId, why) => {
    const leadId = await newMql();
    const before = await read(leadId);
    const audits = stack.rec.recorded.audit.length;
    expectRefused(await post(`/v1/leads/${leadId}/accept`, { repId }, 'sales'), 'repId', why);
    expect(await read(leadId)).toEqual(before);
    expect(stack.rec.recorded.audit.length).toBe(audits);
  });

  test('a trigger naming an owner the org does not have starts no workflow', async () => {
    for (const [ownerId, why] of [
      ['not-an-id', /not a Salesforce id/],
      ['005000000000777AAA', /unknown in the org/],
      [PEOPLE.inactiveRep, /an inactive User/],
      ['00G000000000777AAA', /no Queue has this id/],
    ] as const) {
      const leadId = uniqueLeadId();
      expectRefused(await post('/v1/leads', { ...hotTrigger(leadId), ownerId }, 'crm'), 'ownerId', why);
      await expect(stack.client.workflow.getHandle(leadWorkflowId(leadId)).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
    }
    const script = await post(
      '/v1/leads',
      { ...hotTrigger(uniqueLeadId()), ownerId: '<script>alert(1)</script>' },
      'crm',
    );
    expect([script.status, script.json().error.code, script.json().error.details[0].path]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['ownerId'],
    ]);
  });

  test('reassign: the actor must be an active User, the new owner an active User or a Queue; every refused field is listed', async () => {
    const leadId = await newMql();
    const both = await post(
      `/v1/leads/${leadId}/reassign`,
      { actorId: PEOPLE.inactiveRep, ownerId: '00G000000000777AAA' },
      'revops',
    );
    expect(both.status).toBe(400);
    expect(both.json().error.details.map((d: { path: string[] }) => d.path)).toEqual([['actorId'], ['ownerId']]);
    expectRefused(
      await post(`/v1/leads/${leadId}/disqualify`, { actorId: 'ops-1', reason: 'SPAM' }, 'revops'),
      'actorId',
      /not a Salesforce id/,
    );
    expect((await read(leadId)).ownerId).toBe(PEOPLE.rep);
    const toQueue = await post(
      `/v1/leads/${leadId}/reassign`,
      { actorId: PEOPLE.revops, ownerId: PEOPLE.queue },
      'revops',
    );
    expect([toQueue.status, toQueue.json().ownerId]).toEqual([200, PEOPLE.queue]);
  });

  test('15-character and lower-cased 18-character ids are accepted and sent on in 18-character form', async () => {
    const leadId = await newMql({ ownerId: PEOPLE.rep15 });
    expect((await read(leadId)).ownerId).toBe(PEOPLE.rep);
    const accepted = await post(`/v1/leads/${leadId}/accept`, { repId: PEOPLE.rep.toLowerCase() }, 'sales');
    expect(accepted.status).toBe(200);
    expect(accepted.json().history.at(-1)).toMatchObject({ type: 'ACCEPTED', actor: PEOPLE.rep });
    const reassigned = await post(
      `/v1/leads/${leadId}/reassign`,
      { actorId: '0058c00000MgR01', ownerId: '005000000000002' },
      'revops',
    );
    expect(reassigned.json()).toMatchObject({ ownerId: PEOPLE.defaultRep });
    expect(reassigned.json().history.at(-1)).toMatchObject({ actor: PEOPLE.revops });
  });

  test('a rep added to the org is accepted once the directory has read the org again', async () => {
    const newcomer = '0058c00000NeW01';
    const leadId = await newMql();
    await directory.refresh();
    expectRefused(
      await post(`/v1/leads/${leadId}/accept`, { repId: newcomer }, 'sales'),
      'repId',
      /unknown in the org/,
    );
    (await testOrg()).addUser({ Id: newcomer, FirstName: 'New', LastName: 'Comer' });
    expect(await directory.refresh()).toBe(true);
    const accepted = await post(`/v1/leads/${leadId}/accept`, { repId: newcomer }, 'sales');
    expect([accepted.status, accepted.json().stage]).toEqual([200, 'SAL']);
  });
});
