import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port that is free, and whose +1000 neighbour is free too (the dev server's Web UI). */
async function sparePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (taken.has(port) || taken.has(port + 1000)) continue;
    if ((await portFree(port)) && (await portFree(port + 1000))) {
      taken.add(port).add(port + 1000);
      return port;
    }
  }
}

export interface NpmStart {
  /** The environment `npm start` runs with (spare ports, a temp data dir), for the commands beside it. */
  env: NodeJS.ProcessEnv;
  dataDir: string;
  apiUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** `npm start` as a newcomer runs it, on spare ports with a temp HANDOFF_DATA_DIR; resolves once it prints that it runs. */
export async function npmStart(timeoutMs = 150_000): Promise<NpmStart> {
  const taken = new Set<number>();
  const [api, emulator, temporal] = [await sparePort(taken), await sparePort(taken), await sparePort(taken)];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-npm-start-'));
  const {
    HANDOFF_API_KEYS: _keys,
    DATABASE_URL: _db,
    NODE_ENV: _nodeEnv,
    TEMPORAL_ADDRESS: _address,
    ...base
  } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    PORT: String(api),
    SALESFORCE_EMULATOR_PORT: String(emulator),
    TEMPORAL_DEV_SERVER_PORT: String(temporal),
    HANDOFF_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // Tests run beside each other and beside a developer's own npm start: no fixed metrics port.
    HANDOFF_METRICS_ADDRESS: 'off',
  };
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGINT');
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    child.stdout!.destroy();
    child.stderr!.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  while (!output.includes('Handoff is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`npm start did not come up within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { env, dataDir, apiUrl: `http://127.0.0.1:${api}`, output: () => output, stop };
}
