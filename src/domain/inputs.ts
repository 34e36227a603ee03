import { z } from 'zod';
import {
  channelSchema,
  disqualifyReasonSchema,
  firmographicsSchema,
  isoInstantSchema,
  kindSchema,
  outcomeSchema,
  rejectReasonSchema,
  reviewDecisionSchema,
} from './model';

/** Ids end up in workflow ids and Salesforce external ids, so they stay URL-safe. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'expected 1-80 characters of A-Z a-z 0-9 _ . : -');
const actorSchema = z.string().min(1).max(80);
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
    leadId: idSchema,
    eventId: idSchema,
    occurredAt: isoInstantSchema,
    kind: kindSchema.optional(),
    fitScore: z.number().finite().min(-1000).max(1000).optional(),
    intentScore: z.number().finite().min(-1000).max(1000).optional(),
    firmographics: firmographicsSchema.optional(),
    activities: z.array(engagementSchema.partial({ eventId: true })).max(200).optional(),
    ownerId: idSchema.optional(),
    team: z.string().min(1).max(60).optional(),
    timezone: z.string().min(1).max(60).optional(),
  })
  .strict();
export type Trigger = z.infer<typeof triggerSchema>;

export const acceptSchema = z.object({ repId: actorSchema }).strict();
export const rejectSchema = z.object({ repId: actorSchema, reason: rejectReasonSchema, notes: notesSchema.optional() }).strict();
export const contactAttemptSchema = z
  .object({ repId: actorSchema, channel: channelSchema, outcome: outcomeSchema, occurredAt: isoInstantSchema.optional() })
  .strict();
const bantAnswer = z.string().trim().min(1).max(1000);
export const qualifySchema = z
  .object({
    repId: actorSchema,
    bant: z.object({ budget: bantAnswer, authority: bantAnswer, need: bantAnswer, timeline: bantAnswer }).strict(),
  })
  .strict();
export const convertSchema = z.object({ repId: actorSchema, opportunityId: idSchema }).strict();
export const disqualifySchema = z
  .object({ actorId: actorSchema, reason: disqualifyReasonSchema, notes: notesSchema.optional() })
  .strict();
export const reassignSchema = z.object({ actorId: actorSchema, ownerId: idSchema }).strict();
export const reviewSchema = z
  .object({ actorId: actorSchema, decision: reviewDecisionSchema, notes: notesSchema.optional() })
  .strict();

/**
 * Everything that can happen to a lead, as the state machine sees it. `receivedAt` is the API's
 * receive time (the time that counts for the SLA); `tick` is time passing to a deadline.
 */
export const leadEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('trigger'), trigger: triggerSchema }),
  z.object({ type: z.literal('engagement'), engagement: engagementSchema }),
  z.object({ type: z.literal('accept'), ...acceptSchema.shape }),
  z.object({ type: z.literal('reject'), ...rejectSchema.shape }),
  z.object({ type: z.literal('contact'), ...contactAttemptSchema.shape }),
  z.object({ type: z.literal('qualify'), ...qualifySchema.shape }),
  z.object({ type: z.literal('convert'), ...convertSchema.shape }),
  z.object({ type: z.literal('disqualify'), ...disqualifySchema.shape }),
  z.object({ type: z.literal('reassign'), ...reassignSchema.shape }),
  z.object({ type: z.literal('review'), ...reviewSchema.shape }),
  z.object({ type: z.literal('tick') }),
  z.object({
    type: z.literal('writeFailed'),
    effectId: z.string(),
    target: z.enum(['salesforce', 'ledger']),
    code: z.string(),
    message: z.string(),
  }),
]);
export type LeadEvent = z.infer<typeof leadEventSchema>;
export type LeadEventType = LeadEvent['type'];

/** The actions a person takes (sales, RevOps), as opposed to CRM events and the passage of time. */
export const ACTIONS = ['accept', 'reject', 'contact', 'qualify', 'convert', 'disqualify', 'reassign', 'review'] as const;
export type Action = (typeof ACTIONS)[number];
