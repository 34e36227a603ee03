import { defineUpdate, setHandler, condition } from '@temporalio/workflow';

export { leadLifecycle } from '../../src/workflows';

/** The baseline: a workflow that takes the same update-with-start and does nothing. */
export const noopTrigger = defineUpdate<string, [unknown]>('noopTrigger');

export async function noopLead(): Promise<void> {
  let done = false;
  setHandler(noopTrigger, () => {
    done = true;
    return 'ok';
  });
  await condition(() => done);
}
