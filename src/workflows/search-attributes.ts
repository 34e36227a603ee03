import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
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
    { key: a.qualifiedAt, value: date(s.qualifiedAt) },
    { key: a.slaDueAt, value: date(s.sla.dueAt) },
    { key: a.firstTouchAt, value: date(s.sla.firstTouchAt) },
    { key: a.breaches, value: s.sla.breaches },
    { key: a.contactAttempts, value: s.cadence.attempts },
    { key: a.fitScore, value: s.fitScore },
    { key: a.intentScore, value: s.intentScore },
  ] as SearchAttributeUpdatePair[];
}
