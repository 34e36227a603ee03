import { z } from 'zod';
import type { HandoffPacket, HandoffTask, LeadRecord, TaskClose } from '../domain/effects';
import { TASK_KINDS } from '../domain/effects';
import { STAGES } from '../domain/model';

/** A Salesforce field API name; `null` in a mapping means "this org has no such field: do not write it". */
const apiNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected a Salesforce field API name');
const optionalField = apiNameSchema.nullable();

export const leadFieldsSchema = z
  .object({
    stage: optionalField,
    kind: optionalField,
    fitScore: optionalField,
    intentScore: optionalField,
    slaDueAt: optionalField,
    slaStatus: optionalField,
    firstTouchAt: optionalField,
    slaBreaches: optionalField,
    contactAttempts: optionalField,
    recycleReason: optionalField,
    recycleNotes: optionalField,
    workflowId: optionalField,
    ownerId: optionalField,
    status: optionalField,
    /** Holds the last write-back error (short, no personal data); null once a write lands in full. */
    syncError: optionalField,
  })
  .strict();
export type LeadFields = z.infer<typeof leadFieldsSchema>;

const picklistValue = z.string().min(1).max(255).nullable();
const picklistPer = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, picklistValue])) as Record<K, typeof picklistValue>).strict();
const byStage = picklistPer(STAGES);
const byTaskKind = picklistPer(TASK_KINDS);

export const fieldMapSchema = z
  .object({
    lead: leadFieldsSchema,
    /** Standard Lead `Status` per stage (`null`: leave Status alone in that stage). */
    leadStatus: byStage,
    task: z
      .object({
        externalId: apiNameSchema,
        /** Task `Status` of a new or updated Handoff task. */
        status: z.string().min(1).max(255),
        /** Task `Status` of a task closed because it no longer applies (a closed value of the org's TaskStatus). */
        closedStatus: z.string().min(1).max(255),
        /** Why Handoff closed the task (`null`: do not send it). */
        closeReason: optionalField,
      })
      .strict(),
    /** Task `Type` per task kind (org-defined picklist; `null`: do not send Type). */
    taskType: byTaskKind,
  })
  .strict();
export type FieldMap = z.infer<typeof fieldMapSchema>;

/** What `SALESFORCE_FIELD_MAP` may contain: any subset of the defaults, section by section. */
export const fieldMapOverrideSchema = z
  .object({
    lead: leadFieldsSchema.partial().optional(),
    leadStatus: byStage.partial().optional(),
    task: fieldMapSchema.shape.task.partial().optional(),
    taskType: byTaskKind.partial().optional(),
  })
  .strict();
export type FieldMapOverride = z.infer<typeof fieldMapOverrideSchema>;

/** DESIGN §3.3. */
export const DEFAULT_FIELD_MAP: FieldMap = {
  lead: {
    stage: 'Handoff_Stage__c',
    kind: 'Handoff_Kind__c',
    fitScore: 'Fit_Score__c',
    intentScore: 'Intent_Score__c',
    slaDueAt: 'SLA_Due_At__c',
    slaStatus: 'SLA_Status__c',
    firstTouchAt: 'First_Touch_At__c',
    slaBreaches: 'SLA_Breaches__c',
    contactAttempts: 'Contact_Attempts__c',
    recycleReason: 'Recycle_Reason__c',
    recycleNotes: 'Recycle_Notes__c',
    workflowId: 'Handoff_Workflow_Id__c',
    ownerId: 'OwnerId',
    status: 'Status',
    syncError: 'Handoff_Sync_Error__c',
  },
  leadStatus: {
    NURTURE: 'Closed - Not Converted',
    REVIEW: 'Open - Not Contacted',
    MQL: 'Open - Not Contacted',
    SAL: 'Working - Contacted',
    SQL: 'Working - Contacted',
    CONVERTED: 'Closed - Converted',
    RECYCLED: 'Closed - Not Converted',
    DISQUALIFIED: 'Closed - Not Converted',
  },
  task: {
    externalId: 'Handoff_Event_Id__c',
    status: 'Not Started',
    closedStatus: 'Completed',
    closeReason: 'Handoff_Close_Reason__c',
  },
  taskType: {
    HANDOFF: 'Call',
    REMINDER: 'Other',
    ESCALATION: 'Other',
    CADENCE_BREACH: 'Other',
    STALE: 'Other',
    REVIEW: 'Other',
  },
};

export function resolveFieldMap(override: FieldMapOverride = {}): FieldMap {
  return {
    lead: { ...DEFAULT_FIELD_MAP.lead, ...override.lead },
    leadStatus: { ...DEFAULT_FIELD_MAP.leadStatus, ...override.leadStatus },
    task: { ...DEFAULT_FIELD_MAP.task, ...override.task },
    taskType: { ...DEFAULT_FIELD_MAP.taskType, ...override.taskType },
  };
}

export type SObjectFields = Record<string, string | number | boolean | null>;

const SUBJECT_MAX = 255;
const CLOSE_REASON_MAX = 255;
const QUEUE_KEY_PREFIX = '00G';
const DESCRIPTION_MAX = 32_000;

/**
 * The Lead fields Handoff owns, by API name (the record id travels separately). The sync-error field
 * is cleared: a write that lands in full leaves the lead in sync.
 */
