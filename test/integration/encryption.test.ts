import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import type { EffectBatch } from '../../src/workflows/outbox';
import { handoffMetrics } from '../../src/metrics';
import { installPinoRuntime, prometheusMetrics } from '../../src/worker/runtime';
import { LEAD_WORKFLOW_TYPE, leadState, leadWorkflowId } from '../../src/workflows/messages';
import { bearer, captureLogs, deps, inject, KEYS, PEOPLE, policy } from '../api/harness';
import { uniqueLeadId } from '../helpers/leads';
import { recordingActivities } from '../helpers/recording-activities';
import { devServerEnv, testDataConverter, workflowBundle } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';

const OTHER_KEYS = 'k2:2uVnbjAeLH25Hi+QR/uTFrDgQPQfUn+8i/utIACuJ+w=';
const COMPANY = 'Nordwind Logistik GmbH';
const TITLE = 'Head of Revenue Operations';
const EMAIL = 'ines.kowalczyk@nordwind-logistik.de';
const PHONE = '+49 30 5557 1234';
const NOTES = `Budget frozen until Q3; reach ${EMAIL} or ${PHONE}`;
const PII = [COMPANY, TITLE, EMAIL, PHONE, 'Budget frozen'];
const CLI = process.env.TEMPORAL_CLI_PATH;

type Found = { path: string; text: string };
/** Every string and every byte field of the history (as latin1 text), with where it was found. */
function everything(node: unknown, at = ''): Found[] {
  if (typeof node === 'string') return [{ path: at, text: node }];
  if (node instanceof Uint8Array) return [{ path: at, text: Buffer.from(node).toString('latin1') }];
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => everything(v, `${at}.${k}`));
}

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
/** The payloads of the history, with whether they are search attributes (indexed, never encrypted). */
function payloads(
  node: unknown,
  at = '',
  inSearchAttributes = false,
): { path: string; payload: RawPayload; searchAttribute: boolean }[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return [];
  const candidate = node as RawPayload;
  if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) {
    return [{ path: at, payload: candidate, searchAttribute: inSearchAttributes }];
  }
  return Object.entries(node).flatMap(([k, v]) =>
    payloads(v, `${at}.${k}`, inSearchAttributes || k === 'searchAttributes'),
  );
}
const encodingOf = (p: RawPayload) => Buffer.from(p.metadata!.encoding!).toString();
const toJson = (p: RawPayload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

let env: TestWorkflowEnvironment;
let metricsPort: number;
let ledger: Ledger;
let dataDir: string;
let client: Client;
let app: FastifyInstance;
let apiUrl: string;
const runtimeLogs = captureLogs();
const taskQueue = `enc-${uniqueLeadId('q')}`;
const running: { worker: Worker; done: Promise<void> }[] = [];

async function startWorker(queue: string, dataConverter: DataConverter): Promise<void> {
  const rec = recordingActivities({ policy: () => policy });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    dataConverter,
    activities: {
      ...rec.activities,
      // The ledger append as the real activity does it, with the lag metric it reports.
      async applyEffects(batch: EffectBatch) {
        await ledger.append(batch.ledger);
        for (const e of batch.ledger) handoffMetrics.ledgerLag(Date.now() - Date.parse(e.at));
        return rec.activities.applyEffects(batch);
      },
    },
  });
  running.push({ worker, done: worker.run() });
}

