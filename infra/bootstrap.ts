import path from 'node:path';
import type { Config } from '../config';
import { ensureAdmin } from '../api/auth';
import { migrate, openDb, type DbHandle } from '../db/client';
import { readRoster, seed } from '../db/seed';

/** Opens the configured database (PostgreSQL or embedded PGlite), applies migrations and seeds reference data. */
export async function openDatabase(config: Config): Promise<DbHandle> {
  const handle = await openDb({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.resolve(config.dataDir, 'pglite'),
    poolMax: config.databasePoolMax,
  });
  try {
    await migrate(handle);
    await seed(handle.db, readRoster(config.rosterFile));
    if (config.adminToken) await ensureAdmin(handle.db, config.adminToken);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
