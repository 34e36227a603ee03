import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, type ApiDeps } from '../../src/api/app';
import { parseApiKeys } from '../../src/api/auth';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import type { EffectBatch } from '../../src/workflows/outbox';
import type { Policy } from '../../src/domain/policy';
import { emulatorAuth } from '../../src/salesforce/config';
import { connect } from '../../src/salesforce/connection';
import { OwnerDirectory } from '../../src/salesforce/directory';
import { emulatorSeedFromPolicy } from '../../src/salesforce/policy-owners';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { uniqueLeadId } from '../helpers/leads';
import { ORG, ownTeamPolicy } from '../helpers/owners';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { devServerEnv, testDataConverter, workflowBundle } from '../helpers/temporal';

export const KEYS = {
  crm: 'crm-test-key-0000000000001',
  sales: 'sales-test-key-000000000001',
  revops: 'revops-test-key-00000000001',
} as const;
export type TestRole = keyof typeof KEYS;
/** A second sales key configured only by its SHA-256 digest. */
export const HASHED_SALES_KEY = 'hashed-sales-key-0000000001';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0001';
export const ORG_ID = '00D000000000001EAA';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export const API_KEYS = [
  `crm:${KEYS.crm}`,
  `sales:${KEYS.sales}`,
  `revops:${KEYS.revops}`,
  `sales:sha256:${sha256Hex(HASHED_SALES_KEY)}`,
].join(',');

export const bearer = (role: TestRole) => ({ authorization: `Bearer ${KEYS[role]}` });

export const policy = testPolicy(ALWAYS_TEAM);

/** Log lines written by the app, to check what is (not) logged. */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export const silent = pino({ level: 'silent' });

/**
 * The org the API tests act in: the emulator's default users and queue (the harness policy's owners), a
 * team's own reps, managers and queue (helpers/owners), and a rep who has left.
 */
export const PEOPLE = {
  rep: ORG.rep,
  rep15: ORG.rep15,
  manager: ORG.naManager18,
  revops: ORG.emeaManager18,
  queue: ORG.naQueue,
  defaultRep: '005000000000002AAA',
  defaultQueue: '00G000000000001AAA',
  inactiveRep: '0058c00000Zz9ZzAAJ',
} as const;

let org: Promise<Emulator> | undefined;
/** The emulator behind `directory`, started on first use and closed after the test file. */
export function testOrg(): Promise<Emulator> {
  const seed = emulatorSeedFromPolicy(ownTeamPolicy());
  org ??= startEmulator({
    port: 0,
    logger: silent,
    seed: { users: [...seed.users, { Id: PEOPLE.inactiveRep, LastName: 'Left', IsActive: false }], queues: seed.queues },
  });
  return org;
}

/** The real owner directory, reading the test org through jsforce; its first lookup loads it. */
export const directory = new OwnerDirectory({
  connection: async () => connect({ auth: emulatorAuth((await testOrg()).url), apiVersion: '62.0', logger: silent }),
  logger: silent,
  refreshIntervalMs: 0,
});

afterAll(async () => {
  directory.close();
  const running = org;
  org = undefined;
  await (await running)?.close();
});

/** A Temporal client that never reaches a server: for routes that must refuse before calling it. */
export function unreachableClient(): Client {
  return new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
}

export function deps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    temporal: { client: unreachableClient(), taskQueue: 'nowhere', namespace: 'default', timeoutMs: 1000 },
    policy,
    auth: { keys: parseApiKeys(API_KEYS), webhookSecret: WEBHOOK_SECRET },
    salesforceOrgId: ORG_ID,
    directory,
    logger: silent,
    ...overrides,
  };
}

export type Stack = {
  app: FastifyInstance;
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  ledger: Ledger;
  rec: ReturnType<typeof recordingActivities>;
  build(overrides?: Partial<ApiDeps>): Promise<FastifyInstance>;
  stop(): Promise<void>;
};

/**
 * The real thing, minus Salesforce: the Temporal dev server, a Worker running the real leadLifecycle
 * with recording activities whose audit events also go to a real (PGlite) ledger, and the app.
 */
export async function startStack(options: { policy?: Policy; apiDeps?: Partial<ApiDeps> } = {}): Promise<Stack> {
  const p = options.policy ?? policy;
  const env = await devServerEnv();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-api-'));
  const ledger = await createLedger({ dataDir, logger: silent });
  const rec = recordingActivities({ policy: () => p });
  const taskQueue = `api-${uniqueLeadId('q')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    // Payloads encrypted as in production: the API's client and the worker share the test key.
    dataConverter: testDataConverter(),
    activities: {
      ...rec.activities,
      async applyEffects(batch: EffectBatch) {
        const result = await rec.activities.applyEffects(batch);
        await ledger.append(batch.ledger);
        return result;
      },
    },
  });
  const running = worker.run();
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: testDataConverter() });
  const build = (overrides: Partial<ApiDeps> = {}) =>
    buildApp(
      deps({
        temporal: { client, taskQueue, namespace: env.namespace ?? 'default', timeoutMs: 15_000 },
        policy: p,
        ledger,
        salesforce: { ping: async () => undefined },
        ...options.apiDeps,
        ...overrides,
      }),
    );
  const app = await build();
  return {
    app,
    env,
    client,
    taskQueue,
    ledger,
    rec,
    build,
    async stop() {
      await app.close();
      worker.shutdown();
      await running;
      await ledger.close();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function inject(app: FastifyInstance, options: InjectOptions) {
  const res = await app.inject(options);
  return { status: res.statusCode, headers: res.headers, body: res.body, json: () => res.json() as Record<string, any> };
}

export const nowIso = () => new Date().toISOString();

export const hotTrigger = (leadId: string, eventId = `t-${leadId}`) => ({
  leadId,
  eventId,
  occurredAt: nowIso(),
  ownerId: PEOPLE.rep,
  firmographics: { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' },
  activities: [{ type: 'demo_request', occurredAt: nowIso() }],
});
