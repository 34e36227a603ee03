#!/usr/bin/env node
'use strict';
// The RevOps CLI (src/cli/main.ts), run through tsx like the rest of the project.
const tsx = require('tsx/cjs/api');

const { main } = tsx.require('../src/cli/main.ts', __filename);

// `handoff audit sla … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`handoff: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
