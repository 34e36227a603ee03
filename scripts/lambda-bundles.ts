/**
 * The two Lambda packages, built with esbuild into dist/lambda/{api,worker} (see scripts/build-lambda.ts):
 * - api: src/api/lambda.ts as one file, with the policy.
 * - worker: src/worker/lambda.ts as one file, the SDK's workflow thread beside it, the pre-built
 *   workflow bundle, the policy, and only the target architecture's core-bridge binary.
 * A content hash of everything that goes in is kept in dist/lambda/manifest.json, so an unchanged tree is not rebuilt.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

export const ROOT = path.resolve(__dirname, '..');
export const LAMBDA_DIST = path.join(ROOT, 'dist/lambda');
export const LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;

/** Lambda's architectures and the core-bridge release each one needs. */
export const ARCHITECTURES = {
  x86_64: 'x86_64-unknown-linux-gnu',
  arm64: 'aarch64-unknown-linux-gnu',
} as const;
export type Architecture = keyof typeof ARCHITECTURES;

export interface LambdaManifest {
  architecture: Architecture;
  sourceHash: string;
  api: { dir: string; bytes: number };
  worker: { dir: string; bytes: number; coreBridgeTarget: string };
}

const MANIFEST = path.join(LAMBDA_DIST, 'manifest.json');

/** Files whose content decides the bundles: sources, the lockfile, this script and the policy. */
function sourceHash(architecture: Architecture, policyFile: string): string {
  const hash = createHash('sha256').update(`${architecture}\n`);
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
      .sort();
  const files = [
    ...walk(path.join(ROOT, 'src')),
    path.join(ROOT, 'package-lock.json'),
    __filename,
    path.join(ROOT, 'scripts/build-workflow-bundle.ts'),
  ];
  for (const file of files) hash.update(`${path.relative(ROOT, file)}\n`).update(fs.readFileSync(file));
  hash.update(fs.readFileSync(policyFile));
  return hash.digest('hex');
}

/** Total size of the files under `dir`, as Lambda counts the unzipped package. */
export function directoryBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? directoryBytes(p) : fs.statSync(p).size);
  }, 0);
}

export function readManifest(): LambdaManifest | undefined {
  return fs.existsSync(MANIFEST) ? (JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as LambdaManifest) : undefined;
}

/**
 * The workflow bundler (webpack, swc) is a build-time tool: the Lambda worker is given the pre-built
 * workflow bundle, so the worker package replaces the SDK's bundler module by one that refuses.
 */
const noWorkflowBundler: Plugin = {
  name: 'no-workflow-bundler',
  setup(build) {
    build.onResolve({ filter: /\/workflow\/bundler$/ }, (args) =>
      args.importer.includes(`${path.sep}@temporalio${path.sep}worker${path.sep}`)
        ? { path: 'bundler', namespace: 'no-workflow-bundler' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'no-workflow-bundler' }, () => ({
      contents: `const refuse = () => { throw new Error('the Lambda worker runs the pre-built workflow bundle (HANDOFF_WORKFLOW_BUNDLE); it cannot bundle workflows'); };
exports.defaultWorkflowInterceptorModules = [];
exports.bundleWorkflowCode = refuse;
exports.WorkflowCodeBundler = class { constructor() { refuse(); } };`,
      loader: 'js',
    }));
  },
};

async function esbuild(entryPoints: Record<string, string>, outdir: string, plugins: Plugin[] = []): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Error classes and the SDK's activity / workflow names are read at run time.
    keepNames: true,
    minifySyntax: true,
    minifyWhitespace: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
    // PGlite is the embedded ledger of `npm start`; on Lambda the ledger is DATABASE_URL's Postgres.
    // pg-native is pg's optional native driver.
    external: ['@electric-sql/pglite', 'pg-native'],
    plugins,
  });
}

export async function buildLambdaBundles(
  options: { architecture?: Architecture; policyFile?: string; force?: boolean } = {},
): Promise<{
  manifest: LambdaManifest;
  rebuilt: boolean;
}> {
  const architecture = options.architecture ?? 'x86_64';
  const policyFile = path.resolve(options.policyFile ?? path.join(ROOT, 'policy/default.yaml'));
  const hash = sourceHash(architecture, policyFile);
  const previous = readManifest();
  if (
    !options.force &&
    previous?.sourceHash === hash &&
    fs.existsSync(previous.api.dir) &&
    fs.existsSync(previous.worker.dir)
  ) {
    return { manifest: previous, rebuilt: false };
  }

  // Built aside and moved into place whole, so a reader never sees half a package.
  const staging = `${LAMBDA_DIST}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const apiDir = path.join(staging, 'api');
  const workerDir = path.join(staging, 'worker');

  await esbuild({ index: path.join(ROOT, 'src/api/lambda.ts') }, apiDir);
  fs.copyFileSync(policyFile, path.join(apiDir, 'policy.yaml'));
  copyMigrations(apiDir);

  const workerPackage = path.dirname(require.resolve('@temporalio/worker/package.json'));
  await esbuild(
    {
      index: path.join(ROOT, 'src/worker/lambda.ts'),
      // Workflows run in a worker thread that the SDK starts from require.resolve('./workflow-worker-thread').
      'workflow-worker-thread': path.join(workerPackage, 'lib/workflow/workflow-worker-thread.js'),
    },
    workerDir,
    [noWorkflowBundler],
  );
  fs.copyFileSync(policyFile, path.join(workerDir, 'policy.yaml'));
  copyMigrations(workerDir);
  // source-map (reading the workflow bundle's inline source map) loads its wasm from beside its own file.
  const mappings = require.resolve('source-map/lib/mappings.wasm', { paths: [workerPackage] });
  fs.copyFileSync(mappings, path.join(workerDir, 'mappings.wasm'));
  // Imported here, not at the top: the CDK app reads this module's manifest without loading the SDK.
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  const { workflowBundlerOptions, workflowsPath } = await import('../src/worker/workflow-bundle');
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    ...workflowBundlerOptions,
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(path.join(workerDir, 'workflow-bundle.js'), code);
  // core-bridge loads releases/<target>/index.node relative to its own file, which is now index.js.
  const target = ARCHITECTURES[architecture];
  const bridge = path.dirname(require.resolve('@temporalio/core-bridge/package.json'));
  fs.mkdirSync(path.join(workerDir, 'releases', target), { recursive: true });
  fs.copyFileSync(
    path.join(bridge, 'releases', target, 'index.node'),
    path.join(workerDir, 'releases', target, 'index.node'),
  );

  const manifest: LambdaManifest = {
    architecture,
    sourceHash: hash,
    api: { dir: path.join(LAMBDA_DIST, 'api'), bytes: directoryBytes(apiDir) },
    worker: { dir: path.join(LAMBDA_DIST, 'worker'), bytes: directoryBytes(workerDir), coreBridgeTarget: target },
  };
  fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.rmSync(LAMBDA_DIST, { recursive: true, force: true });
  fs.renameSync(staging, LAMBDA_DIST);
  return { manifest, rebuilt: true };
}

/** The ledger's SQL migrations, read from `<__dirname>/migrations` (src/audit/migrate.ts), which is the package root once bundled. */
function copyMigrations(dir: string): void {
  const from = path.join(ROOT, 'src/audit/migrations');
  fs.mkdirSync(path.join(dir, 'migrations'));
  for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.sql')))
    fs.copyFileSync(path.join(from, file), path.join(dir, 'migrations', file));
}
