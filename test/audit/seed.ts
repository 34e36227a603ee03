import type { AuditEvent } from '../../src/domain/effects';
import { LeadScript } from './lead-script';

const H = 3_600_000;

/**
 * A quarter (Q4 2026) of hand-made lifecycles whose report numbers are worked out by hand in
 * reports.test.ts. Response times are given, as the engine computes them from the calendar.
 */
export function seedQuarter(): AuditEvent[] {
  const leads = [
    new LeadScript('L1', { ownerId: 'rep-a' })
      .qualify('2026-10-05T14:00:00.000Z', '2026-10-06T14:00:00.000Z')
      .accept('2026-10-05T15:00:00.000Z', 'rep-a', { businessMs: 1 * H })
      .contact('2026-10-05T15:10:00.000Z', 'rep-a', 'call', 'connected')
      .qualifySql('2026-10-09T10:00:00.000Z', 'rep-a')
      .convert('2026-10-20T10:00:00.000Z', 'rep-a'),
    new LeadScript('L2', { kind: 'HAND_RAISE', ownerId: 'rep-a' })
      .qualify('2026-10-06T13:00:00.000Z', '2026-10-06T14:00:00.000Z')
      .breach('2026-10-06T14:00:00.000Z', { ownerId: 'fallback-na', dueAt: '2026-10-06T15:00:00.000Z' })
      .accept('2026-10-06T14:30:00.000Z', 'fallback-na', { businessMs: 1.5 * H }),
    new LeadScript('L3', { kind: 'PQL', ownerId: 'rep-b', team: 'emea', policyVersion: '2026-12-01' })
      .qualify('2026-10-12T09:00:00.000Z', '2026-10-12T10:00:00.000Z')
      .accept('2026-10-12T09:10:00.000Z', 'rep-b', { businessMs: 600_000 })
      .qualifySql('2026-10-15T10:00:00.000Z', 'rep-b'),
    new LeadScript('L4', { ownerId: 'rep-b', team: 'emea' }).qualify('2026-10-20T10:00:00.000Z', '2026-10-21T10:00:00.000Z'),
    // Qualified the evening before the quarter: its SLA row belongs to Q3, its SAL entry to Q4.
    new LeadScript('L5', { ownerId: 'rep-a' })
      .qualify('2026-09-30T23:00:00.000Z', '2026-10-01T23:00:00.000Z')
      .accept('2026-10-01T01:00:00.000Z', 'rep-a', { businessMs: 2 * H }),
    // The last millisecond of the quarter is in it, the first of the next one is not.
    new LeadScript('L6', { ownerId: 'rep-c' })
      .qualify('2026-12-31T23:59:59.999Z', '2027-01-01T23:59:59.999Z')
      .accept('2027-01-02T10:00:00.000Z', 'rep-c', { businessMs: 2 * H, calendarMs: 34 * H + 1 }),
    new LeadScript('L7', { ownerId: 'rep-c' }).qualify('2027-01-01T00:00:00.000Z', '2027-01-02T00:00:00.000Z'),
    // Two cycles: met (a rejection is a touch), recycled, qualified again as a hand-raiser and breached.
    new LeadScript('L8', { ownerId: 'rep-c' })
      .qualify('2026-10-07T10:00:00.000Z', '2026-10-08T10:00:00.000Z')
      .reject('2026-10-07T12:00:00.000Z', 'rep-c', 'NO_BUDGET', { businessMs: 2 * H })
      .qualify('2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z', { kind: 'HAND_RAISE' })
      .breach('2026-11-20T11:00:00.000Z')
      .recycle('2026-12-20T00:00:00.000Z', 'SCORE_DECAYED'),
    new LeadScript('L9').nurture('2026-10-10T10:00:00.000Z'),
    // Upgraded mid-window: the tightened deadline is the one it met.
    new LeadScript('L10', { ownerId: 'rep-b' })
      .qualify('2026-11-02T10:00:00.000Z', '2026-11-03T10:00:00.000Z')
      .upgrade('2026-11-02T11:00:00.000Z', 'HAND_RAISE', '2026-11-02T12:00:00.000Z')
      .accept('2026-11-02T11:30:00.000Z', 'rep-b', { businessMs: 1.5 * H })
      .disqualify('2026-11-05T10:00:00.000Z', 'revops-1', 'SPAM'),
    new LeadScript('L11', { ownerId: 'rep-a' })
      .qualify('2026-12-01T10:00:00.000Z', '2026-12-02T10:00:00.000Z')
      .accept('2026-12-01T12:30:00.000Z', 'rep-a', { businessMs: 2.5 * H })
      .reject('2026-12-15T10:00:00.000Z', 'rep-a', 'NO_BUDGET'),
    // Out of the quarter, with values a spreadsheet must not take for formulas or split on.
    new LeadScript('L12', { ownerId: 'rep,"q"', team: '=HYPERLINK("x")' })
      .qualify('2027-03-01T10:00:00.000Z', '2027-03-01T11:00:00.000Z')
      .accept('2027-03-01T10:30:00.000Z', 'rep,"q"', { businessMs: 0.5 * H }),
  ];
  return leads.flatMap((l) => l.events);
}
