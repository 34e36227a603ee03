import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { startDevServer } from '../../src/temporal/dev-server';
import { leadState } from '../../src/workflows/messages';
import { hotFirmographics, sendTrigger, uniqueLeadId } from '../helpers/leads';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { quietRuntime, workflowBundle } from '../helpers/temporal';

const policy = testPolicy({
  ...ALWAYS_TEAM,
  sla: { firstTouch: { HAND_RAISE: { within: '8s', clock: 'calendar' } }, reminders: [], escalation: { steps: [{ reassignTo: 'none' }] } },
});
const silent = pino({ level: 'silent' });
const PORT = 17233 + Math.floor(Math.random() * 500);

test('the embedded dev server keeps a running lead and its SLA clock across a restart', async () => {
  quietRuntime();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-restart-'));
  const rec = recordingActivities({ policy: () => policy });
  const leadId = uniqueLeadId('restart');
  const taskQueue = `restart-${leadId}`;

  const runWorker = async <T>(address: string, fn: () => Promise<T>): Promise<T> => {
    const native = await NativeConnection.connect({ address });
    try {
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await workflowBundle(), activities: rec.activities });
      return await worker.runUntil(fn);
    } finally {
      await native.close();
    }
  };

  let server = await startDevServer({ port: PORT, dataDir, namespace: 'default', logger: silent });
  let connection = await Connection.connect({ address: server.address });
  const sent = await runWorker(server.address, () =>
    sendTrigger(new Client({ connection }), policy, {
      leadId, eventId: 'q', occurredAt: new Date().toISOString(), ownerId: '005000000000002AAA', firmographics: hotFirmographics,
      activities: [{ type: 'demo_request', occurredAt: new Date().toISOString() }],
    }, taskQueue),
  );
  expect(sent.view.stage).toBe('MQL');
  const dueAt = Date.parse(sent.view.sla.dueAt!);
  await connection.close();
  await server.stop();

  server = await startDevServer({ port: PORT, dataDir, namespace: 'default', logger: silent });
  try {
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const view = await runWorker(server.address, async () => {
      const handle = client.workflow.getHandle(sent.handle.workflowId);
      for (;;) {
        const v = await handle.query(leadState);
        if (v.sla.status === 'BREACHED' || Date.now() > dueAt + 30_000) return v;
        await new Promise((r) => setTimeout(r, 250));
      }
    });
    expect(view.stage).toBe('MQL');
    expect(view.sla).toMatchObject({ status: 'BREACHED', breaches: 1 });
    // The deadline missed is the one set before the restart; the chain then restarted the window (no clock is ever lost).
    const breach = rec.recorded.audit.find((e) => e.type === 'SLA_BREACHED')!;
    expect(breach.detail.dueAt).toBe(sent.view.sla.dueAt);
    expect(Date.parse(breach.at)).toBeGreaterThanOrEqual(dueAt);
    expect(Date.parse(view.sla.dueAt!)).toBeGreaterThan(dueAt);
    await connection.close();
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
