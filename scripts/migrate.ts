import 'dotenv/config';
import { loadConfig } from '../config';
import { openDatabase } from '../infra/bootstrap';

/** `npm run db:migrate`: applies the committed migrations and the seed data, then exits (compose's migrate step). */
async function main() {
  const config = loadConfig();
  const db = await openDatabase(config);
  console.log(`数据库迁移完成：${db.kind === 'pglite' ? `PGlite ${db.location}` : db.location}`);
  await db.close();
}

main().catch((err) => {
  console.error(`数据库迁移失败：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
