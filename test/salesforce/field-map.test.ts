import type { Stage } from '../../src/domain/model';
import {
  DEFAULT_FIELD_MAP,
  leadToSalesforce,
  renderPacket,
  resolveFieldMap,
  taskCloseToSalesforce,
  taskOwnerIsUser,
  taskToSalesforce,
} from '../../src/salesforce/field-map';
import { handoffTask, leadRecord, QUEUE_ID, REP_ID } from './fixtures';

const LEAD_ID = '00Q000000000001AAA';

describe('leadToSalesforce', () => {
  it('maps every Handoff field to its API name (DESIGN §3.3) with enum names and UTC instants', () => {
    const fields = leadToSalesforce(
      leadRecord(LEAD_ID, {
        stage: 'RECYCLED',
        slaStatus: 'BREACHED',
        firstTouchAt: '2026-11-03T10:15:00+13:45',
        slaBreaches: 1,
        contactAttempts: 3,
        recycleReason: 'NO_BUDGET',
        recycleNotes: 'Budget frozen until Q3',
        intentScore: 12.3456,
      }),
      DEFAULT_FIELD_MAP,
    );
    expect(fields).toEqual({
      Handoff_Stage__c: 'RECYCLED',
      Handoff_Kind__c: 'HAND_RAISE',
      Fit_Score__c: 80,
      Intent_Score__c: 12.35,
      SLA_Due_At__c: '2026-11-02T23:30:00.000Z',
      SLA_Status__c: 'BREACHED',
      First_Touch_At__c: '2026-11-02T20:30:00.000Z',
      SLA_Breaches__c: 1,
      Contact_Attempts__c: 3,
      Recycle_Reason__c: 'NO_BUDGET',
      Recycle_Notes__c: 'Budget frozen until Q3',
      Handoff_Workflow_Id__c: `lead-${LEAD_ID}`,
      OwnerId: REP_ID,
      Status: 'Closed - Not Converted',
      Handoff_Sync_Error__c: null,
    });
  });

  it('derives the standard Status from the stage', () => {
    const status = (stage: Stage) => leadToSalesforce(leadRecord(LEAD_ID, { stage }), DEFAULT_FIELD_MAP).Status;
    expect(status('MQL')).toBe('Open - Not Contacted');
    expect(status('SAL')).toBe('Working - Contacted');
    expect(status('SQL')).toBe('Working - Contacted');
    expect(status('CONVERTED')).toBe('Closed - Converted');
    expect(status('DISQUALIFIED')).toBe('Closed - Not Converted');
    expect(status('NURTURE')).toBe('Closed - Not Converted');
  });

  it('writes null to clear a field, but never OwnerId when the owner is unknown', () => {
    const fields = leadToSalesforce(leadRecord(LEAD_ID, { ownerId: null, slaDueAt: null }), DEFAULT_FIELD_MAP);
    expect(fields).not.toHaveProperty('OwnerId');
    expect(fields.SLA_Due_At__c).toBeNull();
    expect(fields.Recycle_Reason__c).toBeNull();
  });

  it('follows a configured map: renamed fields, unmapped fields and stages without a Status', () => {
    const map = resolveFieldMap({
      lead: { stage: 'Lifecycle_Stage__c', recycleNotes: null },
      leadStatus: { MQL: null },
    });
    const fields = leadToSalesforce(leadRecord(LEAD_ID), map);
    expect(fields.Lifecycle_Stage__c).toBe('MQL');
    expect(fields).not.toHaveProperty('Handoff_Stage__c');
    expect(fields).not.toHaveProperty('Recycle_Notes__c');
    expect(fields).not.toHaveProperty('Status');
  });
});

