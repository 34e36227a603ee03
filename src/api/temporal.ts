import {
  ApplicationFailure,
  isGrpcServiceError,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Ledger } from '../audit/ledger';
import type { Engagement, PriorLife, Trigger } from '../domain/inputs';
import { liveWorkflowPollers } from '../health/temporal';
import type { Policy } from '../domain/policy';
import type { LeadView } from '../domain/state';
import type { LeadWorkflowInput } from '../workflows/lead-lifecycle';
import { startSearchAttributes } from '../workflows/search-attributes';
import {
  acceptLead,
  convertLead,
  disqualifyLead,
  type Envelope,
  ingestTrigger,
  INVALID_TRANSITION,
  LEAD_CLOSED,
  LEAD_WORKFLOW_TYPE,
  leadState,
  leadWorkflowId,
  logContactAttempt,
  POLICY_VIOLATION,
  qualifyLead,
  reassignLead,
  recordEngagement,
  rejectLead,
  reviewLead,
} from '../workflows/messages';
import { ApiError, unavailable, validationFailed } from './errors';

export interface TemporalDeps {
  client: Client;
  taskQueue: string;
  namespace: string;
  /** Deadline of one API call to Temporal; past it the API answers 503 with Retry-After. */
  timeoutMs?: number;
}

/** The sales / RevOps actions, by the path segment that names them. */
export const ACTION_UPDATES = {
  accept: acceptLead,
  reject: rejectLead,
  'contact-attempts': logContactAttempt,
  qualify: qualifyLead,
  convert: convertLead,
  disqualify: disqualifyLead,
  reassign: reassignLead,
  review: reviewLead,
} as const;
export type LeadAction = keyof typeof ACTION_UPDATES;
export type ActionBody<A extends LeadAction> =
  (typeof ACTION_UPDATES)[A] extends UpdateDefinition<LeadView, [Envelope<infer Body>]> ? Body : never;

const GRPC_NOT_FOUND = 5;
const GRPC_TRANSIENT = new Set([
  1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */,
]);

export type LeadGateway = ReturnType<typeof createLeadGateway>;

