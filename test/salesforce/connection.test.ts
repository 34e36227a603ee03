import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import type { Emulator } from '../../tools/salesforce-emulator';
import { emulatorAuth, type SalesforceAuth } from '../../src/salesforce/config';
import { classifyError } from '../../src/salesforce/errors';
import { leadRecord } from './fixtures';
import { API_VERSION, captureLogger, connectTo, createLeads, dataRequests, startTestEmulator, tokenRequests, writerFor } from './harness';

const INTEGRATION_USERNAME = 'integration@handoff.emulator';

describe('connection factory (through jsforce against the emulator)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let emulator: Emulator;
  let rejectAllTokens: (on: boolean) => void;

  beforeAll(async () => {
    ({ emulator, rejectAllTokens } = await startTestEmulator({ jwtPublicKeyPem: publicKeyPem }));
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    rejectAllTokens(false);
  });

  const jwtAuth = (key = privateKeyPem): SalesforceAuth => ({
    flow: 'jwt',
    loginUrl: emulator.url,
    clientId: 'handoff-dev',
    username: INTEGRATION_USERNAME,
    privateKeyPem: key,
    audience: emulator.url,
  });

  it('client credentials: gets a token and pins the API version', async () => {
    const conn = await connectTo(emulator);
    expect(conn.version).toBe(API_VERSION);
    expect(conn.instanceUrl).toBe(emulator.url);
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(dataRequests(emulator).map((r) => r.path)).toEqual([expect.stringMatching(/^\/services\/data\/v62\.0\/query\?q=/)]);
  });

  it('JWT bearer: an RS256 assertion signed in-process is accepted', async () => {
    const conn = await connectTo(emulator, { auth: jwtAuth() });
    const [leadId] = await createLeads(conn, 1);
    expect(emulator.records('Lead')[0]?.CreatedById).toBe('005000000000003AAA');
    expect(leadId).toMatch(/^00Q/);
  });

  it('JWT bearer with a key the org does not know fails with a retryable AUTH_FAILED', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const err = classifyError(await connectTo(emulator, { auth: jwtAuth(other) }).catch((e: unknown) => e));
    expect(err).toMatchObject({ code: 'AUTH_FAILED', retryable: true, retryAfterMs: 60_000 });
    expect(err.message).toContain('invalid_grant');
  });

  it('refresh token: the token endpoint is asked with grant_type=refresh_token, and again after expiry', async () => {
    const auth: SalesforceAuth = {
      flow: 'refreshToken',
      loginUrl: emulator.url,
      clientId: 'handoff-dev',
      clientSecret: 'handoff-dev-secret',
      refreshToken: emulator.issueRefreshToken(),
    };
    const conn = await connectTo(emulator, { auth });
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    emulator.expireTokens();
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(tokenRequests(emulator)).toHaveLength(2);
    expect(dataRequests(emulator).map((r) => r.status)).toEqual([200, 401, 200]);
  });

  it('refreshes once on a 401 (expired token) and the write lands', async () => {
    const conn = await connectTo(emulator);
    const [leadId] = await createLeads(conn, 1);
    if (!leadId) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    emulator.expireTokens();
    await writer.updateLead(leadRecord(leadId, { stage: 'SAL' }));
    expect(emulator.records('Lead')[0]?.Handoff_Stage__c).toBe('SAL');
    expect(dataRequests(emulator, '/composite/sobjects').map((r) => r.status)).toEqual([200, 401, 200]);
    expect(tokenRequests(emulator)).toHaveLength(2);
  });

  it('caps jsforce endless refresh loop: a persistent 401 costs one refresh, then INVALID_SESSION_ID (retryable)', async () => {
    const { logger, lines } = captureLogger();
    const conn = await connectTo(emulator, { logger });
    const [leadId] = await createLeads(conn, 1);
    if (!leadId) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    rejectAllTokens(true);
    emulator.expireTokens();

    const error = classifyError(await writer.updateLead(leadRecord(leadId)).catch((e: unknown) => e));
    expect(error).toMatchObject({ code: 'INVALID_SESSION_ID', retryable: true });
    expect(tokenRequests(emulator)).toHaveLength(2);
    expect(dataRequests(emulator, '/composite/sobjects').map((r) => r.status)).toEqual([200, 401, 401]);

    // Later writes fail fast too, without new refreshes, until the cool-down has passed.
    await expect(writer.updateLead(leadRecord(leadId))).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
    expect(tokenRequests(emulator)).toHaveLength(2);
    expect(lines().filter((l) => l.msg === 'salesforce session refresh refused')).toHaveLength(2);
  });

  it('never refreshes more than N times a minute, however many writes fail', async () => {
    const conn = await connectTo(emulator, { refreshCooldownMs: 100, maxRefreshesPerMinute: 3 });
    const [leadId] = await createLeads(conn, 1);
    if (!leadId) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn, batch: false });
    rejectAllTokens(true);
    emulator.expireTokens();
    for (let i = 0; i < 5; i++) {
      await expect(writer.updateLead(leadRecord(leadId))).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(tokenRequests(emulator)).toHaveLength(1 + 3);
  });

  it('refreshes again after the cool-down, so the same connection recovers when the org accepts tokens again', async () => {
    const conn = await connectTo(emulator, { refreshCooldownMs: 200 });
    const [leadId] = await createLeads(conn, 1);
    if (!leadId) throw new Error('no lead');
    const writer = writerFor(emulator, { connection: conn });
    rejectAllTokens(true);
    emulator.expireTokens();
    await expect(writer.updateLead(leadRecord(leadId))).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
    rejectAllTokens(false);
    await expect(writer.updateLead(leadRecord(leadId))).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
    await new Promise((r) => setTimeout(r, 250));
    await writer.updateLead(leadRecord(leadId, { stage: 'SQL' }));
    expect(emulator.records('Lead')[0]?.Handoff_Stage__c).toBe('SQL');
  });

  describe('proxy variables (jsforce reads them at load and ignores NO_PROXY)', () => {
    let deadProxy: string;
    const saved = process.env.HTTPS_PROXY;

    beforeAll(async () => {
      const server = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      deadProxy = `http://127.0.0.1:${address.port}`;
      server.close();
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    });

    it('a loopback instance never goes through the proxy', async () => {
      process.env.HTTPS_PROXY = deadProxy;
      process.env.NO_PROXY = '127.0.0.1,localhost';
      await jest.isolateModulesAsync(async () => {
        const jsforce = (await import('jsforce')) as typeof import('jsforce');
        const { connect } = (await import('../../src/salesforce/connection')) as typeof import('../../src/salesforce/connection');
        const { quiet } = await import('./harness');

        const naive = new jsforce.OAuth2({ loginUrl: emulator.url, clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret' });
        await expect(naive.requestToken({ grant_type: 'client_credentials' })).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);

        const conn = await connect({ auth: emulatorAuth(emulator.url), apiVersion: API_VERSION, logger: quiet });
        const result = await conn.query('SELECT Id FROM Lead LIMIT 1');
        expect(result.totalSize).toBe(0);
      });
      delete process.env.NO_PROXY;
    });
  });
});
