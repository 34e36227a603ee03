import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { Effect } from '../domain/effects';
import { leadEventSchema, type LeadEvent } from '../domain/inputs';
import { isClosed, newLead, nextDeadline, refusal, step } from '../domain/lifecycle';
import { alreadySeen, pastCoolOff, remember } from '../domain/qualification';
import type { Policy } from '../domain/policy';
import { toLeadView, type LeadState, type LeadView } from '../domain/state';
import type { Activities } from '../activities';
import {
  acceptLead,
  convertLead,
  disqualifyLead,
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
import { searchAttributeValues } from './search-attributes';

export type LeadWorkflowInput = {
  leadId: string;
  policy: Policy;
  /** State and unexecuted effects carried over by continue-as-new. */
  carried?: { state: LeadState; outbox: Effect[] };
};

const writeRetry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' } as const;
const salesforce = wf.proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: writeRetry });
const ledger = wf.proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: writeRetry });
/** Ledger appends are short local writes: as local activities they cost the server no task round trip. */
const localLedger = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: writeRetry });
const policies = wf.proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

const TASKS_AT_ONCE = 10;

/** Timers are restarted only when the next deadline moves (fewer timer events per lead). */
const PATCH_TIMER_FOLLOWS_DEADLINE = 'timer-follows-deadline';
/** Task upserts run beside the lead's own writes, so an escalation never waits behind a lead sync. */
const PATCH_TASKS_APART = 'tasks-apart-from-lead-writes';
const PATCH_LOCAL_LEDGER = 'ledger-as-local-activity';