export function createLeadGateway(deps: TemporalDeps, policy: Policy, ledger?: Ledger) {
  const { client, taskQueue } = deps;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const withDeadline = <T>(fn: () => Promise<T>): Promise<T> => client.withDeadline(Date.now() + timeoutMs, fn);
  const handle = (leadId: string) => client.workflow.getHandle(leadWorkflowId(leadId));

  // A closed lead's workflow id is never reused by a trigger (REJECT_DUPLICATE); only a reopen starts it again.
  const startOperation = (trigger: Trigger, receivedAt: string) =>
    new WithStartWorkflowOperation(LEAD_WORKFLOW_TYPE, {
      workflowId: leadWorkflowId(trigger.leadId),
      taskQueue,
      args: [{ leadId: trigger.leadId, policy } satisfies LeadWorkflowInput],
      typedSearchAttributes: startSearchAttributes(leadWorkflowId(trigger.leadId), trigger, policy, receivedAt),
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  // A retried trigger carries the same eventId, so Temporal answers it with the first outcome.
  const triggerUpdateId = (eventId: string) => `trigger:${eventId}`;

  /** The ledger outlives Temporal's retention: a lead it knows as closed stays closed. */
  const refuseIfClosed = async (leadId: string): Promise<void> => {
    const prior = await ledger?.closedLead(leadId);
    if (prior) throw leadClosed(leadId, prior);
  };

  return {
    /** Update-with-start: one workflow per lead however many triggers race; answers the state after the trigger. */
    async ingestTrigger(trigger: Trigger, receivedAt: string): Promise<LeadView> {
      await refuseIfClosed(trigger.leadId);
      try {
        return await call(trigger.leadId, () =>
          client.workflow.executeUpdateWithStart(ingestTrigger, {
            args: [{ body: trigger, receivedAt }],
            updateId: triggerUpdateId(trigger.eventId),
            startWorkflowOperation: startOperation(trigger, receivedAt),
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw leadClosed(trigger.leadId, await ledger?.closedLead(trigger.leadId));
        throw err;
      }
    },

    async recordEngagement(leadId: string, engagement: Engagement, receivedAt: string): Promise<void> {
      await refuseIfClosed(leadId);
      await call(leadId, () => handle(leadId).signal(recordEngagement, { body: engagement, receivedAt }));
    },

    /**
     * RevOps reopens a closed lead: a new run of its workflow that starts from what the ledger knows
     * (its final stage, cycles and seen ids), so dedupe holds across runs.
     */
    async reopen(
      leadId: string,
      body: { actorId: string; reason: string },
      receivedAt: string,
      requestId: string,
    ): Promise<LeadView> {
      const prior = await ledger?.closedLead(leadId);
      if (!prior) {
        const view = await call(leadId, () => handle(leadId).query(leadState));
        throw new ApiError(
          409,
          'INVALID_TRANSITION',
          `lead ${leadId} is ${view.stage}: only a CONVERTED or DISQUALIFIED lead can be reopened`,
          {
            stage: view.stage,
            allowed: [],
          },
        );
      }
      const input: LeadWorkflowInput = { leadId, policy, reopen: { prior, ...body, receivedAt, requestId } };
      try {
        await call(leadId, () =>
          client.workflow.start(LEAD_WORKFLOW_TYPE, {
            workflowId: leadWorkflowId(leadId),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          }),
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return call(leadId, () => handle(leadId).query(leadState));
    },

    async act<A extends LeadAction>(
      leadId: string,
      action: A,
      body: ActionBody<A>,
      receivedAt: string,
      idempotencyKey?: string,
    ): Promise<LeadView> {
      const update = ACTION_UPDATES[action] as UpdateDefinition<LeadView, [Envelope<ActionBody<A>>]>;
      try {
        return await call(leadId, () =>
          handle(leadId).executeUpdate(update, {
            args: [{ body, receivedAt }],
            ...(idempotencyKey ? { updateId: `${action}:${idempotencyKey}` } : {}),
          }),
        );
      } catch (err) {
        if (err instanceof ApiError && err.code === 'LEAD_NOT_FOUND') throw await closedLeadError(leadId, err);
        throw err;
      }
    },

    async state(leadId: string): Promise<LeadView> {
      return call(leadId, () => handle(leadId).query(leadState));
    },

    /** The lead's history, with the effects batches decoded (payloads are encrypted at rest) so the timeline can read their rows. */
    async history(leadId: string): Promise<History> {
      const history = await call(leadId, () => handle(leadId).fetchHistory());
      const codecs = client.options.loadedDataConverter.payloadCodecs;
      for (const event of history.events ?? []) {
        const input = event.activityTaskScheduledEventAttributes?.input;
        if (!input?.payloads || codecs.length === 0) continue;
        try {
          let payloads = input.payloads;
          for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
          input.payloads = payloads;
        } catch {
          // Under a key this API does not hold: the timeline shows the activity without its rows.
        }
      }
      return history;
    },

    /**
     * Readiness: the namespace answers, and how many workers polled the task queue for workflow tasks
     * lately (the server lists pollers for minutes after they are gone; a live one re-polls every ~60 s).
     */
    workflowPollers: (): Promise<number> =>
      withDeadline(() => liveWorkflowPollers(client.connection, deps.namespace, taskQueue)),
  };

  async function call<T>(leadId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(fn);
    } catch (err) {
      throw toApiError(err, leadId);
    }
  }

  /** An update to a closed workflow reads as "not found"; if the lead is still queryable, its lifecycle is over. */
  async function closedLeadError(leadId: string, notFound: ApiError): Promise<ApiError> {
    try {
      const view = await withDeadline(() => handle(leadId).query(leadState));
      return new ApiError(
        409,
        'INVALID_TRANSITION',
        `lead ${leadId} is ${view.stage} and its lifecycle is closed; no action is allowed`,
        {
          stage: view.stage,
          allowed: [],
        },
      );
    } catch {
      return notFound;
    }
  }
}

function leadClosed(leadId: string, prior: PriorLife | null | undefined): ApiError {
  const what = prior ? `${prior.stage} since ${prior.closedAt}` : 'closed';
  return new ApiError(
    409,
    'LEAD_CLOSED',
    `lead ${leadId} is ${what}: it takes no more triggers or engagement (RevOps can reopen it)`,
    {
      stage: prior?.stage,
      closedAt: prior?.closedAt,
      allowed: ['reopen'],
    },
  );
}

/** Temporal outcomes as API errors (docs/contracts/http-api.md): refusal 409, policy 400, missing 404, unreachable 503. */
export function toApiError(err: unknown, leadId: string): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === INVALID_TRANSITION)
      return new ApiError(409, 'INVALID_TRANSITION', err.cause.message, failureDetails(err.cause));
    if (err.cause.type === LEAD_CLOSED)
      return new ApiError(409, 'LEAD_CLOSED', err.cause.message, failureDetails(err.cause));
    if (err.cause.type === POLICY_VIOLATION) {
      return validationFailed(
        [{ in: 'body', path: [], code: 'policy_violation', message: err.cause.message }],
        err.cause.message,
      );
    }
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
    return unavailable('Temporal did not answer in time; retry later');
  const grpc = isGrpcServiceError(err)
    ? err
    : err instanceof ServiceError && isGrpcServiceError(err.cause)
      ? err.cause
      : undefined;
  // fetchHistory() surfaces the raw gRPC NOT_FOUND where other calls throw WorkflowNotFoundError.
  if (err instanceof WorkflowNotFoundError || grpc?.code === GRPC_NOT_FOUND)
    return new ApiError(404, 'LEAD_NOT_FOUND', `no lead ${leadId}`);
  if (grpc && GRPC_TRANSIENT.has(grpc.code)) return unavailable('Temporal is unavailable; retry later');
  return err;
}

/** The refusal's stage and allowed actions (the workflow attaches the whole refusal as the failure's detail). */
function failureDetails(failure: ApplicationFailure): unknown {
  const [refusal] = (failure.details ?? []) as { stage?: unknown; allowed?: unknown; closedAt?: unknown }[];
  return (
    refusal && {
      stage: refusal.stage,
      allowed: refusal.allowed,
      ...(refusal.closedAt ? { closedAt: refusal.closedAt } : {}),
    }
  );
}
