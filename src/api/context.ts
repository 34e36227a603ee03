import type { Logger } from 'pino';
import type { Ledger } from '../audit/ledger';
import type { Policy } from '../domain/policy';
import type { OwnerDirectory } from '../salesforce/directory';
import type { ApiKey, SignatureOptions } from './auth';
import type { LeadFieldMap } from './outbound-message';
import type { RouteContext } from './route';
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
  /** Salesforce (or the emulator), for readiness. */
  salesforce?: { ping(): Promise<void> };
  auth: { keys: readonly ApiKey[]; webhookSecret?: string; signature?: SignatureOptions };
  /** Outbound Messages from any other organization are refused (403). */
  salesforceOrgId: string;
  outboundMessages?: {
    fieldMap?: Partial<LeadFieldMap>;
    /** Also require `?key=<crm key>` in the endpoint URL configured in Salesforce. */
    requireKey?: boolean;
  };
  /** Per caller; default 6000 requests per minute. `max: 0` disables the limit. */
  rateLimit?: { max: number; windowMs: number };
  /** Browser origins (Temporal Web UIs) allowed to call /codec/*; default the embedded dev server's UI. */
  codecCorsOrigins?: readonly string[];
  /** Shown on the dashboard (links to workflows). */
  temporalUiUrl?: string;
  logger?: Logger;
  /** Extra readiness checks by name, beside Temporal, the worker, Salesforce and the ledger. */
  readiness?: Record<string, ReadinessCheck>;
  bodyLimitBytes?: number;
  /**
   * Whose X-Forwarded-* headers to believe (client IP for rate limits, https for the dashboard cookie):
   * true, or the comma-separated addresses / CIDRs of the proxies in front. Default false.
   */
  trustProxy?: boolean | string;
}

export interface ApiContext extends RouteContext {
  deps: ApiDeps;
  leads: LeadGateway;
}
