import type { MetricCounter, MetricGauge, MetricHistogram } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';

/**
 * Handoff's own metrics, by the names the CloudWatch alarms use (namespace `Handoff`). They are created
 * on the Temporal runtime's meter, so they leave through the same exporter as the SDK's metrics: the
 * Prometheus endpoint of a long-running worker, OTLP on Lambda. Custom metrics carry no `temporal_` prefix.
 */
export const HANDOFF_METRIC_NAMES = {
  breachLag: 'BreachLagMs',
  salesforceWriteFailures: 'SalesforceWriteFailures',
  salesforceWriteRetries: 'SalesforceWriteRetries',
  salesforceApiRemaining: 'SalesforceApiCallsRemaining',
  ledgerLag: 'LedgerLagMs',
} as const;

/** Histogram buckets in ms: breach handling is seconds to an hour behind; ledger rows milliseconds to minutes. */
export const HANDOFF_HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [HANDOFF_METRIC_NAMES.breachLag]: [100, 500, 1000, 5000, 15_000, 60_000, 300_000, 900_000, 3_600_000],
  [HANDOFF_METRIC_NAMES.ledgerLag]: [10, 50, 100, 500, 1000, 5000, 30_000, 120_000, 600_000],
};

type Instruments = {
  breachLag: MetricHistogram;
  writeFailures: MetricCounter;
  writeRetries: MetricCounter;
  apiRemaining: MetricGauge;
  ledgerLag: MetricHistogram;
};

// Per runtime: the SDK replaces its runtime after a shutdown, and metrics must follow the live one.
const instruments = new WeakMap<Runtime, Instruments>();

function current(): Instruments {
  const runtime = Runtime.instance();
  let found = instruments.get(runtime);
  if (!found) {
    const meter = runtime.metricMeter;
    found = {
      breachLag: meter.createHistogram(HANDOFF_METRIC_NAMES.breachLag, 'int', 'ms', 'SLA deadline to escalation done'),
      writeFailures: meter.createCounter(
        HANDOFF_METRIC_NAMES.salesforceWriteFailures,
        '1',
        'Salesforce writes that failed, by error code',
      ),
      writeRetries: meter.createCounter(HANDOFF_METRIC_NAMES.salesforceWriteRetries, '1', 'Salesforce writes retried'),
      apiRemaining: meter.createGauge(
        HANDOFF_METRIC_NAMES.salesforceApiRemaining,
        'int',
        '1',
        'Salesforce API calls left in the org allocation',
      ),
      ledgerLag: meter.createHistogram(
        HANDOFF_METRIC_NAMES.ledgerLag,
        'int',
        'ms',
        'audit event time to ledger row written',
      ),
    };
    instruments.set(runtime, found);
  }
  return found;
}

/** Error codes are Salesforce's (INVALID_FIELD, REQUEST_LIMIT_EXCEEDED…); anything else is OTHER, so the series stay few. */
const errorCode = (code: string): string => (/^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'OTHER');

/** A lag below zero is clock skew between machines, counted as no lag. */
const lag = (ms: number): number => (Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0);

/** Called from activities (they run where the worker's runtime and its exporter are installed). */
export const handoffMetrics = {
  /** From the SLA deadline to the moment the escalation effects are done. */
  breachLag(ms: number): void {
    current().breachLag.record(lag(ms));
  },
  salesforceWriteFailed(code: string): void {
    current().writeFailures.add(1, { code: errorCode(code) });
  },
  salesforceWriteRetried(): void {
    current().writeRetries.add(1);
  },
  /** The org's remaining daily API calls (Salesforce's Sforce-Limit-Info: api-usage=used/max). */
  salesforceApiRemaining(n: number): void {
    if (Number.isFinite(n) && n >= 0) current().apiRemaining.set(Math.floor(n));
  },
  /** From the audit event's time to its ledger row being written. */
  ledgerLag(ms: number): void {
    current().ledgerLag.record(lag(ms));
  },
};
