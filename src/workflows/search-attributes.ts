import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';
import type { Trigger } from '../domain/inputs';
import { newLead, step } from '../domain/lifecycle';
import type { Policy } from '../domain/policy';
import type { LeadState } from '../domain/state';

/** docs/contracts/temporal.md: within the dev server's limits (10 Keyword, 3 Datetime, 3 Int, 3 Double); no PII. */
export const searchAttributes = {
  stage: defineSearchAttributeKey('HandoffStage', SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey('HandoffKind', SearchAttributeType.KEYWORD),
  owner: defineSearchAttributeKey('HandoffOwner', SearchAttributeType.KEYWORD),
  team: defineSearchAttributeKey('HandoffTeam', SearchAttributeType.KEYWORD),
  slaStatus: defineSearchAttributeKey('HandoffSlaStatus', SearchAttributeType.KEYWORD),
  recycleReason: defineSearchAttributeKey('HandoffRecycleReason', SearchAttributeType.KEYWORD),
  policyVersion: defineSearchAttributeKey('HandoffPolicyVersion', SearchAttributeType.KEYWORD),
  /** The Salesforce error code of the lead's last failing write (no message: it may carry data). */
  syncError: defineSearchAttributeKey('HandoffSyncError', SearchAttributeType.KEYWORD),
  qualifiedAt: defineSearchAttributeKey('HandoffQualifiedAt', SearchAttributeType.DATETIME),
  slaDueAt: defineSearchAttributeKey('HandoffSlaDueAt', SearchAttributeType.DATETIME),
  firstTouchAt: defineSearchAttributeKey('HandoffFirstTouchAt', SearchAttributeType.DATETIME),
  breaches: defineSearchAttributeKey('HandoffBreaches', SearchAttributeType.INT),
  contactAttempts: defineSearchAttributeKey('HandoffContactAttempts', SearchAttributeType.INT),
  fitScore: defineSearchAttributeKey('HandoffFitScore', SearchAttributeType.DOUBLE),
  intentScore: defineSearchAttributeKey('HandoffIntentScore', SearchAttributeType.DOUBLE),
} as const;

export const SEARCH_ATTRIBUTE_KEYS = Object.values(searchAttributes);

const date = (iso: string | null): Date | null => (iso ? new Date(iso) : null);

/**
 * The numbers that move with every engagement or touch are bucketed, so an upsert (a billable
 * action) follows a change someone would query for: intent to the nearest 10, contact attempts as
 * 0, 1, 2 … up to 5 then "5 or more".
 */
export function searchAttributeValues(s: LeadState): SearchAttributeUpdatePair[] {
  const a = searchAttributes;
  return [
    { key: a.stage, value: s.stage },
    { key: a.kind, value: s.kind },
    { key: a.owner, value: s.ownerId },
    { key: a.team, value: s.team },
    { key: a.slaStatus, value: s.sla.status },
    { key: a.recycleReason, value: s.recycle?.reason ?? null },
    { key: a.policyVersion, value: s.policyVersion },
    { key: a.syncError, value: s.syncError?.code ?? null },
    { key: a.qualifiedAt, value: date(s.qualifiedAt) },
    { key: a.slaDueAt, value: date(s.sla.dueAt) },
    { key: a.firstTouchAt, value: date(s.sla.firstTouchAt) },
    { key: a.breaches, value: s.sla.breaches },
    { key: a.contactAttempts, value: Math.min(s.cadence.attempts, 5) },
    { key: a.fitScore, value: s.fitScore },
    { key: a.intentScore, value: Math.round(s.intentScore / 10) * 10 },
  ] as SearchAttributeUpdatePair[];
}

/**
 * Attributes that ride along: written whenever another attribute changes, never on their own. A
 * touch changes nothing else of a lead in SAL, so it costs no upsert; the count is exact again at
 * the next change of stage, owner or SLA status (the ledger and Salesforce have it at once).
 */
const RIDERS: ReadonlySet<string> = new Set([searchAttributes.contactAttempts.name]);

/**
 * Remembers what the workflow's search attributes hold, so each upsert carries only what changed
 * (none when nothing did). It starts from what the run started with: nothing for a new lead, the
 * previous run's attributes after continue-as-new.
 */
export class SearchAttributeTracker {
  private last = new Map<string, string>();

  constructor(initial: TypedSearchAttributes) {
    for (const key of SEARCH_ATTRIBUTE_KEYS) this.last.set(key.name, JSON.stringify(initial.get(key) ?? null));
  }

  changed(s: LeadState): SearchAttributeUpdatePair[] {
    const changed = searchAttributeValues(s).filter(
      (pair) => this.last.get(pair.key.name) !== JSON.stringify(pair.value),
    );
    if (changed.every((pair) => RIDERS.has(pair.key.name))) return [];
    for (const pair of changed) this.last.set(pair.key.name, JSON.stringify(pair.value));
    return changed;
  }
}

/**
 * The attributes a new lead's workflow will have after its first trigger, for the API to start it
 * with (a start sets them at no cost; an upsert is a billable action). The domain computes them
 * exactly as the workflow will: the trigger counts from its receive time. Whatever differs (a
 * worker clock behind the API's, a refused trigger) the workflow upserts as usual.
 */
export function startSearchAttributes(
  workflowId: string,
  trigger: Trigger,
  policy: Policy,
  receivedAt: string,
): SearchAttributePair[] {
  const now = Date.parse(receivedAt);
  const lead = newLead({ leadId: trigger.leadId, workflowId, effectPrefix: workflowId, policy, now });
  const first = step(lead, { event: { type: 'trigger', trigger }, receivedAt, requestId: null }, now, policy);
  if (!first.ok) return [];
  return searchAttributeValues(first.state).filter((pair): pair is SearchAttributePair => pair.value !== null);
}
