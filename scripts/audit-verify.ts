import 'dotenv/config';
import { verifyAudit } from '../api/audit';
import { loadConfig } from '../config';
import { openDatabase } from '../infra/bootstrap';

/** `npm run audit:verify`: recomputes the audit log's hash chain; exit code 1 when anything was tampered with. */
async function main(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const result = await verifyAudit(db.db, config.auditKey);
    if (result.ok) {
      console.log(`审计日志完整：共 ${result.entries} 条，哈希链校验通过。`);
      return 0;
    }
    console.error(`审计日志校验失败：共 ${result.entries} 条，发现 ${result.problems.length} 处问题：`);
    for (const p of result.problems) console.error(`  - ${p.problemZh}`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`审计日志校验出错：${err.message}`);
    process.exitCode = 2;
  },
);
