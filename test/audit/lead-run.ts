import type { AuditEvent } from '../../src/domain/effects';
import type { Engagement, LeadEvent, Trigger } from '../../src/domain/inputs';
import { isClosed, newLead, nextDeadline, step } from '../../src/domain/lifecycle';
import type { z } from 'zod';
import type { Channel, DisqualifyReason, Outcome, rejectReasonSchema } from '../../src/domain/model';
import type { Policy } from '../../src/domain/policy';
import { toId18 } from '../../src/domain/salesforce-id';
import type { LeadState } from '../../src/domain/state';

/** An 18-character Salesforce id from its 15-character form (the engine keys everything by the 18). */
export function sfId(id15: string): string {
  const id = toId18(id15);
  if (id === null) throw new Error(`not a Salesforce id: ${id15}`);
  return id;
}

/**
 * One lead driven through the real engine (`step` of src/domain/lifecycle.ts) over scripted events:
 * between two events time passes as in the workflow, every deadline firing as a tick at its
 * instant. `events` collects the audit rows the engine emitted, in order: the ledger's fixtures.
 */
export class LeadRun {
  readonly leadId: string;
  readonly events: AuditEvent[] = [];
  state: LeadState;
  private now: number;
  private ids = 0;

  /** `leadId` in either Salesforce form, as the CRM sends it; `policy` may change between events (a new cycle takes the one in force). */
  constructor(
    public policy: Policy,
    leadId: string,
    startAt: string,
  ) {
    this.leadId = toId18(leadId) ?? leadId;
    this.now = Date.parse(startAt);
    this.state = newLead({
      leadId: this.leadId,
      workflowId: `lead-${this.leadId}`,
      effectPrefix: `lead-${this.leadId}-run1`,
      policy,
      now: this.now,
    });
  }

  /** Time passes up to `at` (inclusive): the deadlines due by then fire, in order. */
  until(at: string): this {
    const end = Date.parse(at);
    for (let guard = 0; guard < 10_000 && !isClosed(this.state); guard++) {
      const next = nextDeadline(this.state, this.policy);
      if (next === null || next > end) break;
      this.apply({ type: 'tick' }, next);
    }
    this.now = Math.max(this.now, end);
    return this;
  }

  /** The event, received at `at` after the deadlines before it fired; refused events throw. */
  send(at: string, event: LeadEvent): this {
    this.until(at);
    return this.apply(event, Date.parse(at));
  }

  trigger(at: string, patch: Partial<Trigger> = {}): this {
    return this.send(at, {
      type: 'trigger',
      trigger: { leadId: this.leadId, eventId: this.nextId('t'), occurredAt: at, ...patch },
    });
  }

  engagement(at: string, type: string, patch: Partial<Engagement> = {}): this {
    return this.send(at, {
      type: 'engagement',
      engagement: { eventId: this.nextId('e'), type, occurredAt: at, ...patch },
    });
  }

  accept(at: string, repId: string): this {
    return this.send(at, { type: 'accept', repId });
  }

  contact(at: string, repId: string, channel: Channel = 'call', outcome: Outcome = 'no_answer'): this {
    return this.send(at, { type: 'contact', repId, channel, outcome });
  }

  reject(at: string, repId: string, reason: z.infer<typeof rejectReasonSchema>): this {
    return this.send(at, { type: 'reject', repId, reason });
  }

  reassign(at: string, actorId: string, ownerId: string): this {
    return this.send(at, { type: 'reassign', actorId, ownerId });
  }

  qualifySql(at: string, repId: string): this {
    return this.send(at, {
      type: 'qualify',
      repId,
      bant: { budget: 'approved', authority: 'VP Sales', need: 'routing', timeline: 'Q1' },
    });
  }

  convert(at: string, repId: string, opportunityId: string): this {
    return this.send(at, { type: 'convert', repId, opportunityId });
  }

  disqualify(at: string, actorId: string, reason: DisqualifyReason): this {
    return this.send(at, { type: 'disqualify', actorId, reason });
  }

  private nextId(kind: string): string {
    this.ids += 1;
    return `${this.leadId}-${kind}${this.ids}`;
  }

  private apply(event: LeadEvent, at: number): this {
    const result = step(
      this.state,
      { event, receivedAt: new Date(at).toISOString(), requestId: null },
      at,
      this.policy,
    );
    if (!result.ok)
      throw new Error(
        `lead ${this.leadId} refused ${event.type} at ${new Date(at).toISOString()}: ${result.refusal.message}`,
      );
    this.state = result.state;
    for (const e of result.effects) if (e.type === 'ledger') this.events.push(e.event);
    return this;
  }
}
