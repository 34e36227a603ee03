import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { DmlContext } from './dml';
import { sfError } from './errors';
import { FaultInjector, type FaultConfig, type FaultKind } from './faults';
import { BodyTooLarge, EMULATOR_HEADER, EMULATOR_HEADER_VALUE, lowerCaseHeaders, readBody, send } from './http';
import { idKey } from './ids';
import { emulatorLogger, type EmulatorLogger } from './logger';
import { DEFAULT_METADATA_DIR, loadSchema } from './metadata';
import { TokenService } from './oauth';
import { DATA_FILE_NAME, loadPersistedState, Persister, type PersistedState } from './persistence';
import { RequestLog, type RequestLogEntry } from './request-log';
import { decodeSegments, type DataEnv, type DataRequest, type DataResponse } from './routes/common';
import { CONTROL_PREFIX, handleControl, type EmulatorControls } from './routes/control';
import { dispatchData, isWriteRequest } from './routes/data';
import { aboutPage, identityDocument, oauthEndpoint } from './routes/oauth';
import { QueryCursors } from './routes/query';
import { handleSoap, SOAP_PATH, XML_CONTENT_TYPE } from './routes/soap';
import { findField, findSObject, type Schema } from './schema';
import { emulatorSeedSchema, seedQueueRecord, seedQueueSchema, seedUserRecord, seedUserSchema } from './owners';
import { INTEGRATION_USER_ID, seedRecords } from './standard-objects';
import { RecordStore } from './store';
import { DEFAULTS, type Emulator, type EmulatorOptions } from './types';
import { validationRuleSchema, type ValidationRule } from './validation-rules';
import { formatDateTime } from './values';

export { DEFAULTS, type Emulator, type EmulatorOptions } from './types';

/** Exactly what Salesforce answers for a missing, expired or revoked token (no `fields`). */
const INVALID_SESSION = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
const SEED_TIMESTAMP = '2025-01-01T00:00:00.000+0000';
const SEED_SYSTEM_FIELDS = {
  IsDeleted: false,
  CreatedDate: SEED_TIMESTAMP,
  CreatedById: INTEGRATION_USER_ID,
  LastModifiedDate: SEED_TIMESTAMP,
  LastModifiedById: INTEGRATION_USER_ID,
  SystemModstamp: SEED_TIMESTAMP,
};

function checkValidationRules(rules: unknown, schema: Schema): ValidationRule[] {
  const parsed = z.array(validationRuleSchema).parse(rules);
  for (const rule of parsed) {
    const sobject = findSObject(schema, rule.sobject);
    if (!sobject || !findField(sobject, rule.field)) throw new Error(`validation rule on unknown field ${rule.sobject}.${rule.field}`);
  }
  return parsed;
}

class SalesforceEmulator implements Emulator, EmulatorControls {
  url = '';
  readonly orgId: string;
  private readonly logger: EmulatorLogger;
  private readonly schema: Schema;
  private readonly store: RecordStore;
  private readonly tokens: TokenService;
  private readonly faultInjector: FaultInjector;
  private readonly cursors = new QueryCursors();
  private readonly log = new RequestLog();
  private readonly validationRules: ValidationRule[];
  private readonly dailyApiLimit: number;
  private readonly persister: Persister | undefined;
  private readonly server: Server;
  private readonly ownerSeed: z.output<typeof emulatorSeedSchema>;
  private used = 0;

