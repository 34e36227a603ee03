import type { HandoffTask, SalesforceEffect } from '../../src/domain/effects';
import { DEFAULT_FIELD_MAP, leadToSalesforce, taskToSalesforce } from '../../src/salesforce/field-map';
import { leadRecord } from '../salesforce/fixtures';
import { compareSalesforce, expectedSalesforce } from './salesforce-record';

const LEAD = '00Q8c00000AbCdEEA1';
type OrgRecord = Record<string, unknown>;
const task = (externalId: string, subject: string): HandoffTask => ({
  externalId,
  leadId: LEAD,
  kind: 'HANDOFF' as const,
  ownerId: '0058c00000QrStUAAV',
  subject,
  description: 'work it',
  dueAt: '2026-12-02T14:00:00.000Z',
  priority: 'High' as const,
  reminderAt: '2026-12-01T21:30:00.000Z',
  packet: null,
});
const written: SalesforceEffect[] = [
  { type: 'syncLead', id: 's1', priority: 'normal', lead: leadRecord(LEAD, { stage: 'MQL' }) },
  { type: 'upsertTask', id: 't1', priority: 'critical', task: task('h-1', 'Hand raiser') },
  { type: 'upsertTask', id: 't2', priority: 'normal', task: task('r-1', 'Reminder') },
  { type: 'closeTask', id: 'c1', close: { externalId: 'r-1', leadId: LEAD, reason: 'worked' } },
  { type: 'syncLead', id: 's2', priority: 'normal', lead: leadRecord(LEAD, { stage: 'SAL' }) },
];
/** The org as the writer leaves it: instants as Salesforce answers them. */
function org(): { lead: OrgRecord; tasks: OrgRecord[] } {
  const lead = { Id: LEAD, ...leadToSalesforce(leadRecord(LEAD, { stage: 'SAL' }), DEFAULT_FIELD_MAP) };
  const handoff = { Id: '00T1', ...taskToSalesforce(task('h-1', 'Hand raiser'), DEFAULT_FIELD_MAP), ReminderDateTime: '2026-12-01T21:30:00.000+0000' };
  const reminder = {
    Id: '00T2',
    ...taskToSalesforce(task('r-1', 'Reminder'), DEFAULT_FIELD_MAP),
    Status: 'Completed',
    IsReminderSet: false,
    Handoff_Close_Reason__c: 'worked',
  };
  return { lead, tasks: [handoff, reminder] };
}
const whats = (o: ReturnType<typeof org>) => compareSalesforce(LEAD, expectedSalesforce(written), o.lead, o.tasks).map((d) => d.what);

describe('the drill compares Salesforce with the writes history committed', () => {
  test('the org as the writes leave it: no difference (the last sync wins, a close overrides the upsert)', () => {
    expect(whats(org())).toEqual([]);
  });

  test('a Task written twice, a Task never written, a missing Task and a stale field are each a difference', () => {
    const twice = org();
    twice.tasks.push({ ...twice.tasks[0]!, Id: '00T3' });
    expect(whats(twice)).toEqual(['salesforce: 2 Tasks for one write']);

    const extra = org();
    extra.tasks.push({ ...extra.tasks[0]!, Id: '00T4', Handoff_Event_Id__c: 'x-9', Subject: 'stray' });
    expect(whats(extra)).toEqual(['salesforce: a Task history never wrote (stray)']);

    const missing = org();
    missing.tasks.pop();
    expect(whats(missing)).toEqual(['salesforce: a Task history wrote is missing']);

    const stale = org();
    stale.lead.Handoff_Stage__c = 'MQL';
    stale.tasks[1]!.Status = 'Not Started';
    expect(whats(stale)).toEqual([
      'salesforce Handoff_Stage__c: org "MQL" ≠ history "SAL"',
      'salesforce Status: org "Not Started" ≠ history "Completed"',
    ]);
  });

  test('an org without the Lead or its Tasks differs; a lead history wrote nothing for has nothing to compare', () => {
    expect(compareSalesforce(LEAD, expectedSalesforce(written), undefined, []).map((d) => d.what)).toEqual([
      'salesforce: the Lead is missing',
      'salesforce: a Task history wrote is missing',
      'salesforce: a Task history wrote is missing',
    ]);
    expect(compareSalesforce(LEAD, expectedSalesforce([]), undefined, [])).toEqual([]);
  });
});
