import type { FaultConfig } from './faults';
import type { EmulatorSeed } from './owners';
import type { EmulatorLogger } from './logger';
import type { RequestLogEntry } from './request-log';
import type { ValidationRule } from './validation-rules';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** When set, records persist to `<dataDir>/salesforce-emulator.json` and are reloaded at start. */
  dataDir?: string;
  /** SFDX `force-app/main/default` folder whose field metadata defines the custom fields. Default: the repo's infra/salesforce. */
  metadataDir?: string;
  /** Default 'handoff-dev'. */
  clientId?: string;
  /** Default 'handoff-dev-secret'. */
  clientSecret?: string;
  /** Default '00D000000000001EAA'. */
  orgId?: string;
  /** Daily API request allocation; default 100000. */
  dailyApiLimit?: number;
  /** PEM public key (or certificate) that verifies JWT bearer assertions. */
  jwtPublicKeyPem?: string;
  validationRules?: ValidationRule[];
  /** Users and queues with fixed ids (a team's own reps and queues), added beside the default seeds when missing. */
  seed?: EmulatorSeed;
  faults?: FaultConfig;
  logger?: EmulatorLogger;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: the instance URL and the login URL. */
  readonly url: string;
  readonly orgId: string;
  close(): Promise<void>;
  setFaults(faults: FaultConfig): void;
  faults(): FaultConfig;
  /** Back to the seeded state: records, id counters, tokens, API usage, request log, faults from the options. */
  reset(): void;
  /** Copies of the live records of one sObject type, in creation order. */
  records(sobject: string): Record<string, unknown>[];
  /** Data API calls counted against the daily allocation. */
  apiCalls(): number;
  setApiCalls(used: number): void;
  /** A valid access token for the integration user (or `userId`). */
  issueToken(userId?: string): string;
  /** A refresh token usable with `grant_type=refresh_token`. */
  issueRefreshToken(userId?: string): string;
  /** Invalidates every access token so the next data call gets 401 INVALID_SESSION_ID; refresh tokens keep working. */
  expireTokens(): void;
  revokeTokens(): void;
  requestLog(): RequestLogEntry[];
  /** Headers (lower-case names) of the latest data API request. */
  lastRequestHeaders(): Record<string, string> | undefined;
  /** Creates or replaces a user with a fixed id (`seedUserSchema`); answers the stored record. */
  addUser(input: unknown): Record<string, unknown>;
  /** Creates or replaces a queue (`Group` of Type Queue) with a fixed id (`seedQueueSchema`). */
  addQueue(input: unknown): Record<string, unknown>;
  setUserActive(id: string, active: boolean): Record<string, unknown>;
  /** Resolves once pending changes are written to the data file. */
  flush(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4010,
  clientId: 'handoff-dev',
  clientSecret: 'handoff-dev-secret',
  orgId: '00D000000000001EAA',
  dailyApiLimit: 100_000,
} as const;
