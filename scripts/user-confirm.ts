import 'dotenv/config';
import os from 'node:os';
import { eq } from 'drizzle-orm';
import { appendAudit } from '../api/audit';
import { loadConfig } from '../config';
import { users } from '../db/schema';
import { openDatabase } from '../infra/bootstrap';

/**
 * `npm run user:confirm -- <username>`: the operator confirms an account on the server itself, for the first
 * procuratorate head of a new installation (no confirmed head exists yet to do it through the API). Recorded in
 * the audit log as the operator's act.
 */
async function main(): Promise<number> {
  const username = process.argv[2];
  if (!username) {
    console.error('用法：npm run user:confirm -- <用户名>');
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const [user] = await db.db.select().from(users).where(eq(users.username, username));
    if (!user) {
      console.error(`用户不存在：${username}`);
      return 1;
    }
    const by = `operator:${os.userInfo().username}`;
    if (!user.confirmedAt)
      await db.db.update(users).set({ confirmedAt: new Date(), confirmedBy: by }).where(eq(users.id, user.id));
    await appendAudit(db.db, config.auditKey, {
      at: new Date(),
      userId: null,
      agency: null,
      role: null,
      action: 'CLI user:confirm',
      target: user.id,
      status: 200,
      ip: null,
      requestId: null,
      detail: { by },
    });
    console.log(`已确认账号：${user.displayName}（${user.username}）`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`确认账号出错：${err.message}`);
    process.exitCode = 2;
  },
);
