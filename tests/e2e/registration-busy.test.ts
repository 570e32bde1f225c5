import { eq } from 'drizzle-orm';
import { caseEvents, cases } from '../../db/schema';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * POST /cases when no worker takes the registration in time (workers down or far behind): the API answers 202 with
 * the case id once the workflow is started, instead of holding the caller; the case registers when a worker runs, and
 * the same Idempotency-Key then answers 201 with that one case. The stack's worker starts only after the first answer.
 */
describe('registration answered 202 while no worker takes it (REGISTRATION_ANSWER_MS)', () => {
  let stack: Stack;
  const answerMs = 1500;

  // No worker until the test starts one: the registration is started and waits on its task queue.
  beforeAll(async () => {
    stack = await startStack({ REGISTRATION_ANSWER_MS: String(answerMs) }, { prefix: 'busy', worker: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (token: string, key: string, body: unknown) =>
    fetch(`${stack.base}/api/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify(body),
    });

  it('answers 202 with the case id after the wait; the case registers once a worker runs; the same key then answers 201 with that case', async () => {
    const token = await stack.userToken({ agency: 'eeb', role: 'officer' }, '张明');
    const body = { title: '繁忙时登记：某厂夜间偷排', track: 'criminal' };
    const t0 = Date.now();
    const first = await post(token, 'busy-1', body);
    const waited = Date.now() - t0;
    expect(first.status).toBe(202);
    expect(waited).toBeGreaterThanOrEqual(answerMs - 50);
    expect(waited).toBeLessThan(answerMs + 5000);
    const accepted = (await first.json()) as { caseId: string; status: string; messageZh: string };
    expect(accepted.status).toBe('registering');
    expect(accepted.messageZh).toContain('案件已受理，正在登记');
    expect(first.headers.get('location')).toBe(`/api/v1/cases/${accepted.caseId}`);
    // Started, not yet registered: no row, and the workflow waits on its task queue.
    expect(await stack.db.handle.db.select().from(cases).where(eq(cases.id, accepted.caseId))).toHaveLength(0);
    expect((await stack.env.client.workflow.getHandle(caseWorkflowId(accepted.caseId)).describe()).status.name).toBe(
      'RUNNING',
    );

    await stack.startWorker();

    const again = await post(token, 'busy-1', body);
    expect(again.status).toBe(201);
    const registered = (await again.json()) as {
      case: { id: string; caseNumber: string };
      deadlines: { ruleId: string }[];
    };
    expect(registered.case.id).toBe(accepted.caseId);
    expect(registered.case.caseNumber).toMatch(/^联动-\d{4}-\d{6}$/);
    expect(registered.deadlines.map((d) => d.ruleId)).toEqual(['eeb.task-force']);
    expect(await stack.db.handle.db.select().from(cases).where(eq(cases.title, body.title))).toHaveLength(1);
    expect(
      (await stack.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, accepted.caseId))).map(
        (e) => e.type,
      ),
    ).toEqual(['caseCreated']);
  });

  it('answers 201 at once when a worker takes the registration in time', async () => {
    const token = await stack.userToken({ agency: 'eeb', role: 'officer' }, '赵亮');
    const r = await post(token, 'busy-2', { title: '正常登记：某厂超标排放', track: 'criminal' });
    expect(r.status).toBe(201);
  });
});
