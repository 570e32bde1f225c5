import crypto from 'node:crypto';
import { Client } from 'pg';
import { migrate, openDb, type DbHandle } from '../../db/client';
import { readRoster, seed } from '../../db/seed';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

/** For the tests that need a PostgreSQL server (PGlite cannot stand in): without one they fail, saying why. */
export function requirePostgres(): string {
  if (!TEST_PG_URL)
    throw new Error(
      '此测试需要 PostgreSQL：请设置 TEST_DATABASE_URL（例如 postgres://postgres@127.0.0.1:5432/postgres）',
    );
  return TEST_PG_URL;
}

export interface TestDb {
  handle: DbHandle;
  url?: string;
  cleanup(): Promise<void>;
}

/** A fresh PostgreSQL database on the real server (when TEST_DATABASE_URL/DATABASE_URL is set). */
export async function createPostgresTestDb(baseUrl: string, poolMax = 5): Promise<TestDb> {
  const name = `t_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = await openDb({ databaseUrl: url, poolMax });
  await migrate(handle);
  await seed(handle.db, readRoster());
  return {
    handle,
    url,
    async cleanup() {
      await handle.close();
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createPgliteTestDb(): Promise<TestDb> {
  const handle = await openDb({ pgliteDir: 'memory://' });
  await migrate(handle);
  await seed(handle.db, readRoster());
  return { handle, cleanup: () => handle.close() };
}

/** Real PostgreSQL when configured (CI), otherwise embedded PGlite. */
export async function createTestDb(opts: { poolMax?: number } = {}): Promise<TestDb> {
  return TEST_PG_URL ? createPostgresTestDb(TEST_PG_URL, opts.poolMax) : createPgliteTestDb();
}
