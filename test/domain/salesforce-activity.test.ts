import fc from 'fast-check';
import { channelSchema, outcomeSchema } from '../../src/domain/model';
import { PolicyError } from '../../src/domain/policy';
import {
  activityTouch,
  instant,
  leadConversion,
  salesforceActivityPolicySchema,
  touchChannel,
  type SalesforceActivityRecord,
} from '../../src/domain/salesforce-activity';
import { toId18 } from '../../src/domain/salesforce-id';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy().salesforceActivity;
const LEAD15 = '00Q5g00000AbCdE';
const LEAD18 = toId18(LEAD15)!;
const REP15 = '0055g00000XyZaB';
const REP18 = toId18(REP15)!;

const task = (fields: Partial<SalesforceActivityRecord> = {}): SalesforceActivityRecord => ({
  Id: '00T5g00000Qq1Rs',
  WhoId: LEAD18,
  OwnerId: REP18,
  Type: 'Call',
  TaskSubtype: 'Call',
  CallDisposition: 'Connected',
  Status: 'Completed',
  CreatedDate: '2026-12-01T14:00:00.000+0000',
  CompletedDateTime: '2026-12-01T14:05:00.000+0000',
  StartDateTime: null,
  SystemModstamp: '2026-12-01T14:05:00.000+0000',
  Handoff_Event_Id__c: null,
  ...fields,
});

describe('touchChannel: Salesforce Task/Event → channel and outcome', () => {
  test('a logged call with a CTI call result', () => {
    expect(touchChannel('Task', task(), policy)).toEqual({ channel: 'call', outcome: 'connected' });
    expect(touchChannel('Task', task({ CallDisposition: 'left voicemail ' }), policy)).toEqual({
      channel: 'call',
      outcome: 'voicemail',
    });
    expect(touchChannel('Task', task({ CallDisposition: 'Wrong Number' }), policy)).toEqual({
      channel: 'call',
      outcome: 'wrong_number',
    });
    expect(touchChannel('Task', task({ CallDisposition: 'rang out twice' }), policy)).toEqual({
      channel: 'call',
      outcome: 'no_answer',
    });
    expect(touchChannel('Task', task({ CallDisposition: null }), policy)).toEqual({
      channel: 'call',
      outcome: 'no_answer',
    });
  });

  test('TaskSubtype wins over Type; Type alone is enough; a call result means nothing on an email', () => {
    expect(
      touchChannel('Task', task({ TaskSubtype: 'Email', Type: 'Call', CallDisposition: 'Connected' }), policy),
    ).toEqual({
      channel: 'email',
      outcome: 'no_answer',
    });
    expect(touchChannel('Task', task({ TaskSubtype: 'Task', Type: 'Email' }), policy)).toEqual({
      channel: 'email',
      outcome: 'no_answer',
    });
    expect(touchChannel('Task', task({ TaskSubtype: 'ListEmail', Type: null }), policy)).toEqual({
      channel: 'email',
      outcome: 'no_answer',
    });
    expect(touchChannel('Task', task({ TaskSubtype: 'LinkedIn', Type: null }), policy)).toEqual({
      channel: 'linkedin',
      outcome: 'no_answer',
    });
  });

  test('not touches: a to-do, a Handoff task, an unmapped type', () => {
    expect(touchChannel('Task', task({ Status: 'Not Started' }), policy)).toBeNull();
    expect(touchChannel('Task', task({ Status: null }), policy)).toBeNull();
    expect(touchChannel('Task', task({ Handoff_Event_Id__c: 'lead-00Q…:task:1' }), policy)).toBeNull();
    expect(touchChannel('Task', task({ TaskSubtype: 'Task', Type: 'Other' }), policy)).toBeNull();
    expect(touchChannel('Task', task({ TaskSubtype: null, Type: null }), policy)).toBeNull();
    // Keys are matched exactly, not through the prototype chain.
    expect(touchChannel('Task', task({ TaskSubtype: null, Type: 'constructor' }), policy)).toBeNull();
  });

  test('an Event is a meeting (a conversation) unless its Type says otherwise', () => {
    expect(touchChannel('Event', task({ Type: 'Meeting', TaskSubtype: null, Status: null }), policy)).toEqual({
      channel: 'meeting',
      outcome: 'connected',
    });
    expect(touchChannel('Event', task({ Type: null, TaskSubtype: null, Status: null }), policy)).toEqual({
      channel: 'meeting',
      outcome: 'connected',
    });
    expect(
      touchChannel('Event', task({ Type: 'Call', TaskSubtype: null, Status: null, CallDisposition: null }), policy),
    ).toEqual({
      channel: 'call',
      outcome: 'no_answer',
    });
  });

  test("a team's own mapping: its picklist values, statuses and outcomes", () => {
    const own = salesforceActivityPolicySchema.parse({
      completedStatuses: ['Done', 'Completed'],
      types: { 'Outbound Call': 'call', WhatsApp: 'whatsapp' },
      taskSubtypes: {},
      callDispositions: { 'Spoke - DM': 'connected' },
      defaultOutcome: 'voicemail',
    });
    expect(
      touchChannel(
        'Task',
        task({ Status: 'Done', TaskSubtype: null, Type: 'Outbound Call', CallDisposition: 'spoke - dm' }),
        own,
      ),
    ).toEqual({
      channel: 'call',
      outcome: 'connected',
    });
    expect(touchChannel('Task', task({ TaskSubtype: null, Type: 'WhatsApp' }), own)).toEqual({
      channel: 'whatsapp',
      outcome: 'voicemail',
    });
    expect(touchChannel('Task', task({ TaskSubtype: 'Call', Type: 'Call' }), own)).toBeNull();
  });
});

