import 'dotenv/config';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { openDatabase } from '../infra/bootstrap';
import { generateDataset } from './dataset';

/**
 * `npm run dataset:generate -- --cases 100000 --years 5 [--seed 1] [--end 2026-11-01] [--replace]`: a realistic
 * dataset (tracks, stages, events, clocks, overdue and confidential cases over the years) in the configured database.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '100000' },
      years: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      end: { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
  });
  const cases = Number(values.cases);
  const years = Number(values.years);
  const seed = Number(values.seed);
  if (!Number.isInteger(cases) || cases < 1 || !(years > 0) || !Number.isInteger(seed))
    throw new Error('参数错误：--cases 为正整数，--years 为正数，--seed 为整数');
  const endMs = values.end ? Date.parse(`${values.end}T00:00:00+08:00`) : undefined;
  if (endMs !== undefined && Number.isNaN(endMs)) throw new Error('参数错误：--end 应为 YYYY-MM-DD');
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const summary = await generateDataset(db.db, {
      cases,
      years,
      seed,
      endMs,
      replace: values.replace,
      onProgress: (done, total) => process.stdout.write(`\r已生成 ${done} / ${total} 件`),
    });
    process.stdout.write('\n');
    console.log(
      `数据集已生成：案件 ${summary.cases} 件（刑事移送 ${summary.byTrack.criminal}、行政拘留移送 ${summary.byTrack.detention}、行政处罚 ${summary.byTrack.administrative}），` +
        `事件 ${summary.events} 条，期限 ${summary.deadlines} 条，保密案件 ${summary.confidential} 件，未结超期 ${summary.overdueOpen} 件；` +
        `时间范围 ${summary.fromIso} 至 ${summary.toIso}；用时 ${summary.seconds.toFixed(1)} 秒`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  // The first line only: a failed multi-row insert would print its whole parameter arrays.
  console.error(
    `数据集生成失败：${(err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 500)}${err instanceof Error && err.cause ? `（${String(err.cause).slice(0, 300)}）` : ''}`,
  );
  process.exitCode = 1;
});
