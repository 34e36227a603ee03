import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Policy } from '../../src/domain/policy';
import {
  acceptLead,
  convertLead,
  disqualifyLead,
  leadState,
  logContactAttempt,
  qualifyLead,
  reassignLead,
  recordEngagement,
  rejectLead,
  reviewLead,
} from '../../src/workflows/messages';
import type { Trigger } from '../../src/domain/inputs';
import { toId18 } from '../../src/domain/salesforce-id';
import { hotFirmographics, sendTrigger, TASK_QUEUE, uniqueLeadId } from '../helpers/leads';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { timeSkippingEnv, workflowBundle } from '../helpers/temporal';

const OWNER = '005000000000009AAA';
const FALLBACK = '00G000000000001EAA';
const MANAGER = '005000000000001AAA';

/**
 * Each test gets its own time-skipping server: with one server per file, a test that had skipped
 * days sometimes left time skipping locked for the next test's env.sleep() (test server 1.40.0).
 */
let env: TestWorkflowEnvironment;
/** The test server's clock runs ahead of the wall clock once a test has skipped time. */
let clock = 0;
beforeEach(async () => {
  env = await timeSkippingEnv();
  clock = await env.currentTimeMs();
});
afterEach(async () => {
  await env?.teardown();
});
const now = () => new Date(clock).toISOString();

type Send = (policy: Policy, trigger: Trigger) => ReturnType<typeof sendTrigger>;

async function withWorker<T>(
  policy: Policy,
  run: (rec: ReturnType<typeof recordingActivities>, send: Send) => Promise<T>,
  opts: Partial<Parameters<typeof recordingActivities>[0]> = {},
) {
  const rec = recordingActivities({ policy: () => policy, ...opts });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: rec.activities,
  });
  return worker.runUntil(run(rec, (p, trigger) => sendTrigger(env.client, p, trigger, TASK_QUEUE)));
}

