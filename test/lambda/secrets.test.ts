import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadSecretsIntoEnv, prepareLambdaEnv, SecretsError } from '../../src/lambda/secrets';

// AWS is outside the machine: Secrets Manager is mocked at the SDK client.
const secretsManager = mockClient(SecretsManagerClient);
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:handoff/${name}-AbCdEf`;

function serve(values: Record<string, string>): void {
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand).callsFake(async ({ SecretId }: { SecretId: string }) => {
    const name = Object.keys(values).find((n) => arn(n) === SecretId);
    if (name === undefined)
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      });
    return { ARN: SecretId, SecretString: values[name] };
  });
}
const errorOf = async (p: Promise<unknown>): Promise<SecretsError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof SecretsError) return err;
    throw err;
  }
  throw new Error('expected a SecretsError');
};

describe('Lambda secrets: read once by ARN, set as the variables Handoff reads', () => {
  test('plain secrets become their variables; the Salesforce JSON its SALESFORCE_* variables; other variables stay', async () => {
    serve({
      'api-keys':
        'crm:sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,sales:sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752\n',
      webhook: 'whsec-0123456789abcdef0123',
      temporal: 'eyJhbGciOi-temporal-key',
      payload: 'k2:3q2+7w==,k1:AAAA',
      database: 'postgres://handoff:s3cr%40t@ledger.internal:5432/handoff?sslmode=require',
      salesforce: JSON.stringify({ SALESFORCE_CLIENT_ID: '3MVG9-client', SALESFORCE_CLIENT_SECRET: 'F00D-secret' }),
    });
    const env: NodeJS.ProcessEnv = {
      HANDOFF_API_KEYS_SECRET_ARN: arn('api-keys'),
      HANDOFF_WEBHOOK_SECRET_ARN: arn('webhook'),
      TEMPORAL_API_KEY_SECRET_ARN: arn('temporal'),
      HANDOFF_PAYLOAD_KEYS_SECRET_ARN: arn('payload'),
      DATABASE_URL_SECRET_ARN: arn('database'),
      SALESFORCE_SECRET_ARN: arn('salesforce'),
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
    };
    await prepareLambdaEnv({ requireDatabase: true }, env);
    expect(env).toMatchObject({
      HANDOFF_API_KEYS: expect.stringMatching(/^crm:sha256:9f86.*c752$/),
      HANDOFF_WEBHOOK_SECRET: 'whsec-0123456789abcdef0123',
      TEMPORAL_API_KEY: 'eyJhbGciOi-temporal-key',
      HANDOFF_PAYLOAD_KEYS: 'k2:3q2+7w==,k1:AAAA',
      DATABASE_URL: 'postgres://handoff:s3cr%40t@ledger.internal:5432/handoff?sslmode=require',
      SALESFORCE_CLIENT_ID: '3MVG9-client',
      SALESFORCE_CLIENT_SECRET: 'F00D-secret',
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
    });
    expect(
      secretsManager
        .commandCalls(GetSecretValueCommand)
        .map((c) => c.args[0].input.SecretId)
        .sort(),
    ).toEqual(['api-keys', 'webhook', 'temporal', 'payload', 'database', 'salesforce'].map(arn).sort());
  });

  test("Aurora's generated secret becomes a DATABASE_URL, its password encoded", async () => {
    const password = 'p@ss:w/rd?#%';
    serve({
      aurora: JSON.stringify({
        engine: 'postgres',
        username: 'handoff',
        password,
        host: 'ledger.cluster-abc.eu-west-1.rds.amazonaws.com',
        port: 5432,
        dbname: 'handoff',
      }),
    });
    const env: NodeJS.ProcessEnv = { DATABASE_SECRET_ARN: arn('aurora') };
    await loadSecretsIntoEnv(env);
    const url = new URL(env.DATABASE_URL!);
    expect([
      url.protocol,
      decodeURIComponent(url.username),
      decodeURIComponent(url.password),
      url.hostname,
      url.port,
      url.pathname,
      url.searchParams.get('sslmode'),
    ]).toEqual([
      'postgres:',
      'handoff',
      password,
      'ledger.cluster-abc.eu-west-1.rds.amazonaws.com',
      '5432',
      '/handoff',
      'verify-full',
    ]);
  });

  test('every problem at once: a missing secret, a bad Salesforce JSON, a variable set twice; nothing is half-applied silently', async () => {
    serve({
      salesforce: JSON.stringify({ SALESFORCE_CLIENT_ID: 'x', SALESFORCE_PASSWORD: 'hunter2' }),
      webhook: 'whsec-0123456789abcdef0123',
    });
    const env: NodeJS.ProcessEnv = {
      HANDOFF_API_KEYS_SECRET_ARN: arn('gone'),
      SALESFORCE_SECRET_ARN: arn('salesforce'),
      HANDOFF_WEBHOOK_SECRET_ARN: arn('webhook'),
      HANDOFF_WEBHOOK_SECRET: 'set-directly-too-0000001',
    };
    const error = await errorOf(loadSecretsIntoEnv(env));
    expect(error.problems.sort()).toEqual(
      [
        `HANDOFF_API_KEYS_SECRET_ARN (${arn('gone')}): Secrets Manager can't find the specified secret.`,
        `SALESFORCE_SECRET_ARN (${arn('salesforce')}): unexpected keys SALESFORCE_PASSWORD (allowed: SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_USERNAME, SALESFORCE_PRIVATE_KEY, SALESFORCE_REFRESH_TOKEN)`,
        'HANDOFF_WEBHOOK_SECRET: set both directly and through HANDOFF_WEBHOOK_SECRET_ARN; keep one',
      ].sort(),
    );
    expect(error.message).not.toContain('hunter2');
    expect(env.HANDOFF_WEBHOOK_SECRET).toBe('set-directly-too-0000001');
    expect(env.SALESFORCE_CLIENT_ID).toBeUndefined();
  });

  test('a non-JSON Salesforce secret, a binary secret; and no ARN means no call', async () => {
    secretsManager.reset();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: arn('salesforce') })
      .resolves({ SecretString: 'client-id=abc' });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: arn('binary') })
      .resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const error = await errorOf(
      loadSecretsIntoEnv({ SALESFORCE_SECRET_ARN: arn('salesforce'), TEMPORAL_API_KEY_SECRET_ARN: arn('binary') }),
    );
    expect(error.problems.sort()).toEqual(
      [
        `SALESFORCE_SECRET_ARN (${arn('salesforce')}): ${(() => {
          try {
            JSON.parse('client-id=abc');
          } catch (e) {
            return (e as Error).message;
          }
          return '';
        })()}`,
        `TEMPORAL_API_KEY_SECRET_ARN (${arn('binary')}): the secret has no string value (binary secrets are not read)`,
      ].sort(),
    );
    secretsManager.reset();
    const env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://localhost/handoff' };
    await prepareLambdaEnv({ requireDatabase: true }, env);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test("the Lambda worker's ledger is Postgres: no DATABASE_URL (direct or by ARN) stops its cold start; the API may go without", async () => {
    serve({});
    const error = await errorOf(prepareLambdaEnv({ requireDatabase: true }, {}));
    expect(error.problems).toEqual([
      'DATABASE_URL: required by the Lambda worker (the embedded PGlite ledger needs a persistent disk); set DATABASE_URL_SECRET_ARN or DATABASE_SECRET_ARN',
    ]);
    await expect(prepareLambdaEnv({ requireDatabase: false }, {})).resolves.toBeUndefined();
  });
});
