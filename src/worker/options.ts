import type { DataConverter } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { workflowBundlerOptions, workflowsPath } from './workflow-bundle';

/** What the long-running worker and the Lambda worker share: task queue, workflows, activities, payload encryption. */
export function handoffWorkerOptions(options: {
  taskQueue: string;
  activities: Activities;
  dataConverter: DataConverter;
  workflowBundlePath?: string;
}): Pick<WorkerOptions, 'taskQueue' | 'activities' | 'dataConverter' | 'workflowsPath' | 'bundlerOptions' | 'workflowBundle'> {
  return {
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: workflowsPath(), bundlerOptions: workflowBundlerOptions }),
  };
}
