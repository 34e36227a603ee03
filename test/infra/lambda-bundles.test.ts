import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { App, FileSystem } from 'aws-cdk-lib';
import { Client as PgClient } from 'pg';
import { HandoffStack } from '../../infra/aws/lib/handoff-stack';
import { LAMBDA_UNZIPPED_LIMIT_BYTES, type LambdaManifest } from '../../scripts/lambda-bundles';
import { SEED_IDS, startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { devServerEnv, TEST_PAYLOAD_KEYS } from '../helpers/temporal';
import { httpApiEvent, invokeBundle, lambdaBundles, stopBundleProcesses, type Invocation } from './bundles';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEYS = { crm: 'crm-bundle-key-000000000001', sales: 'sales-bundle-key-00000000001' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Every file under `dir` with its SHA-256, by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('the Lambda packages, as built for Lambda, run locally against the dev server', () => {
  let bundles: LambdaManifest;
  let env: TestWorkflowEnvironment;
  let emulator: Emulator;
  const database = `handoff_infra_${process.pid}`;
  let databaseUrl: string;
  /** The package directories the invocations below ran, for the deployed-code test. */
  const ran = new Set<string>();

  beforeAll(async () => {
    bundles = await lambdaBundles();
    env = await devServerEnv();
    emulator = await startEmulator({ port: 0, logger: quiet });
    const admin = new PgClient({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  });
  afterAll(async () => {
    stopBundleProcesses();
    await env?.teardown();
    await emulator?.close();
    const admin = new PgClient({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  test("the worker package fits Lambda's 250 MB unzipped limit, with one core-bridge binary and no build tools", () => {
    process.stdout.write(
      `worker package ${(bundles.worker.bytes / 1024 / 1024).toFixed(1)} MiB unzipped (limit ${LAMBDA_UNZIPPED_LIMIT_BYTES / 1024 / 1024} MiB), ` +
        `api package ${(bundles.api.bytes / 1024 / 1024).toFixed(1)} MiB, ${bundles.architecture}\n`,
    );
    expect(bundles.worker.bytes).toBeLessThan(LAMBDA_UNZIPPED_LIMIT_BYTES);
    expect(fs.readdirSync(path.join(bundles.worker.dir, 'releases'))).toEqual([bundles.worker.coreBridgeTarget]);
    const migrations = fs
      .readdirSync(path.resolve(__dirname, '../../src/audit/migrations'))
      .map((f) => `migrations/${f}`);
    expect(Object.keys(tree(bundles.worker.dir)).sort()).toEqual(
      [
        'index.js',
        'mappings.wasm',
        'policy.yaml',
        `releases/${bundles.worker.coreBridgeTarget}/index.node`,
        'workflow-bundle.js',
        'workflow-worker-thread.js',
        ...migrations,
      ].sort(),
    );
    const worker = fs.readFileSync(path.join(bundles.worker.dir, 'index.js'), 'utf8');
    expect(worker).not.toMatch(/require\(["'](webpack|@swc\/core|swc-loader)["']\)/);
  });

  test("the worker bundle polls for its remaining time and runs a lead's workflow and activities; the API bundle answers a trigger and an accept", async () => {
    const namespace = env.namespace ?? 'default';
    const taskQueue = `bundles-${process.pid}`;
    const deploymentName = 'handoff-bundles';
    const buildId = `handoff-${bundles.sourceHash.slice(0, 12)}`;
    const shared = {
      NODE_ENV: 'production',
      HANDOFF_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: namespace,
      HANDOFF_TASK_QUEUE: taskQueue,
      DATABASE_URL: databaseUrl,
      SALESFORCE_LOGIN_URL: emulator.url,
      SALESFORCE_INSTANCE_URL: emulator.url,
      SALESFORCE_CLIENT_ID: 'handoff-dev',
      SALESFORCE_CLIENT_SECRET: 'handoff-dev-secret',
      LOG_LEVEL: 'warn',
    };

    // The lead exists in the org, as it would when Salesforce triggers Handoff.
    const token = (await (
      await fetch(`${emulator.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=handoff-dev&client_secret=handoff-dev-secret',
      })
    ).json()) as { access_token: string };
    const created = (await (
      await fetch(`${emulator.url}/services/data/v62.0/sobjects/Lead`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'Okafor', Company: 'Freightline GmbH', Title: 'VP of Operations' }),
      })
    ).json()) as { id: string };
    const leadId = created.id;

    // Room for both cold starts and the two updates on a loaded machine; the worker polls for all of it.
    const remainingMs = 35_000;
    const worker = invokeBundle(bundles.worker.dir, [{}], {
      remainingMs,
      functionName: 'handoff-worker',
      env: {
        ...shared,
        HANDOFF_WORKFLOW_BUNDLE: path.join(bundles.worker.dir, 'workflow-bundle.js'),
        HANDOFF_POLICY: path.join(bundles.worker.dir, 'policy.yaml'),
        HANDOFF_DEPLOYMENT_NAME: deploymentName,
        HANDOFF_BUILD_ID: buildId,
      },
    });
    ran.add(bundles.worker.dir);

    // What Temporal Cloud's `set-current-version` does: route the queue's tasks to this build, once its poller is seen.
    const setCurrent = async () => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await env.client.workflowService.setWorkerDeploymentCurrentVersion({
            namespace,
            deploymentName,
            buildId,
            identity: 'bundle-test',
          });
          return;
        } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    // A worker that dies before it polls fails the test with its own output, not a NOT_FOUND.
    await Promise.race([
      setCurrent(),
      worker.done.then(({ invocations, stderr }) => {
        throw new Error(`the worker invocation ended before it polled: ${JSON.stringify(invocations)}\n${stderr}`);
      }),
    ]);

    const trigger = {
      leadId: leadId,
      eventId: `bundle-${leadId}`,
      occurredAt: new Date().toISOString(),
      ownerId: SEED_IDS.repUserId,
      firmographics: { industry: 'Logistics', employees: 240, region: 'EMEA', title: 'VP of Operations' },
      activities: [{ type: 'demo_request', occurredAt: new Date().toISOString() }],
    };
    const api = await invokeBundle(
      bundles.api.dir,
      [
        httpApiEvent({
          method: 'POST',
          path: '/v1/leads',
          headers: { authorization: `Bearer ${KEYS.crm}` },
          body: trigger,
        }),
        httpApiEvent({
          method: 'POST',
          path: `/v1/leads/${leadId}/accept`,
          headers: { authorization: `Bearer ${KEYS.sales}` },
          body: { repId: SEED_IDS.repUserId },
        }),
      ],
      {
        functionName: 'handoff-api',
        env: {
          ...shared,
          HANDOFF_POLICY: path.join(bundles.api.dir, 'policy.yaml'),
          HANDOFF_API_KEYS: `crm:${KEYS.crm},sales:${KEYS.sales}`,
          HANDOFF_WEBHOOK_SECRET: 'bundle-webhook-secret-000001',
          SALESFORCE_ORG_ID: emulator.orgId,
        },
      },
    ).done;
    ran.add(bundles.api.dir);
    const answers = api.invocations.map((i: Invocation) => {
      if (!i.ok) throw new Error(`API invocation failed: ${i.error}\n${api.stderr}`);
      const r = i.result as { statusCode: number; body: string };
      return [r.statusCode, JSON.parse(r.body) as { leadId: string; stage: string }] as const;
    });
    expect(answers.map(([status, body]) => [status, body.leadId, body.stage])).toEqual([
      [200, leadId, 'MQL'],
      [200, leadId, 'SAL'],
    ]);

    const { invocations, logs, stderr } = await worker.done;
    expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(invocations).toHaveLength(1);
    const [run] = invocations;
    if (!run!.ok) throw new Error(`worker invocation failed: ${run!.error}\n${stderr}`);
    // It worked until the deadline less lambda-worker's 7 s shutdown buffer, and returned before Lambda's deadline.
    expect(run!.elapsedMs).toBeGreaterThanOrEqual(remainingMs - 7000);
    expect(run!.elapsedMs).toBeLessThan(remainingMs);

    const handle = env.client.workflow.getHandle(`lead-${leadId}`);
    const description = await handle.describe();
    expect(description.raw.pendingActivities ?? []).toEqual([]);
    expect(description.raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion).toMatchObject({
      deploymentName,
      buildId,
    });
    const events = (await handle.fetchHistory()).events ?? [];
    const identities = new Set(events.flatMap((e) => e.workflowTaskCompletedEventAttributes?.identity ?? []));
    expect([...identities]).toEqual([
      expect.stringMatching(/^local-\d+-1@arn:aws:lambda:eu-west-1:123456789012:function:handoff-worker:1$/),
    ]);
    const completedActivities = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
    expect(completedActivities).toBeGreaterThan(0);
    expect(completedActivities).toBe(scheduled);

    // The activities' effects: the stage written back to Salesforce and the accept in the ledger.
    const [lead] = emulator.records('Lead').filter((r) => r.Id === leadId);
    expect(lead).toMatchObject({ Handoff_Stage__c: 'SAL', Handoff_Workflow_Id__c: `lead-${leadId}` });
    const ledger = new PgClient({ connectionString: databaseUrl });
    await ledger.connect();
    const rows = await ledger.query<{ stage: string }>(
      'SELECT stage FROM audit_events WHERE lead_id = $1 ORDER BY seq',
      [leadId],
    );
    await ledger.end();
    expect(rows.rows.map((r) => r.stage)).toContain('SAL');
  });

  test('the deployed code is the tested code: each function asset is the package directory the invocations ran', () => {
    expect([...ran].sort()).toEqual([bundles.api.dir, bundles.worker.dir].sort());
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-cdk-'));
    try {
      const app = new App({ outdir });
      const stack = new HandoffStack(app, 'Handoff', { bundles, database: 'external' });
      const assembly = app.synth();
      const template = assembly.getStackArtifact(stack.artifactId).template as {
        Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
      };
      for (const [id, dir] of [
        [stack.apiFunction.node.defaultChild, bundles.api.dir],
        [stack.workerFunction.node.defaultChild, bundles.worker.dir],
      ] as const) {
        const logicalId = stack.getLogicalId(id as never);
        const code = template.Resources[logicalId]!.Properties.Code;
        const hash = code.S3Key.replace(/\.zip$/, '');
        expect(hash).toBe(FileSystem.fingerprint(dir));
        expect(tree(path.join(assembly.directory, `asset.${hash}`))).toEqual(tree(dir));
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
