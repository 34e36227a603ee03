import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { parseApiKeys } from '../api/auth';
import { loadMigrations } from '../audit/migrate';
import type { Policy } from '../domain/policy';
import { DEFAULT_BATCH_OPTIONS } from '../salesforce/batcher';
import type { OwnerDirectory } from '../salesforce/directory';
import { formatOwnerProblems } from '../salesforce/owner-check';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

/*
 * The checks `handoff doctor` prints and `/readyz` answers (docs/architecture.md, "Health"). Each is a
 * small named function over what the running system (or the configuration) gives it; adding a check
 * is one entry in CHECKS.
 */

/** What the checks look at, each part reached lazily so one unreachable piece fails only its own checks. */
export interface HealthContext {
  /** The policy the start loads (throws a PolicyError listing every problem). */
  policy(): Promise<Policy>;
  /** HANDOFF_API_KEYS and HANDOFF_WEBHOOK_SECRET as configured, and whether this is production. */
  keys: { apiKeys: string | undefined; webhookSecret: string | undefined; production: boolean; devKeysFile?: string };
  temporal(): Promise<{
    address: string;
    namespace: string;
    taskQueue: string;
    /** Custom search attributes registered in the namespace: name → indexed value type. */
    searchAttributes(): Promise<Record<string, number>>;
    /** Workers that polled the workflow task queue lately. */
    workflowPollers(): Promise<number>;
  }>;
  ledger(): Promise<{ location: string; appliedMigrations(): Promise<string[]> }>;
  salesforce(): Promise<{ ping(): Promise<void>; remainingApiCalls(): number | null; minRemainingApiCalls?: number }>;
  /** The org's active Users and Queues, read with SOQL (src/salesforce/directory.ts). */
  owners(): Promise<Pick<OwnerDirectory, 'checkPolicy'>>;
  /** Extra checks by name (e.g. a test double's), required like the rest. */
  extra?: Record<string, () => Promise<void>>;
}

export const checkResultSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  status: z.enum(['ok', 'warning', 'failed']),
  detail: z.string(),
  fix: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

type Outcome = { status: 'ok'; detail: string } | { status: 'warning' | 'failed'; detail: string; fix: string };

export interface HealthCheck {
  name: string;
  /** A required check that fails makes `/readyz` answer 503 and `handoff doctor` exit 1. */
  required: boolean;
  run(ctx: HealthContext): Promise<Outcome>;
  /** The fix to print when `run` throws (the error's message is the detail). */
  fix: string;
}

const ok = (detail: string): Outcome => ({ status: 'ok', detail });
const failed = (detail: string, fix: string): Outcome => ({ status: 'failed', detail, fix });

const INDEXED_VALUE_TYPE: Record<string, number> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

export const policyParses: HealthCheck = {
  name: 'policy',
  required: true,
  fix: 'fix the listed problems in the policy file (HANDOFF_POLICY; the schema is in docs/contracts/policy.md)',
  run: async (ctx) => {
    const policy = await ctx.policy();
    return ok(`version ${policy.version}, teams ${policy.teams.map((t) => t.id).join(', ')}`);
  },
};

export const keysLongEnough: HealthCheck = {
  name: 'api-keys',
  required: true,
  fix: 'set HANDOFF_API_KEYS to role:key entries (keys of 16+ characters, or role:sha256:<64 hex>) and HANDOFF_WEBHOOK_SECRET to 16+ characters',
  run: async ({ keys }) => {
    const secret = keys.webhookSecret;
    if (secret !== undefined && secret.length < 16) {
      return failed(`HANDOFF_WEBHOOK_SECRET has ${secret.length} characters, fewer than 16`, keysLongEnough.fix);
    }
    if (keys.apiKeys === undefined) {
      if (keys.production) return failed('HANDOFF_API_KEYS is not set in production', keysLongEnough.fix);
      return ok(
        `HANDOFF_API_KEYS is not set: development keys${keys.devKeysFile ? ` in ${keys.devKeysFile}` : ''} (not for production)`,
      );
    }
    const parsed = parseApiKeys(keys.apiKeys);
    const roles = [...new Set(parsed.map((k) => k.role))];
    return ok(`${parsed.length} key(s) for ${roles.join(', ')}${secret ? '; webhook secret set' : ''}`);
  },
};

export const temporalReachable: HealthCheck = {
  name: 'temporal',
  required: true,
  fix: 'start the embedded dev server with `npm start`, or point TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TEMPORAL_API_KEY or TLS) at your cluster',
  run: async (ctx) => {
    const t = await ctx.temporal();
    await t.workflowPollers();
    return ok(`${t.address}, namespace ${t.namespace}`);
  },
};

