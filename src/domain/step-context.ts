import { addClocked, type BusinessCalendar } from './calendar';
import type { ClockedDuration } from './duration';
import type { AuditEventType, Effect, HandoffTask, LeadRecord, LeadSnapshot, WritePriority } from './effects';
import type { Kind } from './model';
import { teamOf, type Policy, type Team } from './policy';
import { KEY_PREFIX } from './salesforce-id';
import { intentBreakdown, scoreIntent } from './scoring';
import type { LeadState } from './state';

const HISTORY_LIMIT = 200;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const ms = (instant: string): number => Date.parse(instant);

export function calendarOf(policy: Policy, s: LeadState): BusinessCalendar {
  return policy.calendars[teamOf(policy, s.team).calendar]!;
}

/** A window of the given length, started at `from`, ends here in the lead's team calendar. */
export function deadlineOf(policy: Policy, s: LeadState, from: number, window: ClockedDuration): number {
  return addClocked(calendarOf(policy, s), from, window);
}

/** A queue cannot own a Task: the person the policy names for the team's queue works it (the manager by default). */
export function taskOwnerOf(team: Team, ownerId: string | null): string {
  if (ownerId !== null && !ownerId.startsWith(KEY_PREFIX.group)) return ownerId;
  return team.queueTaskOwnerId ?? team.managerId;
}

export type TaskSpec = Omit<HandoffTask, 'externalId' | 'leadId' | 'packet' | 'reminderAt' | 'ownerId'> & {
  ownerId: string | null;
  externalId?: string;
  withPacket?: boolean;
  reminderAt?: string | null;
  urgent?: boolean;
};

/**
 * The working copy of one step: the draft state, the effects so far, the clock, the policy, and
 * the id of the request that caused the step (stamped on its first audit row, so the ledger knows
 * which ids were seen).
 */
export class StepContext {
  readonly effects: Effect[] = [];
  private stamp: Record<string, unknown> | null;

  constructor(
    readonly s: LeadState,
    readonly now: number,
    readonly policy: Policy,
    requestId: string | null = null,
  ) {
    this.stamp = requestId === null ? null : { requestId };
  }

  /** Ids the step's first audit row carries (the ledger's memory of what was seen). */
  stampFirstRow(ids: Record<string, unknown>): void {
    this.stamp = { ...this.stamp, ...ids };
  }

  /** True once the step wrote an audit row. */
  get audited(): boolean {
    return this.effects.some((e) => e.type === 'ledger');
  }

  get nowIso(): string {
    return iso(this.now);
  }

  calendar(): BusinessCalendar {
    return calendarOf(this.policy, this.s);
  }

  team(): Team {
    return teamOf(this.policy, this.s.team);
  }

  deadline(from: number, window: ClockedDuration): number {
    return deadlineOf(this.policy, this.s, from, window);
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
    this.s.decayCheckedAt = this.nowIso;
  }

  /** Records a lifecycle event: an audit ledger row and a history entry, both at server time. */
  audit(type: AuditEventType, actor: string | null, detail: Record<string, unknown> = {}): void {
    const id = this.nextId();
    const stamped = { ...detail, ...(this.audited ? {} : (this.stamp ?? {})) };
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
        detail: stamped,
        lead: snapshotOf(this.s),
      },
    });
    this.s.history.push({
      at: this.nowIso,
      type,
      ...(actor ? { actor } : {}),
      ...(Object.keys(stamped).length ? { detail: stamped } : {}),
    });
    if (this.s.history.length > HISTORY_LIMIT) this.s.history.splice(0, this.s.history.length - HISTORY_LIMIT);
  }

  /** Opens (or updates) a Handoff task in Salesforce, owned by a person, and remembers it until it is closed. */
  task(spec: TaskSpec): string {
    const id = this.nextId();
    const externalId = spec.externalId ?? id;
    const { withPacket, urgent, reminderAt, ...rest } = spec;
    const ownerId = taskOwnerOf(this.team(), spec.ownerId);
    const priority: WritePriority = urgent ? 'critical' : 'normal';
    this.effects.push({
      type: 'upsertTask',
      id,
      priority,
      task: {
        ...rest,
        ownerId,
        externalId,
        leadId: this.s.leadId,
        reminderAt: reminderAt ?? null,
        packet: withPacket ? this.packet() : null,
      },
    });
    const open = this.s.openTasks.filter((t) => t.externalId !== externalId);
    this.s.openTasks = [...open, { externalId, kind: spec.kind, ownerId }];
    return externalId;
  }

  /** Closes the open tasks the predicate picks (all by default), each with the reason it no longer applies. */
  closeTasks(reason: string, which: (task: LeadState['openTasks'][number]) => boolean = () => true): void {
    const closing = this.s.openTasks.filter(which);
    if (closing.length === 0) return;
    this.s.openTasks = this.s.openTasks.filter((t) => !which(t));
    for (const t of closing) {
      this.effects.push({
        type: 'closeTask',
        id: this.nextId(),
        close: { externalId: t.externalId, leadId: this.s.leadId, reason },
      });
    }
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
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      this.effects.push({ type: 'syncLead', id: this.nextId(), priority: 'normal', lead: after });
    }
  }
}

export function snapshotOf(s: LeadState): LeadSnapshot {
  const { windowStartedAt: _w, windowOpen: _o, remindersSent: _r, ...sla } = s.sla;
  return {
    stage: s.stage,
    kind: s.kind,
    ownerId: s.ownerId,
    team: s.team,
    fitScore: s.fitScore,
    intentScore: s.intentScore,
    qualifiedAt: s.qualifiedAt,
    sla,
    cadence: {
      attempts: s.cadence.attempts,
      counted: s.cadence.counted,
      connected: s.cadence.connected,
      channels: s.cadence.channels,
    },
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
