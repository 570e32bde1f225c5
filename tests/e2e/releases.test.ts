import { sql } from 'drizzle-orm';
import { registeredRoutes } from '../../api/openapi';
import { dutyItems, dutyPeriods } from '../../db/schema';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

type Json = Record<string, unknown>;

/**
 * 联合发布 and the public output over real HTTP (dev server, worker, PostgreSQL, SMTP): the three agencies approve a
 * draft through the API, it is published, and neither the public API nor the public pages ever show a confidential
 * or personal detail. Every text field of the seeded confidential cases carries a distinctive marker; so do internal
 * cases, drafts, people's names, document numbers and the mechanism's records, none of which belongs in public.
 */
describe('joint releases and the public output', () => {
  let stack: Stack;
  let eeb: string;
  let eebHead: string;
  let psb: string;
  let spp: string;
  let wg: string;
  let publicCase = '';
  let secretCriminal = '';
  let publishedId = '';
  let draftId = '';
  /** Strings that must never appear in any public output. */
  const MARKERS: string[] = [];
  const mark = (what: string) => {
    const m = `绝密标记${what}${MARKERS.length}X${Math.random().toString(36).slice(2, 8)}`;
    MARKERS.push(m);
    return m;
  };

  const ok = <T extends { status: number; text: string }>(res: T, status = 200): T => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
    return res;
  };

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' }, mark('办案人员姓名'));
    eebHead = await stack.userToken({ agency: 'eeb', role: 'head' }, mark('局长姓名'));
    psb = await stack.userToken({ agency: 'psb', role: 'head' }, mark('公安负责人姓名'));
    spp = await stack.userToken({ agency: 'spp', role: 'head' }, mark('检察官姓名'));
    wg = await stack.userToken({ agency: 'workingGroup', role: 'leader' }, mark('组长姓名'));

    // Confidential cases: a marker in every text field the platform holds for them.
    const secretAdmin = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/cases', {
        title: mark('保密案件名称'),
        summary: mark('案情摘要'),
        track: 'administrative',
        confidentiality: 'confidential',
      }),
      201,
    ).json.case as Json;
    ok(
      await request(stack.base, eeb, 'POST', `/api/v1/cases/${secretAdmin.id}/steps/decideAdministrativePenalty`, {
        documentNumber: mark('处罚决定书文号'),
        summary: mark('处罚摘要'),
      }),
    );
    const pending = await waitFor(
      'the pending information record',
      async () =>
        (
          (await request(stack.base, eeb, 'GET', `/api/v1/cases/${secretAdmin.id}/information-records`)).json.items as
            Json[] | undefined
        )?.[0],
    );
    ok(
      await request(
        stack.base,
        eeb,
        'POST',
        `/api/v1/cases/${secretAdmin.id}/information-records/${pending.seq as number}`,
        {
          content: mark('录入内容'),
          confidentiality: 'public', // the record says public: the case's own mark must still keep it out
          documentNumber: mark('录入文号'),
        },
      ),
    );
    const secret = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/cases', {
        title: mark('保密刑事案件名称'),
        summary: mark('刑事案情'),
        track: 'criminal',
        confidentiality: 'confidential',
        psbUnit: mark('公安机关地址'),
      }),
      201,
    ).json.case as Json;
    secretCriminal = String(secret.id);
    ok(
      await request(stack.base, eeb, 'POST', `/api/v1/cases/${secretCriminal}/steps/formTaskForce`, {
        members: [mark('专案组成员'), mark('专案组成员')],
      }),
    );
    // Internal and public cases: counted in statistics, their titles and numbers never shown either.
    for (let i = 0; i < 3; i++)
      ok(
        await request(stack.base, eeb, 'POST', '/api/v1/cases', {
          title: mark('内部案件名称'),
          summary: mark('内部摘要'),
          track: 'criminal',
          confidentiality: 'internal',
        }),
        201,
      );
    publicCase = String(
      (
        ok(
          await request(stack.base, eeb, 'POST', '/api/v1/cases', {
            title: mark('公开案件名称'),
            track: 'administrative',
            confidentiality: 'public',
          }),
          201,
        ).json.case as Json
      ).id,
    );
    // The mechanism's records: a completed joint operation and a training session with names and places.
    const now = new Date();
    const day = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    await stack.db.handle.db.insert(dutyPeriods).values({
      id: 'duty-joint-enforcement-test',
      dutyId: 'joint-enforcement.monthly',
      periodKey: day.slice(0, 7),
      cadence: 'monthly',
      startDate: day,
      endDate: day,
      labelZh: mark('期间名称'),
    });
    await stack.db.handle.db.insert(dutyItems).values([
      {
        id: 'duty-joint-enforcement-test/op-1',
        periodId: 'duty-joint-enforcement-test',
        dutyId: 'joint-enforcement.monthly',
        kind: 'jointOperation',
        status: 'completed',
        titleZh: mark('行动名称'),
        date: day,
        data: { places: [mark('检查地点')], members: [mark('执法人员')] },
      },
      {
        id: 'duty-joint-enforcement-test/tr-1',
        periodId: 'duty-joint-enforcement-test',
        dutyId: 'training.annual',
        kind: 'trainingSession',
        status: 'held',
        titleZh: mark('培训名称'),
        date: day,
        data: { attendance: { eeb: 3 }, lecturer: mark('讲师') },
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await stack.close();
  });

  it('drafts, has the three agencies approve through the API and publishes', async () => {
    const body = '市生态环境局、市公安局、市人民检察院本月联合开展危险废物专项执法行动，依法查处一批环境违法犯罪行为。';
    const created = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/releases', {
        title: '三部门联合开展危险废物专项执法行动',
        body,
        kind: 'majorAction',
        caseIds: [publicCase],
        confidentiality: 'public',
        submit: true,
      }),
      201,
    ).json;
    publishedId = String(created.id);
    expect(created).toMatchObject({ status: 'inReview', round: 1 });
    expect((created.approvals as Json[]).map((a) => a.status)).toEqual(['pending', 'pending', 'pending']);
    // The SPP sees it among its pending reviews, with the due date of release.approval.
    const mine = ok(await request(stack.base, spp, 'GET', '/api/v1/releases?pendingFor=mine')).json.items as Json[];
    expect(mine.map((x) => x.id)).toContain(publishedId);
    expect((mine[0].approvals as Json[]).find((a) => a.agency === 'spp')!.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The working group reads but does not decide; a rejection needs its reason.
    expect(
      (await request(stack.base, wg, 'POST', `/api/v1/releases/${publishedId}/decisions`, { decision: 'approve' }))
        .status,
    ).toBe(403);
    const noReason = await request(stack.base, psb, 'POST', `/api/v1/releases/${publishedId}/decisions`, {
      decision: 'reject',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.json.error!.message).toMatch(/理由/);
    for (const t of [eebHead, psb])
      ok(
        await request(stack.base, t, 'POST', `/api/v1/releases/${publishedId}/decisions`, {
          decision: 'approve',
          comment: '同意',
        }),
      );
    const early = await request(stack.base, eeb, 'POST', `/api/v1/releases/${publishedId}/publish`);
    expect(early.status).toBe(409);
    expect(early.json.error!.message).toMatch(/均同意/);
    expect(
      ok(await request(stack.base, spp, 'POST', `/api/v1/releases/${publishedId}/decisions`, { decision: 'approve' }))
        .json.status,
    ).toBe('approved');
    const published = ok(await request(stack.base, eeb, 'POST', `/api/v1/releases/${publishedId}/publish`)).json;
    expect(published.status).toBe('published');
    const detail = ok(await request(stack.base, wg, 'GET', `/api/v1/releases/${publishedId}`)).json;
    expect((detail.events as Json[]).map((e) => e.type)).toEqual([
      'releaseDrafted',
      'releaseSubmitted',
      'releaseApprove',
      'releaseApprove',
      'releaseApprove',
      'releasePublished',
    ]);

    const pub = ok(await request(stack.base, undefined, 'GET', '/api/v1/public/releases')).json.items as Json[];
    expect(pub).toHaveLength(1);
    expect(pub[0]).toEqual({
      id: publishedId,
      title: '三部门联合开展危险废物专项执法行动',
      body,
      kind: 'majorAction',
      kindZh: '重大行动',
      publishedAt: expect.any(String),
      publishersZh: ['长治市生态环境局', '长治市公安局', '长治市人民检察院'],
    });
    const page = await fetch(`${stack.base}/public/releases/${publishedId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(body);
  });

  it('refuses to approve a draft that refers to a confidential case or is marked confidential, and never shows it', async () => {
    const d = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/releases', {
        title: mark('草稿标题'),
        body: mark('草稿正文') + '，三部门联合查处该案。',
        kind: 'result',
        caseIds: [secretCriminal],
        confidentiality: 'public',
        submit: true,
      }),
      201,
    ).json;
    draftId = String(d.id);
    const refused = await request(stack.base, psb, 'POST', `/api/v1/releases/${draftId}/decisions`, {
      decision: 'approve',
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error!.message).toMatch(/保密案件/);
    const marked = ok(
      await request(stack.base, eeb, 'POST', '/api/v1/releases', {
        title: mark('保密稿标题'),
        body: mark('保密稿正文') + '，内容涉及侦查。',
        kind: 'majorDecision',
        confidentiality: 'confidential',
        confidentialityReason: mark('保密理由'),
        submit: true,
      }),
      201,
    ).json;
    const r2 = await request(stack.base, spp, 'POST', `/api/v1/releases/${String(marked.id)}/decisions`, {
      decision: 'approve',
    });
    expect(r2.status).toBe(409);
    expect(r2.json.error!.message).toMatch(/保密内容不得向社会公开发布/);
    expect((await request(stack.base, eeb, 'POST', `/api/v1/releases/${String(marked.id)}/publish`)).status).toBe(409);
    // A referenced case the drafter may not see is refused like a missing one.
    const psbDraft = await request(stack.base, psb, 'POST', '/api/v1/releases', {
      title: '公安局稿件',
      body: '公安局起草的联合发布稿正文内容。',
      kind: 'result',
      caseIds: [secretCriminal],
      confidentiality: 'public',
    });
    expect(psbDraft.status).toBe(422);
    expect((await request(stack.base, undefined, 'GET', `/api/v1/public/releases/${draftId}`)).status).toBe(404);
  });

  it('counts confidential cases only in the yearly total and publishes nothing but counts', async () => {
    const stats = ok(await request(stack.base, undefined, 'GET', '/api/v1/public/statistics')).json as Json & {
      years: Json[];
      months: Json[];
    };
    const year = String(new Date(Date.now() + 8 * 3_600_000).getUTCFullYear());
    const y = stats.years.find((x) => x.period === year)!;
    const counts = (
      (await stack.db.handle.db.execute(
        sql`select count(*)::int as all, count(*) filter (where confidentiality <> 'confidential')::int as open from cases where to_char(created_at at time zone 'Asia/Shanghai', 'YYYY') = ${year}`,
      )) as unknown as {
        rows: { all: number; open: number }[];
      }
    ).rows[0];
    expect(counts).toEqual({ all: 6, open: 4 });
    expect(y.totalIncludingConfidential).toBe(6);
    expect(y.total).toBe(4);
    // 3 internal criminal cases, 1 public administrative case: the 1 is below the threshold and suppressed.
    expect((y.byTrack as Json).criminal).toBeNull(); // secondary suppression: the only other non-zero cell
    expect((y.byTrack as Json).administrative).toBeNull();
    expect(y.jointOperations).toBe(1);
    expect(y.trainings).toBe(1);
    expect(stats.minCell).toBe(3);
  });

  it('no marker, case number, name or document number appears in any public endpoint or page', async () => {
    const publicApi = registeredRoutes().filter((r) => r.permission === 'public' && r.method === 'GET');
    const paths = publicApi.map((r) => r.path.replace(':id', publishedId));
    // Every public API endpoint is covered here; a new one must be added to this test.
    expect(paths.sort()).toEqual(
      [
        '/api/v1/feed/cases',
        '/api/v1/public/releases',
        `/api/v1/public/releases/${publishedId}`,
        '/api/v1/public/statistics',
      ].sort(),
    );
    const outputs: [string, string][] = [];
    for (const p of paths) outputs.push([p, ok(await request(stack.base, undefined, 'GET', p)).text]);
    for (const p of ['/public', `/public/releases/${publishedId}`]) {
      const res = await fetch(`${stack.base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      outputs.push([p, await res.text()]);
    }
    expect(outputs.find(([p]) => p === '/public')![1]).toContain('三部门联合开展危险废物专项执法行动');
    expect(MARKERS.length).toBeGreaterThan(20);
    // The markers are really in the record (an agency's authenticated reads show them): their absence below means something.
    const inRecord = (await stack.db.handle.db.execute(
      sql`select (select count(*) from cases where title like '绝密标记%')::int as c, (select count(*) from information_records where content like '绝密标记%')::int as i`,
    )) as unknown as { rows: { c: number; i: number }[] };
    expect(inRecord.rows[0]).toEqual({ c: 6, i: 1 });
    expect(ok(await request(stack.base, eeb, 'GET', `/api/v1/releases/${draftId}`)).text).toContain('绝密标记草稿标题');
    for (const [p, text] of outputs) {
      for (const m of MARKERS)
        expect({ path: p, leaked: text.includes(m) ? m : null }).toEqual({ path: p, leaked: null });
      // Nor a case number, a user id or the drafter's name.
      if (p !== '/api/v1/feed/cases')
        expect({ path: p, caseNumber: /联动-\d{4}-\d{6}/.test(text) }).toEqual({ path: p, caseNumber: false });
      expect(text).not.toMatch(/u-(eeb|psb|spp|workingGroup)-/);
    }
    // The public pages load nothing from elsewhere.
    expect(outputs.find(([p]) => p === '/public')![1]).not.toMatch(/(src|href)="https?:/);
  });
});
