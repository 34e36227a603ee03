import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundlerOptions, workflowsPath } from '../../src/worker/workflow-bundle';

describe('the workflow bundle', () => {
  let code = '';
  beforeAll(async () => {
    ({ code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), ...workflowBundlerOptions, logger: new DefaultLogger('WARN') }));
  }, 60_000);

  test('preloads the domain once per worker: the preload function requires each listed module', () => {
    const preload = code.slice(code.indexOf('function preloadModules()'), code.indexOf('exports.importWorkflows'));
    for (const name of ['lifecycle', 'state', 'recycle', 'model', 'salesforce-id']) {
      expect(preload).toContain(`"./src/domain/${name}.ts"`);
    }
  });

  test('carries no YAML parser: the workflow never reads a policy file', () => {
    expect(code).not.toMatch(/node_modules\/yaml\//);
    expect(code).not.toContain('./src/domain/policy-text.ts');
  });
});
