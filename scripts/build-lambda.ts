/**
 * Builds the Lambda packages (dist/lambda/api, dist/lambda/worker):
 *   npm run build:lambda [-- --arch arm64] [-- --policy policy/mine.yaml] [-- --force]
 * HANDOFF_LAMBDA_ARCH and HANDOFF_POLICY are read when the flags are absent.
 */
import { parseArgs } from 'node:util';
import { ARCHITECTURES, buildLambdaBundles, LAMBDA_UNZIPPED_LIMIT_BYTES, type Architecture } from './lambda-bundles';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { arch: { type: 'string' }, policy: { type: 'string' }, force: { type: 'boolean', default: false } },
  });
  const arch = values.arch ?? process.env.HANDOFF_LAMBDA_ARCH ?? 'x86_64';
  if (!(arch in ARCHITECTURES))
    throw new Error(`--arch: expected one of ${Object.keys(ARCHITECTURES).join(', ')}, got "${arch}"`);
  const started = Date.now();
  const { manifest, rebuilt } = await buildLambdaBundles({
    architecture: arch as Architecture,
    policyFile: values.policy ?? process.env.HANDOFF_POLICY,
    force: values.force,
  });
  process.stdout.write(
    `${rebuilt ? 'built' : 'unchanged (content hash)'} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${manifest.architecture}\n` +
      `  api     ${manifest.api.dir}  ${mib(manifest.api.bytes)} unzipped\n` +
      `  worker  ${manifest.worker.dir}  ${mib(manifest.worker.bytes)} unzipped (limit ${mib(LAMBDA_UNZIPPED_LIMIT_BYTES)}; core-bridge ${manifest.worker.coreBridgeTarget})\n`,
  );
  if (manifest.worker.bytes > LAMBDA_UNZIPPED_LIMIT_BYTES)
    throw new Error('the worker package is over the Lambda limit');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
