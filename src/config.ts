import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parsePolicy, PolicyError, type Policy } from './domain/policy';

export const DEFAULT_POLICY_FILE = path.resolve(__dirname, '../policy/default.yaml');

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const port = (fallback: number) =>
  optional
    .pipe(
      z.union([z.undefined(), z.coerce.number<string>().int().min(1).max(65535)], {
        error: (issue) => `expected a port number 1-65535, got "${String(issue.input)}"`,
      }),
    )
    .transform((v) => v ?? fallback);

/** The core settings of DESIGN §3.5; Salesforce and API settings are parsed by their own modules. */
const policyFile = optional.transform((v) => v ?? DEFAULT_POLICY_FILE);

/** The policy file named by the environment, even when other settings are wrong. */
export const policyFileOf = (env: NodeJS.ProcessEnv): string => policyFile.parse(env.HANDOFF_POLICY);

export const coreEnvSchema = z.object({
  HANDOFF_POLICY: policyFile,
  HANDOFF_DATA_DIR: optional.transform((v) => path.resolve(v ?? '.handoff')),
  HANDOFF_TASK_QUEUE: optional.transform((v) => v ?? 'handoff'),
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: optional.transform((v) => v ?? 'default'),
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS_CERT: optional,
  TEMPORAL_TLS_KEY: optional,
  TEMPORAL_TLS_CA: optional,
  TEMPORAL_DEV_SERVER_PORT: port(7233),
  DATABASE_URL: optional,
  PORT: port(3000),
  SALESFORCE_EMULATOR_PORT: port(4010),
});
export type CoreConfig = z.infer<typeof coreEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadCoreConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  const result = coreEnvSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return result.data;
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
