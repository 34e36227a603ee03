import type { Logger } from 'pino';
import { z } from 'zod';
import type { Policy } from '../domain/policy';
import { integerEnv, optionalEnv } from '../env';
import type { SalesforceConfig } from './config';
import type { DirectoryStatus, OwnerDirectory, OwnerProblem } from './directory';
import { ownerDirectoryFromConfig } from './from-config';

export const ownerCheckEnvSchema = z.object({
  /** `fail`: a policy naming an unknown or inactive owner stops the start; `warn`: it is logged and the start goes on. */
  HANDOFF_OWNER_CHECK: optionalEnv.pipe(z.enum(['fail', 'warn']).optional()).transform((v) => v ?? 'fail'),
  /** How often the owner directory reads the org's Users and Queues again. */
  HANDOFF_OWNER_REFRESH_SECONDS: integerEnv(300, 0, 86_400),
});
export type OwnerCheckConfig = z.infer<typeof ownerCheckEnvSchema>;

export function ownerCheckConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OwnerCheckConfig {
  const result = ownerCheckEnvSchema.safeParse(env);
  if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return result.data;
}

export type OwnersCheckResult = { ok: boolean; problems: OwnerProblem[]; directory: DirectoryStatus };

/** The policy's owners, managers and queues against the directory's current list: for /readyz and `handoff doctor`. */
export function ownersCheck(directory: OwnerDirectory, policy: Policy): OwnersCheckResult {
  const problems = directory.checkPolicy(policy);
  return { ok: problems.length === 0, problems, directory: directory.status() };
}

export function formatOwnerProblems(problems: readonly OwnerProblem[]): string {
  return problems.map((p) => `  - ${p.path} = "${p.id}": ${p.problem}`).join('\n');
}

export class OwnerCheckError extends Error {
  override readonly name = 'OwnerCheckError';
  constructor(
    readonly policyVersion: string,
    readonly problems: readonly OwnerProblem[],
  ) {
    super(
      `the policy (version ${policyVersion}) names owners the Salesforce org does not have:\n${formatOwnerProblems(problems)}\n` +
        'Fix the ids in the policy, add the users / queues to the org (the emulator: see tools/salesforce-emulator/README.md), ' +
        'or set HANDOFF_OWNER_CHECK=warn to start anyway.',
    );
  }
}

/** At start: every bad owner id in the policy, with where it appears; throws in `fail` mode, logs in `warn` mode. */
export function enforcePolicyOwners(
  directory: OwnerDirectory,
  policy: Policy,
  mode: OwnerCheckConfig['HANDOFF_OWNER_CHECK'],
  logger: Logger,
): OwnersCheckResult {
  const result = ownersCheck(directory, policy);
  if (result.ok) return result;
  if (mode === 'fail') throw new OwnerCheckError(policy.version, result.problems);
  logger.warn(
    { policyVersion: policy.version, problems: result.problems },
    `HANDOFF_OWNER_CHECK=warn: the policy names owners the Salesforce org does not have (leads routed to them will not get that owner):\n${formatOwnerProblems(result.problems)}`,
  );
  return result;
}

/**
 * The directory for the configured org (or the emulator at `emulatorUrl`), loaded, with the policy's owners
 * checked against it as HANDOFF_OWNER_CHECK says. Rejects when the org cannot be read or, in `fail` mode,
 * when the policy names an owner the org does not have.
 */
export async function startOwnerDirectory(options: {
  salesforce: SalesforceConfig;
  policy: Policy;
  config: OwnerCheckConfig;
  emulatorUrl?: string;
  logger: Logger;
}): Promise<OwnerDirectory> {
  const { config, logger } = options;
  const directory = ownerDirectoryFromConfig(options.salesforce, {
    ...(options.emulatorUrl ? { emulatorUrl: options.emulatorUrl } : {}),
    logger,
    refreshIntervalMs: config.HANDOFF_OWNER_REFRESH_SECONDS * 1000,
  });
  try {
    await directory.start();
    enforcePolicyOwners(directory, options.policy, config.HANDOFF_OWNER_CHECK, logger);
    return directory;
  } catch (err) {
    directory.close();
    throw err;
  }
}
