import type { ConnectionLike } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

/** A poller seen this recently counts as a live worker. */
const LIVE_POLLER_MS = 2 * 60_000;

/** Workers that polled the workflow task queue in the last two minutes. */
export async function liveWorkflowPollers(
  connection: ConnectionLike,
  namespace: string,
  taskQueue: string,
): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const since = Date.now() - LIVE_POLLER_MS;
  return (response.pollers ?? []).filter((p) => (optionalTsToMs(p.lastAccessTime) ?? 0) >= since).length;
}

/** The namespace's custom search attributes (name → indexed value type), for the search-attributes check. */
export async function listSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<Record<string, number>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.fromEntries(
    Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]),
  );
}
