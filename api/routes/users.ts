import crypto from 'node:crypto';
import { Router } from 'express';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { apiTokens, users } from '../../db/schema';
import { ROLES } from '../../domain/case';
import { currentUser, hashToken, newToken, type TokenCache } from '../auth';
import { HttpError, forbidden, notFound } from '../errors';
import { route } from '../openapi';

const AGENCY_CODES = ['eeb', 'psb', 'spp', 'workingGroup', 'admin'] as const;

const createUserBody = z
  .object({
    username: z.string().trim().regex(/^[A-Za-z0-9_.-]{2,50}$/, '用户名只能包含字母、数字和 _.-，2–50 个字符'),
    displayName: z.string().trim().min(1).max(100),
    agency: z.enum(AGENCY_CODES),
    role: z.enum(ROLES),
    email: z.email().optional(),
  })
  .strict();

const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe('令牌用途，例如「案件系统对接」'),
    expiresInDays: z.number().int().min(1).max(3650).default(365),
  })
  .strict();

const userParams = z.object({ id: z.string().min(1).max(100) });

/** Users and their bearer tokens. Administrators manage users; a user may manage their own tokens. */
export function usersRouter(deps: { db: Db; tokenCache?: TokenCache }) {
  const { db } = deps;
  const r = Router();

  // Tokens: a user manages their own; an administrator anyone's.
  const requireAdmin = (role: string) => {
    if (role !== 'admin') throw forbidden('只能管理本人的令牌');
  };

  route(r, { method: 'get', path: '/api/v1/me', permission: 'authenticated', summary: '当前用户', tags: ['用户'] }, async (_req, res) => {
    const me = currentUser(res);
    res.json({ id: me.id, username: me.username, displayName: me.displayName, agency: me.agency, role: me.role });
  });

  route(r, { method: 'get', path: '/api/v1/users', permission: 'user.admin', summary: '用户列表（管理员）', tags: ['用户'] }, async (_req, res) => {
    // Never the password hash: whether a console password is set, and whether the account is locked, is enough.
    const rows = await db.select().from(users).orderBy(users.agency, users.username);
    res.json({ items: rows.map(({ passwordHash, ...u }) => ({ ...u, hasPassword: passwordHash !== null })) });
  });

  route(
    r,
    { method: 'post', path: '/api/v1/users', permission: 'user.admin', summary: '新建用户并签发第一个令牌（管理员）', tags: ['用户'], body: createUserBody, responses: { 201: { description: '已创建；token 只显示这一次' } } },
    async (_req, res, { body }) => {
      if ((body.agency === 'admin') !== (body.role === 'admin')) {
        throw new HttpError(422, 'validation_failed', '系统管理员角色只能属于“平台管理”，其他机关的用户不能是系统管理员');
      }
      const [exists] = await db.select({ id: users.id }).from(users).where(eq(users.username, body.username));
      if (exists) throw new HttpError(409, 'conflict', `用户名已存在：${body.username}`);
      const id = crypto.randomUUID();
      await db.insert(users).values({ id, username: body.username, displayName: body.displayName, agency: body.agency, role: body.role, email: body.email ?? null });
      const token = newToken();
      await db.insert(apiTokens).values({
        id: crypto.randomUUID(),
        userId: id,
        name: '初始令牌',
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + 365 * 86_400_000),
      });
      const [{ passwordHash: _hash, ...user }] = await db.select().from(users).where(eq(users.id, id));
      res.status(201).json({ user, token });
    },
  );

  route(
    r,
    { method: 'post', path: '/api/v1/users/:id/tokens', permission: 'user.selfOrAdmin', summary: '签发令牌（本人或管理员）；令牌只显示这一次', tags: ['用户'], params: userParams, body: createTokenBody },
    async (_req, res, { params, body }) => {
      const me = currentUser(res);
      if (me.id !== params.id) requireAdmin(me.role);
      const [user] = await db.select().from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      const token = newToken();
      const id = crypto.randomUUID();
      const expiresAt = new Date(Date.now() + body.expiresInDays * 86_400_000);
      await db.insert(apiTokens).values({ id, userId: user.id, name: body.name, tokenHash: hashToken(token), expiresAt });
      res.status(201).json({ id, name: body.name, expiresAt, token });
    },
  );

  route(
    r,
    { method: 'get', path: '/api/v1/users/:id/tokens', permission: 'user.selfOrAdmin', summary: '令牌列表（本人或管理员；不含令牌本身）', tags: ['用户'], params: userParams },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      if (me.id !== params.id) requireAdmin(me.role);
      const rows = await db
        .select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, expiresAt: apiTokens.expiresAt, revokedAt: apiTokens.revokedAt, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens)
        .where(eq(apiTokens.userId, params.id));
      res.json({ items: rows });
    },
  );

  route(
    r,
    { method: 'delete', path: '/api/v1/users/:id/tokens/:tokenId', permission: 'user.selfOrAdmin', summary: '吊销令牌（本人或管理员）', tags: ['用户'], params: z.object({ id: z.string().min(1).max(100), tokenId: z.string().min(1).max(100) }) },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      if (me.id !== params.id) requireAdmin(me.role);
      const done = await db
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, params.tokenId), eq(apiTokens.userId, params.id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      if (!done.length) throw notFound('令牌不存在或已吊销');
      deps.tokenCache?.forget({ tokenId: params.tokenId });
      res.status(204).end();
    },
  );

  return r;
}
