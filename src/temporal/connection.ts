import fs from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

/** Valid for both the client's Connection and the worker's NativeConnection. */
export type TemporalConnectionOptions = {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
};

/** The Temporal connection as @temporalio/envconfig resolves it (TOML profile, then TEMPORAL_* variables). */
export type TemporalProfile = {
  /** Unset: no server configured (npm start embeds the dev server). */
  address?: string;
  namespace: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
};

/** Handoff's first names for the TLS files, read as aliases of envconfig's names. */
export const DEPRECATED_TLS_ALIASES = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

const warned = new Set<string>();

/**
 * Reads the Temporal connection through @temporalio/envconfig: the profile `TEMPORAL_PROFILE`
 * (default `default`) of the TOML file `TEMPORAL_CONFIG_FILE` (on Lambda also `$LAMBDA_TASK_ROOT/temporal.toml`,
 * else envconfig's user config path), overridden by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_GRPC_META_*`. Empty variables count as unset.
 * Problems are returned, not thrown, so a start lists them with every other configuration problem.
 */
export function loadTemporalProfile(env: NodeJS.ProcessEnv): { profile?: TemporalProfile; problems: string[] } {
  const problems: string[] = [];
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') vars[name] = value.trim();
  }
  for (const [alias, name] of Object.entries(DEPRECATED_TLS_ALIASES)) {
    const value = vars[alias];
    if (value === undefined) continue;
    delete vars[alias];
    if (vars[name] !== undefined && vars[name] !== value) {
      problems.push(`${alias}: deprecated alias of ${name}, and both are set to different files; keep ${name} only`);
      continue;
    }
    vars[name] = value;
    if (!warned.has(alias)) {
      warned.add(alias);
      process.emitWarning(`${alias} is deprecated: set ${name} instead (same meaning)`, {
        type: 'DeprecationWarning',
        code: 'HANDOFF_TEMPORAL_ENV',
      });
    }
  }
  const certPath = vars.TEMPORAL_TLS_CLIENT_CERT_PATH ?? vars.TEMPORAL_TLS_CLIENT_CERT_DATA;
  const keyPath = vars.TEMPORAL_TLS_CLIENT_KEY_PATH ?? vars.TEMPORAL_TLS_CLIENT_KEY_DATA;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    problems.push(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both the certificate and its key',
    );
  }
  // envconfig reads a missing file as no file; a file that was named but is not there is a mistake.
  if (vars.TEMPORAL_CONFIG_FILE && !fs.existsSync(vars.TEMPORAL_CONFIG_FILE)) {
    problems.push(`TEMPORAL_CONFIG_FILE: ${vars.TEMPORAL_CONFIG_FILE} does not exist`);
  }
  if (!vars.TEMPORAL_CONFIG_FILE && vars.LAMBDA_TASK_ROOT) {
    const packaged = path.join(vars.LAMBDA_TASK_ROOT, 'temporal.toml');
    if (fs.existsSync(packaged)) vars.TEMPORAL_CONFIG_FILE = packaged;
  }
  if (problems.length > 0) return { problems };

  try {
    const { namespace, connectionOptions } = loadClientConnectConfig({ overrideEnvVars: vars });
    const { address, apiKey, tls, metadata } = connectionOptions;
    const profile: TemporalProfile = {
      namespace: namespace ?? 'default',
      ...(address ? { address } : {}),
      ...(apiKey ? { apiKey: String(apiKey) } : {}),
      ...(tls !== undefined ? { tls: tls as TLSConfig | boolean } : {}),
      ...(metadata && Object.keys(metadata).length > 0 ? { metadata: metadata as Record<string, string> } : {}),
    };
    return { profile, problems };
  } catch (err) {
    const source = vars.TEMPORAL_CONFIG_FILE ? ` (config file ${vars.TEMPORAL_CONFIG_FILE})` : '';
    return { problems: [`Temporal connection${source}: ${(err as Error).message}`] };
  }
}

/** Connection options for Temporal Cloud (API key or mTLS) or a self-hosted cluster; plain for the dev server. */
export function temporalConnectionOptions(
  address: string,
  config: { temporal: TemporalProfile },
): TemporalConnectionOptions {
  const { apiKey, tls, metadata, namespace } = config.temporal;
  return {
    address,
    ...(apiKey ? { apiKey } : {}),
    ...(tls !== undefined ? { tls } : {}),
    // Temporal Cloud routes API-key calls by this header on namespace endpoints.
    ...(apiKey || metadata
      ? { metadata: { ...(apiKey ? { 'temporal-namespace': namespace } : {}), ...metadata } }
      : {}),
  };
}
