import { toId18 } from '../../src/domain/salesforce-id';
import type { Emulator } from '../../tools/salesforce-emulator';
import { OwnerDirectory } from '../../src/salesforce/directory';
import { enforcePolicyOwners, OwnerCheckError, ownersCheck } from '../../src/salesforce/owner-check';
import { emulatorSeedFromPolicy, policyOwnerRefs } from '../../src/salesforce/policy-owners';
import { ORG, ownTeamPolicy } from '../helpers/owners';
import { testPolicy } from '../helpers/policy';
import { captureLogger, connectTo, quiet, startTestEmulator } from './harness';

const INACTIVE = '0058c00000Zz9Zz';

describe('the owner directory, through jsforce against the emulator seeded from a policy', () => {
  const policy = ownTeamPolicy();
  let emulator: Emulator;
  const directories: OwnerDirectory[] = [];
  const directoryOf = (options: Partial<ConstructorParameters<typeof OwnerDirectory>[0]> = {}) => {
    const directory = new OwnerDirectory({
      connection: () => connectTo(emulator),
      logger: quiet,
      refreshIntervalMs: 0,
      ...options,
    });
    directories.push(directory);
    return directory;
  };

  beforeEach(async () => {
    const seed = emulatorSeedFromPolicy(policy);
    ({ emulator } = await startTestEmulator({
      seed: { users: [...seed.users, { Id: INACTIVE, LastName: 'Gone', IsActive: false }], queues: seed.queues },
    }));
  });
  afterEach(async () => {
    for (const d of directories.splice(0)) d.close();
    await emulator.close();
  });

  const normalized = <T extends { id: string }>(refs: T[]): T[] => refs.map((r) => ({ ...r, id: toId18(r.id) ?? r.id }));

  it('names every owner id of the policy with its path, and seeds the emulator with them in 18-character form', () => {
    // The policy keeps every id in its 18-character form, whatever form the file wrote.
    expect(policyOwnerRefs(policy).map((r) => ({ ...r, id: r.id }))).toEqual(normalized([
      { path: 'teams[0].fallbackOwnerId', id: ORG.naQueue15, expects: 'userOrQueue' },
      { path: 'teams[0].managerId', id: ORG.naManager, expects: 'user' },
      { path: 'teams[1].fallbackOwnerId', id: ORG.rep, expects: 'userOrQueue' },
      { path: 'teams[1].managerId', id: ORG.emeaManager18, expects: 'user' },
    ]));
    expect(emulatorSeedFromPolicy(policy)).toEqual({
      users: [
        { Id: ORG.naManager18, LastName: 'teams[0].managerId' },
        { Id: ORG.rep, LastName: 'teams[1].fallbackOwnerId' },
        { Id: ORG.emeaManager18, LastName: 'teams[1].managerId' },
      ],
      queues: [{ Id: ORG.naQueue, Name: 'teams[0].fallbackOwnerId' }],
    });
  });

  it('knows the seeded users and queues by 15- and 18-character ids, and an inactive user as inactive', async () => {
    const directory = await directoryOf().start();
    for (const id of [
      ORG.naManager,
      ORG.naManager18,
      ORG.naManager18.toLowerCase(),
      ORG.rep15,
      ORG.emeaManager18,
      '005000000000002AAA',
    ]) {
      expect([id, directory.isActiveUser(id)]).toEqual([id, true]);
    }
    expect(directory.isQueue(ORG.naQueue15)).toBe(true);
    expect(directory.isQueue(ORG.naQueue)).toBe(true);
    expect(directory.isQueue('00G000000000001AAA')).toBe(true);
    expect(directory.isQueue('00G000000000001EAA')).toBe(true);
    expect(directory.isActiveUser(ORG.naQueue)).toBe(false);
    expect(directory.isQueue(ORG.naManager)).toBe(false);
    expect(directory.isActiveUser(INACTIVE)).toBe(false);
    expect(directory.lookup(INACTIVE)).toEqual({ id: '0058c00000Zz9ZzAAJ', kind: 'user', name: 'Gone', active: false });
    for (const bad of ['not-an-id', '<script>alert(1)</script>', '005000000000777AAA', '', '000000000000000']) {
      expect([bad, directory.isActiveUser(bad), directory.isQueue(bad)]).toEqual([bad, false, false]);
    }
    expect(directory.status()).toMatchObject({
      users: 7,
      activeUsers: 6,
      queues: 2,
      lastRefreshError: null,
      loadedAt: expect.any(String),
    });
  });

  it('accepts the policy it was seeded from, and lists every bad id with where it appears and what is wrong', async () => {
    const directory = await directoryOf().start();
    expect(ownersCheck(directory, policy)).toMatchObject({ ok: true, problems: [] });
    const bad = testPolicy({
      teams: [
        { id: 'na', calendar: 'always', fallbackOwnerId: ORG.naManager, managerId: ORG.naQueue },
        { id: 'emea', calendar: 'always', fallbackOwnerId: '00G000000000777', managerId: INACTIVE },
        { id: 'apac', calendar: 'always', fallbackOwnerId: '00G000000000778', managerId: '005000000000777AAA' },
        { id: 'latam', calendar: 'always', fallbackOwnerId: '00Q000000000001AAA', managerId: ORG.rep15 },
      ],
    });
    expect(directory.checkPolicy(bad)).toEqual(normalized([
      { path: 'teams[0].managerId', id: ORG.naQueue, problem: 'a Queue id: expected an active User (005…)' },
      { path: 'teams[1].fallbackOwnerId', id: '00G000000000777', problem: 'unknown in the org: no Queue has this id' },
      { path: 'teams[1].managerId', id: INACTIVE, problem: 'an inactive User: expected an active User (005…)' },
      { path: 'teams[2].fallbackOwnerId', id: '00G000000000778', problem: 'unknown in the org: no Queue has this id' },
      { path: 'teams[2].managerId', id: '005000000000777AAA', problem: 'unknown in the org: no User has this id' },
      {
        path: 'teams[3].fallbackOwnerId',
        id: '00Q000000000001AAA',
        problem: 'an id of another object (key prefix 00Q): expected an active User (005…) or a Queue (00G…)',
      },
    ]));
    const error = (() => {
      try {
        enforcePolicyOwners(directory, bad, 'fail', quiet);
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected the check to fail');
    })();
    expect(error).toBeInstanceOf(OwnerCheckError);
    expect(error.message).toContain(`teams[1].managerId = "${toId18('0058c00000Zz9Zz')}": an inactive User`);
    expect(error.message).toContain('teams[2].managerId = "005000000000777AAA": unknown in the org');
    const { logger, lines } = captureLogger();
    expect(enforcePolicyOwners(directory, bad, 'warn', logger)).toMatchObject({ ok: false });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 40,
        problems: expect.arrayContaining([expect.objectContaining({ path: 'teams[0].managerId' })]),
      }),
    ]);
  });

  it('sees a user added through the REST API after a refresh, and a deactivated one as inactive', async () => {
    const directory = await directoryOf().start();
    const conn = await connectTo(emulator);
    const created = await conn
      .sobject('User')
      .create({ FirstName: 'Noa', LastName: 'Berg', Username: 'noa@acme.example' });
    if (!created.success) throw new Error('could not create the user');
    expect(directory.isActiveUser(created.id)).toBe(false);
    await conn.sobject('User').update({ Id: ORG.rep, IsActive: false });
    expect(await directory.refresh()).toBe(true);
    expect(directory.lookup(created.id)).toEqual({ id: created.id, kind: 'user', name: 'Noa Berg', active: true });
    expect(directory.isActiveUser(ORG.rep)).toBe(false);
  });

  it('reads the list again for an unknown id once the list is old enough, not before', async () => {
    let now = 1_000_000;
    const directory = await directoryOf({ now: () => now, missRefreshAfterMs: 30_000 }).start();
    const conn = await connectTo(emulator);
    const created = await conn.sobject('User').create({ LastName: 'Late', Username: 'late@acme.example' });
    if (!created.success) throw new Error('could not create the user');
    const queries = () => emulator.requestLog().filter((e) => e.path.includes('/query')).length;
    const before = queries();
    now += 10_000;
    expect(await directory.resolve(created.id)).toBeUndefined();
    expect(queries()).toBe(before);
    now += 25_000;
    expect(await directory.resolve(created.id)).toMatchObject({ kind: 'user', active: true });
    expect(queries()).toBe(before + 2);
    expect(await directory.resolve('not-an-id')).toBeUndefined();
    expect(queries()).toBe(before + 2);
  });

  it('keeps the last good list when a refresh fails, logs it, and recovers', async () => {
    const { logger, lines } = captureLogger();
    const directory = await directoryOf({ logger }).start();
    emulator.setFaults({ rates: { REQUEST_LIMIT_EXCEEDED: 1 } });
    expect(await directory.refresh()).toBe(false);
    expect(directory.isActiveUser(ORG.naManager)).toBe(true);
    expect(directory.isQueue(ORG.naQueue)).toBe(true);
    expect(directory.status()).toMatchObject({
      users: 7,
      queues: 2,
      lastRefreshError: expect.stringContaining('REQUEST_LIMIT_EXCEEDED'),
    });
    expect(
      lines().find((l) => l.msg === 'salesforce owner directory refresh failed: keeping the last list'),
    ).toMatchObject({ level: 40, users: 7, queues: 2 });
    emulator.setFaults({});
    expect(await directory.refresh()).toBe(true);
    expect(directory.status().lastRefreshError).toBeNull();
  });

  it('refuses to start without a first list', async () => {
    emulator.setFaults({ rates: { REQUEST_LIMIT_EXCEEDED: 1 } });
    await expect(directoryOf().start()).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED|TotalRequests Limit exceeded/);
  });

  it('refreshes on its interval', async () => {
    const directory = await directoryOf({ refreshIntervalMs: 50 }).start();
    const conn = await connectTo(emulator);
    const created = await conn.sobject('Group').create({ Name: 'Night shift', Type: 'Queue' });
    if (!created.success) throw new Error('could not create the queue');
    const deadline = Date.now() + 10_000;
    while (!directory.isQueue(created.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(directory.isQueue(created.id)).toBe(true);
  });
});
