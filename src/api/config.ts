import { z } from 'zod';
import { integerEnv, optionalEnv } from '../env';
import { generateDevKeys, parseApiKeys, type ApiKey, type DevKey } from './auth';
import type { LeadFieldMap } from './outbound-message';

/** The org id Outbound Messages must carry when SALESFORCE_ORG_ID is unset: the emulator's (and the notes' fixture). */
export const DEFAULT_SALESFORCE_ORG_ID = '00D000000000001EAA';

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'expected a 15- or 18-character Salesforce id');

const fieldMapSchema = z
  .object({
    leadId: z.string().min(1),
    ownerId: z.string().min(1),
    fitScore: z.string().min(1),
    intentScore: z.string().min(1),
    kind: z.string().min(1),
    occurredAt: z.string().min(1),
    team: z.string().min(1),
    timezone: z.string().min(1),
  })
  .partial()
  .strict();

const apiEnvSchema = z.object({
  NODE_ENV: optionalEnv,
  HOST: optionalEnv,
  HANDOFF_API_KEYS: optionalEnv,
  HANDOFF_WEBHOOK_SECRET: optionalEnv.pipe(z.union([z.undefined(), z.string().min(16, 'expected at least 16 characters')])),
  SALESFORCE_ORG_ID: optionalEnv.pipe(z.union([z.undefined(), salesforceId])).transform((v) => v ?? DEFAULT_SALESFORCE_ORG_ID),
  HANDOFF_RATE_LIMIT_PER_MINUTE: integerEnv(6000, 0),
  HANDOFF_TEMPORAL_TIMEOUT_MS: integerEnv(10_000, 100),
  HANDOFF_OUTBOUND_FIELD_MAP: optionalEnv,
  HANDOFF_OUTBOUND_REQUIRE_KEY: optionalEnv.pipe(z.union([z.undefined(), z.enum(['true', 'false'])])),
  TEMPORAL_UI_URL: optionalEnv,
  HANDOFF_TRUST_PROXY: optionalEnv,
  HANDOFF_CODEC_CORS_ORIGINS: optionalEnv,
});

export interface ApiEnvConfig {
  production: boolean;
  host: string;
  auth: { keys: ApiKey[]; webhookSecret?: string };
  /** Keys generated because none were configured (development only): print them. */
  devKeys: DevKey[] | null;
  salesforceOrgId: string;
  rateLimit: { max: number; windowMs: number };
  temporalTimeoutMs: number;
  outboundMessages: { fieldMap: Partial<LeadFieldMap>; requireKey: boolean };
  temporalUiUrl?: string;
  /** HANDOFF_TRUST_PROXY: "true", or the comma-separated addresses / CIDRs of the proxies in front. */
  trustProxy?: boolean | string;
  /** HANDOFF_CODEC_CORS_ORIGINS: the Temporal Web UI origins allowed to call /codec/*. */
  codecCorsOrigins?: string[];
}

export class ApiConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid API configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ApiConfigError';
  }
}

/** The API's settings (DESIGN §3.5); every problem is listed at once. Core settings live in src/config.ts. */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiEnvConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) throw new ApiConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];

  let keys: ApiKey[] = [];
  let devKeys: DevKey[] | null = null;
  if (e.HANDOFF_API_KEYS) {
    try {
      keys = parseApiKeys(e.HANDOFF_API_KEYS);
    } catch (err) {
      problems.push((err as Error).message);
    }
  } else if (production) {
    problems.push('HANDOFF_API_KEYS: required in production (comma-separated role:key or role:sha256:<hex>)');
  } else {
    ({ keys, devKeys } = generateDevKeys());
  }

  let fieldMap: Partial<LeadFieldMap> = {};
  if (e.HANDOFF_OUTBOUND_FIELD_MAP) {
    try {
      const map = fieldMapSchema.safeParse(JSON.parse(e.HANDOFF_OUTBOUND_FIELD_MAP));
      if (map.success) fieldMap = map.data;
      else problems.push(...map.error.issues.map((i) => `HANDOFF_OUTBOUND_FIELD_MAP.${i.path.join('.')}: ${i.message}`));
    } catch {
      problems.push('HANDOFF_OUTBOUND_FIELD_MAP: expected JSON, e.g. {"team":"Handoff_Team__c"}');
    }
  }
  const codecCorsOrigins = e.HANDOFF_CODEC_CORS_ORIGINS ? origins(e.HANDOFF_CODEC_CORS_ORIGINS, problems) : undefined;
  if (problems.length > 0) throw new ApiConfigError(problems);

  return {
    production,
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    auth: { keys, ...(e.HANDOFF_WEBHOOK_SECRET ? { webhookSecret: e.HANDOFF_WEBHOOK_SECRET } : {}) },
    devKeys,
    salesforceOrgId: e.SALESFORCE_ORG_ID,
    rateLimit: { max: e.HANDOFF_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
    temporalTimeoutMs: e.HANDOFF_TEMPORAL_TIMEOUT_MS,
    outboundMessages: { fieldMap, requireKey: e.HANDOFF_OUTBOUND_REQUIRE_KEY === 'true' },
    ...(e.TEMPORAL_UI_URL ? { temporalUiUrl: e.TEMPORAL_UI_URL } : {}),
    ...(e.HANDOFF_TRUST_PROXY ? { trustProxy: trustProxy(e.HANDOFF_TRUST_PROXY) } : {}),
    ...(codecCorsOrigins ? { codecCorsOrigins } : {}),
  };
}

/** Comma-separated origins (scheme://host[:port], nothing after it), as a browser sends them in Origin. */
function origins(value: string, problems: string[]): string[] {
  const list = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of list) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin) problems.push(`HANDOFF_CODEC_CORS_ORIGINS: "${origin}" is not an origin (expected e.g. https://cloud.temporal.io)`);
  }
  return list;
}

function trustProxy(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}
