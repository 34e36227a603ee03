import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Secrets named by ARN in the function's environment (the CDK stack sets the `*_SECRET_ARN` variables),
 * read once per container, at cold start, and set as the variables the rest of Handoff reads. The
 * values never appear in the CloudFormation template or the function's configuration, and a rotated
 * secret reaches the next cold start.
 */
export const PLAIN_SECRETS = {
  HANDOFF_API_KEYS_SECRET_ARN: 'HANDOFF_API_KEYS',
  HANDOFF_WEBHOOK_SECRET_ARN: 'HANDOFF_WEBHOOK_SECRET',
  HANDOFF_PAYLOAD_KEYS_SECRET_ARN: 'HANDOFF_PAYLOAD_KEYS',
  TEMPORAL_API_KEY_SECRET_ARN: 'TEMPORAL_API_KEY',
  DATABASE_URL_SECRET_ARN: 'DATABASE_URL',
} as const;

/** A JSON object of Salesforce credentials: only these keys. */
export const SALESFORCE_SECRET_ARN = 'SALESFORCE_SECRET_ARN';
export const SALESFORCE_SECRET_KEYS = [
  'SALESFORCE_CLIENT_ID',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_USERNAME',
  'SALESFORCE_PRIVATE_KEY',
  'SALESFORCE_REFRESH_TOKEN',
] as const;

/** The secret Aurora generates (JSON username, password, host, port, dbname): DATABASE_URL is built from it. */
export const DATABASE_SECRET_ARN = 'DATABASE_SECRET_ARN';

export class SecretsError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot read the function's secrets:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SecretsError';
  }
}

type GetSecret = (arn: string) => Promise<string>;

function secretsManagerFetch(client = new SecretsManagerClient({})): GetSecret {
  return async (arn) => {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (answer.SecretString === undefined)
      throw new Error('the secret has no string value (binary secrets are not read)');
    return answer.SecretString;
  };
}

function jsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

function databaseUrl(secret: Record<string, unknown>): string {
  const { username, password, host, port, dbname } = secret;
  if (typeof username !== 'string' || typeof password !== 'string' || typeof host !== 'string') {
    throw new Error('expected username, password and host');
  }
  // Encoded by hand: URL's userinfo setter leaves '%' as it is, which pg then fails to decode.
  const e = encodeURIComponent;
  const database = typeof dbname === 'string' ? dbname : 'postgres';
  // verify-full: the functions trust the RDS CAs through NODE_EXTRA_CA_CERTS (set by the stack).
  return `postgres://${e(username)}:${e(password)}@${host}:${Number(port ?? 5432)}/${e(database)}?sslmode=verify-full`;
}

/**
 * Resolves every `*_SECRET_ARN` variable of `env` into the variables it stands for, in `env`.
 * Every problem is listed at once; a variable given both directly and by ARN is refused (which would win is not obvious).
 */
export async function loadSecretsIntoEnv(
  env: NodeJS.ProcessEnv = process.env,
  getSecret: GetSecret = secretsManagerFetch(),
): Promise<void> {
  const problems: string[] = [];
  const set = (name: string, value: string, from: string) => {
    if (env[name] !== undefined && env[name] !== '')
      problems.push(`${name}: set both directly and through ${from}; keep one`);
    else env[name] = value;
  };
  const read = async (arnVariable: string, apply: (text: string) => void) => {
    const arn = env[arnVariable];
    if (!arn) return;
    try {
      apply(await getSecret(arn));
    } catch (err) {
      problems.push(`${arnVariable} (${arn}): ${(err as Error).message}`);
    }
  };
  await Promise.all([
    ...Object.entries(PLAIN_SECRETS).map(([arnVariable, name]) =>
      read(arnVariable, (text) => set(name, text.trim(), arnVariable)),
    ),
    read(SALESFORCE_SECRET_ARN, (text) => {
      const secret = jsonObject(text);
      const unknown = Object.keys(secret).filter((k) => !(SALESFORCE_SECRET_KEYS as readonly string[]).includes(k));
      if (unknown.length > 0)
        throw new Error(`unexpected keys ${unknown.join(', ')} (allowed: ${SALESFORCE_SECRET_KEYS.join(', ')})`);
      for (const [name, value] of Object.entries(secret)) {
        if (typeof value !== 'string') throw new Error(`${name}: expected a string`);
        set(name, value, SALESFORCE_SECRET_ARN);
      }
    }),
    read(DATABASE_SECRET_ARN, (text) => set('DATABASE_URL', databaseUrl(jsonObject(text)), DATABASE_SECRET_ARN)),
  ]);
  if (problems.length > 0) throw new SecretsError(problems);
}

/**
 * What a Lambda entry needs before its configuration is read: the secrets and, for the worker, a Postgres
 * ledger (without DATABASE_URL the worker would open the embedded PGlite, which needs a persistent disk; the
 * API alone answers 503 on its audit routes instead).
 */
export async function prepareLambdaEnv(
  options: { requireDatabase: boolean },
  env: NodeJS.ProcessEnv = process.env,
  getSecret?: GetSecret,
): Promise<void> {
  await loadSecretsIntoEnv(env, getSecret);
  if (options.requireDatabase && !env.DATABASE_URL) {
    throw new SecretsError([
      'DATABASE_URL: required by the Lambda worker (the embedded PGlite ledger needs a persistent disk); set DATABASE_URL_SECRET_ARN or DATABASE_SECRET_ARN',
    ]);
  }
}