export function leadToSalesforce(record: LeadRecord, map: FieldMap): SObjectFields {
  const fields: SObjectFields = {};
  const put = (name: string | null, value: string | number | null): void => {
    if (name !== null) fields[name] = value;
  };
  const { lead } = map;
  put(lead.stage, record.stage);
  put(lead.kind, record.kind);
  put(lead.fitScore, round(record.fitScore));
  put(lead.intentScore, round(record.intentScore));
  put(lead.slaDueAt, isoUtc(record.slaDueAt));
  put(lead.slaStatus, record.slaStatus);
  put(lead.firstTouchAt, isoUtc(record.firstTouchAt));
  put(lead.slaBreaches, record.slaBreaches);
  put(lead.contactAttempts, record.contactAttempts);
  put(lead.recycleReason, record.recycleReason);
  put(lead.recycleNotes, record.recycleNotes);
  put(lead.workflowId, record.workflowId);
  if (record.ownerId !== null) put(lead.ownerId, record.ownerId);
  const status = map.leadStatus[record.stage];
  if (status !== null) put(lead.status, status);
  put(lead.syncError, null);
  return fields;
}

/** The Task fields of an upsert on the external id (which is part of the record, as Collections upsert wants). */
export function taskToSalesforce(task: HandoffTask, map: FieldMap): SObjectFields {
  const description = task.packet ? `${task.description}\n\n${renderPacket(task.packet)}` : task.description;
  const fields: SObjectFields = {
    [map.task.externalId]: task.externalId,
    Subject: truncate(task.subject, SUBJECT_MAX),
    Description: truncate(description, DESCRIPTION_MAX),
    WhoId: task.leadId,
    Priority: task.priority,
    Status: map.task.status,
    ActivityDate: task.dueAt === null ? null : isoUtc(task.dueAt).slice(0, 10),
    ReminderDateTime: isoUtc(task.reminderAt),
    IsReminderSet: task.reminderAt !== null,
  };
  if (taskOwnerIsUser(task)) fields.OwnerId = task.ownerId;
  const type = map.taskType[task.kind];
  if (type !== null) fields.Type = type;
  return fields;
}

/** A Task must be assigned to a user: with a queue owner (key prefix 00G) or none, it stays with the API user. */
export function taskOwnerIsUser(task: HandoffTask): task is HandoffTask & { ownerId: string } {
  return task.ownerId !== null && !task.ownerId.startsWith(QUEUE_KEY_PREFIX);
}

/**
 * The Task fields that close a Handoff task, upserted on its external id. WhoId travels too, so that a
 * close whose task never reached Salesforce still leaves a (closed) record on the lead, not an orphan.
 */
export function taskCloseToSalesforce(close: TaskClose, map: FieldMap): SObjectFields {
  const fields: SObjectFields = {
    [map.task.externalId]: close.externalId,
    WhoId: close.leadId,
    Status: map.task.closedStatus,
    IsReminderSet: false,
  };
  if (map.task.closeReason !== null) fields[map.task.closeReason] = truncate(close.reason, CLOSE_REASON_MAX);
  return fields;
}

/** The data packet as plain text a rep can read before the first call. */
export function renderPacket(packet: HandoffPacket): string {
  const lines = [
    `Handoff packet: ${packet.kind} lead`,
    `Respond by: ${packet.dueAt === null ? 'no deadline' : formatInstant(packet.dueAt)}`,
    '',
    `Fit score: ${formatPoints(packet.fitScore)}`,
    ...breakdown(packet.fitBreakdown.map((hit) => `${signed(hit.points)}  ${hit.rule}`)),
    '',
    `Intent score: ${formatPoints(packet.intentScore)} (decayed with inactivity)`,
    'Qualifying activities (newest first):',
    ...breakdown(
      [...packet.intentBreakdown]
        .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))
        .map(
          (e) => `${formatInstant(e.occurredAt)}  ${e.type}  ${signed(e.points)} at the time, ${signed(e.current)} now`,
        ),
    ),
    '',
    'Firmographics:',
    ...breakdown(firmographicLines(packet.firmographics)),
  ];
  return lines.join('\n');
}

function firmographicLines(f: HandoffPacket['firmographics']): string[] {
  const rows: Array<[string, string | number | boolean | undefined]> = [
    ['Company', f.company],
    ['Industry', f.industry],
    ['Employees', f.employees],
    ['Region', f.region],
    ['Country', f.country],
    ['Title', f.title],
    ['Email domain', f.emailDomain],
    ['Free email domain', f.freeEmailDomain === undefined ? undefined : f.freeEmailDomain ? 'yes' : 'no'],
  ];
  return rows.filter(([, v]) => v !== undefined).map(([label, v]) => `${label}: ${String(v)}`);
}

function breakdown(rows: string[]): string[] {
  return rows.length === 0 ? ['  (none)'] : rows.map((r) => `  ${r}`);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function formatPoints(n: number): string {
  return String(round(n));
}

function signed(n: number): string {
  const r = round(n);
  return r >= 0 ? `+${r}` : String(r);
}

/** `2026-11-02 14:00 UTC`: explicit about the zone, independent of the host's. */
function formatInstant(iso: string): string {
  return `${isoUtc(iso).slice(0, 16).replace('T', ' ')} UTC`;
}

function isoUtc(iso: string): string;
function isoUtc(iso: string | null): string | null;
function isoUtc(iso: string | null): string | null {
  return iso === null ? null : new Date(iso).toISOString();
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
