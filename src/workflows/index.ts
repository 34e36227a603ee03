export { leadLifecycle, type LeadWorkflowInput } from './lead-lifecycle';
