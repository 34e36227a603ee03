import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SlaCycleFacts } from '../../src/audit/ledger';
import { slaLeadOf, summarizeSla } from '../../src/audit/reports';
import type { SlaFilter, SlaReport } from '../../src/audit/schemas';
import { type AuditEvent, auditEventSchema } from '../../src/domain/effects';
import { KINDS } from '../../src/domain/model';
import type { EffectBatch } from '../../src/workflows/outbox';

/**
 * The audit rows a lead's workflow committed, in history order: the `ledger` of each batch its
 * `applyEffects` activities were scheduled with (the input is in history before the activity runs).
 */
export async function auditEventsFromHistory(client: Client, workflowId: string): Promise<AuditEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events: AuditEvent[] = [];
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'applyEffects') continue;
    const [payload] = scheduled.input?.payloads ?? [];
    if (!payload) continue;
    const batch = defaultPayloadConverter.fromPayload<EffectBatch>(payload);
    events.push(...auditEventSchema.array().parse(batch.ledger));
  }
  return events;
}

/**
 * The SLA report from audit events in the order the workflow emitted them, without SQL: each
 * cycle's first and last snapshots say what the ledger's merges (migrations 003, 004) must find.
 * The outcome, response type, clock owner and breached owner are the last snapshot's; the kind
 * the strongest the cycle had; the owner and team those of the hand-off.
 */
export function slaReportFromEvents(events: readonly AuditEvent[], filter: SlaFilter): SlaReport {
  const cycles = new Map<string, AuditEvent[]>();
  for (const e of events) {
    if (e.lead.sla.firstDueAt === null || e.lead.qualifiedAt === null) continue;
    const key = `${e.leadId}\u0000${e.cycle}`;
    cycles.set(key, [...(cycles.get(key) ?? []), e]);
  }
  const facts: SlaCycleFacts[] = [];
  for (const rows of cycles.values()) {
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const { sla } = last.lead;
    const breachedAt = rows.find((r) => r.lead.sla.breaches > 0);
    const touchedAt = rows.find((r) => r.lead.sla.firstTouchAt !== null);
    const qualified = rows.find((r) => r.type === 'QUALIFIED') ?? first;
    facts.push({
      leadId: first.leadId,
      workflowId: first.workflowId,
      cycle: first.cycle,
      kind: KINDS[Math.min(...rows.map((r) => KINDS.indexOf(r.lead.kind)))]!,
      ownerId: sla.outcome === 'BREACHED' ? sla.breachedOwnerId : sla.clockOwnerId,
      breachedOwnerId: sla.breachedOwnerId,
      team: qualified.lead.team,
      policyVersion: first.policyVersion,
      qualifiedAt: first.lead.qualifiedAt!,
      dueAt: (breachedAt ?? touchedAt ?? last).lead.sla.dueAt,
      firstTouchAt: sla.firstTouchAt,
      breaches: sla.breaches,
      everBreached: rows.some((r) => r.lead.sla.status === 'BREACHED'),
      outcome: sla.outcome,
      responseType: sla.responseType,
      responseBusinessMs: sla.responseBusinessMs,
      responseCalendarMs: sla.responseCalendarMs,
    });
  }
  const inWindow = facts
    .filter((f) => f.qualifiedAt >= filter.from && f.qualifiedAt < filter.to)
    .filter(
      (f) =>
        (!filter.kind || f.kind === filter.kind) &&
        (!filter.ownerId || f.ownerId === filter.ownerId) &&
        (!filter.team || f.team === filter.team),
    )
    .sort(
      (a, b) =>
        a.qualifiedAt.localeCompare(b.qualifiedAt) ||
        (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0) ||
        a.cycle - b.cycle,
    );
  return summarizeSla(filter.from, filter.to, inWindow.map(slaLeadOf));
}