export const searchAttributesRegistered: HealthCheck = {
  name: 'search-attributes',
  required: true,
  fix: 'register them once per namespace: infra/temporal/register-search-attributes.sh (the embedded dev server registers them at start)',
  run: async (ctx) => {
    const registered = await (await ctx.temporal()).searchAttributes();
    const problems = SEARCH_ATTRIBUTE_KEYS.flatMap((key) => {
      const type = registered[key.name];
      if (type === undefined) return [`${key.name} missing`];
      return type === INDEXED_VALUE_TYPE[key.type] ? [] : [`${key.name} is not ${key.type}`];
    });
    if (problems.length > 0) return failed(problems.join(', '), searchAttributesRegistered.fix);
    return ok(`all ${SEARCH_ATTRIBUTE_KEYS.length} registered`);
  },
};

export const workerPolling: HealthCheck = {
  name: 'worker',
  required: true,
  fix: 'start a worker on this task queue: `npm start`, `tsx src/worker/main.ts`, or the Lambda worker (HANDOFF_TASK_QUEUE must match)',
  run: async (ctx) => {
    const t = await ctx.temporal();
    const pollers = await t.workflowPollers();
    if (pollers === 0) return failed(`no worker polls task queue "${t.taskQueue}"`, workerPolling.fix);
    return ok(`${pollers} poller(s) on task queue "${t.taskQueue}"`);
  },
};

export const ledgerMigrationsCurrent: HealthCheck = {
  name: 'ledger',
  required: true,
  fix: 'check DATABASE_URL (or HANDOFF_DATA_DIR for the embedded ledger); a start of the worker or `npm start` applies pending migrations',
  run: async (ctx) => {
    const ledger = await ctx.ledger();
    const applied = new Set(await ledger.appliedMigrations());
    const pending = (await loadMigrations()).map((m) => `${m.version}_${m.name}`).filter((m) => !applied.has(m));
    if (pending.length > 0)
      return failed(`${ledger.location}: migrations pending: ${pending.join(', ')}`, ledgerMigrationsCurrent.fix);
    return ok(`${ledger.location}, migrations current (${applied.size})`);
  },
};

export const salesforceAllocation: HealthCheck = {
  name: 'salesforce',
  required: true,
  fix: 'check the SALESFORCE_* credentials (docs/contracts/salesforce.md), or start the emulator with `npm start`',
  run: async (ctx) => {
    const sf = await ctx.salesforce();
    await sf.ping();
    const remaining = sf.remainingApiCalls();
    const floor = sf.minRemainingApiCalls ?? DEFAULT_BATCH_OPTIONS.minRemainingApiCalls;
    if (remaining === null) return ok('answers; API allocation not reported yet');
    if (remaining <= 0)
      return failed(
        'the daily API allocation is used up: writes fail until it resets',
        'wait for the 24-hour window to roll, or ask Salesforce for a larger allocation',
      );
    if (remaining < floor) {
      return {
        status: 'warning',
        detail: `${remaining} API calls left, under the floor of ${floor}: writes are slowed down`,
        fix: 'spread the load, raise the org allocation, or lower SALESFORCE_MIN_REMAINING_API_CALLS',
      };
    }
    return ok(`answers; ${remaining} API calls left today (floor ${floor})`);
  },
};

const ownersExist: HealthCheck = {
  name: 'owners',
  required: true,
  fix: 'reach Salesforce (or the emulator) to read its Users and Queues',
  async run(ctx) {
    const [policy, directory] = await Promise.all([ctx.policy(), ctx.owners()]);
    const problems = directory.checkPolicy(policy);
    if (problems.length === 0)
      return ok(`every owner, manager and queue of policy ${policy.version} is an active member of the org`);
    return failed(
      `the policy names owners the org does not have:\n${formatOwnerProblems(problems)}`,
      'fix the ids in the policy, or add the users / queues to the org (the emulator: POST /__emulator__/users, see tools/salesforce-emulator/README.md)',
    );
  },
};

export const CHECKS: readonly HealthCheck[] = [
  policyParses,
  keysLongEnough,
  temporalReachable,
  searchAttributesRegistered,
  workerPolling,
  ledgerMigrationsCurrent,
  salesforceAllocation,
  ownersExist,
];

const DEFAULT_TIMEOUT_MS = 3000;

async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each within the timeout; a check that throws fails with its message and its fix. */
export async function runChecks(
  ctx: HealthContext,
  checks: readonly HealthCheck[] = CHECKS,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<CheckResult[]> {
  const extra = Object.entries(ctx.extra ?? {}).map(([name, probe]): HealthCheck => ({
    name,
    required: true,
    fix: `see why ${name} does not answer`,
    run: async () => (await probe(), ok('answers')),
  }));
  return Promise.all(
    [...checks, ...extra].map(async (check) => {
      try {
        return { name: check.name, required: check.required, ...(await within(timeoutMs, () => check.run(ctx))) };
      } catch (err) {
        return {
          name: check.name,
          required: check.required,
          status: 'failed' as const,
          detail: err instanceof Error ? err.message : String(err),
          fix: check.fix,
        };
      }
    }),
  );
}

/** Ready when every required check passed (warnings do not count). */
export const allRequiredPass = (results: readonly CheckResult[]): boolean =>
  results.every((r) => !r.required || r.status !== 'failed');
