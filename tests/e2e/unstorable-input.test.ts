import { sql } from 'drizzle-orm';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { caseWorkflowId, stepUpdate } from '../../workflows/definitions/case';
import { request, startStack, type Stack } from '../helpers/stack';

/**
 * What PostgreSQL cannot store (a lone UTF-16 surrogate, which JSON allows and jsonb refuses; NUL) is refused at the
 * API's edge with 422 naming the field, before the audit log or Temporal see it; the case goes on.
 */
describe('unstorable input is refused at the edge and wedges nothing', () => {
  let stack: Stack;
  let eeb: string;
  const count = async (table: string) =>
    Number(
      (
        (await stack.db.handle.db.execute(sql.raw(`select count(*)::int n from ${table}`))) as unknown as {
          rows: { n: number }[];
        }
      ).rows[0].n,
    );

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'head' });
  }, 120_000);
  afterAll(() => stack?.close());

  it('answers a lone surrogate in a step 422 naming members, and the case takes its next step', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '代理项测试案件',
      track: 'criminal',
    });
    expect(created.status).toBe(201);
    const id = (created.json.case as { id: string }).id;
    const eventsBefore = await count('case_events');

    // JSON.stringify spells the lone surrogate as the escape \ud800, exactly as the report sent it.
    const body = JSON.stringify({ members: ['甲\ud800', '乙'] });
    expect(body).toContain('\\ud800');
    const t0 = Date.now();
    const bad = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, body);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(bad.status).toBe(422);
    expect(bad.json.error?.code).toBe('validation_failed');
    expect(bad.json.error?.message).toContain('members.0');
    expect(bad.json.error?.message).toMatch(/[\u4e00-\u9fff]/);
    expect((bad.json.error as unknown as { details: { field: string }[] }).details[0].field).toBe('members.0');
    expect(await count('case_events')).toBe(eventsBefore);

    const next = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, {
      members: ['甲', '乙'],
    });
    expect(next.status).toBe(200);
    expect(next.json.stage).toBe('taskForce');
    expect(await count('case_events')).toBe(eventsBefore + 1);
  });

  it('refuses a lone surrogate or NUL in a registration, a query and a duty action, and leaves no dropped audit entry', async () => {
    // Audit entries are written when a response finishes: let those of the test before settle first.
    let audit = await count('audit_log');
    for (let settled = -1; settled !== audit;) {
      settled = audit;
      await new Promise((r) => setTimeout(r, 300));
      audit = await count('audit_log');
    }
    const cases = await count('cases');
    const reg = await request(
      stack.base,
      eeb,
      'POST',
      '/api/v1/cases',
      JSON.stringify({ title: '案件\udc00', track: 'criminal' }),
    );
    expect(reg.status).toBe(422);
    expect(reg.json.error?.message).toContain('title');
    const nul = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '案件',
      track: 'criminal',
      summary: 'a\u0000b',
    });
    expect(nul.status).toBe(422);
    expect(nul.json.error?.message).toContain('summary');
    expect(nul.json.error?.message).toContain('空字符');
    const q = await request(stack.base, eeb, 'GET', `/api/v1/cases?q=${encodeURIComponent('a\u0000')}`);
    expect(q.status).toBe(422);
    expect(q.json.error?.message).toContain('q');
    const deep = await request(
      stack.base,
      eeb,
      'POST',
      '/api/v1/cases',
      JSON.stringify({ title: 'x', track: 'criminal', summary: JSON.parse('['.repeat(40) + ']'.repeat(40)) }),
    );
    expect(deep.status).toBe(422);
    expect(deep.json.error?.message).toContain('嵌套');
    const agenda = await request(
      stack.base,
      eeb,
      'POST',
      '/api/v1/duties/any/actions/addAgendaItem',
      JSON.stringify({ titleZh: '议题\ud800' }),
    );
    expect(agenda.status).toBe(422);
    expect(agenda.json.error?.message).toContain('titleZh');
    expect(await count('cases')).toBe(cases);
    // Refused before the audit middleware: nothing was attempted, so nothing was dropped.
    expect(await count('audit_log')).toBe(audit);
  });

  it('refuses it in the workflow validator too (a client past the API), and the case goes on', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '直接更新案件',
      track: 'criminal',
    });
    const id = (created.json.case as { id: string }).id;
    const handle = stack.env.client.workflow.getHandle(caseWorkflowId(id));
    const actor = { userId: 'u-x', agency: 'eeb', role: 'head', displayName: '负责人' };
    const err = await handle
      .executeUpdate(stepUpdate('formTaskForce'), {
        args: [{ actor: actor as never, input: { members: ['甲\ud800', '乙'] } }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(
      ((err as WorkflowUpdateFailedError).cause as unknown as { details: { field: string }[] }).details[0].field,
    ).toBe('members.0');
    const view = await handle.executeUpdate(stepUpdate('formTaskForce'), {
      args: [{ actor: actor as never, input: { members: ['甲', '乙'] } }],
    });
    expect(view.stage).toBe('taskForce');
  });

  it('refuses an imported JSON cell spelled as a lone surrogate, without echoing it into the job', async () => {
    const records = [
      {
        sourceId: 'ZF-1',
        agency: 'eeb',
        party: '某厂\\ud800',
        actionType: '现场检查',
        actionDate: '2026-10-10',
        summary: '检查',
      },
    ];
    // The file's own text is well-formed (the escape is six ASCII characters); its parsed cell is not.
    const content = JSON.stringify(records).replace('\\\\ud800', '\\ud800');
    expect(content).toContain('\\ud800');
    const res = await request(stack.base, eeb, 'POST', '/api/v1/imports', {
      kind: 'enforcement',
      sourceSystem: 'eeb-zf',
      filename: 'zf.json',
      contentType: 'application/json',
      content,
    });
    expect(res.status).toBe(202);
    let job: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && !job; i++) {
      const j = await request(stack.base, eeb, 'GET', `/api/v1/imports/${res.json.id as string}`);
      if (['completed', 'rejected', 'failed'].includes(j.json.status as string)) job = j.json;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(job).toMatchObject({
      status: 'rejected',
      errors: [{ line: 1, sourceId: 'ZF-1', field: 'party', reason: expect.stringContaining('代理项') }],
    });
  });
});
