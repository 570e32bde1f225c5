import crypto from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { asc, eq, inArray } from 'drizzle-orm';
import { caseEvents, cases, notifications } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, stepUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { createPostgresTestDb, TEST_PG_URL, type TestDb } from '../helpers/db';
import { devServer, workerProcess, type DevServer, type WorkerProcess } from '../helpers/processes';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { testClientOptions } from '../helpers/keys';
import { waitFor } from '../helpers/wait';

const N = Number(process.env.FAULT_CASES ?? 300);
const KILL_EVERY_MS = Number(process.env.FAULT_KILL_EVERY_MS ?? 10000);
const KILLS = Number(process.env.FAULT_KILLS ?? 6);

const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
const psbOfficer: Actor = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局办案人员' };

/** Transfer of a suspected crime up to the PSB's receipt (eeb.task-force … psb.receipt): five steps, mail to the PSB. */
const SCRIPT: [string, Actor, Record<string, unknown>][] = [
  ['formTaskForce', eebOfficer, { members: ['张三', '李四'] }],
  ['submitTransferReport', eebOfficer, { documentNumber: 'R-1' }],
  ['approveTransfer', eebHead, { documentNumber: 'A-1' }],
  ['deliverTransfer', eebOfficer, { documentNumber: 'T-1', copiedToSpp: true }],
  ['acknowledgeReceipt', psbOfficer, { documentNumber: 'H-1' }],
];

/**
 * kill -9 of the worker process, again and again, while several hundred cases are worked (real dev server, worker
 * as a child process, real PostgreSQL and SMTP). A caller that gets no answer repeats with the same update id,
 * as the API does with an Idempotency-Key. Every case must finish its script with each event recorded once and
 * every outbox mail received under its own Message-ID.
 */
describe(`fault: worker killed with SIGKILL ${KILLS} times, every ${KILL_EVERY_MS / 1000} s, during ${N} cases`, () => {
  let server: DevServer;
  let db: TestDb;
  let smtp: TestSmtp;
  let worker: WorkerProcess;
  let client: Client;
  let connection: Connection;
  const taskQueue = `faults-kill-${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    if (!TEST_PG_URL)
      throw new Error('故障测试需要 PostgreSQL：请设置 TEST_DATABASE_URL（worker 进程与测试共用同一数据库）');
    [server, db, smtp] = await Promise.all([devServer(), createPostgresTestDb(TEST_PG_URL), startSmtp()]);
    worker = await workerProcess({
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: db.url!,
      SMTP_URL: smtp.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    await worker.start();
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, ...testClientOptions() });
  }, 180_000);
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await connection?.close();
    await server?.close();
    await smtp?.close();
    await db?.cleanup();
  });

  it('completes every case; no event and no e-mail lost or duplicated', async () => {
    let kills = 0;
    let driving = true;
    const killer = (async () => {
      while (driving && kills < KILLS) {
        await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
        if (!driving) break;
        await worker.kill('SIGKILL');
        kills++;
        await worker.start();
      }
    })();

    let retries = 0;
    /** Repeats a call that failed for want of a worker; a refusal by the workflow is a real failure. */
    const persist = async <T>(fn: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await fn();
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) throw err;
          retries++;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };

    const caseIds = Array.from({ length: N }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < caseIds.length) {
          const caseId = caseIds[next++];
          const input: CaseWorkflowInput = {
            caseId,
            title: `强杀测试案件 ${caseId.slice(-4)}`,
            track: 'criminal',
            confidentiality: 'internal',
            createdAtMs: Date.now(),
            actor: eebOfficer,
          };
          await persist(() =>
            client.workflow.executeUpdateWithStart(registeredUpdate, {
              startWorkflowOperation: new WithStartWorkflowOperation(caseWorkflow, {
                workflowId: caseWorkflowId(caseId),
                taskQueue,
                args: [input],
                workflowIdConflictPolicy: 'USE_EXISTING',
              }),
              args: [],
            }),
          );
          const handle = client.workflow.getHandle(caseWorkflowId(caseId));
          for (const [name, actor, body] of SCRIPT) {
            await persist(() =>
              handle.executeUpdate(stepUpdate(name), { args: [{ actor, input: body }], updateId: `${caseId}:${name}` }),
            );
          }
        }
      }),
    );
    driving = false;
    await killer;
    const drivenSeconds = (Date.now() - t0) / 1000;

    // Mail still being retried after the last kill goes out by itself.
    await waitFor(
      '发件箱全部发出',
      async () =>
        (
          await db.handle.db
            .select({ id: notifications.id })
            .from(notifications)
            .where(eq(notifications.status, 'pending'))
        ).length === 0,
      180_000,
      1000,
    );

    const h = db.handle.db;
    const rows = await h.select().from(cases).where(inArray(cases.id, caseIds));
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.stage))).toEqual(new Set(['accepted']));
    const events = await h
      .select()
      .from(caseEvents)
      .where(inArray(caseEvents.caseId, caseIds))
      .orderBy(asc(caseEvents.seq));
    const byCase = new Map<string, string[]>();
    for (const e of events)
      byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), (e.data as { step?: string }).step ?? e.type]);
    const expected = ['caseCreated', ...SCRIPT.map(([name]) => name)];
    // The script's events, once each and in order...
    const wrong = caseIds.filter(
      (id) => JSON.stringify((byCase.get(id) ?? []).filter((k) => expected.includes(k))) !== JSON.stringify(expected),
    );
    expect(wrong).toEqual([]);
    // ...and whatever else the steps cause (e.g. the any.platform-entry duty's record) the same for every case:
    // one case with an event twice or missing would stand out.
    const signature = (id: string) => JSON.stringify([...(byCase.get(id) ?? [])].sort());
    const reference = signature(caseIds[0]);
    expect(caseIds.filter((id) => signature(id) !== reference)).toEqual([]);
    expect(events).toHaveLength(N * (byCase.get(caseIds[0]) ?? []).length);

    // This database belongs to this test: its whole outbox is what SMTP must have received.
    const outbox = await h.select().from(notifications);
    expect(outbox.filter((o) => o.caseId !== null && caseIds.includes(o.caseId)).length).toBeGreaterThanOrEqual(N);
    expect(outbox.filter((o) => o.channel === 'email' && o.status !== 'sent')).toEqual([]);
    const expectedIds = new Set(outbox.filter((o) => o.channel === 'email').map((o) => `<${o.messageId}>`));
    const received = smtp.received.map((m) => m.messageId ?? '');
    const receivedIds = new Set(received);
    // Every outbox mail arrived, nothing else arrived.
    expect([...expectedIds].filter((id) => !receivedIds.has(id))).toEqual([]);
    expect([...receivedIds].filter((id) => !expectedIds.has(id))).toEqual([]);
    // A kill between the mail server's acceptance and the "sent" mark can resend one message, always under the same
    // Message-ID (receivers drop it); at most the messages in flight at the kills.
    const resent = received.length - receivedIds.size;
    expect(resent).toBeLessThanOrEqual(kills * 5);
    expect(kills).toBeGreaterThanOrEqual(Math.min(3, KILLS));
    console.log(
      `强杀 worker ${kills} 次；${N} 件案件、${events.length} 条事件、${expectedIds.size} 封邮件；驱动耗时 ${drivenSeconds.toFixed(0)} 秒；调用方重试 ${retries} 次；同一 Message-ID 重发 ${resent} 封`,
    );
  }, 1_800_000);
});
