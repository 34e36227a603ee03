import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLambdaBundles, type LambdaManifest } from '../../scripts/lambda-bundles';

let built: Promise<LambdaManifest> | undefined;
/** The Lambda packages, built once per run (and not at all when dist/lambda matches the sources' content hash). */
export function lambdaBundles(): Promise<LambdaManifest> {
  built ??= buildLambdaBundles().then(({ manifest }) => manifest);
  return built;
}

const running = new Set<ChildProcess>();
/** Ends the package processes a failed test left running (each by its own handle). */
export function stopBundleProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

export type BundleRun = { invocations: Invocation[]; logs: Record<string, unknown>[]; stderr: string };

export type Invocation =
  { ok: true; result: unknown; elapsedMs: number } | { ok: false; error: string; elapsedMs: number };

/**
 * Runs a package in a fresh Node process as the Lambda runtime would (test/infra/invoke-bundle.js): only
 * the given environment plus what Lambda sets, the package directory as LAMBDA_TASK_ROOT and cwd.
 */
export function invokeBundle(
  dir: string,
  events: unknown[],
  options: { env: Record<string, string>; remainingMs?: number; functionName?: string },
): { done: Promise<BundleRun> } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-lambda-home-'));
  const child = spawn(
    process.execPath,
    [
      path.join(__dirname, 'invoke-bundle.js'),
      JSON.stringify({ dir, events, remainingMs: options.remainingMs, functionName: options.functionName }),
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        HOME: home,
        LAMBDA_TASK_ROOT: dir,
        AWS_REGION: 'eu-west-1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<BundleRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      fs.rmSync(home, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`the bundle process exited ${code}:\n${stderr}`));
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { invocation?: Invocation } & Record<string, unknown>);
      resolve({
        invocations: lines.flatMap((l) => (l.invocation ? [l.invocation] : [])),
        logs: lines.filter((l) => !l.invocation),
        stderr,
      });
    });
  });
  return { done };
}

/** An API Gateway HTTP API event (payload format 2.0), as AWS builds it. */
export function httpApiEvent(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'Salesforce-Flow/1.0',
      'x-forwarded-for': '198.51.100.20',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.20',
        userAgent: 'Salesforce-Flow/1.0',
      },
      requestId: `apigw-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:14:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  };
}
