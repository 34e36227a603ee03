import type { HandoffTask, LeadRecord } from '../../src/domain/effects';

export const REP_ID = '005000000000002AAA';
export const MANAGER_ID = '005000000000001AAA';
export const QUEUE_ID = '00G000000000001AAA';

export function leadRecord(leadId: string, overrides: Partial<LeadRecord> = {}): LeadRecord {
  return {
    leadId,
    workflowId: `lead-${leadId}`,
    stage: 'MQL',
    kind: 'HAND_RAISE',
    ownerId: REP_ID,
    fitScore: 80,
    intentScore: 57.25,
    slaDueAt: '2026-11-02T23:30:00.000Z',
    slaStatus: 'ON_TRACK',
    firstTouchAt: null,
    slaBreaches: 0,
    contactAttempts: 0,
    recycleReason: null,
    recycleNotes: null,
    ...overrides,
  };
}

export function handoffTask(leadId: string, externalId: string, overrides: Partial<HandoffTask> = {}): HandoffTask {
  return {
    externalId,
    leadId,
    kind: 'HANDOFF',
    ownerId: REP_ID,
    subject: 'Hand-raise: call within 1 business hour',
    description: 'New HAND_RAISE lead routed to you.',
    dueAt: '2026-11-02T23:30:00.000Z',
    reminderAt: null,
    priority: 'High',
    packet: {
      kind: 'HAND_RAISE',
      dueAt: '2026-11-02T23:30:00.000Z',
      fitScore: 80,
      fitBreakdown: [
        { rule: 'industry in Software, Fintech, Logistics', points: 20 },
        { rule: 'title matches VP|Director|Head of', points: 25 },
        { rule: 'free email domain', points: -15 },
      ],
      intentScore: 57.25,
      intentBreakdown: [
        { type: 'pricing_visit', occurredAt: '2026-10-20T09:00:00.000Z', points: 9, current: 7.25 },
        { type: 'demo_request', occurredAt: '2026-11-02T22:00:00.000Z', points: 50, current: 50 },
      ],
      firmographics: { company: 'Acme Freight', industry: 'Logistics', employees: 120, region: 'NA', title: 'VP Operations' },
    },
    ...overrides,
  };
}
