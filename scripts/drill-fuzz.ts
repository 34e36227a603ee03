/**
 * Fuzz drill: random requests (test/api/fuzz-requests.ts: NUL in every field, deep and huge XML and
 * JSON, wrong keys, spoofed X-Forwarded-For, replayed signatures…) over real HTTP against the real
 * app on a loopback port, with the Temporal dev server, the Salesforce emulator, a worker running the
 * real workflows and activities, and the API state in PGlite, as `npm start` runs them.
 *
 *   npm run drill:fuzz -- [--requests 10000] [--max-seconds 600] [--concurrency 8] [--seed 1] [--valid-every 10]
 *
 * --valid-every: one request in N is a valid trigger (Bearer crm key, or an Outbound Message with the
 * key in its URL), so that accepted triggers and the workflows they start are part of the count.
 * Prints the requests sent, the status histogram, the 5xx count, and the workflows started by refused
 * requests: every workflow on the dev server whose lead no accepted (2xx) trigger named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import pino from 'pino';
import { startEmulator } from '../tools/salesforce-emulator';
import { loadSalesforceConfig } from '../src/salesforce/config';
import { startOwnerDirectory } from '../src/salesforce/owner-check';
import { emulatorSeedFromPolicy } from '../src/salesforce/policy-owners';
import { buildApp } from '../src/api/app';
import { generateDevKeys } from '../src/api/auth';
import { openStateDatabase } from '../src/api/state-store';
import { loadCoreConfig, loadPolicyFile } from '../src/config';
import { toId18 } from '../src/domain/salesforce-id';
import { startDevServer } from '../src/temporal/dev-server';
import { temporalConnectionOptions } from '../src/temporal/connection';
import { createWorkerDependencies } from '../src/worker/dependencies';
import { startWorker } from '../src/worker/main';
import { installPinoRuntime } from '../src/worker/runtime';
import {
  fuzzRequests,
  outboundMessage,
  PROXY_ADDRESS,
  ReplayPool,
  toHttp,
  validTrigger,
  type HttpRequest,
} from '../test/api/fuzz-requests';
import { freePort } from '../test/helpers/ports';

/** Loopback stand-ins for the generated peers: Linux routes all of 127.0.0.0/8 to lo. */
const LOOPBACK_PEER: Record<string, string> = {
  [PROXY_ADDRESS]: '127.0.0.2',
  '127.0.0.1': '127.0.0.1',
  '192.0.2.1': '127.0.0.3',
  '192.0.2.2': '127.0.0.4',
};
const BODY_LIMIT = 1024 * 1024;
const SIGNED_ROUTE = /^\/v1\/leads(\/[^/]+\/events)?\/?$/;
const TRIGGER_ROUTE = /^\/v1\/(leads|salesforce\/outbound-messages)\/?$/;

