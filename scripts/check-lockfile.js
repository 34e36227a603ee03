#!/usr/bin/env node
'use strict';
// Fails when `npm ci` would reject package-lock.json (out of sync with package.json, or missing
// entries such as other platforms' optional binaries), or when a locked package's `engines`
// excludes this Node. It asks npm itself: `npm ci --dry-run` validates the lock file exactly as
// `npm ci` does and installs nothing, so it runs on a clean clone before `npm ci`.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const REGENERATE = 'npm install --package-lock-only --no-audit --no-fund';

const run = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_loglevel: 'warn' },
});
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
const problems = output
  .split('\n')
  .filter((line) => /^npm (error|warn) /.test(line) && !/^npm warn install-scripts/.test(line));

if (run.error || run.status !== 0) {
  process.stderr.write(
    'check-lockfile: `npm ci` rejects package-lock.json: it does not match package.json.\n' +
      `${problems.slice(0, 20).join('\n')}\n` +
      `Regenerate it with \`${REGENERATE}\`, check \`npm ci\` on a clean clone, and commit both files.\n`,
  );
  process.exit(1);
}
const engines = problems.filter((line) => line.includes('EBADENGINE'));
if (engines.length > 0) {
  process.stderr.write(
    `check-lockfile: a locked package does not support Node ${process.version} (EBADENGINE):\n${engines.join('\n')}\n` +
      'Pin a version that does (package.json "overrides"), or raise "engines" and say so in the README.\n',
  );
  process.exit(1);
}
process.stdout.write('check-lockfile: package-lock.json is in sync with package.json (npm ci accepts it)\n');