/** One lead's life: interprets the domain state machine, runs its clocks, executes its effects. */
export async function leadLifecycle(input: LeadWorkflowInput): Promise<LeadView> {
  const info = wf.workflowInfo();
  let policy = input.policy;
  let state =
    input.carried?.state ??
    newLead({
      leadId: input.leadId,
      workflowId: info.workflowId,
      effectPrefix: `${info.workflowId}-${info.firstExecutionRunId.slice(0, 8)}`,
      policy,
      now: Date.now(),
    });
  const outbox = new Outbox(input.carried?.outbox ?? [], (event) => apply(event), wf.patched(PATCH_TASKS_APART));
  let changed = true;
  let lastSearchAttributes = '';

  function publish(): void {
    const values = searchAttributeValues(state);
    const key = JSON.stringify(values);
    if (key !== lastSearchAttributes) {
      wf.upsertSearchAttributes(values);
      lastSearchAttributes = key;
    }
  }

  function apply(event: LeadEvent): LeadView {
    const result = step(state, event, Date.now(), policy);
    if (!result.ok) throw refusedFailure(result.refusal.code, result.refusal.message, result.refusal);
    state = result.state;
    outbox.push(result.effects);
    changed = true;
    publish();
    return toLeadView(state);
  }

  function validate(event: unknown): void {
    const parsed = leadEventSchema.safeParse(event);
    if (!parsed.success) {
      throw refusedFailure(POLICY_VIOLATION, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const refused = refusal(state, parsed.data, policy);
    if (refused) throw refusedFailure(refused.code, refused.message, refused);
  }

  /** Updates retried with the same id (even across continue-as-new) answer the state and change nothing. */
  function once(event: LeadEvent): LeadView {
    const updateId = wf.currentUpdateInfo()?.id;
    const key = updateId ? `update:${updateId}` : undefined;
    if (key && alreadySeen(state, key)) return toLeadView(state);
    const view = apply(event);
    if (key) remember(state, key);
    return view;
  }

  async function refreshPolicyIfRecycled(): Promise<void> {
    if (!pastCoolOff(state, Date.now())) return;
    const current = await policies.currentPolicy();
    if (current.version !== policy.version) policy = current;
  }

  const handle = <T extends object>(def: UpdateDefinition<LeadView, [T]>, type: LeadEvent['type']) =>
    wf.setHandler(def, (body: T) => once({ ...withReceived(body), type } as LeadEvent), {
      validator: (body: T) => validate({ ...stripReceived(body), type }),
    });

  wf.setHandler(
    ingestTrigger,
    async (trigger) => {
      await refreshPolicyIfRecycled();
      return once({ type: 'trigger', trigger: stripReceived(trigger) });
    },
    { validator: (trigger) => validate({ type: 'trigger', trigger: stripReceived(trigger) }) },
  );
  wf.setHandler(recordEngagement, async (engagement) => {
    const parsed = leadEventSchema.safeParse({ type: 'engagement', engagement: stripReceived(engagement) });
    if (!parsed.success) {
      wf.log.warn('engagement refused', { leadId: state.leadId, issues: parsed.error.issues.length });
      return;
    }
    await refreshPolicyIfRecycled();
    apply(parsed.data);
  });
  handle(acceptLead, 'accept');
  handle(rejectLead, 'reject');
  handle(logContactAttempt, 'contact');
  handle(qualifyLead, 'qualify');
  handle(convertLead, 'convert');
  handle(disqualifyLead, 'disqualify');
  handle(reassignLead, 'reassign');
  handle(reviewLead, 'review');
  wf.setHandler(leadState, () => toLeadView(state));

  const writeToSalesforce = (effects: Effect[]) =>
    effects.map((effect) => ({
      effectId: effect.id,
      done:
        effect.type === 'syncLead'
          ? salesforce.syncLead({ id: effect.id, lead: effect.lead })
          : effect.type === 'upsertTask'
            ? salesforce.upsertTask({ id: effect.id, task: effect.task })
            : Promise.resolve(),
    }));
  const ledgerWriter = wf.patched(PATCH_LOCAL_LEDGER) ? localLedger : ledger;
  const drains = [
    outbox.drain('lead', 1, writeToSalesforce),
    outbox.drain('tasks', TASKS_AT_ONCE, writeToSalesforce),
    outbox.drain('ledger', 100, (effects) => [
      { effectId: effects[0]!.id, done: ledgerWriter.appendAudit(effects.flatMap((e) => (e.type === 'ledger' ? [e.event] : []))) },
    ]),
  ];

  publish();
  while (!isClosed(state)) {
    if (wf.workflowInfo().continueAsNewSuggested) {
      await outbox.pause();
      await wf.condition(wf.allHandlersFinished);
      return wf.continueAsNew<typeof leadLifecycle>({ leadId: input.leadId, policy, carried: { state, outbox: outbox.pending() } });
    }
    changed = false;
    const deadline = nextDeadline(state, policy);
    if (deadline !== null && deadline <= Date.now()) {
      apply({ type: 'tick' });
      continue;
    }
    const wake = wf.patched(PATCH_TIMER_FOLLOWS_DEADLINE)
      ? () => isClosed(state) || nextDeadline(state, policy) !== deadline || wf.workflowInfo().continueAsNewSuggested
      : () => changed || wf.workflowInfo().continueAsNewSuggested;
    if (deadline === null) await wf.condition(wake);
    else await wf.condition(wake, deadline - Date.now());
  }

  await wf.condition(wf.allHandlersFinished);
  outbox.close();
  await Promise.all(drains);
  return toLeadView(state);
}

function refusedFailure(type: string, message: string, details?: unknown): wf.ApplicationFailure {
  return wf.ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

function stripReceived<T extends object>(body: T): Omit<T, 'receivedAt'> {
  const { receivedAt: _ignored, ...rest } = body as T & { receivedAt?: string };
  return rest;
}

/** The API stamps its receive time; a client of the workflow that does not gets workflow time. */
function withReceived<T extends object>(body: T): T & { receivedAt: string } {
  const receivedAt = (body as { receivedAt?: unknown }).receivedAt;
  return { ...body, receivedAt: typeof receivedAt === 'string' ? receivedAt : new Date(Date.now()).toISOString() };
}

type Target = 'lead' | 'tasks' | 'ledger';
type Unit = { effectId: string; done: Promise<unknown> };

/**
 * Effects wait here and run in order per target, beside the message loop, so a Salesforce outage
 * never blocks the clocks or the ledger: the lead's own writes one at a time and in order (a later
 * snapshot supersedes a waiting one), tasks several at once (each its own record), ledger rows in
 * batches. A non-retryable failure is fed back to the state machine.
 */
class Outbox {
  private readonly queues: Record<Target, Effect[]> = { lead: [], tasks: [], ledger: [] };
  private readonly busy: Record<Target, boolean> = { lead: false, tasks: false, ledger: false };
  private paused = false;
  private closed = false;

  constructor(
    carried: Effect[],
    private readonly recordFailure: (event: LeadEvent) => unknown,
    private readonly tasksApart: boolean,
  ) {
    this.push(carried);
  }

  private targetOf(effect: Effect): Target {
    if (effect.type === 'ledger') return 'ledger';
    return effect.type === 'upsertTask' && this.tasksApart ? 'tasks' : 'lead';
  }

  push(effects: Effect[]): void {
    for (const effect of effects) {
      const queue = this.queues[this.targetOf(effect)];
      if (effect.type === 'syncLead') {
        const superseded = queue.findIndex((e, i) => e.type === 'syncLead' && (i > 0 || !this.busy.lead));
        if (superseded >= 0) queue.splice(superseded, 1);
      }
      queue.push(effect);
    }
  }

  pending(): Effect[] {
    return [...this.queues.lead, ...this.queues.tasks, ...this.queues.ledger];
  }

  async pause(): Promise<void> {
    this.paused = true;
    await wf.condition(() => !this.busy.lead && !this.busy.tasks && !this.busy.ledger);
  }

  close(): void {
    this.closed = true;
  }

  async drain(target: Target, take: number, run: (batch: Effect[]) => Unit[]): Promise<void> {
    const queue = this.queues[target];
    for (;;) {
      await wf.condition(() => !this.paused && (queue.length > 0 || this.closed));
      if (queue.length === 0) return;
      const batch = queue.slice(0, take);
      this.busy[target] = true;
      await Promise.all(run(batch).map((unit) => unit.done.catch((err: unknown) => this.failed(target, unit.effectId, err))));
      this.busy[target] = false;
      queue.splice(0, batch.length);
    }
  }

  private failed(target: Target, effectId: string, err: unknown): void {
    const cause = err instanceof wf.ActivityFailure ? err.cause : err;
    const code = cause instanceof wf.ApplicationFailure ? (cause.type ?? 'ERROR') : 'ERROR';
    const message = cause instanceof Error ? cause.message : String(cause);
    this.recordFailure({ type: 'writeFailed', effectId, target: target === 'ledger' ? 'ledger' : 'salesforce', code, message });
  }
}
