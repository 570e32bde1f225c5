import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import { ADMIN_TOKEN_DAYS, ensureAdmin } from '../../api/auth';
import { createDutyActivities } from '../../activities/duties';
import { apiTokens, auditLog, cases, notifications, penaltyRecords, users } from '../../db/schema';
import { supervisionItemId, supervisionWorkflowId } from '../../domain/supervision';
import { supervisionItemWorkflow } from '../../workflows/supervision';
import { request, startStack, type Stack } from '../helpers/stack';

type Json = Record<string, unknown>;

/**
 * Security hardening found by a live probe: what the audit log holds and how it is written, accounts (confirmation,
 * deactivation, passwords set by others), tokens, hashing off the event loop, the body parsed only after
 * authentication, login answers, confidential cases reached indirectly, forwarded addresses, and smaller leaks.
 */
describe('security hardening', () => {
  let stack: Stack;
  let admin: string;
  let eeb: string;
  let psb: string;
  let wg: string;
  let sppHead: string;
  let secretCase: Json;
  const password = '环保执法-Correct-Horse-9';

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = stack.adminToken;
    eeb = await stack.userToken({ agency: 'eeb', role: 'head' }, '生态环境局负责人');
    psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '公安局办案人员');
    wg = await stack.userToken({ agency: 'workingGroup', role: 'leader' }, '联动工作组组长');
    sppHead = await stack.userToken({ agency: 'spp', role: 'head' }, '检察院负责人');
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '保密：举报人张某某线索',
      summary: '举报人住址：某小区 3 号楼',
      track: 'criminal',
      confidentiality: 'confidential',
    });
    expect(created.status).toBe(201);
    secretCase = created.json.case as Json;
  });
  afterAll(async () => {
    await stack.close();
  });

  const idOf = async (token: string) =>
    ((await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string }).id;
  const login = async (username: string, pw: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${stack.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password: pw }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { csrfToken?: string; error?: { code: string; message: string } },
      cookie: (res.headers.get('set-cookie') ?? '').split(';')[0],
    };
  };
  const newUser = async (agency: string, role: string, username: string) => {
    const res = await request(stack.base, admin, 'POST', '/api/v1/users', {
      username,
      displayName: username,
      agency,
      role,
      email: `${username}@test.local`,
    });
    expect(res.status).toBe(201);
    return res.json as unknown as { user: { id: string }; token: string };
  };

  // ------------------------------------------------------------------------------------------------ 1, 2: audit

  it('1: the audit log holds field names and a keyed hash, never the content (titles, summaries) an administrator does not read', async () => {
    const res = await request(stack.base, admin, 'GET', `/api/v1/audit?target=${secretCase.id as string}&pageSize=500`);
    expect(res.status).toBe(200);
    const create = (res.json.items as Json[]).find((r) => r.action === 'POST /api/v1/cases');
    expect(create).toBeDefined();
    expect(res.text).not.toContain('举报人');
    expect((create!.detail as Json).fields).toEqual(['confidentiality', 'summary', 'title', 'track']);
    expect((create!.detail as Json).bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('2: an entry is written before the answer (a lone surrogate no longer drops it), a failed write answers 503, the chain verifies', async () => {
    // A lone surrogate is refused at the edge now (422 naming the field), so it never reaches the audit insert.
    const surrogate = await request(
      stack.base,
      eeb,
      'POST',
      '/api/v1/cases',
      '{"title":"\\ud800 孤立代理项","track":"criminal"}',
    );
    expect(surrogate.status).toBe(422);
    expect(surrogate.json.error?.message).toContain('title');
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '审计先于回答',
      track: 'criminal',
    });
    expect(created.status).toBe(201);
    const id = (created.json.case as Json).id as string;
    // No waiting: the row is there when the answer is.
    const rows = await stack.db.handle.db.select().from(auditLog).where(eq(auditLog.target, id));
    expect(rows.map((r) => r.action)).toEqual(['POST /api/v1/cases']);

    // The database refuses this one entry (a real trigger): the change is not answered as if recorded.
    await stack.db.handle.db.execute(
      sql.raw(
        `create function refuse_probe() returns trigger as $$ begin raise exception 'refused'; end; $$ language plpgsql`,
      ),
    );
    await stack.db.handle.db.execute(
      sql.raw(
        `create trigger refuse_probe before insert on audit_log for each row when (new.request_id = 'audit-refused-1') execute function refuse_probe()`,
      ),
    );
    const target = await newUser('eeb', 'officer', 'audit-refused');
    const refused = await fetch(`${stack.base}/api/v1/users/${target.user.id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin}`,
        'x-request-id': 'audit-refused-1',
      },
      body: JSON.stringify({ displayName: '改名' }),
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('audit_unavailable');
    await stack.db.handle.db.execute(sql.raw('drop trigger refuse_probe on audit_log'));
    const verify = await request(stack.base, admin, 'GET', '/api/v1/audit/verify');
    expect(verify.json).toMatchObject({ ok: true, problems: [] });
    const [anchor] = await stack.db.handle.db.select().from(auditLog).orderBy(auditLog.id).limit(1);
    expect(anchor).toMatchObject({ action: 'audit.anchor', keyed: true });
  });

  // ------------------------------------------------------------------------------------------------ 3: accounts

  it('3: a procuratorate account reads nothing until a procuratorate head confirms it; the administrator cannot', async () => {
    const { user, token } = await newUser('spp', 'officer', 'spp-new');
    const before = await request(stack.base, token, 'GET', `/api/v1/cases/${secretCase.id as string}`);
    expect(before.status).toBe(403);
    expect(before.json.error?.code).toBe('account_unconfirmed');
    expect((await request(stack.base, admin, 'POST', `/api/v1/users/${user.id}/confirm`)).status).toBe(403);
    expect((await request(stack.base, eeb, 'POST', `/api/v1/users/${user.id}/confirm`)).status).toBe(403); // another agency's head
    expect((await request(stack.base, token, 'POST', `/api/v1/users/${user.id}/confirm`)).status).toBe(403); // itself
    const confirmed = await request(stack.base, sppHead, 'POST', `/api/v1/users/${user.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.confirmedBy).toBe(await idOf(sppHead));
    expect((await request(stack.base, token, 'GET', `/api/v1/cases/${secretCase.id as string}`)).status).toBe(200);
  });

  it('3: a password set by the administrator is told to the user in the inbox; a deactivated user loses tokens, sessions and mail', async () => {
    const { user, token } = await newUser('psb', 'officer', 'leaving-officer');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password })).status).toBe(
      204,
    );
    const inbox = await request(stack.base, token, 'GET', '/api/v1/me/notifications');
    expect((inbox.json.items as Json[]).map((n) => n.subject)).toContain('您的登录密码已被管理员重新设置');
    const session = await login('leaving-officer', password);
    expect(session.status).toBe(200);
    await stack.db.handle.db.insert(notifications).values({
      id: 'pending-for-leaver',
      eventId: 'e',
      recipientUserId: user.id,
      recipientEmail: 'leaving-officer@test.local',
      recipientLabelZh: 'x',
      subject: 's',
      bodyText: 'b',
      messageId: '<m@x>',
    });

    expect((await request(stack.base, admin, 'DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await request(stack.base, token, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await fetch(`${stack.base}/api/v1/me`, { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await login('leaving-officer', password)).status).toBe(401);
    const [n] = await stack.db.handle.db.select().from(notifications).where(eq(notifications.id, 'pending-for-leaver'));
    expect(n.status).toBe('cancelled');
    const [u] = await stack.db.handle.db.select().from(users).where(eq(users.id, user.id));
    expect(u.active).toBe(false);
    const patched = await request(stack.base, admin, 'PATCH', `/api/v1/users/${user.id}`, { active: true });
    expect(patched.json).toMatchObject({ active: true, deactivatedAt: null });
    expect((await request(stack.base, token, 'GET', '/api/v1/me')).status).toBe(401); // old tokens stay revoked
  });

  // ------------------------------------------------------------------------------------------------ 4: tokens

  it('4: self-issued tokens need the password, live at most 90 days, and end with the session that issued them and with a new password', async () => {
    const { user, token } = await newUser('eeb', 'officer', 'token-minter');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password })).status).toBe(
      204,
    );
    expect(
      (await request(stack.base, token, 'POST', `/api/v1/users/${user.id}/tokens`, { name: '无密码' })).status,
    ).toBe(422);
    expect(
      (
        await request(stack.base, token, 'POST', `/api/v1/users/${user.id}/tokens`, {
          name: '十年',
          expiresInDays: 3650,
          currentPassword: password,
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await request(stack.base, token, 'POST', `/api/v1/users/${user.id}/tokens`, {
          name: '91 天',
          expiresInDays: 91,
          currentPassword: password,
        })
      ).status,
    ).toBe(422);
    const s = await login('token-minter', password);
    const minted = await fetch(`${stack.base}/api/v1/users/${user.id}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.body.csrfToken! },
      body: JSON.stringify({ name: '会话签发', currentPassword: password }),
    });
    expect(minted.status).toBe(201);
    const m = (await minted.json()) as { token: string; expiresAt: string };
    expect(Date.parse(m.expiresAt) - Date.now()).toBeLessThanOrEqual(90 * 86_400_000 + 60_000);
    expect((await request(stack.base, m.token, 'GET', '/api/v1/me')).status).toBe(200);
    expect(
      (
        await fetch(`${stack.base}/api/v1/auth/logout`, {
          method: 'POST',
          headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken! },
        })
      ).status,
    ).toBe(204);
    expect((await request(stack.base, m.token, 'GET', '/api/v1/me')).status).toBe(401);

    const own = await request(stack.base, token, 'POST', `/api/v1/users/${user.id}/tokens`, {
      name: '本人',
      expiresInDays: 30,
      currentPassword: password,
    });
    expect(own.status).toBe(201);
    const ownToken = own.json.token as string;
    expect(
      (await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password: 'another-Secret-123' }))
        .status,
    ).toBe(204);
    expect((await request(stack.base, ownToken, 'GET', '/api/v1/me')).status).toBe(401);
  });

  // ------------------------------------------------------------------------------------------------ 6: hashing

  it('6: password hashing leaves the event loop free', async () => {
    const { user } = await newUser('eeb', 'officer', 'hashing');
    // The API runs in this process: the loop's longest stall while eight passwords are hashed is the API's.
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const changes = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password }),
      ),
    );
    delay.disable();
    expect(changes.map((c) => c.status)).toEqual(Array(8).fill(204));
    // Synchronous scrypt stalled it ~120 ms per hash and 390 ms for the eight; a loaded machine adds some tens.
    expect(delay.max / 1e6).toBeLessThan(200);
  });

  it('6: wrong currentPassword guesses are counted: after five, 429 even with the right one', async () => {
    const { user, token } = await newUser('eeb', 'officer', 'guessed');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password })).status).toBe(
      204,
    );
    for (let i = 0; i < 5; i++)
      expect(
        (
          await request(stack.base, token, 'PUT', `/api/v1/users/${user.id}/password`, {
            password: 'new-Password-123',
            currentPassword: `guess-${i}`,
          })
        ).status,
      ).toBe(422);
    const sixth = await request(stack.base, token, 'PUT', `/api/v1/users/${user.id}/password`, {
      password: 'new-Password-123',
      currentPassword: password,
    });
    expect(sixth.status).toBe(429);
  });

  // ------------------------------------------------------------------------------------------------ 7: bodies

  it('7: an anonymous body is not parsed before authentication, and only a small one is accepted at all', async () => {
    const bad = await fetch(`${stack.base}/api/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not json',
    });
    expect(bad.status).toBe(401);
    const big = await fetch(`${stack.base}/api/v1/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x'.repeat(2_000_000) }),
    });
    expect(big.status).toBe(401);
    const bigLogin = await fetch(`${stack.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(20_000) }),
    });
    expect(bigLogin.status).toBe(413);
  });

  // ------------------------------------------------------------------------------------------------ 8: login

  it('8: unknown, wrong and throttled logins answer alike and take comparable time; throttling is per user and address, never a lock (423)', async () => {
    const { user } = await newUser('eeb', 'officer', 'timing-user');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password })).status).toBe(
      204,
    );
    const timed = async (name: string) => {
      const t0 = performance.now();
      const r = await login(name, 'wrong-password');
      return { ms: performance.now() - t0, r };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await timed('timing-user');
      const b = await timed(`nobody-${i}`);
      expect(a.r.status).toBe(401);
      expect(b.r.status).toBe(401);
      expect(b.r.body.error).toEqual({ ...a.r.body.error, requestId: (b.r.body.error as Json).requestId });
      known.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[1];
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);

    // Two more failures make five for this user from this address: then 429, even with the right password.
    await login('timing-user', 'wrong');
    await login('timing-user', 'wrong');
    const throttled = await login('timing-user', password);
    expect(throttled.status).toBe(429);
    for (let i = 0; i < 5; i++) await login('nobody-at-all', 'x');
    expect((await login('nobody-at-all', 'x')).status).toBe(429); // the same for a name that does not exist
    // Anyone else still logs in: the throttle is not a lock on the account.
    const { user: other } = await newUser('eeb', 'officer', 'other-user');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${other.id}/password`, { password })).status).toBe(
      204,
    );
    expect((await login('other-user', password)).status).toBe(200);
  });

  // ------------------------------------------------------------------------------------------------ 9: confidential cases, indirectly

  it('9: a release names only the cases its reader may see; a 保密 release is read by the three agencies, not the working group', async () => {
    const drafted = await request(stack.base, eeb, 'POST', '/api/v1/releases', {
      kind: 'majorAction',
      title: '联合打击危险废物非法处置专项行动',
      body: '三机关联合开展专项行动，查处案件若干。',
      confidentiality: 'confidential',
      confidentialityReason: '涉及在办案件',
      caseIds: [secretCase.id],
    });
    expect(drafted.status).toBe(201);
    const id = drafted.json.id as string;
    const asPsb = await request(stack.base, psb, 'GET', `/api/v1/releases/${id}`);
    expect(asPsb.status).toBe(200);
    expect(asPsb.json).toMatchObject({ caseIds: [], cases: [], otherCaseCount: 1 });
    expect(asPsb.text).not.toContain(secretCase.id as string);
    expect(asPsb.text).not.toContain(secretCase.caseNumber as string);
    expect((await request(stack.base, wg, 'GET', `/api/v1/releases/${id}`)).status).toBe(404);
    const wgList = await request(stack.base, wg, 'GET', '/api/v1/releases');
    expect((wgList.json.items as Json[]).map((x) => x.id)).not.toContain(id);
    const asSpp = await request(stack.base, sppHead, 'GET', `/api/v1/releases/${id}`);
    expect(asSpp.json).toMatchObject({ caseIds: [secretCase.id], otherCaseCount: 0 });
  });

  it('9: a meeting agenda counts confidential cases and names none', async () => {
    await stack.db.handle.db
      .update(cases)
      .set({ overdue: true })
      .where(eq(cases.id, secretCase.id as string));
    const agenda = await createDutyActivities({ db: stack.db.handle.db }).compileMeetingAgenda({ nowMs: Date.now() });
    expect(JSON.stringify(agenda)).not.toContain(secretCase.id as string);
    expect(JSON.stringify(agenda)).not.toContain(secretCase.caseNumber as string);
    expect(agenda.confidentialCounts?.overdue).toBeGreaterThanOrEqual(1);
  });

  it('9: an import links a case number only to a case the importer may see (a confidential one of others is as if missing)', async () => {
    const content = `source_id,agency,party,fact_summary,penalty_type,amount,decision_date,document_number,case_number\nPSB-X-1,psb,某公司,事实,罚款,"1,000",2026-10-09,长公罚〔2026〕1号,${secretCase.caseNumber as string}\n`;
    const res = await request(stack.base, psb, 'POST', '/api/v1/imports', {
      kind: 'penalty',
      sourceSystem: 'psb-x',
      filename: 'p.csv',
      contentType: 'text/csv',
      content,
    });
    expect(res.status).toBe(202);
    for (let i = 0; i < 150; i++) {
      const j = await request(stack.base, psb, 'GET', `/api/v1/imports/${res.json.id as string}`);
      if (['completed', 'rejected', 'failed'].includes(j.json.status as string)) {
        expect(j.json.status).toBe('completed');
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const [row] = await stack.db.handle.db.select().from(penaltyRecords).where(eq(penaltyRecords.sourceId, 'PSB-X-1'));
    expect(row.caseId).toBeNull();
  });

  it('9: a 保密 Art 34 record in a non-confidential case is withheld from agencies not involved and from the working group', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '内部案件',
      track: 'administrative',
    });
    const caseId = (created.json.case as Json).id as string;
    expect(
      (
        await request(stack.base, eeb, 'POST', `/api/v1/cases/${caseId}/steps/decideAdministrativePenalty`, {
          documentNumber: '长环罚〔2026〕9001号',
        })
      ).status,
    ).toBe(200);
    let seq: number | undefined;
    for (let i = 0; i < 150 && seq === undefined; i++) {
      seq = (
        (await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/information-records`)).json.items as
          Json[] | undefined
      )?.[0]?.seq as number | undefined;
      if (seq === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    const entered = await request(stack.base, eeb, 'POST', `/api/v1/cases/${caseId}/information-records/${seq}`, {
      content: '保密：涉及举报人李某',
      confidentiality: 'confidential',
      confidentialityReason: '涉及举报人',
    });
    expect(entered.status).toBe(200);
    for (const token of [psb, wg]) {
      const res = await request(stack.base, token, 'GET', `/api/v1/cases/${caseId}/information-records`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('李某');
      expect((res.json.items as Json[])[0]).toMatchObject({ withheld: true, content: null });
    }
    const spp = await request(stack.base, sppHead, 'GET', `/api/v1/cases/${caseId}/information-records`);
    expect(spp.text).toContain('李某');
  });

  // ------------------------------------------------------------------------------------------------ 10: audit gaps, spoofing

  it("10: every read of a confidential case's supervision item is audited; X-Forwarded-For is not believed from an unconfigured client", async () => {
    const itemId = supervisionItemId('case', secretCase.id as string, 'notTransferred', 'sweep');
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
            subjectId: secretCase.id as string,
            caseId: secretCase.id as string,
            penaltyRecordId: null,
            criterionId: 'sweep.not-transferred',
            reasonZh: '认定涉嫌犯罪已逾 30 日仍未移送公安机关',
            basis: '《环境保护行政执法与刑事司法衔接工作办法》第十四条',
            concernedAgency: 'eeb',
            subjectLabelZh: '（保密案件）',
            confidential: true,
          },
          openedAtMs: Date.now(),
        },
      ],
    });
    let status = 404;
    for (let i = 0; i < 150 && status !== 200; i++) {
      const res = await fetch(`${stack.base}/api/v1/supervision-items/${itemId}`, {
        headers: { authorization: `Bearer ${sppHead}`, 'x-forwarded-for': '203.0.113.7' },
      });
      status = res.status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    const rows = await stack.db.handle.db.select().from(auditLog).where(eq(auditLog.target, itemId));
    const read = rows.find((r) => r.action === 'GET /api/v1/supervision-items/:id');
    expect(read).toMatchObject({ agency: 'spp', status: 200 });
    expect(read!.ip).not.toBe('203.0.113.7');
    expect(read!.ip).toMatch(/127\.0\.0\.1/);
  });

  // ------------------------------------------------------------------------------------------------ 11: smaller

  it('11: report periods are bounded', async () => {
    for (const period of ['1000', '9999', '1999-12']) {
      const res = await request(stack.base, eeb, 'POST', '/api/v1/reports', {
        kind: 'statistics',
        period,
        formats: ['csv'],
      });
      expect({ period, status: res.status, code: res.json.error?.code }).toEqual({
        period,
        status: 422,
        code: 'bad_period',
      });
    }
  });

  it('11: a stale session cookie does not stand in the way of logging in', async () => {
    const { user } = await newUser('eeb', 'officer', 'stale-cookie');
    expect((await request(stack.base, admin, 'PUT', `/api/v1/users/${user.id}/password`, { password })).status).toBe(
      204,
    );
    expect((await login('stale-cookie', password, { cookie: 'lk_session=stale-value-from-yesterday' })).status).toBe(
      200,
    );
  });

  // ------------------------------------------------------------------------------------------------ 4: the bootstrap token (last: it replaces the administrator's token)

  it('4: the bootstrap administrator token expires after 30 days', async () => {
    const [t] = await stack.db.handle.db.select().from(apiTokens).where(eq(apiTokens.id, 'admin-bootstrap'));
    expect(t.expiresAt).not.toBeNull();
    expect(t.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(ADMIN_TOKEN_DAYS * 86_400_000);
    expect(t.expiresAt!.getTime() - Date.now()).toBeGreaterThan((ADMIN_TOKEN_DAYS - 1) * 86_400_000);
  });

  it('4: a revoked bootstrap administrator token stays revoked across a restart; a new ADMIN_TOKEN value is a new token', async () => {
    expect((await request(stack.base, admin, 'DELETE', '/api/v1/users/admin/tokens/admin-bootstrap')).status).toBe(204);
    await ensureAdmin(stack.db.handle.db, admin); // what a restart with the same ADMIN_TOKEN does
    await new Promise((r) => setTimeout(r, 10));
    expect((await request(stack.base, admin, 'GET', '/api/v1/me')).status).toBe(401);
    const replaced = `admin-new-${Date.now()}-0123456789`;
    await ensureAdmin(stack.db.handle.db, replaced);
    expect((await request(stack.base, replaced, 'GET', '/api/v1/me')).status).toBe(200);
  });
});
