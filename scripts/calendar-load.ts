import 'dotenv/config';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';

/**
 * Loads one year's holiday arrangement (docs/calendar-format.md) through the running platform's API, so the
 * same validation, storage and re-timing of open cases apply as in the console:
 *   npm run calendar:load -- --file 2027.json [--dry-run] [--api http://127.0.0.1:3000] [--token …]
 * The token defaults to ADMIN_TOKEN, then DATA_DIR/admin-token (written by npm start).
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const file = arg('file');
  if (!file) {
    console.error('用法：npm run calendar:load -- --file <年度.json> [--dry-run] [--api URL] [--token 令牌]');
    return 2;
  }
  let body: string;
  try {
    body = JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    console.error(`无法读取 ${file}：${(err as Error).message}`);
    return 2;
  }
  const api = (arg('api') ?? config.publicUrl).replace(/\/$/, '');
  const tokenFile = path.resolve(config.dataDir, 'admin-token');
  const token =
    arg('token') ??
    config.adminToken ??
    (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!token) {
    console.error('缺少管理员令牌：请用 --token 指定，或设置 ADMIN_TOKEN');
    return 2;
  }
  const dry = process.argv.includes('--dry-run');
  console.log(`${dry ? '预览' : '载入'} ${file} → ${api} …`);
  const res = await fetch(`${api}/api/v1/calendars${dry ? '/preview' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const out = (await res.json()) as {
    year?: number;
    affected?: { caseNumber: string; labelZh: string; before: { dueDate: string }; after: { dueDate: string } }[];
    progress?: string;
    messageZh?: string;
    error?: { message: string };
  };
  if (!res.ok) {
    console.error(`失败（HTTP ${res.status}）：${out.error?.message ?? ''}`);
    return 1;
  }
  console.log(
    `${out.year} 年节假日安排${dry ? '（未保存）' : '已载入'}；受影响的未结期限 ${out.affected?.length ?? 0} 个`,
  );
  for (const a of out.affected ?? [])
    console.log(`  ${a.caseNumber ?? '（不显示案件）'} ${a.labelZh}：${a.before.dueDate} → ${a.after.dueDate}`);
  if (dry || !out.progress) return 0;
  // The cases are told by a workflow on the platform: this only follows its progress (it goes on if we stop here).
  console.log(out.messageZh ?? '');
  for (let i = 0; i < 120; i++) {
    const p = (await (
      await fetch(`${api}${out.progress}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { status?: string; messageZh?: string };
    if (p.status === 'done') {
      console.log(p.messageZh ?? '');
      return 0;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`通知仍在后台进行，可稍后查看：${api}${out.progress}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`失败：${err.message}`);
    process.exitCode = 1;
  },
);
