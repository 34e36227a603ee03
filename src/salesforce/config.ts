import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_BATCH_OPTIONS, MAX_CRITICAL_WINDOW_MS } from './batcher';
import { type FieldMap, fieldMapOverrideSchema, fieldMapSchema, resolveFieldMap } from './field-map';

const unsetIfEmpty = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = z.preprocess(unsetIfEmpty, z.string().trim().optional());
const url = z.preprocess(
  unsetIfEmpty,
  z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .refine(
      (u) => u.startsWith('https://') || isLoopbackUrl(u),
      'expected https (plain http only for a loopback emulator)',
    )
    .optional(),
);
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'expected a number' })
    .int({ error: 'expected an integer' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });
const int = (min: number, fallback: number, max?: number) =>
  z.preprocess(unsetIfEmpty, integer(min, max).default(fallback));
const optionalInt = (min: number) => z.preprocess(unsetIfEmpty, integer(min).optional());

const envSchema = z.object({
  SALESFORCE_INSTANCE_URL: url,
  SALESFORCE_LOGIN_URL: url,
  SALESFORCE_CLIENT_ID: text,
  SALESFORCE_CLIENT_SECRET: text,
  SALESFORCE_USERNAME: text,
  SALESFORCE_PRIVATE_KEY: z.preprocess(unsetIfEmpty, z.string().optional()),
  SALESFORCE_REFRESH_TOKEN: text,
  SALESFORCE_JWT_AUDIENCE: url,
  SALESFORCE_API_VERSION: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d{2,3}\.0$/, 'expected an API version such as 62.0')
      .default('62.0'),
  ),
  SALESFORCE_FIELD_MAP: z.preprocess(unsetIfEmpty, z.string().optional()),
  SALESFORCE_MIN_REMAINING_API_CALLS: int(0, 1000),
  SALESFORCE_BATCH_WINDOW_MS: optionalInt(0),
  /** The name of SALESFORCE_BATCH_WINDOW_MS before write classes existed; still read as the normal window. */
  SALESFORCE_BATCH_DELAY_MS: optionalInt(0),
  SALESFORCE_CRITICAL_BATCH_WINDOW_MS: int(0, DEFAULT_BATCH_OPTIONS.criticalWindowMs, MAX_CRITICAL_WINDOW_MS),
  SALESFORCE_LOW_ALLOCATION_BATCH_WINDOW_MS: int(0, DEFAULT_BATCH_OPTIONS.lowAllocationNormalWindowMs),
  SALESFORCE_REQUEST_TIMEOUT_MS: int(1000, 30_000),
});

const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

export const salesforceAuthSchema = z.discriminatedUnion('flow', [
  z.object({
    flow: z.literal('jwt'),
    loginUrl: z.string(),
    clientId: z.string(),
    username: z.string(),
    privateKeyPem: z.string(),
    /** The JWT `aud`: login.salesforce.com / test.salesforce.com (or the emulator) even behind a My Domain login URL. */
    audience: z.string(),
  }),
  z.object({
    flow: z.literal('clientCredentials'),
    loginUrl: z.string(),
    clientId: z.string(),
    clientSecret: z.string(),
  }),
  z.object({
    flow: z.literal('refreshToken'),
    loginUrl: z.string(),
    clientId: z.string(),
    clientSecret: z.string().nullable(),
    refreshToken: z.string(),
  }),
]);
export type SalesforceAuth = z.infer<typeof salesforceAuthSchema>;

export const salesforceConfigSchema = z.object({
  /** `null`: no org configured; the caller starts the emulator and uses `emulatorAuth`. */
  auth: salesforceAuthSchema.nullable(),
  /** Before the first token; the token response's `instance_url` then wins. */
  instanceUrl: z.string().nullable(),
  apiVersion: z.string(),
  fieldMap: fieldMapSchema,
  minRemainingApiCalls: z.number().int(),
  /** How long a write waits for company before its Collections call goes out, by write class. */
  batchWindowMs: z.object({
    critical: z.number().int(),
    normal: z.number().int(),
    /** The normal window below the allocation floor (critical writes then wait up to 1 s). */
    lowAllocationNormal: z.number().int(),
  }),
  requestTimeoutMs: z.number().int(),
});
export type SalesforceConfig = z.infer<typeof salesforceConfigSchema>;

export class SalesforceConfigError extends Error {
  override readonly name = 'SalesforceConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid Salesforce configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads SALESFORCE_* (DESIGN §3.5). Throws SalesforceConfigError listing every problem at once. */
export function loadSalesforceConfig(env: NodeJS.ProcessEnv = process.env): SalesforceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new SalesforceConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const fieldMap = parseFieldMap(e.SALESFORCE_FIELD_MAP, problems);
  const auth = resolveAuth(e, problems);
  if (e.SALESFORCE_BATCH_WINDOW_MS !== undefined && e.SALESFORCE_BATCH_DELAY_MS !== undefined) {
    problems.push('SALESFORCE_BATCH_DELAY_MS: renamed SALESFORCE_BATCH_WINDOW_MS; set only one of them');
  }
  if (problems.length > 0) throw new SalesforceConfigError(problems);
  return {
    auth,
    instanceUrl: e.SALESFORCE_INSTANCE_URL ?? null,
    apiVersion: e.SALESFORCE_API_VERSION,
    fieldMap,
    minRemainingApiCalls: e.SALESFORCE_MIN_REMAINING_API_CALLS,
    batchWindowMs: {
      critical: e.SALESFORCE_CRITICAL_BATCH_WINDOW_MS,
      normal: e.SALESFORCE_BATCH_WINDOW_MS ?? e.SALESFORCE_BATCH_DELAY_MS ?? DEFAULT_BATCH_OPTIONS.normalWindowMs,
      lowAllocationNormal: e.SALESFORCE_LOW_ALLOCATION_BATCH_WINDOW_MS,
    },
    requestTimeoutMs: e.SALESFORCE_REQUEST_TIMEOUT_MS,
  };
}

