import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { LambdaWorkerConfig } from '@temporalio/lambda-worker';
import { Runtime } from '@temporalio/worker';
import pino from 'pino';
import { HANDOFF_HISTOGRAM_BUCKETS, HANDOFF_METRIC_NAMES, handoffMetrics } from '../../src/metrics';
import { configureLambdaWorker } from '../../src/worker/lambda';
import {
  DEFAULT_METRICS_ADDRESS,
  installPinoRuntime,
  metricsAddressFromEnv,
  otlpMetricsFromEnv,
  prometheusMetrics,
} from '../../src/worker/runtime';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { testDataConverter } from '../helpers/temporal';

describe('metrics configuration', () => {
  test('HANDOFF_METRICS_ADDRESS: host:port, "off", or the default', () => {
    expect(metricsAddressFromEnv({})).toBe(DEFAULT_METRICS_ADDRESS);
    expect(metricsAddressFromEnv({ HANDOFF_METRICS_ADDRESS: ' 0.0.0.0:9100 ' })).toBe('0.0.0.0:9100');
    expect(metricsAddressFromEnv({ HANDOFF_METRICS_ADDRESS: '[::1]:9464' })).toBe('[::1]:9464');
    expect(metricsAddressFromEnv({ HANDOFF_METRICS_ADDRESS: 'off' })).toBeUndefined();
    for (const bad of ['9464', 'localhost', 'host:0', 'host:70000', 'http://127.0.0.1:9464']) {
      expect(() => metricsAddressFromEnv({ HANDOFF_METRICS_ADDRESS: bad })).toThrow(
        `HANDOFF_METRICS_ADDRESS: expected host:port`,
      );
    }
  });

  test('HANDOFF_METRICS_OTLP_URL: OTLP over HTTP with the same histogram buckets; unset is none', () => {
    expect(otlpMetricsFromEnv({})).toBeUndefined();
    expect(otlpMetricsFromEnv({ HANDOFF_METRICS_OTLP_URL: 'http://localhost:4318/v1/metrics' })).toEqual({
      otel: {
        url: 'http://localhost:4318/v1/metrics',
        http: true,
        metricsExportInterval: '5s',
        histogramBucketOverrides: HANDOFF_HISTOGRAM_BUCKETS,
      },
    });
    expect(() => otlpMetricsFromEnv({ HANDOFF_METRICS_OTLP_URL: 'grpc://localhost:4317' })).toThrow(
      'expected an http(s) URL',
    );
  });

  test('the Lambda worker installs its runtime with the exporter, keeping the other telemetry options', () => {
    const policy = testPolicy(ALWAYS_TEAM);
    const config: LambdaWorkerConfig = {
      workerOptions: {},
      runtimeOptions: { telemetryOptions: { logging: { filter: 'WARN' } } },
      shutdownHooks: [],
    };
    const metrics = otlpMetricsFromEnv({ HANDOFF_METRICS_OTLP_URL: 'http://localhost:4318/v1/metrics' });
    configureLambdaWorker(
      config,
      {
        activities: recordingActivities({ policy: () => policy }).activities,
        dataConverter: testDataConverter(),
        close: async () => undefined,
      },
      { taskQueue: 'handoff', namespace: 'default', workflowBundlePath: '/var/task/workflow-bundle.js', metrics },
    );
    expect(config.runtimeOptions.telemetryOptions).toEqual({ logging: { filter: 'WARN' }, metrics });
  });
});

test('a metrics address already in use stops the start, saying which setting to change', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const bind = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
  try {
    expect(() => installPinoRuntime(pino({ level: 'silent' }), 'WARN', prometheusMetrics(bind))).toThrow(
      new RegExp(
        `Address already in use.* on ${bind} \\(HANDOFF_METRICS_ADDRESS: choose another host:port, or "off"\\)`,
      ),
    );
  } finally {
    await new Promise((r) => taken.close(r));
  }
});

describe('on Lambda: pushed over OTLP/HTTP', () => {
  test("Handoff's metrics reach the collector endpoint", async () => {
    const bodies: Buffer[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/metrics' && req.headers['content-type'] === 'application/x-protobuf')
          bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/metrics`;
    try {
      installPinoRuntime(pino({ level: 'silent' }), 'WARN', otlpMetricsFromEnv({ HANDOFF_METRICS_OTLP_URL: url }));
      handoffMetrics.breachLag(2500);
      handoffMetrics.salesforceWriteFailed('REQUEST_LIMIT_EXCEEDED');
      handoffMetrics.salesforceWriteRetried();
      handoffMetrics.salesforceApiRemaining(120);
      handoffMetrics.ledgerLag(40);
      const deadline = Date.now() + 20_000;
      const pushed = () => Buffer.concat(bodies).toString('latin1');
      while (!Object.values(HANDOFF_METRIC_NAMES).every((n) => pushed().includes(n)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      for (const name of Object.values(HANDOFF_METRIC_NAMES)) expect(pushed()).toContain(name);
      expect(pushed()).toContain('REQUEST_LIMIT_EXCEEDED');
    } finally {
      await Runtime.instance().shutdown();
      collector.closeAllConnections();
      await new Promise((r) => collector.close(r));
    }
  });
});
