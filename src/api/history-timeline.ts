import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { timelineEntryOf } from '../audit/reports';
import type { TimelineEntry } from '../audit/schemas';
import { auditEventSchema } from '../domain/effects';

type Entry = Omit<TimelineEntry, 'source'>;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

/**
 * The lead's Temporal history as timeline entries. Payloads are not copied (they may hold personal
 * data), except the audit events the workflow handed to the ledger: those keep their audit id, so
 * mergeTimeline collapses them into the ledger's rows and shows them only if the ledger lacks them.
 */
export function historyTimeline(history: History): Entry[] {
  return (history.events ?? []).flatMap((event) => {
    const at = optionalTsToMs(event.eventTime);
    if (at === undefined) return [];
    const base = { id: `temporal:${String(event.eventId)}`, at: new Date(at).toISOString(), actor: null };
    return entriesOf(event, base);
  });
}

function entriesOf(event: HistoryEvent, base: { id: string; at: string; actor: null }): Entry[] {
  const one = (type: string, detail: Record<string, unknown> = {}): Entry[] => [{ ...base, type, detail }];
  switch (event.eventType) {
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const a = event.workflowExecutionStartedEventAttributes;
      return one('WORKFLOW_STARTED', { workflowType: a?.workflowType?.name, taskQueue: a?.taskQueue?.name });
    }
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
      const a = event.workflowExecutionUpdateAcceptedEventAttributes;
      return one('UPDATE_ACCEPTED', { name: a?.acceptedRequest?.input?.name, updateId: a?.protocolInstanceId });
    }
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
      const a = event.workflowExecutionUpdateCompletedEventAttributes;
      return one('UPDATE_COMPLETED', { updateId: a?.meta?.updateId, outcome: a?.outcome?.failure ? 'failure' : 'success' });
    }
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      return one('SIGNAL_RECEIVED', { name: event.workflowExecutionSignaledEventAttributes?.signalName });
    case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const a = event.activityTaskScheduledEventAttributes;
      const auditEntries = a?.activityType?.name === 'applyEffects' ? auditEntriesOf(a.input?.payloads) : [];
      return auditEntries.length > 0 ? auditEntries : one('ACTIVITY_SCHEDULED', { activityType: a?.activityType?.name, activityId: a?.activityId });
    }
    case T.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      return one('ACTIVITY_FAILED', { message: event.activityTaskFailedEventAttributes?.failure?.message });
    case T.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      return one('ACTIVITY_TIMED_OUT');
    case T.EVENT_TYPE_TIMER_STARTED: {
      const a = event.timerStartedEventAttributes;
      return one('TIMER_STARTED', { timerId: a?.timerId, fireAfterMs: optionalTsToMs(a?.startToFireTimeout) });
    }
    case T.EVENT_TYPE_TIMER_FIRED:
      return one('TIMER_FIRED', { timerId: event.timerFiredEventAttributes?.timerId });
    case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return one('SEARCH_ATTRIBUTES_UPSERTED');
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return one('WORKFLOW_CONTINUED_AS_NEW', { newRunId: event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId });
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return one('WORKFLOW_COMPLETED');
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return one('WORKFLOW_FAILED', { message: event.workflowExecutionFailedEventAttributes?.failure?.message });
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return one('WORKFLOW_TERMINATED', { reason: event.workflowExecutionTerminatedEventAttributes?.reason });
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return one('WORKFLOW_TIMED_OUT');
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return one('WORKFLOW_CANCELED');
    default:
      return [];
  }
}

function auditEntriesOf(payloads: temporal.api.common.v1.IPayload[] | null | undefined): Entry[] {
  const [first] = payloads ?? [];
  if (!first) return [];
  let decoded: unknown;
  try {
    decoded = defaultPayloadConverter.fromPayload(first);
  } catch {
    return []; // encrypted or foreign encoding: the generic entry stands in
  }
  const events = auditEventSchema.array().safeParse((decoded as { ledger?: unknown } | null)?.ledger);
  if (!events.success) return [];
  return events.data.map(timelineEntryOf);
}
