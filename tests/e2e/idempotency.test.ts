import { and, eq } from 'drizzle-orm';
import { caseEvents, cases, dutyEvents } from '../../db/schema';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Repeated requests with the same Idempotency-Key (a client retrying after a timeout, a double click) take effect
 * once, on every mutating endpoint whose repetition would otherwise create something twice: case registration,
 * case steps, ad hoc joint meetings and the duty workflows' actions. Repeats are sent concurrently, the hard case.
 */
describe('Idempotency-Key: one effect per key', () => {
  let stack: Stack;
  let eeb: string;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' }, '生态环境局办案人员');
  });
  afterAll(async () => {
    await stack.close();
  });

  const send = (token: string, method: string, path: string, body: unknown, key?: string) =>
    fetch(`${stack.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

  it('POST /api/v1/cases and POST /api/v1/cases/:id/steps/:step: five concurrent repeats, one case and one event', async () => {
    const body = { title: '幂等测试：某厂超标排放', track: 'criminal' };
    const created = await Promise.all(
      Array.from({ length: 5 }, () => send(eeb, 'POST', '/api/v1/cases', body, 'idem-case-1')),
    );
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(created.map((r) => (r.json.case as { id: string }).id));
    expect(ids.size).toBe(1);
    const [caseId] = [...ids];
    const db = stack.db.handle.db;
    expect(await db.select().from(cases).where(eq(cases.title, body.title))).toHaveLength(1);
    expect((await db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).map((e) => e.type)).toEqual([
      'caseCreated',
    ]);

    // A different key is a different case (the key, not the body, identifies the request).
    const other = await send(eeb, 'POST', '/api/v1/cases', body, 'idem-case-2');
    expect((other.json.case as { id: string }).id).not.toBe(caseId);

    // eeb.task-force: forming the task force once, however often the request arrives.
    const steps = await Promise.all(
      Array.from({ length: 4 }, () =>
        send(eeb, 'POST', `/api/v1/cases/${caseId}/steps/formTaskForce`, { members: ['张三', '李四'] }, 'idem-step-1'),
      ),
    );
    expect(steps.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const events = await db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
    expect(events.map((e) => (e.data as { step?: string }).step ?? e.type)).toEqual(['caseCreated', 'formTaskForce']);
    // Without a key a repeat is a new request: refused here because the stage moved on (409), not applied twice.
    const again = await send(eeb, 'POST', `/api/v1/cases/${caseId}/steps/formTaskForce`, { members: ['张三'] });
    expect(again.status).toBe(409);
  });

  it('POST /api/v1/meetings and POST /api/v1/duties/:id/actions/:action: one meeting, one agenda item per key', async () => {
    const psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '公安局办案人员');
    const opened = await Promise.all(
      Array.from({ length: 3 }, () =>
        send(psb, 'POST', '/api/v1/meetings', { reasonZh: '跨部门分歧需会商' }, 'idem-meeting-1'),
      ),
    );
    expect(opened.map((r) => r.status)).toEqual([201, 201, 201]);
    const meetingIds = new Set(opened.map((r) => r.json.id as string));
    expect(meetingIds.size).toBe(1);
    const [meetingId] = [...meetingIds];

    const add = (key?: string) =>
      send(psb, 'POST', `/api/v1/duties/${meetingId}/actions/addAgendaItem`, { titleZh: '某化工厂案件移送分歧' }, key);
    const repeats = await Promise.all([add('idem-agenda-1'), add('idem-agenda-1'), add('idem-agenda-1')]);
    expect(repeats.map((r) => r.status)).toEqual([200, 200, 200]);
    const db = stack.db.handle.db;
    const agendaEvents = async () =>
      (
        await db
          .select()
          .from(dutyEvents)
          .where(and(eq(dutyEvents.periodId, meetingId), eq(dutyEvents.type, 'agendaItemAdded')))
      ).length;
    expect(await agendaEvents()).toBe(1);
    // The same request without a key is a second item: the key is what makes the repeat harmless.
    expect((await add()).status).toBe(200);
    expect(await agendaEvents()).toBe(2);
    // A malformed key is refused in Chinese before anything happens.
    const bad = await add('bad key!');
    expect(bad.status).toBe(422);
    expect((bad.json.error as { message: string }).message).toContain('Idempotency-Key');
  });
});
