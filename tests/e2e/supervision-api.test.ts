import { supervisionItemId, supervisionWorkflowId } from '../../domain/supervision';
import { supervisionItemWorkflow } from '../../workflows/supervision';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

type Json = Record<string, any>;

/**
 * 检察监督事项 over real HTTP (dev server, worker, PostgreSQL): the list with its filters and confidentiality, one
 * item's record, and its lifecycle through the API — the SPP's opinion (2017 Measures Art 14: 建议移送, answer clock
 * eeb.transfer-after-procuratorate-opinion), the addressed agency's answer, the SPP's closing — with every refusal
 * (wrong agency, wrong order) answered in Chinese.
 */
describe('supervision items API', () => {
  let stack: Stack;
  let eeb: string;
  let psb: string;
  let spp: string;
  let wg: string;
  let publicItem = '';
  let secretItem = '';

  const ok = <T extends { status: number; text: string }>(res: T, status = 200): T => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
    return res;
  };

  const openItem = async (caseId: string, caseNumber: string, confidential: boolean) => {
    const itemId = supervisionItemId('case', caseId, 'notTransferred', 'sweep');
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
            subjectId: caseId,
            caseId,
            penaltyRecordId: null,
            criterionId: 'sweep.not-transferred',
            reasonZh: `案件 ${caseNumber} 认定涉嫌犯罪已逾 30 日仍未移送公安机关`,
            basis: '《环境保护行政执法与刑事司法衔接工作办法》第十四条',
            concernedAgency: 'eeb',
            subjectLabelZh: confidential ? '（保密案件）' : `案件 ${caseNumber}`,
            confidential,
          },
          openedAtMs: Date.now(),
        },
      ],
    });
    return itemId;
  };

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' });
    psb = await stack.userToken({ agency: 'psb', role: 'officer' });
    spp = await stack.userToken({ agency: 'spp', role: 'officer' });
    wg = await stack.userToken({ agency: 'workingGroup', role: 'leader' });
    const pub = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/cases', { title: '某电镀厂超标排放含铬废水', track: 'criminal' }),
      201,
    ).json.case as Json;
    const secret = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/cases', {
        title: '保密的危险废物案',
        track: 'criminal',
        confidentiality: 'confidential',
      }),
      201,
    ).json.case as Json;
    publicItem = await openItem(pub.id, pub.caseNumber, false);
    secretItem = await openItem(secret.id, secret.caseNumber, true);
    await waitFor('both item rows', async () => {
      const res = await request(stack.base, spp, 'GET', '/api/v1/supervision-items');
      return (res.json as Json).total === 2 ? true : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('lists items by filter; a confidential case’s item only for the agencies involved and the SPP; never for the administrator', async () => {
    const all = ok(await request(stack.base, spp, 'GET', '/api/v1/supervision-items')).json as Json;
    expect(all.items.map((i: Json) => i.id).sort()).toEqual([publicItem, secretItem].sort());
    expect(all.items[0]).toMatchObject({
      kind: 'notTransferred',
      kindZh: '有案不移',
      status: 'opened',
      statusZh: expect.any(String),
      concernedAgency: 'eeb',
      sourceZh: '定期排查',
    });
    expect(all.items[0].clock).toMatchObject({ ruleId: 'supervision.review' });
    expect(all.items[0].opinionsAllowed.map((o: Json) => o.opinionKind)).toContain('transferOpinion');

    // The PSB took no part in the confidential case; the working group never reads confidential cases.
    for (const token of [psb, wg]) {
      const seen = ok(await request(stack.base, token, 'GET', '/api/v1/supervision-items')).json as Json;
      expect(seen.items.map((i: Json) => i.id)).toEqual([publicItem]);
      const hidden = await request(stack.base, token, 'GET', `/api/v1/supervision-items/${secretItem}`);
      expect(hidden.status).toBe(404);
      expect((hidden.json as Json).error.message).toBe('监督事项不存在');
    }
    // The EEB registered it: involved.
    expect(ok(await request(stack.base, eeb, 'GET', `/api/v1/supervision-items/${secretItem}`)).json).toMatchObject({
      id: secretItem,
    });

    const admin = await request(stack.base, stack.adminToken, 'GET', '/api/v1/supervision-items');
    expect(admin.status).toBe(403);

    expect(
      (ok(await request(stack.base, spp, 'GET', '/api/v1/supervision-items?status=closed')).json as Json).total,
    ).toBe(0);
    expect(
      (ok(await request(stack.base, spp, 'GET', '/api/v1/supervision-items?kind=notFiled')).json as Json).total,
    ).toBe(0);
    expect(
      (ok(await request(stack.base, spp, 'GET', '/api/v1/supervision-items?agency=eeb&overdue=false')).json as Json)
        .total,
    ).toBe(2);
    const bad = await request(stack.base, spp, 'GET', '/api/v1/supervision-items?status=nonsense');
    expect(bad.status).toBe(422);
  });

  it('opinion → answer → close through the API, each refused to the wrong agency or out of order', async () => {
    const path = `/api/v1/supervision-items/${publicItem}`;
    // Only the procuratorate issues opinions.
    const byPsb = await request(stack.base, psb, 'POST', `${path}/opinion`, {
      opinionKind: 'transferOpinion',
      text: '建议移送',
    });
    expect(byPsb.status).toBe(403);
    expect((byPsb.json as Json).error.message).toMatch(/检察院/);
    // The EEB cannot answer before there is an opinion.
    const early = await request(stack.base, eeb, 'POST', `${path}/answer`, { text: '已移送' });
    expect([403, 409]).toContain(early.status);
    // An opinion that does not fit the kind (通知立案 is for 有案不立).
    const wrongKind = await request(stack.base, spp, 'POST', `${path}/opinion`, {
      opinionKind: 'noticeToFile',
      text: '通知立案',
    });
    expect([409, 422]).toContain(wrongKind.status);

    const opinion = ok(
      await request(stack.base, spp, 'POST', `${path}/opinion`, {
        opinionKind: 'transferOpinion',
        text: '建议三日内将该案移送公安机关',
      }),
    ).json as Json;
    expect(opinion).toMatchObject({
      status: 'opinionIssued',
      opinionKind: 'transferOpinion',
      opinionZh: '建议移送的检察意见',
    });
    expect(opinion.clock).toMatchObject({ ruleId: 'eeb.transfer-after-procuratorate-opinion', agency: 'eeb' });

    // The opinion is addressed to the EEB: the PSB may not answer it.
    const psbAnswer = await request(stack.base, psb, 'POST', `${path}/answer`, { text: '不是本机关' });
    expect(psbAnswer.status).toBe(403);
    const empty = await request(stack.base, eeb, 'POST', `${path}/answer`, { text: '' });
    expect(empty.status).toBe(422);
    const answered = ok(
      await request(stack.base, eeb, 'POST', `${path}/answer`, { text: '已于今日移送公安局，移送书抄送检察院' }),
    ).json as Json;
    expect(answered).toMatchObject({ status: 'answered', answerText: '已于今日移送公安局，移送书抄送检察院' });

    const byEeb = await request(stack.base, eeb, 'POST', `${path}/close`, { result: 'corrected' });
    expect(byEeb.status).toBe(403);
    const closed = ok(await request(stack.base, spp, 'POST', `${path}/close`, { result: 'corrected', note: '已纠正' }))
      .json as Json;
    expect(closed).toMatchObject({ status: 'closed', result: 'corrected', resultNote: '已纠正' });
    expect(closed.closedAt).toEqual(expect.any(String));

    const again = await request(stack.base, spp, 'POST', `${path}/close`, { result: 'corrected' });
    expect(again.status).toBe(409);

    const detail = ok(await request(stack.base, wg, 'GET', path)).json as Json;
    const types = detail.events.map((e: Json) => e.type);
    expect(detail.events.length).toBeGreaterThanOrEqual(4);
    expect(types[0]).toMatch(/open/i);
    expect(detail.events.every((e: Json) => typeof e.labelZh === 'string' && e.labelZh.length > 0)).toBe(true);
  }, 120_000);
});
