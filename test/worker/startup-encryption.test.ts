import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('npm start in production without HANDOFF_PAYLOAD_KEYS refuses to start, saying what to set', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-start-keys-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HANDOFF_DATA_DIR: dir,
    HANDOFF_METRICS_ADDRESS: 'off',
  };
  delete env.HANDOFF_PAYLOAD_KEYS;
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/main.ts')],
    {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('Handoff cannot start');
  expect(result.stderr).toContain('HANDOFF_PAYLOAD_KEYS: required in production');
  expect(fs.readdirSync(dir)).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});
