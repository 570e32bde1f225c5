import type { Page } from 'playwright-core';
import { supervisionItemId, supervisionWorkflowId } from '../../domain/supervision';
import { supervisionItemWorkflow } from '../../workflows/supervision';
import { openConsole, type ConsoleBrowser } from '../helpers/browser';
import { request, startStack, type Stack } from '../helpers/stack';

/**
 * The 监督事项 pages in a real browser (dev server, worker, PostgreSQL): an item the procuratorate's sweep opened
 * (有案不移) is listed for the SPP, which issues a 建议移送 opinion; the EEB, addressed, answers it; the SPP closes it.
 */
describe('web console: supervision items', () => {
  let stack: Stack;
  let b: ConsoleBrowser;
  let page: Page;
  const password = 'Console-Test-2026!';
  const users: Record<string, { username: string; token: string }> = {};
  const started = Date.now();
  let itemId = '';

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    for (const [key, p, name] of [
      ['eeb', { agency: 'eeb', role: 'officer' }, '执法队赵队长'],
      ['spp', { agency: 'spp', role: 'head' }, '第一检察部孙检察官'],
    ] as const) {
      const token = await stack.userToken(p, name);
      const me = (await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string; username: string };
      await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password });
      users[key] = { username: me.username, token };
    }
    const c = (
      await request(stack.base, users.eeb.token, 'POST', '/api/v1/cases', {
        title: '某焦化厂非法处置危险废物',
        track: 'criminal',
      })
    ).json.case as { id: string; caseNumber: string };
    itemId = supervisionItemId('case', c.id, 'notTransferred', 'sweep');
    await stack.env.client.workflow.start(supervisionItemWorkflow, {
      workflowId: supervisionWorkflowId(itemId),
      taskQueue: stack.config.temporal.taskQueue,
      args: [
        {
          seed: {
            itemId,
            kind: 'notTransferred',
            source: 'sweep',
            subjectType: 'case',
            subjectId: c.id,
            caseId: c.id,
            penaltyRecordId: null,
            criterionId: 'sweep.not-transferred',
            reasonZh: `案件 ${c.caseNumber} 认定涉嫌犯罪已逾 30 日仍未移送公安机关`,
            basis: '《环境保护行政执法与刑事司法衔接工作办法》第十四条',
            concernedAgency: 'eeb',
            subjectLabelZh: `案件 ${c.caseNumber}`,
            confidential: false,
          },
          openedAtMs: Date.now(),
        },
      ],
    });
    const end = Date.now() + 30_000;
    while ((await request(stack.base, users.spp.token, 'GET', `/api/v1/supervision-items/${itemId}`)).status !== 200) {
      if (Date.now() > end) throw new Error('the item row never appeared');
      await new Promise((r) => setTimeout(r, 200));
    }
    b = await openConsole(stack.base);
    page = b.page;
  }, 180_000);
  afterAll(async () => {
    await b?.browser.close();
    await stack?.close();
    console.log(`console supervision browser test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const login = async (who: string) => {
    await b.login(users[who].username, password);
    await page.getByRole('heading', { name: '工作台' }).waitFor();
  };
  const form = (summary: string | RegExp) => {
    const details = page.locator('details.step', { has: page.locator('summary', { hasText: summary }) }).first();
    return { details, open: () => details.locator('summary').click(), form: details.locator('form') };
  };

  it('the SPP issues an opinion, the EEB answers, the SPP closes', async () => {
    await login('spp');
    await page.getByRole('link', { name: '监督事项' }).click();
    await page.getByRole('heading', { name: '检察监督事项' }).waitFor();
    await page.locator('#supervision-items').getByText('定期排查').waitFor();
    await b.shot('41-supervision-items');
    await page.locator('#supervision-items').getByRole('link', { name: '有案不移' }).click();
    await page.locator('#supervision-status').getByText('待审查').waitFor();
    const opinion = form('发出监督意见');
    await opinion.form.getByLabel(/^意见类型/).selectOption('transferOpinion');
    // Empty content is refused in Chinese and nothing is sent.
    await opinion.form.getByRole('button', { name: '发出意见' }).click();
    await opinion.form
      .locator('.error')
      .getByText(/text|意见内容|必填|缺少/)
      .waitFor();
    await opinion.form.getByLabel(/^意见内容/).fill('建议三日内将该案移送公安机关，并将移送书抄送本院。');
    await opinion.form.getByRole('button', { name: '发出意见' }).click();
    await page
      .locator('#supervision-status')
      .getByText(/已发出检察意见/)
      .waitFor();
    await page
      .getByText(/eeb\.transfer-after-procuratorate-opinion/)
      .first()
      .waitFor();
    await b.shot('42-supervision-opinion');

    await login('eeb');
    await page.goto(`${stack.base}/#/supervision/${itemId}`);
    const answer = form(/答复检察意见/);
    await answer.form.getByLabel(/^答复内容/).fill('已于今日将该案移送市公安局，移送书已抄送市人民检察院。');
    await answer.form.getByRole('button', { name: '提交答复' }).click();
    await page
      .locator('#supervision-status')
      .getByText(/已答复/)
      .waitFor();

    await login('spp');
    await page.goto(`${stack.base}/#/supervision/${itemId}`);
    const close = form('办结监督事项');
    await close.form.getByLabel(/^办结结果/).selectOption('corrected');
    await close.form.getByRole('button', { name: '办结' }).click();
    await page.locator('#supervision-status').getByText('已办结').waitFor();
    await page.locator('#supervision-events li').nth(3).waitFor();
    await b.shot('43-supervision-closed');
  }, 180_000);
});
