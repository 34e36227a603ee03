import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * Temporal Cloud's billable Actions, counted from a workflow's real history
 * (docs.temporal.io/cloud/actions), as the issue states them:
 * - a workflow start (WorkflowExecutionStarted), and a continue-as-new, which starts the next run
 *   (counted as that run's WorkflowExecutionStarted, so not twice);
 * - each update accepted (WorkflowExecutionUpdateAccepted) and each signal (WorkflowExecutionSignaled);
 * - each activity start and each retry: ActivityTaskScheduled, plus (attempt − 1) of its ActivityTaskStarted;
 * - each timer started (TimerStarted);
 * - each UpsertWorkflowSearchAttributes;
 * - all local activities of one workflow task count once (their markers after one WorkflowTaskCompleted);
 * - every other marker (side effects, patches) counts once;
 * - each child workflow started (StartChildWorkflowExecutionInitiated).
 * Queries, workflow tasks and history events are free; they are printed for what they cost in latency and storage.
 */
export type Cost = {
  events: number;
  workflowTasks: number;
  activities: number;
  activityRetries: number;
  timers: number;
  upserts: number;
  signals: number;
  updates: number;
  markers: number;
  starts: number;
  actions: number;
};

export const COST_KEYS: (keyof Cost)[] = [
  'events',
  'workflowTasks',
  'activities',
  'activityRetries',
  'timers',
  'upserts',
  'signals',
  'updates',
  'markers',
  'starts',
  'actions',
];

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export function costOf(history: History): Cost {
  const c: Cost = {
    events: 0,
    workflowTasks: 0,
    activities: 0,
    activityRetries: 0,
    timers: 0,
    upserts: 0,
    signals: 0,
    updates: 0,
    markers: 0,
    starts: 0,
    actions: 0,
  };
  let localActivitiesInTask = false;
  let localActivityTasks = 0;
  let children = 0;
  for (const e of history.events ?? []) {
    c.events += 1;
    if (e.workflowTaskScheduledEventAttributes) c.workflowTasks += 1;
    if (e.workflowTaskCompletedEventAttributes) localActivitiesInTask = false;
    if (e.workflowExecutionStartedEventAttributes) c.starts += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) c.updates += 1;
    if (e.workflowExecutionSignaledEventAttributes) c.signals += 1;
    if (e.activityTaskScheduledEventAttributes) c.activities += 1;
    if (e.activityTaskStartedEventAttributes)
      c.activityRetries += Math.max(0, (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    if (e.timerStartedEventAttributes) c.timers += 1;
    if (e.upsertWorkflowSearchAttributesEventAttributes) c.upserts += 1;
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) children += 1;
    const marker = e.markerRecordedEventAttributes;
    if (marker) {
      if (marker.markerName !== LOCAL_ACTIVITY_MARKER) c.markers += 1;
      else if (!localActivitiesInTask) {
        localActivitiesInTask = true;
        localActivityTasks += 1;
      }
    }
  }
  c.markers += localActivityTasks;
  c.actions =
    c.starts + c.updates + c.signals + c.activities + c.activityRetries + c.timers + c.upserts + c.markers + children;
  return c;
}

/** One line per billable event of a history, with what it was (for `bench:engine -- --dump DIR`). */
export function billableEvents(history: History): string[] {
  const lines: string[] = [];
  for (const e of history.events ?? []) {
    const at = `${String(e.eventId).padStart(4)}`;
    if (e.workflowExecutionStartedEventAttributes) lines.push(`${at} start`);
    if (e.workflowExecutionUpdateAcceptedEventAttributes)
      lines.push(`${at} update ${e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? ''}`);
    if (e.workflowExecutionSignaledEventAttributes) lines.push(`${at} signal ${e.workflowExecutionSignaledEventAttributes.signalName}`);
    if (e.activityTaskScheduledEventAttributes) lines.push(`${at} activity ${e.activityTaskScheduledEventAttributes.activityType?.name}`);
    if (e.timerStartedEventAttributes) {
      const timeout = e.timerStartedEventAttributes.startToFireTimeout;
      lines.push(`${at} timer ${Number(timeout?.seconds ?? 0) + (timeout?.nanos ?? 0) / 1e9}s`);
    }
    if (e.upsertWorkflowSearchAttributesEventAttributes)
      lines.push(`${at} upsert ${Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {}).join(' ')}`);
    if (e.markerRecordedEventAttributes) lines.push(`${at} marker ${e.markerRecordedEventAttributes.markerName}`);
  }
  return lines;
}

/** Every run of a workflow, oldest first: continue-as-new leaves the earlier runs' histories behind. */
export async function historiesOf(client: Client, workflowId: string): Promise<History[]> {
  const runs: History[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

/** The cost of a workflow over all its runs. */
export async function workflowCost(client: Client, workflowId: string): Promise<Cost> {
  const total = Object.fromEntries(COST_KEYS.map((k) => [k, 0])) as Cost;
  for (const history of await historiesOf(client, workflowId)) {
    const c = costOf(history);
    for (const k of COST_KEYS) total[k] += c[k];
  }
  return total;
}

export function meanCost(costs: Cost[]): Cost {
  return Object.fromEntries(
    COST_KEYS.map((k) => [k, costs.reduce((sum, c) => sum + c[k], 0) / Math.max(1, costs.length)]),
  ) as Cost;
}

/** Temporal Cloud's first-tier price: about $50 per million Actions. */
export const DOLLARS_PER_ACTION = 50 / 1_000_000;
