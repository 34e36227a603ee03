import { z } from 'zod';
import { KEY_PREFIX, recordIdOf } from './salesforce-id';
import { writeRefusalSchema } from './state';
import {
  channelSchema,
  closedStageSchema,
  disqualifyReasonSchema,
  firmographicsSchema,
  isoInstantSchema,
  kindSchema,
  outcomeSchema,
  rejectReasonSchema,
  reviewDecisionSchema,
} from './model';

/** Event ids end up in Salesforce external ids and the ledger, so they stay URL-safe. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'expected 1-80 characters of A-Z a-z 0-9 _ . : -');

const KIND_OF_PREFIX: Record<string, string> = {
  [KEY_PREFIX.lead]: 'Lead',
  [KEY_PREFIX.user]: 'User',
  [KEY_PREFIX.group]: 'Queue',
  [KEY_PREFIX.opportunity]: 'Opportunity',
};

/**
 * A Salesforce record id of one of the given objects (by key prefix), in its 18-character form: one
 * lead has one workflow however its id arrives (15 or 18 characters, either case of an 18).
 */
export function salesforceIdSchema(...prefixes: string[]) {
  const what = prefixes.map((p) => `${KIND_OF_PREFIX[p] ?? p} (${p}…)`).join(' or ');
  return z.string().transform((text, ctx) => {
    const id = recordIdOf(text, ...prefixes);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message: `expected the 15- or 18-character Salesforce id of a ${what}` });
      return z.NEVER;
    }
    return id;
  });
}

export const leadIdSchema = salesforceIdSchema(KEY_PREFIX.lead);
/** A rep or RevOps person: an active Salesforce User. */
export const userIdSchema = salesforceIdSchema(KEY_PREFIX.user);
/** Who owns a lead: a User or a Queue. */
export const ownerIdSchema = salesforceIdSchema(KEY_PREFIX.user, KEY_PREFIX.group);
const notesSchema = z.string().trim().min(1).max(4000);

export const engagementSchema = z
  .object({
    eventId: idSchema,
    type: z.string().min(1).max(80),
    occurredAt: isoInstantSchema,
    points: z.number().finite().min(-1000).max(1000).optional(),
  })
  .strict();
export type Engagement = z.infer<typeof engagementSchema>;

/** A CRM trigger: qualify a lead or update what we know about it (POST /v1/leads). */
export const triggerSchema = z
  .object({
    leadId: leadIdSchema,
    eventId: idSchema,
    occurredAt: isoInstantSchema,
    kind: kindSchema.optional(),
    fitScore: z.number().finite().min(-1000).max(1000).optional(),
    intentScore: z.number().finite().min(-1000).max(1000).optional(),
    firmographics: firmographicsSchema.optional(),
    activities: z
      .array(engagementSchema.partial({ eventId: true }))
      .max(200)
      .optional(),
    ownerId: ownerIdSchema.optional(),
    team: z.string().min(1).max(60).optional(),
    timezone: z.string().min(1).max(60).optional(),
  })
  .strict();
export type Trigger = z.infer<typeof triggerSchema>;

export const acceptSchema = z.object({ repId: userIdSchema }).strict();
export const rejectSchema = z
  .object({ repId: userIdSchema, reason: rejectReasonSchema, notes: notesSchema.optional() })
  .strict();
export const contactAttemptSchema = z
  .object({
    repId: userIdSchema,
    channel: channelSchema,
    outcome: outcomeSchema,
    occurredAt: isoInstantSchema.optional(),
  })
  .strict();
const bantAnswer = z.string().trim().min(1).max(1000);
export const qualifySchema = z
  .object({
    repId: userIdSchema,
    bant: z.object({ budget: bantAnswer, authority: bantAnswer, need: bantAnswer, timeline: bantAnswer }).strict(),
  })
  .strict();
export const convertSchema = z
  .object({ repId: userIdSchema, opportunityId: salesforceIdSchema(KEY_PREFIX.opportunity) })
  .strict();
export const disqualifySchema = z
  .object({ actorId: userIdSchema, reason: disqualifyReasonSchema, notes: notesSchema.optional() })
  .strict();
export const reassignSchema = z.object({ actorId: userIdSchema, ownerId: ownerIdSchema }).strict();
export const reviewSchema = z
  .object({ actorId: userIdSchema, decision: reviewDecisionSchema, notes: notesSchema.optional() })
  .strict();
export const reopenSchema = z.object({ actorId: userIdSchema, reason: notesSchema }).strict();

/** What the engine remembers of a closed lead (from its last run, or the ledger) when it is reopened. */
export const priorLifeSchema = z.object({
  stage: closedStageSchema,
  closedAt: isoInstantSchema,
  cycle: z.number().int().nonnegative(),
  seenIds: z.array(z.string()).max(2000),
});
export type PriorLife = z.infer<typeof priorLifeSchema>;

/** What a Lead write did. */
export const writeResultSchema = z.object({
  /** A field the org refused (the rest landed), or null when the write landed in full. */
  syncError: writeRefusalSchema.nullable(),
});
export type WriteResult = z.infer<typeof writeResultSchema>;

/**
 * Everything that can happen to a lead, as the state machine sees it; `tick` is time passing to
 * a deadline, `salesforceSynced` and `writeFailed` what the write-back reported.
 */
export const leadEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('trigger'), trigger: triggerSchema }),
  z.object({ type: z.literal('engagement'), engagement: engagementSchema }),
  z.object({ type: z.literal('accept'), ...acceptSchema.shape }),
  z.object({ type: z.literal('reject'), ...rejectSchema.shape }),
  z.object({ type: z.literal('contact'), ...contactAttemptSchema.shape }),
  z.object({ type: z.literal('qualify'), ...qualifySchema.shape }),
  /** `inSalesforce`: a rep converted the Lead in Salesforce (read by the activity poller), whatever the sales stage. */
  z.object({ type: z.literal('convert'), ...convertSchema.shape, inSalesforce: z.boolean().optional() }),
  z.object({ type: z.literal('disqualify'), ...disqualifySchema.shape }),
  z.object({ type: z.literal('reassign'), ...reassignSchema.shape }),
  z.object({ type: z.literal('review'), ...reviewSchema.shape }),
  z.object({ type: z.literal('reopen'), ...reopenSchema.shape, prior: priorLifeSchema }),
  z.object({ type: z.literal('tick') }),
  z.object({ type: z.literal('salesforceSynced'), ...writeResultSchema.shape }),
  z.object({
    type: z.literal('writeFailed'),
    effectId: z.string(),
    target: z.enum(['salesforce', 'ledger']),
    code: z.string(),
    message: z.string(),
  }),
]);
export type LeadEvent = z.infer<typeof leadEventSchema>;
/** The event of one type, as the rule that handles it takes it. */
export type EventOf<T extends LeadEvent['type']> = Extract<LeadEvent, { type: T }>;

/**
 * An event as it reached the engine: `receivedAt` is the server's receive time, the time that
 * counts for the SLA (never a time the sender claims); `requestId` the id retries share.
 */
export const receivedSchema = z.object({
  event: leadEventSchema,
  receivedAt: isoInstantSchema,
  requestId: z.string().max(300).nullable(),
});
export type Received = z.infer<typeof receivedSchema>;

/** The actions a person takes (sales, RevOps), as opposed to CRM events and the passage of time. */
export const ACTIONS = [
  'accept',
  'reject',
  'contact',
  'qualify',
  'convert',
  'disqualify',
  'reassign',
  'review',
  'reopen',
] as const;
export type Action = (typeof ACTIONS)[number];
