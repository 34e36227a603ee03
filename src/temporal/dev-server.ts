import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { resolveTemporalBinaries } from '../../scripts/temporal-binaries';

const SA_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', INT: 'Int', DOUBLE: 'Double' };

export type DevServer = { address: string; uiUrl: string; stop(): Promise<void> };

export function devServerArgs(options: { port: number; dbFile: string; namespace: string; extraArgs?: string[] }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.port + 1000),
    '--namespace',
    options.namespace,
    '--db-filename',
    options.dbFile,
    '--log-format',
    'json',
    '--log-level',
    'error',
    ...SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE_NAMES[k.type]}`]),
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
    ...(options.extraArgs ?? []),
  ];
}

/**
 * Starts the Temporal CLI dev server with its SQLite file under the data dir, so running leads and
 * their timers survive a restart of `npm start`.
 */
export async function startDevServer(options: {
  port: number;
  dataDir: string;
  namespace: string;
  logger: Logger;
  extraArgs?: string[];
}): Promise<DevServer> {
  const cli = resolveTemporalBinaries().cli;
  if (!cli) throw new Error('the Temporal CLI was not found: run "npm run setup" (or set TEMPORAL_CLI_PATH)');
  fs.mkdirSync(options.dataDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'temporal.db');
  const address = `127.0.0.1:${options.port}`;
  const child = spawn(cli, devServerArgs({ ...options, dbFile }), { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitUntilServing(address, exited, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output.join('').slice(-2000)}`);
  }
  options.logger.info({ address, dbFile }, 'Temporal dev server started');
  return { address, uiUrl: `http://127.0.0.1:${options.port + 1000}`, stop: () => stopChild(child, exited) };
}

async function waitUntilServing(address: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: unknown;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the Temporal dev server exited with code ${exitCode} (is port ${address} taken?)`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      failure = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${String(failure)}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
