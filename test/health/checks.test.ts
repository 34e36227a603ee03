import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { createLedger } from '../../src/audit/ledger';
import { parsePolicy } from '../../src/domain/policy-text';
import {
  allRequiredPass,
  CHECKS,
  keysLongEnough,
  ledgerMigrationsCurrent,
  policyParses,
  runChecks,
  salesforceAllocation,
  type HealthCheck,
  type HealthContext,
} from '../../src/health/checks';
import { loadSalesforceConfig } from '../../src/salesforce/config';
import { salesforceWriterFromConfig } from '../../src/salesforce/from-config';
import { testPolicy } from '../helpers/policy';
import { OwnerDirectory } from '../../src/salesforce/directory';
import { emulatorSeedFromPolicy } from '../../src/salesforce/policy-owners';
import { connectTo, startTestEmulator } from '../salesforce/harness';

const ownersExist = () => CHECKS.find((c) => c.name === 'owners')!;

const silent = pino({ level: 'silent' });
const unreachable = async (): Promise<never> => {
  throw new Error('not in this test');
};

/** A context where only what a test gives is reachable. */
const context = (patch: Partial<HealthContext>): HealthContext => ({
  policy: async () => testPolicy(),
  keys: { apiKeys: undefined, webhookSecret: undefined, production: false },
  temporal: unreachable,
  ledger: unreachable,
  salesforce: unreachable,
  owners: unreachable,
  ...patch,
});

const run = async (check: HealthCheck, ctx: HealthContext) => (await runChecks(ctx, [check]))[0]!;

describe('the ledger check', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('lists the pending migrations of a ledger opened without migrating, and passes once they are applied', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-health-'));
    dirs.push(dataDir);
    const bare = await createLedger({ dataDir, migrate: false, logger: silent });
    const pending = await run(ledgerMigrationsCurrent, context({ ledger: async () => bare }));
    await bare.close();
    expect(pending).toMatchObject({
      name: 'ledger',
      status: 'failed',
      fix: expect.stringContaining('applies pending migrations'),
    });
    expect(pending.detail).toMatch(/migrations pending: 001_audit_events, 002_report_indexes, 003_sla_cycles/);

    const migrated = await createLedger({ dataDir, logger: silent });
    const current = await run(ledgerMigrationsCurrent, context({ ledger: async () => migrated }));
    await migrated.close();
    expect(current).toMatchObject({ status: 'ok', detail: expect.stringContaining('migrations current (5)') });
  });
});

describe('the Salesforce check against the emulator', () => {
  const emulators: Emulator[] = [];
  afterAll(() => Promise.all(emulators.map((e) => e.close())));

  const allocation = async (dailyApiLimit: number) => {
    const emulator = await startEmulator({ port: 0, dailyApiLimit, logger: silent });
    emulators.push(emulator);
    const sf = loadSalesforceConfig({});
    const writer = salesforceWriterFromConfig(sf, { emulatorUrl: emulator.url, logger: silent });
    return run(
      salesforceAllocation,
      context({
        salesforce: async () => ({
          ping: () => writer.ping(),
          remainingApiCalls: () => writer.remainingApiCalls(),
          minRemainingApiCalls: sf.minRemainingApiCalls,
        }),
      }),
    );
  };

  it('passes with the allocation left today', async () => {
    expect(await allocation(100_000)).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^answers; 99\d{3} API calls left today \(floor 1000\)$/),
    });
  });

  it('warns under the floor (writes slow down) without failing readiness', async () => {
    const result = await allocation(600);
    expect(result).toMatchObject({
      status: 'warning',
      fix: expect.stringContaining('SALESFORCE_MIN_REMAINING_API_CALLS'),
    });
    expect(allRequiredPass([result])).toBe(true);
  });

  it('fails when Salesforce does not answer', async () => {
    const result = await run(
      salesforceAllocation,
      context({
        salesforce: async () => ({
          ping: () => Promise.reject(new Error('INVALID_SESSION_ID')),
          remainingApiCalls: () => null,
        }),
      }),
    );
    expect(result).toMatchObject({
      status: 'failed',
      detail: 'INVALID_SESSION_ID',
      fix: expect.stringContaining('SALESFORCE_*'),
    });
    expect(allRequiredPass([result])).toBe(false);
  });
});

describe('the keys check', () => {
  const keys = (k: Partial<HealthContext['keys']>) =>
    context({ keys: { apiKeys: undefined, webhookSecret: undefined, production: false, ...k } });

  it.each([
    [
      '16+ character keys and a digest',
      { apiKeys: `crm:${'c'.repeat(16)},revops:sha256:${'a'.repeat(64)}` },
      'ok',
      /2 key\(s\) for crm, revops/,
    ],
    ['development keys outside production', {}, 'ok', /development keys/],
    ['no keys in production', { production: true }, 'failed', /not set in production/],
    ['a short key', { apiKeys: 'sales:short-key' }, 'failed', /at least 16 characters/],
    [
      'a short webhook secret',
      { apiKeys: `crm:${'c'.repeat(16)}`, webhookSecret: 'tiny' },
      'failed',
      /HANDOFF_WEBHOOK_SECRET has 4 characters/,
    ],
  ] as const)('%s', async (_name, given, status, detail) => {
    const result = await run(keysLongEnough, keys(given));
    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
    if (status === 'failed') expect(result.fix).toContain('HANDOFF_API_KEYS');
  });
});

describe('running the checks', () => {
  it('fails a policy that does not parse with every problem in the detail', async () => {
    const result = await run(
      policyParses,
      context({ policy: async () => parsePolicy('version: 1\nteams: []\n', 'bad.yaml') }),
    );
    expect(result).toMatchObject({ status: 'failed', fix: expect.stringContaining('docs/contracts/policy.md') });
    expect(result.detail).toContain('teams: Too small');
  });

  it('a check that does not answer in time fails with the timeout, the others still answer', async () => {
    const hangs: HealthCheck = {
      name: 'hangs',
      required: true,
      fix: 'look at it',
      run: () => new Promise(() => undefined),
    };
    const results = await runChecks(context({ extra: { extra: async () => undefined } }), [hangs, policyParses], 50);
    expect(
      results.map((r) => [r.name, r.status, r.detail.startsWith('no answer within 50 ms') || r.status === 'ok']),
    ).toEqual([
      ['hangs', 'failed', true],
      ['policy', 'ok', true],
      ['extra', 'ok', true],
    ]);
    expect(allRequiredPass(results)).toBe(false);
  });
});

describe('the owners check', () => {
  it('passes when the org has every owner the policy names, and lists each one it lacks with its path', async () => {
    const policy = testPolicy();
    const { emulator } = await startTestEmulator({ seed: emulatorSeedFromPolicy(policy) });
    const directory = new OwnerDirectory({ connection: () => connectTo(emulator), logger: silent, refreshIntervalMs: 0 });
    try {
      await directory.start();
      const owners = async () => directory;
      expect(await run(ownersExist(), context({ policy: async () => policy, owners }))).toMatchObject({ status: 'ok' });
      const stranger = testPolicy({ teams: [{ id: 'na', calendar: 'na', fallbackOwnerId: '00G000000000001EAA', managerId: '005000000000777AAA' }] });
      const result = await run(ownersExist(), context({ policy: async () => stranger, owners }));
      expect(result).toMatchObject({ status: 'failed', required: true });
      expect(result.detail).toContain('teams[0].managerId = "005000000000777AAA": unknown in the org');
    } finally {
      directory.close();
      await emulator.close();
    }
  });
});
