import crypto from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { asc, inArray } from 'drizzle-orm';
import { caseEvents } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { parseDeadlineOverrides } from '../../domain/deadlines/rules';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, stepUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { createPostgresTestDb, TEST_PG_URL, type TestDb } from '../helpers/db';
import { devServer, workerProcess, type DevServer, type WorkerProcess } from '../helpers/processes';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { testClientOptions } from '../helpers/keys';
import { waitFor } from '../helpers/wait';

const M = Number(process.env.FAULT_RESTART_CASES ?? 20);
const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
// eeb.task-force as a 1-hour policy clock; cases opened just under an hour ago, so their clocks expire after the restart.
const POLICY = parseDeadlineOverrides({
  'eeb.task-force': { limit: 1, unit: 'hours', warningHours: 0.5, escalationWorkdays: null, supervision: null },
}) as Record<string, unknown>;

/**
 * The Temporal dev server killed (SIGKILL) and started again on its SQLite file while cases wait on their clocks:
 * the cases are still there, their timers fire after the restart (overdue recorded once each), and a step taken
 * after the restart is applied. The worker process stays up and reconnects by itself.
 */
describe(`fault: Temporal dev server restarted on its SQLite file with ${M} open cases`, () => {
  let server: DevServer;
  let db: TestDb;
  let smtp: TestSmtp;
  let worker: WorkerProcess;
  let connection: Connection;
  let client: Client;
  const taskQueue = `faults-restart-${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    if (!TEST_PG_URL) throw new Error('故障测试需要 PostgreSQL：请设置 TEST_DATABASE_URL');
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

  it('keeps the open cases, fires their clocks after the restart and accepts steps', async () => {
    const dueAtMs = Date.now() + 45_000;
    const ids = Array.from({ length: M }, (_, i) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`);
    for (const caseId of ids) {
      const input: CaseWorkflowInput = {
        caseId,
        title: `重启测试 ${caseId.slice(-2)}`,
        track: 'criminal',
        confidentiality: 'internal',
        createdAtMs: dueAtMs - 3_600_000,
        actor: eebOfficer,
        policyOverrides: POLICY,
      };
      await client.workflow.executeUpdateWithStart(registeredUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(caseWorkflow, {
          workflowId: caseWorkflowId(caseId),
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
        args: [],
      });
    }
    expect(Date.now()).toBeLessThan(dueAtMs - 10_000);

    await server.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 3000));
    await server.start();

    // The cases survived in the SQLite file.
    const described = await waitFor(
      '重启后可查询案件',
      async () => (await client.workflow.getHandle(caseWorkflowId(ids[0])).describe()).status.name,
      60_000,
      1000,
    );
    expect(described).toBe('RUNNING');
    expect(Date.now()).toBeLessThan(dueAtMs);

    // Every clock fires after the restart: one overdue event per case, recorded by the worker that stayed up.
    const kinds = async () => {
      const rows = await db.handle.db
        .select()
        .from(caseEvents)
        .where(inArray(caseEvents.caseId, ids))
        .orderBy(asc(caseEvents.seq));
      const by = new Map<string, string[]>();
      for (const e of rows) by.set(e.caseId, [...(by.get(e.caseId) ?? []), e.type]);
      return by;
    };
    await waitFor(
      '全部超期事件',
      async () => [...(await kinds()).values()].filter((k) => k.includes('clockOverdue')).length === M,
      180_000,
      1000,
    );
    const by = await kinds();
    for (const caseId of ids) expect(by.get(caseId)).toEqual(['caseCreated', 'clockWarning', 'clockOverdue']);

    // A step after the restart (late: the record says so).
    const view = await client.workflow.getHandle(caseWorkflowId(ids[0])).executeUpdate(stepUpdate('formTaskForce'), {
      args: [{ actor: eebOfficer, input: { members: ['张三', '李四'] } }],
    });
    expect(view.stage).toBe('taskForce');
    expect(worker.starts).toBe(1);
  }, 600_000);
});
