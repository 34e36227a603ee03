import { z } from 'zod';
import { idSchema } from '../domain/inputs';
import { kindSchema, STAGES, stageSchema } from '../domain/model';
import { toId18 } from '../domain/salesforce-id';
import { responseTypeSchema, type SlaOutcome, slaOutcomeSchema } from '../domain/state';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A report bound: a UTC date (midnight UTC) or an ISO-8601 instant with its offset; answered as ISO UTC. */
export const reportInstantSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'required: a date like 2026-10-01 or an ISO-8601 instant' : 'expected a string') })
  .trim()
  .refine((s) => z.iso.date().safeParse(s).success || z.iso.datetime({ offset: true }).safeParse(s).success, {
    message: 'expected a date like 2026-10-01 (UTC midnight) or an ISO-8601 instant with a time zone like 2026-10-01T00:00:00Z',
  })
  .transform((s) => new Date(DATE_ONLY.test(s) ? `${s}T00:00:00.000Z` : s).toISOString());

const windowShape = { from: reportInstantSchema, to: reportInstantSchema };

/** The ledger keys leads and owners by their 18-character Salesforce ids: a 15-character one asks for the same record. */
const asId18 = (id: string): string => toId18(id) ?? id;
const toAfterFrom = { message: '`to` must be after `from` (the window is [from, to))', path: ['to'] };

export const slaQuerySchema = z
  .object({
    ...windowShape,
    kind: kindSchema.optional(),
    ownerId: z.string().min(1).max(80).transform(asId18).optional(),
    team: z.string().min(1).max(60).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .refine((q) => q.from < q.to, toAfterFrom);
export type SlaQuery = z.infer<typeof slaQuerySchema>;
/** What the ledger filters on (the format is the caller's business). */
export type SlaFilter = Omit<SlaQuery, 'format'>;

export const funnelQuerySchema = z
  .object(windowShape)
  .strict()
  .refine((q) => q.from < q.to, toAfterFrom);
export type FunnelQuery = z.infer<typeof funnelQuerySchema>;

export const timelineQuerySchema = z.object({ leadId: idSchema.transform(asId18) }).strict();

/** The SLA outcome of one qualification cycle, as the engine decided it (see reports.ts for the rules). */
export { type SlaOutcome, slaOutcomeSchema };

const instant = z.string();
const ms = z.number().nullable();

/** One row of `leads[]`: one qualification cycle of one lead. */
export const slaLeadSchema = z.object({
  leadId: z.string(),
  kind: kindSchema,
  /** The owner credited: who held the clock when it was met or breached (or closed); pending, who holds it now. */
  ownerId: z.string().nullable(),
  /** Who held the clock at the cycle's first breach; null for a cycle never breached. */
  breachedOwnerId: z.string().nullable(),
  team: z.string(),
  qualifiedAt: instant,
  dueAt: instant.nullable(),
  firstTouchAt: instant.nullable(),
  status: slaOutcomeSchema,
  breaches: z.number().int(),
  policyVersion: z.string(),
  workflowId: z.string(),
  cycle: z.number().int(),
  /** What stopped the clock: the first contact attempt, an accept or a reject; null while nobody responded. */
  responseType: responseTypeSchema.nullable(),
  responseBusinessMs: ms,
  responseCalendarMs: ms,
  /** firstTouchAt − dueAt for a breached lead that was worked afterwards. */
  timeToActionMs: ms,
});
export type SlaLead = z.infer<typeof slaLeadSchema>;
export const SLA_CSV_COLUMNS = [
  'leadId',
  'kind',
  'ownerId',
  'team',
  'qualifiedAt',
  'dueAt',
  'firstTouchAt',
  'status',
  'breaches',
  'policyVersion',
  'cycle',
  'workflowId',
  'responseType',
  'breachedOwnerId',
] as const satisfies readonly (keyof SlaLead)[];

export const slaCountsSchema = z.object({
  leads: z.number().int(),
  met: z.number().int(),
  breached: z.number().int(),
  pending: z.number().int(),
  /** Closed before anyone responded (disqualified, decayed): listed, not in the compliance rate. */
  closedUnworked: z.number().int(),
});
export type SlaCounts = z.infer<typeof slaCountsSchema>;

/** Counts plus met / (met + breached), null while nothing is decided. */
const slaGroupShape = { ...slaCountsSchema.shape, complianceRate: z.number().nullable() };

export const percentilesSchema = z.object({ p50: ms, p90: ms, p95: ms });
export type Percentiles = z.infer<typeof percentilesSchema>;

export const slaReportSchema = z.object({
  from: instant,
  to: instant,
  totals: slaCountsSchema,
  complianceRate: z.number().nullable(),
  byKind: z.array(z.object({ kind: kindSchema, ...slaGroupShape })),
  byOwner: z.array(z.object({ ownerId: z.string().nullable(), ...slaGroupShape })),
  byTeam: z.array(z.object({ team: z.string(), ...slaGroupShape })),
  /** ISO weeks, Monday 00:00 UTC. */
  byWeek: z.array(z.object({ weekStart: instant, ...slaGroupShape })),
  byPolicyVersion: z.array(z.object({ policyVersion: z.string(), ...slaGroupShape })),
  responseTime: z.object({ business: percentilesSchema, calendar: percentilesSchema }),
  timeToActionAfterBreach: z.object({ leads: z.number().int(), ...percentilesSchema.shape }),
  leads: z.array(slaLeadSchema),
});
export type SlaReport = z.infer<typeof slaReportSchema>;

export const CONVERSION_STEPS = [
  ['MQL', 'SAL'],
  ['SAL', 'SQL'],
  ['SQL', 'CONVERTED'],
] as const;

export const funnelReportSchema = z.object({
  from: instant,
  to: instant,
  /** Distinct leads that entered each stage inside the window, in lifecycle order. */
  stages: z.array(z.object({ stage: stageSchema, leads: z.number().int() })).length(STAGES.length),
  /** Of the leads that entered `from` in the window, how many went on to enter `to` in it too. */
  conversion: z.array(
    z.object({ from: stageSchema, to: stageSchema, leads: z.number().int(), converted: z.number().int(), rate: z.number().nullable() }),
  ),
  recycleReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  disqualifyReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
});
export type FunnelReport = z.infer<typeof funnelReportSchema>;

export const timelineEntrySchema = z.object({
  source: z.enum(['ledger', 'temporal']),
  /** Ledger: the audit event id. Temporal: the API's id for the history event (or the audit id it carries). */
  id: z.string(),
  /** Server time, ISO UTC. */
  at: instant,
  type: z.string(),
  actor: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  cycle: z.number().int().optional(),
  stage: stageSchema.optional(),
  policyVersion: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
