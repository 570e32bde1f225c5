import path from 'node:path';

/** The worker's workflow bundle: workflows/index.ts, built by the SDK's bundler (webpack). */
export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/**
 * Evaluated once per V8 context and shared by every workflow (see workflows/shared-modules.ts): zod and the domain
 * tables. Used by the worker and by the tests' prebuilt bundle alike.
 */
export const WORKFLOW_PRELOAD_MODULES = [path.join(__dirname, '..', 'workflows', 'shared-modules.ts')];
