import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Emulator } from '../../tools/salesforce-emulator';
import { createEffectsActivities, HEARTBEAT_AFTER_MS } from '../../src/activities/effects';
import type { AuditEvent } from '../../src/domain/effects';
import type { EffectBatch } from '../../src/workflows/outbox';
import { leadRecord } from './fixtures';
import { connectTo, createLeads, startTestEmulator, writerFor } from './harness';

/** A batch on a slow org heartbeats, so a worker killed under it costs a heartbeat timeout, not a minute; a quick one does not (heartbeats are billable). */
describe('the effects activity heartbeats only while a batch is slow', () => {
  let emulator: Emulator;
  let leadId: string;

  beforeAll(async () => {
    ({ emulator } = await startTestEmulator());
    [leadId] = (await createLeads(await connectTo(emulator), 1)) as [string];
  });
  afterAll(() => emulator.close());

  async function run(): Promise<{ heartbeats: number; failed: number }> {
    const rows: AuditEvent[] = [];
    const ledger = { append: async (events: readonly AuditEvent[]) => ({ inserted: rows.push(...events) }) };
    const logger = new DefaultLogger('ERROR');
    const writer = writerFor(emulator);
    const { applyEffects } = createEffectsActivities({ salesforce: writer, ledger: ledger as never, logger: { warn: () => undefined, error: () => undefined } as never });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf-test', runId: 'run-test' } }, { logger });
    let heartbeats = 0;
    env.on('heartbeat', () => (heartbeats += 1));
    const batch: EffectBatch = { leadId, workflowId: 'wf-test', ledger: [], salesforce: [{ type: 'syncLead', id: `e-${Date.now()}`, priority: 'normal', lead: leadRecord(leadId, { stage: 'SAL' }) }] };
    const result = (await env.run(applyEffects, batch)) as Awaited<ReturnType<typeof applyEffects>>;
    await writer.close();
    return { heartbeats, failed: result.failed.length };
  }

  test('a write that takes longer than HEARTBEAT_AFTER_MS heartbeats and still lands', async () => {
    emulator.setFaults({ latencyMs: HEARTBEAT_AFTER_MS + 1_500 });
    const slow = await run();
    emulator.setFaults({});
    expect(slow.failed).toBe(0);
    expect(slow.heartbeats).toBeGreaterThanOrEqual(1);
    expect(emulator.records('Lead').find((r) => r.Id === leadId)?.Handoff_Stage__c).toBe('SAL');
  }, 30_000);

  test('a quick batch sends none', async () => {
    const quick = await run();
    expect(quick).toEqual({ heartbeats: 0, failed: 0 });
  });
});
