import { z } from 'zod';

export const STAGES = ['NURTURE', 'REVIEW', 'MQL', 'SAL', 'SQL', 'CONVERTED', 'RECYCLED', 'DISQUALIFIED'] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

/** Stages that end the workflow: only a deliberate reopen by RevOps starts a new cycle. */
export const closedStageSchema = stageSchema.extract(['CONVERTED', 'DISQUALIFIED']);
export const CLOSED_STAGES: readonly Stage[] = closedStageSchema.options;

/** Lead kinds in priority order: a stronger kind replaces a weaker one, never the reverse. */
export const KINDS = ['HAND_RAISE', 'PQL', 'MQL'] as const;
export const kindSchema = z.enum(KINDS);
export type Kind = z.infer<typeof kindSchema>;

export const slaStatusSchema = z.enum(['ON_TRACK', 'MET', 'BREACHED', 'NOT_APPLICABLE']);
export type SlaStatus = z.infer<typeof slaStatusSchema>;

/** Reasons a rep may give when rejecting a lead back to marketing. */
export const REJECT_REASONS = [
  'TIMING_NOT_RIGHT',
  'NO_BUDGET',
  'CHOSE_COMPETITOR',
  'UNRESPONSIVE',
  'NOT_ICP',
  'NO_AUTHORITY',
  'OTHER',
] as const;
export const rejectReasonSchema = z.enum(REJECT_REASONS);

/** Every recycle reason: the rep's reasons plus the one only the engine uses. */
export const recycleReasonSchema = z.enum([...REJECT_REASONS, 'SCORE_DECAYED']);
export type RecycleReason = z.infer<typeof recycleReasonSchema>;

export const DISQUALIFY_REASONS = ['SPAM', 'STUDENT', 'COMPETITOR', 'DUPLICATE', 'INVALID_CONTACT', 'OTHER'] as const;
export const disqualifyReasonSchema = z.enum(DISQUALIFY_REASONS);
export type DisqualifyReason = z.infer<typeof disqualifyReasonSchema>;

export const CHANNELS = ['call', 'email', 'sms', 'whatsapp', 'linkedin', 'chat', 'meeting'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const OUTCOMES = ['no_answer', 'voicemail', 'connected', 'replied', 'bounced', 'wrong_number'] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

/** Outcomes that mean the lead answered: the cadence has done its job. */
export const CONNECTED_OUTCOMES: readonly Outcome[] = ['connected', 'replied'];

export const REVIEW_DECISIONS = ['route', 'nurture', 'disqualify'] as const;
export const reviewDecisionSchema = z.enum(REVIEW_DECISIONS);
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export const isoInstantSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const firmographicsSchema = z
  .object({
    company: z.string().max(255).optional(),
    industry: z.string().max(120).optional(),
    employees: z.number().int().nonnegative().max(10_000_000).optional(),
    region: z.string().max(60).optional(),
    country: z.string().max(60).optional(),
    title: z.string().max(255).optional(),
    emailDomain: z.string().max(255).optional(),
    freeEmailDomain: z.boolean().optional(),
  })
  .strict();
export type Firmographics = z.infer<typeof firmographicsSchema>;
