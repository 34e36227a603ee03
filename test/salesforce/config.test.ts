import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorAuth, loadSalesforceConfig, SalesforceConfigError } from '../../src/salesforce/config';
import { DEFAULT_FIELD_MAP } from '../../src/salesforce/field-map';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadSalesforceConfig(env);
  } catch (err) {
    if (err instanceof SalesforceConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a SalesforceConfigError');
}

describe('loadSalesforceConfig', () => {
  it('without credentials means "no org": defaults, auth null', () => {
    const config = loadSalesforceConfig({});
    expect(config).toEqual({
      auth: null,
      instanceUrl: null,
      apiVersion: '62.0',
      fieldMap: DEFAULT_FIELD_MAP,
      minRemainingApiCalls: 1000,
      batchWindowMs: { critical: 500, normal: 1500, lowAllocationNormal: 10_000 },
      requestTimeoutMs: 30000,
    });
  });

  it('reads the batch windows by write class; the old SALESFORCE_BATCH_DELAY_MS is the normal window', () => {
    const windows = (env: NodeJS.ProcessEnv) => loadSalesforceConfig(env).batchWindowMs;
    expect(
      windows({
        SALESFORCE_CRITICAL_BATCH_WINDOW_MS: '250',
        SALESFORCE_BATCH_WINDOW_MS: '2000',
        SALESFORCE_LOW_ALLOCATION_BATCH_WINDOW_MS: '30000',
      }),
    ).toEqual({ critical: 250, normal: 2000, lowAllocationNormal: 30_000 });
    expect(windows({ SALESFORCE_BATCH_DELAY_MS: '800' }).normal).toBe(800);
  });

  it('refuses a critical window over 1 s, and both names of the normal window at once', () => {
    expect(problemsOf({ SALESFORCE_CRITICAL_BATCH_WINDOW_MS: '1500' })).toEqual([
      expect.stringMatching(/^SALESFORCE_CRITICAL_BATCH_WINDOW_MS: .*1000/),
    ]);
    expect(problemsOf({ SALESFORCE_BATCH_WINDOW_MS: '1000', SALESFORCE_BATCH_DELAY_MS: '50' })).toEqual([
      'SALESFORCE_BATCH_DELAY_MS: renamed SALESFORCE_BATCH_WINDOW_MS; set only one of them',
    ]);
    expect(problemsOf({ SALESFORCE_BATCH_WINDOW_MS: '-1' })).toEqual([
      expect.stringMatching(/^SALESFORCE_BATCH_WINDOW_MS: /),
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadSalesforceConfig({ SALESFORCE_CLIENT_ID: '', SALESFORCE_API_VERSION: ' ' }).auth).toBeNull();
  });

  it('chooses JWT bearer when a private key and a username are set (PEM text with escaped newlines)', () => {
    const config = loadSalesforceConfig({
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_USERNAME: 'integration@example.com',
      SALESFORCE_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
      SALESFORCE_LOGIN_URL: 'https://test.salesforce.com/',
    });
    expect(config.auth).toEqual({
      flow: 'jwt',
      loginUrl: 'https://test.salesforce.com',
      clientId: 'cid',
      username: 'integration@example.com',
      privateKeyPem: pem,
      audience: 'https://test.salesforce.com',
    });
  });

  it('reads the private key from a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-key-'));
    const path = join(dir, 'server.key');
    writeFileSync(path, pem);
    const config = loadSalesforceConfig({
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_USERNAME: 'u@example.com',
      SALESFORCE_PRIVATE_KEY: path,
    });
    expect(config.auth).toMatchObject({ flow: 'jwt', privateKeyPem: pem, loginUrl: 'https://login.salesforce.com' });
  });

  it('chooses client credentials with id + secret, against the My Domain URL', () => {
    const config = loadSalesforceConfig({
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_CLIENT_SECRET: 'secret',
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
    });
    expect(config.auth).toEqual({
      flow: 'clientCredentials',
      loginUrl: 'https://acme.my.salesforce.com',
      clientId: 'cid',
      clientSecret: 'secret',
    });
    expect(config.instanceUrl).toBe('https://acme.my.salesforce.com');
  });

  it('chooses the refresh-token flow when a refresh token is given', () => {
    const config = loadSalesforceConfig({
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_CLIENT_SECRET: 's',
      SALESFORCE_REFRESH_TOKEN: 'rt',
    });
    expect(config.auth).toEqual({
      flow: 'refreshToken',
      loginUrl: 'https://login.salesforce.com',
      clientId: 'cid',
      clientSecret: 's',
      refreshToken: 'rt',
    });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      SALESFORCE_PRIVATE_KEY: 'not-a-key-and-not-a-file',
      SALESFORCE_REFRESH_TOKEN: 'rt',
      SALESFORCE_FIELD_MAP: '{"lead":{"stage":"has space"},"bogus":1}',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SALESFORCE_CLIENT_ID: required/),
        expect.stringMatching(/^SALESFORCE_PRIVATE_KEY and SALESFORCE_REFRESH_TOKEN: set one/),
        expect.stringMatching(/^SALESFORCE_USERNAME: required with SALESFORCE_PRIVATE_KEY/),
        expect.stringMatching(/^SALESFORCE_PRIVATE_KEY: not PEM text and not a readable file/),
        expect.stringMatching(/^SALESFORCE_FIELD_MAP\.lead\.stage: expected a Salesforce field API name/),
        expect.stringMatching(/^SALESFORCE_FIELD_MAP: .*bogus/),
      ]),
    );
  });

  it('rejects bad values with the variable name', () => {
    expect(problemsOf({ SALESFORCE_API_VERSION: 'v62', SALESFORCE_MIN_REMAINING_API_CALLS: 'lots' })).toEqual([
      expect.stringMatching(/^SALESFORCE_API_VERSION: expected an API version/),
      expect.stringMatching(/^SALESFORCE_MIN_REMAINING_API_CALLS: expected a number/),
    ]);
    expect(problemsOf({ SALESFORCE_INSTANCE_URL: 'http://acme.my.salesforce.com' })).toEqual([
      expect.stringMatching(/^SALESFORCE_INSTANCE_URL: expected https/),
    ]);
    expect(problemsOf({ SALESFORCE_CLIENT_ID: 'cid', SALESFORCE_CLIENT_SECRET: 's' })).toEqual([
      expect.stringMatching(/^SALESFORCE_LOGIN_URL: required for the client credentials flow/),
    ]);
    expect(
      problemsOf({
        SALESFORCE_CLIENT_ID: 'cid',
        SALESFORCE_USERNAME: 'u@example.com',
        SALESFORCE_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----',
      }),
    ).toEqual(['SALESFORCE_PRIVATE_KEY: not a valid PEM private key']);
  });

  it('accepts plain http only on loopback, and overrides the field map section by section', () => {
    const config = loadSalesforceConfig({
      SALESFORCE_LOGIN_URL: 'http://127.0.0.1:4010',
      SALESFORCE_FIELD_MAP: JSON.stringify({
        lead: { recycleNotes: null, stage: 'Lifecycle_Stage__c' },
        leadStatus: { SAL: 'Accepted' },
      }),
      SALESFORCE_MIN_REMAINING_API_CALLS: '250',
    });
    expect(config.fieldMap.lead).toEqual({
      ...DEFAULT_FIELD_MAP.lead,
      recycleNotes: null,
      stage: 'Lifecycle_Stage__c',
    });
    expect(config.fieldMap.leadStatus).toEqual({ ...DEFAULT_FIELD_MAP.leadStatus, SAL: 'Accepted' });
    expect(config.minRemainingApiCalls).toBe(250);
  });

  it('emulatorAuth is client credentials against the emulator', () => {
    expect(emulatorAuth('http://127.0.0.1:4010/')).toEqual({
      flow: 'clientCredentials',
      loginUrl: 'http://127.0.0.1:4010',
      clientId: 'handoff-dev',
      clientSecret: 'handoff-dev-secret',
    });
  });
});
