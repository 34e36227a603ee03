import { DefaultLogger, Runtime, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';
import { stdSerializers, type Logger } from 'pino';
import { HANDOFF_HISTOGRAM_BUCKETS } from '../metrics';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Where `npm start` and a standalone worker serve Prometheus metrics unless HANDOFF_METRICS_ADDRESS says otherwise. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/**
 * HANDOFF_METRICS_ADDRESS: `host:port` of the Prometheus endpoint (GET /metrics), `off` for none;
 * unset gives `fallback`.
 */
export function metricsAddressFromEnv(
  env: NodeJS.ProcessEnv,
  fallback: string | undefined = DEFAULT_METRICS_ADDRESS,
): string | undefined {
  const value = env.HANDOFF_METRICS_ADDRESS?.trim();
  if (!value) return fallback;
  if (value === 'off') return undefined;
  const match = /^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new Error(`HANDOFF_METRICS_ADDRESS: expected host:port (e.g. 0.0.0.0:9464) or "off", got "${value}"`);
  }
  return value;
}

/** The SDK's metrics and Handoff's (src/metrics.ts) on one Prometheus endpoint. */
export const prometheusMetrics = (bindAddress: string): MetricsExporterConfig => ({
  prometheus: { bindAddress, histogramBucketOverrides: HANDOFF_HISTOGRAM_BUCKETS },
});

/**
 * On Lambda nothing can be scraped: with HANDOFF_METRICS_OTLP_URL (OTLP over HTTP, e.g. the ADOT
 * collector extension's http://localhost:4318/v1/metrics) the same metrics are pushed, for the
 * collector to forward to CloudWatch.
 */
export function otlpMetricsFromEnv(env: NodeJS.ProcessEnv): MetricsExporterConfig | undefined {
  const url = env.HANDOFF_METRICS_OTLP_URL?.trim();
  if (!url) return undefined;
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url))
    throw new Error(`HANDOFF_METRICS_OTLP_URL: expected an http(s) URL, got "${url}"`);
  return {
    otel: { url, http: true, metricsExportInterval: '5s', histogramBucketOverrides: HANDOFF_HISTOGRAM_BUCKETS },
  };
}

/** The SDK logs errors under `error`: serialized like pino's `err`, or their message and stack would be lost. */
const withErrors = (meta: Record<string, unknown> = {}): Record<string, unknown> =>
  Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, v instanceof Error ? stdSerializers.err(v) : v]));

/**
 * Routes the SDK's and workflows' logs (wf.log) through pino, so every line is the same JSON, and
 * exports metrics when asked (a Prometheus address, or any exporter).
 */
export function installPinoRuntime(logger: Logger, level: LogLevel = 'INFO', metrics?: MetricsExporterConfig): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (entry) => {
        temporalLogger[LEVELS[entry.level]](withErrors(entry.meta), entry.message);
      }),
      ...(metrics ? { telemetryOptions: { metrics } } : {}),
    });
  } catch (err) {
    if (!metrics || !('prometheus' in metrics) || !/prometheus/i.test((err as Error).message)) throw err;
    const bind = metrics.prometheus.bindAddress;
    throw new Error(
      `${(err as Error).message} on ${bind} (HANDOFF_METRICS_ADDRESS: choose another host:port, or "off")`,
    );
  }
}
