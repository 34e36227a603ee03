import type { Connection } from 'jsforce';
import type { Emulator } from '../../tools/salesforce-emulator';
import { leadToSalesforce, DEFAULT_FIELD_MAP } from '../../src/salesforce/field-map';
import type { SalesforceWriteError } from '../../src/salesforce/errors';
import { handoffTask, leadRecord, REP_ID } from './fixtures';
import { captureLogger, connectTo, createLeads, dataRequests, startTestEmulator, writerFor } from './harness';

const COLLECTIONS_UPDATE = '/composite/sobjects';
const TASK_UPSERT = '/composite/sobjects/Task/Handoff_Event_Id__c';

describe('Salesforce writer (through jsforce against the emulator)', () => {
  let emulator: Emulator;
  let conn: Connection;

  beforeAll(async () => {
    ({ emulator } = await startTestEmulator({
      validationRules: [{ sobject: 'Lead', field: 'Recycle_Notes__c', matches: 'blocked by rule', message: 'Notes may not say that' }],
    }));
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    conn = await connectTo(emulator);
  });

  const updates = () => dataRequests(emulator).filter((r) => r.method === 'PATCH' && r.path.endsWith(COLLECTIONS_UPDATE));
  const lead = (id: string) => emulator.records('Lead').find((r) => r.Id === id);

  it('writes the mapped Lead fields with Sforce-Auto-Assign: FALSE', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    await writer.updateLead(leadRecord(id, { stage: 'SAL', slaStatus: 'MET', firstTouchAt: '2026-11-02T22:45:00Z', contactAttempts: 1 }));

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
    const task = handoffTask(id, 'lead-x:run-1:4');
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
      ReminderDateTime: '2026-11-02T23:30:00.000+0000',
      IsReminderSet: true,
      Priority: 'High',
      Status: 'Not Started',
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
    await Promise.all([writer.upsertTask(task), writer.upsertTask(task), writer.upsertTask({ ...task, priority: 'Normal' })]);
    expect(emulator.records('Task')).toEqual([expect.objectContaining({ Handoff_Event_Id__c: 'lead-y:run-1:9', Priority: 'Normal' })]);
    expect(dataRequests(emulator, TASK_UPSERT)).toHaveLength(1);
  });

  it('batches N concurrent lead updates into at most ceil(N/200) Collections calls', async () => {
    const ids = await createLeads(conn, 450);
    const writer = writerFor(emulator, { connection: conn });
    await Promise.all(ids.map((id, i) => writer.updateLead(leadRecord(id, { contactAttempts: i % 10 }))));
    expect(updates()).toHaveLength(Math.ceil(450 / 200));
    ids.forEach((id, i) => expect(lead(id)?.Contact_Attempts__c).toBe(i % 10));
  });

  it('flushes a partial batch after the delay', async () => {
    const [a, b] = await createLeads(conn, 2);
    if (!a || !b) throw new Error('no leads');
    const writer = writerFor(emulator, { connection: conn, batch: { flushDelayMs: 30 } });
    const started = Date.now();
    await writer.updateLead(leadRecord(a));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await Promise.all([writer.updateLead(leadRecord(a, { stage: 'SAL' })), writer.updateLead(leadRecord(b, { stage: 'SAL' }))]);
    expect(updates()).toHaveLength(2);
  });

  it('isolates per-record failures: each caller gets its own record result', async () => {
    const ids = await createLeads(conn, 4);
    const [ok1, rejected, ok2, deleted] = ids;
    if (!ok1 || !rejected || !ok2 || !deleted) throw new Error('no leads');
    await conn.sobject('Lead').destroy(deleted);
    const writer = writerFor(emulator, { connection: conn });
    const results = await Promise.allSettled([
      writer.updateLead(leadRecord(ok1, { stage: 'SAL' })),
      writer.updateLead(leadRecord(rejected, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: 'blocked by rule' })),
      writer.updateLead(leadRecord(ok2, { stage: 'SQL' })),
      writer.updateLead(leadRecord(deleted, { stage: 'SAL' })),
      writer.updateLead(leadRecord('00Q000000000999EAA', { stage: 'SAL' })),
      writer.updateLead(leadRecord('00T000000000001EAA', { stage: 'SAL' })),
    ]);
    const outcome = (r: PromiseSettledResult<void>) =>
      r.status === 'fulfilled' ? 'ok' : `${(r.reason as SalesforceWriteError).code}:${(r.reason as SalesforceWriteError).retryable}`;
    expect(results.map(outcome)).toEqual([
      'ok',
      'FIELD_CUSTOM_VALIDATION_EXCEPTION:false',
      'ok',
      'ENTITY_IS_DELETED:false',
      'NOT_FOUND:false',
      'MALFORMED_ID:false',
    ]);
    expect(updates()).toHaveLength(1);
    expect(lead(ok1)?.Handoff_Stage__c).toBe('SAL');
    expect(lead(ok2)?.Handoff_Stage__c).toBe('SQL');
    expect(lead(rejected)?.Handoff_Stage__c ?? null).toBeNull();
  });

  it('coalesces two pending updates of the same lead into the later one; both callers get its result', async () => {
    const [id, other] = await createLeads(conn, 2);
    if (!id || !other) throw new Error('no leads');
    const writer = writerFor(emulator, { connection: conn });
    const earlier = writer.updateLead(leadRecord(id, { stage: 'MQL', contactAttempts: 0 }));
    const neighbour = writer.updateLead(leadRecord(other));
    const later = writer.updateLead(leadRecord(id, { stage: 'SAL', contactAttempts: 2, ownerId: null }));
    await Promise.all([earlier, neighbour, later]);

    expect(updates()).toHaveLength(1);
    expect(lead(id)).toMatchObject({ Handoff_Stage__c: 'SAL', Contact_Attempts__c: 2, OwnerId: REP_ID });

    const failingEarlier = writer.updateLead(leadRecord(id, { stage: 'SQL' }));
    const failingLater = writer.updateLead(leadRecord(id, { stage: 'RECYCLED', recycleReason: 'OTHER', recycleNotes: 'blocked by rule' }));
    await expect(failingEarlier).rejects.toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    await expect(failingLater).rejects.toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
  });

  it('never sends a lead again while its previous write is in flight (writes to one lead stay in order)', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    emulator.setFaults({ latencyMs: 100 });
    const writer = writerFor(emulator, { connection: conn, batch: { flushDelayMs: 0 } });
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
      const batch = { flushDelayMs: 10, lowAllocationFlushDelayMs: 400, minRemainingApiCalls: 100 };
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
          expect.objectContaining({ level: 40, msg: 'salesforce api allocation below floor: slowing writes', remainingApiCalls: 49, floor: 100 }),
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
    const singles = dataRequests(emulator).filter((r) => r.method === 'PATCH');
    expect(singles.map((r) => r.path.replace(/00Q\w+/, '<id>'))).toEqual([
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Lead/<id>',
      '/services/data/v62.0/sobjects/Task/Handoff_Event_Id__c/e%2Fwith%3Aodd%20chars',
      '/services/data/v62.0/sobjects/Task/Handoff_Event_Id__c/e%2Fwith%3Aodd%20chars',
    ]);
    expect(singles.slice(0, 3).every((r) => r.autoAssign === 'FALSE')).toBe(true);
    expect(emulator.records('Task')).toHaveLength(1);
    expect(ids.every((i) => lead(i)?.Handoff_Stage__c === 'SAL')).toBe(true);
  });

  it('ping answers from a recent success, else asks /limits; close() sends what is pending', async () => {
    const [id] = await createLeads(conn, 1);
    if (!id) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn, pingMaxAgeMs: 50, batch: { flushDelayMs: 10_000 } });
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
    const fieldMap = { ...DEFAULT_FIELD_MAP, lead: { ...DEFAULT_FIELD_MAP.lead, recycleNotes: null, workflowId: null } };
    await writerFor(emulator, { connection: conn, fieldMap }).updateLead(leadRecord(id, { recycleNotes: 'x' }));
    const record = lead(id);
    expect(record?.Recycle_Notes__c ?? null).toBeNull();
    expect(record?.Handoff_Workflow_Id__c ?? null).toBeNull();
    expect(Object.keys(leadToSalesforce(leadRecord(id), fieldMap))).not.toContain('Recycle_Notes__c');
  });
});
