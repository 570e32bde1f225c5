import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ne } from 'drizzle-orm';
import { hashPassword } from '../api/auth';
import type { Db } from '../db/client';
import { users } from '../db/schema';

/**
 * The embedded default's first start: one console account per agency role a coordinator's day needs, with random
 * passwords written to DATA_DIR/console-users.txt (mode 600) — never printed, never in logs.
 */
const ACCOUNTS = [
  { username: 'eeb-head', displayName: '生态环境局负责人', agency: 'eeb', role: 'head' },
  { username: 'eeb-officer', displayName: '生态环境局执法人员', agency: 'eeb', role: 'officer' },
  { username: 'psb-officer', displayName: '公安局办案人员', agency: 'psb', role: 'officer' },
  { username: 'spp-officer', displayName: '检察院检察官', agency: 'spp', role: 'officer' },
  { username: 'wg-leader', displayName: '联动执法工作组组长', agency: 'workingGroup', role: 'leader' },
] as const;

export async function ensureDemoUsers(db: Db, dataDir: string): Promise<string | undefined> {
  const file = path.resolve(dataDir, 'console-users.txt');
  const [other] = await db.select({ id: users.id }).from(users).where(ne(users.agency, 'admin')).limit(1);
  if (other) return fs.existsSync(file) ? file : undefined;
  const lines = ['# 控制台初始账号（首次启动生成；请登录后修改密码）', '# 用户名\t密码\t机关与角色'];
  for (const a of ACCOUNTS) {
    const password = crypto.randomBytes(9).toString('base64url');
    // The operator who starts the platform stands in for the confirming head of the demo accounts.
    await db.insert(users).values({
      id: crypto.randomUUID(),
      username: a.username,
      displayName: a.displayName,
      agency: a.agency,
      role: a.role,
      passwordHash: await hashPassword(password),
      confirmedAt: new Date(),
      confirmedBy: 'demo-setup',
    });
    lines.push(`${a.username}\t${password}\t${a.displayName}`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
