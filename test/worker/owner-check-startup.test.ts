import { toId18 } from '../../src/domain/salesforce-id';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { ORG } from '../helpers/owners';
import { freePort } from '../helpers/ports';

const ROOT = path.resolve(__dirname, '../..');

type Run = { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * Runs a Handoff entry point (tsx as a loader, so the signal reaches Handoff itself); with `until`, sends
 * SIGTERM once stdout contains it. Asynchronous, so the test's emulator keeps answering meanwhile.
 */
function run(script: string, env: NodeJS.ProcessEnv, until?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script)], {
      cwd: ROOT,
      env: { ...process.env, HANDOFF_METRICS_ADDRESS: 'off', ...env },
    });
    const out = { stdout: '', stderr: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString();
      // Once: a second SIGTERM is the force-quit that main.ts leaves to the default handler.
      if (until && out.stdout.includes(until) && !child.killed) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, ...out });
    });
  });
}

/**
 * An org (the emulator, reached like a real org with client credentials) that has only its default users
 * and queue, and a policy naming a team's own manager and queue, which that org does not have.
 */
describe('the policy owner check at start', () => {
  let emulator: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, logger: pino({ level: 'silent' }) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-owners-'));
    const policyFile = path.join(dir, 'policy.yaml');
    const text = fs
      .readFileSync(path.join(ROOT, 'policy/default.yaml'), 'utf8')
      .replace('fallbackOwnerId: "00G000000000001EAA"', `fallbackOwnerId: "${ORG.naQueue15}"`)
      .replace('managerId: "005000000000001AAA"', `managerId: "${ORG.naManager}"`);
    fs.writeFileSync(policyFile, text);
    env = {
      HANDOFF_POLICY: policyFile,
      HANDOFF_DATA_DIR: dir,
      SALESFORCE_LOGIN_URL: emulator.url,
      SALESFORCE_CLIENT_ID: 'handoff-dev',
      SALESFORCE_CLIENT_SECRET: 'handoff-dev-secret',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const listsEveryBadId = (stderr: string) => {
    expect(stderr).toContain('names owners the Salesforce org does not have');
    expect(stderr).toContain(`teams[0].managerId = "${toId18(ORG.naManager)}": unknown in the org: no User has this id`);
    expect(stderr).toContain(`teams[0].fallbackOwnerId = "${toId18(ORG.naQueue15)}": unknown in the org: no Queue has this id`);
    expect(stderr).toContain('HANDOFF_OWNER_CHECK=warn');
  };

  test('npm start refuses to start, listing every bad id and where it appears, before starting Temporal', async () => {
    const result = await run('src/main.ts', {
      ...env,
      PORT: String(await freePort()),
      TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Handoff failed to start');
    listsEveryBadId(result.stderr);
    expect(fs.existsSync(path.join(dir, 'temporal.db'))).toBe(false);
  });

  test('the standalone worker and API refuse to start the same way', async () => {
    const worker = await run('src/worker/main.ts', { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(worker.status).toBe(1);
    listsEveryBadId(worker.stderr);
    const api = await run('src/api/server.ts', {
      ...env,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      PORT: String(await freePort()),
    });
    expect(api.status).toBe(1);
    listsEveryBadId(api.stderr);
  });

  test('HANDOFF_OWNER_CHECK=warn starts, and says what is wrong', async () => {
    const result = await run(
      'src/main.ts',
      {
        ...env,
        HANDOFF_OWNER_CHECK: 'warn',
        PORT: String(await freePort()),
        TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
      },
      'Handoff is running',
    );
    expect(result.stdout).toContain('Handoff is running');
    const warning = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; problems?: { path: string; id: string }[] })
      .find((line) => line.msg.startsWith('HANDOFF_OWNER_CHECK=warn'));
    expect(warning?.problems?.map((p) => [p.path, p.id])).toEqual([
      ['teams[0].fallbackOwnerId', toId18(ORG.naQueue15)],
      ['teams[0].managerId', toId18(ORG.naManager)],
    ]);
    expect([result.status, result.signal, result.stderr]).toEqual([0, null, expect.any(String)]);
  });

  test('the embedded emulator of npm start is seeded from the policy, so the same policy starts (check on fail)', async () => {
    const embedded = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-owners-embedded-'));
    try {
      const result = await run(
        'src/main.ts',
        {
          HANDOFF_POLICY: env.HANDOFF_POLICY,
          HANDOFF_DATA_DIR: embedded,
          LOG_LEVEL: 'warn',
          SALESFORCE_EMULATOR_PORT: String(await freePort()),
          PORT: String(await freePort()),
          TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
        },
        'Handoff is running',
      );
      expect([result.status, result.signal, result.stderr, result.stdout]).toEqual([0, null, expect.any(String), expect.stringContaining('Handoff is running')]);
      expect(result.stdout + result.stderr).not.toContain('does not have');
      const data = JSON.parse(fs.readFileSync(path.join(embedded, 'salesforce-emulator.json'), 'utf8')) as {
        store: { records: { User: { Id: string; IsActive: boolean }[]; Group: { Id: string; Type: string }[] } };
      };
      expect(data.store.records.User).toContainEqual(expect.objectContaining({ Id: ORG.naManager18, IsActive: true }));
      expect(data.store.records.Group).toContainEqual(expect.objectContaining({ Id: ORG.naQueue, Type: 'Queue' }));
    } finally {
      fs.rmSync(embedded, { recursive: true, force: true });
    }
  });

  test('an invalid HANDOFF_OWNER_CHECK is a configuration error', async () => {
    const result = await run('src/main.ts', { ...env, HANDOFF_OWNER_CHECK: 'maybe' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Handoff cannot start:[\s\S]*HANDOFF_OWNER_CHECK/);
  });
});
