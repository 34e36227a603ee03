import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import path from 'node:path';
import { parsePayloadKeys } from '../../src/temporal/codec';
import { handoffDataConverter } from '../../src/temporal/data-converter';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes';
import { resolveTemporalBinaries } from '../../scripts/temporal-binaries';
import { workflowBundlerOptions, workflowsPath } from '../../src/worker/workflow-bundle';

let runtimeInstalled = false;
/** The SDK's runtime with WARN logs, unless the test file installed its own (e.g. with a metrics exporter). */
export function quietRuntime(): void {
  if (runtimeInstalled || Runtime._instance) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

function binary(which: 'cli' | 'testServer'): string {
  const found = resolveTemporalBinaries()[which];
  if (!found) throw new Error(`Temporal ${which} binary not found: run "npm run setup" first`);
  return found;
}

const INDEXED_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

/** The time-skipping test server (sdk-java's), with Handoff's search attributes registered. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: binary('testServer') } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, INDEXED_TYPES[k.type]!])),
  });
  return env;
}

/** The real Temporal dev server (Temporal CLI), with Handoff's search attributes registered. */
export async function devServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary('cli') },
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      log: { format: 'json', level: 'error' },
      extraArgs,
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    ...workflowBundlerOptions,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/** The tests' payload key ring (HANDOFF_PAYLOAD_KEYS form): "test-1" encrypts. */
export const TEST_PAYLOAD_KEYS = 'test-1:1Tvo4PQ+95LAbbedVwyn/PbnWHXz5l2sVBe5cpbrePI=';

/** Handoff's data converter with the tests' key, as the worker, the API and the replayer use it. */
export const testDataConverter = (spec = TEST_PAYLOAD_KEYS) => handoffDataConverter(parsePayloadKeys(spec));
