import { and, eq, inArray } from 'drizzle-orm';
import { deadlines, notificationDigests, notifications } from '../../db/schema';
import { POLICY_RULES, RULES } from '../../domain/deadlines/rules';
import type { ReleaseContent } from '../../domain/releases';
import { jointReleaseWorkflow } from '../../workflows/releases';
import { releaseRegisteredUpdate, releaseWorkflowId, submitReleaseUpdate } from '../../workflows/definitions/releases';
import { dailyDigestWorkflow } from '../../workflows/digest';
import { saveDutyFixture } from '../helpers/duties';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * Daily warning digest (issue 8 item 1) on real parts: time-skipping server, worker, PostgreSQL, SMTP and the API.
 * Two detention cases (rule eeb.detention-transfer, 2014 Measures Art 12) reach their 预警 and 超期; an EEB officer who
 * chose the digest gets no warning mail but one digest listing both, an officer who did not gets both warnings at
 * once, and the EEB head, who also chose the digest, gets the 超期 mails at once (never digested).
 */
describe('daily warning digest (time-skipping)', () => {
  let stack: Stack;
  let head: string;
  let digestOfficer: string;
  let immediateOfficer: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack(
      { RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_URL: 'https://linkage.example.gov.cn' },
      { timeSkipping: true },
    );
    head = await stack.userToken({ agency: 'eeb', role: 'head' }, '生态环境局负责人');
    digestOfficer = await stack.userToken({ agency: 'eeb', role: 'officer' }, '汇总办案人员');
    immediateOfficer = await stack.userToken({ agency: 'eeb', role: 'officer' }, '即时办案人员');
    for (const [name, token] of Object.entries({ head, digestOfficer, immediateOfficer })) {
      ids[name] = ((await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string }).id;
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  const mailTo = (userId: string, subject: string) =>
    stack.smtp.received.filter(
      (m) => m.to && JSON.stringify(m.to).includes(`${userId}@test.local`) && (m.subject ?? '').includes(subject),
    );

  it('sets and reads the preference through the API, refusing a bad value in Chinese', async () => {
    const before = await request(stack.base, digestOfficer, 'GET', '/api/v1/me/preferences');
    expect(before.json).toMatchObject({ warningDelivery: 'immediate', digestTime: '08:30' });
    const bad = await request(stack.base, digestOfficer, 'PUT', '/api/v1/me/preferences', {
      warningDelivery: 'weekly',
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error?.message).toMatch(/[\u4e00-\u9fff]/);
    for (const token of [digestOfficer, head]) {
      const put = await request(stack.base, token, 'PUT', '/api/v1/me/preferences', { warningDelivery: 'digest' });
      expect(put.status).toBe(200);
      expect(put.json).toMatchObject({ warningDelivery: 'digest', warningDeliveryZh: '每日汇总（摘要邮件）' });
    }
    expect((await request(stack.base, digestOfficer, 'GET', '/api/v1/me/preferences')).json.warningDelivery).toBe(
      'digest',
    );
    expect((await request(stack.base, immediateOfficer, 'GET', '/api/v1/me/preferences')).json.warningDelivery).toBe(
      'immediate',
    );
  });

  it('holds warnings for the digest user, mails them at once to the others, and never holds an overdue', async () => {
    const db = stack.db.handle.db;
    const caseIds: string[] = [];
    for (const n of [1, 2]) {
      const created = await request(stack.base, head, 'POST', '/api/v1/cases', {
        title: `拒不停产整治案 ${n}`,
        track: 'detention',
        documentNumber: `长环移拘审〔2026〕${n}号`,
      });
      expect(created.status).toBe(201);
      caseIds.push((created.json.case as { id: string }).id);
    }
    const clocks = await waitFor('both clocks', async () => {
      const rows = await db
        .select()
        .from(deadlines)
        .where(and(inArray(deadlines.caseId, caseIds), eq(deadlines.ruleId, 'eeb.detention-transfer')));
      return rows.length === 2 ? rows : undefined;
    });
    const lastWarning = Math.max(...clocks.map((c) => c.warningDueAt!.getTime()));
    const firstDue = Math.min(...clocks.map((c) => c.dueAt.getTime()));
    expect(lastWarning).toBeLessThan(firstDue);

    // 预警: both clocks warned; the digest officer's rows are held, the other officer's mailed.
    await stack.env.sleep(lastWarning - (await stack.env.currentTimeMs()) + 60_000);
    const warnings = await waitFor('warnings queued', async () => {
      const rows = await db.select().from(notifications).where(inArray(notifications.caseId, caseIds));
      const w = rows.filter((r) => r.subject.startsWith('【预警】'));
      return w.length === 4 && w.every((r) => r.status !== 'pending') ? w : undefined;
    });
    const held = warnings.filter((w) => w.recipientUserId === ids.digestOfficer);
    expect(held.map((h) => [h.channel, h.status])).toEqual([
      ['digest', 'held'],
      ['digest', 'held'],
    ]);
    expect(held[0].digestEntry).toMatchObject({
      ruleId: 'eeb.detention-transfer',
      ruleLabelZh: RULES['eeb.detention-transfer'].labelZh,
      basis: RULES['eeb.detention-transfer'].basis,
    });
    expect(warnings.filter((w) => w.recipientUserId === ids.immediateOfficer).map((w) => w.status)).toEqual([
      'sent',
      'sent',
    ]);
    expect(mailTo(ids.immediateOfficer, '【预警】')).toHaveLength(2);
    expect(mailTo(ids.digestOfficer, '【预警】')).toHaveLength(0);
    // The in-app inbox still shows every warning to the digest user.
    const inbox = await request(stack.base, digestOfficer, 'GET', '/api/v1/me/notifications');
    expect(
      (inbox.json.items as { subject: string; status: string }[])
        .filter((i) => i.subject.startsWith('【预警】'))
        .map((i) => i.status),
    ).toEqual(['held', 'held']);

    // 超期: the head chose the digest too, but overdue mail goes at once.
    await stack.env.sleep(
      Math.max(...clocks.map((c) => c.dueAt.getTime())) - (await stack.env.currentTimeMs()) + 60_000,
    );
    await waitFor('overdue mail to the head', async () =>
      mailTo(ids.head, '【超期】').length === 2 ? true : undefined,
    );
    const overdueRows = await db
      .select()
      .from(notifications)
      .where(and(inArray(notifications.caseId, caseIds), eq(notifications.recipientUserId, ids.head)));
    expect(overdueRows.filter((r) => r.subject.startsWith('【超期】')).map((r) => [r.channel, r.status])).toEqual([
      ['email', 'sent'],
      ['email', 'sent'],
    ]);
    expect(mailTo(ids.digestOfficer, '')).toHaveLength(0);

    // The digest: one mail to the digest officer listing both warnings, even though its first attempt failed.
    const day = new Date((await stack.env.currentTimeMs()) + 8 * 3600_000).toISOString().slice(0, 10);
    stack.smtp.refuse = true;
    const run = await stack.env.client.workflow.start(dailyDigestWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `digest-test-${day}`,
      args: [{ day, publicUrl: stack.config.publicUrl }],
    });
    const digestRow = await waitFor('a refused first delivery attempt', async () => {
      const [r] = await db
        .select()
        .from(notifications)
        .where(eq(notifications.id, `digest/${ids.digestOfficer}/${day}`));
      return r && r.attempts >= 1 && r.lastError ? r : undefined;
    });
    expect(digestRow.status).toBe('pending');
    stack.smtp.refuse = false;
    const result = await run.result();
    // The retry found the digest made by the failed attempt: nothing composed twice, its one mail sent now.
    expect(result).toMatchObject({ day, digests: 1, items: 2, created: 0, sent: 1 });

    const digests = mailTo(ids.digestOfficer, '【每日预警摘要】');
    expect(digests).toHaveLength(1);
    const [mail] = digests;
    expect(mail.subject).toBe(
      `【每日预警摘要】${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日 共 2 项预警`,
    );
    expect(mail.messageId).toBe(`<${digestRow.messageId}>`);
    const [{ caseNumber: n1 }, { caseNumber: n2 }] = await Promise.all(
      caseIds.map(
        async (id) =>
          (await request(stack.base, head, 'GET', `/api/v1/cases/${id}`)).json.case as { caseNumber: string },
      ),
    );
    for (const [i, caseId] of caseIds.entries()) {
      expect(mail.text).toContain(`${[n1, n2][i]} 拒不停产整治案 ${i + 1}`);
      expect(mail.text).toContain(`链接：https://linkage.example.gov.cn/#/cases/${caseId}`);
    }
    expect(mail.text).toContain(`期限规则：eeb.detention-transfer（${RULES['eeb.detention-transfer'].labelZh}）`);
    expect(mail.text).toContain(`法律依据：${RULES['eeb.detention-transfer'].basis}`);
    expect(mail.text).toMatch(/期满时间：\d{4}年\d{2}月\d{2}日 23:59:59（北京时间）/);
    // Nobody else got a digest: the head had no held warning, the immediate officer chose none.
    expect(stack.smtp.received.filter((m) => (m.subject ?? '').includes('【每日预警摘要】'))).toHaveLength(1);
    const after = await db
      .select()
      .from(notifications)
      .where(
        inArray(
          notifications.id,
          held.map((h) => h.id),
        ),
      );
    expect(after.map((r) => r.status)).toEqual(['digested', 'digested']);
    const [digest] = await db
      .select()
      .from(notificationDigests)
      .where(eq(notificationDigests.userId, ids.digestOfficer));
    expect(digest).toMatchObject({ day, notificationId: digestRow.id });
    expect((digest.itemIds as string[]).sort()).toEqual(held.map((h) => h.id).sort());

    // A second run the same day (a retried schedule run, "trigger now") sends nothing more.
    const again = await stack.env.client.workflow.execute(dailyDigestWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `digest-test-${day}-again`,
      args: [{ day }],
    });
    expect(again).toMatchObject({ digests: 1, items: 2, created: 0, sent: 0 });
    expect(stack.smtp.received.filter((m) => (m.subject ?? '').includes('【每日预警摘要】'))).toHaveLength(1);
    expect(await db.select().from(notificationDigests)).toHaveLength(1);
    await saveDutyFixture(stack, 'daily-digest-retried', run.workflowId);
  });

  it("also holds a joint release review's warning (rule release.approval) for the digest and lists it the next day", async () => {
    const db = stack.db.handle.db;
    const spp = await stack.userToken({ agency: 'spp', role: 'officer' }, '汇总检察官');
    const sppId = ((await request(stack.base, spp, 'GET', '/api/v1/me')).json as { id: string }).id;
    expect(
      (await request(stack.base, spp, 'PUT', '/api/v1/me/preferences', { warningDelivery: 'digest' })).status,
    ).toBe(200);
    const releaseId = '00000000-0000-4000-9000-0000000d1be5';
    const content: ReleaseContent = {
      title: '联合开展危险废物专项执法行动',
      body: '三部门联合开展危险废物专项执法行动。',
      kind: 'majorAction',
      caseIds: [],
      confidentiality: 'public',
    };
    const drafter = { userId: ids.head, agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
    const rel = await stack.env.client.workflow.start(jointReleaseWorkflow, {
      workflowId: releaseWorkflowId(releaseId),
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ releaseId, content, drafter, createdAtMs: await stack.env.currentTimeMs() }],
    });
    await rel.executeUpdate(releaseRegisteredUpdate);
    const submitted = await rel.executeUpdate(submitReleaseUpdate, { args: [{ actor: drafter, input: {} }] });
    const review = submitted.approvals.find((a) => a.agency === 'spp')!;
    await stack.env.sleep(review.warningAtMs! - (await stack.env.currentTimeMs()) + 60_000);
    const [held] = await waitFor('the review warning held', async () => {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.recipientUserId, sppId), eq(notifications.status, 'held')));
      return rows.length ? rows : undefined;
    });
    expect(held.subject).toContain('【预警】联合发布稿审核');
    expect(held.digestEntry).toMatchObject({
      ruleId: 'release.approval',
      ruleLabelZh: POLICY_RULES['release.approval'].labelZh,
      basis: POLICY_RULES['release.approval'].basis,
      link: `#/releases/${releaseId}`,
    });
    expect(mailTo(sppId, '【预警】')).toHaveLength(0); // the review request itself (a task) went at once

    const day = new Date((await stack.env.currentTimeMs()) + 8 * 3600_000).toISOString().slice(0, 10);
    const result = await stack.env.client.workflow.execute(dailyDigestWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `digest-release-${day}`,
      args: [{ day, publicUrl: stack.config.publicUrl }],
    });
    // Two digests: the SPP officer's, and the EEB digest officer's (the EEB's own review warned too).
    expect(result).toMatchObject({ created: 2, sent: 2 });
    expect(mailTo(ids.digestOfficer, '【每日预警摘要】')).toHaveLength(2);
    const [mail] = mailTo(sppId, '【每日预警摘要】');
    expect(mail.text).toContain('期限规则：release.approval');
    expect(mail.text).toContain(`链接：https://linkage.example.gov.cn/#/releases/${releaseId}`);
    await rel.terminate('测试结束');
  });
});