/** Waits until the workflow closed on its own; result() on the time-skipping client would skip years. */
async function closedState(handle: { workflowId: string }) {
  const h = env.client.workflow.getHandle(handle.workflowId);
  for (let i = 0; i < 100; i++) {
    const { status } = await h.describe();
    if (status.name !== 'RUNNING') {
      expect(status.name).toBe('COMPLETED');
      return h.query(leadState);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workflow ${handle.workflowId} is still running`);
}

const demo = () => [{ type: 'demo_request', occurredAt: now() }];
const webinar = () => [{ type: 'webinar', occurredAt: now() }, { type: 'whitepaper', occurredAt: now() }, { type: 'pricing_visit', occurredAt: now() }];

async function refusalOf(promise: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}

describe('leadLifecycle on the time-skipping server', () => {
  const policy = testPolicy(ALWAYS_TEAM);

  test('accept in time: MET, cadence starts, handoff task with the data packet, Salesforce synced', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { view, handle } = await send(policy, {
        leadId, eventId: 'q1', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo(),
      });
      expect(view).toMatchObject({ stage: 'MQL', kind: 'HAND_RAISE', ownerId: OWNER, fitScore: 80, intentScore: 50 });
      expect(Date.parse(view.sla.dueAt!) - Date.parse(view.qualifiedAt!)).toBe(3_600_000);
      await env.sleep('20m');
      const accepted = await handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      expect(accepted.stage).toBe('SAL');
      expect(accepted.sla.status).toBe('MET');
      expect(accepted.cadence.dueBy).not.toBeNull();
      await env.sleep('1s');
      const handoff = rec.recorded.tasks.find((t) => t.kind === 'HANDOFF')!;
      expect(handoff).toMatchObject({ ownerId: OWNER, leadId, priority: 'High' });
      expect(handoff.packet).toMatchObject({ kind: 'HAND_RAISE', fitScore: 80, intentScore: 50 });
      expect(handoff.packet!.intentBreakdown.map((b) => b.type)).toEqual(['demo_request']);
      expect(rec.auditTypes()).toEqual(['QUALIFIED', 'ACCEPTED']);
      expect(rec.recorded.leadUpdates.at(-1)).toMatchObject({ stage: 'SAL', slaStatus: 'MET', ownerId: OWNER });
      expect(rec.recorded.audit.every((e) => e.policyVersion === policy.version)).toBe(true);
    });
  });

  test('reminders by the engine: a reminder task and an SLA_REMINDER row at 50% and 80% of the window', async () => {
    const engine = testPolicy({ ...ALWAYS_TEAM, version: 'engine-reminders', sla: { reminderDelivery: 'engine' } });
    await withWorker(engine, async (rec, send) => {
      const { handle } = await send(engine, {
        leadId: uniqueLeadId(), eventId: 'q1', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo(),
      });
      const { qualifiedAt } = await handle.query(leadState);
      await env.sleep('40m');
      expect(rec.auditTypes()).toEqual(['QUALIFIED', 'SLA_REMINDER']);
      await env.sleep('21m');
      expect(rec.auditTypes()).toEqual(['QUALIFIED', 'SLA_REMINDER', 'SLA_REMINDER', 'SLA_BREACHED', 'ESCALATED', 'REASSIGNED']);
      const reminders = rec.recorded.audit.filter((e) => e.type === 'SLA_REMINDER');
      // At the fractions, give or take the workflow task that ran the timer.
      expect(reminders.map((e) => Math.floor((Date.parse(e.at) - Date.parse(qualifiedAt!)) / 1000))).toEqual([30 * 60, 48 * 60]);
      expect(rec.recorded.tasks.filter((t) => t.kind === 'REMINDER').map((t) => [t.ownerId, t.reminderAt ?? null])).toEqual([[OWNER, null], [OWNER, null]]);
    });
  });

  test('breach → reminders on the Salesforce tasks, escalation to the manager, reassignment to the fallback with a fresh window; then time to action', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, {
        leadId, eventId: 'q1', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo(),
      });
      const { qualifiedAt, sla } = await handle.query(leadState);
      await env.sleep('61m');
      const afterFirst = await handle.query(leadState);
      expect(afterFirst.sla).toMatchObject({ status: 'BREACHED', breaches: 1, escalations: 1 });
      expect(afterFirst.ownerId).toBe(FALLBACK);
      // The default policy's reminders are Salesforce Task reminders, set with the handoff task: no engine row for them.
      expect(rec.auditTypes()).toEqual(['QUALIFIED', 'SLA_BREACHED', 'ESCALATED', 'REASSIGNED']);
      const first = rec.recorded.tasks.slice(0, 2);
      expect(first.map((t) => [t.kind, t.ownerId, Date.parse(t.reminderAt!) - Date.parse(qualifiedAt!), t.dueAt])).toEqual([
        ['HANDOFF', OWNER, 30 * 60_000, sla.dueAt],
        ['REMINDER', OWNER, 48 * 60_000, sla.dueAt],
      ]);
      expect(rec.recorded.closed.map((c) => c.externalId)).toEqual(expect.arrayContaining(first.map((t) => t.externalId)));
      expect(rec.recorded.tasks.filter((t) => t.kind === 'ESCALATION').map((t) => t.ownerId)).toEqual([MANAGER]);
      // The fallback is a queue: its handoff task goes to the team's manager, never to the integration user.
      expect(rec.recorded.tasks.filter((t) => t.kind === 'HANDOFF').map((t) => t.ownerId)).toEqual([OWNER, MANAGER]);
      expect(rec.recorded.closed.map((c) => c.reason)).toContain('reassigned after an SLA breach');
      await env.sleep('61m');
      // The chain has one step: after it the manager is told again every hour, and the clock keeps running.
      const afterSecond = await handle.query(leadState);
      expect(afterSecond.sla).toMatchObject({ breaches: 1, escalations: 2, status: 'BREACHED' });
      expect(afterSecond.sla.dueAt).not.toBeNull();
      expect(afterSecond.ownerId).toBe(FALLBACK);
      expect(rec.auditTypes().slice(-2)).toEqual(['ESCALATION_REPEATED', 'ESCALATED']);
      const touched = await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: MANAGER, channel: 'call', outcome: 'voicemail' } }] });
      expect(touched.stage).toBe('SAL');
      expect(touched.sla.status).toBe('BREACHED');
      await env.sleep('1s');
      const accepted = rec.recorded.audit.find((e) => e.type === 'ACCEPTED')!;
      expect(accepted.lead.sla.responseCalendarMs).toBeGreaterThanOrEqual(122 * 60_000);
      expect(Date.parse(accepted.lead.sla.firstTouchAt!) - Date.parse(accepted.lead.sla.firstDueAt!)).toBeGreaterThanOrEqual(62 * 60_000);
    });
  });

  test('reject with a reason recycles; OTHER without notes is refused and changes nothing; with notes it recycles', async () => {
    await withWorker(policy, async (rec, send) => {
      const a = uniqueLeadId();
      const { handle } = await send(policy, { leadId: a, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      const refused = await refusalOf(handle.executeUpdate(rejectLead, { args: [{ body: { repId: OWNER, reason: 'OTHER' } }] }));
      expect(refused.type).toBe('POLICY_VIOLATION');
      expect(refused.message).toMatch(/notes are required/);
      expect((await handle.query(leadState)).stage).toBe('MQL');
      const withNotes = await handle.executeUpdate(rejectLead, { args: [{ body: { repId: OWNER, reason: 'OTHER', notes: 'reseller, not an end customer' } }] });
      expect(withNotes.recycle).toMatchObject({ reason: 'OTHER', notes: 'reseller, not an end customer' });
      expect(withNotes.stage).toBe('RECYCLED');

      const b = uniqueLeadId();
      const second = await send(policy, { leadId: b, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      const rejected = await second.handle.executeUpdate(rejectLead, { args: [{ body: { repId: OWNER, reason: 'NO_BUDGET' } }] });
      expect(rejected).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'NO_BUDGET', notes: null } });
      expect(rejected.sla.status).toBe('MET');
      await env.sleep('1s');
      expect(rec.recorded.leadUpdates.filter((l) => l.leadId === toId18(b)).at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'NO_BUDGET' });
    });
  });

  test('cadence exhausted without a connection → RECYCLED UNRESPONSIVE', async () => {
    await withWorker(policy, async (_rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      const channels = ['call', 'email', 'call', 'linkedin', 'email'] as const;
      let view;
      for (const channel of channels) {
        view = await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: OWNER, channel, outcome: 'no_answer' } }] });
        await env.sleep('1d');
      }
      // The fifth touch counted; a reply may still come for a business day after it.
      expect(view).toMatchObject({ stage: 'SAL', cadence: { attempts: 5, connected: false } });
      await env.sleep('1d');
      expect(await handle.query(leadState)).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'UNRESPONSIVE' }, cadence: { attempts: 5 } });
    });
  });

  test("cadence window ends before the touches: the rep's breach, escalated, not recycled", async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: OWNER, channel: 'call', outcome: 'no_answer' } }] });
      await env.sleep('10d');
      await env.sleep('1h');
      const view = await handle.query(leadState);
      expect(view.stage).toBe('SAL');
      expect(view.recycle).toBeNull();
      expect(view.sla.escalations).toBe(1);
      expect(rec.auditTypes()).toContain('CADENCE_BREACHED');
      expect(rec.recorded.tasks.filter((t) => t.kind === 'ESCALATION').map((t) => t.ownerId)).toEqual([MANAGER]);
    });
  });

  test('decay: an MQL nobody acted on falls under the intent threshold → RECYCLED SCORE_DECAYED', async () => {
    const slow = testPolicy({ ...ALWAYS_TEAM, sla: { firstTouch: { MQL: { within: '30d', clock: 'calendar' } } } });
    await withWorker(slow, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { view, handle } = await send(slow, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: webinar() });
      expect(view).toMatchObject({ stage: 'MQL', kind: 'MQL', intentScore: 34 });
      await env.sleep('5d');
      const decayed = await handle.query(leadState);
      expect(decayed).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'SCORE_DECAYED' } });
      expect(decayed.intentScore).toBeLessThan(30);
      // One wake-up at the solved crossing, not a tick a day.
      const types = rec.auditTypes();
      expect(types.filter((t) => t === 'INTENT_REEVALUATED')).toHaveLength(1);
      expect(types.slice(-3)).toEqual(['INTENT_REEVALUATED', 'SCORE_DECAYED', 'RECYCLED']);
      expect(rec.recorded.leadUpdates.at(-1)).toMatchObject({ stage: 'RECYCLED', recycleReason: 'SCORE_DECAYED' });
    });
  });

  test('recycle → nurture → re-qualify after the cool-off, under the current policy version', async () => {
    let current = policy;
    const v2 = testPolicy({ ...ALWAYS_TEAM, version: '2026-12-01' });
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await handle.executeUpdate(rejectLead, { args: [{ body: { repId: OWNER, reason: 'NO_BUDGET' } }] });
      // Other engagement during the cool-off is recorded and scored; only a hand-raise or PQL would end it.
      await handle.signal(recordEngagement, { body: { eventId: 'e-during', type: 'webinar', occurredAt: now() } });
      await env.sleep('1d');
      expect((await handle.query(leadState)).stage).toBe('RECYCLED');
      expect(rec.recorded.audit.find((e) => e.type === 'ENGAGEMENT')?.detail).toMatchObject({ type: 'webinar', held: expect.any(String) });
      current = v2;
      await env.sleep('30d');
      await handle.signal(recordEngagement, { body: { eventId: 'e-after', type: 'contact_sales', occurredAt: new Date(await env.currentTimeMs()).toISOString() } });
      await env.sleep('1m');
      const again = await handle.query(leadState);
      expect(again).toMatchObject({ stage: 'MQL', kind: 'HAND_RAISE', policyVersion: '2026-12-01', recycle: null });
      expect(rec.auditTypes()).toContain('REQUALIFIED');
      const qualified = rec.recorded.audit.filter((e) => e.type === 'QUALIFIED');
      expect(qualified.map((e) => [e.cycle, e.policyVersion])).toEqual([[1, policy.version], [2, '2026-12-01']]);
    }, { policy: () => current });
  });

  test('review: low fit and high intent goes to RevOps; route, nurture and disqualify decisions', async () => {
    await withWorker(policy, async (rec, send) => {
      const lowFit = { industry: 'Retail', employees: 5 };
      const leads = await Promise.all(
        ['route', 'nurture', 'disqualify'].map(async (decision) => {
          const leadId = uniqueLeadId(decision);
          const { view, handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), firmographics: lowFit, activities: demo() });
          expect(view.stage).toBe('REVIEW');
          return { decision, handle };
        }),
      );
      const refused = await refusalOf(leads[0]!.handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] }));
      expect(refused).toEqual({ type: 'INVALID_TRANSITION', message: expect.stringMatching(/in stage REVIEW \(allowed in REVIEW: review → MQL\/NURTURE\/DISQUALIFIED, reassign → REVIEW, disqualify → DISQUALIFIED\)/) });
      const [route, nurture, disqualify] = leads;
      expect((await route!.handle.executeUpdate(reviewLead, { args: [{ body: { actorId: '005000000000004AAA', decision: 'route' } }] })).stage).toBe('MQL');
      expect((await nurture!.handle.executeUpdate(reviewLead, { args: [{ body: { actorId: '005000000000004AAA', decision: 'nurture' } }] })).stage).toBe('NURTURE');
      expect((await disqualify!.handle.executeUpdate(reviewLead, { args: [{ body: { actorId: '005000000000004AAA', decision: 'disqualify', notes: 'student project' } }] })).stage).toBe('DISQUALIFIED');
      expect(await closedState(disqualify!.handle)).toMatchObject({ stage: 'DISQUALIFIED' });
      expect(rec.recorded.tasks.filter((t) => t.kind === 'REVIEW').every((t) => t.ownerId === MANAGER)).toBe(true);
    });
  });

  test('upgrade MQL → HAND_RAISE mid-SLA tightens the deadline and moves the handoff task', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { view, handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: webinar() });
      expect(view.kind).toBe('MQL');
      expect(Date.parse(view.sla.dueAt!) - Date.parse(view.qualifiedAt!)).toBe(24 * 3_600_000);
      await env.sleep('2h');
      await handle.signal(recordEngagement, { body: { eventId: 'hr', type: 'demo_request', occurredAt: now() } });
      await env.sleep('1s');
      const upgraded = await handle.query(leadState);
      expect(upgraded.kind).toBe('HAND_RAISE');
      const tightenedBy = Date.parse(view.sla.dueAt!) - Date.parse(upgraded.sla.dueAt!);
      expect(tightenedBy).toBeGreaterThan(20 * 3_600_000);
      const handoffs = rec.recorded.tasks.filter((t) => t.kind === 'HANDOFF');
      expect(handoffs).toHaveLength(1);
      expect(handoffs[0]!.dueAt).toBe(upgraded.sla.dueAt);
    });
  });

  test('invalid transitions are refused with the stage and the allowed actions, and never reach history', async () => {
    await withWorker(policy, async (_rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      const qualify = await refusalOf(handle.executeUpdate(qualifyLead, { args: [{ body: { repId: OWNER, bant: { budget: 'y', authority: 'y', need: 'y', timeline: 'q1' } } }] }));
      expect(qualify).toEqual({
        type: 'INVALID_TRANSITION',
        message: `cannot qualify lead ${toId18(leadId)} in stage MQL (allowed in MQL: accept → SAL, contact → SAL, reject → RECYCLED, reassign → MQL, disqualify → DISQUALIFIED)`,
      });
      const convert = await refusalOf(handle.executeUpdate(convertLead, { args: [{ body: { repId: OWNER, opportunityId: '006000000000001AAA' } }] }));
      expect(convert.type).toBe('INVALID_TRANSITION');
      const bad = await refusalOf(handle.executeUpdate(acceptLead, { args: [{ body: { repId: '' } }] }));
      expect(bad.type).toBe('POLICY_VIOLATION');
      const history = await handle.fetchHistory();
      const updateEvents = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(updateEvents).toHaveLength(1);
    });
  });

  test('duplicates: a retried trigger and a retried update change nothing twice', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const trigger = { leadId, eventId: 'dup', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() };
      const first = await send(policy, trigger);
      const again = await send(policy, trigger);
      expect(again.view).toEqual(first.view);
      await first.handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }], updateId: 'accept-1' });
      await first.handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }], updateId: 'accept-1' });
      await first.handle.signal(recordEngagement, { body: { eventId: 'e1', type: 'webinar', occurredAt: now() } });
      await first.handle.signal(recordEngagement, { body: { eventId: 'e1', type: 'webinar', occurredAt: now() } });
      await env.sleep('1s');
      expect(rec.auditTypes()).toEqual(['QUALIFIED', 'ACCEPTED', 'ENGAGEMENT']);
      expect(rec.recorded.tasks.filter((t) => t.kind === 'HANDOFF')).toHaveLength(1);
    });
  });

  test('qualify → SQL → convert ends the workflow; disqualify and reassign work from SAL', async () => {
    await withWorker(policy, async (rec, send) => {
      const a = uniqueLeadId();
      const first = await send(policy, { leadId: a, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await first.handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      const reassigned = await first.handle.executeUpdate(reassignLead, { args: [{ body: { actorId: MANAGER, ownerId: '005000000000002AAA' } }] });
      expect(reassigned.ownerId).toBe('005000000000002AAA');
      const sql = await first.handle.executeUpdate(qualifyLead, { args: [{ body: { repId: OWNER, bant: { budget: '50k', authority: 'VP', need: 'routing', timeline: 'Q1' } } }] });
      expect(sql.stage).toBe('SQL');
      const converted = await first.handle.executeUpdate(convertLead, { args: [{ body: { repId: OWNER, opportunityId: '006000000000001AAA' } }] });
      expect(converted.stage).toBe('CONVERTED');
      expect((await closedState(first.handle)).stage).toBe('CONVERTED');

      const b = uniqueLeadId();
      const second = await send(policy, { leadId: b, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await second.handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      const dq = await second.handle.executeUpdate(disqualifyLead, { args: [{ body: { actorId: OWNER, reason: 'COMPETITOR' } }] });
      expect(dq.stage).toBe('DISQUALIFIED');
      expect((await closedState(second.handle)).stage).toBe('DISQUALIFIED');
      expect(rec.recorded.audit.filter((e) => e.leadId === toId18(b)).map((e) => e.type)).toEqual(['QUALIFIED', 'ACCEPTED', 'DISQUALIFIED']);
    });
  });

  test('stale: a lead left in SAL past the agreement is flagged with a task to its owner', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
      await handle.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      await handle.executeUpdate(logContactAttempt, { args: [{ body: { repId: OWNER, channel: 'call', outcome: 'connected' } }] });
      await env.sleep('15d');
      expect(rec.auditTypes()).toContain('STALE');
      expect(rec.recorded.tasks.find((t) => t.kind === 'STALE')?.ownerId).toBe(OWNER);
    });
  });

  test('low fit and low intent: no workflow is kept', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { view, handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), firmographics: { industry: 'Retail' } });
      expect(view.history.map((h) => h.type)).toEqual(['IGNORED']);
      await closedState(handle);
      expect(rec.auditTypes()).toEqual(['IGNORED']);
    });
  });

  test('a Salesforce write refused for good is recorded on the lead, and its clocks keep running', async () => {
    await withWorker(
      policy,
      async (rec, send) => {
        const leadId = uniqueLeadId();
        const { handle } = await send(policy, { leadId, eventId: 'q', occurredAt: now(), ownerId: OWNER, firmographics: hotFirmographics, activities: demo() });
        await env.sleep('61m');
        const view = await handle.query(leadState);
        expect(view.history.map((h) => h.type)).toContain('WRITE_FAILED');
        expect(view.history.find((h) => h.type === 'WRITE_FAILED')?.detail).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', target: 'salesforce' });
        expect(view.sla.status).toBe('BREACHED');
        expect(rec.auditTypes()).toContain('SLA_BREACHED');
      },
      { failSyncLead: (lead) => (lead.stage === 'MQL' && lead.slaStatus === 'ON_TRACK' ? 'FIELD_CUSTOM_VALIDATION_EXCEPTION' : undefined) },
    );
  });

  test('a 90-day nurture with weekly engagement costs one step per engagement: decay alone arms no timer', async () => {
    await withWorker(policy, async (rec, send) => {
      const leadId = uniqueLeadId();
      const { view, handle } = await send(policy, {
        leadId, eventId: 'q', occurredAt: now(), firmographics: hotFirmographics, activities: [{ type: 'whitepaper', occurredAt: now() }],
      });
      expect(view).toMatchObject({ stage: 'NURTURE', intentScore: 10 });
      for (let week = 1; week <= 12; week++) {
        await env.sleep('7d');
        await handle.signal(recordEngagement, { body: { eventId: `open-${week}`, type: 'email_open', occurredAt: new Date(await env.currentTimeMs()).toISOString() } });
      }
      await env.sleep('6d');
      const after = await handle.query(leadState);
      expect(after.stage).toBe('NURTURE');
      expect(rec.auditTypes().filter((t) => t === 'ENGAGEMENT')).toHaveLength(12);
      expect(rec.auditTypes()).not.toContain('INTENT_REEVALUATED');
      const history = await handle.fetchHistory();
      const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
      expect(timers).toHaveLength(0);
      expect(history.events!.length).toBeLessThan(150);
    });
  });
});
