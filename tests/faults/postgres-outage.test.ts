import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { caseEvents } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { stepUpdate } from '../../workflows/definitions/case';
import type { TestDb } from '../helpers/db';
import { privatePostgres, type PrivatePostgres } from '../helpers/processes';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { caseWorkflowId } from '../../workflows/definitions/case';

const OUTAGE_S = Number(process.env.FAULT_PG_OUTAGE_SECONDS ?? 30);
const eebOfficer: Actor = { userId: 'u-eeb', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };

/**
 * PostgreSQL unavailable for 30 s (a private cluster stopped with `pg_ctl -m immediate`, then started again):
 * the API answers 503 in Chinese and recovers by itself; a step taken meanwhile (through Temporal, as a timer
 * would) waits in its retrying activity and is recorded once when the database returns; nothing is lost.
 */
describe(`fault: PostgreSQL down for ${OUTAGE_S} s`, () => {
  let pg: PrivatePostgres;
  let stack: Stack;
  let db: TestDb;
  let env: TestWorkflowEnvironment;
  let base: string;
  const token = `tok-${crypto.randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    pg = await privatePostgres();
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' }, { prefix: 'faults-pg', postgresUrl: pg.url });
    ({ db, env, base } = stack);
    await stack.userToken({ agency: 'eeb', role: 'officer' }, eebOfficer.displayName, { id: eebOfficer.userId, token });
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await pg?.close();
  });

  it('answers 503 in Chinese, retries the activities, recovers by itself and loses nothing', async () => {
    const created = await request(base, token, 'POST', '/api/v1/cases', {
      title: '数据库中断测试案件',
      track: 'criminal',
    });
    expect(created.status).toBe(201);
    const caseId = (created.json.case as { id: string }).id;

    await pg.stop();
    const down = Date.now();
    const refused = await request(base, token, 'GET', '/api/v1/cases');
    expect(refused.status).toBe(503);
    expect(refused.json.error?.code).toBe('unavailable');
    expect(refused.json.error?.message).toContain('服务暂时不可用');
    expect(refused.headers.get('retry-after')).toBe('5');
    const write = await request(base, token, 'POST', '/api/v1/cases', { title: '中断期间登记', track: 'criminal' });
    expect(write.status).toBe(503);
    // Monitoring still answers and says the database is down.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^linkage_database_up 0$/m);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);

    // A step arriving meanwhile through Temporal: accepted by the workflow, its record activity retries.
    const step = env.client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(stepUpdate('formTaskForce'), {
      args: [{ actor: eebOfficer, input: { members: ['张三', '李四'] } }],
    });
    let stepDone = false;
    void step.then(
      () => (stepDone = true),
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_S * 1000 - (Date.now() - down))));
    expect(stepDone).toBe(false);
    expect((await request(base, token, 'GET', '/api/v1/cases')).status).toBe(503);
    await pg.start();

    // No restart of anything: the pool reconnects, the activity's next retry succeeds.
    await waitFor('接口恢复', async () => (await request(base, token, 'GET', '/api/v1/cases')).status === 200, 60_000);
    expect((await step).stage).toBe('taskForce');
    const events = await db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
    expect(events.map((e) => (e.data as { step?: string }).step ?? e.type)).toEqual(['caseCreated', 'formTaskForce']);
    const list = await request(base, token, 'GET', '/api/v1/cases');
    expect((list.json.items as { id: string }[]).map((c) => c.id)).toEqual([caseId]);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^linkage_database_up 1$/m);
    console.log(
      `PostgreSQL 中断 ${OUTAGE_S} 秒：期间接口 503，恢复后 ${((Date.now() - down) / 1000 - OUTAGE_S).toFixed(1)} 秒内自动恢复，步骤记录一次`,
    );
  }, 600_000);
});
