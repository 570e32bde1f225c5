/**
 * `npm run build`: compiles the platform to JavaScript (dist/, tsconfig.build.json) and pre-bundles the workflow
 * code with the SDK's bundler, so a worker starts without webpack. Beside the bundle, the hash of the sources it
 * was built from: a worker refuses a bundle that does not match the code it runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../infra/paths';
import {
  BUNDLE_FILE,
  BUNDLE_META_FILE,
  fileHash,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOW_PRELOAD_MODULES,
  WORKFLOWS_PATH,
  workflowSourceHash,
  type BundleMeta,
} from '../infra/workflow-bundle';

async function main() {
  const t0 = Date.now();
  fs.rmSync(path.join(PROJECT_ROOT, 'dist'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(PROJECT_ROOT, 'tsconfig.build.json')],
    { stdio: 'inherit', cwd: PROJECT_ROOT },
  );
  const t1 = Date.now();
  const sourceHash = workflowSourceHash();
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  // The sources must not have changed while bundling, or the hash would describe other code.
  if (workflowSourceHash() !== sourceHash) throw new Error('构建期间工作流代码发生了变化，请重新运行 npm run build');
  fs.writeFileSync(BUNDLE_FILE, code);
  const meta: BundleMeta = { sourceHash, bundleHash: fileHash(BUNDLE_FILE), builtAt: new Date().toISOString() };
  fs.writeFileSync(BUNDLE_META_FILE, JSON.stringify(meta, null, 2) + '\n');
  console.log(
    `[build] dist/ 已编译（tsc ${((t1 - t0) / 1000).toFixed(1)} 秒）；工作流包 ${path.relative(PROJECT_ROOT, BUNDLE_FILE)} ${(code.length / 1024 / 1024).toFixed(1)} MB（${((Date.now() - t1) / 1000).toFixed(1)} 秒）`,
  );
}

main().catch((err) => {
  console.error(`[build] 失败：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
