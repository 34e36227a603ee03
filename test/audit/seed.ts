import type { AuditEvent } from '../../src/domain/effects';
import type { Policy } from '../../src/domain/policy';
import { designPolicy } from '../helpers/policy';
import { LeadRun, sfId } from './lead-run';

/** The reps, the queue and the manager of the seeded teams (User 005…, Queue 00G…). */
export const REP_A = sfId('005000000000011');
export const REP_B = sfId('005000000000012');
export const REP_C = sfId('005000000000013');
export const MANAGER = '005000000000001AAA';
export const FALLBACK_NA = '00G000000000001EAA';
export const EMEA_MANAGER = sfId('005000000000002');
export const EMEA_FALLBACK = sfId('00G000000000002');

/** The design's agreement (MQL 24 business hours, hand-raisers and PQLs 1 hour) for New York and London. */
export function seedPolicy(version = '2026-11-01'): Policy {
  return designPolicy({
    version,
    calendars: {
      london: {
        timezone: 'Europe/London',
        hours: {
          mon: [['09:00', '17:00']],
          tue: [['09:00', '17:00']],
          wed: [['09:00', '17:00']],
          thu: [['09:00', '17:00']],
          fri: [['09:00', '17:00']],
        },
      },
    },
    teams: [
      { id: 'na', calendar: 'na', fallbackOwnerId: FALLBACK_NA, managerId: MANAGER },
      { id: 'emea', calendar: 'london', fallbackOwnerId: EMEA_FALLBACK, managerId: EMEA_MANAGER },
    ],
  });
}

const HOT = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };
const activity = (type: string, at: string) => ({ type, occurredAt: at });

/** The leads, by what happens to them; ids in both Salesforce forms, as the CRM sends them. */
export const LEADS = {
  metByAccept: '00Q000000000101',
  breachedThenWorked: sfId('00Q000000000102'),
  metByContact: '00Q000000000103',
  pending: sfId('00Q000000000104'),
  beforeQuarter: '00Q000000000105',
  lastMillisecond: sfId('00Q000000000106'),
  nextQuarter: '00Q000000000107',
  rejectedThenBreachedTwice: sfId('00Q000000000108'),
  nurtured: '00Q000000000109',
  disqualifiedUntouched: sfId('00Q000000000110'),
  reassignedThenMet: '00Q000000000111',
  decayedUntouched: sfId('00Q000000000112'),
} as const;

/**
 * Q4 2026 from the real engine: each lead's audit rows are what `step` emitted for its scripted
 * events, the deadlines firing on their own in between. reports.test.ts works the numbers out by
 * hand from the times below (New York is UTC−4 until Nov 1, UTC−5 after; London UTC+1 until Oct 25).
 */
