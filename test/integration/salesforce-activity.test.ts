import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Connection } from 'jsforce';
import pino from 'pino';
import { startEmulator, type Emulator } from '../../tools/salesforce-emulator';
import { SEED_IDS } from '../../tools/salesforce-emulator/standard-objects';
import { createSalesforceActivityPollActivities } from '../../src/activities/salesforce-activity';
import { toId18 } from '../../src/domain/salesforce-id';
import type { LeadView } from '../../src/domain/state';
import { createSalesforceReader } from '../../src/salesforce/reader';
import { ensureActivityPoller } from '../../src/worker/activity-poller';
import { acceptLead, leadState, qualifyLead, rejectLead } from '../../src/workflows/messages';
import { activityPollerState, type ActivityPollerState } from '../../src/workflows/salesforce-activity-poller';
import { hotFirmographics, sendTrigger, uniqueLeadId } from '../helpers/leads';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { devServerEnv, workflowBundle } from '../helpers/temporal';
import { eventually, sleep } from '../helpers/eventually';

const REP = SEED_IDS.repUserId;
const MANAGER = SEED_IDS.managerUserId;
const policy = testPolicy({
  ...ALWAYS_TEAM,
  version: 'sf-activity-1',
  sla: {
    firstTouch: {
      HAND_RAISE: { within: '10m', clock: 'calendar' },
      PQL: { within: '10m', clock: 'calendar' },
      MQL: { within: '10m', clock: 'calendar' },
    },
    reminders: [],
    escalation: undefined,
    onBreach: { reassignTo: 'fallback', notifyManager: true, maxReassignments: 1 },
  },
  cadence: { touches: 5, within: { within: '1h', clock: 'calendar' }, minChannels: 2, minSpacing: { within: '1ms', clock: 'calendar' } },
});

const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

let env: TestWorkflowEnvironment;
let emulator: Emulator;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `sf-activity-${uniqueLeadId('q')}`;
const pollerId = `poller-${uniqueLeadId('p')}`;

/** A jsforce connection acting as a user of the org (the emulator's token runs as that user). */
const asUser = (userId: string) =>
  new Connection({ instanceUrl: emulator.url, accessToken: emulator.issueToken(userId), version: '62.0' });

beforeAll(async () => {
  env = await devServerEnv();
  emulator = await startEmulator({ port: 0, logger: pino({ level: 'silent' }) });
  const rec = recordingActivities({ policy: () => policy });
  const salesforceReader = createSalesforceReader({ connection: asUser(SEED_IDS.integrationUserId) });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...rec.activities,
      ...createSalesforceActivityPollActivities({ salesforceReader, logger, policy: () => policy }),
    },
  });
  running = worker.run();
  await ensureActivityPoller({
    client: env.client,
    taskQueue,
    config: { enabled: true, intervalMs: 1000 },
    logger,
    workflowId: pollerId,
  });
}, 60_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await emulator?.close();
  await env?.teardown();
});


const pollerState = () => env.client.workflow.getHandle(pollerId).query(activityPollerState);
const stateOf = (leadId: string) => env.client.workflow.getHandle(`lead-${leadId}`).query(leadState);
const sfTime = (text: unknown) => new Date(String(text).replace(/\+0000$/, 'Z')).toISOString();

/** Waits until the poller's cursor for `source` is at or past the record (keyset order: SystemModstamp, Id). */
async function polledPast(
  source: 'Task' | 'Event' | 'Lead',
  record: { Id: string; SystemModstamp: string },
): Promise<ActivityPollerState> {
  const at = sfTime(record.SystemModstamp);
  const state = await eventually(
    pollerState,
    (s) => s.cursors[source].at > at || (s.cursors[source].at === at && (s.cursors[source].id ?? '') >= record.Id),
  );
  expect(state.cursors[source].at >= at).toBe(true);
  return state;
}

async function qualifiedLead(ownerId = REP): Promise<{ leadId: string; view: LeadView }> {
  const created = await asUser(REP)
    .sobject('Lead')
    .create({ LastName: 'Okafor', Company: 'Acme Logistics', OwnerId: ownerId });
  const leadId = created.id!;
  const at = new Date().toISOString();
  const { view } = await sendTrigger(
    env.client,
    policy,
    {
      leadId,
      eventId: 'q1',
      occurredAt: at,
      ownerId,
      firmographics: hotFirmographics,
      activities: [{ type: 'demo_request', occurredAt: at }],
    },
    taskQueue,
  );
  return { leadId, view };
}

async function record(
  sobject: 'Task' | 'Event' | 'Lead',
  id: string,
): Promise<{ Id: string; SystemModstamp: string } & Record<string, unknown>> {
  return (await asUser(MANAGER).sobject(sobject).retrieve(id)) as never;
}

