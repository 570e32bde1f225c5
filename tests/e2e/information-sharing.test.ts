import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { cases, penaltyRecords } from '../../db/schema';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const SAMPLE_CSV = path.join(__dirname, '..', 'fixtures', 'penalties-2026-10.csv');

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

  /** An administrative case whose penalty decision (Art 34 item (一)) is pending entry; answers its record. */
  async function penaltyDecided(title: string, confidentiality: 'public' | 'internal' | 'confidential') {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title,
      track: 'administrative',
      confidentiality,
    });
    expect(created.status).toBe(201);
    const caseId = (created.json.case as { id: string }).id;
    const decided = await request(
      stack.base,
      eeb,
      'POST',
      `/api/v1/cases/${caseId}/steps/decideAdministrativePenalty`,
      { documentNumber: `长环罚〔2026〕${Math.floor(Math.random() * 1e6)}号` },
    );
    expect(decided.status).toBe(200);
    const item = await waitFor('the pending record', async () => {
      const res = await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/information-records`);
      return (res.json.items as Json[] | undefined)?.[0];
    });
    expect(item).toMatchObject({
      step: 'decideAdministrativePenalty',
      article34Item: '一',
      status: 'pending',
      responsibleAgency: 'eeb',
    });
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
    const byPsb = await request(stack.base, psb, 'POST', pub.path, {
      content: '罚款五万元',
      confidentiality: 'public',
    });
    expect(byPsb.status).toBe(403);
    expect(byPsb.json.error?.message).toContain('生态环境局');
    const noReason = await request(stack.base, eeb, 'POST', pub.path, {
      content: '罚款五万元',
      confidentiality: 'internal',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.json.error?.message).toContain('应当予以特别说明');
    const ok = await request(stack.base, eeb, 'POST', pub.path, {
      content: '公开信息：对某砖厂处罚款五万元',
      confidentiality: 'public',
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      status: 'entered',
      confidentiality: 'public',
      confidentialityZh: '公开',
      late: false,
    });
    expect(
      (await request(stack.base, eeb, 'POST', pub.path, { content: '再录一次', confidentiality: 'public' })).status,
    ).toBe(409);

    const internalRecord = await penaltyDecided('公开案件：某洗煤厂偷排', 'public');
    expect(
      (
        await request(stack.base, eeb, 'POST', internalRecord.path, {
          content: '内部信息：处罚款二十万元，当事人申请分期',
          confidentiality: 'internal',
          confidentialityReason: '涉及当事人经营状况',
        })
      ).status,
    ).toBe(200);
    const secretRecord = await penaltyDecided('公开案件：某化工厂', 'public');
    expect(
      (
        await request(stack.base, eeb, 'POST', secretRecord.path, {
          content: '保密信息：举报人王某提供线索',
          confidentiality: 'confidential',
          confidentialityReason: '涉及举报人身份',
        })
      ).status,
    ).toBe(200);
    const internalCase = await penaltyDecided('内部案件：某冶炼厂名称', 'internal');
    expect(
      (
        await request(stack.base, eeb, 'POST', internalCase.path, {
          content: '公开信息：对某冶炼厂处罚款十万元',
          confidentiality: 'public',
        })
      ).status,
    ).toBe(200);
    const secretCase = await penaltyDecided('保密案件：专案名称', 'confidential');
    expect(
      (
        await request(stack.base, eeb, 'POST', secretCase.path, {
          content: '保密案件中的公开标注内容',
          confidentiality: 'public',
        })
      ).status,
    ).toBe(200);

    // No token: public records of non-confidential cases; an internal case is not named.
    const anon = await feedAll(undefined);
    expect(anon.items.map((i) => i.content).sort()).toEqual(
      ['公开信息：对某冶炼厂处罚款十万元', '公开信息：对某砖厂处罚款五万元'].sort(),
    );
    expect(anon.items.find((i) => i.content.includes('冶炼厂'))!.caseTitle).toBeNull();
    for (const secret of ['内部信息', '保密信息', '举报人', '保密案件', '专案名称', '冶炼厂名称', '涉及举报人身份'])
      expect(anon.text).not.toContain(secret);

    // Agency and working-group tokens: internal too, never confidential.
    for (const token of [eeb, wg]) {
      const agency = await feedAll(token);
      expect(agency.items.map((i) => i.content).sort()).toEqual(
        [
          '公开信息：对某冶炼厂处罚款十万元',
          '公开信息：对某砖厂处罚款五万元',
          '内部信息：处罚款二十万元，当事人申请分期',
        ].sort(),
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
    expect(
      (
        await request(stack.base, eeb, 'POST', later.path, {
          content: '公开信息：对某水泥厂处罚款三万元',
          confidentiality: 'public',
        })
      ).status,
    ).toBe(200);
    const since = await feedAll(eeb, before.cursor);
    expect(since.items.map((i) => i.content)).toEqual(['公开信息：对某水泥厂处罚款三万元']);

    const bad = await request(stack.base, undefined, 'GET', '/api/v1/feed/cases?cursor=bm9wZQ');
    expect(bad.status).toBe(422);
    expect(bad.json.error?.message).toContain('游标');
  });

  // ---------------------------------------------------------------- data exchange: imports
  const importAndWait = async (token: string, body: Json) => {
    const res = await request(stack.base, token, 'POST', '/api/v1/imports', body);
    if (res.status !== 202) return { status: res.status, job: res.json as Json, seen: [] as Json[] };
    const seen: Json[] = [];
    const job = await waitFor(
      'the import to finish',
      async () => {
        const j = await request(stack.base, token, 'GET', `/api/v1/imports/${res.json.id as string}`);
        seen.push(j.json.progress as Json);
        return ['completed', 'rejected', 'failed'].includes(j.json.status as string) ? j.json : undefined;
      },
      120_000,
    );
    return { status: res.status, job: job as Json, seen };
  };
  const penaltyCount = async () =>
    Number(
      (
        (await stack.db.handle.db.execute(sql`select count(*)::int n from penalty_records`)) as unknown as {
          rows: { n: number }[];
        }
      ).rows[0].n,
    );
  const csv = (content: string) => ({
    kind: 'penalty',
    sourceSystem: 'eeb-xzcf',
    filename: 'penalties-2026-10.csv',
    contentType: 'text/csv',
    content,
  });

  it("imports last month's penalty records: a bad row rejects the file with its line; fixed, it imports once; changes are updated and reported", async () => {
    const sample = fs.readFileSync(SAMPLE_CSV, 'utf8');
    const rejected = await importAndWait(eeb, csv(sample));
    expect(rejected.status).toBe(202);
    expect(rejected.job).toMatchObject({
      status: 'rejected',
      progress: { processed: 5, total: 5, percent: 100 },
      inserted: 0,
    });
    expect(rejected.job.errors).toEqual([
      {
        line: 5,
        sourceId: 'EEB-XZCF-2026-0103',
        field: 'decisionDate',
        reason: expect.stringContaining('不是有效日期'),
      },
    ]);
    expect(rejected.job.messageZh).toContain('未导入任何记录');
    expect(await penaltyCount()).toBe(0); // nothing half-imported

    // Fixed date; the largest penalty names the case it belongs to.
    const linked = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '某化工有限公司超标排放含铬废水',
      track: 'administrative',
    });
    const [caseRow] = await stack.db.handle.db
      .select()
      .from(cases)
      .where(eq(cases.id, (linked.json.case as { id: string }).id));
    const fixed = sample
      .replace('2026-02-30', '2026-10-15')
      .replace('长环罚〔2026〕105号,', `长环罚〔2026〕105号,${caseRow.caseNumber}`);
    const done = await importAndWait(eeb, csv(fixed));
    expect(done.job).toMatchObject({ status: 'completed', inserted: 5, updated: 0, unchanged: 0, errors: [] });
    const rows = await stack.db.handle.db.select().from(penaltyRecords).orderBy(penaltyRecords.sourceId);
    expect(rows.map((r) => [r.sourceId, r.amount, r.decisionDate])).toEqual([
      ['EEB-XZCF-2026-0101', '50000.00', '2026-10-09'],
      ['EEB-XZCF-2026-0102', '200000.50', '2026-10-12'],
      ['EEB-XZCF-2026-0103', '30000.00', '2026-10-15'],
      ['EEB-XZCF-2026-0104', null, '2026-10-20'],
      ['EEB-XZCF-2026-0105', '1000000.00', '2026-10-28'],
    ]);
    expect(rows[1].factSummary).toBe('未经批准设置排污口，\n向浊漳河排放洗煤废水');
    expect(rows[4]).toMatchObject({
      caseNumber: caseRow.caseNumber,
      caseId: caseRow.id,
      agency: 'eeb',
      penaltyType: '罚款',
      sourceSystem: 'eeb-xzcf',
    });

    // The same file again: nothing new. One changed amount: updated and reported.
    expect((await importAndWait(eeb, csv(fixed))).job).toMatchObject({
      status: 'completed',
      inserted: 0,
      updated: 0,
      unchanged: 5,
    });
    const changed = await importAndWait(eeb, csv(fixed.replace('"50,000"', '60000')));
    expect(changed.job).toMatchObject({
      status: 'completed',
      inserted: 0,
      updated: 1,
      unchanged: 4,
      changes: [{ line: 2, sourceId: 'EEB-XZCF-2026-0101', fields: ['amount'] }],
    });
    expect(await penaltyCount()).toBe(5);
    expect(
      (
        await stack.db.handle.db.select().from(penaltyRecords).where(eq(penaltyRecords.sourceId, 'EEB-XZCF-2026-0101'))
      )[0].amount,
    ).toBe('60000.00');

    // Another agency cannot import the EEB's records; the working group does not import; the file type is checked.
    const byPsb = await importAndWait(psb, { ...csv(fixed), sourceSystem: 'psb-system' });
    expect(byPsb.job.status).toBe('rejected');
    expect((byPsb.job.errors as { reason: string }[])[0].reason).toContain('只能导入本机关的记录');
    expect((await request(stack.base, wg, 'POST', '/api/v1/imports', csv(fixed))).status).toBe(403);
    const wrongType = await request(stack.base, eeb, 'POST', '/api/v1/imports', {
      ...csv(fixed),
      contentType: 'application/json',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error?.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await request(stack.base, psb, 'GET', `/api/v1/imports/${done.job.id as string}`)).status).toBe(404); // another agency's job
    expect((await request(stack.base, wg, 'GET', `/api/v1/imports/${done.job.id as string}`)).status).toBe(200);
  });

  it('imports enforcement records as JSON (Chinese keys, base64), and a long file shows its progress', async () => {
    const records = [
      {
        来源编号: 'ZF-2026-001',
        执法机关: '生态环境局',
        当事人: '某焦化厂',
        执法类型: '现场检查',
        执法日期: '2026-10-10',
        地点: '长治市潞州区',
        情况摘要: '脱硫设施运行正常',
      },
      {
        来源编号: 'ZF-2026-002',
        执法机关: 'eeb',
        当事人: '某电镀厂',
        执法类型: '查封扣押',
        执法日期: '2026-10-11',
        情况摘要: '查封超标排放设备',
        处理结果: '已立案调查',
      },
      {
        来源编号: 'ZF-2026-003',
        执法机关: 'eeb',
        当事人: '',
        执法类型: '现场检查',
        执法日期: '2026-10-12',
        情况摘要: '缺当事人',
      },
    ];
    const body = (list: unknown[]) => ({
      kind: 'enforcement',
      sourceSystem: 'eeb-zf',
      filename: 'zf.json',
      contentType: 'application/json',
      contentBase64: Buffer.from(JSON.stringify(list)).toString('base64'),
    });
    const bad = await importAndWait(eeb, body(records));
    expect(bad.job.status).toBe('rejected');
    expect(bad.job.errors).toEqual([
      { line: 3, sourceId: 'ZF-2026-003', field: 'party', reason: '当事人（party）不能为空' },
    ]);
    const ok = await importAndWait(eeb, body(records.slice(0, 2)));
    expect(ok.job).toMatchObject({ status: 'completed', inserted: 2 });

    const N = 5000;
    const lines = ['来源编号,执法机关,当事人,违法事实,处罚种类,罚款金额,决定日期'];
    for (let i = 0; i < N; i++)
      lines.push(
        `BULK-${i},生态环境局,企业${i},超标排放,罚款,${1000 + i},2026-09-${String((i % 28) + 1).padStart(2, '0')}`,
      );
    const bulk = await importAndWait(eeb, {
      kind: 'penalty',
      sourceSystem: 'eeb-bulk',
      filename: 'bulk.csv',
      contentType: 'text/csv',
      content: lines.join('\r\n'),
    });
    expect(bulk.job).toMatchObject({
      status: 'completed',
      inserted: N,
      progress: { processed: N, total: N, percent: 100 },
    });
    // Progress only moves forward.
    const processed = bulk.seen.map((p) => p.processed as number);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
  });
});
