import type { AuditEvent, AuditEventType, LeadSnapshot } from '../../src/domain/effects';
import type { Kind } from '../../src/domain/model';

type Patch = Partial<Omit<LeadSnapshot, 'sla' | 'cadence'>> & {
  sla?: Partial<LeadSnapshot['sla']>;
  cadence?: Partial<LeadSnapshot['cadence']>;
};

/**
 * Writes a lead's audit events the way the lifecycle engine does: each event carries the lead's
 * snapshot after it. Tests and the benchmark script lifecycles with it.
 */
export class LeadScript {
  readonly events: AuditEvent[] = [];
  private snapshot: LeadSnapshot;
  private seq = 0;
  private cycle = 0;
  readonly workflowId: string;

  constructor(
    readonly leadId: string,
    init: { kind?: Kind; ownerId?: string | null; team?: string; policyVersion?: string } = {},
    private policyVersion = init.policyVersion ?? '2026-11-01',
  ) {
    this.workflowId = `lead-${leadId}`;
    this.snapshot = {
      stage: 'NURTURE',
      kind: init.kind ?? 'MQL',
      ownerId: init.ownerId ?? null,
      team: init.team ?? 'na',
      fitScore: 70,
      intentScore: 40,
      qualifiedAt: null,
      sla: {
        dueAt: null,
        firstDueAt: null,
        status: 'NOT_APPLICABLE',
        firstTouchAt: null,
        breaches: 0,
        escalations: 0,
        reassignments: 0,
        responseBusinessMs: null,
        responseCalendarMs: null,
      },
      cadence: { attempts: 0, connected: false, channels: [] },
      recycleReason: null,
    };
  }

  emit(type: AuditEventType, at: string, opts: { actor?: string | null; detail?: Record<string, unknown>; patch?: Patch } = {}): this {
    const { sla, cadence, ...rest } = opts.patch ?? {};
    this.snapshot = {
      ...this.snapshot,
      ...rest,
      sla: { ...this.snapshot.sla, ...sla },
      cadence: { ...this.snapshot.cadence, ...cadence },
    };
    this.seq += 1;
    this.events.push({
      id: `${this.workflowId}:run1-${this.seq}`,
      leadId: this.leadId,
      workflowId: this.workflowId,
      type,
      at,
      actor: opts.actor ?? null,
      cycle: this.cycle,
      policyVersion: this.policyVersion,
      detail: opts.detail ?? {},
      lead: structuredClone(this.snapshot),
    });
    return this;
  }

  nurture(at: string): this {
    if (this.cycle === 0) this.cycle = 1;
    return this.emit('ROUTED_TO_NURTURE', at, { patch: { stage: 'NURTURE' } });
  }

  /** Hand-off to sales: a new cycle, the first-touch clock starts. */
  qualify(at: string, dueAt: string, opts: { kind?: Kind; policyVersion?: string } = {}): this {
    const requalified = this.snapshot.stage === 'RECYCLED';
    this.cycle += 1;
    if (opts.policyVersion) this.policyVersion = opts.policyVersion;
    const fresh = {
      stage: 'MQL' as const,
      recycleReason: null,
      sla: {
        dueAt: null,
        firstDueAt: null,
        status: 'NOT_APPLICABLE' as const,
        firstTouchAt: null,
        breaches: 0,
        escalations: 0,
        reassignments: 0,
        responseBusinessMs: null,
        responseCalendarMs: null,
      },
    };
    if (requalified) this.emit('REQUALIFIED', at, { patch: fresh, detail: { cycle: this.cycle } });
    return this.emit('QUALIFIED', at, {
      patch: {
        ...fresh,
        kind: opts.kind ?? this.snapshot.kind,
        qualifiedAt: at,
        sla: { ...fresh.sla, dueAt, firstDueAt: dueAt, status: 'ON_TRACK' },
      },
      detail: { kind: opts.kind ?? this.snapshot.kind, dueAt },
    });
  }

