import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { LeadEvent, PriorLife } from '../domain/inputs';
import { closedLead, isClosed, newLead, nextDeadline, refusal, step, type LeadInit } from '../domain/lifecycle';
import type { Policy } from '../domain/policy';
import { pastCoolOff } from '../domain/recycle';
import { toLeadView, type LeadState, type LeadView } from '../domain/state';
import type { Activities } from '../activities';
import {
  acceptLead,
  convertLead,
  disqualifyLead,
  type Envelope,
  ingestTrigger,
  leadState,
  logContactAttempt,
  POLICY_VIOLATION,
  qualifyLead,
  reassignLead,
  recordEngagement,
  rejectLead,
  reviewLead,
} from './messages';
import { guardMessage } from './event-guard';
import { Outbox, type OutboxSnapshot } from './outbox';
import { SearchAttributeTracker } from './search-attributes';

export type LeadWorkflowInput = {
  leadId: string;
  policy: Policy;
  /** State and unsent effects carried over by continue-as-new. */
  carried?: { state: LeadState; outbox: OutboxSnapshot };
  /** A closed lead reopened by RevOps: its prior life (from the ledger) and the request. */
  reopen?: { prior: PriorLife; actorId: string; reason: string; receivedAt: string; requestId: string };
};

const { applyEffects } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  // A batch outliving HEARTBEAT_AFTER_MS heartbeats (activities/effects.ts): one on a killed worker is retried after this.
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});
const { currentPolicy } = wf.proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

/** One lead's life: interprets the domain state machine, runs its clocks, sends its committed effects. */
export async function leadLifecycle(input: LeadWorkflowInput): Promise<LeadView> {
  const lead = new LeadRun(input);
  registerHandlers(lead);
  const lane = sendEffects(lead);
  const attributes = publishSearchAttributes(lead);

  while (!isClosed(lead.state)) {
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(() => !lead.outbox.busy);
      await wf.condition(wf.allHandlersFinished);
      return wf.continueAsNew<typeof leadLifecycle>({
        leadId: input.leadId,
        policy: lead.policy,
        carried: { state: lead.state, outbox: lead.outbox.snapshot() },
      });
    }
    const deadline = nextDeadline(lead.state, lead.policy);
    if (deadline !== null && deadline <= Date.now()) {
      lead.apply({ type: 'tick' });
      continue;
    }
    const moved = () =>
      isClosed(lead.state) ||
      nextDeadline(lead.state, lead.policy) !== deadline ||
      wf.workflowInfo().continueAsNewSuggested;
    if (deadline === null) await wf.condition(moved);
    else await wf.condition(moved, deadline - Date.now());
  }

  await wf.condition(wf.allHandlersFinished);
  lead.closing = true;
  await Promise.all([lane, attributes]);
  return toLeadView(lead.state);
}

/** The lead's state, policy and outbox, and the one way to change them: a step of the domain. */
class LeadRun {
  state: LeadState;
  policy: Policy;
  readonly outbox: Outbox;
  readonly attributes = new SearchAttributeTracker(wf.workflowInfo().typedSearchAttributes);
  dirty = true;
  closing = false;

  constructor(input: LeadWorkflowInput) {
    const info = wf.workflowInfo();
    this.policy = input.policy;
    const init: LeadInit = {
      leadId: input.leadId,
      workflowId: info.workflowId,
      effectPrefix: `${info.workflowId}-${info.firstExecutionRunId.slice(0, 8)}`,
      policy: input.policy,
      now: Date.now(),
    };
    this.state = input.carried?.state ?? (input.reopen ? closedLead(init, input.reopen.prior) : newLead(init));
    this.outbox = new Outbox(input.leadId, info.workflowId, input.carried?.outbox);
    if (input.reopen) {
      const { prior, actorId, reason, receivedAt, requestId } = input.reopen;
      this.apply({ type: 'reopen', actorId, reason, prior }, { receivedAt, requestId });
    }
  }

  apply(event: LeadEvent, meta: { receivedAt?: string; requestId?: string | null } = {}): LeadView {
    const now = Date.now();
    const receivedAt = meta.receivedAt ?? new Date(now).toISOString();
    const result = step(this.state, { event, receivedAt, requestId: meta.requestId ?? null }, now, this.policy);
    if (!result.ok) throw refusedFailure(result.refusal.code, result.refusal.message, result.refusal);
    this.state = result.state;
    this.outbox.push(result.effects);
    this.dirty = true;
    return toLeadView(this.state);
  }

