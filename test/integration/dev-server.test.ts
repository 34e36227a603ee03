import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  acceptLead,
  convertLead,
  leadState,
  logContactAttempt,
  qualifyLead,
  recordEngagement,
} from '../../src/workflows/messages';
import { searchAttributes } from '../../src/workflows/search-attributes';
import { hotFirmographics, sendTrigger, uniqueLeadId } from '../helpers/leads';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { devServerEnv, workflowBundle } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

const HISTORY_DIR = path.resolve(__dirname, '../fixtures/histories');
const OWNER = '005000000000009AAA';
const FALLBACK = '00G000000000001EAA';
const MANAGER = '005000000000001AAA';

/** Seconds-long windows: a whole lifecycle in real time on the real dev server. */
const fast = testPolicy({
  ...ALWAYS_TEAM,
  version: 'fast-1',
  sla: {
    firstTouch: { HAND_RAISE: { within: '3s', clock: 'calendar' }, PQL: { within: '3s', clock: 'calendar' }, MQL: { within: '6s', clock: 'calendar' } },
    reminders: [0.5],
    // Reminders by the engine, so the real server runs the reminder timer too (the default sets them on Salesforce tasks).
    reminderDelivery: 'engine',
    escalation: undefined,
    onBreach: { reassignTo: 'fallback', notifyManager: true, maxReassignments: 1 },
  },
  cadence: { touches: 3, within: { within: '20s', clock: 'calendar' }, minChannels: 2 },
  decay: { tick: '2s' },
});

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60']);
});
afterAll(async () => {
  await env?.teardown();
});


/** `RECORD_HISTORIES=1 npx jest test/integration` refreshes the histories the replay test replays. */
function saveHistory(name: string, history: History): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  fs.mkdirSync(HISTORY_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORY_DIR, `${name}.json`), historyToJSON(history));
}

