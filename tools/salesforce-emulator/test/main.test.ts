import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from 'jsforce';
import { API_VERSION, lead } from './helpers';

const REPO = path.resolve(__dirname, '../../..');

function waitForReady(child: ChildProcess, lines: Record<string, unknown>[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts.filter(Boolean)) {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (String(line.msg).includes('ready') && typeof line.url === 'string') resolve(line.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
  });
}

describe('npm run emulator (main.ts)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sf-main-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)('serves on SALESFORCE_EMULATOR_PORT, persists under HANDOFF_DATA_DIR and stops cleanly on %s', async (signal) => {
    const child = spawn(path.join(REPO, 'node_modules/.bin/tsx'), ['tools/salesforce-emulator/main.ts'], {
      cwd: REPO,
      env: { ...process.env, SALESFORCE_EMULATOR_PORT: '0', HANDOFF_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Record<string, unknown>[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await waitForReady(child, lines);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const conn = new Connection({ loginUrl: url, version: API_VERSION, oauth2: { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret', loginUrl: url } });
      await conn.authorize({ grant_type: 'client_credentials' });
      const created = await conn.sobject('Lead').create(lead({ LastName: 'Standalone' }));
      expect(created.success).toBe(true);
    } finally {
      child.kill(signal);
    }
    expect(await exited).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(dataDir, 'salesforce-emulator.json'), 'utf8')) as { store: { records: { Lead: { LastName: string }[] } } };
    expect(saved.store.records.Lead.map((l) => l.LastName)).toEqual(['Standalone']);
    for (const line of lines) expect(line).toMatchObject({ component: 'salesforce-emulator', emulator: true });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['salesforce-emulator: stopping', 'salesforce-emulator: stopped']));
  });
});
