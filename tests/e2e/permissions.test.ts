import { PERMISSIONS, PRINCIPALS, canSeeCase, canSeeRelease, mayConfirm, type Principal } from '../../domain/policy';
import { registeredRoutes } from '../../api/openapi';
import { request, startStack, type Stack } from '../helpers/stack';

/**
 * The permission matrix: every registered endpoint × every agency and role, checked against domain/policy.ts,
 * including reads of a confidential case and of its history.
 */
describe('permission matrix', () => {
  let stack: Stack;
  const tokens = new Map<string, string>();
  const keyOf = (p: Principal) => `${p.agency}/${p.role}`;
  let normalCase = '';
  let secretCase = '';
  let releaseId = '';
  let checked = 0;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    for (const p of PRINCIPALS)
      tokens.set(keyOf(p), p.agency === 'admin' ? stack.adminToken : await stack.userToken(p));
    const eeb = tokens.get('eeb/officer')!;
    normalCase = (
      (await request(stack.base, eeb, 'POST', '/api/v1/cases', { title: '普通案件', track: 'criminal' })).json.case as {
        id: string;
      }
    ).id;
    const secret = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '保密案件：举报人信息',
      track: 'criminal',
      confidentiality: 'confidential',
    });
    secretCase = (secret.json.case as { id: string }).id;
  });
  afterAll(async () => {
    await stack.close();
    console.log(
      `permission matrix: ${checked} requests (${registeredRoutes().length} endpoints × ${PRINCIPALS.length} principals, plus confidential reads)`,
    );
  });

  const concrete = (path: string, caseId: string) =>
    path
      .replace(':id/steps/:step', `${caseId}/steps/formTaskForce`)
      .replace('/cases/:id', `/cases/${caseId}`)
      .replace('/users/:id/tokens/:tokenId', '/users/u-nobody/tokens/t-nobody')
      .replace('/users/:id/confirm', '/users/u-nobody/confirm')
      .replace('/users/:id', '/users/u-nobody')
      .replace(':year', '2026')
      .replace(/:([A-Za-z]+)/g, 'x');
  const queryFor = (path: string) =>
    path === '/api/v1/deadlines/preview' ? '?rule=psb.filing-decision&from=2026-09-28' : '';

  it('covers every endpoint that exists', () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(19);
    for (const r of routes) expect(PERMISSIONS[r.permission]).toBeDefined();
  });

  it.each(PRINCIPALS.map((p) => [keyOf(p), p] as const))(
    '%s: every endpoint allows or refuses exactly as the policy says',
    async (_k, p) => {
      const token = tokens.get(keyOf(p))!;
      for (const r of registeredRoutes()) {
        const rule = PERMISSIONS[r.permission];
        const path = concrete(r.path, normalCase) + queryFor(r.path);
        // Empty bodies: a permitted request then fails validation (422) instead of changing anything.
        const res = await request(
          stack.base,
          token,
          r.method,
          path,
          ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined,
        );
        checked++;
        const refusedByPolicy = res.status === 403 && res.json?.error?.code === 'forbidden_by_policy';
        expect({ endpoint: `${r.method} ${r.path}`, refusedByPolicy }).toEqual({
          endpoint: `${r.method} ${r.path}`,
          refusedByPolicy: !rule.allows(p),
        });
        expect(res.status).toBeLessThan(500);
        if (!rule.allows(p)) expect(res.json.error?.message).toMatch(/[\u4e00-\u9fff]/);
      }
    },
  );

  it.each(PRINCIPALS.map((p) => [keyOf(p), p] as const))(
    '%s: a confidential case, its history and its place in the list follow the visibility rule',
    async (_k, p) => {
      const token = tokens.get(keyOf(p))!;
      // Only the EEB has acted on the confidential case: the PSB and the working group must not see it.
      const visible =
        PERMISSIONS['case.read'].allows(p) &&
        canSeeCase(p, { confidentiality: 'confidential', involvedAgencies: ['eeb'] });
      // Every case-scoped read there is: the case, its history, events, state, notifications (and reports when they exist).
      const reads = registeredRoutes().filter((r) => r.caseScoped && r.method === 'GET' && r.path.includes(':id'));
      expect(reads.length).toBeGreaterThanOrEqual(5);
      for (const path of reads.map((r) => r.path.replace(':id', secretCase))) {
        const res = await request(stack.base, token, 'GET', path);
        checked++;
        if (visible) expect(res.status).toBe(200);
        else expect([403, 404]).toContain(res.status);
      }
      const step = await request(
        stack.base,
        token,
        'POST',
        `/api/v1/cases/${secretCase}/steps/requestConsultation`,
        {},
      );
      checked++;
      if (!visible) expect([403, 404]).toContain(step.status);
      const list = await request(stack.base, token, 'GET', '/api/v1/cases?pageSize=200');
      checked++;
      if (PERMISSIONS['case.read'].allows(p)) {
        const ids = (list.json.items as { id: string }[]).map((c) => c.id);
        expect(ids.includes(secretCase)).toBe(visible);
        expect(ids).toContain(normalCase);
      } else {
        expect(list.status).toBe(403);
      }
    },
  );

  it('lets a user manage only their own tokens, and issue one only with the password', async () => {
    const psb = tokens.get('psb/officer')!;
    const me = (await request(stack.base, psb, 'GET', '/api/v1/me')).json as { id: string };
    const password = 'permission-Matrix-42';
    expect(
      (await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password })).status,
    ).toBe(204);
    expect((await request(stack.base, psb, 'POST', `/api/v1/users/${me.id}/tokens`, { name: '对接' })).status).toBe(
      422,
    );
    expect(
      (
        await request(stack.base, psb, 'POST', `/api/v1/users/${me.id}/tokens`, {
          name: '对接',
          currentPassword: password,
        })
      ).status,
    ).toBe(201);
    const other = await request(stack.base, psb, 'POST', '/api/v1/users/admin/tokens', { name: '越权' });
    expect(other.status).toBe(403);
    checked += 4;
  });

  it("an account confirmation is given only by a head of the account's own agency (user.confirm)", async () => {
    const created = await request(stack.base, stack.adminToken, 'POST', '/api/v1/users', {
      username: 'matrix-spp',
      displayName: '新检察官',
      agency: 'spp',
      role: 'officer',
    });
    const { user, token } = created.json as unknown as { user: { id: string }; token: string };
    expect((await request(stack.base, token, 'GET', `/api/v1/cases/${secretCase}`)).status).toBe(403);
    for (const p of PRINCIPALS) {
      const res = await request(stack.base, tokens.get(keyOf(p))!, 'POST', `/api/v1/users/${user.id}/confirm`);
      checked++;
      const may = PERMISSIONS['user.confirm'].allows(p) && mayConfirm(p, { agency: 'spp', role: 'officer' });
      if (!may) expect({ p, status: res.status }).toEqual({ p, status: 403 });
      else expect({ p, status: res.status }).toEqual({ p, status: 200 });
    }
    expect((await request(stack.base, token, 'GET', `/api/v1/cases/${secretCase}`)).status).toBe(200);
  });

  it.each(PRINCIPALS.map((p) => [keyOf(p), p] as const))(
    '%s: a 保密 release follows canSeeRelease, and names no case its reader may not see',
    async (_k, p) => {
      if (!releaseId) {
        const drafted = await request(stack.base, tokens.get('eeb/officer')!, 'POST', '/api/v1/releases', {
          kind: 'majorAction',
          title: '保密的专项行动',
          body: '专项行动的部署情况，暂不公开。',
          confidentiality: 'confidential',
          confidentialityReason: '在办',
          caseIds: [secretCase],
        });
        expect(drafted.status).toBe(201);
        releaseId = drafted.json.id as string;
      }
      const res = await request(stack.base, tokens.get(keyOf(p))!, 'GET', `/api/v1/releases/${releaseId}`);
      checked++;
      const readable = PERMISSIONS['release.read'].allows(p) && canSeeRelease(p, { confidentiality: 'confidential' });
      if (readable) expect(res.status).toBe(200);
      else expect([403, 404]).toContain(res.status);
      if (readable) {
        const seesCase = canSeeCase(p, { confidentiality: 'confidential', involvedAgencies: ['eeb'] });
        expect(res.text.includes(secretCase)).toBe(seesCase);
      }
    },
  );
});
