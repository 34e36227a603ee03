import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Trigger } from '../../src/domain/inputs';
import type { Policy } from '../../src/domain/policy';
import type { LeadView } from '../../src/domain/state';
import { ingestTrigger, leadWorkflowId } from '../../src/workflows/messages';
import { leadLifecycle } from '../../src/workflows';

export const TASK_QUEUE = 'handoff-test';

let counter = 0;
export const uniqueLeadId = (prefix = 'L'): string => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export const hotFirmographics = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };

/** Sends a CRM trigger the way the API does: update-with-start on lead-<leadId>. */
export async function sendTrigger(
  client: Client,
  policy: Policy,
  trigger: Trigger,
  taskQueue = TASK_QUEUE,
): Promise<{ view: LeadView; handle: WorkflowHandle<typeof leadLifecycle> }> {
  const op = new WithStartWorkflowOperation(leadLifecycle, {
    workflowId: leadWorkflowId(trigger.leadId),
    taskQueue,
    args: [{ leadId: trigger.leadId, policy }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const view = await client.workflow.executeUpdateWithStart(ingestTrigger, {
    args: [{ ...trigger, receivedAt: new Date().toISOString() }],
    updateId: `trigger-${trigger.eventId}`,
    startWorkflowOperation: op,
  });
  return { view, handle: await op.workflowHandle() };
}
