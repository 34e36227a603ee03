import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/** The workflow code the worker runs; resolved when asked (a Lambda package has only the built bundle). */
export const workflowsPath = (): string => require.resolve('../workflows');

/**
 * The domain modules the workflows use, with what they import (zod, luxon and the zod schemas).
 * They are evaluated once per worker and shared by every cached workflow, instead of once per
 * workflow, which was most of a cached lead's memory. They hold no per-workflow state; the SDK
 * deep-freezes them, so a module that tried to keep some would throw rather than leak it between
 * leads. Workflow code never parses with zod (see workflows/event-guard.ts).
 */
const PRELOADED_DOMAIN = ['lifecycle', 'state', 'recycle', 'model', 'salesforce-id'];

export const workflowBundlerOptions: Pick<BundleOptions, 'preloadModules'> = {
  preloadModules: PRELOADED_DOMAIN.map((name) => path.resolve(__dirname, '../domain', name)),
};
