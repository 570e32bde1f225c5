import crypto from 'node:crypto';
import { hashToken } from '../../api/auth';
import type { Db } from '../../db/client';
import { apiTokens, users } from '../../db/schema';
import type { Principal } from '../../domain/policy';

let n = 0;

/**
 * A confirmed user of this agency and role with an API token of their own; returns the bearer token. `id` defaults
 * to a fresh one per call (u-<agency>-<role>-<n>), which is also the username.
 */
export async function createUserToken(
  db: Db,
  p: Principal,
  opts: { id?: string; displayName?: string; token?: string } = {},
): Promise<string> {
  const id = opts.id ?? `u-${p.agency}-${p.role}-${++n}`;
  const token = opts.token ?? `tok-${crypto.randomBytes(16).toString('hex')}`;
  await db.insert(users).values({
    id,
    username: id,
    displayName: opts.displayName ?? `${p.agency} ${p.role}`,
    agency: p.agency,
    role: p.role,
    email: `${id}@test.local`,
    confirmedAt: new Date(),
    confirmedBy: 'test',
  });
  await db.insert(apiTokens).values({ id: `t-${id}`, userId: id, name: 'test', tokenHash: hashToken(token) });
  return token;
}
