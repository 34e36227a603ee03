import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('npm start refuses a bad configuration before starting anything', () => {
  test('an invalid policy and bad variables: every problem listed, exit code 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-start-'));
    const policyFile = path.join(dir, 'policy.yaml');
    const text = fs
      .readFileSync(path.join(ROOT, 'policy/default.yaml'), 'utf8')
      .replace('threshold: 60', 'threshold: high')
      .replace('MQL:        { within: 1d, clock: business }', 'MQL:        { within: 1 day, clock: business }')
      .replace('defaultTeam: na', 'defaultTeam: emea');
    fs.writeFileSync(policyFile, text);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/main.ts')], {
      env: { ...process.env, HANDOFF_POLICY: policyFile, HANDOFF_DATA_DIR: dir, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Handoff cannot start');
    expect(result.stderr).toMatch(/PORT/);
    expect(result.stderr).toMatch(/scoring\.fit\.threshold/);
    expect(result.stderr).toMatch(/sla\.firstTouch\.MQL\.within: expected a duration like/);
    expect(result.stderr).toMatch(/defaultTeam: unknown team "emea"/);
    expect(fs.existsSync(path.join(dir, 'temporal.db'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
