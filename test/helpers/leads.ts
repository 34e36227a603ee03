import type { Client, WorkflowHandle } from '@temporalio/client';
import { createLeadGateway } from '../../src/api/temporal';
import type { Trigger } from '../../src/domain/inputs';
import type { Policy } from '../../src/domain/policy';
import type { LeadView } from '../../src/domain/state';
import { leadWorkflowId } from '../../src/workflows/messages';
import { leadLifecycle } from '../../src/workflows';

export const TASK_QUEUE = 'handoff-test';

let counter = 0;
export const uniqueLeadId = (prefix = 'L'): string => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export const hotFirmographics = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };

/** Sends a CRM trigger through the API's own Temporal gateway (update-with-start on lead-<leadId>). */
export async function sendTrigger(
  client: Client,
  policy: Policy,
  trigger: Trigger,
  taskQueue = TASK_QUEUE,
): Promise<{ view: LeadView; handle: WorkflowHandle<typeof leadLifecycle> }> {
  const gateway = createLeadGateway({ client, taskQueue, namespace: client.options.namespace }, policy);
  const view = await gateway.ingestTrigger({ ...trigger, receivedAt: new Date().toISOString() });
  return { view, handle: client.workflow.getHandle<typeof leadLifecycle>(leadWorkflowId(trigger.leadId)) };
}