describe('activityTouch: the touch on a Handoff lead, or why not', () => {
  test('ids are normalized to 18 characters; the time is when the Task was completed', () => {
    const fifteen = activityTouch('Task', task({ Id: '00T5g00000Qq1Rs', WhoId: LEAD15, OwnerId: REP15 }), policy);
    const eighteen = activityTouch(
      'Task',
      task({ Id: toId18('00T5g00000Qq1Rs')!, WhoId: LEAD18, OwnerId: REP18 }),
      policy,
    );
    expect(fifteen).toEqual(eighteen);
    expect(fifteen).toEqual({
      touch: {
        activityId: toId18('00T5g00000Qq1Rs'),
        leadId: LEAD18,
        repId: REP18,
        channel: 'call',
        outcome: 'connected',
        at: '2026-12-01T14:05:00.000Z',
      },
    });
  });

  test('a Task without a completion time counts from its creation; an Event keeps its start as the claimed time', () => {
    expect(activityTouch('Task', task({ CompletedDateTime: null }), policy)).toMatchObject({
      touch: { at: '2026-12-01T14:00:00.000Z' },
    });
    const event = task({
      Type: 'Meeting',
      TaskSubtype: null,
      Status: null,
      StartDateTime: '2026-12-03T16:00:00.000+0100',
    });
    expect(activityTouch('Event', event, policy)).toEqual({
      touch: expect.objectContaining({
        channel: 'meeting',
        outcome: 'connected',
        at: '2026-12-01T14:00:00.000Z',
        claimedAt: '2026-12-03T15:00:00.000Z',
      }),
    });
  });

  test.each([
    ['not on a lead', task({ WhoId: '0035g00000AbCdE' })],
    ['not on a lead', task({ WhoId: null })],
    ['not on a lead', task({ WhoId: 'not-an-id' })],
    ['written by Handoff', task({ Handoff_Event_Id__c: 'lead-x:task:1' })],
    ['not completed', task({ Status: 'In Progress' })],
    ['unmapped type', task({ TaskSubtype: 'Task', Type: 'Other' })],
    ['owner is not a user', task({ OwnerId: '00G000000000001AAA' })],
    ['owner is not a user', task({ OwnerId: null })],
    ['unreadable timestamp', task({ CompletedDateTime: '2026-12-01T14:05:00' })],
    ['malformed activity id', task({ Id: 'x' })],
  ])('skips: %s', (reason, record) => {
    expect(activityTouch('Task', record, policy)).toEqual({ skip: reason });
  });
});

describe('leadConversion', () => {
  const lead = {
    Id: LEAD15,
    OwnerId: REP15,
    LastModifiedById: '005000000000001AAA',
    IsConverted: true,
    ConvertedOpportunityId: '0065g00000OpPoR',
    SystemModstamp: '2026-12-01T15:00:00.000+0000',
  };

  test('credits the owner, with ids normalized to 18 characters', () => {
    expect(leadConversion(lead)).toEqual({
      conversion: { leadId: LEAD18, repId: REP18, opportunityId: toId18('0065g00000OpPoR') },
    });
  });

  test('a queue-owned lead credits the user who converted it (the last modifier)', () => {
    expect(leadConversion({ ...lead, OwnerId: '00G000000000001AAA' })).toEqual({
      conversion: expect.objectContaining({ repId: '005000000000001AAA' }),
    });
  });

  test.each([
    ['not converted', { ...lead, IsConverted: false }],
    ['converted without an opportunity', { ...lead, ConvertedOpportunityId: null }],
    ['no user to credit', { ...lead, OwnerId: '00G000000000001AAA', LastModifiedById: null }],
    ['malformed lead id', { ...lead, Id: '0035g00000AbCdE' }],
  ])('skips: %s', (reason, record) => {
    expect(leadConversion(record)).toEqual({ skip: reason });
  });
});

