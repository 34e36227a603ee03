/**
 * HTTP API benchmark: POST /v1/leads (update-with-start of a new lead workflow) and accept (an update
 * on a running one), through the real app, Temporal dev server and Worker running the real
 * leadLifecycle with no-op activities, driven by autocannon over loopback. Reps and owners are checked
 * against the owner directory, read from the Salesforce emulator seeded from the policy.
 *
 *   npm run bench:api -- [--duration 10] [--connections 20] [--accepts 2000]
 *
 * --duration: seconds of POST /v1/leads load; --connections: concurrent HTTP connections;
 * --accepts: leads accepted in the second phase (each once: a second accept would be a 409).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import autocannon from 'autocannon';
import pino from 'pino';
import type { Activities } from '../src/activities';
import { handoffWorkerOptions } from '../src/worker/options';
import { buildApp } from '../src/api/app';
import { generateDevKeys } from '../src/api/auth';
import { loadPolicyFile } from '../src/config';
import { emulatorAuth } from '../src/salesforce/config';
import { connect } from '../src/salesforce/connection';
import { OwnerDirectory } from '../src/salesforce/directory';
import { emulatorSeedFromPolicy } from '../src/salesforce/policy-owners';
import { SEED_IDS, startEmulator } from '../tools/salesforce-emulator';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/workflows/search-attributes';
import { resolveTemporalBinaries } from '../scripts/temporal-binaries';

const TASK_QUEUE = 'bench-api';
const quiet = pino({ level: 'silent' });

type Row = { scenario: string; requests: number; seconds: number; rps: number; p50: number; p90: number; p99: number; max: number; non2xx: number; errors: number };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '20' },
      accepts: { type: 'string', default: '2000' },
    },
  });
  const duration = positiveInt(values.duration, 'duration');
  const connections = positiveInt(values.connections, 'connections');
  const accepts = positiveInt(values.accepts, 'accepts');

  const cli = resolveTemporalBinaries().cli;
  if (!cli) throw new Error('the Temporal CLI was not found: run "npm run setup"');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: SEARCH_ATTRIBUTE_KEYS, log: { format: 'json', level: 'error' } },
  });
  const policy = loadPolicyFile(path.resolve(__dirname, '../policy/default.yaml'));
  const noop = async () => undefined;
  const activities: Activities = {
    applyEffects: async () => ({ failed: [] }),
    currentPolicy: async () => policy,
    pollSalesforceActivity: async ({ cursor }) => ({ next: cursor, read: 0, sent: 0, skipped: 0, more: false }),
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    ...handoffWorkerOptions({ taskQueue: TASK_QUEUE, activities, dataConverter: {} }),
  });
  const running = worker.run();
  const emulator = await startEmulator({ port: 0, seed: emulatorSeedFromPolicy(policy), logger: quiet });
  const directory = await new OwnerDirectory({
    connection: () => connect({ auth: emulatorAuth(emulator.url), apiVersion: '62.0', logger: quiet }),
    logger: quiet,
    refreshIntervalMs: 0,
  }).start();
  const { keys, devKeys } = generateDevKeys();
  const key = (role: string) => devKeys.find((k) => k.role === role)!.key;
  const app = await buildApp({
    temporal: { client: env.client, taskQueue: TASK_QUEUE, namespace: env.namespace ?? 'default', timeoutMs: 30_000 },
    policy,
    auth: { keys },
    salesforceOrgId: '00D000000000001EAA',
    directory,
    rateLimit: { max: 0, windowMs: 60_000 },
    logger: quiet,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  try {
    const created: string[] = [];
    let seq = 0;
    const run = Date.now().toString(36);
    const trigger = (leadId: string) =>
      JSON.stringify({
        leadId,
        eventId: `t-${leadId}`,
        occurredAt: new Date().toISOString(),
        ownerId: SEED_IDS.repUserId,
        firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' },
        activities: [{ type: 'demo_request', occurredAt: new Date().toISOString() }],
      });

    // Warm-up: connections, the workflow bundle's first activations, JIT.
    await load({ url, connections, amount: 200, title: 'warm-up', requests: [leadRequest(key('crm'), () => trigger(`W${run}${seq++}`))] });

    const leads = await load({
      url,
      connections,
      duration,
      title: 'POST /v1/leads',
      requests: [
        leadRequest(key('crm'), () => {
          const leadId = `B${run}${seq++}`;
          created.push(leadId);
          return trigger(leadId);
        }),
      ],
    });

    const targets = created.slice(0, accepts);
    let next = 0;
    const accept = await load({
      url,
      connections,
      amount: targets.length,
      title: 'POST /v1/leads/:leadId/accept',
      requests: [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key('sales')}`, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, path: `/v1/leads/${targets[next++ % targets.length]}/accept`, body: JSON.stringify({ repId: SEED_IDS.repUserId }) }),
        },
      ],
    });

    let read = 0;
    const state = await load({
      url,
      connections,
      duration: Math.min(duration, 5),
      title: 'GET /v1/leads/:leadId',
      requests: [{ method: 'GET', headers: { authorization: `Bearer ${key('sales')}` }, setupRequest: (req) => ({ ...req, path: `/v1/leads/${targets[read++ % targets.length]}` }) }],
    });
    // The API alone: authentication, body parsing and zod refusing the body, no Temporal call.
    const refused = await load({
      url,
      connections,
      duration: Math.min(duration, 5),
      title: 'POST /v1/leads → 400 (no Temporal)',
      requests: [{ method: 'POST', path: '/v1/leads', headers: { authorization: `Bearer ${key('crm')}`, 'content-type': 'application/json' }, body: '{"leadId":"x"}' }],
    });

    // The directory refusing a rep it does not know: an in-memory lookup, no Temporal call.
    const unknownRep = await load({
      url,
      connections,
      duration: Math.min(duration, 5),
      title: 'accept, unknown repId → 400 (no Temporal)',
      requests: [
        {
          method: 'POST',
          path: `/v1/leads/${targets[0] ?? 'none'}/accept`,
          headers: { authorization: `Bearer ${key('sales')}`, 'content-type': 'application/json' },
          body: JSON.stringify({ repId: '005000000000777AAA' }),
        },
      ],
    });

    printTable([leads, accept, state, refused, unknownRep], { connections, duration, accepts: targets.length });
  } finally {
    await app.close();
    directory.close();
    await emulator.close();
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

function leadRequest(crmKey: string, body: () => string): autocannon.Request {
  return {
    method: 'POST',
    path: '/v1/leads',
    headers: { authorization: `Bearer ${crmKey}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: body() }),
  };
}

async function load(options: autocannon.Options & { title: string }): Promise<Row> {
  const result = await autocannon({ ...options, timeout: 30 });
  return {
    scenario: options.title,
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function printTable(rows: Row[], config: { connections: number; duration: number; accepts: number }): void {
  const cpus = os.cpus();
  console.log(
    `\nHandoff API benchmark — Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${config.connections} connections,` +
      ' Temporal dev server (SQLite in memory) + 1 Worker (real leadLifecycle, no-op activities), same machine\n',
  );
  const header = ['scenario', 'requests', 'seconds', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.requests),
    r.seconds.toFixed(1),
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p90),
    String(r.p99),
    String(r.max),
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  console.log(`\nPOST /v1/leads: ${config.duration} s of new leads (each one update-with-start: a new workflow, its first task, the update's answer).`);
  console.log(`accept: ${config.accepts} of those leads accepted once each (an update on a running workflow).`);
  console.log('GET: the leadState query; the 400 rows are the API layer alone (auth, parsing, zod; the owner directory), expected non-2xx.');
  console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes on the machine skew the figures).`);
}

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got ${value}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
