import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiTokens, users } from '../db/schema';
import { unauthorized } from './errors';

export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  agency: string;
  role: string;
  tokenId: string;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `lk_${crypto.randomBytes(32).toString('base64url')}`;
}

export function currentUser(res: Response): AuthUser {
  const u = res.locals.user as AuthUser | undefined;
  if (!u) throw unauthorized();
  return u;
}

/** Bearer tokens: looked up by hash, rejected when revoked or expired. */
export function authenticate(db: Db): RequestHandler {
  return async (req, res, next) => {
    try {
      const header = req.get('authorization') ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized();
      const [row] = await db
        .select({ token: apiTokens, user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, hashToken(m[1])), isNull(apiTokens.revokedAt)));
      if (!row || !row.user.active) throw unauthorized();
      if (row.token.expiresAt && row.token.expiresAt.getTime() < Date.now()) throw unauthorized('令牌已过期，请重新申请');
      res.locals.user = {
        id: row.user.id,
        username: row.user.username,
        displayName: row.user.displayName,
        agency: row.user.agency,
        role: row.user.role,
        tokenId: row.token.id,
      } satisfies AuthUser;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** ADMIN_TOKEN bootstraps the first administrator: the token is stored hashed and replaced when it changes. */
export async function ensureAdmin(db: Db, token: string): Promise<void> {
  await db
    .insert(users)
    .values({ id: 'admin', username: 'admin', displayName: '系统管理员', agency: 'admin', role: 'admin' })
    .onConflictDoNothing({ target: users.id });
  await db
    .insert(apiTokens)
    .values({ id: 'admin-bootstrap', userId: 'admin', name: 'ADMIN_TOKEN（启动时配置）', tokenHash: hashToken(token) })
    .onConflictDoUpdate({ target: apiTokens.id, set: { tokenHash: hashToken(token), revokedAt: null } });
}
