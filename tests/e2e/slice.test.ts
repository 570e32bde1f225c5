import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cases, caseEvents } from '../../db/schema';
import type { TestDb } from '../helpers/db';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/** The vertical slice over real HTTP, against a real Temporal dev server, a real database and real SMTP. */
describe('vertical slice over HTTP', () => {
  const token = 'e2e-admin-token-0123456789';
  const eebToken = 'e2e-eeb-head-token-0123456789';
  let stack: Stack;
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({}, { prefix: 'e2e', adminToken: token });
    ({ env, db, base } = stack);
    // Cases are registered by the EEB: an EEB head with a token of their own.
    await stack.userToken({ agency: 'eeb', role: 'head' }, '生态环境局负责人', { id: 'eeb-head', token: eebToken });
  });

  afterAll(async () => {
    await stack.close();
  });

  // Response bodies are checked field by field; their static type does not matter here.
  const json = async (r: Response): Promise<any> => r.json();
  const asEeb = { authorization: `Bearer ${eebToken}` };
  const asAdmin = { authorization: `Bearer ${token}` };
  const call = (path: string, init: RequestInit = {}, auth = true) =>
    fetch(`${base}${path}`, {
      ...init,
      // Default: the EEB head (cases are the agencies' business; the administrator is passed explicitly).
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${eebToken}` } : {}),
        ...(init.headers ?? {}),
      },
    });

  it('answers health and readiness', async () => {
    expect((await call('/healthz', {}, false)).status).toBe(200);
    const ready = await call('/readyz', {}, false);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, temporal: { ok: true } },
    });
  });

  it('serves the OpenAPI document generated from the request schemas', async () => {
    const doc = await json(await call('/api/v1/openapi.json', {}, false));
    expect(doc.openapi).toMatch(/^3\./);
    const post = doc.paths['/api/v1/cases'].post;
    expect(post.requestBody.content['application/json'].schema.properties.track.enum).toEqual([
      'criminal',
      'detention',
      'administrative',
    ]);
    expect(post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['title', 'track']),
    );
    expect(doc.paths['/api/v1/cases/{id}/history'].get).toBeDefined();
  });

  it('refuses a request without a valid token, in Chinese', async () => {
    const res = await call('/api/v1/cases', {}, false);
    expect(res.status).toBe(401);
    expect((await json(res)).error.message).toMatch(/令牌/);
    const bad = await call('/api/v1/cases', { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
  });

  it('rejects a bad body with 422 naming the field', async () => {
    const res = await call('/api/v1/cases', { method: 'POST', body: JSON.stringify({ track: 'piracy' }) });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.message).toContain('案件名称');
    expect(body.error.message).toContain('办理类型');
  });

  it('creates a case and starts its workflow in one idempotent operation; reads it back with its clock and history', async () => {
    const payload = JSON.stringify({
      title: '某电镀厂通过暗管排放含铬废水',
      track: 'detention',
      documentNumber: '长环移拘审〔2026〕7号',
    });
    const headers = { 'idempotency-key': 'slice-1', authorization: `Bearer ${eebToken}` };
    const first = await call('/api/v1/cases', { method: 'POST', body: payload, headers });
    expect(first.status).toBe(201);
    const created = await json(first);
    const again = await json(await call('/api/v1/cases', { method: 'POST', body: payload, headers }));
    expect(again.case.id).toBe(created.case.id);
    expect(created.case.caseNumber).toMatch(/^联动-\d{4}-\d{6}$/);
    expect(created.deadlines).toHaveLength(1); // the first clock is recorded before the API answers
    expect(await db.handle.db.select().from(cases).where(eq(cases.id, created.case.id))).toHaveLength(1);

    const detail = await json(await call(`/api/v1/cases/${created.case.id}`));
    expect(detail.case.track).toBe('detention');
    expect(detail.deadlines).toHaveLength(1);
    expect(detail.deadlines[0]).toMatchObject({
      ruleId: 'eeb.detention-transfer',
      status: 'open',
      responsibleAgency: 'eeb',
    });
    expect(detail.deadlines[0].dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Agency users get no link into the Temporal UI (supervisors and operators have their own access).
    expect(detail.temporalUiUrl).toBeUndefined();

    const events = await db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, created.case.id));
    expect(events.map((e) => e.type)).toEqual(['caseCreated']);
    expect(events[0].documentNumber).toBe('长环移拘审〔2026〕7号');

    const history = await json(await call(`/api/v1/cases/${created.case.id}/history`));
    const texts = history.timeline.map((e: { textZh: string }) => e.textZh).join('\n');
    expect(texts).toContain('案件流程启动');
    expect(texts).toContain('登记案件记录');
    expect(texts).toContain('设定计时器');
    expect(history.timeline[0].atChina).toMatch(/^\d{4}年\d{2}月\d{2}日 /);

    const raw = await call(`/api/v1/cases/${created.case.id}/history?format=raw`);
    expect(raw.status).toBe(200);
    const rawJson = JSON.parse(await raw.text());
    expect(rawJson.events[0].eventType).toMatch(/WORKFLOW_EXECUTION_STARTED|WorkflowExecutionStarted/);

    // The administrator may not register cases: only the EEB finds and registers them.
    const refused = await call('/api/v1/cases', { method: 'POST', body: payload, headers: asAdmin });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.message).toContain('生态环境局');

    const list = await json(await call('/api/v1/cases?track=detention&q=%E7%94%B5%E9%95%80'));
    expect(list.items.map((c: { id: string }) => c.id)).toContain(created.case.id);
    expect((await call('/api/v1/cases/00000000-0000-4000-8000-00000000dead')).status).toBe(404);
    // The administrator manages the platform but does not read cases.
    expect((await call(`/api/v1/cases/${created.case.id}`, { headers: asAdmin })).status).toBe(403);
    caseId = created.case.id;
  });

  let caseId = '';

  it('performs steps through the API and answers refusals with 403 / 404 / 409 / 422 in Chinese', async () => {
    const post = (step: string, body: unknown, headers: Record<string, string> = asEeb) =>
      call(`/api/v1/cases/${caseId}/steps/${step}`, { method: 'POST', body: JSON.stringify(body), headers });
    const wrongAgency = await post('acceptDetentionCase', { documentNumber: 'X' });
    expect(wrongAgency.status).toBe(403);
    expect((await json(wrongAgency)).error.message).toContain('公安');
    const wrongStage = await post('sendDetentionDecisionCopy', { documentNumber: 'X' });
    expect([403, 409]).toContain(wrongStage.status);
    const missing = await post('deliverDetentionTransfer', {});
    expect(missing.status).toBe(422);
    expect((await json(missing)).error.message).toMatch(/缺少|必填/);
    expect((await post('noSuchStep', {})).status).toBe(404);
    const key = { ...asEeb, 'idempotency-key': 'deliver-1' };
    const ok = await post(
      'deliverDetentionTransfer',
      { documentNumber: '长环移拘〔2026〕7号', psbUnit: '长治市公安局' },
      key,
    );
    expect(ok.status).toBe(200);
    const view = await json(ok);
    expect(view.stage).toBe('detentionDelivered');
    expect(view.responsibleAgency).toBe('psb');
    // The same Idempotency-Key: one effect.
    expect(
      (await post('deliverDetentionTransfer', { documentNumber: '长环移拘〔2026〕7号', psbUnit: '长治市公安局' }, key))
        .status,
    ).toBe(200);
    const events = await db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
    expect(events.filter((e) => (e.data as { step?: string }).step === 'deliverDetentionTransfer')).toHaveLength(1);
    const live = await json(await call(`/api/v1/cases/${caseId}/state`));
    expect(live.stage).toBe('detentionDelivered');
    expect(live.nextActions.map((a: { agency: string }) => a.agency)).toContain('psb');
    const history = await json(await call(`/api/v1/cases/${caseId}/history`));
    expect(history.timeline.map((e: { textZh: string }) => e.textZh).join('\n')).toContain(
      '文书号 长环移拘〔2026〕7号',
    );
  });

  it('previews a deadline exactly as the CLI does (§4 worked example)', async () => {
    const res = await call('/api/v1/deadlines/preview?rule=spp.review-outcome-notice&from=2026-09-17T10:00:00%2B08:00');
    expect(await json(res)).toEqual({
      rule: 'spp.review-outcome-notice',
      from: '2026-09-17T10:00:00+08:00',
      unit: 'days',
      limit: 10,
      dueDate: '2026-09-28',
      dueAt: '2026-09-28T23:59:59+08:00',
      custody: false,
      provisional: false,
      basis: expect.stringContaining('第五百六十一条'),
    });
    const unknown = await call('/api/v1/deadlines/preview?rule=psb.nope&from=2026-09-17');
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).error.message).toContain('未知的期限规则');
  });

  it('loads a calendar year: shows which open clocks move, stores it, and the case re-times and records it', async () => {
    const fresh = await call('/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({
        title: '某企业拒不停产整治',
        track: 'detention',
        documentNumber: '长环移拘审〔2026〕8号',
      }),
      headers: asEeb,
    });
    const caseId = (await json(fresh)).case.id;
    const detail = await json(await call(`/api/v1/cases/${caseId}`));
    const clock = detail.deadlines[0];
    const year = Number(clock.dueDate.slice(0, 4));
    const official = await json(await call(`/api/v1/calendars/${year}`));
    const corrected = {
      year,
      holidays: [...official.holidays, clock.dueDate].sort(),
      workdays: official.workdays.filter((d: string) => d !== clock.dueDate),
      source: { notice: '国办发明电〔测试〕1号', date: `${year}-01-02` },
    };
    expect(
      (await call('/api/v1/calendars/preview', { method: 'POST', body: JSON.stringify(corrected), headers: asEeb }))
        .status,
    ).toBe(403);
    const preview = await json(
      await call('/api/v1/calendars/preview', { method: 'POST', body: JSON.stringify(corrected), headers: asAdmin }),
    );
    // The administrator reads no case: the clock is listed by rule and dates, not by case.
    expect(preview.affected.map((a: { ruleId: string }) => a.ruleId)).toContain(clock.ruleId);
    expect(JSON.stringify(preview)).not.toContain(caseId);
    const bad = await call('/api/v1/calendars', {
      method: 'POST',
      body: JSON.stringify({ ...corrected, holidays: ['2026-02-30'] }),
      headers: asAdmin,
    });
    expect(bad.status).toBe(422);
    const loaded = await call('/api/v1/calendars', {
      method: 'POST',
      body: JSON.stringify(corrected),
      headers: asAdmin,
    });
    expect(loaded.status).toBe(202);
    const fanOut = await json(loaded);
    expect(fanOut.workflowId).toMatch(new RegExp(`^calendar-${year}-[0-9a-f]{16}$`));
    expect(fanOut.messageZh).toContain('正在通知');
    let progress = { status: 'running', done: 0, total: null as number | null, messageZh: '' };
    for (let i = 0; i < 50 && progress.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      progress = await json(await call(fanOut.progress, { headers: asAdmin }));
    }
    expect(progress).toMatchObject({ status: 'done', done: progress.total });
    expect(progress.total).toBeGreaterThanOrEqual(1);
    expect(progress.messageZh).toContain('已通知');
    // The same content loaded again finds the same fan-out and tells no case twice.
    const again = await call('/api/v1/calendars', {
      method: 'POST',
      body: JSON.stringify(corrected),
      headers: asAdmin,
    });
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({
      workflowId: fanOut.workflowId,
      messageZh: expect.stringContaining('未重复通知'),
    });
    let retimed: unknown[] = [];
    for (let i = 0; i < 50 && retimed.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      retimed = (await db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).filter(
        (e) => e.type === 'clockRetimed',
      );
    }
    expect(retimed).toHaveLength(1);
    const history = await env.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
    expect(
      (history.events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'calendarChanged',
      ),
    ).toHaveLength(1);
    const after = await json(await call(`/api/v1/cases/${caseId}`));
    expect(after.deadlines[0].dueDate > clock.dueDate).toBe(true);
    const list = await json(await call('/api/v1/calendars'));
    expect(list.items.find((y: { year: number }) => y.year === year).origin).toBe('loaded');
  });
});
