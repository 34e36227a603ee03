import type { Connection } from 'jsforce';
import type { Emulator } from '../../tools/salesforce-emulator';
import { leadToSalesforce, DEFAULT_FIELD_MAP } from '../../src/salesforce/field-map';
import type { SalesforceWriteError } from '../../src/salesforce/errors';
import { type WriteResult, writeResultSchema } from '../../src/domain/inputs';
import { handoffTask, leadRecord, QUEUE_ID, REP_ID } from './fixtures';
import { captureLogger, connectTo, createLeads, dataRequests, startTestEmulator, writerFor } from './harness';

/** The emulator's integration user: the owner of leads the tests create. */
const CREATOR_ID = '005000000000003AAA';

const COLLECTIONS_UPDATE = '/composite/sobjects';
const TASK_UPSERT = '/composite/sobjects/Task/Handoff_Event_Id__c';

describe('Salesforce writer (through jsforce against the emulator)', () => {
  let emulator: Emulator;
  let conn: Connection;

  beforeAll(async () => {
    ({ emulator } = await startTestEmulator({
      validationRules: [
        { sobject: 'Lead', field: 'Recycle_Notes__c', matches: 'blocked by rule', message: 'Notes may not say that' },
        {
          sobject: 'Lead',
          field: 'Status',
          equals: 'Closed - Converted',
          errorLocation: 'top',
          message: 'Convert leads with the Convert button',
        },
        {
          sobject: 'Lead',
          field: 'Handoff_Kind__c',
          equals: 'PQL',
          errorLocation: 'top',
          message: 'This org takes no PQL leads',
        },
      ],
    }));
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    conn = await connectTo(emulator);
  });

  const updates = () =>
    dataRequests(emulator).filter((r) => r.method === 'PATCH' && r.path.endsWith(COLLECTIONS_UPDATE));
  const lead = (id: string) => emulator.records('Lead').find((r) => r.Id === id);

  it('writes the mapped Lead fields with Sforce-Auto-Assign: FALSE', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    await writer.updateLead(
      leadRecord(id, { stage: 'SAL', slaStatus: 'MET', firstTouchAt: '2026-11-02T22:45:00Z', contactAttempts: 1 }),
    );

    expect(lead(id)).toMatchObject({
      Handoff_Stage__c: 'SAL',
      Handoff_Kind__c: 'HAND_RAISE',
      Fit_Score__c: 80,
      Intent_Score__c: 57.3,
      SLA_Due_At__c: '2026-11-02T23:30:00.000+0000',
      SLA_Status__c: 'MET',
      First_Touch_At__c: '2026-11-02T22:45:00.000+0000',
      SLA_Breaches__c: 0,
      Contact_Attempts__c: 1,
      Recycle_Reason__c: null,
      Handoff_Workflow_Id__c: `lead-${id}`,
      OwnerId: REP_ID,
      Status: 'Working - Contacted',
      Handoff_Sync_Error__c: null,
    });
    const [request] = updates();
    expect(request?.autoAssign).toBe('FALSE');
    expect(request?.headers['sforce-auto-assign']).toBe('FALSE');
  });

  it('does not touch OwnerId when the owner is unknown', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const owner = lead(id)?.OwnerId;
    await writerFor(emulator, { connection: conn }).updateLead(leadRecord(id, { ownerId: null }));
    expect(lead(id)?.OwnerId).toBe(owner);
  });

  it('upserts Tasks on Handoff_Event_Id__c: the same external id twice is one Task, updated', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    const task = handoffTask(id, 'lead-x:run-1:4', { reminderAt: '2026-11-02T23:15:00.000Z' });
    await writer.upsertTask(task);
    await writer.upsertTask(task);
    await writer.upsertTask({ ...task, subject: 'Hand-raise: call now (reassigned)' });

    const tasks = emulator.records('Task');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      Handoff_Event_Id__c: 'lead-x:run-1:4',
      Subject: 'Hand-raise: call now (reassigned)',
      WhoId: id,
      OwnerId: REP_ID,
      ActivityDate: '2026-11-02',
      ReminderDateTime: '2026-11-02T23:15:00.000+0000',
      IsReminderSet: true,
      Priority: 'High',
      Status: 'Not Started',
      IsClosed: false,
      Type: 'Call',
    });
    expect(tasks[0]?.Description).toContain('Respond by: 2026-11-02 23:30 UTC');
    expect(tasks[0]?.Description).toContain('+25  title matches VP|Director|Head of');
    expect(tasks[0]?.Description).toContain('2026-11-02 22:00 UTC  demo_request  +50 at the time, +50 now');
    expect(tasks[0]?.Description).toContain('Company: Acme Freight');
    expect(dataRequests(emulator, TASK_UPSERT)).toHaveLength(3);
  });

  it('concurrent upserts of the same task coalesce into one record of one call', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    const task = handoffTask(id, 'lead-y:run-1:9');
    await Promise.all([
      writer.upsertTask(task),
      writer.upsertTask(task),
      writer.upsertTask({ ...task, priority: 'Normal' }),
    ]);
    expect(emulator.records('Task')).toEqual([
      expect.objectContaining({ Handoff_Event_Id__c: 'lead-y:run-1:9', Priority: 'Normal' }),
    ]);
    expect(dataRequests(emulator, TASK_UPSERT)).toHaveLength(1);
  });

  it('batches N concurrent lead updates into at most ceil(N/200) Collections calls', async () => {
    const ids = await createLeads(conn, 450);
    const writer = writerFor(emulator, { connection: conn });
    await Promise.all(ids.map((id, i) => writer.updateLead(leadRecord(id, { contactAttempts: i % 10 }))));
    expect(updates().map((r) => r.records)).toEqual([200, 200, 50]);
    const byId = new Map(emulator.records('Lead').map((r) => [r.Id, r]));
    expect(ids.map((id) => byId.get(id)?.Contact_Attempts__c)).toEqual(ids.map((_, i) => i % 10));
  });

  it('flushes a partial batch after the normal window', async () => {
    const [a, b] = await createLeads(conn, 2);
    if (!a || !b) throw new Error('no leads');
    const writer = writerFor(emulator, { connection: conn, batch: { normalWindowMs: 30 } });
    const started = Date.now();
    await writer.updateLead(leadRecord(a));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await Promise.all([
      writer.updateLead(leadRecord(a, { stage: 'SAL' })),
      writer.updateLead(leadRecord(b, { stage: 'SAL' })),
    ]);
    expect(updates()).toHaveLength(2);
  });

  it('isolates per-record failures: each caller gets its own record result; a refused field does not fail the record', async () => {
    const ids = await createLeads(conn, 4);
    const [ok1, rejected, ok2, deleted] = ids;
    if (!ok1 || !rejected || !ok2 || !deleted) throw new Error('no leads');
    await conn.sobject('Lead').destroy(deleted);
    const writer = writerFor(emulator, { connection: conn });
    const results = await Promise.allSettled([
      writer.updateLead(leadRecord(ok1, { stage: 'SAL' })),
      writer.updateLead(
        leadRecord(rejected, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: 'blocked by rule' }),
      ),
      writer.updateLead(leadRecord(ok2, { stage: 'SQL' })),
      writer.updateLead(leadRecord(deleted, { stage: 'SAL' })),
      writer.updateLead(leadRecord('00Q000000000999EAA', { stage: 'SAL' })),
      writer.updateLead(leadRecord('00T000000000001EAA', { stage: 'SAL' })),
    ]);
    const outcome = (r: PromiseSettledResult<WriteResult>) =>
      r.status === 'fulfilled'
        ? `ok${r.value.syncError ? `:${r.value.syncError.code}` : ''}`
        : `${(r.reason as SalesforceWriteError).code}:${(r.reason as SalesforceWriteError).retryable}`;
    expect(results.map(outcome)).toEqual([
      'ok',
      'ok:FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'ok',
      'ENTITY_IS_DELETED:false',
      'NOT_FOUND:false',
      'MALFORMED_ID:false',
    ]);
    expect(updates().map((r) => r.records)).toEqual([6, 1]);
    expect(lead(ok1)?.Handoff_Stage__c).toBe('SAL');
    expect(lead(ok2)?.Handoff_Stage__c).toBe('SQL');
    expect(lead(rejected)).toMatchObject({
      Handoff_Stage__c: 'RECYCLED',
      Recycle_Reason__c: 'OTHER',
      Handoff_Sync_Error__c: 'FIELD_CUSTOM_VALIDATION_EXCEPTION [Recycle_Notes__c] Notes may not say that',
    });
    expect(lead(rejected)?.Recycle_Notes__c ?? null).toBeNull();
  });

  it('a later write of a waiting lead supersedes the earlier one (a full snapshot); both callers get its result', async () => {
    const [id, other] = await createLeads(conn, 2);
    if (!id || !other) throw new Error('no leads');
    const writer = writerFor(emulator, { connection: conn });
    const earlier = writer.updateLead(leadRecord(id, { stage: 'MQL', contactAttempts: 0 }));
    const neighbour = writer.updateLead(leadRecord(other));
    const later = writer.updateLead(leadRecord(id, { stage: 'SAL', contactAttempts: 2, ownerId: null }));
    await Promise.all([earlier, neighbour, later]);

    expect(updates().map((r) => r.records)).toEqual([2]);
    // The later snapshot has no owner: the earlier one's OwnerId is not sent either.
    expect(lead(id)).toMatchObject({ Handoff_Stage__c: 'SAL', Contact_Attempts__c: 2, OwnerId: CREATOR_ID });

    const first = writer.updateLead(leadRecord(id, { stage: 'SQL' }));
    const second = writer.updateLead(
      leadRecord(id, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: 'blocked by rule' }),
    );
    const both = await Promise.all([first, second]);
    expect(both[0]).toEqual(both[1]);
    expect(both[0].syncError).toMatchObject({
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: ['Recycle_Notes__c'],
    });
  });

  it('never sends a lead again while its previous write is in flight (writes to one lead stay in order)', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    emulator.setFaults({ latencyMs: 100 });
    const writer = writerFor(emulator, { connection: conn, batch: { normalWindowMs: 0 } });
    const first = writer.updateLead(leadRecord(id, { contactAttempts: 1 }));
    await new Promise((r) => setTimeout(r, 20));
    const second = writer.updateLead(leadRecord(id, { contactAttempts: 2 }));
    const third = writer.updateLead(leadRecord(id, { contactAttempts: 3 }));
    await Promise.all([first, second, third]);
    expect(updates()).toHaveLength(2);
    expect(lead(id)?.Contact_Attempts__c).toBe(3);
  });

  it('reads the remaining allocation from Sforce-Limit-Info and, below the floor, slows writes down', async () => {
    const { emulator: small } = await startTestEmulator({ dailyApiLimit: 1_000 });
    try {
      const smallConn = await connectTo(small);
      const ids = await createLeads(smallConn, 3);
      const [a, b, c] = ids;
      if (!a || !b || !c) throw new Error('no leads');
      const { logger, lines } = captureLogger();
      const batch = { normalWindowMs: 10, lowAllocationNormalWindowMs: 400, minRemainingApiCalls: 100 };
      const writer = writerFor(small, { connection: smallConn, batch, logger });
      const staggered = async () => {
        const first = writer.updateLead(leadRecord(a));
        await new Promise((r) => setTimeout(r, 60));
        await Promise.all([first, writer.updateLead(leadRecord(b)), writer.updateLead(leadRecord(c))]);
      };
      const calls = () => dataRequests(small).filter((r) => r.method === 'PATCH').length;

      expect(writer.remainingApiCalls()).toBeNull();
      await writer.updateLead(leadRecord(a));
      expect(writer.remainingApiCalls()).toBe(1_000 - small.apiCalls());
      let before = calls();
      await staggered();
      expect(calls() - before).toBe(2);

      small.setApiCalls(950);
      await writer.updateLead(leadRecord(a));
      expect(writer.remainingApiCalls()).toBe(49);
      before = calls();
      const started = Date.now();
      await staggered();
      expect(calls() - before).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(lines()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 40,
            msg: 'salesforce api allocation below floor: slowing writes',
            remainingApiCalls: 49,
            floor: 100,
          }),
        ]),
      );
    } finally {
      await small.close();
    }
  });

  it('spends the last calls of the allocation, then fails with a retryable REQUEST_LIMIT_EXCEEDED', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    emulator.setApiCalls(100_000);
    await expect(writerFor(emulator, { connection: conn }).updateLead(leadRecord(id))).rejects.toMatchObject({
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryable: true,
      retryAfterMs: 300_000,
    });
  });

  it('without batching, sends one REST call per write', async () => {
    const ids = await createLeads(conn, 3);
    const writer = writerFor(emulator, { connection: conn, batch: false });
    await Promise.all(ids.map((id) => writer.updateLead(leadRecord(id, { stage: 'SAL' }))));
    const [id] = ids;
    if (!id) throw new Error('no lead');
    await writer.upsertTask(handoffTask(id, 'e/with:odd chars'));
    await writer.upsertTask(handoffTask(id, 'e/with:odd chars'));
    await writer.closeTask({ externalId: 'e/with:odd chars', leadId: id, reason: 'Converted' });
    const singles = dataRequests(emulator).filter((r) => r.method === 'PATCH');
    expect(singles.map((r) => r.path.replace(/00Q\w+/, '<id>'))).toEqual([
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Task/Handoff_Event_Id__c/e%2Fwith%3Aodd%20chars',
      '/services/data/v62.0/sobjects/Task/Handoff_Event_Id__c/e%2Fwith%3Aodd%20chars',
      '/services/data/v62.0/sobjects/Task/Handoff_Event_Id__c/e%2Fwith%3Aodd%20chars',
    ]);
    expect(singles.slice(0, 3).every((r) => r.autoAssign === 'FALSE')).toBe(true);
    expect(emulator.records('Task')).toEqual([
      expect.objectContaining({ Status: 'Completed', IsClosed: true, Handoff_Close_Reason__c: 'Converted' }),
    ]);
    expect(ids.every((i) => lead(i)?.Handoff_Stage__c === 'SAL')).toBe(true);
  });

  it('ping answers from a recent success, else asks /limits; close() sends what is pending', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn, pingMaxAgeMs: 50, batch: { normalWindowMs: 10_000 } });
    await writer.ping();
    expect(dataRequests(emulator, '/limits')).toHaveLength(1);
    await writer.ping();
    expect(dataRequests(emulator, '/limits')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    await writer.ping();
    expect(dataRequests(emulator, '/limits')).toHaveLength(2);

    const pending = writer.updateLead(leadRecord(id, { stage: 'SQL' }));
    await writer.close();
    await pending;
    expect(lead(id)?.Handoff_Stage__c).toBe('SQL');
  });

  it('the field map decides what is written', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const fieldMap = {
      ...DEFAULT_FIELD_MAP,
      lead: { ...DEFAULT_FIELD_MAP.lead, recycleNotes: null, workflowId: null },
    };
    await writerFor(emulator, { connection: conn, fieldMap }).updateLead(leadRecord(id, { recycleNotes: 'x' }));
    const record = lead(id);
    expect(record?.Recycle_Notes__c ?? null).toBeNull();
    expect(record?.Handoff_Workflow_Id__c ?? null).toBeNull();
    expect(Object.keys(leadToSalesforce(leadRecord(id), fieldMap))).not.toContain('Recycle_Notes__c');
  });

  describe('a field Salesforce refuses does not block the others', () => {
    it.each([
      { owner: 'an unknown user', ownerId: '005000000000099AAA' },
      { owner: 'a queue the org lacks (15-character id)', ownerId: '00G000000000099' },
    ])(
      'a lead owned by $owner still gets its stage, SLA and score fields and shows the error; the next good write clears it',
      async ({ ownerId }) => {
        const [id] = await createLeads(conn, 1);
        if (!id) throw new Error('no lead');
        const writer = writerFor(emulator, { connection: conn });
        const result = await writer.updateLead(
          leadRecord(id, {
            stage: 'SAL',
            ownerId,
            slaStatus: 'BREACHED',
            slaBreaches: 1,
            fitScore: 91,
            intentScore: 12,
          }),
        );

        const syncError = {
          code: 'INVALID_CROSS_REFERENCE_KEY',
          fields: ['OwnerId'],
          message: 'Owner ID: invalid cross reference id',
        };
        expect(result).toEqual({ syncError });
        expect(writeResultSchema.parse(result)).toEqual(result);
        expect(lead(id)).toMatchObject({
          Handoff_Stage__c: 'SAL',
          SLA_Status__c: 'BREACHED',
          SLA_Due_At__c: '2026-11-02T23:30:00.000+0000',
          SLA_Breaches__c: 1,
          Fit_Score__c: 91,
          Intent_Score__c: 12,
          Status: 'Working - Contacted',
          OwnerId: CREATOR_ID,
          Handoff_Sync_Error__c: 'INVALID_CROSS_REFERENCE_KEY [OwnerId] Owner ID: invalid cross reference id',
        });
        expect(updates().map((r) => r.records)).toEqual([1, 1]);

        await expect(writer.updateLead(leadRecord(id, { stage: 'SQL' }))).resolves.toEqual({ syncError: null });
        expect(lead(id)).toMatchObject({ Handoff_Stage__c: 'SQL', OwnerId: REP_ID, Handoff_Sync_Error__c: null });
      },
    );

    it('the leads of one batch refused for a field are retried together; the others are not sent again', async () => {
      const ids = await createLeads(conn, 5);
      const writer = writerFor(emulator, { connection: conn });
      const bad = new Set([ids[1], ids[3]]);
      const results = await Promise.all(
        ids.map((id) =>
          writer.updateLead(leadRecord(id, { stage: 'SAL', ownerId: bad.has(id) ? '005000000000098AAA' : REP_ID })),
        ),
      );
      expect(results.map((r) => r.syncError?.code ?? null)).toEqual([
        null,
        'INVALID_CROSS_REFERENCE_KEY',
        null,
        'INVALID_CROSS_REFERENCE_KEY',
        null,
      ]);
      expect(updates().map((r) => r.records)).toEqual([5, 2]);
      expect(ids.map((id) => lead(id)?.Handoff_Stage__c)).toEqual(['SAL', 'SAL', 'SAL', 'SAL', 'SAL']);
      expect(ids.map((id) => lead(id)?.OwnerId)).toEqual([REP_ID, CREATOR_ID, REP_ID, CREATOR_ID, REP_ID]);
    });

    it('a restricted picklist value the org lacks is left out; the rest lands', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const fieldMap = { ...DEFAULT_FIELD_MAP, leadStatus: { ...DEFAULT_FIELD_MAP.leadStatus, SAL: 'Working - Hot' } };
      const result = await writerFor(emulator, { connection: conn, fieldMap }).updateLead(
        leadRecord(id, { stage: 'SAL' }),
      );
      expect(result.syncError).toMatchObject({ code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] });
      expect(result.syncError?.message).toContain('Working - Hot');
      expect(lead(id)).toMatchObject({ Handoff_Stage__c: 'SAL', OwnerId: REP_ID, Status: 'Open - Not Contacted' });
      expect(String(lead(id)?.Handoff_Sync_Error__c)).toMatch(
        /^INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST \[Status\] Status: bad value for restricted picklist field: Working - Hot$/,
      );
    });

    it('a validation rule that names no field: Status and OwnerId are left out, Handoff’s own fields land', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const result = await writerFor(emulator, { connection: conn }).updateLead(
        leadRecord(id, { stage: 'CONVERTED', slaStatus: 'MET' }),
      );
      expect(result).toEqual({
        syncError: {
          code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          fields: ['Status', 'OwnerId'],
          message: 'Convert leads with the Convert button',
        },
      });
      expect(lead(id)).toMatchObject({
        Handoff_Stage__c: 'CONVERTED',
        SLA_Status__c: 'MET',
        Status: 'Open - Not Contacted',
        OwnerId: CREATOR_ID,
        Handoff_Sync_Error__c:
          'FIELD_CUSTOM_VALIDATION_EXCEPTION [Status, OwnerId] Convert leads with the Convert button',
      });
    });

    it('a refusal that leaving fields out cannot cure rejects the write, not retryable, and changes nothing', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      await expect(
        writerFor(emulator, { connection: conn }).updateLead(leadRecord(id, { kind: 'PQL' })),
      ).rejects.toMatchObject({
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        retryable: false,
        message: 'This org takes no PQL leads',
      });
      expect(updates().map((r) => r.records)).toEqual([1, 1]);
      expect(lead(id)?.Handoff_Stage__c ?? null).toBeNull();
    });

    it('a field the org lacks (INVALID_FIELD) is left out', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const fieldMap = { ...DEFAULT_FIELD_MAP, lead: { ...DEFAULT_FIELD_MAP.lead, workflowId: 'Handoff_Missing__c' } };
      const result = await writerFor(emulator, { connection: conn, fieldMap }).updateLead(
        leadRecord(id, { stage: 'SQL' }),
      );
      expect(result.syncError).toMatchObject({ code: 'INVALID_FIELD', fields: ['Handoff_Missing__c'] });
      expect(lead(id)).toMatchObject({
        Handoff_Stage__c: 'SQL',
        Handoff_Sync_Error__c: expect.stringMatching(/^INVALID_FIELD \[Handoff_Missing__c\]/),
      });
    });

    it('unbatched writes fall back the same way, one REST call per attempt', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const writer = writerFor(emulator, { connection: conn, batch: false });
      const result = await writer.updateLead(leadRecord(id, { stage: 'SAL', ownerId: '005000000000097AAA' }));
      expect(result.syncError).toMatchObject({ code: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'] });
      expect(dataRequests(emulator, `/sobjects/Lead/${id}`).map((r) => [r.method, r.status])).toEqual([
        ['PATCH', 400],
        ['PATCH', 204],
      ]);
      expect(lead(id)).toMatchObject({
        Handoff_Stage__c: 'SAL',
        Handoff_Sync_Error__c: expect.stringContaining('INVALID_CROSS_REFERENCE_KEY'),
      });
      await expect(writer.updateLead(leadRecord('00Q000000000998EAA'))).rejects.toMatchObject({
        code: 'NOT_FOUND',
        retryable: false,
      });
    });

    it('a locked row still rejects as retryable (Temporal retries the whole write)', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      emulator.setFaults({ writesOnly: true, rates: { UNABLE_TO_LOCK_ROW: 1 } });
      await expect(
        writerFor(emulator, { connection: conn }).updateLead(leadRecord(id, { ownerId: '005000000000099AAA' })),
      ).rejects.toMatchObject({
        code: 'UNABLE_TO_LOCK_ROW',
        retryable: true,
      });
      expect(updates()).toHaveLength(1);
    });
  });

  describe('task lifecycle', () => {
    it('closeTask completes the task with the reason and no reminder left; a close of a task still waiting merges with its upsert', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const writer = writerFor(emulator, { connection: conn });
      await writer.upsertTask(handoffTask(id, 'e-close-1', { reminderAt: '2026-11-02T23:15:00.000Z' }));
      await writer.closeTask({ externalId: 'e-close-1', leadId: id, reason: 'First touch by the owner' });
      const task = (externalId: string) => emulator.records('Task').find((t) => t.Handoff_Event_Id__c === externalId);
      expect(task('e-close-1')).toMatchObject({
        Subject: 'Hand-raise: call within 1 business hour',
        OwnerId: REP_ID,
        WhoId: id,
        Status: 'Completed',
        IsClosed: true,
        CompletedDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        IsReminderSet: false,
        Handoff_Close_Reason__c: 'First touch by the owner',
      });

      await Promise.all([
        writer.upsertTask(handoffTask(id, 'e-close-2', { subject: 'Escalation' })),
        writer.closeTask({ externalId: 'e-close-2', leadId: id, reason: `Converted ${'x'.repeat(300)}` }),
      ]);
      expect(dataRequests(emulator, TASK_UPSERT).map((r) => r.records)).toEqual([1, 1, 1]);
      expect(task('e-close-2')).toMatchObject({ Subject: 'Escalation', Status: 'Completed', IsClosed: true });
      expect(String(task('e-close-2')?.Handoff_Close_Reason__c)).toHaveLength(255);
      expect(emulator.records('Task')).toHaveLength(2);
    });

    it('a task for a queue (or nobody) is not sent an OwnerId, and says so in a warning', async () => {
      const [id] = await createLeads(conn, 1);
      if (!id) throw new Error('no lead');
      const { logger, lines } = captureLogger();
      const writer = writerFor(emulator, { connection: conn, logger });
      await writer.upsertTask(handoffTask(id, 'e-queue', { ownerId: QUEUE_ID, kind: 'ESCALATION' }));
      await writer.upsertTask(handoffTask(id, 'e-nobody', { ownerId: null }));
      expect(emulator.records('Task').map((t) => t.OwnerId)).toEqual([CREATOR_ID, CREATOR_ID]);
      const warnings = lines().filter(
        (l) => l.level === 40 && String(l.msg).startsWith('salesforce task has no user owner'),
      );
      expect(warnings.map((w) => [w.externalId, w.owner])).toEqual([
        ['e-queue', 'queue'],
        ['e-nobody', 'none'],
      ]);
    });
  });

  describe('batch windows by write class', () => {
    it('a critical write goes out at its own window while normal writes wait for a fuller batch', async () => {
      const ids = await createLeads(conn, 4);
      const [escalated] = ids;
      if (!escalated) throw new Error('no lead');
      const writer = writerFor(emulator, { connection: conn, batch: { criticalWindowMs: 20, normalWindowMs: 60_000 } });
      const normal = ids.slice(0, 3).map((id) => writer.updateLead(leadRecord(id, { stage: 'SAL' })));
      await writer.upsertTask(handoffTask(escalated, 'esc-1', { kind: 'ESCALATION' }), { priority: 'critical' });

      expect(dataRequests(emulator, TASK_UPSERT).map((r) => r.records)).toEqual([1]);
      expect(updates()).toHaveLength(0);
      normal.push(writer.updateLead(leadRecord(ids[3] ?? '', { stage: 'SAL' })));
      await writer.close();
      await Promise.all(normal);
      expect(updates().map((r) => r.records)).toEqual([4]);
    });

    it('a critical lead write takes the waiting ones along; a later normal write of it supersedes it and keeps its deadline', async () => {
      const [a, b, c] = await createLeads(conn, 3);
      if (!a || !b || !c) throw new Error('no leads');
      const writer = writerFor(emulator, { connection: conn, batch: { criticalWindowMs: 20, normalWindowMs: 60_000 } });
      const waiting = [a, b].map((id) => writer.updateLead(leadRecord(id, { stage: 'SAL' })));
      const critical = writer.updateLead(leadRecord(c, { stage: 'SAL', slaBreaches: 1 }), { priority: 'critical' });
      const superseding = writer.updateLead(leadRecord(c, { stage: 'SAL', slaBreaches: 2 }));
      // Resolves well inside the test timeout only because the batch leaves at the critical window.
      await Promise.all([...waiting, critical, superseding]);
      expect(updates().map((r) => r.records)).toEqual([3]);
      expect(lead(c)?.SLA_Breaches__c).toBe(2);
    });

    it('a full batch (200 records) goes out at once, whatever the window', async () => {
      const ids = await createLeads(conn, 200);
      const writer = writerFor(emulator, { connection: conn, batch: { normalWindowMs: 60_000 } });
      await Promise.all(ids.map((id) => writer.updateLead(leadRecord(id, { stage: 'SQL' }))));
      expect(updates().map((r) => r.records)).toEqual([200]);
    });
  });
});