  constructor(private readonly options: EmulatorOptions) {
    this.logger = emulatorLogger(options.logger);
    this.orgId = options.orgId ?? DEFAULTS.orgId;
    this.dailyApiLimit = options.dailyApiLimit ?? DEFAULTS.dailyApiLimit;
    this.schema = loadSchema(options.metadataDir ?? DEFAULT_METADATA_DIR, this.logger);
    this.validationRules = checkValidationRules(options.validationRules ?? [], this.schema);
    this.faultInjector = new FaultInjector(options.faults ?? {});
    this.ownerSeed = emulatorSeedSchema.parse(options.seed ?? {});
    const changed = () => this.persister?.schedule();
    this.store = new RecordStore(this.schema, changed);
    this.tokens = new TokenService({
      orgId: this.orgId,
      clientId: options.clientId ?? DEFAULTS.clientId,
      clientSecret: options.clientSecret ?? DEFAULTS.clientSecret,
      ...(options.jwtPublicKeyPem ? { jwtPublicKeyPem: options.jwtPublicKeyPem } : {}),
      runAsUserId: INTEGRATION_USER_ID,
      findUserIdByUsername: (username) => this.findUserId(username),
      onChange: changed,
    });
    const dataFile = options.dataDir ? path.join(options.dataDir, DATA_FILE_NAME) : undefined;
    const persisted = dataFile ? loadPersistedState(dataFile) : null;
    if (persisted) this.restore(persisted);
    this.seed();
    this.persister = dataFile ? new Persister(dataFile, () => this.snapshot(), this.logger) : undefined;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.logger.error({ err: error }, 'salesforce-emulator: request failed');
        if (!res.headersSent) send(res, 500, [sfError('UNKNOWN_EXCEPTION', 'An unexpected error occurred in the emulator.')]);
        else res.destroy();
      });
    });
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? DEFAULTS.host;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? DEFAULTS.port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${port}`;
    this.logger.info(
      { url: this.url, orgId: this.orgId, dataDir: this.options.dataDir ?? null, metadataDir: this.options.metadataDir ?? DEFAULT_METADATA_DIR },
      'salesforce-emulator: listening (a local emulator of the Salesforce REST API, not Salesforce)',
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.flush();
    this.logger.info({ url: this.url }, 'salesforce-emulator: stopped');
  }

  flush(): Promise<void> {
    return this.persister?.flush() ?? Promise.resolve();
  }

  setFaults(faults: FaultConfig): void {
    this.faultInjector.set(faults);
    this.logger.info({ faults }, 'salesforce-emulator: faults set');
  }

  faults(): FaultConfig {
    return this.faultInjector.current();
  }

  reset(): void {
    this.store.clear();
    this.seed();
    this.tokens.revokeAll();
    this.cursors.clear();
    this.log.clear();
    this.used = 0;
    this.faultInjector.set(this.options.faults ?? {});
    this.persister?.schedule();
    this.logger.info({}, 'salesforce-emulator: reset');
  }

  records(sobject: string): Record<string, unknown>[] {
    const def = findSObject(this.schema, sobject);
    if (!def) throw new Error(`the emulator has no sObject type ${sobject}`);
    return structuredClone(this.store.list(def));
  }

  allRecords(): Record<string, Record<string, unknown>[]> {
    return Object.fromEntries([...this.schema.sobjects.values()].map((s) => [s.name, this.records(s.name)]));
  }

  apiCalls(): number {
    return this.used;
  }

  setApiCalls(used: number): void {
    this.used = used;
    this.persister?.schedule();
  }

  issueToken(userId: string = INTEGRATION_USER_ID): string {
    return this.tokens.issueAccessToken(userId);
  }

  issueRefreshToken(userId: string = INTEGRATION_USER_ID): string {
    return this.tokens.issueRefreshToken(userId);
  }

  issueTokens(): Record<string, string> {
    return { access_token: this.issueToken(), refresh_token: this.issueRefreshToken(), instance_url: this.url };
  }

  expireTokens(): void {
    this.tokens.expireAccessTokens();
    this.logger.info({}, 'salesforce-emulator: access tokens expired');
  }

  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  requestLog(): RequestLogEntry[] {
    return this.log.all();
  }

  lastRequestHeaders(): Record<string, string> | undefined {
    return this.log.lastData()?.headers;
  }

  stats(): Record<string, unknown> {
    return {
      name: 'Handoff Salesforce emulator',
      url: this.url,
      orgId: this.orgId,
      apiCalls: this.used,
      dailyApiLimit: this.dailyApiLimit,
      activeAccessTokens: this.tokens.activeAccessTokens(),
      records: Object.fromEntries([...this.schema.sobjects.values()].map((s) => [s.name, this.store.count(s)])),
      faults: this.faults(),
    };
  }

  private findUserId(username: string): string | undefined {
    const users = findSObject(this.schema, 'User');
    const user = users ? this.store.list(users).find((u) => String(u.Username).toLowerCase() === username.toLowerCase()) : undefined;
    return typeof user?.Id === 'string' ? user.Id : undefined;
  }

  /** Adds the default seeds and the `seed` option's users and queues that are missing (a restored data file keeps its own). */
  private seed(): void {
    const { users, queues } = this.ownerSeed;
    const records = [
      ...seedRecords(),
      ...users.map((user) => ({ sobject: 'User', record: seedUserRecord(user) })),
      ...queues.map((queue) => ({ sobject: 'Group', record: seedQueueRecord(queue) })),
    ];
    for (const { sobject, record } of records) {
      const def = findSObject(this.schema, sobject);
      const key = idKey(String(record.Id));
      if (!def || !key || this.store.get(def, key)) continue;
      this.store.put(def, { ...record, ...SEED_SYSTEM_FIELDS });
    }
  }

  addUser(input: unknown): Record<string, unknown> {
    return this.putOwner('User', seedUserRecord(seedUserSchema.parse(input)));
  }

  addQueue(input: unknown): Record<string, unknown> {
    return this.putOwner('Group', seedQueueRecord(seedQueueSchema.parse(input)));
  }

  setUserActive(id: string, active: boolean): Record<string, unknown> {
    const users = this.sobject('User');
    const key = idKey(id);
    const user = key ? this.store.get(users, key) : undefined;
    if (!user) throw new Error(`no user ${id}`);
    const updated: Record<string, unknown> = { ...user, IsActive: active, LastModifiedDate: formatDateTime(Date.now()) };
    this.store.put(users, updated);
    this.logger.info({ userId: updated.Id, active }, 'salesforce-emulator: user activation set');
    return structuredClone(updated);
  }

  /** Creates or replaces a user or queue with a fixed id (control routes; REST creates get generated ids). */
  private putOwner(sobject: 'User' | 'Group', record: Record<string, unknown>): Record<string, unknown> {
    const def = this.sobject(sobject);
    const key = idKey(String(record.Id)) ?? '';
    const previous = this.store.get(def, key);
    const username = sobject === 'User' ? findField(def, 'Username') : undefined;
    const clash = username ? this.store.findByIndexedField(def, username, String(record.Username)).find((u) => idKey(String(u.Id)) !== key) : undefined;
    if (clash) throw new Error(`Username ${String(record.Username)} is taken by ${String(clash.Id)}`);
    const now = formatDateTime(Date.now());
    const stored: Record<string, unknown> = { ...SEED_SYSTEM_FIELDS, ...(previous ?? {}), ...record, LastModifiedDate: now, SystemModstamp: now, ...(previous ? {} : { CreatedDate: now }) };
    this.store.put(def, stored);
    this.logger.info({ sobject, id: stored.Id }, 'salesforce-emulator: owner added');
    return structuredClone(stored);
  }

  private sobject(name: string) {
    const def = findSObject(this.schema, name);
    if (!def) throw new Error(`the emulator has no sObject type ${name}`);
    return def;
  }

  private snapshot(): PersistedState {
    return { orgId: this.orgId, apiCalls: this.used, store: this.store.toState(), tokens: this.tokens.toState() };
  }

  private restore(state: PersistedState): void {
    if (state.orgId !== this.orgId) this.logger.warn({ persisted: state.orgId, orgId: this.orgId }, 'salesforce-emulator: data file was written for another org id');
    this.store.loadState(state.store);
    this.tokens.loadState(state.tokens);
    this.used = state.apiCalls;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      send(res, 413, [sfError('REQUEST_ENTITY_TOO_LARGE', error.message)]);
      return;
    }
    const { pathname } = url;
    if (pathname === '/') {
      send(res, 200, aboutPage(this.url, this.orgId));
      return;
    }
    if (pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      const reply = handleControl(this, method, pathname, body);
      send(res, reply.status, reply.body);
      return;
    }
    if (pathname === '/services/oauth2/token' || pathname === '/services/oauth2/revoke') {
      this.handleOAuth(req, res, method, url, body);
      return;
    }
    const identity = /^\/id\/([A-Za-z0-9]+)\/([A-Za-z0-9]+)$/.exec(pathname);
    if (identity) {
      this.handleIdentity(req, res, identity[2] ?? '');
      return;
    }
    if (pathname === '/services/data' || pathname === '/services/data/') {
      send(res, 200, [{ label: 'Winter \'25', url: '/services/data/v62.0', version: '62.0' }]);
      return;
    }
    if (SOAP_PATH.test(pathname)) {
      this.handleSoapRequest(req, res, method, pathname, body);
      return;
    }
    const data = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(pathname);
    if (data?.[1]) {
      await this.handleData(req, res, method, url, data[1], data[2] ?? '', body);
      return;
    }
    send(res, 404, [sfError('NOT_FOUND', 'The requested resource does not exist')]);
  }

  private handleOAuth(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: string): void {
    const headers = lowerCaseHeaders(req);
    const params = new URLSearchParams(url.search);
    for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
    const reply = oauthEndpoint(this.tokens, method, url.pathname, params, [this.url, `http://${headers.host ?? ''}`]);
    this.log.add({ kind: 'oauth', method, path: url.pathname, status: reply.status, fault: null }, headers);
    this.logger.info({ grantType: params.get('grant_type'), status: reply.status, error: reply.body?.error }, 'salesforce-emulator: oauth request');
    send(res, reply.status, reply.body);
  }

  private handleIdentity(req: IncomingMessage, res: ServerResponse, userId: string): void {
    if (!this.tokens.session(req.headers.authorization)) {
      send(res, 401, INVALID_SESSION);
      return;
    }
    const users = findSObject(this.schema, 'User');
    const key = idKey(userId);
    const user = users && key ? this.store.get(users, key) : undefined;
    if (!user) {
      send(res, 404, [sfError('NOT_FOUND', 'The requested resource does not exist')]);
      return;
    }
    send(res, 200, identityDocument(this.url, this.orgId, user));
  }

  private limitHeader(): Record<string, string> {
    return { 'Sforce-Limit-Info': `api-usage=${this.used}/${this.dailyApiLimit}` };
  }

  private async handleData(req: IncomingMessage, res: ServerResponse, method: string, url: URL, version: string, rest: string, body: string): Promise<void> {
    const headers = lowerCaseHeaders(req);
    const path = url.pathname + url.search;
    const finish = (status: number, fault: FaultKind | null, response?: DataResponse) => {
      this.log.add({ kind: 'data', method, path, status, fault }, headers, body);
      this.logger.debug({ method, path, status, fault }, 'salesforce-emulator: data request');
      if (response) send(res, response.status, response.body, { ...this.limitHeader(), ...response.headers });
    };
    const session = this.tokens.session(headers.authorization);
    if (!session) {
      finish(401, null);
      send(res, 401, INVALID_SESSION);
      return;
    }
    if (this.used >= this.dailyApiLimit) {
      finish(403, null, { status: 403, body: [sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')] });
      return;
    }
    const segments = decodeSegments(rest);
    if (!segments) {
      finish(404, null, { status: 404, body: [sfError('NOT_FOUND', 'The requested resource does not exist')] });
      return;
    }
    const request: DataRequest = { method, segments, version, query: url.searchParams, headers, body };
    const decision = this.faultInjector.decide(isWriteRequest(request));
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    switch (decision.fault) {
      case 'REQUEST_LIMIT_EXCEEDED':
        finish(403, decision.fault, { status: 403, body: [sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')] });
        return;
      case 'SERVER_ERROR':
        finish(decision.serverStatus, decision.fault, {
          status: decision.serverStatus,
          body:
            decision.serverStatus === 503
              ? [sfError('SERVER_UNAVAILABLE', 'Server temporarily unavailable (injected by the emulator).')]
              : [sfError('UNKNOWN_EXCEPTION', 'An unexpected error occurred (injected by the emulator).')],
        });
        return;
      case 'DROP_CONNECTION':
        finish(0, decision.fault);
        req.socket.destroy();
        return;
      default:
        break;
    }
    this.used++;
    this.persister?.schedule();
    const response = dispatchData(this.dataEnv(session.userId, decision.fault === 'UNABLE_TO_LOCK_ROW'), request);
    if (decision.fault === 'DROP_AFTER_WRITE') {
      finish(0, decision.fault);
      req.socket.destroy();
      return;
    }
    finish(response.status, decision.fault, response);
  }

  private handleSoapRequest(req: IncomingMessage, res: ServerResponse, method: string, path: string, body: string): void {
    const reply = handleSoap(
      {
        dmlFor: (sessionId) => {
          const session = this.tokens.session(`Bearer ${sessionId}`);
          return session && this.dataEnv(session.userId, false).dml;
        },
      },
      method,
      body,
    );
    if (reply.status === 200) this.used++;
    this.log.add({ kind: 'data', method, path, status: reply.status, fault: null }, lowerCaseHeaders(req));
    res.writeHead(reply.status, { [EMULATOR_HEADER]: EMULATOR_HEADER_VALUE, 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(reply.body)) });
    res.end(reply.body);
  }

  private dataEnv(userId: string, lockFault: boolean): DataEnv {
    const dml: DmlContext = { schema: this.schema, store: this.store, userId, validationRules: this.validationRules, lockFault };
    const env: DataEnv = {
      dml,
      cursors: this.cursors,
      apiUsage: () => ({ used: this.used, max: this.dailyApiLimit }),
      dispatch: (request) => dispatchData(env, request),
    };
    return env;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new SalesforceEmulator(options);
  await emulator.listen();
  return emulator;
}
