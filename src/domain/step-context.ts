import { addClocked } from './calendar';
import type { ClockedDuration } from './duration';
import type { AuditEventType, Effect, HandoffTask, LeadRecord, LeadSnapshot } from './effects';
import type { Kind } from './model';
import { teamOf, type Policy } from './policy';
import { intentBreakdown, scoreIntent } from './scoring';
import type { LeadState } from './state';

const HISTORY_LIMIT = 200;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const ms = (instant: string): number => Date.parse(instant);

/** The working copy of one step: the draft state, the effects so far, the clock and the policy. */
export class StepContext {
  readonly effects: Effect[] = [];

  constructor(
    readonly s: LeadState,
    readonly now: number,
    readonly policy: Policy,
  ) {}

  get nowIso(): string {
    return iso(this.now);
  }

  calendar() {
    const team = teamOf(this.policy, this.s.team);
    return this.policy.calendars[team.calendar]!;
  }

  team() {
    return teamOf(this.policy, this.s.team);
  }

  /** The instant a window of the given length, started at `from`, ends in this lead's calendar. */
  deadline(from: number, window: ClockedDuration): number {
    return addClocked(this.calendar(), from, window);
  }

  firstTouchWindow(kind: Kind): ClockedDuration {
    return this.policy.sla.firstTouch[kind];
  }

  nextId(): string {
    this.s.seq += 1;
    return `${this.s.effectPrefix}-${this.s.seq}`;
  }

  refreshIntent(): void {
    this.s.intentScore = scoreIntent(this.s, this.now, this.policy);
  }

  /** Records a lifecycle event: an audit ledger row and a history entry, both at server time. */
  audit(type: AuditEventType, actor: string | null, detail: Record<string, unknown> = {}): void {
    const id = this.nextId();
    this.effects.push({
      type: 'ledger',
      id,
      event: {
        id,
        leadId: this.s.leadId,
        workflowId: this.s.workflowId,
        type,
        at: this.nowIso,
        actor,
        cycle: this.s.cycle,
        policyVersion: this.s.policyVersion,
        detail,
        lead: snapshotOf(this.s),
      },
    });
    this.s.history.push({ at: this.nowIso, type, ...(actor ? { actor } : {}), ...(Object.keys(detail).length ? { detail } : {}) });
    if (this.s.history.length > HISTORY_LIMIT) this.s.history.splice(0, this.s.history.length - HISTORY_LIMIT);
  }

  task(
    task: Omit<HandoffTask, 'externalId' | 'leadId' | 'packet' | 'reminderAt'> & { externalId?: string; withPacket?: boolean },
  ): string {
    const id = this.nextId();
    const externalId = task.externalId ?? id;
    const { withPacket, ...rest } = task;
    this.effects.push({
      type: 'upsertTask',
      id,
      task: { ...rest, externalId, leadId: this.s.leadId, reminderAt: null, packet: withPacket ? this.packet() : null },
    });
    return externalId;
  }

  packet(): NonNullable<HandoffTask['packet']> {
    return {
      kind: this.s.kind,
      dueAt: this.s.sla.dueAt,
      fitScore: this.s.fitScore,
      fitBreakdown: this.s.fitBreakdown,
      intentScore: this.s.intentScore,
      intentBreakdown: intentBreakdown(this.s, this.now),
      firmographics: this.s.firmographics,
    };
  }

  /** Queues one Salesforce Lead write when a field Handoff owns changed during the step. */
  syncIfChanged(before: LeadRecord): void {
    const after = leadRecordOf(this.s);
    if (JSON.stringify(after) !== JSON.stringify(before)) this.effects.push({ type: 'syncLead', id: this.nextId(), lead: after });
  }
}

export function snapshotOf(s: LeadState): LeadSnapshot {
  return {
    stage: s.stage,
    kind: s.kind,
    ownerId: s.ownerId,
    team: s.team,
    fitScore: s.fitScore,
    intentScore: s.intentScore,
    qualifiedAt: s.qualifiedAt,
    sla: {
      dueAt: s.sla.dueAt,
      firstDueAt: s.sla.firstDueAt,
      status: s.sla.status,
      firstTouchAt: s.sla.firstTouchAt,
      breaches: s.sla.breaches,
      escalations: s.sla.escalations,
      reassignments: s.sla.reassignments,
      responseBusinessMs: s.sla.responseBusinessMs,
      responseCalendarMs: s.sla.responseCalendarMs,
    },
    cadence: { attempts: s.cadence.attempts, connected: s.cadence.connected, channels: s.cadence.channels },
    recycleReason: s.recycle?.reason ?? null,
  };
}

export function leadRecordOf(s: LeadState): LeadRecord {
  return {
    leadId: s.leadId,
    workflowId: s.workflowId,
    stage: s.stage,
    kind: s.kind,
    ownerId: s.ownerId,
    fitScore: s.fitScore,
    intentScore: s.intentScore,
    slaDueAt: s.sla.dueAt,
    slaStatus: s.sla.status,
    firstTouchAt: s.sla.firstTouchAt,
    slaBreaches: s.sla.breaches,
    contactAttempts: s.cadence.attempts,
    recycleReason: s.recycle?.reason ?? null,
    recycleNotes: s.recycle?.notes ?? null,
  };
}
