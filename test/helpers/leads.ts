import type { Client, WorkflowHandle } from '@temporalio/client';
import { toId18 } from '../../src/domain/salesforce-id';
import { createLeadGateway } from '../../src/api/temporal';
import { triggerSchema, type Trigger } from '../../src/domain/inputs';
import type { Policy } from '../../src/domain/policy';
import type { LeadView } from '../../src/domain/state';
import { leadWorkflowId } from '../../src/workflows/messages';
import { leadLifecycle } from '../../src/workflows';

export const TASK_QUEUE = 'handoff-test';

let counter = 0;
/** A fresh Salesforce Lead id (00Q…) in its 18-character form; the 15-character form is tested on purpose where it matters. */
export const uniqueLeadId = (_label?: string): string => {
  const body = `${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().padStart(12, '0').slice(-12);
  return toId18(`00Q${body}`)!;
};

export const hotFirmographics = { industry: 'Software', employees: 120, region: 'NA', title: 'VP of Sales' };

/** Sends a CRM trigger through the API's own Temporal gateway (update-with-start on lead-<leadId>). */
export async function sendTrigger(
  client: Client,
  policy: Policy,
  trigger: Trigger,
  taskQueue = TASK_QUEUE,
): Promise<{ view: LeadView; handle: WorkflowHandle<typeof leadLifecycle> }> {
  const gateway = createLeadGateway({ client, taskQueue, namespace: client.options.namespace }, policy);
  const body = triggerSchema.parse(trigger);
  const view = await gateway.ingestTrigger(body, new Date().toISOString());
  return { view, handle: client.workflow.getHandle<typeof leadLifecycle>(leadWorkflowId(body.leadId)) };
}
