/**
 * Before `npm test` runs jest: what the tests need from the machine. The Temporal binaries (as npm install found
 * them); Debian's chromium, fonts-noto-cjk, the PostgreSQL client tools and poppler-utils — installed with apt-get
 * when this runs as root, otherwise named in the one command to run; and, when no TEST_DATABASE_URL is set, the
 * machine's PostgreSQL on 127.0.0.1:5432 if it answers. Returns the variables the tests get; throws with the
 * message to print when something is missing.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  findBinary,
  findOnPath,
  missingMessage,
  RECORD_FILE,
  TEMPORAL_BINARIES,
  type Found,
} from '../infra/temporal-binaries';

const log = (line: string) => process.stderr.write(`[npm test] ${line}\n`);

interface OsNeed {
  /** Debian package. */
  pkg: string;
  what: string;
  present(): boolean;
}

const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

export const OS_NEEDS: OsNeed[] = [
  {
    pkg: 'chromium',
    what: '控制台浏览器测试',
    present: () =>
      Boolean(process.env.CHROMIUM_PATH ? fs.existsSync(process.env.CHROMIUM_PATH) : findOnPath('chromium')),
  },
  {
    pkg: 'fonts-noto-cjk',
    what: 'PDF 报表与截图中的中文字形',
    present: () => fs.existsSync(process.env.REPORT_FONT_PATH ?? CJK_FONT),
  },
  {
    pkg: 'postgresql-client',
    what: 'PostgreSQL 客户端工具（pg_isready、psql）',
    present: () => Boolean(findOnPath('pg_isready') && findOnPath('psql')),
  },
  { pkg: 'poppler-utils', what: 'PDF 报表的文本检查（pdftotext）', present: () => Boolean(findOnPath('pdftotext')) },
];

function aptInstall(pkgs: string[]): boolean {
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let r = install();
  if (r.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    r = install();
  }
  if (r.status !== 0) log(`apt-get install 失败：${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-5).join(' | ')}`);
  return r.status === 0;
}

function osPackages(): void {
  const missing = OS_NEEDS.filter((n) => !n.present());
  if (!missing.length) return;
  const pkgs = missing.map((n) => n.pkg);
  const command = `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const list = missing.map((n) => `${n.pkg}（${n.what}）`).join('、');
  if (process.getuid?.() === 0 && findOnPath('apt-get')) {
    log(`缺少系统软件包 ${list}，正在安装：${command}`);
    if (aptInstall(pkgs) && missing.every((n) => n.present())) {
      log(`已安装：${pkgs.join(' ')}`);
      return;
    }
    throw new Error(`系统软件包安装失败：${list}。请运行：${command}（system packages missing: run ${command}）`);
  }
  throw new Error(
    `缺少测试所需的系统软件包：${list}。请运行：sudo ${command}（missing system packages: run sudo ${command}）`,
  );
}

function temporalBinaries(env: Record<string, string>): void {
  let record: Record<string, Found | undefined> = {};
  try {
    record = JSON.parse(fs.readFileSync(RECORD_FILE, 'utf8')) as Record<string, Found | undefined>;
  } catch {
    // not recorded: npm install did not run its postinstall here
  }
  const missing = TEMPORAL_BINARIES.filter((spec) => {
    const found = findBinary(spec);
    if (found?.path) {
      env[spec.variable] = found.path;
      return false;
    }
    // Only the SDK's download, which npm install saw work, is left.
    return !(record[spec.name] && !record[spec.name]!.path);
  });
  if (missing.length) throw new Error(missingMessage(missing));
}

function database(env: Record<string, string>): void {
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) return;
  const ready = spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], { timeout: 10_000 }).status === 0;
  if (ready) {
    env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
    log('未设置 TEST_DATABASE_URL：使用本机 PostgreSQL 127.0.0.1:5432（每个测试建立自己的数据库）');
  } else {
    log(
      '未设置 TEST_DATABASE_URL，127.0.0.1:5432 也没有 PostgreSQL：其余测试使用内置 PGlite，需要 PostgreSQL 的测试将失败',
    );
  }
}

export function preflight(): Record<string, string> {
  const env: Record<string, string> = {};
  osPackages();
  temporalBinaries(env);
  database(env);
  return env;
}
