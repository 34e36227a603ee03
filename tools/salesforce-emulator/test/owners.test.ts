import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Emulator } from '../index';
import { SEED_IDS } from '../index';
import { connect, failure, http, idOf, lead, rest, start } from './helpers';

const control = (emulator: Emulator, method: string, route: string, body?: unknown) =>
  http(emulator, method, `/__emulator__${route}`, { token: null, ...(body === undefined ? {} : { body }) });

/** A team's own people, as a policy names them: a 15-character manager id and 18-character ones. */
const SEED = {
  users: [
    { Id: '0058c00000AbCdE', FirstName: 'Mina', LastName: 'Okafor' },
    { Id: '0058c00000QrStUAAA', LastName: 'Reyes' },
    { Id: '0058c00000Zz9Zz', LastName: 'Gone', IsActive: false },
  ],
  queues: [{ Id: '00G8c00000Q1q2Q', Name: 'EMEA Inbound' }],
};
const MANAGER_18 = '0058c00000AbCdEAAV';

describe('users and queues: seeds, REST, control routes, and owners that must exist', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await start({ seed: SEED });
  });
  afterEach(() => emulator.close());

  it('seeds the given users and queue under their canonical 18-character ids, beside the default seeds', async () => {
    const conn = connect(emulator);
    const users = await conn.query<{ Id: string; Name: string }>(
      'SELECT Id, Name, IsActive FROM User WHERE IsActive = true ORDER BY Name',
    );
    expect(users.records.map((u) => [u.Id, u.Name])).toEqual([
      ['005000000000003AAA', 'Handoff Integration'],
      [MANAGER_18, 'Mina Okafor'],
      ['005000000000001AAA', 'Morgan Manager'],
      ['0058c00000QrStUAAV', 'Reyes'],
      ['005000000000002AAA', 'Riley Rep'],
    ]);
    const inactive = await conn.query<{ Id: string }>('SELECT Id FROM User WHERE IsActive = false');
    expect(inactive.records.map((u) => u.Id)).toEqual(['0058c00000Zz9ZzAAJ']);
    const queues = await conn.query<{ Id: string; Name: string }>(
      "SELECT Id, Name FROM Group WHERE Type = 'Queue' ORDER BY Name",
    );
    expect(queues.records.map((q) => [q.Id, q.Name])).toEqual([
      ['00G8c00000Q1q2QEAR', 'EMEA Inbound'],
      ['00G000000000001AAA', 'Sales Fallback'],
    ]);
    const byIds = await conn.query<{ Id: string }>(
      `SELECT Id FROM User WHERE Id IN ('0058c00000AbCdE', '005000000000002')`,
    );
    expect(byIds.records.map((u) => u.Id).sort()).toEqual(['005000000000002AAA', MANAGER_18]);
  });

  it('takes active users and queues as Lead owners and refuses the rest with INVALID_CROSS_REFERENCE_KEY on OwnerId', async () => {
    const conn = connect(emulator);
    expect(await conn.sobject('Lead').create(lead({ OwnerId: '0058c00000AbCdE' }))).toMatchObject({ success: true });
    expect(await conn.sobject('Lead').create(lead({ OwnerId: '00G8c00000Q1q2Q' }))).toMatchObject({ success: true });
    const inactive = await rest(emulator, 'POST', '/sobjects/Lead', { body: lead({ OwnerId: '0058c00000Zz9Zz' }) });
    expect(inactive.status).toBe(400);
    expect(inactive.json).toEqual([
      {
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'Owner ID: the owner is an inactive user: 0058c00000Zz9ZzAAJ',
        fields: ['OwnerId'],
      },
    ]);
    const unknown = await rest(emulator, 'POST', '/sobjects/Lead', { body: lead({ OwnerId: '005000000000777AAA' }) });
    expect(unknown.json).toEqual([
      {
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'Owner ID: invalid cross reference id',
        fields: ['OwnerId'],
      },
    ]);
    const group = await rest(emulator, 'POST', '/sobjects/Group', { body: { Name: 'Just friends', Type: 'Regular' } });
    expect(group.status).toBe(201);
    const groupId = (group.json as { id: string }).id;
    const leadId = idOf(await conn.sobject('Lead').create(lead()));
    const toGroup = await rest(emulator, 'PATCH', `/sobjects/Lead/${leadId}`, { body: { OwnerId: groupId } });
    expect(toGroup.json).toEqual([
      {
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: `Owner ID: the owner is a group that is not a queue: ${groupId}`,
        fields: ['OwnerId'],
      },
    ]);
    const malformed = await rest(emulator, 'PATCH', `/sobjects/Lead/${leadId}`, { body: { OwnerId: 'not-an-id' } });
    expect(malformed.json).toEqual([
      { errorCode: 'MALFORMED_ID', message: 'Owner ID: id value of incorrect type: not-an-id', fields: ['OwnerId'] },
    ]);
    expect(emulator.records('Lead').find((r) => r.Id === leadId)?.OwnerId).toBe('005000000000003AAA');
  });

  it('creates users and queues through REST with generated ids that skip the seeded ones, and deactivates by PATCH', async () => {
    const conn = connect(emulator);
    const userId = idOf(
      await conn
        .sobject('User')
        .create({ FirstName: 'Noa', LastName: 'Berg', Username: 'noa@acme.example', Email: 'noa@acme.example' }),
    );
    expect(userId).toBe('005000000000004AAA');
    expect(await conn.sobject('User').retrieve(userId)).toMatchObject({ Name: 'Noa Berg', IsActive: true });
    const queueId = idOf(await conn.sobject('Group').create({ Name: 'APAC Inbound', Type: 'Queue' }));
    expect(queueId).toBe('00G000000000002EAA');
    expect(emulator.records('Group').find((g) => g.Id === queueId)).toMatchObject({
      DeveloperName: 'APAC_Inbound',
      Type: 'Queue',
    });
    const leadId = idOf(await conn.sobject('Lead').create(lead({ OwnerId: userId })));
    await conn.sobject('User').update({ Id: userId, IsActive: false });
    const refused = await failure(conn.sobject('Lead').update({ Id: leadId, OwnerId: userId }));
    expect(refused.name).toBe('INVALID_CROSS_REFERENCE_KEY');
    const duplicate = await failure(conn.sobject('User').create({ LastName: 'Again', Username: 'NOA@acme.example' }));
    expect(duplicate.name).toBe('DUPLICATE_VALUE');
    const missing = await failure(conn.sobject('User').create({ FirstName: 'No', Username: 'no@acme.example' }));
    expect(missing.name).toBe('REQUIRED_FIELD_MISSING');
    const noType = await failure(conn.sobject('Group').create({ Name: 'Typeless' }));
    expect(noType.name).toBe('REQUIRED_FIELD_MISSING');
    const deleted = await rest(emulator, 'DELETE', `/sobjects/User/${userId}`);
    expect(deleted.status).toBe(400);
    expect(deleted.json).toEqual([expect.objectContaining({ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' })]);
  });

  it('adds a rep with a fixed id through the control routes, deactivates it, and refuses bad input', async () => {
    const added = await control(emulator, 'POST', '/users', {
      Id: '0051x00000NeWrP',
      FirstName: 'New',
      LastName: 'Rep',
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      emulator: true,
      record: { Id: '0051x00000NeWrPAAV', Name: 'New Rep', IsActive: true },
    });
    const conn = connect(emulator);
    expect(await conn.sobject('Lead').create(lead({ OwnerId: '0051x00000NeWrP' }))).toMatchObject({ success: true });
    const off = await control(emulator, 'PATCH', '/users/0051x00000NeWrP', { IsActive: false });
    expect(off.json).toMatchObject({ record: { IsActive: false } });
    expect((await failure(conn.sobject('Lead').create(lead({ OwnerId: '0051x00000NeWrP' })))).name).toBe(
      'INVALID_CROSS_REFERENCE_KEY',
    );
    const queue = await control(emulator, 'POST', '/queues', { Id: '00G1x00000QuEuE', Name: 'Night shift' });
    expect(queue.json).toMatchObject({ record: { Type: 'Queue', Name: 'Night shift' } });
    expect((await control(emulator, 'POST', '/users', { Id: '00G1x00000QuEuE' })).status).toBe(400);
    expect((await control(emulator, 'POST', '/users', { Id: '<script>' })).json).toMatchObject({
      error: expect.stringContaining('005'),
    });
    expect(
      (await control(emulator, 'POST', '/users', { Id: '0051x00000OtHeR', Username: 'manager@handoff.emulator' }))
        .status,
    ).toBe(409);
    expect((await control(emulator, 'PATCH', '/users/005000000000999', { IsActive: false })).status).toBe(404);
    expect((await control(emulator, 'PATCH', '/users/0051x00000NeWrP', { IsActive: 'no' })).status).toBe(400);
    await control(emulator, 'POST', '/reset');
    expect(emulator.records('User').map((u) => u.Id)).not.toContain(expect.stringMatching(/^0051x00000NeWrP/));
    expect(emulator.records('User').map((u) => u.Id)).toContain(MANAGER_18);
  });

  it('adds seeds missing from a restored data file, and keeps what the data file says about the rest', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'emulator-owners-'));
    try {
      const first = await start({ dataDir });
      await connect(first).sobject('User').update({ Id: SEED_IDS.repUserId, IsActive: false });
      await first.close();
      const second = await start({ dataDir, seed: SEED });
      const users = second.records('User');
      expect(users.find((u) => u.Id === SEED_IDS.repUserId)).toMatchObject({ IsActive: false });
      expect(users.find((u) => u.Id === MANAGER_18)).toMatchObject({ IsActive: true });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
