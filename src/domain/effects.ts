import { z } from 'zod';
import { firmographicsSchema, kindSchema, recycleReasonSchema, slaStatusSchema, stageSchema } from './model';
import { fitRuleHitSchema, slaSchema } from './state';

const instant = z.string();

/** What the audit ledger records: one row per lifecycle event, idempotent on `id`. */
export const AUDIT_EVENT_TYPES = [
  'TRIGGER_RECEIVED',
  'QUALIFIED',
  'ROUTED_TO_NURTURE',
  'ROUTED_TO_REVIEW',
  'IGNORED',
  'ENGAGEMENT',
  'KIND_UPGRADED',
  'SLA_REMINDER',
  'SLA_BREACHED',
  'ESCALATED',
  'ESCALATION_REPEATED',
  'SLA_RESTARTED',
  'REASSIGNED',
  'ACCEPTED',
  'REJECTED',
  'CONTACT_ATTEMPT',
  'FIRST_TOUCH',
  'CADENCE_EXHAUSTED',
  'CADENCE_BREACHED',
  'SQL_QUALIFIED',
  'CONVERTED',
  'DISQUALIFIED',
  'RECYCLED',
  'REQUALIFIED',
  'COOL_OFF_BROKEN',
  'REOPENED',
  'SCORE_DECAYED',
  'INTENT_REEVALUATED',
  'STALE',
  'REVIEW_DECIDED',
  'REVIEW_OVERDUE',
  'WRITE_FAILED',
  'SYNC_ERROR',
  'SYNC_RECOVERED',
] as const;
export const auditEventTypeSchema = z.enum(AUDIT_EVENT_TYPES);
export type AuditEventType = z.infer<typeof auditEventTypeSchema>;

/** The lead's reportable fields at the moment of an audit event. */
export const leadSnapshotSchema = z.object({
  stage: stageSchema,
  kind: kindSchema,
  ownerId: z.string().nullable(),
  team: z.string(),
  fitScore: z.number(),
  intentScore: z.number(),
  qualifiedAt: instant.nullable(),
  sla: slaSchema.omit({ windowStartedAt: true, windowOpen: true, remindersSent: true }),
  cadence: z.object({
    attempts: z.number().int(),
    counted: z.number().int(),
    connected: z.boolean(),
    channels: z.array(z.string()),
  }),
  recycleReason: recycleReasonSchema.nullable(),
});
export type LeadSnapshot = z.infer<typeof leadSnapshotSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  leadId: z.string(),
  workflowId: z.string(),
  type: auditEventTypeSchema,
  /** Server time (workflow time) at which the event happened. */
  at: instant,
  actor: z.string().nullable(),
  cycle: z.number().int(),
  policyVersion: z.string(),
  detail: z.record(z.string(), z.unknown()),
  lead: leadSnapshotSchema,
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** The Salesforce Lead fields Handoff owns, in domain terms (src/salesforce maps them to API names). */
export const leadRecordSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  stage: stageSchema,
  kind: kindSchema,
  ownerId: z.string().nullable(),
  fitScore: z.number(),
  intentScore: z.number(),
  slaDueAt: instant.nullable(),
  slaStatus: slaStatusSchema,
  firstTouchAt: instant.nullable(),
  slaBreaches: z.number().int(),
  contactAttempts: z.number().int(),
  recycleReason: recycleReasonSchema.nullable(),
  recycleNotes: z.string().nullable(),
});
export type LeadRecord = z.infer<typeof leadRecordSchema>;

export const TASK_KINDS = ['HANDOFF', 'REMINDER', 'ESCALATION', 'CADENCE_BREACH', 'STALE', 'REVIEW'] as const;

/** What a rep needs for a good first call, attached to the handoff task. */
export const handoffPacketSchema = z.object({
  kind: kindSchema,
  dueAt: instant.nullable(),
  fitScore: z.number(),
  fitBreakdown: z.array(fitRuleHitSchema),
  intentScore: z.number(),
  intentBreakdown: z.array(
    z.object({ type: z.string(), occurredAt: instant, points: z.number(), current: z.number() }),
  ),
  firmographics: firmographicsSchema,
});
export type HandoffPacket = z.infer<typeof handoffPacketSchema>;

export const taskSchema = z.object({
  /** External id (Handoff_Event_Id__c): the effect id, so a retried upsert never makes a second task. */
  externalId: z.string(),
  leadId: z.string(),
  kind: z.enum(TASK_KINDS),
  ownerId: z.string().nullable(),
  subject: z.string(),
  description: z.string(),
  dueAt: instant.nullable(),
  /** When Salesforce pops a reminder for the owner (ReminderDateTime); null sets none. */
  reminderAt: instant.nullable(),
  priority: z.enum(['High', 'Normal']),
  packet: handoffPacketSchema.nullable(),
});
export type HandoffTask = z.infer<typeof taskSchema>;

/** A Handoff task that no longer applies: completed in Salesforce with the reason it closed. */
export const taskCloseSchema = z.object({
  externalId: z.string(),
  leadId: z.string(),
  reason: z.string(),
});
export type TaskClose = z.infer<typeof taskCloseSchema>;

/**
 * How long a Salesforce write may wait to share a call with others: escalations and reassignment
 * tasks are someone's next move (critical); field syncs and the rest can wait for a fuller batch.
 */
export const writePrioritySchema = z.enum(['critical', 'normal']);
export type WritePriority = z.infer<typeof writePrioritySchema>;

export const salesforceEffectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('syncLead'), id: z.string(), priority: writePrioritySchema, lead: leadRecordSchema }),
  z.object({ type: z.literal('upsertTask'), id: z.string(), priority: writePrioritySchema, task: taskSchema }),
  z.object({ type: z.literal('closeTask'), id: z.string(), close: taskCloseSchema }),
]);
export type SalesforceEffect = z.infer<typeof salesforceEffectSchema>;

export const effectSchema = z.union([
  z.object({ type: z.literal('ledger'), id: z.string(), event: auditEventSchema }),
  salesforceEffectSchema,
]);
export type Effect = z.infer<typeof effectSchema>;
