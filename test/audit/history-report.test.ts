import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createLedger, type Ledger } from '../../src/audit/ledger';
import { slaReport } from '../../src/audit/reports';
import type { AuditEvent } from '../../src/domain/effects';
import { toId18 } from '../../src/domain/salesforce-id';
import { acceptLead, disqualifyLead, logContactAttempt, reassignLead, rejectLead } from '../../src/workflows/messages';
import { hotFirmographics, sendTrigger, TASK_QUEUE, uniqueLeadId } from '../helpers/leads';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { timeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { acceptingSalesforce, emptySalesforceReader } from '../helpers/accepting-salesforce';
import { silentLogger } from './drivers';
import { auditEventsFromHistory, slaReportFromEvents } from './report-from-history';

const OWNER = '005000000000009AAA';
const REP_2 = toId18('005000000000010')!;
const MANAGER = '005000000000001AAA';
const FALLBACK = toId18('00G000000000001')!;
const DAY = 86_400_000;

/**
 * A handful of leads on the time-skipping server, their effects applied by the real effects
 * activity to a PGlite ledger (Salesforce stubbed to succeed: it is not under test here). The SLA
 * report rebuilt from each workflow's own history must be the SQL report over the ledger.
 */
describe('the SLA report rebuilt from the workflow histories', () => {
  let env: TestWorkflowEnvironment;
  let dataDir: string;
  let ledger: Ledger;

  beforeAll(async () => {
    env = await timeSkippingEnv();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-history-report-'));
    ledger = await createLedger({ dataDir, logger: silentLogger });
  });
  afterAll(async () => {
    await ledger?.close();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('equals the SQL report over the ledger the same run wrote: rows, statuses, owners, response types', async () => {
    const policy = testPolicy(ALWAYS_TEAM);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        ledger,
        salesforce: acceptingSalesforce,
        salesforceReader: emptySalesforceReader,
        logger: silentLogger,
        policy: () => policy,
      }),
    });
    const startedAt = await env.currentTimeMs();
    const leads = {
      accepted: uniqueLeadId(),
      contacted: uniqueLeadId(),
      rejected: uniqueLeadId(),
      disqualified: uniqueLeadId(),
      breached: uniqueLeadId(),
      pending: uniqueLeadId(),
      reassigned: uniqueLeadId(),
    };
    const id18 = Object.fromEntries(Object.entries(leads).map(([k, v]) => [k, toId18(v)!])) as typeof leads;

    await worker.runUntil(async () => {
      const now = () => new Date(startedAt).toISOString();
      const handRaiser = (leadId: string) =>
        sendTrigger(env.client, policy, {
          leadId,
          eventId: `q-${leadId}`,
          occurredAt: now(),
          ownerId: OWNER,
          firmographics: hotFirmographics,
          activities: [{ type: 'demo_request', occurredAt: now() }],
        });
      const h = {
        accepted: (await handRaiser(leads.accepted)).handle,
        contacted: (await handRaiser(leads.contacted)).handle,
        rejected: (await handRaiser(leads.rejected)).handle,
        disqualified: (await handRaiser(leads.disqualified)).handle,
        breached: (await handRaiser(leads.breached)).handle,
        reassigned: (await handRaiser(leads.reassigned)).handle,
      };
      // A plain MQL: a day's window, nobody acts.
      await sendTrigger(env.client, policy, {
        leadId: leads.pending,
        eventId: 'q-pending',
        occurredAt: now(),
        kind: 'MQL',
        ownerId: OWNER,
        firmographics: hotFirmographics,
      });

      await env.sleep('5m');
      await h.rejected.executeUpdate(rejectLead, { args: [{ body: { repId: OWNER, reason: 'NO_BUDGET' } }] });
      await h.disqualified.executeUpdate(disqualifyLead, { args: [{ body: { actorId: MANAGER, reason: 'SPAM' } }] });
      await h.reassigned.executeUpdate(reassignLead, { args: [{ body: { actorId: MANAGER, ownerId: REP_2 } }] });
      await env.sleep('5m');
      await h.contacted.executeUpdate(logContactAttempt, {
        args: [{ body: { repId: OWNER, channel: 'call', outcome: 'connected' } }],
      });
      await env.sleep('10m');
      await h.accepted.executeUpdate(acceptLead, { args: [{ body: { repId: OWNER } }] });
      await env.sleep('15m');
      await h.reassigned.executeUpdate(acceptLead, { args: [{ body: { repId: REP_2 } }] });
      // The hand-raiser's hour ran out at 60 min: reassigned to the team's queue; the manager calls at 62.
      await env.sleep('27m');
      await h.breached.executeUpdate(logContactAttempt, {
        args: [{ body: { repId: MANAGER, channel: 'call', outcome: 'voicemail' } }],
      });
      await env.sleep('2s');
      await ledgerCaughtUp(Object.values(id18));
    });

    const histories = new Map<string, AuditEvent[]>();
    for (const leadId of Object.values(id18))
      histories.set(leadId, await auditEventsFromHistory(env.client, `lead-${leadId}`));
    // The ledger holds exactly what the histories committed, row for row.
    for (const [leadId, events] of histories) expect(await ledger.events(leadId)).toEqual(events);

    const day = Math.floor(startedAt / DAY) * DAY;
    const window = { from: new Date(day - DAY).toISOString(), to: new Date(day + 2 * DAY).toISOString() };
    const fromHistory = slaReportFromEvents([...histories.values()].flat(), window);
    const fromSql = await slaReport(ledger, window);
    expect(fromSql).toEqual(fromHistory);

    const byLead = Object.fromEntries(
      fromSql.leads.map((l) => [l.leadId, [l.status, l.ownerId, l.breachedOwnerId, l.responseType]]),
    );
    expect(byLead).toEqual({
      [id18.accepted]: ['MET', OWNER, null, 'accept'],
      [id18.contacted]: ['MET', OWNER, null, 'contact'],
      [id18.rejected]: ['MET', OWNER, null, 'reject'],
      [id18.disqualified]: ['CLOSED_UNWORKED', OWNER, null, null],
      [id18.breached]: ['BREACHED', OWNER, OWNER, 'contact'],
      [id18.pending]: ['PENDING', OWNER, null, null],
      [id18.reassigned]: ['MET', REP_2, null, 'accept'],
    });
    expect(fromSql.totals).toEqual({ leads: 7, met: 4, breached: 1, pending: 1, closedUnworked: 1 });
    expect(fromSql.complianceRate).toBe(0.8);
    // The breached lead was handed to the queue after the breach: the queue is not the one credited.
    const breachedRows = histories.get(id18.breached)!;
    expect(breachedRows.find((e) => e.type === 'REASSIGNED')?.detail).toMatchObject({ from: OWNER, to: FALLBACK });
  });

  /** Waits (real time) until every committed batch reached the ledger. */
  async function ledgerCaughtUp(leadIds: string[]): Promise<void> {
    for (let i = 0; i < 100; i++) {
      let behind = 0;
      for (const leadId of leadIds) {
        const committed = await auditEventsFromHistory(env.client, `lead-${leadId}`);
        if ((await ledger.events(leadId)).length < committed.length) behind += 1;
      }
      if (behind === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the ledger did not catch up with the workflow histories');
  }
});
