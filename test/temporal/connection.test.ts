import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadCoreConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-temporal-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Only the variables given (no HOME, so no user config file is read). */
const load = (env: Record<string, string>) => loadCoreConfig(env);
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a configuration error');
};

describe('the Temporal connection, read through @temporalio/envconfig', () => {
  test('no address: the embedded dev server (npm start), plain connection, namespace default', () => {
    const config = load({ TEMPORAL_ADDRESS: '  ' });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(temporalConnectionOptions('127.0.0.1:7233', config)).toEqual({ address: '127.0.0.1:7233' });
  });

  test('Temporal Cloud with an API key: TLS on, the namespace header, from the documented variables', () => {
    const config = load({
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'handoff.a1b2c',
      TEMPORAL_API_KEY: 'eyJ-key',
    });
    expect([config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE]).toEqual([
      'eu-west-1.aws.api.temporal.io:7233',
      'handoff.a1b2c',
    ]);
    expect(temporalConnectionOptions(config.TEMPORAL_ADDRESS!, config)).toEqual({
      address: 'eu-west-1.aws.api.temporal.io:7233',
      apiKey: 'eyJ-key',
      tls: true,
      metadata: { 'temporal-namespace': 'handoff.a1b2c' },
    });
  });

  test('mTLS from TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH / _SERVER_CA_CERT_PATH, and gRPC metadata from TEMPORAL_GRPC_META_*', () => {
    const config = load({
      TEMPORAL_ADDRESS: 'handoff.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_GRPC_META_X_TEAM: 'revops',
    });
    const options = temporalConnectionOptions(config.TEMPORAL_ADDRESS!, config);
    const tls = options.tls as {
      clientCertPair: { crt: Uint8Array; key: Uint8Array };
      serverRootCACertificate: Uint8Array;
    };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe(fs.readFileSync(cert, 'utf8'));
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe(fs.readFileSync(key, 'utf8'));
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toBe(fs.readFileSync(ca, 'utf8'));
    expect(options.metadata).toEqual({ 'x-team': 'revops' });
    expect(options.apiKey).toBeUndefined();
  });

  test('the deprecated TEMPORAL_TLS_CERT / _KEY / _CA mean the same, with one deprecation warning each', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const viaAliases = load({
        TEMPORAL_ADDRESS: 'h:7233',
        TEMPORAL_TLS_CERT: cert,
        TEMPORAL_TLS_KEY: key,
        TEMPORAL_TLS_CA: ca,
      });
      load({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key });
      const viaNames = load({
        TEMPORAL_ADDRESS: 'h:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      });
      expect(temporalConnectionOptions('h:7233', viaAliases)).toEqual(temporalConnectionOptions('h:7233', viaNames));
      expect(warn.mock.calls.map(([message, options]) => [message, options])).toEqual([
        [
          'TEMPORAL_TLS_CERT is deprecated: set TEMPORAL_TLS_CLIENT_CERT_PATH instead (same meaning)',
          { type: 'DeprecationWarning', code: 'HANDOFF_TEMPORAL_ENV' },
        ],
        [
          'TEMPORAL_TLS_KEY is deprecated: set TEMPORAL_TLS_CLIENT_KEY_PATH instead (same meaning)',
          { type: 'DeprecationWarning', code: 'HANDOFF_TEMPORAL_ENV' },
        ],
        [
          'TEMPORAL_TLS_CA is deprecated: set TEMPORAL_TLS_SERVER_CA_CERT_PATH instead (same meaning)',
          { type: 'DeprecationWarning', code: 'HANDOFF_TEMPORAL_ENV' },
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  test('an alias and its new name naming different files, a certificate without its key, a missing file: clear startup errors', () => {
    expect(
      problemsOf({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_CLIENT_CERT_PATH: ca, TEMPORAL_TLS_CLIENT_KEY_PATH: key }),
    ).toEqual([
      'TEMPORAL_TLS_CERT: deprecated alias of TEMPORAL_TLS_CLIENT_CERT_PATH, and both are set to different files; keep TEMPORAL_TLS_CLIENT_CERT_PATH only',
    ]);
    expect(problemsOf({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: cert })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both the certificate and its key',
    ]);
    const missing = path.join(dir, 'nope.pem');
    expect(
      problemsOf({
        TEMPORAL_ADDRESS: 'h:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: missing,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      }),
    ).toEqual([expect.stringMatching(new RegExp(`^Temporal connection: ENOENT.*${missing.replace(/[.]/g, '\\.')}`))]);
    // Listed with the other settings' problems, not instead of them.
    expect(problemsOf({ PORT: 'eighty', TEMPORAL_TLS_CLIENT_KEY_PATH: key })).toHaveLength(2);
  });

  describe('TOML profiles', () => {
    const toml = file(
      'temporal.toml',
      [
        '[profile.default]',
        'address = "localhost:7233"',
        'namespace = "dev"',
        '',
        '[profile.prod]',
        'address = "handoff.a1b2c.tmprl.cloud:7233"',
        'namespace = "handoff.a1b2c"',
        'api_key = "key-from-file"',
        '',
        '[profile.mtls]',
        'address = "handoff.a1b2c.tmprl.cloud:7233"',
        '[profile.mtls.tls]',
        `client_cert_path = "${cert}"`,
        `client_key_path = "${key}"`,
        '',
      ].join('\n'),
    );

    test('TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE select a profile; variables override its fields', () => {
      expect(load({ TEMPORAL_CONFIG_FILE: toml })).toMatchObject({
        TEMPORAL_ADDRESS: 'localhost:7233',
        TEMPORAL_NAMESPACE: 'dev',
      });
      const prod = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
      expect(prod).toMatchObject({
        TEMPORAL_ADDRESS: 'handoff.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'handoff.a1b2c',
      });
      expect(temporalConnectionOptions(prod.TEMPORAL_ADDRESS!, prod)).toMatchObject({
        apiKey: 'key-from-file',
        tls: true,
      });
      const overridden = load({
        TEMPORAL_CONFIG_FILE: toml,
        TEMPORAL_PROFILE: 'prod',
        TEMPORAL_NAMESPACE: 'handoff-staging.a1b2c',
      });
      expect(overridden.TEMPORAL_NAMESPACE).toBe('handoff-staging.a1b2c');
      const mtls = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'mtls' });
      const tls = temporalConnectionOptions(mtls.TEMPORAL_ADDRESS!, mtls).tls as {
        clientCertPair: { crt: Uint8Array };
      };
      expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe(fs.readFileSync(cert, 'utf8'));
    });

    test('on Lambda, $LAMBDA_TASK_ROOT/temporal.toml is the file when TEMPORAL_CONFIG_FILE is unset', () => {
      const root = fs.mkdtempSync(path.join(dir, 'task-'));
      fs.copyFileSync(toml, path.join(root, 'temporal.toml'));
      expect(load({ LAMBDA_TASK_ROOT: root, TEMPORAL_PROFILE: 'prod' }).TEMPORAL_ADDRESS).toBe(
        'handoff.a1b2c.tmprl.cloud:7233',
      );
    });

    test('an unknown profile, a missing file or a broken file is a startup error naming it', () => {
      expect(problemsOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).toEqual([
        `Temporal connection (config file ${toml}): Profile 'staging' not found in config data`,
      ]);
      const missing = path.join(dir, 'missing.toml');
      expect(problemsOf({ TEMPORAL_CONFIG_FILE: missing })).toEqual([
        `TEMPORAL_CONFIG_FILE: ${missing} does not exist`,
      ]);
      const broken = file('broken.toml', '[profile.default\naddress = ');
      expect(problemsOf({ TEMPORAL_CONFIG_FILE: broken })).toEqual([
        expect.stringContaining(`Temporal connection (config file ${broken}): `),
      ]);
    });
  });
});

describe("the long-running worker's workflow cache", () => {
  test('2,000 leads unless HANDOFF_MAX_CACHED_WORKFLOWS says otherwise; 1 or a word is a startup error', () => {
    expect(load({}).HANDOFF_MAX_CACHED_WORKFLOWS).toBe(2000);
    expect(load({ HANDOFF_MAX_CACHED_WORKFLOWS: '500' }).HANDOFF_MAX_CACHED_WORKFLOWS).toBe(500);
    expect(problemsOf({ HANDOFF_MAX_CACHED_WORKFLOWS: '1' })).toEqual(['HANDOFF_MAX_CACHED_WORKFLOWS: expected an integer from 2 to 100000, got "1"']);
    expect(problemsOf({ HANDOFF_MAX_CACHED_WORKFLOWS: 'lots' })).toEqual(['HANDOFF_MAX_CACHED_WORKFLOWS: expected an integer from 2 to 100000, got "lots"']);
  });
});

describe("the long-running worker's workflow bundle", () => {
  test('bundled at start unless HANDOFF_WORKFLOW_BUNDLE names a built one; a missing file is a startup error', () => {
    expect(load({}).HANDOFF_WORKFLOW_BUNDLE).toBeUndefined();
    expect(load({ HANDOFF_WORKFLOW_BUNDLE: ca }).HANDOFF_WORKFLOW_BUNDLE).toBe(ca);
    expect(problemsOf({ HANDOFF_WORKFLOW_BUNDLE: path.join(dir, 'nope.js') })).toEqual([
      `HANDOFF_WORKFLOW_BUNDLE: no file at ${path.join(dir, 'nope.js')} (build it with npm run build:workflow-bundle -- <file>)`,
    ]);
  });
});
