import fs from 'node:fs';
import path from 'node:path';
import { validatePolicy, type Policy } from '../../src/domain/policy';
import { parse } from 'yaml';

const DEFAULT_POLICY_FILE = path.resolve(__dirname, '../../policy/default.yaml');

type Json = Record<string, unknown>;

function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? merge(prev as Json, value as Json)
        : value;
  }
  return out;
}

/** The default policy file with a deep-merged patch, validated like any policy. */
export function testPolicy(patch: Json = {}): Policy {
  const raw = parse(fs.readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as Json;
  return validatePolicy(merge(raw, patch), 'test policy');
}

/** A 24/7 team so workflow tests do not depend on the wall-clock time they run at. */
export const ALWAYS_TEAM = { teams: [{ id: 'na', calendar: 'always', fallbackOwnerId: '00G000000000001AAA', managerId: '005000000000001AAA' }] };

/**
 * The agreement as the design's example states it: MQL within 24 business hours, reminders sent by
 * the engine (an SLA_REMINDER row each), and each breach escalates to the manager and hands the lead
 * to the fallback, up to 2 reassignments (onBreach).
 */
export function designPolicy(patch: Json = {}): Policy {
  return testPolicy(
    merge(
      {
        sla: {
          firstTouch: { MQL: { within: '24h', clock: 'business' } },
          reminderDelivery: 'engine',
          escalation: undefined,
          onBreach: { reassignTo: 'fallback', notifyManager: true, maxReassignments: 2 },
        },
      },
      patch,
    ),
  );
}