describe('touches and conversions logged in Salesforce reach the lead workflows (dev server + emulator)', () => {
  test('a call logged by the owning rep meets the SLA within seconds; read again it changes nothing', async () => {
    const { leadId, view } = await qualifiedLead();
    expect(view).toMatchObject({ stage: 'MQL', sla: { status: 'ON_TRACK' } });

    // The rep logs a call in Salesforce, naming the lead by its 15-character id.
    const rep = asUser(REP);
    const call = await rep.sobject('Task').create({
      WhoId: leadId.slice(0, 15),
      Subject: 'Call',
      Type: 'Call',
      TaskSubtype: 'Call',
      CallDisposition: 'Connected',
      Status: 'Completed',
    });
    const task = await record('Task', call.id!);
    expect(task.WhoId).toBe(leadId);

    const met = await eventually(
      () => stateOf(leadId),
      (v) => v.sla.status === 'MET',
    );
    expect(met).toMatchObject({
      stage: 'SAL',
      ownerId: REP,
      sla: { status: 'MET', firstTouchAt: sfTime(task.CompletedDateTime) },
      cadence: { attempts: 1, connected: true, channels: ['call'] },
    });
    expect(met.history.filter((h) => h.type === 'ACCEPTED')).toEqual([
      expect.objectContaining({ actor: REP, detail: expect.objectContaining({ by: 'first contact attempt' }) }),
    ]);
    expect(met.history.filter((h) => h.type === 'CONTACT_ATTEMPT')).toEqual([
      expect.objectContaining({
        actor: REP,
        detail: expect.objectContaining({ channel: 'call', outcome: 'connected' }),
      }),
    ]);

    // The rep edits the call: the poller reads it again, and the lead's update id dedupes it.
    await rep.sobject('Task').update({ Id: call.id!, Description: 'Spoke with the VP; demo booked' });
    await polledPast('Task', await record('Task', call.id!));
    await sleep(300);
    expect((await stateOf(leadId)).cadence.attempts).toBe(1);
  });

  test('a to-do counts once completed; Handoff tasks, unmapped types and leads without a workflow are skipped', async () => {
    const { leadId } = await qualifiedLead();
    const rep = asUser(REP);
    await rep
      .sobject('Task')
      .create({ WhoId: leadId, Subject: 'Call', Type: 'Call', TaskSubtype: 'Call', Status: 'Completed' });
    await eventually(
      () => stateOf(leadId),
      (v) => v.cadence.attempts === 1,
    );

    const strangerLead = (await rep.sobject('Lead').create({ LastName: 'Nobody', Company: 'Not in Handoff' })).id!;
    const stranger = await rep
      .sobject('Task')
      .create({ WhoId: strangerLead, Subject: 'Call', Type: 'Call', TaskSubtype: 'Call', Status: 'Completed' });
    await rep.sobject('Task').create({
      WhoId: leadId,
      Subject: 'Handoff: work this lead',
      Type: 'Call',
      Status: 'Completed',
      Handoff_Event_Id__c: `lead-${leadId}:t1`,
    });
    await rep
      .sobject('Task')
      .create({ WhoId: leadId, Subject: 'Send contract', Type: 'Other', TaskSubtype: 'Task', Status: 'Completed' });
    const todo = await rep
      .sobject('Task')
      .create({ WhoId: leadId, Subject: 'Email pricing', TaskSubtype: 'Email', Status: 'Not Started' });
    await polledPast('Task', await record('Task', todo.id!));
    await sleep(300);
    expect((await stateOf(leadId)).cadence.attempts).toBe(1);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        leadId: strangerLead,
        recordId: toId18(stranger.id!),
        code: 'LEAD_NOT_FOUND',
        msg: 'salesforce activity skipped: no running Handoff workflow for the lead',
      }),
    );

    await rep.sobject('Task').update({ Id: todo.id!, Status: 'Completed' });
    const emailed = await eventually(
      () => stateOf(leadId),
      (v) => v.cadence.attempts === 2,
    );
    expect(emailed.cadence).toMatchObject({ attempts: 2, channels: ['call', 'email'] });
  });

  test('a meeting booked in Salesforce (an Event) is a connected touch by its owner', async () => {
    const { leadId } = await qualifiedLead();
    await asUser(REP)
      .sobject('Event')
      .create({
        WhoId: leadId,
        Subject: 'Discovery call',
        Type: 'Meeting',
        StartDateTime: new Date(Date.now() + 86_400_000).toISOString(),
        EndDateTime: new Date(Date.now() + 86_400_000 + 1_800_000).toISOString(),
      });
    const met = await eventually(
      () => stateOf(leadId),
      (v) => v.sla.status === 'MET',
    );
    expect(met).toMatchObject({
      stage: 'SAL',
      ownerId: REP,
      cadence: { attempts: 1, connected: true, channels: ['meeting'] },
    });
  });

  test('a Lead converted in Salesforce converts the Handoff lead with its opportunity; a lead that refuses it is logged and skipped', async () => {
    // A lead the rep rejected back to marketing, then converted in Salesforce: the workflow refuses (409).
    const recycled = await qualifiedLead();
    const recycledHandle = env.client.workflow.getHandle(`lead-${recycled.leadId}`);
    await recycledHandle.executeUpdate(rejectLead, { args: [{ body: { repId: REP, reason: 'NO_BUDGET' } }] });
    // A lead the rep worked to SQL through Handoff, then converted in Salesforce.
    const { leadId } = await qualifiedLead();
    const handle = env.client.workflow.getHandle(`lead-${leadId}`);
    await handle.executeUpdate(acceptLead, { args: [{ body: { repId: REP } }] });
    await handle.executeUpdate(qualifyLead, {
      args: [{ body: { repId: REP, bant: { budget: '40k', authority: 'VP Ops', need: 'routing', timeline: 'Q1' } } }],
    });

    const rep = asUser(REP);
    const refused = (await rep.soap.convertLead({
      leadId: recycled.leadId,
      convertedStatus: 'Closed - Converted',
    } as never)) as unknown as { success: boolean };
    expect(refused.success).toBe(true);
    const converted = (await rep.soap.convertLead({
      leadId: leadId.slice(0, 15),
      convertedStatus: 'Closed - Converted',
    } as never)) as unknown as {
      success: boolean;
      opportunityId: string;
    };
    expect(converted.success).toBe(true);

    const closed = await eventually(
      () => stateOf(leadId),
      (v) => v.stage === 'CONVERTED',
    );
    expect(closed.stage).toBe('CONVERTED');
    expect(closed.history.filter((h) => h.type === 'CONVERTED')).toEqual([
      expect.objectContaining({ actor: REP, detail: expect.objectContaining({ opportunityId: toId18(converted.opportunityId), in: 'salesforce' }) }),
    ]);
    expect(await handle.result()).toMatchObject({ stage: 'CONVERTED' });

    expect((await stateOf(recycled.leadId)).stage).toBe('RECYCLED');
    expect(logLines).toContainEqual(
      expect.objectContaining({
        leadId: recycled.leadId,
        source: 'Lead',
        code: 'INVALID_TRANSITION',
        msg: 'salesforce activity skipped: the lead refused it',
      }),
    );
    // Read again (the converted Lead is edited later): Temporal answers the closed workflow's update id with its first outcome.
    await polledPast('Lead', await record('Lead', leadId));
    const before = await pollerState();
    await rep.sobject('Lead').update({ Id: leadId, Description: 'Converted in Salesforce' });
    const after = await polledPast('Lead', await record('Lead', leadId));
    expect(after.sent + after.skipped).toBe(before.sent + before.skipped + 1);
    expect(after.lastError).toBeNull();
    expect((await env.client.workflow.getHandle(`lead-${leadId}`).describe()).status.name).toBe('COMPLETED');
    expect((await stateOf(leadId)).history.filter((h) => h.type === 'CONVERTED')).toHaveLength(1);
  });

  test('off and on again: the poller stops with its watermarks and the next start resumes from them', async () => {
    const config = { enabled: false, intervalMs: 1000 };
    await ensureActivityPoller({ client: env.client, taskQueue, config, logger, workflowId: pollerId });
    const stopped = (await env.client.workflow.getHandle(pollerId).result()) as ActivityPollerState;
    expect(stopped.rounds).toBeGreaterThan(0);
    // `RECORD_HISTORIES=1` refreshes the poller history the replay test replays.
    if (process.env.RECORD_HISTORIES === '1') {
      const history = await env.client.workflow.getHandle(pollerId).fetchHistory();
      fs.writeFileSync(
        path.resolve(__dirname, '../fixtures/histories/salesforce-activity-poller.json'),
        historyToJSON(history),
      );
    }

    // A touch logged while the poller is stopped is read once it runs again.
    const { leadId } = await qualifiedLead();
    await asUser(REP).sobject('Task').create({ WhoId: leadId, Type: 'Email', Status: 'Completed', Subject: 'Intro' });
    await sleep(1500);
    expect((await stateOf(leadId)).cadence.attempts).toBe(0);

    await ensureActivityPoller({
      client: env.client,
      taskQueue,
      config: { ...config, enabled: true },
      logger,
      workflowId: pollerId,
    });
    expect(logLines).toContainEqual(
      expect.objectContaining({ workflowId: pollerId, resumed: true, msg: 'salesforce activity poller running' }),
    );
    const described = await env.client.workflow.getHandle(pollerId).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(
      (
        await eventually(
          () => stateOf(leadId),
          (v) => v.cadence.attempts === 1,
        )
      ).cadence.channels,
    ).toEqual(['email']);
    expect((await pollerState()).cursors.Task.at >= stopped.cursors.Task.at).toBe(true);
  });
});