  upgrade(at: string, kind: Kind, dueAt: string): this {
    return this.emit('KIND_UPGRADED', at, { patch: { kind, sla: { dueAt } }, detail: { from: this.snapshot.kind, to: kind, dueAt } });
  }

  breach(at: string, reassignTo?: { ownerId: string; dueAt: string }): this {
    const s = this.snapshot.sla;
    const breachedOwner = this.snapshot.ownerId;
    this.emit('SLA_BREACHED', at, {
      patch: { sla: { breaches: s.breaches + 1, status: 'BREACHED' } },
      detail: { dueAt: s.dueAt, ownerId: breachedOwner, breach: s.breaches + 1 },
    });
    this.emit('ESCALATED', at, { patch: { sla: { escalations: this.snapshot.sla.escalations + 1 } }, detail: { ownerId: breachedOwner } });
    if (!reassignTo) return this;
    return this.emit('REASSIGNED', at, {
      patch: { ownerId: reassignTo.ownerId, sla: { dueAt: reassignTo.dueAt, reassignments: this.snapshot.sla.reassignments + 1 } },
      detail: { from: breachedOwner, to: reassignTo.ownerId, why: 'first-touch SLA breached', dueAt: reassignTo.dueAt },
    });
  }

  /** Accept (the first touch): SAL. */
  accept(at: string, repId: string, response: { businessMs: number; calendarMs?: number }): this {
    const s = this.snapshot.sla;
    return this.emit('ACCEPTED', at, {
      actor: repId,
      patch: {
        stage: 'SAL',
        ownerId: repId,
        sla: {
          firstTouchAt: at,
          status: s.status === 'ON_TRACK' ? 'MET' : s.status,
          responseBusinessMs: response.businessMs,
          responseCalendarMs: response.calendarMs ?? response.businessMs,
        },
      },
    });
  }

  contact(at: string, repId: string, channel = 'call', outcome = 'no_answer'): this {
    const c = this.snapshot.cadence;
    return this.emit('CONTACT_ATTEMPT', at, {
      actor: repId,
      detail: { channel, outcome },
      patch: {
        cadence: {
          attempts: c.attempts + 1,
          connected: c.connected || outcome === 'connected' || outcome === 'replied',
          channels: c.channels.includes(channel) ? c.channels : [...c.channels, channel],
        },
      },
    });
  }

  /** Reject (a first touch when still in MQL) and recycle with a reason. */
  reject(at: string, repId: string, reason: string, response?: { businessMs: number; calendarMs?: number }): this {
    const s = this.snapshot.sla;
    const touch = s.firstTouchAt === null && response;
    this.emit('REJECTED', at, {
      actor: repId,
      detail: { reason, notes: null },
      patch: touch
        ? {
            sla: {
              firstTouchAt: at,
              status: s.status === 'ON_TRACK' ? 'MET' : s.status,
              responseBusinessMs: response.businessMs,
              responseCalendarMs: response.calendarMs ?? response.businessMs,
            },
          }
        : {},
    });
    return this.recycle(at, reason, repId);
  }

  recycle(at: string, reason: string, actor: string | null = null): this {
    return this.emit('RECYCLED', at, {
      actor,
      detail: { reason, notes: null, from: this.snapshot.stage },
      patch: { stage: 'RECYCLED', recycleReason: reason as LeadSnapshot['recycleReason'] },
    });
  }

  qualifySql(at: string, repId: string): this {
    return this.emit('SQL_QUALIFIED', at, { actor: repId, detail: { bant: { budget: 'yes' } }, patch: { stage: 'SQL' } });
  }

  convert(at: string, repId: string): this {
    return this.emit('CONVERTED', at, { actor: repId, detail: { opportunityId: `opp-${this.leadId}` }, patch: { stage: 'CONVERTED' } });
  }

  disqualify(at: string, actor: string, reason: string): this {
    return this.emit('DISQUALIFIED', at, { actor, detail: { reason, notes: null, from: this.snapshot.stage }, patch: { stage: 'DISQUALIFIED' } });
  }
}