beforeAll(async () => {
  metricsPort = await freePort();
  installPinoRuntime(runtimeLogs.logger, 'WARN', prometheusMetrics(`127.0.0.1:${metricsPort}`));
  env = await devServerEnv();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-enc-'));
  ledger = await createLedger({ dataDir, logger: runtimeLogs.logger });
  client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter(),
  });
  await startWorker(taskQueue, testDataConverter());
  app = await buildApp(
    deps({
      temporal: { client, taskQueue, namespace: env.namespace ?? 'default', timeoutMs: 15_000 },
      ledger,
      salesforce: { ping: async () => undefined },
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  for (const { worker, done } of running) {
    worker.shutdown();
    await done;
  }
  await ledger?.close();
  await env?.teardown();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A lead qualified with a company and a title, then rejected with notes holding an email and a phone number. */
async function rejectedLead(): Promise<{ leadId: string; history: History }> {
  const leadId = uniqueLeadId('enc');
  const at = new Date().toISOString();
  const trigger = await inject(app, {
    method: 'POST',
    url: '/v1/leads',
    headers: bearer('crm'),
    payload: {
      leadId,
      eventId: 'q1',
      occurredAt: at,
      ownerId: PEOPLE.rep,
      firmographics: { company: COMPANY, title: TITLE, industry: 'Logistics', employees: 240, region: 'EMEA' },
      activities: [{ type: 'demo_request', occurredAt: at }],
    },
  });
  expect(trigger.json().stage).toBe('MQL');
  const reject = await inject(app, {
    method: 'POST',
    url: `/v1/leads/${leadId}/reject`,
    headers: bearer('sales'),
    payload: { repId: PEOPLE.rep, reason: 'NO_BUDGET', notes: NOTES },
  });
  expect([reject.status, reject.json().stage, reject.json().recycle?.notes]).toEqual([200, 'RECYCLED', NOTES]);
  const handle = client.workflow.getHandle(leadWorkflowId(leadId));
  await eventually(
    () => ledger.events(leadId),
    (events) => events.some((e) => e.type === 'RECYCLED'),
  );
  return { leadId, history: await handle.fetchHistory() };
}

let lead: Promise<{ leadId: string; history: History }> | undefined;
const theLead = () => (lead ??= rejectedLead());

describe('encrypted payloads on the real dev server', () => {
  test('the history holds ciphertext only; the codec endpoint gives the values back', async () => {
    const { history } = await theLead();
    for (const found of everything(history)) {
      for (const secret of PII)
        expect({ path: found.path, leaks: found.text.includes(secret) }).toEqual({ path: found.path, leaks: false });
    }
    // Search attributes are indexed by the server; patch ids and local-activity bookkeeping are written by the SDK's core.
    const all = payloads(history);
    const sdkMarker = /\.markerRecordedEventAttributes\.details\.(patch-data|data)\./;
    const clear = all.filter((p) => p.searchAttribute || sdkMarker.test(p.path));
    const encrypted = all.filter((p) => !clear.includes(p)).map((p) => p.payload);
    expect(encrypted.length).toBeGreaterThan(5);
    expect(clear.filter((p) => p.searchAttribute).length).toBeGreaterThan(0);
    expect(
      all.filter((p) => !clear.includes(p) && encodingOf(p.payload) !== 'binary/encrypted').map((p) => p.path),
    ).toEqual([]);
    expect(new Set(encrypted.map((p) => Buffer.from(p.metadata!['encryption-key-id']!).toString()))).toEqual(
      new Set(['test-1']),
    );

    const decoded = await inject(app, {
      method: 'POST',
      url: '/codec/decode',
      headers: bearer('revops'),
      payload: { payloads: encrypted.map(toJson) },
    });
    expect(decoded.status).toBe(200);
    const text = (decoded.json().payloads as { data: string }[])
      .map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
      .join('\n');
    for (const secret of [COMPANY, TITLE, NOTES]) expect(text).toContain(JSON.stringify(secret).slice(1, -1));
  });

  (CLI ? test : test.skip)(
    'the Temporal CLI reads the history through the codec endpoint, and only with a revops key',
    async () => {
      const { leadId } = await theLead();
      // Asynchronously: the CLI calls back into this process's API.
      const show = (...extra: string[]) =>
        new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
          execFile(
            CLI!,
            [
              'workflow',
              'show',
              '--address',
              env.address,
              '--workflow-id',
              leadWorkflowId(leadId),
              '--output',
              'json',
              ...extra,
            ],
            { encoding: 'utf8', timeout: 30_000 },
            (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
          );
        });
      /** The JSON output keeps payloads in proto3 JSON: what they say is in their base64 `data`. */
      const payloadText = (stdout: string) =>
        everything(JSON.parse(stdout))
          .filter((f) => f.path.endsWith('.data'))
          .map((f) => Buffer.from(f.text, 'base64').toString('utf8'))
          .join('\n');
      const plain = await show();
      expect(plain.status).toBe(0);
      expect(plain.stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
      expect(payloadText(plain.stdout)).not.toContain(COMPANY);

      const decoded = await show('--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', `Bearer ${KEYS.revops}`);
      expect(decoded.status).toBe(0);
      expect(decoded.stdout).not.toContain(Buffer.from('binary/encrypted').toString('base64'));
      expect(payloadText(decoded.stdout)).toContain(COMPANY);
      expect(payloadText(decoded.stdout)).toContain(EMAIL);

      const refused = await show('--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', `Bearer ${KEYS.sales}`);
      expect(refused.status).not.toBe(0);
      expect(`${refused.stdout}${refused.stderr}`).not.toContain(COMPANY);
    },
  );

  test('search attributes stay free of PII, and still say what RevOps filters on', async () => {
    const { leadId } = await theLead();
    const described = await client.workflow.getHandle(leadWorkflowId(leadId)).describe();
    const attributes = JSON.stringify(described.searchAttributes);
    for (const secret of PII) expect(attributes).not.toContain(secret);
    expect(described.searchAttributes).toMatchObject({
      HandoffStage: ['RECYCLED'],
      HandoffRecycleReason: ['NO_BUDGET'],
    });
  });

  test('the ledger gets its rows from the decoded activity inputs', async () => {
    const { leadId } = await theLead();
    const events = await ledger.events(leadId);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['QUALIFIED', 'REJECTED', 'RECYCLED']));
    expect(events.find((e) => e.type === 'REJECTED')).toMatchObject({
      leadId,
      detail: { reason: 'NO_BUDGET', notes: NOTES },
    });
  });

  test('a history recorded with encryption replays with the right key, and fails loudly with another', async () => {
    const { leadId, history } = await theLead();
    const recorded = historyFromJSON(JSON.parse(historyToJSON(history)));
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
      recorded,
      leadWorkflowId(leadId),
    );
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: testDataConverter(OTHER_KEYS) },
        recorded,
        leadWorkflowId(leadId),
      ),
    ).rejects.toThrow(/PayloadDecryptionError: a payload is encrypted under key id \\?"test-1/);
  });

  test('a client with the wrong key cannot read a lead: the error names the key id', async () => {
    const { leadId } = await theLead();
    const wrong = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: testDataConverter(OTHER_KEYS),
    });
    await expect(wrong.workflow.getHandle(leadWorkflowId(leadId)).query(leadState)).rejects.toThrow(
      'a payload is encrypted under key id "test-1", which is not in HANDOFF_PAYLOAD_KEYS',
    );
  });

  test('a worker with the wrong key makes no progress, and says why (history, logs, metrics)', async () => {
    const badQueue = `${taskQueue}-wrong-key`;
    await startWorker(badQueue, testDataConverter(OTHER_KEYS));
    const leadId = uniqueLeadId('wrongkey');
    const handle = await client.workflow.start(LEAD_WORKFLOW_TYPE, {
      workflowId: leadWorkflowId(leadId),
      taskQueue: badQueue,
      args: [{ leadId, policy }],
    });
    const history = await eventually(
      () => handle.fetchHistory(),
      (h) => (h.events ?? []).some((e) => e.workflowTaskFailedEventAttributes),
    );
    const failed = history.events!.find((e) => e.workflowTaskFailedEventAttributes)!.workflowTaskFailedEventAttributes!;
    expect(failed.failure?.message).toContain('key id "test-1", which is not in HANDOFF_PAYLOAD_KEYS');
    expect(
      history.events!.some((e) => e.workflowTaskCompletedEventAttributes || e.activityTaskScheduledEventAttributes),
    ).toBe(false);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const logged = runtimeLogs.lines.map((l) => JSON.parse(l) as { msg: string; error?: { message?: string } });
    expect(logged.find((l) => l.msg === 'Failed to process Workflow Activation')?.error?.message).toContain(
      'key id "test-1", which is not in HANDOFF_PAYLOAD_KEYS',
    );

    const scraped = await eventually(
      async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
      (text) =>
        new RegExp(`temporal_workflow_task_execution_failed\\{[^}]*task_queue="${badQueue}"[^}]*\\} [1-9]`).test(text),
    );
    expect(scraped).toMatch(new RegExp(`temporal_workflow_task_execution_failed\\{[^}]*task_queue="${badQueue}"`));
    await handle.terminate('test over');
  });
});

