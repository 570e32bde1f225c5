import { eq } from 'drizzle-orm';
import { TOKEN_CACHE_MS } from '../../api/auth';
import { apiTokens, auditLog, users } from '../../db/schema';
import { request, startStack, type Stack } from '../helpers/stack';

/** Console login with a memory-hard password hash, throttling, cookie sessions with CSRF, and the audit trail. */
describe('authentication, sessions and audit', () => {
  let stack: Stack;
  let userId: string;
  const password = '环保执法-Correct-Horse-9';

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    const eebToken = await stack.userToken({ agency: 'eeb', role: 'officer' }, '张明');
    userId = ((await request(stack.base, eebToken, 'GET', '/api/v1/me')).json as { id: string }).id;
    expect(
      (await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${userId}/password`, { password })).status,
    ).toBe(204);
  });
  afterAll(async () => {
    await stack.close();
  });

  const username = () => userId; // test users are named by their id

  async function login(pw: string) {
    const res = await fetch(`${stack.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: username(), password: pw }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { csrfToken?: string; error?: { message: string } },
      cookie: res.headers.get('set-cookie') ?? '',
    };
  }

  it('refuses a revoked token at once although token lookups are cached, and one revoked elsewhere within the cache time', async () => {
    const created = await request(stack.base, stack.adminToken, 'POST', '/api/v1/users', {
      username: 'revoke-me',
      displayName: '吊销测试',
      agency: 'psb',
      role: 'officer',
    });
    expect(created.status).toBe(201);
    const { user, token } = created.json as unknown as { user: { id: string }; token: string };
    expect((await request(stack.base, token, 'GET', '/api/v1/me')).status).toBe(200); // now cached
    const issued = await request(stack.base, stack.adminToken, 'POST', `/api/v1/users/${user.id}/tokens`, {
      name: '第二个',
      expiresInDays: 30,
    });
    expect(issued.status).toBe(201);
    const second = issued.json as unknown as { id: string; token: string };
    expect((await request(stack.base, second.token, 'GET', '/api/v1/me')).status).toBe(200); // cached too
    // Revoked through this API process: refused on the next request.
    expect((await request(stack.base, token, 'DELETE', `/api/v1/users/${user.id}/tokens/${second.id}`)).status).toBe(
      204,
    );
    const refused = await request(stack.base, second.token, 'GET', '/api/v1/me');
    expect(refused.status).toBe(401);
    // Revoked by another process (here: SQL): refused once the cached lookup is older than TOKEN_CACHE_MS.
    await stack.db.handle.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, user.id));
    await new Promise((r) => setTimeout(r, TOKEN_CACHE_MS + 200));
    expect((await request(stack.base, token, 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('stores the password as scrypt, never in clear', async () => {
    const [u] = await stack.db.handle.db.select().from(users).where(eq(users.id, userId));
    expect(u.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(u.passwordHash).not.toContain(password);
  });

  it('logs in with an HTTP-only cookie, needs the CSRF token for changes, and logs out', async () => {
    const ok = await login(password);
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/lk_session=[^;]+;.*HttpOnly/i);
    expect(ok.cookie).toMatch(/SameSite=Strict/i);
    const cookie = ok.cookie.split(';')[0];
    const get = await fetch(`${stack.base}/api/v1/me`, { headers: { cookie } });
    expect(get.status).toBe(200);
    const body = JSON.stringify({ title: '会话登记的案件', track: 'administrative' });
    const noCsrf = await fetch(`${stack.base}/api/v1/cases`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body,
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: { message: string } }).error.message).toContain('CSRF');
    const withCsrf = await fetch(`${stack.base}/api/v1/cases`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': ok.body.csrfToken! },
      body,
    });
    expect(withCsrf.status).toBe(201);
    const out = await fetch(`${stack.base}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': ok.body.csrfToken! },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${stack.base}/api/v1/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('throttles five wrong passwords from one address (429), without locking the account (no 423)', async () => {
    for (let i = 0; i < 5; i++) expect((await login('wrong-password')).status).toBe(401);
    const sixth = await login(password);
    expect(sixth.status).toBe(429); // even the right password, from this address, until the window ends
    expect(sixth.body.error?.message).toContain('分钟后再试');
    const [u] = await stack.db.handle.db.select().from(users).where(eq(users.id, userId));
    expect(u.lockedUntil).toBeNull();
  });

  it('audits changes and confidential reads, with secrets redacted, searchable by administrators', async () => {
    const eeb = await stack.userToken({ agency: 'eeb', role: 'head' }, '局长');
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '保密：举报线索',
      track: 'criminal',
      confidentiality: 'confidential',
    });
    const caseId = (created.json.case as { id: string }).id;
    const spp = await stack.userToken({ agency: 'spp', role: 'officer' }, '检察官');
    expect((await request(stack.base, spp, 'GET', `/api/v1/cases/${caseId}/history`)).status).toBe(200);
    await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${userId}/password`, {
      password: 'another-Secret-123',
    });
    const rows = await stack.db.handle.db.select().from(auditLog);
    const create = rows.find((r) => r.action === 'POST /api/v1/cases' && r.status === 201 && r.target === caseId);
    expect(create?.detail).toMatchObject({ fields: ['confidentiality', 'title', 'track'] });
    expect(JSON.stringify(rows)).not.toContain('保密：举报线索');
    const read = rows.find((r) => r.target === caseId && r.action === 'GET /api/v1/cases/:id/history');
    expect(read).toMatchObject({ agency: 'spp', status: 200 });
    const pw = rows.find((r) => r.action === 'PUT /api/v1/users/:id/password');
    expect(JSON.stringify(pw?.detail)).not.toContain('another-Secret-123');
    expect(JSON.stringify(rows)).not.toContain(password);
    const search = await request(stack.base, stack.adminToken, 'GET', `/api/v1/audit?target=${caseId}`);
    expect((search.json.items as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect((await request(stack.base, eeb, 'GET', '/api/v1/audit')).status).toBe(403);
    const verify = await request(stack.base, stack.adminToken, 'GET', '/api/v1/audit/verify');
    expect(verify.json).toMatchObject({ ok: true, problems: [] });
  });
});
