import type { Connection } from 'jsforce';
import type { Emulator } from '../../tools/salesforce-emulator';
import type { LeadRecord } from '../../src/domain/effects';
import { classifyError } from '../../src/salesforce/errors';
import { DEFAULT_FIELD_MAP, resolveFieldMap, type FieldMap } from '../../src/salesforce/field-map';
import type { SalesforceWriterOptions } from '../../src/salesforce/writer';
import { handoffTask, leadRecord } from './fixtures';
import { activitiesFor, captureLogger, connectTo, createLeads, outcomeOf, startTestEmulator, writerFor } from './harness';

const PII_EMAIL = 'jane.doe@acme-freight.com';

describe('Salesforce activities: every error class, as the workflow sees it', () => {
  let emulator: Emulator;
  let rejectAllTokens: (on: boolean) => void;
  let conn: Connection;
  let leadId: string;

  beforeAll(async () => {
    ({ emulator, rejectAllTokens } = await startTestEmulator({
      validationRules: [{ sobject: 'Lead', field: 'Recycle_Notes__c', matches: 'blocked by rule', message: 'Recycle notes may not say that' }],
    }));
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    rejectAllTokens(false);
    conn = await connectTo(emulator);
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    leadId = id;
  });

  function setup(options: Partial<SalesforceWriterOptions> = {}) {
    const capture = captureLogger();
    const writer = writerFor(emulator, { connection: conn, logger: capture.logger, ...options });
    return { ...capture, activities: activitiesFor(writer, capture.logger) };
  }

  const syncLead = (activities: ReturnType<typeof setup>['activities'], lead: LeadRecord, id = 'lead-x:run-1:3') => activities.syncLead({ id, lead });

  describe('non-retryable: given back to the workflow with the Salesforce code (it records WRITE_FAILED)', () => {
    const cases: Array<{ code: string; what: string; lead?: (id: string) => LeadRecord; fieldMap?: FieldMap; before?: () => Promise<void> }> = [
      { code: 'MALFORMED_ID', what: 'lead id that is no Salesforce id (no call made)', lead: () => leadRecord('lead-42') },
      { code: 'NOT_FOUND', what: 'no such lead', lead: () => leadRecord('00Q000000000999EAA') },
      { code: 'ENTITY_IS_DELETED', what: 'lead deleted in Salesforce', before: async () => void (await conn.sobject('Lead').destroy(leadId)) },
      { code: 'REQUIRED_FIELD_MISSING', what: 'a required field mapped and cleared', fieldMap: resolveFieldMap({ lead: { recycleReason: 'Company' } }) },
    ];

    /** Refused for one field: the write lands without it and the Lead's Handoff_Sync_Error__c says why (issue 9). */
    const fieldCases: Array<{ code: string; what: string; field: string; lead?: (id: string) => LeadRecord; fieldMap?: FieldMap }> = [
      { code: 'INVALID_FIELD', what: 'mapped to a field the org lacks', field: 'Lifecycle_Stage__c', fieldMap: resolveFieldMap({ lead: { stage: 'Lifecycle_Stage__c' } }) },
      { code: 'MALFORMED_ID', what: 'owner id of the wrong shape', field: 'OwnerId', lead: (id) => leadRecord(id, { ownerId: 'not-an-id' }) },
      { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', what: 'validation rule', field: 'Recycle_Notes__c', lead: (id) => leadRecord(id, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: 'blocked by rule' }) },
      { code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', what: 'Status value the org lacks', field: 'Status', fieldMap: resolveFieldMap({ leadStatus: { MQL: 'Accepted' } }) },
      { code: 'STRING_TOO_LONG', what: 'workflow id over 255 characters', field: 'Handoff_Workflow_Id__c', lead: (id) => leadRecord(id, { workflowId: `lead-${'x'.repeat(300)}` }) },
      { code: 'INVALID_CROSS_REFERENCE_KEY', what: 'owner that does not exist', field: 'OwnerId', lead: (id) => leadRecord(id, { ownerId: '005000000000099AAA' }) },
    ];

    it.each(fieldCases)('$code ($what) is not a failure: the rest lands and the error is on the Lead', async ({ code, field, lead, fieldMap }) => {
      const { activities, lines } = setup({ fieldMap: fieldMap ?? DEFAULT_FIELD_MAP });
      const record = lead ? lead(leadId) : leadRecord(leadId);
      await syncLead(activities, { ...record, fitScore: 64 });
      const stored = emulator.records('Lead').find((r) => r.Id === leadId);
      expect(String(stored?.Handoff_Sync_Error__c)).toMatch(new RegExp(`^${code} \\[${field}\\] `));
      expect(stored).toMatchObject({ Fit_Score__c: 64, SLA_Due_At__c: '2026-11-02T23:30:00.000+0000', SLA_Status__c: 'ON_TRACK' });
      expect(lines()).toContainEqual(expect.objectContaining({ level: 40, sfErrorCode: code, fields: [field], leadId }));
    });

    it.each(cases)('$code: $what', async ({ code, lead, fieldMap, before }) => {
      await before?.();
      const { activities, lines } = setup({ fieldMap: fieldMap ?? DEFAULT_FIELD_MAP });
      const record = lead ? lead(leadId) : leadRecord(leadId);
      const failure = await outcomeOf(syncLead(activities, record));
      expect(failure).toMatchObject({ code, retryable: false, effectId: 'lead-x:run-1:3' });
      expect(failure.message).toMatch(new RegExp(`^${code}: `));
      expect(lines()).toContainEqual(
        expect.objectContaining({
          level: 50,
          msg: 'salesforce write rejected',
          sfErrorCode: code,
          leadId: record.leadId,
          effectId: 'lead-x:run-1:3',
          workflowId: 'wf-test',
          attempt: 1,
          retryable: false,
        }),
      );
    });

    it('logs and reports no personal data, even when Salesforce echoes the value', async () => {
      const { activities, text } = setup();
      const notes = `Call ${PII_EMAIL} back. ${'x'.repeat(33_000)}`;
      await syncLead(activities, leadRecord(leadId, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: notes }));
      const stored = emulator.records('Lead').find((r) => r.Id === leadId);
      expect(stored).toMatchObject({ Handoff_Stage__c: 'RECYCLED', Recycle_Reason__c: 'OTHER' });
      expect(String(stored?.Handoff_Sync_Error__c)).toMatch(/^STRING_TOO_LONG \[Recycle_Notes__c\] .*\[redacted\]/);
      expect(String(stored?.Handoff_Sync_Error__c)).not.toContain('jane.doe');
      expect(String(stored?.Handoff_Sync_Error__c)).not.toContain('xxxxxxxxxx');
      expect(text()).not.toContain('jane.doe');
      expect(text()).not.toContain('xxxxxxxxxx');
    });

    it('upsertTask: an unknown external id field is NOT_FOUND', async () => {
      const { activities } = setup({ fieldMap: resolveFieldMap({ task: { externalId: 'Subject' } }) });
      const failure = await outcomeOf(activities.upsertTask({ id: 'e-1', task: handoffTask(leadId, 'e-1') }));
      expect(failure).toMatchObject({ code: 'NOT_FOUND', retryable: false });
    });
  });

  describe('retryable: given back to the workflow to send again (after any delay Salesforce asks for), and the next attempt lands', () => {
    it.each([
      { fault: 'UNABLE_TO_LOCK_ROW' as const, codes: ['UNABLE_TO_LOCK_ROW'] },
      { fault: 'SERVER_ERROR' as const, codes: ['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE'] },
      { fault: 'DROP_CONNECTION' as const, codes: ['CONNECTION_ERROR'] },
      { fault: 'DROP_AFTER_WRITE' as const, codes: ['CONNECTION_ERROR'] },
    ])('$fault', async ({ fault, codes }) => {
      const { activities, lines } = setup();
      emulator.setFaults({ next: [fault] });
      const failure = await outcomeOf(syncLead(activities, leadRecord(leadId, { stage: 'SAL' })));
      expect(codes).toContain(failure.code);
      expect(failure.retryable).toBe(true);
      expect(failure.retryAfterMs).toBeNull();
      expect(lines()).toContainEqual(expect.objectContaining({ level: 40, msg: 'salesforce write failed; will retry', leadId, sfErrorCode: failure.code }));

      await syncLead(activities, leadRecord(leadId, { stage: 'SAL' }));
      expect(emulator.records('Lead')[0]?.Handoff_Stage__c).toBe('SAL');
    });

    it('REQUEST_LIMIT_EXCEEDED asks for a retry minutes later', async () => {
      const { activities } = setup();
      emulator.setFaults({ next: ['REQUEST_LIMIT_EXCEEDED'] });
      const failure = await outcomeOf(syncLead(activities, leadRecord(leadId)));
      expect(failure).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED', retryable: true, retryAfterMs: 300_000 });
    });

    it('a request that outlives the timeout is TIMEOUT', async () => {
      const slow = await connectTo(emulator, { requestTimeoutMs: 200 });
      const { activities } = setup({ connection: slow });
      emulator.setFaults({ latencyMs: 600 });
      const failure = await outcomeOf(syncLead(activities, leadRecord(leadId)));
      expect(failure).toMatchObject({ code: 'TIMEOUT', retryable: true });
    });

    it('INVALID_SESSION_ID once the one refresh did not help', async () => {
      const { activities } = setup();
      rejectAllTokens(true);
      emulator.expireTokens();
      const failure = await outcomeOf(activities.upsertTask({ id: 'e-2', task: handoffTask(leadId, 'e-2') }));
      expect(failure).toMatchObject({ code: 'INVALID_SESSION_ID', retryable: true });
    });

    it('credentials the org refuses: AUTH_FAILED, retried a minute later (an admin has to act)', async () => {
      const capture = captureLogger();
      const writer = writerFor(emulator, { logger: capture.logger }, { flow: 'clientCredentials', loginUrl: emulator.url, clientId: 'handoff-dev', clientSecret: 'wrong' });
      const failure = await outcomeOf(activitiesFor(writer, capture.logger).syncLead({ id: 'e-3', lead: leadRecord(leadId) }));
      expect(failure).toMatchObject({ code: 'AUTH_FAILED', retryable: true, retryAfterMs: 60_000 });
      expect(capture.text()).not.toContain('wrong');
    });
  });

  it('classifies what jsforce itself throws: DUPLICATE_VALUE from a single-record create', async () => {
    await conn.sobject('Task').create({ Subject: 'a', Handoff_Event_Id__c: 'dup-1' });
    const err = await conn
      .sobject('Task')
      .create({ Subject: 'b', Handoff_Event_Id__c: 'dup-1' })
      .catch((e: unknown) => e);
    expect(classifyError(err)).toMatchObject({ code: 'DUPLICATE_VALUE', retryable: false });
  });
});
