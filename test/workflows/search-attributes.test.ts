import { TypedSearchAttributes } from '@temporalio/common';
import { step } from '../../src/domain/lifecycle';
import { searchAttributes, searchAttributeValues, SearchAttributeTracker, startSearchAttributes } from '../../src/workflows/search-attributes';
import { testPolicy } from '../helpers/policy';
import { apply, freshLead, HOT, LEAD_ID, ny, plainMql, received } from '../domain/lead-fixtures';

const policy = testPolicy();
const names = (pairs: { key: { name: string } }[]) => pairs.map((p) => p.key.name).sort();

describe('search attributes: one upsert per change, only of what changed', () => {
  test("a new lead's first upsert carries only the attributes that have a value", () => {
    const { state } = plainMql(policy);
    const changed = new SearchAttributeTracker(new TypedSearchAttributes()).changed(state);
    expect(names(changed)).toEqual(
      names(searchAttributeValues(state).filter((p) => p.value !== null)),
    );
    expect(names(changed)).not.toContain(searchAttributes.recycleReason.name);
  });

  test('a touch alone is no upsert; the count rides with the next change', () => {
    const tracker = new SearchAttributeTracker(new TypedSearchAttributes());
    const accepted = apply(plainMql(policy).state, { type: 'accept', repId: 'rep-1' }, ny('2026-11-23T10:00'), policy).state;
    tracker.changed(accepted);
    const touched = apply(accepted, { type: 'contact', repId: 'rep-1', channel: 'call', outcome: 'no_answer' }, ny('2026-11-23T11:00'), policy).state;
    expect(touched.cadence.attempts).toBe(1);
    expect(tracker.changed(touched)).toEqual([]);
    const rejected = apply(touched, { type: 'reject', repId: 'rep-1', reason: 'NO_BUDGET' }, ny('2026-11-23T12:00'), policy).state;
    const changed = tracker.changed(rejected);
    expect(names(changed)).toEqual(expect.arrayContaining([searchAttributes.stage.name, searchAttributes.contactAttempts.name]));
    expect(changed.find((p) => p.key.name === searchAttributes.contactAttempts.name)?.value).toBe(1);
    expect(tracker.changed(rejected)).toEqual([]);
  });

  test('after continue-as-new the run starts from the attributes it carried: nothing to upsert', () => {
    const { state } = plainMql(policy);
    const carried = new TypedSearchAttributes(searchAttributeValues(state).filter((p) => p.value !== null) as never);
    expect(new SearchAttributeTracker(carried).changed(state)).toEqual([]);
  });
});

describe('a lead started with the attributes of its first trigger', () => {
  test('the workflow, stepping the trigger seconds later, has nothing to upsert', () => {
    const receivedAt = '2026-11-23T15:00:00.000Z';
    const t = { leadId: LEAD_ID, eventId: 'q', occurredAt: receivedAt, kind: 'MQL' as const, firmographics: HOT, ownerId: 'rep-1' };
    const atStart = startSearchAttributes(`lead-${LEAD_ID}`, t, policy, receivedAt);
    expect(names(atStart)).toEqual(expect.arrayContaining([searchAttributes.stage.name, searchAttributes.slaDueAt.name, searchAttributes.qualifiedAt.name]));
    const later = Date.parse(receivedAt) + 5_000;
    const r = step(freshLead(policy, later), received({ type: 'trigger', trigger: t }, later, receivedAt), later, policy);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(new SearchAttributeTracker(new TypedSearchAttributes(atStart)).changed(r.state)).toEqual([]);
  });

  test('a trigger the domain refuses starts the lead without attributes', () => {
    const receivedAt = '2026-11-23T15:00:00.000Z';
    const t = { leadId: LEAD_ID, eventId: 'q', occurredAt: receivedAt, team: 'nowhere' };
    expect(startSearchAttributes(`lead-${LEAD_ID}`, t, policy, receivedAt)).toEqual([]);
  });
});