function send(
  base: URL,
  r: { method: string; url: string; headers: Record<string, string>; payload?: string; localAddress: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      // A connection per request: a kept-alive one the server has just closed would fail the next request sent on it.
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.url,
        headers: r.headers,
        localAddress: r.localAddress,
        timeout: 30_000,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(r.payload);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '10000' },
      'max-seconds': { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      'valid-every': { type: 'string', default: '10' },
    },
  });
  const total = Number(values.requests);
  const maxMs = Number(values['max-seconds']) * 1000;
  const concurrency = Number(values.concurrency);
  const seed = Number(values.seed);
  const validEvery = Number(values['valid-every']);
  for (const [name, n] of Object.entries({ total, maxMs, concurrency, validEvery }))
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer`);

  const quiet = pino({ level: 'silent' });
  const logger = pino({ level: 'warn' });
  installPinoRuntime(logger, 'ERROR');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-drill-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const { keys, devKeys } = generateDevKeys();
    const key = (role: string) => devKeys.find((k) => k.role === role)!.key;
    const webhookSecret = 'drill-webhook-secret-0000000001';
    const port = await freePort();
    const core = loadCoreConfig({
      HANDOFF_DATA_DIR: dataDir,
      HANDOFF_TASK_QUEUE: 'drill-fuzz',
      TEMPORAL_DEV_SERVER_PORT: String(port),
    });
    const policy = loadPolicyFile(core.HANDOFF_POLICY);

    const devServer = await startDevServer({ port, dataDir, namespace: core.TEMPORAL_NAMESPACE, logger: quiet });
    stops.push(() => devServer.stop());
    const emulator = await startEmulator({ port: await freePort(), dataDir, logger: quiet, seed: emulatorSeedFromPolicy(policy) });
    stops.push(() => emulator.close());
    const directory = await startOwnerDirectory({
      salesforce: loadSalesforceConfig({}),
      policy,
      config: { HANDOFF_OWNER_CHECK: 'fail', HANDOFF_OWNER_REFRESH_SECONDS: 300 },
      emulatorUrl: emulator.url,
      logger: quiet,
    });
    stops.push(async () => directory.close());
    const workerDeps = await createWorkerDependencies({
      config: core,
      policy: () => policy,
      logger: quiet,
      emulatorUrl: emulator.url,
      env: {},
    });
    const worker = await startWorker({ config: core, address: devServer.address, deps: workerDeps, logger: quiet });
    stops.push(() => worker.stop());
    const state = await openStateDatabase({ dataDir, logger: quiet });
    stops.push(() => state.close());
    const connection = await Connection.connect(temporalConnectionOptions(devServer.address, core));
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: core.TEMPORAL_NAMESPACE, dataConverter: workerDeps.dataConverter });
    const orgId = emulator.orgId;
    const app = await buildApp({
      temporal: { client, taskQueue: core.HANDOFF_TASK_QUEUE, namespace: core.TEMPORAL_NAMESPACE, timeoutMs: 15_000 },
      policy,
      ledger: workerDeps.ledger,
      directory,
      sql: state,
      salesforce: workerDeps.salesforce,
      auth: { keys, webhookSecret },
      salesforceOrgId: orgId,
      trustProxy: [LOOPBACK_PEER[PROXY_ADDRESS]!],
      logger: quiet,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    stops.push(() => app.close());
    const base = new URL(`http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`);

    const options = {
      keys: { crm: key('crm'), sales: key('sales'), revops: key('revops') },
      webhookSecret,
      orgId,
      leadPrefix: `dr${seed}x`,
    };
    const samples = fc.sample(fuzzRequests(options), { numRuns: total, seed });
    const validRequest = (i: number): HttpRequest => {
      const leadId = `00Q${options.leadPrefix}v${i}`;
      return i % (2 * validEvery) === 0
        ? {
            method: 'POST',
            url: `/v1/salesforce/outbound-messages?key=${options.keys.crm}`,
            headers: { 'content-type': 'text/xml; charset=utf-8' },
            payload: outboundMessage(orgId, leadId),
            remoteAddress: PROXY_ADDRESS,
            leadId,
          }
        : {
            method: 'POST',
            url: '/v1/leads',
            headers: { authorization: `Bearer ${options.keys.crm}`, 'content-type': 'application/json' },
            payload: JSON.stringify(validTrigger(leadId)),
            remoteAddress: '127.0.0.1',
            leadId,
          };
    };
    const pool = new ReplayPool();
    const statuses = new Map<number, number>();
    const acceptedLeads = new Set<string>();
    /** Triggers answered 503: Temporal did not answer within the timeout, so the start may have happened. */
    const unavailableLeads = new Set<string>();
    let sent = 0;
    const networkErrors = new Map<string, number>();
    let acceptedTriggers = 0;
    let next = 0;
    const started = Date.now();
    const deadline = started + maxMs;
    const run = async () => {
      while (next < samples.length && Date.now() < deadline) {
        const i = next++;
        const r = i % validEvery === 0 ? { ...validRequest(i), signed: false } : toHttp(samples[i]!, options, pool, i);
        const localAddress = LOOPBACK_PEER[r.remoteAddress] ?? '127.0.0.1';
        let status: number;
        try {
          status = await send(base, { ...r, localAddress });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          // Past the body limit the server answers 413 and closes before the client has finished writing.
          const reason = (r.payload?.length ?? 0) > BODY_LIMIT ? `${code} on a body over 1 MB` : code;
          networkErrors.set(reason, (networkErrors.get(reason) ?? 0) + 1);
          continue;
        } finally {
          sent += 1;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const route = r.url.split('?')[0]!;
        if (r.signed && r.method === 'POST' && SIGNED_ROUTE.test(route) && ![401, 413, 429].includes(status)) {
          pool.accepted.push({ signature: r.headers['handoff-signature']!, payload: r.payload ?? '' });
        }
        if (
          status >= 200 &&
          status < 300 &&
          r.method === 'POST' &&
          TRIGGER_ROUTE.test(route) &&
          r.leadId !== undefined
        ) {
          acceptedTriggers += 1;
          acceptedLeads.add(r.leadId);
          const id18 = toId18(r.leadId);
          if (id18) acceptedLeads.add(id18);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, run));
    const seconds = (Date.now() - started) / 1000;

    // Let the last workflow tasks and the visibility store settle before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const workflows: string[] = [];
    for await (const wf of client.workflow.list()) workflows.push(wf.workflowId);
    const notAccepted = workflows.filter((id) => !acceptedLeads.has(id.replace(/^lead-/, '')));
    const by503 = notAccepted.filter((id) => unavailableLeads.has(id.replace(/^lead-/, '')));
    const byRefused = notAccepted.filter((id) => !unavailableLeads.has(id.replace(/^lead-/, '')));
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);

    console.log(
      `\nHandoff fuzz drill — seed ${seed}, ${concurrency} connections, API Temporal timeout 15 s, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    console.log(
      'real app on loopback HTTP + Temporal dev server + worker (real workflows and activities) + Salesforce emulator + PGlite ledger and API state\n',
    );
    console.log(
      `requests sent          ${sent} of ${total} in ${seconds.toFixed(1)} s${sent < total ? ' (stopped by --max-seconds)' : ''}`,
    );
    const errorCount = [...networkErrors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `network errors         ${errorCount}${errorCount > 0 ? ` (${[...networkErrors].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`,
    );
    console.log('status histogram');
    for (const [status, count] of [...statuses].sort(([a], [b]) => a - b))
      console.log(`  ${status}  ${String(count).padStart(6)}`);
    console.log(`5xx                    ${fiveXx}`);
    console.log(`accepted triggers      ${acceptedTriggers} (${acceptedLeads.size} lead ids)`);
    console.log(`workflows on server    ${workflows.length}`);
    console.log(
      `workflows started by refused requests  ${byRefused.length}${byRefused.length > 0 ? `: ${byRefused.slice(0, 10).join(', ')}` : ''}`,
    );
    console.log(
      `workflows of triggers answered 503     ${by503.length} (the start reached Temporal, its answer did not come within the timeout; a retry with the same eventId is idempotent)`,
    );
    process.exitCode = fiveXx > 0 || notAccepted.length > 0 ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('stop failed:', err));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
