import { sql } from 'drizzle-orm';
import { Coalescer } from '../../api/coalesce';
import { createPostgresTestDb, requirePostgres, type TestDb } from '../helpers/db';

/**
 * Identical reads share an execution, but never one that started before they arrived (read-your-writes). Needs
 * concurrent statements, so PostgreSQL (PGlite runs one statement at a time).
 */
describe('read coalescing on the real database', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createPostgresTestDb(requirePostgres());
    await t.handle.db.execute(sql`create table coalesce_probe (n int not null)`);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const rows = (r: unknown) => (r as { rows: Record<string, unknown>[] }).rows;
  // A slow read: the row count, after 300 ms (pg_sleep runs before the count within the statement's snapshot).
  const slowCount = async () => {
    const r = await t.handle.db.execute(
      sql`select (select 1 from pg_sleep(0.3)) as s, (select count(*)::int from coalesce_probe) as n`,
    );
    return Number(rows(r)[0].n);
  };

  it('answers a request that came after a write with that write, and shares one run among requests waiting together', async () => {
    const c = new Coalescer<number>();
    const first = c.run('count', slowCount);
    // Wait until the first run's statement is executing (its snapshot taken) on the server.
    const sleeping = async () =>
      Number(
        rows(
          await t.handle.db.execute(
            sql`select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep(0.3)%' and pid <> pg_backend_pid()`,
          ),
        )[0].n,
      );
    while ((await sleeping()) === 0) await new Promise((r) => setTimeout(r, 10));
    await t.handle.db.execute(sql`insert into coalesce_probe values (1)`); // committed
    const second = c.run('count', slowCount);
    const third = c.run('count', slowCount);
    expect(await first).toBe(0);
    // Not the first run's answer: theirs started after they arrived, after the insert.
    expect(await second).toBe(1);
    expect(await third).toBe(1);
    expect(c.stats).toEqual({ requests: 3, runs: 2 });
  });

  it('runs different keys separately and passes a failure to every request of that run only', async () => {
    const c = new Coalescer<number>();
    const failing = () => t.handle.db.execute(sql`select 1 / 0`).then(() => 0);
    const a = c.run('bad', failing);
    const b = c.run('good', slowCount);
    await expect(a).rejects.toThrow();
    expect(await b).toBe(1);
    // After the failed run, the next request runs afresh.
    expect(await c.run('bad', slowCount)).toBe(1);
    expect(c.stats).toEqual({ requests: 3, runs: 3 });
  });
});
