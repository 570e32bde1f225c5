import type { Page } from 'playwright-core';
import { openConsole, type ConsoleBrowser } from '../helpers/browser';
import { request, startStack, type Stack } from '../helpers/stack';

/**
 * The 联合发布 page in a real browser (dev server, worker, PostgreSQL): the EEB drafts and submits, the PSB sees its
 * pending review with the due date and first asks for a change with a comment, the EEB revises (a new round), the
 * three agencies approve, the EEB publishes, and the public page (no login) shows the release.
 */
describe('web console: joint releases', () => {
  let stack: Stack;
  let b: ConsoleBrowser;
  let page: Page;
  const password = 'Console-Test-2026!';
  const users: Record<string, { username: string; token: string }> = {};
  const started = Date.now();

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    for (const [key, p, name] of [
      ['eeb', { agency: 'eeb', role: 'officer' }, '宣传科王科长'],
      ['eebHead', { agency: 'eeb', role: 'head' }, '史局长'],
      ['psb', { agency: 'psb', role: 'head' }, '杨副局长'],
      ['spp', { agency: 'spp', role: 'head' }, '闫检察长'],
    ] as const) {
      const token = await stack.userToken(p, name);
      const me = (await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string; username: string };
      await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password });
      users[key] = { username: me.username, token };
    }
    b = await openConsole(stack.base);
    page = b.page;
  });
  afterAll(async () => {
    await b?.browser.close();
    await stack?.close();
    console.log(`console releases browser test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  /** Logs in and waits for the dashboard the login lands on, so a navigation after it is not overtaken. */
  const login = async (who: string) => {
    await b.login(users[who].username, password);
    await page.getByRole('heading', { name: '工作台' }).waitFor();
  };
  const form = (summary: string | RegExp) => {
    const details = page.locator('details.step', { has: page.locator('summary', { hasText: summary }) }).first();
    return { details, open: () => details.locator('summary').click(), form: details.locator('form') };
  };
  let releaseId = '';

  it('drafts and submits a release; the PSB sees its pending review with the due date and asks for a change', async () => {
    await login('eeb');
    await page.getByRole('link', { name: '联合发布' }).click();
    await page.getByRole('heading', { name: '联合发布' }).waitFor();
    const draft = form('起草联合发布稿');
    await draft.open();
    await draft.form.getByLabel(/^标题/).fill('三部门联合开展漳河流域危险废物专项执法行动');
    await draft.form
      .getByLabel(/^正文/)
      .fill('市生态环境局、市公安局、市人民检察院联合开展漳河流域危险废物专项执法行动，检查企业四十二家。');
    await draft.form.getByLabel(/^密级（向社会/).selectOption('confidential');
    await draft.form.getByLabel('起草后立即提交三方审核').check();
    await draft.form.getByRole('button', { name: '保存草稿' }).click();
    // A confidential mark without its reason is refused in Chinese before anything starts.
    await draft.form
      .locator('.error')
      .getByText(/特别说明/)
      .waitFor();
    await draft.form.getByLabel(/^密级（向社会/).selectOption('public');
    await draft.form.getByRole('button', { name: '保存草稿' }).click();
    await page.locator('#release-status').getByText('审核中').waitFor();
    releaseId = /#\/releases\/([0-9a-f-]{36})/.exec(page.url())![1];
    await page.locator('#release-approvals').getByText('待审核').first().waitFor();
    await b.shot('31-release-submitted');

    await login('psb');
    // The dashboard names the review waiting for the PSB and its due date.
    await page
      .locator('#releases-pending')
      .getByText(/1 项.*期满/)
      .waitFor();
    await page.goto(`${stack.base}/#/releases`);
    const pending = page.locator('#pending-releases');
    await pending.getByText('三部门联合开展漳河流域危险废物专项执法行动').waitFor();
    await expect(pending.locator('td').nth(4).textContent()).resolves.toMatch(/\d{4}年\d{2}月\d{2}日/);
    await b.shot('32-releases-pending');
    await pending.getByRole('link').first().click();
    const decide = form(/本机关审核意见/);
    await decide.form.getByLabel('审核意见（必填）').selectOption('requestChanges');
    await decide.form.getByRole('button', { name: '提交审核意见' }).click();
    await decide.form
      .locator('.error')
      .getByText(/修改意见/)
      .waitFor();
    await decide.form.getByLabel(/意见或理由/).fill('请删除检查企业的具体数量');
    await decide.form.getByRole('button', { name: '提交审核意见' }).click();
    await page.locator('#release-status').getByText('待修改').waitFor();
  });

  it('revises (a new round), the three approve, and the drafter publishes to the public page', async () => {
    await login('eeb');
    await page.goto(`${stack.base}/#/releases/${releaseId}`);
    await page.locator('#release-status').getByText('待修改').waitFor();
    await b.shot('33-release-changes-requested');
    const revise = form(/修改发布稿/);
    await revise.form
      .getByLabel(/^正文/)
      .fill('市生态环境局、市公安局、市人民检察院联合开展漳河流域危险废物专项执法行动。');
    await b.shot('33-release-revise');
    // Enter in a field submits the form (keyboard use).
    await revise.form.getByLabel(/^标题/).press('Enter');
    await page.locator('#release-status').getByText('审核中').waitFor();
    await page.getByText('第 2 轮').first().waitFor();
    for (const who of ['eebHead', 'spp'] as const) {
      const res = await request(stack.base, users[who].token, 'POST', `/api/v1/releases/${releaseId}/decisions`, {
        decision: 'approve',
      });
      expect(res.status).toBe(200);
    }
    await login('psb');
    await page.goto(`${stack.base}/#/releases/${releaseId}`);
    const decide = form(/本机关审核意见/);
    await decide.form.getByLabel(/意见或理由/).fill('同意发布');
    await decide.form.getByRole('button', { name: '提交审核意见' }).click();
    await page.locator('#release-status').getByText('三方同意（待发布）').waitFor();

    await login('eeb');
    await page.goto(`${stack.base}/#/releases/${releaseId}`);
    const publish = form('向社会发布');
    await publish.form.getByRole('button', { name: '发布' }).click();
    await page.locator('#release-status').getByText('已发布').waitFor();
    await b.shot('34-release-published');

    await page.goto(`${stack.base}/public`);
    await page.getByRole('link', { name: '三部门联合开展漳河流域危险废物专项执法行动' }).click();
    await page.getByText('联合开展漳河流域危险废物专项执法行动。').waitFor();
    expect(await page.content()).not.toContain('四十二家');
    await b.shot('35-public-release');
    await page.goto(`${stack.base}/public`);
    await page.locator('#statistics').waitFor();
    await b.shot('36-public-statistics');
    expect(b.errors).toEqual([]);
  });
});