  publish(): void {
    const changed = this.attributes.changed(this.state);
    if (changed.length > 0) wf.upsertSearchAttributes(changed);
    this.dirty = false;
  }

  /** The message as the domain reads it (ids in their 18-character form), or the refusal the client gets. */
  parse(message: unknown): LeadEvent {
    const guarded = guardMessage(message);
    if (!guarded.ok) throw refusedFailure(POLICY_VIOLATION, guarded.message);
    const refused = refusal(this.state, guarded.event, this.policy);
    if (refused) throw refusedFailure(refused.code, refused.message, refused);
    return guarded.event;
  }

  async refreshPolicyIfRecycled(): Promise<void> {
    if (!pastCoolOff(this.state, Date.now())) return;
    const current = await currentPolicy();
    if (current.version !== this.policy.version) this.policy = current;
  }
}

function registerHandlers(lead: LeadRun): void {
  const requestId = () => wf.currentUpdateInfo()?.id ?? null;
  const action = <T extends object>(def: UpdateDefinition<LeadView, [Envelope<T>]>, type: LeadEvent['type']) =>
    wf.setHandler(
      def,
      (m: Envelope<T>) =>
        lead.apply(lead.parse({ ...m.body, type }), { receivedAt: m.receivedAt, requestId: requestId() }),
      {
        validator: (m: Envelope<T>) => void lead.parse({ ...m.body, type }),
      },
    );

  wf.setHandler(
    ingestTrigger,
    async (m) => {
      await lead.refreshPolicyIfRecycled();
      return lead.apply(lead.parse({ type: 'trigger', trigger: m.body }), {
        receivedAt: m.receivedAt,
        requestId: requestId(),
      });
    },
    { validator: (m) => void lead.parse({ type: 'trigger', trigger: m.body }) },
  );
  wf.setHandler(recordEngagement, async (m) => {
    const guarded = guardMessage({ type: 'engagement', engagement: m.body });
    const why = guarded.ok ? refusal(lead.state, guarded.event, lead.policy)?.message : guarded.message;
    if (!guarded.ok || why) {
      wf.log.warn('engagement refused', { leadId: lead.state.leadId, why });
      return;
    }
    await lead.refreshPolicyIfRecycled();
    lead.apply(guarded.event, { receivedAt: m.receivedAt });
  });
  action(acceptLead, 'accept');
  action(rejectLead, 'reject');
  action(logContactAttempt, 'contact');
  action(qualifyLead, 'qualify');
  action(convertLead, 'convert');
  action(disqualifyLead, 'disqualify');
  action(reassignLead, 'reassign');
  action(reviewLead, 'review');
  wf.setHandler(leadState, () => toLeadView(lead.state));
}

/** Search attributes follow the state once per activation, with only the attributes that changed. */
async function publishSearchAttributes(lead: LeadRun): Promise<void> {
  for (;;) {
    await wf.condition(() => lead.dirty || lead.closing);
    if (lead.dirty) lead.publish();
    if (lead.closing) return;
  }
}

/** The effects lane: one batch in flight at a time, beside the message loop (see outbox.ts). */
async function sendEffects(lead: LeadRun): Promise<void> {
  const { outbox } = lead;
  for (;;) {
    const wait = outbox.waitMs(Date.now());
    const go = () => outbox.ready(Date.now()) || (lead.closing && outbox.empty);
    if (wait === null) await wf.condition(go);
    else await wf.condition(go, wait);
    if (lead.closing && outbox.empty) return;
    if (!outbox.ready(Date.now())) continue;
    const result = await applyEffects(outbox.take());
    const rejected = outbox.settle(result, Date.now());
    for (const failure of rejected) {
      lead.apply({
        type: 'writeFailed',
        effectId: failure.effectId,
        target: 'salesforce',
        code: failure.code,
        message: failure.message,
      });
    }
    if (result.synced) lead.apply({ type: 'salesforceSynced', syncError: result.synced.syncError });
  }
}

function refusedFailure(type: string, message: string, details?: unknown): wf.ApplicationFailure {
  return wf.ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}
