import type { AuditEvent } from '../src/domain/effects';
import { LeadRun, sfId } from '../test/audit/lead-run';
import { EMEA_MANAGER, MANAGER, seedPolicy } from '../test/audit/seed';

/** Deterministic PRNG (mulberry32), so every run seeds the same quarter. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3_600_000;
const QUARTER_START = Date.parse('2026-10-01T00:00:00Z');
const QUARTER_MS = Date.parse('2027-01-01T00:00:00Z') - QUARTER_START;
const TEAMS = ['na', 'emea'] as const;
const REPS = 60;
const REJECT_REASONS = ['TIMING_NOT_RIGHT', 'NO_BUDGET', 'CHOSE_COMPETITOR', 'NOT_ICP', 'NO_AUTHORITY'] as const;
const DISQUALIFY_REASONS = ['SPAM', 'STUDENT', 'COMPETITOR', 'DUPLICATE'] as const;
const CHANNELS = ['call', 'email', 'linkedin', 'sms'] as const;
const HOT = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };
const POLICY = seedPolicy();
const MANAGERS = { na: MANAGER, emea: EMEA_MANAGER } as const;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One lead's quarter from the real engine (test/audit/lead-run.ts runs `step` over the events, the
 * deadlines firing in between), a realistic mix: 75% MQL / 15% hand-raisers / 10% PQL; some
 * nurtured first; ~75% worked in time, ~15% breached (escalated, reassigned, worked late by the
 * manager), a few untouched, disqualified untouched or rejected; then a contact cadence, SQL,
 * conversion, rejection or disqualification.
 */
export function leadQuarter(index: number, random: () => number): AuditEvent[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const rep = Math.floor(random() * REPS);
  const owner = sfId(`00500000001${String(rep).padStart(4, '0')}`);
  const team = TEAMS[rep % TEAMS.length] ?? 'na';
  const r = random();
  const activities = (at: string) =>
    r < 0.75 ? {} : { activities: [{ type: r < 0.9 ? 'demo_request' : 'product_activation', occurredAt: at }] };
  let t = QUARTER_START + Math.floor(random() * (QUARTER_MS - 2 * 24 * H));
  const lead = new LeadRun(POLICY, `00Q1${String(index).padStart(11, '0')}`, iso(t));
  if (random() < 0.3) {
    lead.trigger(iso(t), { ownerId: owner, team, firmographics: HOT });
    t += Math.floor(random() * 24 * H);
  }
  lead.trigger(iso(t), {
    ownerId: owner,
    team,
    firmographics: HOT,
    ...(r < 0.75 ? { kind: 'MQL' as const } : {}),
    ...activities(iso(t)),
  });
  const qualifiedAt = t;
  const dueAt = Date.parse(lead.state.sla.dueAt ?? iso(t + 24 * H));
  const windowMs = dueAt - qualifiedAt;
  const outcome = random();
  if (outcome < 0.04) return lead.events; // untouched, deadline not reached yet
  if (outcome < 0.06)
    return lead.disqualify(
      iso(qualifiedAt + Math.floor(random() * windowMs * 0.5)),
      MANAGERS[team],
      pick(DISQUALIFY_REASONS),
    ).events;
  let at: number;
  let toucher = owner;
  if (outcome < 0.2) {
    at = dueAt + 1 + Math.floor(random() * windowMs);
    toucher = MANAGERS[team];
    lead.contact(iso(at), toucher, pick(CHANNELS), 'no_answer');
  } else {
    at = qualifiedAt + Math.floor(random() * windowMs * 0.9);
    if (outcome > 0.95) return lead.reject(iso(at), owner, pick(REJECT_REASONS)).events;
    lead.accept(iso(at), owner);
  }
  // The engine may close the lead on its own meanwhile (a cadence that ran out recycles it UNRESPONSIVE).
  const working = () => lead.state.stage === 'SAL' || lead.state.stage === 'SQL';
  const attempts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < attempts && working(); i += 1) {
    at += Math.floor(random() * 24 * H);
    lead.contact(iso(at), toucher, pick(CHANNELS), random() < 0.3 ? 'connected' : 'no_answer');
  }
  const next = random();
  at += Math.floor(random() * 72 * H);
  lead.until(iso(at));
  if (!working()) return lead.events;
  if (next < 0.3 && lead.state.stage === 'SAL') {
    lead.qualifySql(iso(at), toucher);
    if (random() < 0.4 && lead.until(iso(at + 7 * 24 * H)).state.stage === 'SQL')
      lead.convert(iso(at + 7 * 24 * H), toucher, sfId(`0061${String(index).padStart(11, '0')}`));
  } else if (next < 0.65) {
    lead.reject(iso(at), toucher, pick(REJECT_REASONS));
  } else if (next < 0.7) {
    lead.disqualify(iso(at), toucher, pick(DISQUALIFY_REASONS));
  }
  return lead.events;
}
