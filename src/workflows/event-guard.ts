import type { LeadEvent } from '../domain/inputs';
import { CHANNELS, DISQUALIFY_REASONS, KINDS, OUTCOMES, REJECT_REASONS, REVIEW_DECISIONS } from '../domain/model';
import { KEY_PREFIX, recordIdOf } from '../domain/salesforce-id';

/*
 * The workflow's check of a message, in place of the domain's zod schemas. Workflow code never runs
 * zod: the domain is evaluated once per worker and shared, frozen, by every cached lead (see
 * worker/workflow-bundle.ts), and zod builds parts of a schema on first use, which a frozen schema
 * cannot do. The API and the activities parse every body with the schemas before they send it; this
 * guard gives the same result for what they send (test/workflows/event-guard.test.ts compares the
 * two) and refuses anything else, so a message that reached the workflow some other way cannot put
 * a malformed event into the state.
 */

class Refused extends Error {}

type Check = (value: unknown, path: string) => unknown;
type Field = Check & { optional?: true };

const refuse = (path: string, message: string): never => {
  throw new Refused(path ? `${path}: ${message}` : message);
};

const optional = (check: Check): Field => Object.assign((v: unknown, p: string) => check(v, p), { optional: true as const });

const text =
  (max: number, { min = 1, trim = false } = {}): Check =>
  (v, p) => {
    if (typeof v !== 'string') return refuse(p, 'expected a string');
    const t = trim ? v.trim() : v;
    if (t.length < min || t.length > max) return refuse(p, `expected ${min}-${max} characters`);
    return t;
  };

const EVENT_ID = /^[A-Za-z0-9_.:-]{1,80}$/;
const eventId: Check = (v, p) =>
  typeof v === 'string' && EVENT_ID.test(v) ? v : refuse(p, 'expected 1-80 characters of A-Z a-z 0-9 _ . : -');

/** RFC 3339 with seconds and an offset, as the schema's `z.iso.datetime({ offset: true })` takes it. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const instant: Check = (v, p) => {
  const m = typeof v === 'string' ? ISO_INSTANT.exec(v) : null;
  const [year, month, day] = (m?.slice(1, 4) ?? []).map(Number) as [number, number, number];
  const date = m ? new Date(Date.UTC(year, month - 1, day)) : null;
  const onTheCalendar = date !== null && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return onTheCalendar ? new Date(Date.parse(v as string)).toISOString() : refuse(p, 'expected an ISO 8601 instant with an offset');
};

const number =
  (min: number, max: number, int = false): Check =>
  (v, p) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!int || Number.isInteger(v))
      ? v
      : refuse(p, `expected ${int ? 'an integer' : 'a number'} from ${min} to ${max}`);

const boolean: Check = (v, p) => (typeof v === 'boolean' ? v : refuse(p, 'expected true or false'));

const oneOf =
  (values: readonly string[]): Check =>
  (v, p) =>
    typeof v === 'string' && values.includes(v) ? v : refuse(p, `expected one of ${values.join(', ')}`);

const recordId =
  (...prefixes: string[]): Check =>
  (v, p) =>
    (typeof v === 'string' ? recordIdOf(v, ...prefixes) : null) ??
    refuse(p, `expected the 15- or 18-character Salesforce id of a record ${prefixes.join('… or ')}…`);

/** Unknown fields are refused, or with `strip` left out, as the schema does for the message itself. */
const object =
  (shape: Record<string, Field>, { strip = false } = {}): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse(p, 'expected an object');
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (!strip) for (const key of Object.keys(input)) if (!Object.hasOwn(shape, key)) refuse(p, `unknown field "${key}"`);
    for (const [key, check] of Object.entries(shape)) {
      const at = p ? `${p}.${key}` : key;
      if (input[key] === undefined) {
        if (!check.optional) refuse(at, 'required');
        continue;
      }
      out[key] = check(input[key], at);
    }
    return out;
  };

const list =
  (item: Check, max: number): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return refuse(p, 'expected a list');
    if (v.length > max) return refuse(p, `expected at most ${max} items`);
    return v.map((x, i) => item(x, `${p}.${i}`));
  };

const user = recordId(KEY_PREFIX.user);
const owner = recordId(KEY_PREFIX.user, KEY_PREFIX.group);
const score = number(-1000, 1000);
const notes = text(4000, { trim: true });
const bantAnswer = text(1000, { trim: true });
const engagement = { eventId, type: text(80), occurredAt: instant, points: optional(score) };

/** Each message a lead takes from outside, by event type; the engine's own events never arrive as messages. */
const MESSAGES = {
  trigger: {
    trigger: object({
      leadId: recordId(KEY_PREFIX.lead),
      eventId,
      occurredAt: instant,
      kind: optional(oneOf(KINDS)),
      fitScore: optional(score),
      intentScore: optional(score),
      firmographics: optional(
        object({
          company: optional(text(255, { min: 0 })),
          industry: optional(text(120, { min: 0 })),
          employees: optional(number(0, 10_000_000, true)),
          region: optional(text(60, { min: 0 })),
          country: optional(text(60, { min: 0 })),
          title: optional(text(255, { min: 0 })),
          emailDomain: optional(text(255, { min: 0 })),
          freeEmailDomain: optional(boolean),
        }),
      ),
      activities: optional(list(object({ ...engagement, eventId: optional(eventId) }), 200)),
      ownerId: optional(owner),
      team: optional(text(60)),
      timezone: optional(text(60)),
    }),
  },
  engagement: { engagement: object(engagement) },
  accept: { repId: user },
  reject: { repId: user, reason: oneOf(REJECT_REASONS), notes: optional(notes) },
  contact: { repId: user, channel: oneOf(CHANNELS), outcome: oneOf(OUTCOMES), occurredAt: optional(instant) },
  qualify: {
    repId: user,
    bant: object({ budget: bantAnswer, authority: bantAnswer, need: bantAnswer, timeline: bantAnswer }),
  },
  convert: { repId: user, opportunityId: recordId(KEY_PREFIX.opportunity), inSalesforce: optional(boolean) },
  disqualify: { actorId: user, reason: oneOf(DISQUALIFY_REASONS), notes: optional(notes) },
  reassign: { actorId: user, ownerId: owner },
  review: { actorId: user, decision: oneOf(REVIEW_DECISIONS), notes: optional(notes) },
} satisfies Partial<Record<LeadEvent['type'], Record<string, Field>>>;

/** The message as an event of the domain (ids in their 18-character form, instants in UTC), or why it is refused. */
export function guardMessage(message: unknown): { ok: true; event: LeadEvent } | { ok: false; message: string } {
  const type = (message as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(MESSAGES, type)) return { ok: false, message: 'type: unknown message' };
  const shape: Record<string, Field> = MESSAGES[type as keyof typeof MESSAGES];
  try {
    return { ok: true, event: object({ type: oneOf([type]), ...shape }, { strip: true })(message, '') as LeadEvent };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, message: err.message };
    throw err;
  }
}
