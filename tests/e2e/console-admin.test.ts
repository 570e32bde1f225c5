import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { cases, deadlines, dutyItems, dutyPeriods } from '../../db/schema';
import { recurringPeriodOf } from '../../domain/deadlines';
import { ensureSchedules } from '../../infra/schedules';
import { chinaDate } from '../../workflows/duties/common';
import { openConsole, type ConsoleBrowser } from '../helpers/browser';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * The mechanism's pages and the administration pages in a real browser, on the dev server (the duties run as
 * Temporal Schedules, which the time-skipping server lacks): joint enforcement (plan, refusal, outcome with a lead,
 * a case opened from the lead), training with attendance, a joint meeting with minutes and a resolution, an ad-hoc
 * meeting, briefings; users and tokens (shown once, revoked), agencies and the working group, a holiday calendar
 * whose preview names the clock it moves, schedules (pause, resume, trigger, cadence).
 */
describe('web console: mechanism and administration pages', () => {
  let stack: Stack;
  let b: ConsoleBrowser;
  let page: Page;
  const password = 'Console-Test-2026!';
  const users: Record<string, { username: string; token: string }> = {};
  const today = chinaDate(Date.now());
  const jeId = `duty-joint-enforcement-${recurringPeriodOf('monthly', today).key}`;
  const trainingId = `duty-training-${today.slice(0, 4)}`;
  const meetingId = `duty-joint-meeting-${recurringPeriodOf('quarterly', today).key}`;
  const started = Date.now();

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    for (const [key, p, name] of [
      ['eeb', { agency: 'eeb', role: 'head' }, '史局长'],
      ['wg', { agency: 'workingGroup', role: 'liaison' }, '工作组联络人'],
    ] as const) {
      const token = await stack.userToken(p, name);
      const me = (await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string; username: string };
      await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password });
      users[key] = { username: me.username, token };
    }
    const admin = (await request(stack.base, stack.adminToken, 'GET', '/api/v1/me')).json as {
      id: string;
      username: string;
    };
    expect(
      (await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${admin.id}/password`, { password })).status,
    ).toBe(204);
    users.admin = { username: admin.username, token: stack.adminToken };
    await ensureSchedules(stack.env.client, stack.config);
    for (const id of [jeId, trainingId, meetingId])
      await waitFor(
        id,
        async () => (await stack.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, id)))[0],
      );
    b = await openConsole(stack.base);
    page = b.page;
  });
  afterAll(async () => {
    await b?.browser.close();
    await stack?.close();
    console.log(`console admin browser test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const form = (summary: string | RegExp) => {
    const details = page.locator('details.step', { has: page.locator('summary', { hasText: summary }) }).first();
    return {
      details,
      summary: () => details.locator('summary'),
      open: () => details.locator('summary').click(),
      form: details.locator('form'),
    };
  };

  it('shows the mechanism on the dashboard; plans a joint operation (a refusal shows its reason), records its outcome and opens a case from its lead', async () => {
    await b.login(users.eeb.username, password);
    await page.locator('#je-status').getByText('进行中').waitFor();
    await page.locator('#training-status').getByText('进行中').waitFor();
    await b.shot('11-dashboard-mechanism');
    await page.locator('#je-status a').click();
    await page.getByRole('heading', { name: /联合执法/ }).waitFor();

    const plan = form('计划联合执法行动');
    await plan.open();
    await plan.form.getByLabel(/行动名称/).fill('漳河流域排污口联合检查');
    await plan.form.getByLabel(/生态环境局参加人员/).fill('张明\n赵亮');
    await plan.form.getByLabel(/公安局参加人员/).fill('李强');
    await plan.form.getByRole('button', { name: '提交计划' }).click();
    // No place given: the workflow's validator refuses, the reason shows in Chinese.
    await plan.form
      .locator('.error')
      .getByText(/places|地点/)
      .waitFor();
    await plan.form.getByLabel(/检查地点/).fill('漳河一号排污口\n某化工公司厂区');
    await plan.form.getByRole('button', { name: '提交计划' }).click();
    await page.locator('#operations').getByText('漳河流域排污口联合检查').waitFor();
    await b.shot('12-joint-operation-planned');

    const outcome = form(/^录入结果：/);
    await outcome.open();
    await outcome.form.getByLabel(/检查点位数/).fill('6');
    await outcome.form.getByLabel(/发现违法行为数/).fill('1');
    await outcome.form.getByLabel(/发现的案件线索/).fill('某化工公司夜间偷排含铬废水');
    await outcome.form.getByLabel('附件（名称与存档位置） 1：名称').fill('现场检查笔录');
    await outcome.form.getByLabel('存档位置或编号').first().fill('档案-2026-118');
    await outcome.form.getByRole('button', { name: '录入结果' }).click();
    await page.locator('#operations').getByText('检查点位 6 个，发现违法 1 起').waitFor();
    await page.locator('#leads').getByText('某化工公司夜间偷排含铬废水').first().waitFor();
    await b.shot('13-joint-operation-outcome');

    const lead = form('由此线索登记案件');
    await lead.open();
    await lead.form.getByRole('button', { name: '登记案件' }).click();
    await page.getByText('当前阶段：').waitFor();
    const [c] = await stack.db.handle.db.select().from(cases).where(eq(cases.title, '某化工公司夜间偷排含铬废水'));
    expect(page.url()).toContain(c.id);
  });

  it('plans a training and records its attendance', async () => {
    await page.getByRole('link', { name: '联动机制' }).click();
    await page.getByRole('link', { name: '教育培训', exact: true }).click();
    await page
      .locator('#duties')
      .getByRole('link', { name: /教育培训/ })
      .first()
      .click();
    const plan = form('计划培训');
    await plan.summary().waitFor();
    // A list still loading when the user opens a record must not paint over it (CI saw the tab's list replace the
    // training page): from the dashboard, the list is opened and, while its answer is held back, the record.
    await page.getByRole('link', { name: '工作台' }).click();
    await page.locator('#je-status').waitFor();
    let releaseList = () => {};
    const listHeld = new Promise<void>((ok) => (releaseList = ok));
    await page.route(/\/api\/v1\/duties\?/, async (r) => {
      await listHeld;
      await r.continue();
    });
    await page.evaluate(() => (location.hash = '#/duties?dutyId=training.annual'));
    await page.evaluate((id) => (location.hash = `#/duties/${id}`), trainingId);
    await plan.summary().waitFor();
    const answered = page.waitForResponse(/\/api\/v1\/duties\?/);
    releaseList();
    await answered;
    await page.waitForTimeout(500);
    expect(await page.locator('h1').first().textContent()).toBe(`${trainingId.slice(-4)}年度教育培训`);
    expect(await page.locator('#duties').count()).toBe(0);
    await page.unroute(/\/api\/v1\/duties\?/);
    await plan.open();
    await plan.form.getByLabel(/培训名称/).fill('危险废物案件证据固定培训');
    await plan.form.getByLabel(/组织单位/).selectOption('joint');
    await plan.form.getByRole('button', { name: '提交培训计划' }).click();
    await page.locator('#sessions').getByText('危险废物案件证据固定培训').waitFor();
    const rec = form(/^记录举办情况与出勤：/);
    await rec.open();
    await rec.form.getByLabel(/生态环境局出勤人数/).fill('12');
    await rec.form.getByLabel(/公安局出勤人数/).fill('8');
    await rec.form.getByLabel(/检察院出勤人数/).fill('3');
    await rec.form.getByRole('button', { name: '记录举办情况' }).click();
    await page.locator('#sessions').getByText('生态环境局 12 人，公安局 8 人，检察院 3 人').waitFor();
    await b.shot('14-training');
  });

  it('schedules a joint meeting, records minutes with a resolution and completes it; requests an ad-hoc meeting; reads briefings', async () => {
    await page.goto(`${stack.base}/#/duties/${meetingId}`);
    const sched = form('安排会议');
    await sched.open();
    await sched.form.getByLabel('地点').fill('市生态环境局三楼会议室');
    await sched.form.getByRole('button', { name: '安排会议' }).click();
    await page.getByText('在市生态环境局三楼会议室召开').first().waitFor();
    const minutes = form('录入会议纪要');
    await minutes.open();
    await minutes.form.getByLabel(/生态环境局参会人员/).fill('史局长');
    await minutes.form.getByLabel(/公安局参会人员/).fill('杨波');
    await minutes.form.getByLabel(/检察院参会人员/).fill('闫红花');
    await minutes.form.getByLabel(/^纪要/).fill('通报本季度联动执法情况，研究超期案件督办。');
    await minutes.form.getByLabel('议定事项 1').fill('生态环境局补充移送材料');
    await minutes.form.getByLabel('责任单位').first().selectOption('eeb');
    await minutes.form.getByRole('button', { name: '保存会议纪要' }).click();
    await page.locator('#resolutions').getByText('生态环境局补充移送材料').waitFor();
    await b.shot('15-joint-meeting');
    const done = form('办结');
    await done.open();
    await done.form.getByLabel(/办理情况/).fill('已于会后补充移送');
    await done.form.getByRole('button', { name: '办结议定事项' }).click();
    await page.locator('#resolutions').getByText('已办结').waitFor();

    await page.getByRole('link', { name: '联动机制' }).click();
    const adhoc = form('提请临时召开联席会议');
    await adhoc.open();
    await adhoc.form.getByLabel(/提请理由/).fill('某化工公司案件机关间存在分歧');
    await adhoc.form.getByRole('button', { name: '提请召开' }).click();
    await page.getByText('临时会议').waitFor();
    await b.shot('16-adhoc-meeting');

    // Last month's briefing was issued when its schedule first ran.
    await waitFor(
      'briefing',
      async () => (await stack.db.handle.db.select().from(dutyItems).where(eq(dutyItems.kind, 'briefing')))[0],
    );
    await page.getByRole('link', { name: '信息通报' }).click();
    await page.locator('table.briefing').first().getByText('移送涉嫌犯罪案件').waitFor();
    await b.shot('17-briefings');
  });

  it('imports a file of penalty records and shows the bad row by its line', async () => {
    await page.getByRole('link', { name: '数据导入' }).click();
    const f = page.locator('#import-form');
    await f.getByLabel(/^文件/).setInputFiles(path.join(__dirname, '..', 'fixtures', 'penalties-2026-10.csv'));
    await f.getByLabel(/记录类型/).selectOption('penalty');
    await f.getByLabel(/来源系统/).fill('eeb-xzcf');
    await f.getByRole('button', { name: '上传并导入' }).click();
    // The job page follows the import's progress until it ends: one bad date rejects the whole file.
    await page.locator('#import-status', { hasText: '已拒绝' }).waitFor({ timeout: 60_000 });
    const errors = await page.locator('#import-errors').innerText();
    expect(errors).toContain('EEB-XZCF-2026-0103');
    expect(errors).toMatch(/5\s+EEB-XZCF-2026-0103/);
    await b.shot('18-import-rejected');
    await page.getByRole('link', { name: '返回数据导入' }).click();
    await page.locator('#imports').getByText('penalties-2026-10.csv').waitFor();
  });

  it('lets the administrator create a user, see a token once, issue and revoke tokens', async () => {
    await page.locator('#who').getByRole('button', { name: '退出' }).click();
    await b.login(users.admin.username, password);
    await page.getByRole('heading', { name: '用户与令牌' }).waitFor();
    // The list the page reads carries no password hash (the administrator's own password is set).
    const listed = await request(stack.base, stack.adminToken, 'GET', '/api/v1/users');
    expect(listed.text).not.toContain('scrypt');
    expect(listed.text).toContain('"hasPassword":true');
    const create = page.locator('#new-user');
    await create.getByLabel(/用户名/).fill('eeb-wang');
    await create.getByLabel(/姓名/).fill('王执法');
    await create.getByLabel(/所属机关/).selectOption('eeb');
    await create.getByLabel(/角色/).selectOption('officer');
    await create.getByLabel('电子邮箱').fill('wang@eeb.example');
    await create.getByLabel('电子邮箱').press('Enter');
    const first = await page.locator('#secret-token').innerText();
    expect((await request(stack.base, first, 'GET', '/api/v1/me')).json).toMatchObject({
      username: 'eeb-wang',
      agency: 'eeb',
    });
    await b.shot('19-users-token-once');
    await page.getByRole('button', { name: '我已保存，关闭' }).click();
    await page.locator('#secret-token').waitFor({ state: 'detached' });

    await page.locator('#users tr', { hasText: 'eeb-wang' }).getByRole('button', { name: '令牌与密码' }).click();
    await page.locator('#token-list').getByText('初始令牌').waitFor();
    await page
      .locator('#new-token')
      .getByLabel(/令牌用途/)
      .fill('案件系统对接');
    await page.locator('#new-token').getByRole('button', { name: '签发令牌' }).click();
    const second = await page.locator('#secret-token').innerText();
    expect((await request(stack.base, second, 'GET', '/api/v1/me')).status).toBe(200);
    await page.getByRole('button', { name: '我已保存，关闭' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.locator('#token-list tr', { hasText: '案件系统对接' }).getByRole('button', { name: '吊销' }).click();
    await page.locator('#token-list tr', { hasText: '案件系统对接' }).getByText('已吊销').waitFor();
    expect((await request(stack.base, second, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await request(stack.base, first, 'GET', '/api/v1/me')).status).toBe(200);
    await b.shot('20-user-tokens');

    await page.getByRole('link', { name: '成员单位' }).click();
    await page.locator('#roster').getByText('史跃宏').waitFor();
    await page.locator('#agencies').getByText('长治市人民检察院').waitFor();
    await b.shot('21-agencies');
  });

  it('loads a holiday notice after previewing which open clocks it moves', async () => {
    // An open clock: eeb.transfer-report (7 days from the task force; a due date on a holiday moves to the next working day).
    const reg = await request(stack.base, users.eeb.token, 'POST', '/api/v1/cases', {
      title: '某电镀厂超标排放案',
      track: 'criminal',
    });
    const caseId = (reg.json as { case: { id: string; caseNumber: string } }).case.id;
    expect(
      (
        await request(stack.base, users.eeb.token, 'POST', `/api/v1/cases/${caseId}/steps/formTaskForce`, {
          members: ['张明', '赵亮'],
        })
      ).status,
    ).toBe(200);
    const clock = await waitFor(
      'transfer-report clock',
      async () =>
        (
          await stack.db.handle.db
            .select()
            .from(deadlines)
            .where(
              and(
                eq(deadlines.caseId, caseId),
                eq(deadlines.ruleId, 'eeb.transfer-report'),
                eq(deadlines.status, 'open'),
              ),
            )
        )[0],
    );
    const year = Number(clock.dueDate.slice(0, 4));
    const current = await request(stack.base, stack.adminToken, 'GET', `/api/v1/calendars/${year}`);
    const data =
      current.status === 200
        ? (current.json as unknown as { holidays: string[]; workdays: string[] })
        : { holidays: [], workdays: [] };
    const holidays = [...data.holidays, clock.dueDate];
    const workdays = data.workdays.filter((d) => d !== clock.dueDate);

    await page.getByRole('link', { name: '节假日安排' }).click();
    const f = page.locator('#calendar-form');
    await f.getByLabel(/^年度/).fill(String(year));
    await f.getByLabel(/通知文号/).fill('国办发明电〔测试〕1号（更正）');
    await f.getByLabel(/通知日期/).fill(today);
    await f.getByLabel(/放假日期/).fill(holidays.join('\n'));
    await f.getByLabel(/调休上班日期/).fill(workdays.join('\n'));
    await f.getByRole('button', { name: '预览受影响的期限' }).click();
    const row = page.locator('#affected tr', { hasText: 'eeb.transfer-report' });
    await row.waitFor();
    // The administrator reads no case: the clock is listed, its case is not named.
    expect(await row.innerText()).not.toContain((reg.json as { case: { caseNumber: string } }).case.caseNumber);
    expect(await row.innerText()).toContain('不显示案件');
    await b.shot('22-calendar-preview');
    await page.getByRole('button', { name: /确认载入/ }).click();
    await page
      .locator('#calendar-loaded')
      .getByText(/项期限重新计算/)
      .waitFor();
    await page.locator('#calendars').getByText('国办发明电〔测试〕1号（更正）').waitFor();
    await waitFor('clock moved', async () => {
      const [d] = await stack.db.handle.db.select().from(deadlines).where(eq(deadlines.id, clock.id));
      return d.dueDate > clock.dueDate ? d : undefined;
    });
  });

  it('pauses, resumes and triggers a schedule and changes a cadence', async () => {
    await page.getByRole('link', { name: '定期任务' }).click();
    const je = page.locator('#schedule-duty-joint-enforcement-monthly');
    await je.getByRole('button', { name: '暂停' }).click();
    await je.getByText('已暂停').waitFor();
    await b.shot('23-schedules-paused');
    await je.getByRole('button', { name: '恢复' }).click();
    await je.getByText('运行中').waitFor();
    await page.locator('#schedule-duty-training-annual').getByRole('button', { name: '立即运行' }).click();
    await page.locator('#toast').getByText('已立即运行').waitFor();
    // The training's cadence is set by the mechanism; the meeting's is "定期" and may change.
    expect(await page.locator('#schedule-duty-training-annual').innerText()).toContain('制度规定，不可修改');
    const meeting = page.locator('#schedule-duty-joint-meeting-periodic');
    await meeting.getByLabel(/周期/).selectOption('monthly');
    await meeting.getByRole('button', { name: '修改周期' }).click();
    await page.locator('#toast').getByText('周期已修改').waitFor();
    // The schedule's description follows its update shortly after.
    await waitFor('cadence monthly', async () => {
      const list = await request(stack.base, stack.adminToken, 'GET', '/api/v1/schedules');
      return (list.json.items as { id: string; cadence: string }[]).find((s) => s.id === 'duty-joint-meeting-periodic')
        ?.cadence === 'monthly'
        ? true
        : undefined;
    });
    await b.shot('24-schedules');
  });

  it('raised no script error and fetched nothing from outside', () => {
    expect(b.errors).toEqual([]);
  });
});
