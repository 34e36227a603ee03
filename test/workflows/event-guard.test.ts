import fc from 'fast-check';
import { leadEventSchema } from '../../src/domain/inputs';
import { CHANNELS, DISQUALIFY_REASONS, KINDS, OUTCOMES, REJECT_REASONS, REVIEW_DECISIONS } from '../../src/domain/model';
import { guardMessage } from '../../src/workflows/event-guard';
import { ORG } from '../helpers/owners';

/*
 * The workflow's guard must take exactly what the domain's schema takes, and read it the same way:
 * for every message, both accept or both refuse, and an accepted message is the same event.
 */

const LEAD15 = '00Q8c00000LdAbC';
const ids = {
  lead: fc.constantFrom(LEAD15, '00Q8c00000LdAbCEAR', '00q8c00000ldabceAR', '00Q000000000001AAA'),
  user: fc.constantFrom(ORG.rep, ORG.rep15, ORG.naManager, ORG.naManager18.toLowerCase()),
  owner: fc.constantFrom(ORG.rep15, ORG.naQueue, ORG.naQueue15),
  opportunity: fc.constantFrom('0068c00000OpPoR', '006000000000001AAA'),
};
const instant = fc.constantFrom('2026-11-02T09:00:00Z', '2026-11-02T09:00:00.250+13:45', '2026-03-29T01:30:00-05:00');
const eventId = fc.constantFrom('q', 'evt-1:retry.2', 'a'.repeat(80));
const notes = fc.constantFrom('reseller', '  padded  ', 'x'.repeat(4000));
const score = fc.double({ min: -1000, max: 1000, noNaN: true });
const engagement = fc.record(
  { eventId, type: fc.constantFrom('webinar', 'demo_request'), occurredAt: instant, points: score },
  { requiredKeys: ['eventId', 'type', 'occurredAt'] },
);

const validMessage = fc.oneof(
  fc.record({
    type: fc.constant('trigger'),
    trigger: fc.record(
      {
        leadId: ids.lead,
        eventId,
        occurredAt: instant,
        kind: fc.constantFrom(...KINDS),
        fitScore: score,
        intentScore: score,
        firmographics: fc.record(
          { company: fc.string({ maxLength: 20 }), employees: fc.nat(10_000_000), freeEmailDomain: fc.boolean() },
          { requiredKeys: [] },
        ),
        activities: fc.array(
          fc.record({ eventId, type: fc.constant('webinar'), occurredAt: instant }, { requiredKeys: ['type', 'occurredAt'] }),
          { maxLength: 3 },
        ),
        ownerId: ids.owner,
        team: fc.constantFrom('na', 'emea'),
        timezone: fc.constant('Pacific/Auckland'),
      },
      { requiredKeys: ['leadId', 'eventId', 'occurredAt'] },
    ),
  }),
  fc.record({ type: fc.constant('engagement'), engagement }),
  fc.record({ type: fc.constant('accept'), repId: ids.user }),
  fc.record(
    { type: fc.constant('reject'), repId: ids.user, reason: fc.constantFrom(...REJECT_REASONS), notes },
    { requiredKeys: ['type', 'repId', 'reason'] },
  ),
  fc.record(
    {
      type: fc.constant('contact'),
      repId: ids.user,
      channel: fc.constantFrom(...CHANNELS),
      outcome: fc.constantFrom(...OUTCOMES),
      occurredAt: instant,
    },
    { requiredKeys: ['type', 'repId', 'channel', 'outcome'] },
  ),
  fc.record({
    type: fc.constant('qualify'),
    repId: ids.user,
    bant: fc.record({ budget: notes, authority: fc.constant('CFO'), need: fc.constant('routing'), timeline: fc.constant('Q1') }),
  }),
  fc.record(
    { type: fc.constant('convert'), repId: ids.user, opportunityId: ids.opportunity, inSalesforce: fc.boolean() },
    { requiredKeys: ['type', 'repId', 'opportunityId'] },
  ),
  fc.record(
    { type: fc.constant('disqualify'), actorId: ids.user, reason: fc.constantFrom(...DISQUALIFY_REASONS), notes },
    { requiredKeys: ['type', 'actorId', 'reason'] },
  ),
  fc.record({ type: fc.constant('reassign'), actorId: ids.user, ownerId: ids.owner }),
  fc.record(
    { type: fc.constant('review'), actorId: ids.user, decision: fc.constantFrom(...REVIEW_DECISIONS), notes },
    { requiredKeys: ['type', 'actorId', 'decision'] },
  ),
);

