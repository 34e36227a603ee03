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

export const slaSchema = z.object({
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
  responseBusinessMs: null,
  responseCalendarMs: null,
});

export const cadenceSchema = z.object({
  attempts: z.number().int(),
  connected: z.boolean(),
  channels: z.array(channelSchema),
  startedAt: instant.nullable(),
  dueBy: instant.nullable(),
  breached: z.boolean(),
});
export type Cadence = z.infer<typeof cadenceSchema>;

export const emptyCadence = (): Cadence => ({ attempts: 0, connected: false, channels: [], startedAt: null, dueBy: null, breached: false });

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
  reviewDueAt: instant.nullable(),
  staleSince: instant.nullable(),
  nextDecayAt: instant.nullable(),
  bant: z.record(z.string(), z.string()).nullable(),
  opportunityId: z.string().nullable(),
  lastSyncError: z
    .object({ effectId: z.string(), target: z.string(), code: z.string(), message: z.string(), at: instant })
    .nullable(),
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
    history: state.history,
  };
}
