import fs from 'node:fs';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { cases, deadlines, userPreferences, users } from '../../db/schema';
import { openConsole, type ConsoleBrowser } from '../helpers/browser';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * The web console in a real browser (Debian's chromium driven by playwright-core) on the time-skipping test server:
 * log in, register a case, move it through approval and transfer, see the PSB's task, let time pass until the
 * workflow's warning (预警) shows on the dashboard, read the case history, download it. Screenshots of each page:
 * test-results/screenshots/. Mechanism and administration pages: console-admin.test.ts (dev server, schedules).
 */
describe('web console in a real browser', () => {
  let stack: Stack;
  let b: ConsoleBrowser;
  let page: Page;
  const password = 'Console-Test-2026!';
  let eebHead = '';
  let psbOfficer = '';
  const started = Date.now();

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' }, { timeSkipping: true });
    for (const [p, name] of [
      [{ agency: 'eeb', role: 'head' }, '史局长'],
      [{ agency: 'psb', role: 'officer' }, '李强'],
    ] as const) {
      const token = await stack.userToken(p, name);
      const me = (await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string; username: string };
      await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password });
      if (p.agency === 'eeb') eebHead = me.username;
      else psbOfficer = me.username;
    }
    b = await openConsole(stack.base);
    page = b.page;
  });
  afterAll(async () => {
    await b?.browser.close();
    await stack?.close();
    console.log(`console browser test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const shot = (name: string) => b.shot(name);
  async function login(username: string) {
    await b.login(username, password);
    await page.getByRole('heading', { name: '工作台' }).waitFor();
  }

  async function doStep(label: string, fill: (form: import('playwright-core').Locator) => Promise<void>) {
    const details = page.locator('details.step', { hasText: label }).first();
    await details.locator('summary').click();
    const form = details.locator('form');
    await fill(form);
    await form.getByRole('button', { name: `提交：${label}` }).click();
  }

  it('shows a Chinese error for a wrong password, then logs in', async () => {
    await page.goto(`${stack.base}/`);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.getByLabel('用户名').fill(eebHead);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('用户名或密码错误').waitFor();
    await shot('01-login');
    await login(eebHead);
    await page.locator('#je-status').getByText('本期事项尚未开始').waitFor();
    await shot('02-dashboard');
  });

  it('registers a case and moves it through approval and transfer; the history shows each step', async () => {
    await page.getByRole('link', { name: '登记案件' }).click();
    await page.getByLabel('案件名称（必填）').fill('某化工公司非法倾倒危险废物案');
    await page.getByLabel('办理类型').selectOption('criminal');
    await shot('03-new-case');
    await page.getByRole('button', { name: '登记并启动案件流程' }).click();
    await page.getByText('当前阶段：').waitFor();
    await shot('04-case-lead');

    await doStep('成立专案组', async (form) => {
      await form.getByLabel(/专案组成员/).fill('张明\n赵亮');
    });
    await page.locator('#stage', { hasText: '专案组核实情况' }).waitFor();
    // A refused step shows the reason in Chinese (the document number is required).
    await doStep('提交移送涉嫌犯罪案件书面报告', async () => {});
    await page
      .locator('details.step[open] .error')
      .getByText(/缺少|必填|文书/)
      .waitFor();
    await page.locator('details.step[open] input').first().fill('长环报〔2026〕21号');
    await page.locator('details.step[open] button[type=submit]').click();
    await page.locator('#stage', { hasText: '移送报告待负责人审批' }).waitFor();
    await doStep('负责人批准移送', async (form) => {
      await form.locator('input').first().fill('长环批〔2026〕21号');
    });
    await page.locator('#stage', { hasText: '已批准移送' }).waitFor();
    await doStep('向公安机关移送案件', async (form) => {
      await form.locator('input[data-kind=string]').first().fill('长环移〔2026〕21号');
      await form.locator('input[type=checkbox]').first().check();
    });
    await page.locator('#stage', { hasText: '已移送（待公安机关接受）' }).waitFor();
    await shot('05-case-delivered');
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline).toContain('负责人批准移送');
    expect(timeline).toContain('长环移〔2026〕21号');
    expect(timeline).toMatch(/\d{4}年\d{2}月\d{2}日 /);
    // The case's documents: every step that carried a document number.
    const docs = await page.locator('#documents').innerText();
    for (const n of ['长环报〔2026〕21号', '长环批〔2026〕21号', '长环移〔2026〕21号']) expect(docs).toContain(n);

    // The transfer is an Art 34 decision (any.platform-entry): its information record waits for the EEB's entry.
    const info = page.locator('#information tr', { hasText: '案件移送' });
    for (let i = 0; i < 60 && (await info.count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
    }
    await info.locator('summary', { hasText: '录入案件信息' }).click();
    await info.getByLabel(/录入的案件信息/).fill('已将某化工公司非法倾倒危险废物案移送市公安局');
    await info.getByRole('button', { name: '录入' }).click();
    // Not public without a reason: refused with the reason in Chinese.
    await info
      .locator('.error')
      .getByText(/理由|说明/)
      .waitFor();
    await info.getByLabel(/密级说明/).fill('案件尚在侦查');
    await info.getByRole('button', { name: '录入' }).click();
    await page
      .locator('#information tr', { hasText: '案件移送' })
      .getByText(/已录入/)
      .waitFor();
    await shot('05b-case-information-record');
  });

  it('shows the PSB its new task on the dashboard and in the inbox; the case list filters', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await login(psbOfficer);
    await page.locator('#pending').getByText('接受移送案件并出具回执').first().waitFor();
    await shot('06-psb-dashboard');
    await page.getByRole('link', { name: '通知' }).click();
    await page.getByText('【待办】').first().waitFor();
    await shot('07-inbox');
    // The warning-mail preference on the inbox page (daily digest), stored for this user, then set back.
    const prefs = page.locator('#preferences-form');
    await prefs.getByLabel('预警邮件').selectOption('digest');
    await prefs.getByRole('button', { name: '保存' }).click();
    await prefs.getByText('当前：每日汇总（摘要邮件）').waitFor();
    const [pref] = await stack.db.handle.db
      .select()
      .from(userPreferences)
      .innerJoin(users, eq(users.id, userPreferences.userId))
      .where(eq(users.username, psbOfficer));
    expect(pref.user_preferences.warningDelivery).toBe('digest');
    await shot('07b-inbox-digest-preference');
    await prefs.getByLabel('预警邮件').selectOption('immediate');
    await prefs.getByRole('button', { name: '保存' }).click();
    await prefs.getByText('当前：逐条即时发送').waitFor();
    await page.getByRole('link', { name: '案件', exact: true }).click();
    await page.getByLabel('关键词').fill('化工');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByRole('link', { name: '某化工公司非法倾倒危险废物案' }).waitFor();
    await shot('08-case-list');
  });

  it('lets time pass on the test server until the workflow raises a warning, which the dashboard shows', async () => {
    const db = stack.db.handle.db;
    const [c] = await db.select().from(cases).where(eq(cases.title, '某化工公司非法倾倒危险废物案'));
    // The PSB's first clock with a warning instant (psb.receipt after the transfer).
    const [clock] = await db
      .select()
      .from(deadlines)
      .where(
        and(
          eq(deadlines.caseId, c.id),
          eq(deadlines.status, 'open'),
          eq(deadlines.responsibleAgency, 'psb'),
          isNotNull(deadlines.warningDueAt),
        ),
      )
      .orderBy(asc(deadlines.warningDueAt));
    expect(clock.ruleId).toBe('psb.receipt');
    // Before: the dashboard shows the clock without a warning.
    await page.getByRole('link', { name: '工作台' }).click();
    const row = page.locator('#pending tr', { hasText: '接受移送案件并出具回执' }).first();
    await expect(row.getAttribute('class')).resolves.toBe('level-none');
    const now = await stack.env.currentTimeMs();
    await stack.env.sleep(clock.warningDueAt!.getTime() - now + 60_000);
    // The workflow's timer fired and its activity recorded the warning (the browser's own clock has not moved).
    await waitFor('warning recorded', async () => {
      const [d] = await db.select().from(deadlines).where(eq(deadlines.id, clock.id));
      return d.escalationLevel === 'warning' ? d : undefined;
    });
    await page.reload();
    await row.locator('.badge.level-warning', { hasText: '预警' }).waitFor();
    await expect(row.getAttribute('class')).resolves.toBe('level-warning');
    await shot('09-dashboard-warning');
  });

  it('opens the case history with the warning, and downloads the raw history', async () => {
    await page.locator('#pending a', { hasText: /^\S+$/ }).first().click();
    await page.getByRole('link', { name: '查看完整办理记录' }).click();
    await page.getByRole('heading', { name: /^办理记录：/ }).waitFor();
    await page.locator('#events tr.level-warning', { hasText: '预警' }).first().waitFor();
    expect(await page.locator('#history').innerText()).toContain('向公安机关移送案件');
    await shot('10-case-history');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('下载原始历史（JSON）').click(),
    ]);
    const file = await download.path();
    expect(JSON.parse(fs.readFileSync(file!, 'utf8')).events.length).toBeGreaterThan(5);
  });

  it('requests a statistics report on the 报表 page, follows its progress and downloads the XLSX and the PDF', async () => {
    await page.getByRole('link', { name: '报表', exact: true }).click();
    await page.getByRole('heading', { name: '报表', exact: true }).waitFor();
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    await page.getByLabel(/^报表类型/).selectOption('statistics');
    await page.getByLabel(/^统计期间/).fill(String(year));
    await page.getByRole('button', { name: '生成报表' }).click();
    const row = page.locator('#reports tbody tr', { hasText: `${year}年统计报表` }).first();
    // The list follows the report's progress until its files are there.
    await row.locator('a[data-format="xlsx"]').waitFor({ timeout: 120_000 });
    await shot('11-reports');
    for (const [format, signature] of [
      ['xlsx', 'PK\u0003\u0004'],
      ['pdf', '%PDF-'],
    ]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        row.locator(`a[data-format="${format}"]`).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${year}年统计报表.${format}`);
      const bytes = fs.readFileSync((await download.path())!);
      expect(bytes.length).toBeGreaterThan(2000);
      expect(bytes.subarray(0, signature.length).toString('latin1')).toBe(signature);
    }
  });

  it('raised no script error and fetched nothing from outside', () => {
    expect(b.errors).toEqual([]);
  });
});