export function seedRuns(): LeadRun[] {
  const policy = seedPolicy();
  const december = seedPolicy('2026-12-01');
  const run = (leadId: string, startAt: string, p = policy) => new LeadRun(p, leadId, startAt);
  return [
    // Mon Oct 5, 10:00 New York: a hand-raiser accepted 40 minutes later, then SQL and converted.
    run(LEADS.metByAccept, '2026-10-05T14:00:00.000Z')
      .trigger('2026-10-05T14:00:00.000Z', {
        ownerId: REP_A,
        firmographics: HOT,
        activities: [activity('demo_request', '2026-10-05T14:00:00.000Z')],
      })
      .accept('2026-10-05T14:40:00.000Z', REP_A)
      .contact('2026-10-05T14:50:00.000Z', REP_A, 'call', 'connected')
      .qualifySql('2026-10-09T14:00:00.000Z', REP_A)
      .convert('2026-10-20T14:00:00.000Z', REP_A, sfId('006000000000101')),
    // Tue Oct 6, 10:00 New York: due 11:00, missed; the queue gets a fresh hour and the manager calls at 11:30.
    run(LEADS.breachedThenWorked, '2026-10-06T14:00:00.000Z')
      .trigger('2026-10-06T14:00:00.000Z', {
        ownerId: REP_A,
        firmographics: HOT,
        activities: [activity('demo_request', '2026-10-06T14:00:00.000Z')],
      })
      .contact('2026-10-06T15:30:00.000Z', MANAGER, 'call', 'voicemail'),
    // Mon Oct 12, 10:00 London, under the December policy version: a product activation, first touch a call 10 minutes later.
    run(LEADS.metByContact, '2026-10-12T09:00:00.000Z', december)
      .trigger('2026-10-12T09:00:00.000Z', {
        ownerId: REP_B,
        team: 'emea',
        firmographics: HOT,
        activities: [activity('product_activation', '2026-10-12T09:00:00.000Z')],
      })
      .contact('2026-10-12T09:10:00.000Z', REP_B, 'email', 'no_answer'),
    // Tue Oct 20, 10:00 London: a plain MQL nobody has touched yet (due three working days later).
    run(LEADS.pending, '2026-10-20T09:00:00.000Z').trigger('2026-10-20T09:00:00.000Z', {
      kind: 'MQL',
      ownerId: REP_B,
      team: 'emea',
      firmographics: HOT,
    }),
    // Qualified the evening before the quarter: its SLA row belongs to Q3, its SAL entry to Q4.
    run(LEADS.beforeQuarter, '2026-09-30T23:00:00.000Z')
      .trigger('2026-09-30T23:00:00.000Z', { kind: 'MQL', ownerId: REP_A, firmographics: HOT })
      .accept('2026-10-01T01:00:00.000Z', REP_A),
    // The last millisecond of the quarter is in it (after hours; Friday Jan 1 is a working day in this calendar), the first of the next one is not.
    run(LEADS.lastMillisecond, '2026-12-31T23:59:59.999Z')
      .trigger('2026-12-31T23:59:59.999Z', { kind: 'MQL', ownerId: REP_C, firmographics: HOT })
      .accept('2027-01-04T15:00:00.000Z', REP_C),
    run(LEADS.nextQuarter, '2027-01-01T00:00:00.000Z').trigger('2027-01-01T00:00:00.000Z', {
      kind: 'MQL',
      ownerId: REP_C,
      firmographics: HOT,
    }),
    // Two cycles: rejected 2 hours in (a touch, so met), recycled; after the cool-off a demo request
    // re-qualifies it as a hand-raiser, whose hour is missed twice (the queue, then the queue again)
    // before the rep calls.
    run(LEADS.rejectedThenBreachedTwice, '2026-10-07T14:00:00.000Z')
      .trigger('2026-10-07T14:00:00.000Z', { kind: 'MQL', ownerId: REP_C, firmographics: HOT })
      .reject('2026-10-07T16:00:00.000Z', REP_C, 'NO_BUDGET')
      .engagement('2026-11-20T15:00:00.000Z', 'demo_request')
      .contact('2026-11-20T18:30:00.000Z', REP_C, 'call', 'connected'),
    // High fit, no intent: nurtured, never handed to sales.
    run(LEADS.nurtured, '2026-10-10T14:00:00.000Z').trigger('2026-10-10T14:00:00.000Z', { firmographics: HOT }),
    // Mon Nov 2, 10:00 New York: disqualified as spam an hour later, before anyone responded.
    run(LEADS.disqualifiedUntouched, '2026-11-02T15:00:00.000Z')
      .trigger('2026-11-02T15:00:00.000Z', { kind: 'MQL', ownerId: REP_A, firmographics: HOT })
      .disqualify('2026-11-02T16:00:00.000Z', MANAGER, 'SPAM'),
    // Tue Dec 1, 10:00 New York: handed to rep B, reassigned to rep C at 11:00 (a fresh window), accepted by C at 12:30.
    run(LEADS.reassignedThenMet, '2026-12-01T15:00:00.000Z')
      .trigger('2026-12-01T15:00:00.000Z', { kind: 'MQL', ownerId: REP_B, firmographics: HOT })
      .reassign('2026-12-01T16:00:00.000Z', MANAGER, REP_C)
      .accept('2026-12-01T17:30:00.000Z', REP_C),
    // Fri Dec 4, 10:00 New York: qualified by its score (intent 34 from three content events) and
    // never touched; the intent decays under the threshold of 30 before the deadline.
    run(LEADS.decayedUntouched, '2026-12-04T15:00:00.000Z')
      .trigger('2026-12-04T15:00:00.000Z', {
        ownerId: REP_B,
        firmographics: HOT,
        activities: ['webinar', 'whitepaper', 'pricing_visit'].map((type) =>
          activity(type, '2026-12-04T15:00:00.000Z'),
        ),
      })
      .until('2026-12-09T00:00:00.000Z'),
  ];
}

export function seedQuarter(): AuditEvent[] {
  return seedRuns().flatMap((r) => r.events);
}
