import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema';
import { PROJECT_ROOT } from '../infra/paths';

export type Schema = typeof schema;
/** Both drivers (node-postgres and PGlite) expose the same query builder; code only sees this type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, for start-up messages (never includes a password). */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'db', 'migrations');

export interface DbOptions {
  databaseUrl?: string;
  /** PGlite data directory; `memory://` for a throw-away database. */
  pgliteDir?: string;
  poolMax?: number;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export async function openDb(opts: DbOptions): Promise<DbHandle> {
  if (opts.databaseUrl) {
    const { Pool } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    // jit=off: the visibility predicate's EXISTS makes the planner's cost cross the JIT threshold, and compiling
    // took ~225 ms of a 250 ms count over 100,000 cases (bench reads); short OLTP queries never gain from JIT.
    const pool = new Pool({ connectionString: opts.databaseUrl, max: opts.poolMax ?? 10, options: '-c jit=off' });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', (err) => console.error('[db] 数据库连接错误 (pool error):', err.message));
    // A client checked out for a transaction has no pool listener: without this, the server going away between two
    // statements emits an unhandled 'error' and kills the process (found by tests/faults/postgres-outage).
    // The statement in flight still fails and its caller (activity retry, 503) handles it.
    pool.on('connect', (client) => {
      client.on('error', (err) => console.error('[db] 数据库连接中断 (client error):', err.message));
    });
    const db = drizzle(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      location: redact(opts.databaseUrl),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
  }
  const dir = opts.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) fs.mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = new PGlite(dir);
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: dir,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

/** Applies the committed drizzle-kit migrations; the same files serve PostgreSQL and PGlite. */
export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === 'postgres') {
    const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
    await run(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}
