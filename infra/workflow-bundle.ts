import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

/** The worker's workflow bundle: workflows/index.ts, built by the SDK's bundler (webpack). */
export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');

/**
 * Evaluated once per V8 context and shared by every workflow (see workflows/shared-modules.ts): zod and the domain
 * tables. Used by the worker and by the tests' prebuilt bundle alike.
 */
export const WORKFLOW_PRELOAD_MODULES = [path.join(PROJECT_ROOT, 'workflows', 'shared-modules.ts')];

/** Workflow interceptors (signed actors), bundled with the workflows. */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.join(PROJECT_ROOT, 'workflows', 'interceptors.ts')];

/** `npm run build` writes the pre-built bundle here, and beside it what it was built from. */
export const BUNDLE_FILE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
export const BUNDLE_META_FILE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.json');

export interface BundleMeta {
  /** Hash of everything the bundle can contain: see workflowSourceHash. */
  sourceHash: string;
  /** Hash of the bundle file itself, so a bundle swapped after the build is noticed too. */
  bundleHash: string;
  builtAt: string;
}

/**
 * What workflow code is made of: the sources the workflows import (workflows/, domain/, and activities/ for its
 * types) and the locked dependency versions (SDK, zod). Any change there makes a new bundle necessary.
 */
export function workflowSourceHash(root = PROJECT_ROOT): string {
  const hash = crypto.createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name)) files.push(full);
    }
  };
  for (const dir of ['workflows', 'domain', 'activities']) walk(path.join(root, dir));
  files.push(path.join(root, 'package-lock.json'));
  for (const file of files.sort()) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export const fileHash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export class StaleBundleError extends Error {
  constructor(reason: string) {
    super(
      `工作流包 ${path.relative(process.cwd(), BUNDLE_FILE)} ${reason}：请先运行 npm run build（workflow bundle ${reason === '不存在' ? 'missing' : 'not built from this code'}: run npm run build）`,
    );
    this.name = 'StaleBundleError';
  }
}

/**
 * The pre-built bundle if it was built from the code here, else why not. A worker running the compiled output
 * refuses anything else; under tsx (npm start, tests) the worker bundles the sources at start instead.
 */
export function prebuiltBundle(): { codePath: string } | StaleBundleError {
  if (!fs.existsSync(BUNDLE_FILE) || !fs.existsSync(BUNDLE_META_FILE)) return new StaleBundleError('不存在');
  const meta = JSON.parse(fs.readFileSync(BUNDLE_META_FILE, 'utf8')) as BundleMeta;
  if (meta.sourceHash !== workflowSourceHash())
    return new StaleBundleError(`不是由当前代码构建的（构建于 ${meta.builtAt}，此后工作流代码或依赖已改变）`);
  if (meta.bundleHash !== fileHash(BUNDLE_FILE)) return new StaleBundleError('在构建后被改动过');
  return { codePath: BUNDLE_FILE };
}

/** This process runs the compiled JavaScript of `npm run build` (not the TypeScript sources through tsx). */
export const RUNNING_BUILT = __filename.endsWith('.js');
