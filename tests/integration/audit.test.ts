import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { ANCHOR_ACTION, GENESIS, appendAudit, entryHash, verifyAudit, type AuditEntry } from '../../api/audit';
import { auditLog, users } from '../../db/schema';
import { createPgliteTestDb, createPostgresTestDb, TEST_PG_URL, type TestDb } from '../helpers/db';

const KEY = 'test-audit-key-of-at-least-32-characters';
const backends: [string, () => Promise<TestDb>][] = [['PGlite', createPgliteTestDb]];
if (TEST_PG_URL) backends.unshift(['PostgreSQL', () => createPostgresTestDb(TEST_PG_URL!)]);

const entry = (i: number): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 28, 8, 0, i)),
  userId: `u${i}`,
  agency: 'eeb',
  role: 'officer',
  action: 'POST /api/v1/cases/:id/steps/:step',
  target: `case-${i}`,
  status: 200,
  ip: '127.0.0.1',
  requestId: `r${i}`,
  detail: { body: { documentNumber: `D${i}` } },
});

describe.each(backends)('audit log hash chain on %s', (_name, make) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await make();
    for (let i = 1; i <= 5; i++) await appendAudit(t.handle.db, KEY, entry(i));
  });
  afterEach(async () => {
    await t.cleanup();
  });

  // Tampering needs the append-only trigger out of the way, as an attacker with superuser rights would do.
  const tamper = async (q: ReturnType<typeof sql>) => {
    await t.handle.db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
    await t.handle.db.execute(sql`alter table audit_log disable trigger audit_log_no_truncate`);
    await t.handle.db.execute(q);
    await t.handle.db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    await t.handle.db.execute(sql`alter table audit_log enable trigger audit_log_no_truncate`);
  };

  // Row 1 is the anchor (written with the first keyed entry), the five entries rows 2–6.
  it('verifies an intact chain, anchored and keyed', async () => {
    expect(await verifyAudit(t.handle.db, KEY)).toEqual({ ok: true, entries: 6, problems: [] });
    const rows = await t.handle.db.select().from(auditLog).orderBy(auditLog.id);
    expect(rows[0]).toMatchObject({ id: 1, action: ANCHOR_ACTION, keyed: true, prevHash: GENESIS });
    expect(rows.every((r) => r.keyed)).toBe(true);
  });

  it('refuses TRUNCATE through a statement trigger', async () => {
    const failure = await t.handle.db.execute(sql`truncate audit_log`).then(
      () => '',
      (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`,
    );
    expect(failure).toMatch(/TRUNCATE refused/);
    expect((await t.handle.db.select().from(auditLog)).length).toBe(6);
  });

  it('detects a chain emptied and recomputed without the key (sha256 as before)', async () => {
    const rows = await t.handle.db.select().from(auditLog).orderBy(auditLog.id);
    await tamper(sql`truncate audit_log restart identity`);
    let prev = GENESIS;
    for (const r of rows.slice(1).filter((x) => x.target !== 'case-3')) {
      const e: AuditEntry = {
        at: r.at,
        userId: r.userId,
        agency: r.agency,
        role: r.role,
        action: r.action,
        target: r.target,
        status: r.status,
        ip: r.ip,
        requestId: r.requestId,
        detail: r.detail as Record<string, unknown>,
      };
      const hash = entryHash(prev, e);
      await t.handle.db.insert(auditLog).values({ ...e, prevHash: prev, hash });
      prev = hash;
    }
    const forged = await verifyAudit(t.handle.db, KEY);
    expect(forged.ok).toBe(false);
    expect(forged.problems.map((p) => p.problemZh).join()).toContain('锚定');
  });

  it('refuses a chain checked with another key', async () => {
    const r = await verifyAudit(t.handle.db, 'another-key-of-at-least-32-characters!!');
    expect(r.ok).toBe(false);
    expect(r.problems[0].problemZh).toContain('AUDIT_KEY');
  });

  it('npm run user:confirm confirms an account on the server and records it in the keyed chain (PostgreSQL)', async () => {
    if (!t.url) return;
    await t.handle.db
      .insert(users)
      .values({ id: 'spp-head-1', username: 'spp-head-1', displayName: '检察院负责人', agency: 'spp', role: 'head' });
    const out = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, '..', '..', 'scripts', 'user-confirm.ts'), 'spp-head-1'],
      {
        env: { ...process.env, DATABASE_URL: t.url, AUDIT_KEY: KEY },
        encoding: 'utf8',
      },
    );
    expect(out.status).toBe(0);
    const [u] = await t.handle.db.select().from(users).where(eq(users.id, 'spp-head-1'));
    expect(u.confirmedBy).toMatch(/^operator:/);
    expect(await verifyAudit(t.handle.db, KEY)).toMatchObject({ ok: true, entries: 7 });
  });

  it('refuses changes through the append-only trigger', async () => {
    const failure = await t.handle.db.execute(sql`update audit_log set status = 500`).then(
      () => '',
      (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`,
    );
    expect(failure).toMatch(/append-only/);
  });

  it('detects a changed entry (and npm run audit:verify exits 1 on PostgreSQL)', async () => {
    const cli = () =>
      spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), path.join(__dirname, '..', '..', 'scripts', 'audit-verify.ts')],
        {
          env: { ...process.env, DATABASE_URL: t.url, AUDIT_KEY: KEY },
          encoding: 'utf8',
        },
      );
    if (t.url) expect(cli().status).toBe(0);
    await tamper(sql`update audit_log set target = 'case-x' where id = 3`);
    const r = await verifyAudit(t.handle.db, KEY);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ id: 3, problemZh: expect.stringContaining('被修改') }]);
    if (t.url) {
      const out = cli();
      expect(out.status).toBe(1);
      expect(out.stderr).toContain('第 3 条');
    }
  });

  it('detects a removed entry', async () => {
    await tamper(sql`delete from audit_log where id = 2`);
    const r = await verifyAudit(t.handle.db, KEY);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ id: 3, problemZh: expect.stringContaining('删除') });
  });

  it('detects reordered entries', async () => {
    // Swap the contents of rows 2 and 4 (ids keep their order, the chain does not).
    const rows = await t.handle.db.select().from(auditLog);
    const a = rows.find((r) => r.id === 2)!;
    const b = rows.find((r) => r.id === 4)!;
    const set = (id: number, r: typeof a) =>
      sql`update audit_log set at = ${r.at}, user_id = ${r.userId}, target = ${r.target}, request_id = ${r.requestId}, detail = ${JSON.stringify(r.detail)}::jsonb, prev_hash = ${r.prevHash}, hash = ${r.hash} where id = ${id}`;
    await tamper(set(2, b));
    await tamper(set(4, a));
    const r = await verifyAudit(t.handle.db, KEY);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.id)).toEqual(expect.arrayContaining([2]));
  });
});
