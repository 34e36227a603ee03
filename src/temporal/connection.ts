import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { CoreConfig } from '../config';

type TemporalSettings = Pick<
  CoreConfig,
  'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA'
>;

/** Valid for both the client's Connection and the worker's NativeConnection. */
export type TemporalConnectionOptions = {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
};

/** Connection options for Temporal Cloud (API key or mTLS) or a self-hosted cluster; plain for the dev server. */
export function temporalConnectionOptions(address: string, config: TemporalSettings): TemporalConnectionOptions {
  const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
  const cert = read(config.TEMPORAL_TLS_CERT);
  const key = read(config.TEMPORAL_TLS_KEY);
  const ca = read(config.TEMPORAL_TLS_CA);
  const tls = cert && key ? { clientCertPair: { crt: cert, key }, ...(ca ? { serverRootCACertificate: ca } : {}) } : undefined;
  if (config.TEMPORAL_API_KEY) {
    return { address, apiKey: config.TEMPORAL_API_KEY, tls: tls ?? true, metadata: { 'temporal-namespace': config.TEMPORAL_NAMESPACE } };
  }
  return { address, ...(tls ? { tls } : {}) };
}