async function runWorker<T>(fn: (rec: ReturnType<typeof recordingActivities>, taskQueue: string) => Promise<T>): Promise<T> {
  const rec = recordingActivities({ policy: () => fast });
  const taskQueue = `it-${uniqueLeadId('q')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: rec.activities,
  });
  return worker.runUntil(fn(rec, taskQueue));
}

describe('leadLifecycle on the real dev server, with a seconds-long policy', () => {
  test('a whole life: breach → reassignment → accept → cadence → SQL → converted, visible through search attributes', async () => {
    await runWorker(async (rec, taskQueue) => {
      const leadId = uniqueLeadId('life');
      const at = new Date().toISOString();
      const { view, handle } = await sendTrigger(
        env.client,
        fast,
        { leadId, eventId: 'q1', occurredAt: at, ownerId: OWNER, firmographics: hotFirmographics, activities: [{ type: 'demo_request', occurredAt: at }] },
        taskQueue,
      );
      expect(view.stage).toBe('MQL');
      const breached = await eventually(() => handle.query(leadState), (v) => v.ownerId === FALLBACK);
      expect(breached.sla).toMatchObject({ status: 'BREACHED', breaches: 1 });
      expect(breached.sla.escalations).toBeGreaterThanOrEqual(1);

      const listed = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const wf of env.client.workflow.list({ query: `HandoffSlaStatus='BREACHED' AND HandoffKind='HAND_RAISE' AND ExecutionStatus='Running' AND WorkflowId='${handle.workflowId}'` })) ids.push(wf.workflowId);
          return ids;
        },
        (ids) => ids.length === 1,
      );
      expect(listed).toEqual([handle.workflowId]);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(searchAttributes.owner)).toBe(FALLBACK);
      expect(described.typedSearchAttributes.get(searchAttributes.breaches)).toBe(1);

      await handle.executeUpdate(acceptLead, { args: [{ body: { repId: MANAGER } }] });
      await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: MANAGER, channel: 'call', outcome: 'no_answer' } }] });
      await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: MANAGER, channel: 'email', outcome: 'replied' } }] });
      await handle.executeUpdate(qualifyLead, { args: [{ body: { repId: MANAGER, bant: { budget: '40k', authority: 'VP Ops', need: 'carrier routing', timeline: 'Q1' } } }] });
      const converted = await handle.executeUpdate(convertLead, { args: [{ body: { repId: MANAGER, opportunityId: '006000000000001AAA' } }] });
      expect(converted.stage).toBe('CONVERTED');
      expect((await handle.result()).stage).toBe('CONVERTED');

      const types = rec.auditTypes();
      expect(types.filter((t) => t !== 'SLA_REMINDER')).toEqual([
        'QUALIFIED', 'SLA_BREACHED', 'ESCALATED', 'REASSIGNED',
        'ACCEPTED', 'CONTACT_ATTEMPT', 'CONTACT_ATTEMPT', 'SQL_QUALIFIED', 'CONVERTED',
      ]);
      expect(types.indexOf('SLA_REMINDER')).toBe(1);
      expect(new Set(rec.recorded.audit.map((e) => e.id)).size).toBe(rec.recorded.audit.length);
      expect(rec.recorded.leadUpdates.at(-1)).toMatchObject({ stage: 'CONVERTED', ownerId: MANAGER, slaBreaches: 1, contactAttempts: 2 });
      saveHistory('whole-life', await handle.fetchHistory());
    });
  });

  test('continue-as-new when the server suggests it carries the state and loses or repeats no effect', async () => {
    await runWorker(async (rec, taskQueue) => {
      const leadId = uniqueLeadId('can');
      const at = new Date().toISOString();
      const { handle } = await sendTrigger(
        env.client,
        fast,
        { leadId, eventId: 'q1', occurredAt: at, ownerId: OWNER, firmographics: hotFirmographics, activities: [{ type: 'webinar', occurredAt: at }] },
        taskQueue,
      );
      const firstRun = (await handle.describe()).runId;
      for (let i = 0; i < 40; i++) {
        await handle.signal(recordEngagement, { body: { eventId: `e${i}`, type: 'email_open', points: 0, occurredAt: new Date().toISOString() } });
      }
      const after = await eventually(
        async () => ({ runId: (await handle.describe()).runId, view: await handle.query(leadState) }),
        (x) => x.runId !== firstRun && x.view.history.filter((h) => h.type === 'ENGAGEMENT').length === 40,
      );
      expect(after.runId).not.toBe(firstRun);
      expect(after.view.stage).toBe('NURTURE');
      await handle.signal(recordEngagement, { body: { eventId: 'e0', type: 'email_open', occurredAt: new Date().toISOString() } });
      await handle.signal(recordEngagement, { body: { eventId: 'hand', type: 'demo_request', occurredAt: new Date().toISOString() } });
      const routed = await eventually(() => handle.query(leadState), (v) => v.stage === 'MQL');
      expect(routed.kind).toBe('HAND_RAISE');
      await eventually(async () => rec.recorded.audit.length, (n) => n >= 42);
      const engagements = rec.recorded.audit.filter((e) => e.type === 'ENGAGEMENT');
      expect(engagements).toHaveLength(41);
      expect(new Set(rec.recorded.audit.map((e) => e.id)).size).toBe(rec.recorded.audit.length);
      const seqs = rec.recorded.audit.map((e) => Number(e.id.split('-').at(-1)));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      saveHistory('continue-as-new-first-run', await env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory());
      await handle.terminate('test finished');
    });
  });

  test('decay ticks in real time re-evaluate and write the score; an untouched MQL decays out', async () => {
    const decaying = testPolicy({
      ...ALWAYS_TEAM,
      version: 'fast-decay',
      scoring: { intent: { events: { webinar: { points: 31, halfLife: '20s' } } } },
      sla: { firstTouch: { MQL: { within: '1h', clock: 'calendar' } } },
      decay: { tick: '1s' },
    });
    const rec = recordingActivities({ policy: () => decaying });
    const taskQueue = `it-${uniqueLeadId('q')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: rec.activities });
    await worker.runUntil(async () => {
      const at = new Date().toISOString();
      const { view, handle } = await sendTrigger(
        env.client,
        decaying,
        { leadId: uniqueLeadId('decay'), eventId: 'q', occurredAt: at, ownerId: OWNER, firmographics: hotFirmographics, activities: [{ type: 'webinar', occurredAt: at }] },
        taskQueue,
      );
      expect(view.stage).toBe('MQL');
      const recycled = await eventually(() => handle.query(leadState), (v) => v.stage === 'RECYCLED');
      expect(recycled.recycle?.reason).toBe('SCORE_DECAYED');
      expect(rec.recorded.leadUpdates.at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'SCORE_DECAYED' });
      saveHistory('score-decayed', await handle.fetchHistory());
      await handle.terminate('test finished');
    });
  });
});
