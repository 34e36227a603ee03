import { z } from 'zod';
import {
  channelSchema,
  disqualifyReasonSchema,
  firmographicsSchema,
  kindSchema,
  recycleReasonSchema,
  slaStatusSchema,
  stageSchema,
} from './model';

const instant = z.string();

export const historyEntrySchema = z.object({
  at: instant,
  type: z.string(),
  actor: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** How a qualification cycle's first-touch clock ended: the SLA report's status. */
export const slaOutcomeSchema = z.enum(['PENDING', 'MET', 'BREACHED', 'CLOSED_UNWORKED']);
export type SlaOutcome = z.infer<typeof slaOutcomeSchema>;

/** What stopped the clock: a first contact attempt, an explicit accept, or a reject with a reason. */
export const responseTypeSchema = z.enum(['contact', 'accept', 'reject']);
export type ResponseType = z.infer<typeof responseTypeSchema>;

export const slaSchema = z.object({
  /** The running deadline: the first-touch window's end, or after the chain the next repeated escalation. */
  dueAt: instant.nullable(),
  /** The first deadline of this cycle, before any reassignment restarted the clock. */
  firstDueAt: instant.nullable(),
  windowStartedAt: instant.nullable(),
  /** True while a first-touch window is running (closed by the first touch or a final breach). */
  windowOpen: z.boolean(),
  status: slaStatusSchema,
  firstTouchAt: instant.nullable(),
  breaches: z.number().int(),
  escalations: z.number().int(),
  reassignments: z.number().int(),
  remindersSent: z.number().int(),
  /** Escalation steps of the policy's chain taken in this cycle. */
  step: z.number().int(),
  /** The owner whose window is running: the one credited when it is met or breached. */
  clockOwnerId: z.string().nullable(),
  /** The owner who held the clock at the cycle's first breach. */
  breachedOwnerId: z.string().nullable(),
  responseType: responseTypeSchema.nullable(),
  outcome: slaOutcomeSchema.nullable(),
  /** Working time from qualification to first touch, in the team's business calendar. */
  responseBusinessMs: z.number().nullable(),
  responseCalendarMs: z.number().nullable(),
});
export type Sla = z.infer<typeof slaSchema>;

/** The SLA of a lead not (yet) handed to sales in this cycle. */
export const emptySla = (): Sla => ({
  dueAt: null,
  firstDueAt: null,
  windowStartedAt: null,
  windowOpen: false,
  status: 'NOT_APPLICABLE',
  firstTouchAt: null,
  breaches: 0,
  escalations: 0,
  reassignments: 0,
  remindersSent: 0,
  step: 0,
  clockOwnerId: null,
  breachedOwnerId: null,
  responseType: null,
  outcome: null,
  responseBusinessMs: null,
  responseCalendarMs: null,
});

export const cadenceSchema = z.object({
  /** Every touch logged, counted toward the cadence or not. */
  attempts: z.number().int(),
  /** Touches at least the policy's minimum spacing apart: the ones the cadence counts. */
  counted: z.number().int(),
  connected: z.boolean(),
  /** Channels of the counted touches. */
  channels: z.array(channelSchema),
  startedAt: instant.nullable(),
  dueBy: instant.nullable(),
  lastCountedAt: instant.nullable(),
  breached: z.boolean(),
});
export type Cadence = z.infer<typeof cadenceSchema>;

export const emptyCadence = (): Cadence => ({
  attempts: 0,
  counted: 0,
  connected: false,
  channels: [],
  startedAt: null,
  dueBy: null,
  lastCountedAt: null,
  breached: false,
});

export const openTaskSchema = z.object({ externalId: z.string(), kind: z.string(), ownerId: z.string().nullable() });
export type OpenTask = z.infer<typeof openTaskSchema>;

/** Why Salesforce refused part or all of a Lead write. */
export const writeRefusalSchema = z.object({
  /** Salesforce's code for the first refusal (e.g. INVALID_CROSS_REFERENCE_KEY). */
  code: z.string(),
  /** The fields left out of the write: their values did not land. */
  fields: z.array(z.string()),
  /** Salesforce's messages, personal data masked. */
  message: z.string(),
});
export type WriteRefusal = z.infer<typeof writeRefusalSchema>;

/** The last Salesforce write that landed without some field (the field was refused), or a write that failed for good. */
export const syncErrorSchema = writeRefusalSchema.extend({ at: instant });
export type SyncError = z.infer<typeof syncErrorSchema>;

export const intentEventSchema = z.object({
  eventId: z.string(),
  type: z.string(),
  occurredAt: instant,
  points: z.number(),
  halfLifeMs: z.number().positive(),
});
export type IntentEvent = z.infer<typeof intentEventSchema>;

export const recycleSchema = z.object({
  reason: recycleReasonSchema,
  notes: z.string().nullable(),
  at: instant,
  coolOffUntil: instant,
});
export type Recycle = z.infer<typeof recycleSchema>;

export const fitRuleHitSchema = z.object({ rule: z.string(), points: z.number() });

/** The whole state of one lead's workflow: JSON, carried across continue-as-new. */
export const leadStateSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  /** Prefix of every effect id: workflow id plus first run id, so ids never repeat across executions. */
  effectPrefix: z.string(),
  stage: stageSchema,
  /** Low fit and low intent: the policy keeps no workflow for the lead, so this one ends. */
  ignored: z.boolean(),
  kind: kindSchema,
  /** The CRM named the kind (it handed the lead to sales itself), so decay never takes it back. */
  kindExplicit: z.boolean(),
  ownerId: z.string().nullable(),
  team: z.string(),
  timezone: z.string().nullable(),
  policyVersion: z.string(),
  cycle: z.number().int(),
  firmographics: firmographicsSchema,
  fitScore: z.number(),
  fitBreakdown: z.array(fitRuleHitSchema),
  fitReported: z.boolean(),
  intentBase: z.object({ score: z.number(), at: instant }).nullable(),
  intentEvents: z.array(intentEventSchema),
  intentScore: z.number(),
  qualifiedAt: instant.nullable(),
  stageEnteredAt: instant,
  sla: slaSchema,
  cadence: cadenceSchema,
  recycle: recycleSchema.nullable(),
  disqualification: z.object({ reason: disqualifyReasonSchema, notes: z.string().nullable(), at: instant }).nullable(),
  /** External id of this cycle's handoff task, re-upserted when the deadline moves. */
  handoffTaskId: z.string().nullable(),
  /** Handoff's tasks still open in Salesforce: closed when they no longer apply. */
  openTasks: z.array(openTaskSchema),
  reviewDueAt: instant.nullable(),
  staleSince: instant.nullable(),
  /** When decayed intent was last evaluated by time alone (decay.tick apart at the least). */
  decayCheckedAt: instant.nullable(),
  bant: z.record(z.string(), z.string()).nullable(),
  opportunityId: z.string().nullable(),
  syncError: syncErrorSchema.nullable(),
  seenEventIds: z.array(z.string()),
  seq: z.number().int(),
  history: z.array(historyEntrySchema),
});
export type LeadState = z.infer<typeof leadStateSchema>;

