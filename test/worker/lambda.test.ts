import type { LambdaWorkerConfig } from '@temporalio/lambda-worker';
import { configureLambdaWorker } from '../../src/worker/lambda';
import { handoffWorkerOptions } from '../../src/worker/options';
import { ALWAYS_TEAM, testPolicy } from '../helpers/policy';
import { recordingActivities } from '../helpers/recording-activities';
import { testDataConverter } from '../helpers/temporal';

describe('the Lambda worker is configured like the long-running one', () => {
  const policy = testPolicy(ALWAYS_TEAM);
  const { activities } = recordingActivities({ policy: () => policy });
  const dataConverter = testDataConverter();

  function emptyConfig(): LambdaWorkerConfig {
    return { workerOptions: { maxCachedWorkflows: 30 }, runtimeOptions: {}, shutdownHooks: [] };
  }

  test('same task queue and activities, pre-bundled workflows, AUTO_UPGRADE, namespace, dependencies closed on shutdown', async () => {
    const config = emptyConfig();
    let closed = 0;
    configureLambdaWorker(
      config,
      { activities, dataConverter, close: async () => void (closed += 1) },
      { taskQueue: 'handoff', namespace: 'handoff-prod', workflowBundlePath: '/var/task/workflow-bundle.js' },
    );
    expect(config.workerOptions).toMatchObject({
      taskQueue: 'handoff',
      activities,
      dataConverter,
      workflowBundle: { codePath: '/var/task/workflow-bundle.js' },
      workerDeploymentOptions: { defaultVersioningBehavior: 'AUTO_UPGRADE' },
      maxCachedWorkflows: 30,
    });
    expect(config.workerOptions.workflowsPath).toBeUndefined();
    expect(config.namespace).toBe('handoff-prod');
    expect(config.connectionOptions).toBeUndefined();
    expect(config.shutdownHooks).toHaveLength(1);
    await config.shutdownHooks[0]!();
    expect(closed).toBe(1);
  });

  test("the connection is Handoff's resolved one (deprecated aliases included), not lambda-worker's own reading", () => {
    const config = emptyConfig();
    config.connectionOptions = { address: 'from-lambda-worker:7233' };
    const connection = {
      address: 'handoff.a1b2c.tmprl.cloud:7233',
      apiKey: 'key',
      tls: true,
      metadata: { 'temporal-namespace': 'handoff.a1b2c' },
    };
    configureLambdaWorker(
      config,
      { activities, close: async () => undefined },
      {
        taskQueue: 'handoff',
        namespace: 'handoff.a1b2c',
        workflowBundlePath: '/var/task/workflow-bundle.js',
        connection,
      },
    );
    expect(config.connectionOptions).toEqual(connection);
  });

  test('the long-running worker bundles from source instead', () => {
    const options = handoffWorkerOptions({ taskQueue: 'handoff', activities, dataConverter });
    expect(options.workflowsPath).toBe(require.resolve('../../src/workflows'));
    expect(options.workflowBundle).toBeUndefined();
    expect(options.dataConverter).toBe(dataConverter);
    expect(Object.keys(options.activities!).sort()).toEqual(['applyEffects', 'currentPolicy', 'pollSalesforceActivity']);
  });
});