describe('taskToSalesforce', () => {
  it('maps the task for an upsert on Handoff_Event_Id__c (due date is the UTC date, whatever the host zone)', () => {
    const fields = taskToSalesforce(
      handoffTask(LEAD_ID, 'lead-x:run:7', { reminderAt: '2026-11-03T12:15:00+13:45' }),
      DEFAULT_FIELD_MAP,
    );
    expect(fields).toMatchObject({
      Handoff_Event_Id__c: 'lead-x:run:7',
      Subject: 'Hand-raise: call within 1 business hour',
      WhoId: LEAD_ID,
      OwnerId: REP_ID,
      ActivityDate: '2026-11-02',
      ReminderDateTime: '2026-11-02T22:30:00.000Z',
      IsReminderSet: true,
      Priority: 'High',
      Status: 'Not Started',
      Type: 'Call',
    });
    expect(fields.Description).toMatch(/^New HAND_RAISE lead routed to you\.\n\nHandoff packet: HAND_RAISE lead\n/);
  });

  it('leaves the owner to Salesforce for a queue owner or none, and sets no reminder without reminderAt', () => {
    const queued = handoffTask(LEAD_ID, 'e-1', { ownerId: QUEUE_ID, dueAt: null, packet: null, kind: 'ESCALATION' });
    const fields = taskToSalesforce(queued, DEFAULT_FIELD_MAP);
    expect(fields).not.toHaveProperty('OwnerId');
    expect(fields).toMatchObject({
      ActivityDate: null,
      ReminderDateTime: null,
      IsReminderSet: false,
      Type: 'Other',
      Description: 'New HAND_RAISE lead routed to you.',
    });
    expect(taskOwnerIsUser(queued)).toBe(false);
    expect(taskOwnerIsUser({ ...queued, ownerId: null })).toBe(false);
    expect(taskOwnerIsUser({ ...queued, ownerId: REP_ID })).toBe(true);
  });

  it('a due time alone sets the due date but no reminder: the reminder comes from reminderAt', () => {
    const fields = taskToSalesforce(handoffTask(LEAD_ID, 'e-3', { reminderAt: null }), DEFAULT_FIELD_MAP);
    expect(fields).toMatchObject({ ActivityDate: '2026-11-02', ReminderDateTime: null, IsReminderSet: false });
  });
});

describe('taskCloseToSalesforce', () => {
  it('closes with the closed status and the reason (255 characters at most), on the lead, with no reminder left', () => {
    const fields = taskCloseToSalesforce(
      { externalId: 'e-4', leadId: LEAD_ID, reason: 'First touch by the owner' },
      DEFAULT_FIELD_MAP,
    );
    expect(fields).toEqual({
      Handoff_Event_Id__c: 'e-4',
      WhoId: LEAD_ID,
      Status: 'Completed',
      IsReminderSet: false,
      Handoff_Close_Reason__c: 'First touch by the owner',
    });
    const long = taskCloseToSalesforce(
      { externalId: 'e-5', leadId: LEAD_ID, reason: 'r'.repeat(300) },
      DEFAULT_FIELD_MAP,
    );
    expect(String(long.Handoff_Close_Reason__c)).toHaveLength(255);
  });

  it('follows the field map: another closed status, no reason field', () => {
    const map = resolveFieldMap({ task: { closedStatus: 'Closed - Handoff', closeReason: null } });
    const fields = taskCloseToSalesforce({ externalId: 'e-6', leadId: LEAD_ID, reason: 'x' }, map);
    expect(fields.Status).toBe('Closed - Handoff');
    expect(Object.keys(fields)).not.toContain('Handoff_Close_Reason__c');
  });

  it('keeps Subject and Description within their field lengths', () => {
    const fields = taskToSalesforce(
      handoffTask(LEAD_ID, 'e-2', { subject: 'x'.repeat(400), description: 'y'.repeat(40_000) }),
      DEFAULT_FIELD_MAP,
    );
    expect(String(fields.Subject)).toHaveLength(255);
    expect(String(fields.Description)).toHaveLength(32_000);
  });
});

describe('renderPacket', () => {
  it('renders what a rep needs for the first call', () => {
    const packet = handoffTask(LEAD_ID, 'e').packet;
    if (!packet) throw new Error('fixture has a packet');
    expect(renderPacket(packet)).toBe(
      [
        'Handoff packet: HAND_RAISE lead',
        'Respond by: 2026-11-02 23:30 UTC',
        '',
        'Fit score: 80',
        '  +20  industry in Software, Fintech, Logistics',
        '  +25  title matches VP|Director|Head of',
        '  -15  free email domain',
        '',
        'Intent score: 57.25 (decayed with inactivity)',
        'Qualifying activities (newest first):',
        '  2026-11-02 22:00 UTC  demo_request  +50 at the time, +50 now',
        '  2026-10-20 09:00 UTC  pricing_visit  +9 at the time, +7.25 now',
        '',
        'Firmographics:',
        '  Company: Acme Freight',
        '  Industry: Logistics',
        '  Employees: 120',
        '  Region: NA',
        '  Title: VP Operations',
      ].join('\n'),
    );
  });

  it('says so when a section is empty', () => {
    const text = renderPacket({
      kind: 'MQL',
      dueAt: null,
      fitScore: 0,
      fitBreakdown: [],
      intentScore: 0,
      intentBreakdown: [],
      firmographics: {},
    });
    expect(text).toContain('Respond by: no deadline');
    expect(text.match(/\(none\)/g)).toHaveLength(3);
  });
});
