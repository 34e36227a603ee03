import type { WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';

/** What the long-running worker and the Lambda worker share: task queue, workflows, activities. */
export function handoffWorkerOptions(options: {
  taskQueue: string;
  activities: Activities;
  workflowBundlePath?: string;
}): Pick<WorkerOptions, 'taskQueue' | 'activities' | 'workflowsPath' | 'workflowBundle'> {
  return {
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
  };
}
