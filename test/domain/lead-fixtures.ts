import { DateTime } from 'luxon';
import type { AuditEvent, Effect, HandoffTask, LeadRecord } from '../../src/domain/effects';
import type { Engagement, LeadEvent, Received, Trigger } from '../../src/domain/inputs';
import { isClosed, newLead, nextDeadline, step } from '../../src/domain/lifecycle';
import type { Firmographics } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import type { LeadState } from '../../src/domain/state';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const NEW_YORK = 'America/New_York';

/** Monday 2026-11-23 09:00 in New York (EST, UTC−5): the opening of a working week. */
export const MON_0900 = Date.parse('2026-11-23T14:00:00Z');

export const TEAM = { fallbackOwnerId: '00G000000000001EAA', managerId: '005000000000001AAA' } as const;

/** A wall-clock time in New York ("2026-11-25T16:30") as epoch milliseconds. */
export function ny(local: string): number {
  const t = DateTime.fromISO(local, { zone: NEW_YORK });
  if (!t.isValid) throw new Error(`bad local time ${local}`);
  return t.toMillis();
}

export const iso = (t: number): string => new Date(t).toISOString();
/** The ISO instant of a New York wall-clock time. */
export const nyIso = (local: string): string => iso(ny(local));

/** Fit 80 under the default policy: industry 20 + employees 20 + region 15 + title 25. */
export const HOT: Firmographics = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };
/** Fit 0 under the default policy. */
export const COLD: Firmographics = { industry: 'Retail', employees: 5, region: 'APAC', title: 'Intern' };

export const LEAD_ID = 'L1';
export const PREFIX = 'lead-L1-run0001';

export function freshLead(policy: Policy, now = MON_0900, leadId = LEAD_ID): LeadState {
  return newLead({ leadId, workflowId: `lead-${leadId}`, effectPrefix: leadId === LEAD_ID ? PREFIX : `lead-${leadId}-run`, policy, now });
}

let triggerCounter = 0;
export function trigger(at: number, patch: Partial<Trigger> = {}): LeadEvent {
  return {
    type: 'trigger',
    trigger: { leadId: LEAD_ID, eventId: `t${++triggerCounter}`, occurredAt: iso(at), ...patch },
  };
}

let engagementCounter = 0;
export function engagement(type: string, at: number, patch: Partial<Engagement> = {}): LeadEvent {
  return { type: 'engagement', engagement: { eventId: `e${++engagementCounter}`, type, occurredAt: iso(at), ...patch } };
}

export const activity = (type: string, at: number) => ({ type, occurredAt: iso(at) });

export type Applied = { state: LeadState; effects: Effect[] };

/** An event as the workflow hands it to the domain: received at `now` unless the test says otherwise. */
export function received(event: LeadEvent, now: number, receivedAt = iso(now), requestId: string | null = null): Received {
  return { event, receivedAt, requestId };
}

/** Steps and insists the event is accepted; an event may carry the API's `receivedAt` for the test's convenience. */
export function apply(state: LeadState, event: LeadEvent, now: number, policy: Policy): Applied {
  const { receivedAt, ...bare } = event as LeadEvent & { receivedAt?: string };
  const result = step(state, received(bare as LeadEvent, now, receivedAt), now, policy);
  if (!result.ok) throw new Error(`refused: ${result.refusal.code} ${result.refusal.message}`);
  return { state: result.state, effects: result.effects };
}

/**
 * Plays the workflow's clock: ticks at each deadline up to and including `until`, then returns
 * the state, every effect in order and the instants at which ticks ran.
 */
export function advance(state: LeadState, until: number, policy: Policy): Applied & { ticks: number[] } {
  const effects: Effect[] = [];
  const ticks: number[] = [];
  for (let guard = 0; guard < 10_000 && !isClosed(state); guard++) {
    const next = nextDeadline(state, policy);
    if (next === null || next > until) break;
    const r = apply(state, { type: 'tick' }, next, policy);
    state = r.state;
    effects.push(...r.effects);
    ticks.push(next);
  }
  return { state, effects, ticks };
}

export const ledger = (effects: Effect[]): AuditEvent[] => effects.flatMap((e) => (e.type === 'ledger' ? [e.event] : []));
export const auditTypes = (effects: Effect[]): string[] => ledger(effects).map((e) => e.type);
export const tasks = (effects: Effect[]): HandoffTask[] => effects.flatMap((e) => (e.type === 'upsertTask' ? [e.task] : []));
export const syncs = (effects: Effect[]): LeadRecord[] => effects.flatMap((e) => (e.type === 'syncLead' ? [e.lead] : []));
/** The effect stream as short labels: "ledger:QUALIFIED", "task:HANDOFF", "sync". */
export const shape = (effects: Effect[]): string[] =>
  effects.map((e) =>
    e.type === 'ledger' ? `ledger:${e.event.type}` : e.type === 'upsertTask' ? `task:${e.task.kind}` : e.type === 'closeTask' ? 'close' : 'sync',
  );

/** A hot hand-raiser handed to sales at `at`, owned by `ownerId` (or the fallback when null). */
export function handRaiser(policy: Policy, at = MON_0900, ownerId: string | null = 'rep-1'): Applied {
  return apply(
    freshLead(policy, at),
    trigger(at, { firmographics: HOT, activities: [activity('demo_request', at)], ...(ownerId ? { ownerId } : {}) }),
    at,
    policy,
  );
}

/** A hot lead the CRM qualified as a plain MQL (explicit kind), owned by `ownerId`. */
export function plainMql(policy: Policy, at = MON_0900, ownerId: string | null = 'rep-1', patch: Partial<Trigger> = {}): Applied {
  return apply(
    freshLead(policy, at),
    trigger(at, { kind: 'MQL', firmographics: HOT, ...(ownerId ? { ownerId } : {}), ...patch }),
    at,
    policy,
  );
}
