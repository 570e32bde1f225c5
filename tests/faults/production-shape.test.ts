/**
 * The production shape on one machine: an external Temporal dev server (a new cluster: no search attributes until
 * `npm run temporal:setup`), PostgreSQL, two `npm run worker` and two `npm run api` processes of the built output,
 * a real SMTP server. One case is registered through the first API and takes its steps through both in turn; its
 * task-force clock (shortened by DEADLINE_POLICY_OVERRIDES) fires its warning while one worker has been killed with
 * SIGKILL; the recurring duties' Schedules exist once although both workers ensured them at the same moment. Every
 * case event is recorded once and every outbox mail arrives, under its own Message-ID.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { asc, eq } from 'drizzle-orm';
import { loadConfig } from '../../config';
import { caseEvents, notifications } from '../../db/schema';
import { DIGEST_SCHEDULE_ID } from '../../infra/digest-schedule';
import { PROJECT_ROOT } from '../../infra/paths';
import { plannedSchedules } from '../../infra/schedules';
import { BUNDLE_META_FILE, prebuiltBundle } from '../../infra/workflow-bundle';
import { createPostgresTestDb, requirePostgres, type TestDb } from '../helpers/db';
import { devServer, freePort, npmScript, runEntry, type DevServer, type NpmProcess } from '../helpers/processes';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { TEST_KEYS_ENV, testClientOptions } from '../helpers/keys';
import { waitFor } from '../helpers/wait';

jest.setTimeout(900_000);

const ADMIN_TOKEN = `admin-${crypto.randomBytes(12).toString('hex')}`;
// The warning of eeb.task-force 0.99 h before its 1-hour limit: about 36 s after registration.
const POLICY = JSON.stringify({
  'eeb.task-force': { limit: 1, unit: 'hours', warningHours: 0.99, escalationWorkdays: null, supervision: null },
});
const STEPS: [string, 'eeb-officer' | 'eeb-head' | 'psb-officer', Record<string, unknown>][] = [
  ['formTaskForce', 'eeb-officer', { members: ['张三', '李四'] }],
  ['submitTransferReport', 'eeb-officer', { documentNumber: 'R-1' }],
  ['approveTransfer', 'eeb-head', { documentNumber: 'A-1' }],
  ['deliverTransfer', 'eeb-officer', { documentNumber: 'T-1', copiedToSpp: true }],
  ['acknowledgeReceipt', 'psb-officer', { documentNumber: 'H-1' }],
];

/** The built output is what npm run worker / api run: build it unless dist/ is newer than every source. */
function ensureBuilt() {
  const sources = ['api', 'activities', 'config', 'db', 'domain', 'infra', 'scripts', 'workflows'].flatMap((d) =>
    fs
      .readdirSync(path.join(PROJECT_ROOT, d), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(PROJECT_ROOT, d, f)),
  );
  const newest = Math.max(...[...sources, path.join(PROJECT_ROOT, 'worker.ts')].map((f) => fs.statSync(f).mtimeMs));
  const built = fs.existsSync(BUNDLE_META_FILE) ? fs.statSync(BUNDLE_META_FILE).mtimeMs : 0;
  if (built > newest && !(prebuiltBundle() instanceof Error)) return;
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build 失败：${r.stdout}${r.stderr}`);
}

describe('production shape: external Temporal, PostgreSQL, two workers and two APIs (npm run worker / api)', () => {
  let server: DevServer;
  let db: TestDb;
  let smtp: TestSmtp;
  let connection: Connection;
  let client: Client;
  const workers: NpmProcess[] = [];
  const apis: { proc: NpmProcess; base: string }[] = [];
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'production-shape-'));

  beforeAll(async () => {
    ensureBuilt();
    [server, db, smtp] = await Promise.all([
      devServer({ searchAttributes: false }),
      createPostgresTestDb(requirePostgres()),
      startSmtp(),
    ]);
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, ...testClientOptions() });
    env = {
      ...TEST_KEYS_ENV,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: `shape-${crypto.randomBytes(4).toString('hex')}`,
      DATABASE_URL: db.url!,
      SMTP_URL: smtp.url,
      ADMIN_TOKEN,
      DEADLINE_POLICY_OVERRIDES: POLICY,
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
    };
  });

  afterAll(async () => {
    await Promise.all([...apis.map((a) => a.proc.kill('SIGTERM')), ...workers.map((w) => w.kill('SIGTERM'))]);
    await connection?.close();
    await server?.close();
    await smtp?.close();
    await db?.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a stale bundle is refused; the unprepared namespace is refused; after temporal:setup two workers and two APIs start', async () => {
    const setup = await runEntry('scripts/temporal-setup.ts', env);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('已注册搜索属性 CaseStage（Keyword）');
    // A bundle built from other code: the worker names it and the build command.
    const meta = fs.readFileSync(BUNDLE_META_FILE, 'utf8');
    fs.writeFileSync(BUNDLE_META_FILE, meta.replace(/"sourceHash": "[0-9a-f]+"/, '"sourceHash": "0000"'));
    try {
      const stale = spawnSync('npm', ['run', '--silent', 'worker'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env, WORKER_METRICS_ADDRESS: 'off' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('不是由当前代码构建的');
      expect(stale.stderr).toContain('npm run build');
    } finally {
      fs.writeFileSync(BUNDLE_META_FILE, meta);
    }
    // A namespace nobody prepared: the built API refuses it.
    const refused = spawnSync('npm', ['run', '--silent', 'api'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, TEMPORAL_NAMESPACE: 'shape-unprepared', PORT: String(await freePort()) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('命名空间 shape-unprepared 不存在');
    expect(refused.stderr).toContain('npm run temporal:setup');

    const started = await Promise.all([
      npmScript('worker', env, /\[worker\] 已连接/),
      npmScript('worker', env, /\[worker\] 已连接/),
      ...[0, 1].map(async () => {
        const port = await freePort();
        return {
          proc: await npmScript('api', { ...env, PORT: String(port) }, /\[api\] 接口地址/),
          base: `http://127.0.0.1:${port}/api/v1`,
        };
      }),
    ]);
    workers.push(started[0] as NpmProcess, started[1] as NpmProcess);
    apis.push(started[2] as { proc: NpmProcess; base: string }, started[3] as { proc: NpmProcess; base: string });
    console.log(
      `就绪耗时（毫秒）：worker ${workers.map((w) => w.readyMs).join('、')}；api ${apis.map((a) => a.proc.readyMs).join('、')}`,
    );
  });

  test('a case through both APIs in turn, its clock firing while a worker is killed: every event and mail once', async () => {
    expect(workers).toHaveLength(2);
    const call = async (i: number, token: string, method: string, p: string, body?: unknown, key?: string) => {
      // A refused connection or a 5xx while a worker is gone is repeated with the same Idempotency-Key.
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(`${apis[i % 2].base}${p}`, {
            method,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${token}`,
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
          const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
          if (res.status < 500 || attempt >= 20) return { status: res.status, json: json ?? {} };
        } catch (err) {
          if (attempt >= 20) throw err;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const tokens: Record<string, string> = {};
    for (const [name, agency, role] of [
      ['eeb-officer', 'eeb', 'officer'],
      ['eeb-head', 'eeb', 'head'],
      ['psb-officer', 'psb', 'officer'],
    ] as const) {
      const r = await call(
        0,
        ADMIN_TOKEN,
        'POST',
        '/users',
        { username: name, displayName: name, agency, role, email: `${name}@shape.test` },
        `user-${name}`,
      );
      expect(r.status).toBe(201);
      tokens[name] = r.json.token as string;
    }

    const created = await call(
      0,
      tokens['eeb-officer'],
      'POST',
      '/cases',
      { title: '生产形态测试案件：某化工厂非法倾倒', track: 'criminal' },
      'shape-case-1',
    );
    expect([201, 202]).toContain(created.status);
    const caseId = ((created.json.case as { id?: string } | undefined)?.id ?? created.json.caseId) as string;
    expect(caseId).toBeTruthy();

    // The worker that holds the case in its cache (or the other: both poll) dies without a word.
    await workers[0].kill('SIGKILL');
    const h = db.handle.db;
    const eventsOf = async () =>
      h.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
    await waitFor(
      '预警（eeb.task-force）在剩下的 worker 上触发',
      async () => (await eventsOf()).some((e) => e.type === 'clockWarning' && e.ruleId === 'eeb.task-force'),
      180_000,
      1000,
    );
    // The killed worker comes back; the steps alternate between the two APIs.
    workers[0] = await npmScript('worker', env, /\[worker\] 已连接/);
    for (const [i, [step, who, input]] of STEPS.entries()) {
      const r = await call(i + 1, tokens[who], 'POST', `/cases/${caseId}/steps/${step}`, input, `shape-${step}`);
      expect({ step, status: r.status }).toEqual({ step, status: 200 });
    }
    // A repeat of the last step through the other API is answered from its Idempotency-Key, not taken twice.
    const repeat = await call(
      0,
      tokens['psb-officer'],
      'POST',
      `/cases/${caseId}/steps/acknowledgeReceipt`,
      STEPS[4][2],
      'shape-acknowledgeReceipt',
    );
    expect(repeat.status).toBe(200);

    await waitFor(
      '发件箱全部发出',
      async () =>
        (await h.select({ id: notifications.id }).from(notifications).where(eq(notifications.status, 'pending')))
          .length === 0,
      180_000,
      1000,
    );

    const events = await eventsOf();
    const kinds = events.map((e) => `${e.type}:${(e.data as { step?: string }).step ?? e.ruleId ?? ''}`);
    for (const [step] of STEPS)
      expect({ step, n: kinds.filter((k) => k.endsWith(`:${step}`)).length }).toEqual({ step, n: 1 });
    expect(kinds.filter((k) => k === 'clockWarning:eeb.task-force')).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('caseCreated'))).toHaveLength(1);
    // No event twice (a rerun task after the kill writes nothing again).
    expect(kinds.filter((k, i) => kinds.indexOf(k) !== i)).toEqual([]);

    // Every outbox mail arrived, nothing else. A kill between the SMTP server's acceptance and the "sent" mark can
    // send one message again, under the same Message-ID (receivers drop it): at most what was in flight at the kill.
    const outbox = await h.select().from(notifications).where(eq(notifications.channel, 'email'));
    expect(outbox.filter((o) => o.status !== 'sent')).toEqual([]);
    const expected = new Set(outbox.map((o) => `<${o.messageId}>`));
    const received = smtp.received.map((m) => m.messageId ?? '');
    expect([...expected].filter((id) => !received.includes(id))).toEqual([]);
    expect([...new Set(received)].filter((id) => !expected.has(id))).toEqual([]);
    const resent = received.length - new Set(received).size;
    expect(resent).toBeLessThanOrEqual(2);
    const caseMails = outbox.filter((o) => o.caseId === caseId).length;
    expect(caseMails).toBeGreaterThan(0);

    // The recurring duties' Schedules: each once, although both workers (and the restarted one) ensured them.
    const wanted = [...plannedSchedules(loadConfig(env)).map((p) => p.scheduleId), DIGEST_SCHEDULE_ID].sort();
    const ids: string[] = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    expect(ids.sort()).toEqual(wanted);

    console.log(
      `生产形态：2 个 worker（1 个被 SIGKILL 后重启）+ 2 个 API；案件 ${events.length} 条事件（${kinds.join('，')}）；` +
        `邮件 ${expected.size} 封全部送达（本案 ${caseMails} 封），重发 ${resent} 封；定期任务 ${ids.length} 个，各一次`,
    );
  });
});
