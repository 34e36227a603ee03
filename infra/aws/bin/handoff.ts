/**
 * The CDK app: `npm run infra:synth` / `npm run infra:deploy` from the repository root, or
 * `npx cdk synth|deploy` here after `npm run build:lambda`. Context: `database` (external | aurora),
 * `arch` (x86_64 | arm64, default $HANDOFF_LAMBDA_ARCH or x86_64; it must match the built bundles). No environment (account, region) is
 * bound, so synth needs no AWS credentials and looks nothing up.
 */
import { App } from 'aws-cdk-lib';
import { readManifest } from '../../../scripts/lambda-bundles';
import { HandoffStack, type DatabaseMode } from '../lib/handoff-stack';

const app = new App();
const database = String(app.node.tryGetContext('database') ?? 'external');
const arch = String(app.node.tryGetContext('arch') ?? process.env.HANDOFF_LAMBDA_ARCH ?? 'x86_64');
if (database !== 'external' && database !== 'aurora')
  throw new Error(`context database: expected external or aurora, got "${database}"`);
const bundles = readManifest();
if (!bundles) throw new Error('no Lambda bundles: run `npm run build:lambda` first (npm run infra:synth does)');
if (bundles.architecture !== arch) {
  throw new Error(
    `the bundles are built for ${bundles.architecture}, context arch is ${arch}: run \`npm run build:lambda -- --arch ${arch}\``,
  );
}
new HandoffStack(app, String(app.node.tryGetContext('stackName') ?? 'Handoff'), {
  bundles,
  database: database as DatabaseMode,
});
app.synth();
