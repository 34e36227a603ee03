export { leadLifecycle, type LeadWorkflowInput } from './lead-lifecycle';
export { salesforceActivityPoller } from './salesforce-activity-poller';
