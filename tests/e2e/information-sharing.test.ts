import { request, startStack, type Stack } from '../helpers/stack';

type Json = Record<string, unknown>;
interface FeedItem {
  id: string;
  caseNumber: string;
  caseTitle: string | null;
  confidentiality: string;
  content: string;
}

/**
 * Information sharing over real HTTP, a real Temporal dev server and PostgreSQL: case information records of
 * 2017 Measures Art 34 (rule any.platform-entry) and the export feed that honours their confidentiality marks.
 */
describe('information sharing: records and the export feed', () => {
  let stack: Stack;
  let eeb: string;
  let psb: string;
  let wg: string;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' }, '生态环境局办案人员');
    psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '公安局办案人员');
    wg = await stack.userToken({ agency: 'workingGroup', role: 'leader' }, '联动工作组组长');
  });
  afterAll(async () => {
    await stack.close();
  });

  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** An administrative case whose penalty decision (Art 34 item (一)) is pending entry; answers its record. */
  async function penaltyDecided(title: string, confidentiality: 'public' | 'internal' | 'confidential') {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', { title, track: 'administrative', confidentiality });
    expect(created.status).toBe(201);
    const caseId = (created.json.case as { id: string }).id;
    const decided = await request(stack.base, eeb, 'POST', `/api/v1/cases/${caseId}/steps/decideAdministrativePenalty`, { documentNumber: `长环罚〔2026〕${Math.floor(Math.random() * 1e6)}号` });
    expect(decided.status).toBe(200);
    const item = await until('the pending record', async () => {
      const res = await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/information-records`);
      return (res.json.items as Json[] | undefined)?.[0];
    });
    expect(item).toMatchObject({ step: 'decideAdministrativePenalty', article34Item: '一', status: 'pending', responsibleAgency: 'eeb' });
    return { caseId, path: `/api/v1/cases/${caseId}/information-records/${item.seq as number}` };
  }

  const feedAll = async (token: string | undefined, cursor?: string) => {
    const items: FeedItem[] = [];
    let next = cursor;
    const texts: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await request(stack.base, token, 'GET', `/api/v1/feed/cases?limit=1${next ? `&cursor=${next}` : ''}`);
      expect(res.status).toBe(200);
      texts.push(res.text);
      items.push(...(res.json.items as FeedItem[]));
      next = res.json.nextCursor as string;
      if (!res.json.hasMore) break;
    }
    return { items, cursor: next!, text: texts.join('\n') };
  };

  it('enters records with their marks; the feed gives 公开 to everyone, 内部 to agency tokens only, 保密 to nobody', async () => {
    const pub = await penaltyDecided('公开案件：某砖厂超标排放', 'public');
    // Only the deciding agency enters; a non-public mark needs its reason; the API answers in Chinese.
    const byPsb = await request(stack.base, psb, 'POST', pub.path, { content: '罚款五万元', confidentiality: 'public' });
    expect(byPsb.status).toBe(403);
    expect(byPsb.json.error?.message).toContain('生态环境局');
    const noReason = await request(stack.base, eeb, 'POST', pub.path, { content: '罚款五万元', confidentiality: 'internal' });
    expect(noReason.status).toBe(422);
    expect(noReason.json.error?.message).toContain('应当予以特别说明');
    const ok = await request(stack.base, eeb, 'POST', pub.path, { content: '公开信息：对某砖厂处罚款五万元', confidentiality: 'public' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'entered', confidentiality: 'public', confidentialityZh: '公开', late: false });
    expect((await request(stack.base, eeb, 'POST', pub.path, { content: '再录一次', confidentiality: 'public' })).status).toBe(409);

    const internalRecord = await penaltyDecided('公开案件：某洗煤厂偷排', 'public');
    expect((await request(stack.base, eeb, 'POST', internalRecord.path, { content: '内部信息：处罚款二十万元，当事人申请分期', confidentiality: 'internal', confidentialityReason: '涉及当事人经营状况' })).status).toBe(200);
    const secretRecord = await penaltyDecided('公开案件：某化工厂', 'public');
    expect((await request(stack.base, eeb, 'POST', secretRecord.path, { content: '保密信息：举报人王某提供线索', confidentiality: 'confidential', confidentialityReason: '涉及举报人身份' })).status).toBe(200);
    const internalCase = await penaltyDecided('内部案件：某冶炼厂名称', 'internal');
    expect((await request(stack.base, eeb, 'POST', internalCase.path, { content: '公开信息：对某冶炼厂处罚款十万元', confidentiality: 'public' })).status).toBe(200);
    const secretCase = await penaltyDecided('保密案件：专案名称', 'confidential');
    expect((await request(stack.base, eeb, 'POST', secretCase.path, { content: '保密案件中的公开标注内容', confidentiality: 'public' })).status).toBe(200);

    // No token: public records of non-confidential cases; an internal case is not named.
    const anon = await feedAll(undefined);
    expect(anon.items.map((i) => i.content).sort()).toEqual(['公开信息：对某冶炼厂处罚款十万元', '公开信息：对某砖厂处罚款五万元'].sort());
    expect(anon.items.find((i) => i.content.includes('冶炼厂'))!.caseTitle).toBeNull();
    for (const secret of ['内部信息', '保密信息', '举报人', '保密案件', '专案名称', '冶炼厂名称', '涉及举报人身份']) expect(anon.text).not.toContain(secret);

    // Agency and working-group tokens: internal too, never confidential.
    for (const token of [eeb, wg]) {
      const agency = await feedAll(token);
      expect(agency.items.map((i) => i.content).sort()).toEqual(
        ['公开信息：对某冶炼厂处罚款十万元', '公开信息：对某砖厂处罚款五万元', '内部信息：处罚款二十万元，当事人申请分期'].sort(),
      );
      expect(agency.items.find((i) => i.content.includes('冶炼厂'))!.caseTitle).toBe('内部案件：某冶炼厂名称');
      for (const secret of ['保密信息', '举报人', '保密案件', '专案名称']) expect(agency.text).not.toContain(secret);
    }
    // The administrator is no agency: public only.
    expect((await feedAll(stack.adminToken)).items).toHaveLength(2);

    // Incremental: from the last cursor only what was entered since.
    const before = await feedAll(eeb);
    expect((await feedAll(eeb, before.cursor)).items).toEqual([]);
    const later = await penaltyDecided('公开案件：某水泥厂', 'public');
    expect((await request(stack.base, eeb, 'POST', later.path, { content: '公开信息：对某水泥厂处罚款三万元', confidentiality: 'public' })).status).toBe(200);
    const since = await feedAll(eeb, before.cursor);
    expect(since.items.map((i) => i.content)).toEqual(['公开信息：对某水泥厂处罚款三万元']);

    const bad = await request(stack.base, undefined, 'GET', '/api/v1/feed/cases?cursor=bm9wZQ');
    expect(bad.status).toBe(422);
    expect(bad.json.error?.message).toContain('游标');
  });
});
