import type { AuditEvent } from '../src/domain/effects';
import type { Kind } from '../src/domain/model';
import { LeadScript } from '../test/audit/lead-script';

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
const TEAMS = ['na', 'emea', 'apac', 'latam'] as const;
const REPS = 60;
const REJECT_REASONS = ['TIMING_NOT_RIGHT', 'NO_BUDGET', 'CHOSE_COMPETITOR', 'NOT_ICP', 'NO_AUTHORITY'] as const;
const DISQUALIFY_REASONS = ['SPAM', 'STUDENT', 'COMPETITOR', 'DUPLICATE'] as const;
const CHANNELS = ['call', 'email', 'linkedin', 'sms'] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One lead's quarter, a realistic mix: 75% MQL / 15% hand-raisers / 10% PQL; some nurtured or
 * engaged first; ~75% worked in time, ~15% breached (escalated, reassigned, worked late), a few
 * untouched or rejected; then a contact cadence, SQL, conversion, recycling or disqualification.
 */
export function leadQuarter(index: number, random: () => number): AuditEvent[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const rep = Math.floor(random() * REPS);
  const owner = `rep-${String(rep).padStart(3, '0')}`;
  const team = TEAMS[rep % TEAMS.length] ?? 'na';
  const r = random();
  const kind: Kind = r < 0.75 ? 'MQL' : r < 0.9 ? 'HAND_RAISE' : 'PQL';
  const windowMs = kind === 'MQL' ? 24 * H : H;
  const lead = new LeadScript(`B${String(index).padStart(6, '0')}`, { kind, ownerId: owner, team });
  let t = QUARTER_START + Math.floor(random() * (QUARTER_MS - 2 * 24 * H));
  if (random() < 0.3) {
    lead.nurture(iso(t));
    t += Math.floor(random() * 24 * H);
    lead.emit('ENGAGEMENT', iso(t), { detail: { type: 'pricing_visit' } });
    t += Math.floor(random() * H);
  }
  const qualifiedAt = t;
  const dueAt = qualifiedAt + windowMs;
  lead.qualify(iso(qualifiedAt), iso(dueAt));
  const outcome = random();
  if (outcome < 0.04) return lead.events; // untouched, deadline not reached yet
  if (random() < 0.5) lead.emit('SLA_REMINDER', iso(qualifiedAt + windowMs / 2), { detail: { fraction: 0.5 } });
  let touchAt: number;
  let toucher = owner;
  if (outcome < 0.2) {
    lead.breach(iso(dueAt), { ownerId: `fallback-${team}`, dueAt: iso(dueAt + windowMs) });
    touchAt = dueAt + Math.floor(random() * windowMs);
    toucher = `fallback-${team}`;
  } else {
    touchAt = qualifiedAt + Math.floor(random() * windowMs * 0.9);
  }
  const response = { businessMs: Math.floor((touchAt - qualifiedAt) * (kind === 'MQL' ? 0.35 : 1)), calendarMs: touchAt - qualifiedAt };
  if (outcome > 0.95) return lead.reject(iso(touchAt), toucher, pick(REJECT_REASONS), response).events;
  lead.accept(iso(touchAt), toucher, response);
  let at = touchAt;
  const attempts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < attempts; i += 1) {
    at += Math.floor(random() * 24 * H);
    lead.contact(iso(at), toucher, pick(CHANNELS), random() < 0.3 ? 'connected' : 'no_answer');
  }
  const next = random();
  at += Math.floor(random() * 72 * H);
  if (next < 0.3) {
    lead.qualifySql(iso(at), toucher);
    if (random() < 0.4) lead.convert(iso(at + 7 * 24 * H), toucher);
  } else if (next < 0.65) {
    if (random() < 0.5) lead.recycle(iso(at), 'UNRESPONSIVE');
    else lead.reject(iso(at), toucher, pick(REJECT_REASONS));
  } else if (next < 0.7) {
    lead.disqualify(iso(at), toucher, pick(DISQUALIFY_REASONS));
  }
  return lead.events;
}
