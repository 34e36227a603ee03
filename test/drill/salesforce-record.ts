/**
 * What Salesforce must hold for a lead after a drill: the Salesforce writes its committed history
 * sent, applied in order as the writer applies them (a Lead update and Task upserts on the external
 * id each set the fields they carry), through the writer's own field map. Compared with the org's
 * records: every task exactly once, no task history never sent, every field as last written.
 */
import type { SalesforceEffect } from '../../src/domain/effects';
import {
  DEFAULT_FIELD_MAP,
  leadToSalesforce,
  taskCloseToSalesforce,
  taskToSalesforce,
  type SObjectFields,
} from '../../src/salesforce/field-map';
import type { Difference } from './drill';

export type ExpectedSalesforce = { lead: SObjectFields | null; tasks: Map<string, SObjectFields> };
type OrgRecord = Record<string, unknown>;

const EXTERNAL_ID = DEFAULT_FIELD_MAP.task.externalId;

/** The lead's Salesforce fields and tasks after the landed writes, in the order history sent them. */
export function expectedSalesforce(landed: readonly SalesforceEffect[]): ExpectedSalesforce {
  let lead: SObjectFields | null = null;
  const tasks = new Map<string, SObjectFields>();
  const upsert = (externalId: string, fields: SObjectFields) => tasks.set(externalId, { ...tasks.get(externalId), ...fields });
  for (const effect of landed) {
    if (effect.type === 'syncLead') lead = { ...(lead ?? {}), ...leadToSalesforce(effect.lead, DEFAULT_FIELD_MAP) };
    else if (effect.type === 'upsertTask') upsert(effect.task.externalId, taskToSalesforce(effect.task, DEFAULT_FIELD_MAP));
    else upsert(effect.close.externalId, taskCloseToSalesforce(effect.close, DEFAULT_FIELD_MAP));
  }
  return { lead, tasks };
}

/** Instants compare as instants (the org answers `…+0000`), a null as an absent field. */
function same(expected: SObjectFields[string], actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(expected) && typeof actual === 'string')
    return Date.parse(expected) === Date.parse(actual);
  return expected === actual;
}

function fieldDifferences(leadId: string, id: string, expected: SObjectFields, actual: OrgRecord): Difference[] {
  return Object.entries(expected)
    .filter(([name, value]) => !same(value, actual[name]))
    .map(([name, value]) => ({
      leadId,
      id,
      what: `salesforce ${name}: org ${JSON.stringify(actual[name] ?? null).slice(0, 80)} ≠ history ${JSON.stringify(value).slice(0, 80)}`,
    }));
}

/** Every difference between a lead's Salesforce records and what its committed history wrote. */
export function compareSalesforce(leadId: string, expected: ExpectedSalesforce, lead: OrgRecord | undefined, tasks: readonly OrgRecord[]): Difference[] {
  const differences: Difference[] = [];
  if (expected.lead !== null) {
    if (!lead) differences.push({ leadId, id: leadId, what: 'salesforce: the Lead is missing' });
    else differences.push(...fieldDifferences(leadId, leadId, expected.lead, lead));
  }
  const byExternalId = new Map<string, OrgRecord[]>();
  for (const task of tasks) {
    const key = String(task[EXTERNAL_ID] ?? '');
    byExternalId.set(key, [...(byExternalId.get(key) ?? []), task]);
  }
  for (const [externalId, records] of byExternalId) {
    if (!expected.tasks.has(externalId))
      differences.push({ leadId, id: externalId, what: `salesforce: a Task history never wrote (${String(records[0]!.Subject)})` });
    else if (records.length > 1) differences.push({ leadId, id: externalId, what: `salesforce: ${records.length} Tasks for one write` });
  }
  for (const [externalId, fields] of expected.tasks) {
    const [record] = byExternalId.get(externalId) ?? [];
    if (!record) differences.push({ leadId, id: externalId, what: 'salesforce: a Task history wrote is missing' });
    else differences.push(...fieldDifferences(leadId, externalId, fields, record));
  }
  return differences;
}
