import { z } from 'zod';
import { channelSchema, outcomeSchema, type Channel, type Outcome } from './model';
import { KEY_PREFIX, recordIdOf, toId18 } from './salesforce-id';

/**
 * Touches logged in Salesforce: which Tasks and Events count as a contact attempt, on which channel
 * and with which outcome. Salesforce picklist values are org-defined, so the mapping is policy; the
 * defaults fit a standard org (Type Call/Email/Meeting, TaskSubtype Call/Email/ListEmail/LinkedIn,
 * common CTI call results).
 */
const picklistValue = z.string().trim().min(1).max(255);

export const DEFAULT_SALESFORCE_ACTIVITY = {
  completedStatuses: ['Completed'],
  taskSubtypes: { Call: 'call', Email: 'email', ListEmail: 'email', LinkedIn: 'linkedin' },
  types: { Call: 'call', Email: 'email', Meeting: 'meeting' },
  eventChannel: 'meeting',
  callDispositions: {
    Connected: 'connected',
    'Left Voicemail': 'voicemail',
    Voicemail: 'voicemail',
    'No Answer': 'no_answer',
    Busy: 'no_answer',
    'Wrong Number': 'wrong_number',
  },
  channelOutcomes: { meeting: 'connected' },
  defaultOutcome: 'no_answer',
} as const;

export const salesforceActivityPolicySchema = z
  .object({
    /** Task statuses that mean the touch happened; an open Task is a to-do and counts once it is completed. */
    completedStatuses: z
      .array(picklistValue)
      .min(1)
      .default([...DEFAULT_SALESFORCE_ACTIVITY.completedStatuses]),
    /** TaskSubtype → channel; it wins over Type because Salesforce sets it for logged calls and sent emails. */
    taskSubtypes: z.record(picklistValue, channelSchema).default({ ...DEFAULT_SALESFORCE_ACTIVITY.taskSubtypes }),
    /** Task and Event Type → channel. */
    types: z.record(picklistValue, channelSchema).default({ ...DEFAULT_SALESFORCE_ACTIVITY.types }),
    /** The channel of an Event whose Type maps to none. */
    eventChannel: channelSchema.default(DEFAULT_SALESFORCE_ACTIVITY.eventChannel),
    /** CallDisposition (free text set by the rep or a CTI tool, matched ignoring case) → outcome. */
    callDispositions: z
      .record(picklistValue, outcomeSchema)
      .default({ ...DEFAULT_SALESFORCE_ACTIVITY.callDispositions }),
    /** The outcome of a touch on a channel when no call result says otherwise (a held meeting is a conversation). */
    channelOutcomes: z
      .partialRecord(channelSchema, outcomeSchema)
      .default({ ...DEFAULT_SALESFORCE_ACTIVITY.channelOutcomes }),
    defaultOutcome: outcomeSchema.default(DEFAULT_SALESFORCE_ACTIVITY.defaultOutcome),
  })
  .strict();
export type SalesforceActivityPolicy = z.output<typeof salesforceActivityPolicySchema>;

const nullableText = z.string().nullish();

/** The Task and Event fields the poller reads (REST answers null for an unset field). */
export const salesforceActivityRecordSchema = z.object({
  Id: z.string(),
  WhoId: nullableText,
  OwnerId: nullableText,
  Type: nullableText,
  TaskSubtype: nullableText,
  CallDisposition: nullableText,
  Status: nullableText,
  CreatedDate: z.string(),
  CompletedDateTime: nullableText,
  StartDateTime: nullableText,
  SystemModstamp: z.string(),
  Handoff_Event_Id__c: nullableText,
});
export type SalesforceActivityRecord = z.infer<typeof salesforceActivityRecordSchema>;
export type ActivitySource = 'Task' | 'Event';

/** The channel and outcome of a Task or Event, or null when it is not a touch (a to-do, a Handoff task, an unmapped type). */
export function touchChannel(
  source: ActivitySource,
  record: SalesforceActivityRecord,
  policy: SalesforceActivityPolicy,
): { channel: Channel; outcome: Outcome } | null {
  if (record.Handoff_Event_Id__c) return null;
  let channel: Channel | undefined;
  if (source === 'Task') {
    if (!record.Status || !policy.completedStatuses.includes(record.Status)) return null;
    channel = lookup(policy.taskSubtypes, record.TaskSubtype) ?? lookup(policy.types, record.Type);
  } else {
    channel = lookup(policy.types, record.Type) ?? policy.eventChannel;
  }
  if (!channel) return null;
  const disposition =
    channel === 'call' ? lookupIgnoringCase(policy.callDispositions, record.CallDisposition) : undefined;
  return { channel, outcome: disposition ?? policy.channelOutcomes[channel] ?? policy.defaultOutcome };
}