describe('metrics on the worker runtime Prometheus endpoint', () => {
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  test("Handoff's series with the values caused, beside the SDK's from a real workflow run", async () => {
    const { leadId } = await theLead();
    const before = await scrape();
    const failuresBefore = sample(before, 'SalesforceWriteFailures{code="INVALID_FIELD"}') ?? 0;
    handoffMetrics.breachLag(4321);
    handoffMetrics.breachLag(-5);
    handoffMetrics.salesforceWriteFailed('INVALID_FIELD');
    handoffMetrics.salesforceWriteFailed('INVALID_FIELD');
    handoffMetrics.salesforceWriteFailed('not a code <script>');
    handoffMetrics.salesforceWriteRetried();
    handoffMetrics.salesforceWriteRetried();
    handoffMetrics.salesforceWriteRetried();
    handoffMetrics.salesforceApiRemaining(14_998);

    const text = await eventually(scrape, (t) => sample(t, 'SalesforceApiCallsRemaining') === 14_998);
    expect(sample(text, 'BreachLagMs_count')).toBe(2);
    expect(sample(text, 'BreachLagMs_sum')).toBe(4321);
    expect(sample(text, 'BreachLagMs_bucket{le="5000"}')).toBe(2);
    expect(sample(text, 'BreachLagMs_bucket{le="1000"}')).toBe(1);
    expect(sample(text, 'SalesforceWriteFailures{code="INVALID_FIELD"}')).toBe(failuresBefore + 2);
    expect(sample(text, 'SalesforceWriteFailures{code="OTHER"}')).toBe(1);
    expect(sample(text, 'SalesforceWriteRetries')).toBe(3);
    expect(sample(text, 'SalesforceApiCallsRemaining')).toBe(14_998);

    const rows = (await ledger.events(leadId)).length;
    expect(sample(text, 'LedgerLagMs_count')).toBeGreaterThanOrEqual(rows);
    expect(text).toContain('# TYPE LedgerLagMs histogram');
    expect(text).toMatch(/LedgerLagMs_bucket\{le="600000"\}/);

    const sdk = (name: string) =>
      new RegExp(`^${name}\\{[^}]*task_queue="${taskQueue}"[^}]*\\} ([0-9.]+)$`, 'm').exec(text)?.[1];
    expect(Number(sdk('temporal_workflow_task_execution_latency_count'))).toBeGreaterThan(0);
    expect(Number(sdk('temporal_activity_execution_latency_count'))).toBeGreaterThan(0);
    expect(Number(sdk('temporal_worker_start'))).toBe(1);
  });
});
