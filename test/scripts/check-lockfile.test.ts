import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * scripts/check-lockfile.js asks `npm ci --dry-run` (which validates the lock file exactly as
 * `npm ci` does and installs nothing) on a copy of package.json and package-lock.json.
 */

const REPO = path.resolve(__dirname, '../..');

function checkIn(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(dir, 'scripts/check-lockfile.js')],
      { cwd: dir, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Lock = { packages: Record<string, { engines?: Record<string, string> }> };

function copyOfProject(mutateLock?: (lock: Lock) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-lockfile-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(REPO, 'scripts/check-lockfile.js'), path.join(dir, 'scripts/check-lockfile.js'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as Lock;
  mutateLock?.(lock);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

describe('scripts/check-lockfile.js', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('accepts the committed lock file: npm ci takes it, and no locked package excludes this Node', async () => {
    const dir = copyOfProject();
    dirs.push(dir);
    const run = await checkIn(dir);
    expect([run.code, run.stdout]).toEqual([0, expect.stringContaining('in sync')]);
  });

  it("fails with what is missing and how to regenerate the lock when another platform's optional binary is not listed", async () => {
    const dir = copyOfProject((lock) => {
      delete lock.packages['node_modules/@swc/core-darwin-arm64'];
    });
    dirs.push(dir);
    const run = await checkIn(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('`npm ci` rejects package-lock.json');
    expect(run.stderr).toContain('Missing: @swc/core-darwin-arm64@');
    expect(run.stderr).toContain('npm install --package-lock-only --no-audit --no-fund');
  });

  it('fails when a locked package does not support this Node (EBADENGINE), saying how to fix it', async () => {
    const dir = copyOfProject((lock) => {
      lock.packages['node_modules/zod']!.engines = { node: '>=99' };
    });
    dirs.push(dir);
    const run = await checkIn(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('EBADENGINE');
    expect(run.stderr).toContain('"overrides"');
  });
});