/** The lead as the API answers it (docs/contracts/http-api.md). */
export const leadViewSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  stage: stageSchema,
  kind: kindSchema,
  ownerId: z.string().nullable(),
  team: z.string(),
  fitScore: z.number(),
  intentScore: z.number(),
  policyVersion: z.string(),
  qualifiedAt: instant.nullable(),
  sla: z.object({
    dueAt: instant.nullable(),
    status: slaStatusSchema,
    firstTouchAt: instant.nullable(),
    breaches: z.number().int(),
    escalations: z.number().int(),
  }),
  cadence: z.object({
    attempts: z.number().int(),
    connected: z.boolean(),
    channels: z.array(channelSchema),
    dueBy: instant.nullable(),
  }),
  recycle: z.object({ reason: recycleReasonSchema, notes: z.string().nullable(), at: instant }).nullable(),
  /** The last Salesforce write problem, cleared when a write lands in full. */
  syncError: syncErrorSchema.nullable(),
  history: z.array(historyEntrySchema),
});
export type LeadView = z.infer<typeof leadViewSchema>;

export function toLeadView(state: LeadState): LeadView {
  return {
    leadId: state.leadId,
    workflowId: state.workflowId,
    stage: state.stage,
    kind: state.kind,
    ownerId: state.ownerId,
    team: state.team,
    fitScore: state.fitScore,
    intentScore: state.intentScore,
    policyVersion: state.policyVersion,
    qualifiedAt: state.qualifiedAt,
    sla: {
      dueAt: state.sla.dueAt,
      status: state.sla.status,
      firstTouchAt: state.sla.firstTouchAt,
      breaches: state.sla.breaches,
      escalations: state.sla.escalations,
    },
    cadence: {
      attempts: state.cadence.attempts,
      connected: state.cadence.connected,
      channels: state.cadence.channels,
      dueBy: state.cadence.dueBy,
    },
    recycle: state.recycle ? { reason: state.recycle.reason, notes: state.recycle.notes, at: state.recycle.at } : null,
    syncError: state.syncError,
    history: state.history,
  };
}
