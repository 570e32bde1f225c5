import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { isRefusal, sqlStateOf } from '../../activities/guard';
import { jointMeetingWorkflow } from '../../workflows/duties/joint-meeting';
import { periodInput } from '../helpers/duties';
import { request, startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/**
 * A record the database refuses for its own data (here: a CHECK constraint on case_events, a real 23514) fails
 * non-retryably: the step answers 422 with the refusal, the case keeps its state and clocks, and the next step goes on.
 */
describe('a refused record does not hold a case', () => {
  let stack: Stack;
  let eeb: string;
  const exec = (q: string) => stack.db.handle.db.execute(sql.raw(q));

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'head' });
    await exec(`alter table case_events add constraint refuse_for_test check (data::text not like '%拒收%')`);
    await exec(`alter table duty_events add constraint refuse_for_test check (label_zh not like '%拒收%')`);
    await exec(
      `alter table release_events add constraint refuse_for_test check (label_zh || coalesce(data::text, '') not like '%拒收%')`,
    );
  }, 120_000);
  afterAll(() => stack?.close());

  it('classifies PostgreSQL errors: data and integrity refusals are final, connection failures retry', async () => {
    const err = await stack.db.handle.db.execute(sql`select ${'{"a":"\\ud800"}'}::jsonb`).catch((e: unknown) => e);
    expect(sqlStateOf(err)).toBe('22P02');
    expect(isRefusal(sqlStateOf(err))).toBe(true);
    const tooLong = await exec(`create temp table t_len (v varchar(3)); insert into t_len values ('abcdef')`).catch(
      (e: unknown) => e,
    );
    expect(sqlStateOf(tooLong)).toBe('22001');
    expect(isRefusal(sqlStateOf(tooLong))).toBe(true);
    const dup = await exec(
      `insert into agencies (code, name_zh, short_name_zh) select code, name_zh, short_name_zh from agencies limit 1`,
    ).catch((e: unknown) => e);
    expect(sqlStateOf(dup)).toBe('23505');
    expect(isRefusal(sqlStateOf(dup))).toBe(true);
    for (const state of ['08006', '08001', '57P01', '57P03', '40001', '53300', undefined])
      expect(isRefusal(state)).toBe(false);
  });

  it('answers the refused step 422, keeps the state, and takes the next step', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '记录被拒案件',
      track: 'criminal',
    });
    const id = (created.json.case as { id: string }).id;
    const handle = stack.env.client.workflow.getHandle(caseWorkflowId(id));
    const before = await request(stack.base, eeb, 'GET', `/api/v1/cases/${id}/state`);

    const t0 = Date.now();
    const refused = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, {
      members: ['拒收', '乙'],
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(refused.status).toBe(422);
    expect(refused.json.error?.message).toContain('记录被数据库拒绝');
    expect(refused.json.error?.message).toContain('23514');

    const after = await request(stack.base, eeb, 'GET', `/api/v1/cases/${id}/state`);
    expect(after.json).toEqual(before.json); // stage, clocks, seq: as before the step
    const [row] = (
      (await exec(`select stage from cases where id = '${id}'`)) as unknown as { rows: { stage: string }[] }
    ).rows;
    expect(row.stage).toBe('lead');

    const next = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, {
      members: ['甲', '乙'],
    });
    expect(next.status).toBe(200);
    expect(next.json.stage).toBe('taskForce');
    const d = await handle.describe();
    expect(d.raw.pendingWorkflowTask?.attempt ?? 1).toBeLessThanOrEqual(1);
    expect(d.raw.pendingActivities ?? []).toEqual([]);
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(
        path.join(FIXTURES, 'step-record-refused.history.json'),
        historyToJSON(await handle.fetchHistory()),
      );
  });

  it('answers a refused duty action 422 and keeps the duty as it was: the next action takes its place', async () => {
    const p = periodInput(
      'joint-meeting.periodic',
      'quarterly',
      new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
    );
    await stack.env.client.workflow.start(jointMeetingWorkflow, {
      workflowId: p.workflowId,
      taskQueue: stack.config.temporal.taskQueue,
      args: [p.input],
    });
    const refused = await request(stack.base, eeb, 'POST', `/api/v1/duties/${p.workflowId}/actions/addAgendaItem`, {
      titleZh: '拒收的议题',
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error?.message).toContain('记录被数据库拒绝');
    const ok = await request(stack.base, eeb, 'POST', `/api/v1/duties/${p.workflowId}/actions/addAgendaItem`, {
      titleZh: '正常议题',
    });
    expect(ok.status).toBe(200);
    expect(ok.json.extraAgenda).toEqual(['正常议题']);
    // The same event id the refused item would have had: the refused change left nothing behind.
    const ids = (
      (await exec(
        `select id from duty_events where period_id = '${p.workflowId}' and type = 'agendaItemAdded'`,
      )) as unknown as { rows: { id: string }[] }
    ).rows.map((r) => r.id);
    expect(ids).toEqual([`${p.workflowId}/agenda/1`]);
    const d = await stack.env.client.workflow.getHandle(p.workflowId).describe();
    expect((d.raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 1) > 1)).toEqual([]);
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(
        path.join(FIXTURES, 'duty-action-record-refused.history.json'),
        historyToJSON(await stack.env.client.workflow.getHandle(p.workflowId).fetchHistory()),
      );
    await stack.env.client.workflow.getHandle(p.workflowId).terminate('test done');
  });

  it('answers a refused release decision 422 and keeps the release in review: the next decision counts', async () => {
    const psb = await stack.userToken({ agency: 'psb', role: 'head' });
    const created = await request(stack.base, eeb, 'POST', `/api/v1/cases`, {
      title: '联合发布关联案件',
      track: 'administrative',
      confidentiality: 'public',
    });
    const caseId = (created.json.case as { id: string }).id;
    const rel = await request(stack.base, eeb, 'POST', '/api/v1/releases', {
      title: '联合执法行动通报',
      body: '三部门联合开展专项执法行动的通报正文。',
      kind: 'majorAction',
      caseIds: [caseId],
      confidentiality: 'public',
      submit: true,
    });
    expect(rel.status).toBe(201);
    const id = String(rel.json.id);
    const refused = await request(stack.base, psb, 'POST', `/api/v1/releases/${id}/decisions`, {
      decision: 'requestChanges',
      comment: '拒收的意见',
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error?.message).toContain('记录被数据库拒绝');
    const after = await request(stack.base, psb, 'GET', `/api/v1/releases/${id}`);
    expect(after.json).toMatchObject({ status: 'inReview', round: 1 });
    expect((after.json.approvals as { agency: string; status: string }[]).find((a) => a.agency === 'psb')?.status).toBe(
      'pending',
    );
    const ok = await request(stack.base, psb, 'POST', `/api/v1/releases/${id}/decisions`, { decision: 'approve' });
    expect(ok.status).toBe(200);
    expect((ok.json.approvals as { agency: string; status: string }[]).find((a) => a.agency === 'psb')?.status).toBe(
      'approved',
    );
    const live = await stack.env.client.workflow
      .getHandle(`release-${id}`)
      .query<{ status: string; approvals: { agency: string; status: string }[] }>('state')
      .catch(() => undefined);
    if (live) expect(live.approvals.find((a) => a.agency === 'psb')?.status).toBe('approved');
  });
});