/** Client credentials against the local emulator (its default client unless told otherwise). */
export function emulatorAuth(
  emulatorUrl: string,
  client: { clientId: string; clientSecret: string } = { clientId: 'handoff-dev', clientSecret: 'handoff-dev-secret' },
): SalesforceAuth {
  return { flow: 'clientCredentials', loginUrl: emulatorUrl.replace(/\/+$/, ''), ...client };
}

type Env = z.infer<typeof envSchema>;

function resolveAuth(e: Env, problems: string[]): SalesforceAuth | null {
  const credentials = [
    e.SALESFORCE_CLIENT_ID,
    e.SALESFORCE_CLIENT_SECRET,
    e.SALESFORCE_USERNAME,
    e.SALESFORCE_PRIVATE_KEY,
    e.SALESFORCE_REFRESH_TOKEN,
  ];
  if (credentials.every((c) => c === undefined)) return null;

  const clientId = e.SALESFORCE_CLIENT_ID;
  if (clientId === undefined) problems.push('SALESFORCE_CLIENT_ID: required (the connected app consumer key)');
  if (e.SALESFORCE_PRIVATE_KEY !== undefined && e.SALESFORCE_REFRESH_TOKEN !== undefined) {
    problems.push(
      'SALESFORCE_PRIVATE_KEY and SALESFORCE_REFRESH_TOKEN: set one of them (JWT bearer or refresh-token flow)',
    );
  }
  const loginUrl = e.SALESFORCE_LOGIN_URL ?? DEFAULT_LOGIN_URL;

  if (e.SALESFORCE_PRIVATE_KEY !== undefined || e.SALESFORCE_USERNAME !== undefined) {
    if (e.SALESFORCE_USERNAME === undefined) {
      problems.push('SALESFORCE_USERNAME: required with SALESFORCE_PRIVATE_KEY (JWT bearer flow)');
    }
    if (e.SALESFORCE_PRIVATE_KEY === undefined) {
      problems.push('SALESFORCE_PRIVATE_KEY: required with SALESFORCE_USERNAME (JWT bearer flow)');
    }
    const privateKeyPem =
      e.SALESFORCE_PRIVATE_KEY === undefined ? undefined : readPrivateKey(e.SALESFORCE_PRIVATE_KEY, problems);
    if (clientId === undefined || e.SALESFORCE_USERNAME === undefined || privateKeyPem === undefined) return null;
    return {
      flow: 'jwt',
      loginUrl,
      clientId,
      username: e.SALESFORCE_USERNAME,
      privateKeyPem,
      audience: e.SALESFORCE_JWT_AUDIENCE ?? loginUrl,
    };
  }
  if (e.SALESFORCE_REFRESH_TOKEN !== undefined) {
    if (clientId === undefined) return null;
    return {
      flow: 'refreshToken',
      loginUrl,
      clientId,
      clientSecret: e.SALESFORCE_CLIENT_SECRET ?? null,
      refreshToken: e.SALESFORCE_REFRESH_TOKEN,
    };
  }
  if (e.SALESFORCE_CLIENT_SECRET === undefined) {
    problems.push(
      'SALESFORCE_CLIENT_SECRET: required for the client credentials flow ' +
        '(or set SALESFORCE_USERNAME + SALESFORCE_PRIVATE_KEY for JWT bearer, or SALESFORCE_REFRESH_TOKEN)',
    );
  }
  // Salesforce refuses client credentials on login.salesforce.com: the token endpoint is the org's My Domain.
  const myDomain = e.SALESFORCE_LOGIN_URL ?? e.SALESFORCE_INSTANCE_URL;
  if (myDomain === undefined) {
    problems.push(
      'SALESFORCE_LOGIN_URL: required for the client credentials flow (the org My Domain URL), or set SALESFORCE_INSTANCE_URL',
    );
  }
  if (clientId === undefined || e.SALESFORCE_CLIENT_SECRET === undefined || myDomain === undefined) return null;
  return { flow: 'clientCredentials', loginUrl: myDomain, clientId, clientSecret: e.SALESFORCE_CLIENT_SECRET };
}

/** PEM text (with real or `\n`-escaped newlines, as env files often carry it) or a path to a PEM file. */
function readPrivateKey(value: string, problems: string[]): string | undefined {
  let pem: string;
  if (value.includes('-----BEGIN')) {
    pem = value.replace(/\\n/g, '\n');
  } else {
    try {
      pem = readFileSync(value, 'utf8');
    } catch (err) {
      problems.push(
        `SALESFORCE_PRIVATE_KEY: not PEM text and not a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
  }
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    problems.push('SALESFORCE_PRIVATE_KEY: not a valid PEM private key');
    return undefined;
  }
}

function parseFieldMap(raw: string | undefined, problems: string[]): FieldMap {
  if (raw === undefined) return resolveFieldMap();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push('SALESFORCE_FIELD_MAP: not valid JSON');
    return resolveFieldMap();
  }
  const override = fieldMapOverrideSchema.safeParse(json);
  if (!override.success) {
    for (const i of override.error.issues)
      problems.push(`${['SALESFORCE_FIELD_MAP', ...i.path].join('.')}: ${i.message}`);
    return resolveFieldMap();
  }
  return resolveFieldMap(override.data);
}

export function isLoopbackUrl(u: string): boolean {
  try {
    const host = new URL(u).hostname;
    return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}
