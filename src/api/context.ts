import type { Logger } from 'pino';
import type { Ledger } from '../audit/ledger';
import type { SqlExecutor } from '../audit/sql';
import type { Policy } from '../domain/policy';
import type { OwnerDirectory } from '../salesforce/directory';
import type { ApiKey, SignatureOptions } from './auth';
import type { LeadFieldMap } from './outbound-message';
import type { RateLimitSettings } from './rate-limit';
import type { RouteContext } from './route';
import type { ApiStateStore } from './state-store';
import type { LeadGateway, TemporalDeps } from './temporal';

/** A readiness check: resolves when the dependency answers, rejects with the reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

export interface ApiDeps {
  temporal: TemporalDeps;
  /** The policy new leads start with (passed to the workflow, and used to check bodies). */
  policy: Policy;
  /** The audit ledger (reports, timeline, readiness); routes that need it answer 503 without it. */
  ledger?: Ledger;
  /** The org's active Users and Queues: every repId, actorId and ownerId in a request must be one of them. */
  directory: OwnerDirectory;
  /**
   * The database of the API's shared state (migration 005_api_state: rate-limit windows, used webhook
   * signatures, dashboard sessions), usually the ledger's. Without it that state lives in this process only.
   */
  sql?: SqlExecutor;
  /** Salesforce (or the emulator), for readiness: it answers, and its API allocation remains. */
  salesforce?: { ping(): Promise<void>; remainingApiCalls?(): number | null };
  auth: { keys: readonly ApiKey[]; webhookSecret?: string; signature?: SignatureOptions };
  /** Outbound Messages from any other organization are refused (403). */
  salesforceOrgId: string;
  outboundMessages?: {
    fieldMap?: Partial<LeadFieldMap>;
    /**
     * Require a crm key (Bearer, or `?key=` in the endpoint URL configured in Salesforce). Default true;
     * false accepts messages on the organization id alone (logged as a warning).
     */
    requireKey?: boolean;
  };
  /** Per principal and per client address; default 6000 requests per minute each. `max: 0` disables a limit. */
  rateLimit?: RateLimitSettings;
  /** Browser origins (Temporal Web UIs) allowed to call /codec/*; default the embedded dev server's UI. */
  codecCorsOrigins?: readonly string[];
  /** Shown on the dashboard (links to workflows). */
  temporalUiUrl?: string;
  logger?: Logger;
  /** Extra readiness checks by name, beside Temporal, the worker, Salesforce and the ledger. */
  readiness?: Record<string, ReadinessCheck>;
  bodyLimitBytes?: number;
  /**
   * The addresses / CIDRs of the proxies in front, whose X-Forwarded-* headers are believed (client
   * address for rate limits and logs, https for the dashboard cookie). Default: none.
   */
  trustProxy?: readonly string[];
}

export interface ApiContext extends RouteContext {
  deps: ApiDeps;
  leads: LeadGateway;
  state: ApiStateStore;
}
