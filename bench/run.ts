import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { startStack, request, type Stack } from '../tests/helpers/stack';

/**
 * `npm run bench`: each figure measured side by side with its reference in the same run, reported as absolute
 * numbers and as a ratio, written to bench/results/<time>.json with the machine's description.
 *   BENCH_INTAKE_N (default 300) cases; BENCH_READ_CASES (default 100000) rows; BENCH_SECONDS (default 10).
 * Needs DATABASE_URL (or TEST_DATABASE_URL) for the read benchmark on PostgreSQL; PGlite otherwise (slower).
 */
const N = Number(process.env.BENCH_INTAKE_N ?? 300);
const READ_CASES = Number(process.env.BENCH_READ_CASES ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 16;

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function intake(stack: Stack, client: Client, token: string) {
  // Warm both paths (bundle, connections) before timing.
  await request(stack.base, token, 'POST', '/api/v1/cases', { title: '预热', track: 'administrative' });
  await client.workflow.start('benchEmptyWorkflow', { workflowId: `bench-warm-${crypto.randomUUID()}`, taskQueue: stack.config.temporal.taskQueue });
  const api = await pool(N, CONCURRENCY, async (i) => {
    const r = await request(stack.base, token, 'POST', '/api/v1/cases', { title: `基准案件 ${i}`, track: 'criminal' });
    if (r.status !== 201) throw new Error(`POST /cases → ${r.status}`);
  });
  const bare = await pool(N, CONCURRENCY, async () => {
    await client.workflow.start('benchEmptyWorkflow', { workflowId: `bench-${crypto.randomUUID()}`, taskQueue: stack.config.temporal.taskQueue });
  });
  const apiRate = N / api;
  const bareRate = N / bare;
  const ratio = apiRate / bareRate;
  return { n: N, concurrency: CONCURRENCY, apiCasesPerSecond: apiRate, bareStartsPerSecond: bareRate, ratio, target: 0.8, met: ratio >= 0.8, ...(ratio < 0.8 ? { missedByZh: `目标为裸启动速率的 0.8 倍，实测 ${ratio.toFixed(3)} 倍（差 ${(0.8 - ratio).toFixed(3)}）` } : {}) };
}

async function seedCases(stack: Stack, n: number) {
  const db = stack.db.handle.db;
  // Bulk rows straight into the record tables (these cases have no workflows: reads are what is measured).
  await db.execute(sql`insert into cases (id, case_number, title, track, stage, stage_label_zh, responsible_agency, confidentiality, overdue, next_deadline_at, workflow_id, created_by_agency, created_at, updated_at)
    select gen_random_uuid()::text, '基准-' || g, '基准案件 ' || g, (array['criminal','detention','administrative'])[1 + g % 3],
      (array['lead','accepted','investigation','prosecutionReview'])[1 + g % 4], '阶段', (array['eeb','psb','spp'])[1 + g % 3],
      case when g % 10 = 0 then 'confidential' else 'internal' end, g % 7 = 0, now() + (g % 30) * interval '1 day', 'bench-wf-' || g, 'eeb',
      now() - (g % 365) * interval '1 day', now()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`analyze cases`);
}

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: 10, duration: SECONDS, headers });
  return { requests: result.requests.total, non2xx: result.non2xx, errors: result.errors, p50ms: result.latency.p50, p99ms: result.latency.p99, meanMs: result.latency.average };
}

async function directSql(stack: Stack, query: ReturnType<typeof sql>) {
  const db = stack.db.handle.db;
  const times: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  // The same concurrency as the HTTP load: 10 callers.
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await db.execute(query);
        times.push(performance.now() - t0);
      }
    }),
  );
  return { queries: times.length, p50ms: pct(times, 50), p99ms: pct(times, 99) };
}

function verdict(http: { p99ms: number }, direct: { p99ms: number }) {
  const p99Ratio = http.p99ms / direct.p99ms;
  return { http, sql: direct, p99Ratio, target: 2, met: p99Ratio <= 2, ...(p99Ratio > 2 ? { missedByZh: `目标 p99 不超过直接 SQL 的 2 倍，实测 ${p99Ratio.toFixed(1)} 倍` } : {}) };
}

async function reads(stack: Stack, token: string) {
  await seedCases(stack, READ_CASES);
  const headers = { authorization: `Bearer ${token}` };
  const listHttp = await load(`${stack.base}/api/v1/cases?page=3&pageSize=20`, headers);
  const listSql = await directSql(
    stack,
    sql`select * from cases where (confidentiality <> 'confidential' or created_by_agency = 'eeb') order by created_at desc, id asc limit 20 offset 40`,
  );
  const dashHttp = await load(`${stack.base}/api/v1/dashboard`, headers);
  const dashSql = await directSql(stack, sql`select stage, count(*) from cases where (confidentiality <> 'confidential' or created_by_agency = 'eeb') group by stage`);
  return {
    cases: READ_CASES,
    seconds: SECONDS,
    list: verdict(listHttp, listSql),
    dashboard: verdict(dashHttp, dashSql),
  };
}

async function main() {
  console.log(`基准测试：进件 ${N} 件；读取 ${READ_CASES} 件案件；每项负载 ${SECONDS} 秒`);
  const stack = await startStack({ RATE_LIMIT_PER_MINUTE: '1000000' });
  try {
    const token = await stack.userToken({ agency: 'eeb', role: 'head' }, '基准');
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, database: stack.db.handle.kind },
      intake: await intake(stack, stack.env.client, token),
      reads: await reads(stack, token),
      workerRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    const file = path.join(__dirname, 'results', `${results.at.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
    console.log(JSON.stringify(results, null, 2));
    console.log(`结果已写入 ${file}`);
  } finally {
    await stack.close();
  }
}

main().catch((err: Error) => {
  console.error(`基准测试失败：${err.stack ?? err.message}`);
  process.exitCode = 1;
});
