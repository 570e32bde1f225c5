import pg from 'pg';
import { jointMeetingWorkflow } from '../../workflows/duties/joint-meeting';
import { periodInput } from '../helpers/duties';
import { request, startStack, type Stack } from '../helpers/stack';

/**
 * Every change request answers within UPDATE_ANSWER_MS (here 600 ms): 202 with Retry-After when the workflow has
 * accepted it and will complete it, 503 with Retry-After when it has not even been accepted; never a hang.
 */
describe('a change request answers within its bound', () => {
  let stack: Stack;
  let eeb: string;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000', UPDATE_ANSWER_MS: '600' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'head' });
  }, 120_000);
  afterAll(() => stack?.close());

  const post = async (path: string, body: unknown, key?: string) => {
    const t0 = Date.now();
    const res = await fetch(`${stack.base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${eeb}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown>,
      retryAfter: res.headers.get('retry-after'),
      ms: Date.now() - t0,
    };
  };

  it('answers 202 when a duty action is accepted but its record waits, and the action completes', async () => {
    const p = periodInput('joint-meeting.periodic', 'quarterly', '2026-11-15');
    const wfId = `${p.workflowId}-slow`;
    await stack.env.client.workflow.start(jointMeetingWorkflow, {
      workflowId: wfId,
      taskQueue: stack.config.temporal.taskQueue,
      args: [p.input],
    });
    await stack.env.client.workflow.getHandle(wfId).query('state');
    // Another session holds duty_events: the action's record (an activity, after the accepting task) waits for it.
    const blocker = new pg.Client({ connectionString: stack.db.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table duty_events in exclusive mode');
    try {
      const res = await post(`/api/v1/duties/${wfId}/actions/addAgendaItem`, { titleZh: '慢议题' }, 'bounded-duty-1');
      expect(res.status).toBe(202);
      expect(res.ms).toBeLessThan(600 + 3000);
      expect(res.retryAfter).toBe('5');
      expect(res.json.messageZh).toMatch(/已受理/);
      expect(res.json.updateId).toContain('bounded-duty-1');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    // The accepted action completes on its own; the same key then answers with its result, once.
    const again = await post(`/api/v1/duties/${wfId}/actions/addAgendaItem`, { titleZh: '慢议题' }, 'bounded-duty-1');
    expect(again.status).toBe(200);
    expect(again.json.extraAgenda).toEqual(['慢议题']);
    await stack.env.client.workflow.getHandle(wfId).terminate('test done');
  });

  it('answers 503 while a case step is held inside its workflow task, and the step completes after', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '应答时限案件',
      track: 'criminal',
    });
    const id = (created.json.case as { id: string }).id;
    const blocker = new pg.Client({ connectionString: stack.db.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select * from cases where id = $1 for update', [id]);
    try {
      const res = await post(`/api/v1/cases/${id}/steps/formTaskForce`, { members: ['甲', '乙'] }, 'bounded-1');
      expect(res.status).toBe(503);
      expect(res.ms).toBeLessThan(600 + 3000);
      expect(res.retryAfter).toBe('5');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    let again;
    for (let i = 0; i < 20; i++) {
      again = await post(`/api/v1/cases/${id}/steps/formTaskForce`, { members: ['甲', '乙'] }, 'bounded-1');
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(again!.status).toBe(200);
    expect(again!.json.stage).toBe('taskForce');
  });

  it('answers 503 with Retry-After when no worker takes the workflow, instead of hanging', async () => {
    const p = periodInput('joint-meeting.periodic', 'quarterly', '2026-11-15');
    const wfId = `${p.workflowId}-unserved`;
    await stack.env.client.workflow.start(jointMeetingWorkflow, {
      workflowId: wfId,
      taskQueue: 'no-worker-polls-this',
      args: [p.input],
    });
    try {
      const res = await post(`/api/v1/duties/${wfId}/actions/addAgendaItem`, { titleZh: '议题' });
      expect(res.status).toBe(503);
      expect(res.ms).toBeLessThan(600 + 3000);
      expect(res.retryAfter).toBe('5');
      expect((res.json.error as { message: string }).message).toMatch(/限定时间/);
    } finally {
      await stack.env.client.workflow.getHandle(wfId).terminate('test done');
    }
  });
});