export type ActivityTouch = {
  activityId: string;
  leadId: string;
  repId: string;
  channel: Channel;
  outcome: Outcome;
  /** Salesforce's server time of the touch: when the Task was completed (or created), when the Event was created. */
  at: string;
  /** The meeting's start, which the rep chose: kept beside the touch, never used for the SLA. */
  claimedAt?: string;
};

export type ActivityDecision = { touch: ActivityTouch } | { skip: string };

/** A Task or Event as a touch on a Handoff lead, or why it is not one (every skip is logged by the caller). */
export function activityTouch(
  source: ActivitySource,
  record: SalesforceActivityRecord,
  policy: SalesforceActivityPolicy,
): ActivityDecision {
  const activityId = toId18(record.Id);
  if (!activityId) return { skip: 'malformed activity id' };
  const leadId = recordIdOf(record.WhoId, KEY_PREFIX.lead);
  if (!leadId) return { skip: 'not on a lead' };
  if (record.Handoff_Event_Id__c) return { skip: 'written by Handoff' };
  const mapped = touchChannel(source, record, policy);
  if (!mapped)
    return {
      skip:
        source === 'Task' && !policy.completedStatuses.includes(record.Status ?? '')
          ? 'not completed'
          : 'unmapped type',
    };
  const repId = recordIdOf(record.OwnerId, KEY_PREFIX.user);
  if (!repId) return { skip: 'owner is not a user' };
  const at = instant(source === 'Task' ? (record.CompletedDateTime ?? record.CreatedDate) : record.CreatedDate);
  if (!at) return { skip: 'unreadable timestamp' };
  const claimedAt = source === 'Event' && record.StartDateTime ? instant(record.StartDateTime) : null;
  return { touch: { activityId, leadId, repId, ...mapped, at, ...(claimedAt ? { claimedAt } : {}) } };
}

/** The Lead fields read for conversions done in Salesforce. */
export const convertedLeadRecordSchema = z.object({
  Id: z.string(),
  OwnerId: nullableText,
  LastModifiedById: nullableText,
  IsConverted: z.boolean(),
  ConvertedOpportunityId: nullableText,
  SystemModstamp: z.string(),
});
export type ConvertedLeadRecord = z.infer<typeof convertedLeadRecordSchema>;

export type LeadConversion = { leadId: string; repId: string; opportunityId: string };

/**
 * A Lead converted in Salesforce as a conversion of the Handoff lead. The actor is the lead's owner
 * when that is a user; a queue-owned lead was converted by whoever last modified it (the conversion).
 */
export function leadConversion(record: ConvertedLeadRecord): { conversion: LeadConversion } | { skip: string } {
  const leadId = recordIdOf(record.Id, KEY_PREFIX.lead);
  if (!leadId) return { skip: 'malformed lead id' };
  if (!record.IsConverted) return { skip: 'not converted' };
  const opportunityId = record.ConvertedOpportunityId ? toId18(record.ConvertedOpportunityId) : null;
  if (!opportunityId) return { skip: 'converted without an opportunity' };
  const repId = [record.OwnerId, record.LastModifiedById]
    .map((id) => recordIdOf(id, KEY_PREFIX.user))
    .find((id) => id !== null);
  if (!repId) return { skip: 'no user to credit' };
  return { conversion: { leadId, repId, opportunityId } };
}

function lookup<T>(map: Record<string, T>, key: string | null | undefined): T | undefined {
  return key && Object.hasOwn(map, key) ? map[key] : undefined;
}

function lookupIgnoringCase<T>(map: Record<string, T>, key: string | null | undefined): T | undefined {
  const wanted = key?.trim().toLowerCase();
  if (!wanted) return undefined;
  const found = Object.keys(map).find((k) => k.trim().toLowerCase() === wanted);
  return found === undefined ? undefined : map[found];
}

/** Salesforce datetimes (`2026-12-01T14:00:00.000+0000`) as ISO-8601 UTC, or null; never read in the host's zone. */
export function instant(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
