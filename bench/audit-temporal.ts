import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SlaCycleFacts } from '../src/audit/ledger';
import { slaLeadOf, summarizeSla } from '../src/audit/reports';
import type { SlaFilter, SlaReport } from '../src/audit/schemas';
import { type AuditEvent, auditEventSchema } from '../src/domain/effects';
import { KINDS } from '../src/domain/model';

/** The audit events a lead's history carries: the inputs of its appendAudit activities. */
export async function auditEventsFromHistory(client: Client, workflowId: string): Promise<AuditEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events: AuditEvent[] = [];
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'appendAudit') continue;
    const [payload] = scheduled.input?.payloads ?? [];
    if (payload) events.push(...auditEventSchema.array().parse(defaultPayloadConverter.fromPayload(payload)));
  }
  return events;
}

type Acc = SlaCycleFacts & { kindRank: number; breachedDue: number | null; touchedDue: number | null; latest: { at: number; due: string | null } };

const minIso = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);

/**
 * The SLA report computed in memory from audit events, with the ledger SQL's rules (ledger.ts
 * SLA_CYCLES): what a reporting job would have to do without the ledger.
 */
export function slaReportFromEvents(events: readonly AuditEvent[], filter: SlaFilter): SlaReport {
  const cycles = new Map<string, Acc>();
  events.forEach((e, order) => {
    const { lead } = e;
    if (lead.sla.firstDueAt === null || lead.qualifiedAt === null || lead.qualifiedAt < filter.from || lead.qualifiedAt >= filter.to) return;
    const key = `${e.leadId}\u0000${e.cycle}`;
    const acc: Acc = cycles.get(key) ?? {
      leadId: e.leadId,
      workflowId: e.workflowId,
      cycle: e.cycle,
      kind: lead.kind,
      kindRank: KINDS.indexOf(lead.kind),
      ownerId: null,
      team: '',
      policyVersion: e.policyVersion,
      qualifiedAt: lead.qualifiedAt,
      dueAt: null,
      firstTouchAt: null,
      breaches: 0,
      everBreached: false,
      responseBusinessMs: null,
      responseCalendarMs: null,
      breachedDue: null,
      touchedDue: null,
      latest: { at: Number.NEGATIVE_INFINITY, due: null },
    };
    cycles.set(key, acc);
    if (KINDS.indexOf(lead.kind) < acc.kindRank) {
      acc.kindRank = KINDS.indexOf(lead.kind);
      acc.kind = lead.kind;
    }
    if (e.type === 'QUALIFIED') {
      acc.ownerId = lead.ownerId;
      acc.team = lead.team;
    }
    const due = lead.sla.dueAt === null ? null : Date.parse(lead.sla.dueAt);
    if (due !== null && lead.sla.breaches > 0) acc.breachedDue = Math.min(acc.breachedDue ?? due, due);
    if (due !== null && lead.sla.firstTouchAt !== null) acc.touchedDue = Math.min(acc.touchedDue ?? due, due);
    const at = Date.parse(e.at) + order / 1e9; // history order breaks ties, as seq does in SQL
    if (at > acc.latest.at) acc.latest = { at, due: lead.sla.dueAt };
    acc.qualifiedAt = minIso(acc.qualifiedAt, lead.qualifiedAt) ?? lead.qualifiedAt;
    acc.firstTouchAt = minIso(acc.firstTouchAt, lead.sla.firstTouchAt);
    acc.breaches = Math.max(acc.breaches, lead.sla.breaches);
    acc.everBreached ||= lead.sla.status === 'BREACHED';
    if (lead.sla.responseBusinessMs !== null) acc.responseBusinessMs = Math.max(acc.responseBusinessMs ?? 0, lead.sla.responseBusinessMs);
    if (lead.sla.responseCalendarMs !== null) acc.responseCalendarMs = Math.max(acc.responseCalendarMs ?? 0, lead.sla.responseCalendarMs);
  });
  const facts = [...cycles.values()]
    .map(({ kindRank: _k, breachedDue, touchedDue, latest, ...f }) => {
      const decided = breachedDue ?? touchedDue;
      return { ...f, dueAt: decided === null ? latest.due : new Date(decided).toISOString() };
    })
    .filter((f) => (!filter.kind || f.kind === filter.kind) && (!filter.ownerId || f.ownerId === filter.ownerId) && (!filter.team || f.team === filter.team))
    .sort((a, b) => a.qualifiedAt.localeCompare(b.qualifiedAt) || (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0) || a.cycle - b.cycle);
  return summarizeSla(filter.from, filter.to, facts.map(slaLeadOf));
}
