import type { AuditEvent, Effect, LeadRecord, SalesforceEffect } from '../../src/domain/effects';
import { Outbox } from '../../src/workflows/outbox';
import { handoffTask, leadRecord } from '../salesforce/fixtures';

const LEAD = '00Q000000000001EAA';
const row = (id: string): Effect => ({ type: 'ledger', id, event: { id } as AuditEvent });
const sync = (id: string, patch: Partial<LeadRecord> = {}): SalesforceEffect => ({
  type: 'syncLead',
  id,
  priority: 'normal',
  lead: leadRecord(LEAD, patch),
});
const upsert = (id: string, externalId: string): SalesforceEffect => ({
  type: 'upsertTask',
  id,
  priority: 'critical',
  task: handoffTask(LEAD, externalId),
});
const close = (id: string, externalId: string): SalesforceEffect => ({
  type: 'closeTask',
  id,
  close: { externalId, leadId: LEAD, reason: 'worked' },
});
const ids = (effects: readonly { id: string }[]) => effects.map((e) => e.id);

describe('the outbox: how a step’s effects leave the workflow', () => {
  it('sends what waits as one batch, one batch in flight at a time; what comes meanwhile leaves together next', () => {
    const outbox = new Outbox(LEAD, `lead-${LEAD}`);
    expect(outbox.ready(0)).toBe(false);
    outbox.push([row('r1'), sync('s1'), upsert('t1', 'task-1')]);
    expect(outbox.ready(0)).toBe(true);
    const first = outbox.take();
    expect([ids(first.ledger), ids(first.salesforce)]).toEqual([['r1'], ['s1', 't1']]);
    expect(() => outbox.take()).toThrow(/already in flight/);

    outbox.push([row('r2'), sync('s2', { stage: 'SAL' })]);
    outbox.push([row('r3'), sync('s3', { stage: 'SQL' })]);
    expect(outbox.ready(0)).toBe(false);
    expect(outbox.settle({ failed: [] }, 0)).toEqual([]);
    const second = outbox.take();
    // Two steps, one batch: both rows, and only the newest snapshot of the lead (a sync is a full snapshot).
    expect([ids(second.ledger), ids(second.salesforce)]).toEqual([['r2', 'r3'], ['s3']]);
  });

  it('never lets a close replace its task’s upsert (the task may not exist yet): both leave, upsert first', () => {
    const outbox = new Outbox(LEAD, `lead-${LEAD}`);
    outbox.push([upsert('t1', 'task-1')]);
    outbox.push([close('c1', 'task-1'), upsert('t2', 'task-1')]);
    expect(ids(outbox.take().salesforce)).toEqual(['c1', 't2']);
  });

  it('gives a retryable failure back to the next batch after a backoff, at least as long as Salesforce asked; new effects do not wait for it', () => {
    const outbox = new Outbox(LEAD, `lead-${LEAD}`);
    outbox.push([row('r1'), sync('s1'), upsert('t1', 'task-1')]);
    outbox.take();
    const given = outbox.settle(
      {
        failed: [
          { effectId: 's1', code: 'REQUEST_LIMIT_EXCEEDED', message: 'x', retryable: true, retryAfterMs: 300_000 },
        ],
      },
      1_000,
    );
    expect(given).toEqual([]);
    expect(outbox.ready(1_000)).toBe(false);
    expect(outbox.waitMs(1_000)).toBe(300_000);
    expect(outbox.ready(301_000)).toBe(true);
    expect(ids(outbox.take().salesforce)).toEqual(['s1']);

    // A failure again, then a new step: its effects leave at once, with the retry, no backoff.
    outbox.settle(
      { failed: [{ effectId: 's1', code: 'UNABLE_TO_LOCK_ROW', message: 'x', retryable: true, retryAfterMs: null }] },
      302_000,
    );
    outbox.push([row('r2'), upsert('t2', 'task-2')]);
    expect(outbox.ready(302_000)).toBe(true);
    const next = outbox.take();
    expect([ids(next.ledger), ids(next.salesforce)]).toEqual([['r2'], ['s1', 't2']]);
  });

  it('drops a failed lead snapshot when a newer one waits, and hands non-retryable failures back to the lead', () => {
    const outbox = new Outbox(LEAD, `lead-${LEAD}`);
    outbox.push([sync('s1'), upsert('t1', 'task-1')]);
    outbox.take();
    outbox.push([sync('s2', { stage: 'SAL' })]);
    const given = outbox.settle(
      {
        failed: [
          { effectId: 's1', code: 'SERVER_UNAVAILABLE', message: 'x', retryable: true, retryAfterMs: null },
          { effectId: 't1', code: 'NOT_FOUND', message: 'NOT_FOUND: gone', retryable: false, retryAfterMs: null },
        ],
      },
      0,
    );
    expect(given).toEqual([expect.objectContaining({ effectId: 't1', code: 'NOT_FOUND' })]);
    expect(ids(outbox.take().salesforce)).toEqual(['s2']);
  });

  it('carries everything not yet acknowledged across continue-as-new, the batch in flight included', () => {
    const outbox = new Outbox(LEAD, `lead-${LEAD}`);
    outbox.push([row('r1'), sync('s1')]);
    outbox.take();
    outbox.push([row('r2'), upsert('t1', 'task-1')]);
    const carried = new Outbox(LEAD, `lead-${LEAD}`, outbox.snapshot());
    const batch = carried.take();
    expect([ids(batch.ledger), ids(batch.salesforce)]).toEqual([
      ['r1', 'r2'],
      ['s1', 't1'],
    ]);
  });
});
