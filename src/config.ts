import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PolicyError, type Policy } from './domain/policy';
import { parsePolicy } from './domain/policy-text';
import { integerEnv, optionalEnv } from './env';
import { loadTemporalProfile, type TemporalProfile } from './temporal/connection';

export const DEFAULT_POLICY_FILE = path.resolve(__dirname, '../policy/default.yaml');

const port = (fallback: number) => integerEnv(fallback, 1, 65535);

/** The core settings of the README's configuration table; Salesforce and API settings are parsed by their own modules. */
const policyFile = optionalEnv.transform((v) => v ?? DEFAULT_POLICY_FILE);

/** The policy file named by the environment, even when other settings are wrong. */
export const policyFileOf = (env: NodeJS.ProcessEnv): string => policyFile.parse(env.HANDOFF_POLICY);

export const coreEnvSchema = z.object({
  HANDOFF_POLICY: policyFile,
  HANDOFF_DATA_DIR: optionalEnv.transform((v) => path.resolve(v ?? '.handoff')),
  HANDOFF_TASK_QUEUE: optionalEnv.transform((v) => v ?? 'handoff'),
  /** Leads kept in the long-running worker's workflow cache (about 0.35 MB each, `npm run bench:memory`); the rest are evicted and replayed when they wake. */
  HANDOFF_MAX_CACHED_WORKFLOWS: integerEnv(2000, 2, 100_000),
  /** A workflow bundle built beforehand (npm run build:workflow-bundle -- FILE): no webpack in the worker, about 120 MiB less. */
  HANDOFF_WORKFLOW_BUNDLE: optionalEnv
    .transform((v) => (v === undefined ? undefined : path.resolve(v)))
    .refine((file) => file === undefined || fs.existsSync(file), {
      error: (issue) => `no file at ${String(issue.input)} (build it with npm run build:workflow-bundle -- <file>)`,
    }),
  TEMPORAL_DEV_SERVER_PORT: port(7233),
  DATABASE_URL: optionalEnv,
  PORT: port(3000),
  SALESFORCE_EMULATOR_PORT: port(4010),
});
/**
 * TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE are the resolved profile's (TOML file and environment, see
 * src/temporal/connection.ts), so a profile that names them counts as configured.
 */
export type CoreConfig = z.infer<typeof coreEnvSchema> & {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE: string;
  temporal: TemporalProfile;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadCoreConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  const result = coreEnvSchema.safeParse(env);
  const temporal = loadTemporalProfile(env);
  const problems = [...(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []), ...temporal.problems];
  if (!result.success || !temporal.profile) throw new ConfigError(problems);
  const { address, namespace } = temporal.profile;
  return { ...result.data, ...(address ? { TEMPORAL_ADDRESS: address } : {}), TEMPORAL_NAMESPACE: namespace, temporal: temporal.profile };
}

/** Reads and validates the policy file; a bad file stops the start with every problem listed. */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(file, [{ path: '', message: `cannot read the policy file: ${(err as Error).message}` }]);
  }
  return parsePolicy(text, file);
}
