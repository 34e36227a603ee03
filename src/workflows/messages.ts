import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type {
  acceptSchema,
  contactAttemptSchema,
  convertSchema,
  disqualifySchema,
  Engagement,
  qualifySchema,
  reassignSchema,
  rejectSchema,
  reviewSchema,
  Trigger,
} from '../domain/inputs';
import type { LeadView } from '../domain/state';

/** Set by the API: the server's receive time, which is the time that counts for the SLA. */
export type Received<T> = T & { receivedAt?: string };

export const LEAD_WORKFLOW_TYPE = 'leadLifecycle';
export const leadWorkflowId = (leadId: string): string => `lead-${leadId}`;

/** A CRM trigger (qualify or update); answers the lead state after it was applied. */
export const ingestTrigger = defineUpdate<LeadView, [Received<Trigger>]>('ingestTrigger');
/** Engagement from marketing automation; fire-and-forget (the API answers 202). */
export const recordEngagement = defineSignal<[Received<Engagement>]>('recordEngagement');

export const acceptLead = defineUpdate<LeadView, [Received<z.infer<typeof acceptSchema>>]>('acceptLead');
export const rejectLead = defineUpdate<LeadView, [Received<z.infer<typeof rejectSchema>>]>('rejectLead');
export const logContactAttempt = defineUpdate<LeadView, [Received<z.infer<typeof contactAttemptSchema>>]>(
  'logContactAttempt',
);
export const qualifyLead = defineUpdate<LeadView, [Received<z.infer<typeof qualifySchema>>]>('qualifyLead');
export const convertLead = defineUpdate<LeadView, [Received<z.infer<typeof convertSchema>>]>('convertLead');
export const disqualifyLead = defineUpdate<LeadView, [Received<z.infer<typeof disqualifySchema>>]>('disqualifyLead');
export const reassignLead = defineUpdate<LeadView, [Received<z.infer<typeof reassignSchema>>]>('reassignLead');
export const reviewLead = defineUpdate<LeadView, [Received<z.infer<typeof reviewSchema>>]>('reviewLead');

export const leadState = defineQuery<LeadView>('leadState');

/** ApplicationFailure type of an update refused by the state machine (the API answers 409). */
export const INVALID_TRANSITION = 'INVALID_TRANSITION';
/** ApplicationFailure type of a message whose content breaks the policy (the API answers 400). */
export const POLICY_VIOLATION = 'POLICY_VIOLATION';