const junk = fc.oneof(
  fc.constantFrom(
    '',
    '   ',
    'not-an-id',
    '<script>',
    'FZBAD-000000000001',
    '005000000000000AAA',
    '00Q000000000001AAA',
    '2026-11-02T09:00:00',
    '2026-13-02T09:00:00Z',
    '2026-11-02T09:00Z',
    '2026-11-02T09:00:00+0130',
    '2026-11-02T09:00:00+24:00',
    '2026-02-30T09:00:00Z',
    '2027-02-29T09:00:00Z',
    '2028-02-29T09:00:00Z',
    '2026-11-02T24:00:00Z',
    '2026-11-02t09:00:00z',
    '2026-11-02T09:00:00.123456789-03:30',
    'nope\u0000',
    'x'.repeat(5000),
  ),
  fc.constantFrom(null, 0, -1e9, 1e9, 1.5, true, [], {}, ['005000000000001AAA'], { nested: { deep: [1] } }),
);

/** A valid message with one field replaced by junk, removed, or an unknown one added. */
const mutated = fc.tuple(validMessage, junk, fc.nat(), fc.constantFrom('replace', 'remove', 'add')).map(
  ([message, value, pick, how]) => {
    const copy: Record<string, unknown> = structuredClone(message);
    const target = pick % 2 === 0 && typeof copy.trigger === 'object' ? (copy.trigger as Record<string, unknown>) : copy;
    const keys = Object.keys(target).filter((k) => k !== 'type');
    const key = keys[pick % Math.max(keys.length, 1)] ?? 'extra';
    if (how === 'remove') delete target[key];
    else target[how === 'add' ? 'extra' : key] = value;
    return copy;
  },
);

function bothRead(message: unknown): void {
  const schema = leadEventSchema.safeParse(message);
  const guard = guardMessage(message);
  expect({ message, ok: guard.ok }).toEqual({ message, ok: schema.success });
  if (guard.ok && schema.success) expect(guard.event).toEqual(schema.data);
}

describe('the workflow guard reads a message as the domain schema does', () => {
  test('every valid message: same event (ids in 18 characters, instants in UTC, notes trimmed)', () => {
    fc.assert(fc.property(validMessage, bothRead), { numRuns: 2000 });
  });

  test('a field replaced by junk, missing, or unknown: both refuse, or both read the same event', () => {
    fc.assert(fc.property(mutated, bothRead), { numRuns: 3000 });
  });

  test('every instant form, in the occurredAt of a touch: both refuse, or both read the same UTC instant', () => {
    const forms = ['2026-11-02T09:00:00Z', '2026-11-02T09:00:00.5+13:45', '2026-11-02T09:00Z', '2026-11-02T09:00:00+0130', '2026-11-02T09:00:00+24:00', '2026-02-30T09:00:00Z', '2027-02-29T09:00:00Z', '2028-02-29T09:00:00Z', '2026-11-02T24:00:00Z', '2026-11-02T09:60:00Z', '2026-11-02t09:00:00z', '+002026-11-02T09:00:00Z', '2026-11-02T09:00:00.123456789-03:30'];
    for (const occurredAt of forms) bothRead({ type: 'contact', repId: ORG.rep, channel: 'call', outcome: 'no_answer', occurredAt });
    expect(guardMessage({ type: 'contact', repId: ORG.rep, channel: 'call', outcome: 'no_answer', occurredAt: '2026-02-30T09:00:00Z' }).ok).toBe(false);
  });

  test('whole messages that are not messages', () => {
    for (const message of [null, undefined, 'accept', 42, [], {}, { type: 'tick' }, { type: 'reopen' }, { type: 'toString' }, { type: '__proto__' }]) {
      expect(guardMessage(message).ok).toBe(false);
    }
  });

  test('refusals name the field', () => {
    expect(guardMessage({ type: 'accept', repId: '' })).toEqual({
      ok: false,
      message: expect.stringMatching(/^repId: expected the 15- or 18-character Salesforce id/),
    });
    expect(guardMessage({ type: 'trigger', trigger: { leadId: LEAD15, eventId: 'q', occurredAt: '2026-11-02T09:00:00Z', firmographics: { employees: -1 } } })).toEqual({
      ok: false,
      message: 'trigger.firmographics.employees: expected an integer from 0 to 10000000',
    });
    expect(guardMessage({ type: 'engagement', engagement: { eventId: 'e', type: 'webinar', occurredAt: '2026-11-02T09:00:00Z', mood: 'bad' } })).toEqual({
      ok: false,
      message: 'engagement: unknown field "mood"',
    });
  });
});
