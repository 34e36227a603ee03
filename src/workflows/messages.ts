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

/**
 * What travels to the workflow: the message body and the server's receive time, the time that
 * counts for the SLA. A client that does not stamp it gets workflow time.
 */
export type Envelope<T> = { body: T; receivedAt?: string };

export const LEAD_WORKFLOW_TYPE = 'leadLifecycle';
export const leadWorkflowId = (leadId: string): string => `lead-${leadId}`;

/** A CRM trigger (qualify or update); answers the lead state after it was applied. */
export const ingestTrigger = defineUpdate<LeadView, [Envelope<Trigger>]>('ingestTrigger');
/** Engagement from marketing automation; fire-and-forget (the API answers 202). */
export const recordEngagement = defineSignal<[Envelope<Engagement>]>('recordEngagement');

type Body<S extends z.ZodType> = Envelope<z.infer<S>>;
/** A conversion the activity poller read from Salesforce may close the lead from any sales stage. */
type ConvertBody = Envelope<z.infer<typeof convertSchema> & { inSalesforce?: boolean }>;

export const acceptLead = defineUpdate<LeadView, [Body<typeof acceptSchema>]>('acceptLead');
export const rejectLead = defineUpdate<LeadView, [Body<typeof rejectSchema>]>('rejectLead');
export const logContactAttempt = defineUpdate<LeadView, [Body<typeof contactAttemptSchema>]>('logContactAttempt');
export const qualifyLead = defineUpdate<LeadView, [Body<typeof qualifySchema>]>('qualifyLead');
export const convertLead = defineUpdate<LeadView, [ConvertBody]>('convertLead');
export const disqualifyLead = defineUpdate<LeadView, [Body<typeof disqualifySchema>]>('disqualifyLead');
export const reassignLead = defineUpdate<LeadView, [Body<typeof reassignSchema>]>('reassignLead');
export const reviewLead = defineUpdate<LeadView, [Body<typeof reviewSchema>]>('reviewLead');

export const leadState = defineQuery<LeadView>('leadState');

/** ApplicationFailure type of an update refused by the state machine (the API answers 409). */
export const INVALID_TRANSITION = 'INVALID_TRANSITION';
/** ApplicationFailure type of a trigger for a CONVERTED or DISQUALIFIED lead (the API answers 409). */
export const LEAD_CLOSED = 'LEAD_CLOSED';
/** ApplicationFailure type of a message whose content breaks the policy (the API answers 400). */
export const POLICY_VIOLATION = 'POLICY_VIOLATION';
