// Runs a built Lambda package the way the Lambda runtime does: plain Node, the package directory as
// LAMBDA_TASK_ROOT and cwd, `require(<dir>/index.js).handler(event, context)`. Input on argv[2] (JSON):
// { dir, events: [...], remainingMs? }. Prints one JSON line per invocation, { invocation: { ok, result | error, elapsedMs } },
// among the function's own log lines.
'use strict';
const path = require('node:path');

async function main() {
  const { dir, events, remainingMs = 30000, functionName = 'handoff' } = JSON.parse(process.argv[2]);
  const { handler } = require(path.join(dir, 'index.js'));
  let n = 0;
  for (const event of events) {
    n += 1;
    const deadline = Date.now() + remainingMs;
    const context = {
      awsRequestId: `local-${process.pid}-${n}`,
      invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}:1`,
      functionName,
      functionVersion: '1',
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const started = Date.now();
    try {
      const result = await handler(event, context);
      process.stdout.write(
        `${JSON.stringify({ invocation: { ok: true, result: result ?? null, elapsedMs: Date.now() - started } })}\n`,
      );
    } catch (err) {
      process.stdout.write(
        `${JSON.stringify({ invocation: { ok: false, error: String(err && err.stack ? err.stack : err), elapsedMs: Date.now() - started } })}\n`,
      );
    }
  }
  // Like the Lambda runtime, end when the last invocation has answered (the API keeps its Temporal connection open).
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