describe('instant', () => {
  test('Salesforce and ISO offsets; no offset is refused rather than read in the host zone', () => {
    expect(instant('2026-12-01T14:00:00.000+0000')).toBe('2026-12-01T14:00:00.000Z');
    expect(instant('2026-12-01T09:00:00-05:00')).toBe('2026-12-01T14:00:00.000Z');
    expect(instant('2026-12-01T14:00:00Z')).toBe('2026-12-01T14:00:00.000Z');
    expect(instant('2026-12-01T14:00:00')).toBeNull();
    expect(instant('2026-12-01')).toBeNull();
    expect(instant('soon')).toBeNull();
  });
});

describe('the policy section', () => {
  test('defaults fill a policy without it, and a bad mapping is listed with its path', () => {
    expect(testPolicy().salesforceActivity.types).toEqual({ Call: 'call', Email: 'email', Meeting: 'meeting' });
    let error: unknown;
    try {
      testPolicy({
        salesforceActivity: {
          types: { Call: 'phone' },
          callDispositions: { Connected: 'happy' },
          eventChannel: 'pigeon',
        },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems.map((p) => p.path).sort()).toEqual([
      'salesforceActivity.callDispositions.Connected',
      'salesforceActivity.eventChannel',
      'salesforceActivity.types.Call',
    ]);
  });
});

describe('properties', () => {
  const text = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      'Call',
      'Email',
      'Meeting',
      'Other',
      'Task',
      'ListEmail',
      'LinkedIn',
      'Completed',
      'Connected',
      'Left Voicemail',
    ),
  );
  const record = fc.record({
    Id: fc.constant('00T5g00000Qq1Rs'),
    WhoId: fc.constantFrom(LEAD15, LEAD18, LEAD18.toLowerCase(), '0035g00000AbCdE', null),
    OwnerId: fc.constantFrom(REP15, REP18, '00G000000000001AAA', null),
    Type: text,
    TaskSubtype: text,
    CallDisposition: text,
    Status: text,
    CreatedDate: fc.constant('2026-12-01T14:00:00.000+0000'),
    CompletedDateTime: fc.constantFrom(null, '2026-12-01T14:05:00.000+0000'),
    StartDateTime: fc.constant(null),
    SystemModstamp: fc.constant('2026-12-01T14:05:00.000+0000'),
    Handoff_Event_Id__c: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 20 })),
  });
  const source = fc.constantFrom('Task' as const, 'Event' as const);

  test('a mapped touch is a valid channel and outcome; Handoff tasks and open Tasks never are', () => {
    fc.assert(
      fc.property(source, record, (src, r) => {
        const mapped = touchChannel(src, r, policy);
        if (r.Handoff_Event_Id__c) expect(mapped).toBeNull();
        if (src === 'Task' && r.Status !== 'Completed') expect(mapped).toBeNull();
        if (mapped) {
          expect(channelSchema.safeParse(mapped.channel).success).toBe(true);
          expect(outcomeSchema.safeParse(mapped.outcome).success).toBe(true);
        }
      }),
    );
  });

  test('a touch names the lead and the rep by 18-character ids, whatever form they arrived in', () => {
    fc.assert(
      fc.property(source, record, (src, r) => {
        const decision = activityTouch(src, r, policy);
        if ('touch' in decision) {
          expect(decision.touch.leadId).toBe(LEAD18);
          expect(decision.touch.repId).toBe(REP18);
          expect(decision.touch).toMatchObject(touchChannel(src, r, policy)!);
        } else {
          expect(decision.skip.length).toBeGreaterThan(0);
        }
        const upper = activityTouch(
          src,
          { ...r, WhoId: r.WhoId && toId18(r.WhoId), OwnerId: r.OwnerId && toId18(r.OwnerId) },
          policy,
        );
        expect(upper).toEqual(decision);
      }),
    );
  });
});
