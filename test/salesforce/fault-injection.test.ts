import type { Emulator } from '../../tools/salesforce-emulator';
import type { LeadRecord } from '../../src/domain/effects';
import type { Stage } from '../../src/domain/model';
import { handoffTask, leadRecord } from './fixtures';
import type { BatchResult } from '../../src/workflows/outbox';
import { activitiesFor, connectTo, createLeads, startTestEmulator, writerFor } from './harness';

const LEADS = 60;
const STEPS: Stage[] = ['MQL', 'SAL', 'SAL', 'SQL', 'SQL', 'CONVERTED'];

/** What the workflow's outbox does with a write given back as retryable: send it again, without limit. */
async function withRetries(attempt: () => Promise<BatchResult>, failures: Map<string, number>): Promise<void> {
  for (;;) {
    const { failed } = await attempt();
    const [failure] = failed;
    if (!failure) return;
    if (!failure.retryable) throw new Error(`refused for good: ${failure.message}`);
    failures.set(failure.code, (failures.get(failure.code) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('20% fault injection: every write lands exactly once', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    ({ emulator } = await startTestEmulator());
  });
  afterAll(() => emulator.close());

  beforeEach(() => emulator.reset());

  it.each([
    { mode: 'batched (10 a call, so that faults hit many calls)', batch: { normalWindowMs: 10, maxBatchSize: 10 } },
    { mode: 'unbatched', batch: false as const },
  ])('$mode: lead fields end at the last snapshot and each task exists once', async ({ batch }) => {
    const conn = await connectTo(emulator);
    const leadIds = await createLeads(conn, LEADS);
    emulator.setFaults({
      seed: 7,
      writesOnly: true,
      rates: { UNABLE_TO_LOCK_ROW: 0.05, SERVER_ERROR: 0.04, DROP_CONNECTION: 0.04, DROP_AFTER_WRITE: 0.05, REQUEST_LIMIT_EXCEEDED: 0.02 },
    });
    const activities = activitiesFor(writerFor(emulator, { batch }));
    const failures = new Map<string, number>();
    const last = new Map<string, LeadRecord>();

    await Promise.all(
      leadIds.map(async (leadId) => {
        for (const [step, stage] of STEPS.entries()) {
          const lead = leadRecord(leadId, { stage, contactAttempts: step, slaStatus: step > 0 ? 'MET' : 'ON_TRACK' });
          const effectId = `lead-${leadId}:run-1:${step}`;
          await withRetries(() => activities.syncLead({ id: `${effectId}:lead`, lead }), failures);
          const task = handoffTask(leadId, `${effectId}:task`, { subject: `Step ${step}` });
          await withRetries(() => activities.upsertTask({ id: `${effectId}:task`, task }), failures);
          last.set(leadId, lead);
        }
      }),
    );
    emulator.setFaults({});
    const injected = new Set(emulator.requestLog().map((e) => e.fault));
    expect(injected).toContain('DROP_AFTER_WRITE');

    expect([...failures.keys()]).toEqual(
      expect.arrayContaining(['UNABLE_TO_LOCK_ROW', 'CONNECTION_ERROR', 'REQUEST_LIMIT_EXCEEDED', expect.stringMatching(/^(UNKNOWN_EXCEPTION|SERVER_UNAVAILABLE)$/)]),
    );
    const tasks = emulator.records('Task');
    const byExternalId = new Map<string, number>();
    for (const t of tasks) byExternalId.set(String(t.Handoff_Event_Id__c), (byExternalId.get(String(t.Handoff_Event_Id__c)) ?? 0) + 1);
    expect(tasks).toHaveLength(LEADS * STEPS.length);
    expect([...byExternalId.values()].every((n) => n === 1)).toBe(true);
    for (const t of tasks) expect(t.Subject).toBe(`Step ${String(t.Handoff_Event_Id__c).split(':').at(-2)}`);

    for (const record of emulator.records('Lead')) {
      const expected = last.get(String(record.Id));
      expect(record).toMatchObject({ Handoff_Stage__c: expected?.stage, Contact_Attempts__c: expected?.contactAttempts, Status: 'Closed - Converted' });
    }
  });
});
