import crypto from 'node:crypto';
import { Router } from 'express';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { apiTokens, notifications, sessions, users } from '../../db/schema';
import { mayConfirm, type PolicyAgency, type PolicyRole } from '../../domain/policy';
import { ROLES } from '../../domain/case';
import {
  currentUser,
  hashToken,
  newToken,
  verifyPassword,
  type AuthUser,
  type FailureThrottle,
  type TokenCache,
} from '../auth';
import { HttpError, forbidden, notFound } from '../errors';
import { route } from '../openapi';

const AGENCY_CODES = ['eeb', 'psb', 'spp', 'workingGroup', 'admin'] as const;

const createUserBody = z
  .object({
    username: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{2,50}$/, '用户名只能包含字母、数字和 _.-，2–50 个字符'),
    displayName: z.string().trim().min(1).max(100),
    agency: z.enum(AGENCY_CODES),
    role: z.enum(ROLES),
    email: z.email().optional(),
  })
  .strict();

/** Longest life of a token a user issues to themselves, and of one an administrator issues. */
export const SELF_TOKEN_MAX_DAYS = 90;
export const ADMIN_TOKEN_MAX_DAYS = 365;

const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe('令牌用途，例如「案件系统对接」'),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(ADMIN_TOKEN_MAX_DAYS)
      .optional()
      .describe(`有效天数：本人签发至多 ${SELF_TOKEN_MAX_DAYS} 天，管理员签发至多 ${ADMIN_TOKEN_MAX_DAYS} 天`),
    currentPassword: z.string().max(200).optional().describe('本人签发时必填：当前登录密码'),
  })
  .strict();

const patchUserBody = z
  .object({
    active: z
      .boolean()
      .optional()
      .describe('false 停用账号（令牌、会话、邮件随之停止）；true 重新启用（旧令牌不恢复）'),
    displayName: z.string().trim().min(1).max(100).optional(),
    email: z.email().nullable().optional(),
  })
  .strict();

const userParams = z.object({ id: z.string().min(1).max(100) });

/** Users and their bearer tokens. Administrators manage users; a user may manage their own tokens. */
export function usersRouter(deps: { db: Db; tokenCache?: TokenCache; passwordFailures?: FailureThrottle }) {
  const { db } = deps;
  const r = Router();

  // Tokens: a user manages their own; an administrator anyone's.
  const requireAdmin = (role: string) => {
    if (role !== 'admin') throw forbidden('只能管理本人的令牌');
  };

  route(
    r,
    { method: 'get', path: '/api/v1/me', permission: 'authenticated', summary: '当前用户', tags: ['用户'] },
    async (_req, res) => {
      const me = currentUser(res);
      res.json({ id: me.id, username: me.username, displayName: me.displayName, agency: me.agency, role: me.role });
    },
  );

  route(
    r,
    { method: 'get', path: '/api/v1/users', permission: 'user.admin', summary: '用户列表（管理员）', tags: ['用户'] },
    async (_req, res) => {
      // Never the password hash: whether a console password is set, and whether the account is locked, is enough.
      const rows = await db.select().from(users).orderBy(users.agency, users.username);
      res.json({ items: rows.map(({ passwordHash, ...u }) => ({ ...u, hasPassword: passwordHash !== null })) });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/users',
      permission: 'user.admin',
      summary: '新建用户并签发第一个令牌（管理员）；检察院账号须经检察院负责人确认后方可使用',
      tags: ['用户'],
      body: createUserBody,
      responses: { 201: { description: '已创建；token 只显示这一次' } },
    },
    async (_req, res, { body }) => {
      if ((body.agency === 'admin') !== (body.role === 'admin')) {
        throw new HttpError(
          422,
          'validation_failed',
          '系统管理员角色只能属于“平台管理”，其他机关的用户不能是系统管理员',
        );
      }
      const [exists] = await db.select({ id: users.id }).from(users).where(eq(users.username, body.username));
      if (exists) throw new HttpError(409, 'conflict', `用户名已存在：${body.username}`);
      const id = crypto.randomUUID();
      await db.insert(users).values({
        id,
        username: body.username,
        displayName: body.displayName,
        agency: body.agency,
        role: body.role,
        email: body.email ?? null,
      });
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
    {
      method: 'post',
      path: '/api/v1/users/:id/tokens',
      permission: 'user.selfOrAdmin',
      summary: '签发令牌（本人或管理员）；令牌只显示这一次',
      tags: ['用户'],
      params: userParams,
      body: createTokenBody,
    },
    async (_req, res, { params, body }) => {
      const me = currentUser(res);
      if (me.id !== params.id) requireAdmin(me.role);
      const [user] = await db.select().from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      const self = me.id === user.id && me.role !== 'admin';
      if (self) {
        // A session or token alone does not mint a longer-lived credential: the password is asked again.
        if (!user.passwordHash)
          throw new HttpError(422, 'validation_failed', '未设置登录密码的账号，令牌由系统管理员签发', {
            field: 'currentPassword',
          });
        if (deps.passwordFailures?.blocked(user.id))
          throw new HttpError(429, 'rate_limited', '尝试次数过多，请 15 分钟后再试');
        if (!(await verifyPassword(body.currentPassword ?? '', user.passwordHash))) {
          deps.passwordFailures?.fail(user.id);
          throw new HttpError(422, 'validation_failed', '当前密码不正确', { field: 'currentPassword' });
        }
      }
      const maxDays = self ? SELF_TOKEN_MAX_DAYS : ADMIN_TOKEN_MAX_DAYS;
      const days = body.expiresInDays ?? maxDays;
      if (days > maxDays)
        throw new HttpError(422, 'validation_failed', `本人签发的令牌有效期至多 ${maxDays} 天`, {
          field: 'expiresInDays',
        });
      const token = newToken();
      const id = crypto.randomUUID();
      const expiresAt = new Date(Date.now() + days * 86_400_000);
      await db.insert(apiTokens).values({
        id,
        userId: user.id,
        name: body.name,
        tokenHash: hashToken(token),
        expiresAt,
        selfIssued: me.id === user.id,
        sessionId: me.id === user.id ? (me.sessionId ?? null) : null,
      });
      res.status(201).json({ id, name: body.name, expiresAt, token });
    },
  );

  /** Deactivation: the account stops at once (tokens, sessions) and nothing more is mailed to it. */
  const deactivate = async (me: AuthUser, id: string) => {
    if (me.id === id) throw new HttpError(422, 'validation_failed', '不能停用本人的账号');
    const now = new Date();
    const done = await db
      .update(users)
      .set({ active: false, deactivatedAt: now })
      .where(eq(users.id, id))
      .returning({ id: users.id });
    if (!done.length) throw notFound('用户不存在');
    await db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, id), isNull(apiTokens.revokedAt)));
    await db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, id), isNull(sessions.revokedAt)));
    await db
      .update(notifications)
      .set({ status: 'cancelled', lastError: '收件人账号已停用' })
      .where(and(eq(notifications.recipientUserId, id), inArray(notifications.status, ['pending', 'held'])));
    deps.tokenCache?.forget({ userId: id });
  };
  const userView = async (id: string) => {
    const [{ passwordHash, ...u }] = await db.select().from(users).where(eq(users.id, id));
    return { ...u, hasPassword: passwordHash !== null };
  };

  route(
    r,
    {
      method: 'delete',
      path: '/api/v1/users/:id',
      permission: 'user.admin',
      summary: '停用用户（管理员）：吊销其全部令牌和会话，不再向其发送邮件；记录保留',
      tags: ['用户'],
      params: userParams,
    },
    async (_req, res, { params }) => {
      await deactivate(currentUser(res), params.id);
      res.status(204).end();
    },
  );

  route(
    r,
    {
      method: 'patch',
      path: '/api/v1/users/:id',
      permission: 'user.admin',
      summary: '修改用户（管理员）：停用 / 重新启用、姓名、邮箱',
      tags: ['用户'],
      params: userParams,
      body: patchUserBody,
    },
    async (_req, res, { params, body }) => {
      const me = currentUser(res);
      const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      if (body.active === false) await deactivate(me, params.id);
      const set: Partial<typeof users.$inferInsert> = {};
      if (body.active === true) Object.assign(set, { active: true, deactivatedAt: null });
      if (body.displayName !== undefined) set.displayName = body.displayName;
      if (body.email !== undefined) set.email = body.email;
      if (Object.keys(set).length) await db.update(users).set(set).where(eq(users.id, params.id));
      deps.tokenCache?.forget({ userId: params.id });
      res.json(await userView(params.id));
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/users/:id/confirm',
      permission: 'user.confirm',
      summary: '确认账号（本机关负责人）：可查阅保密案件的检察院账号须经确认方可使用',
      tags: ['用户'],
      params: userParams,
    },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      const [user] = await db.select().from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      if (user.id === me.id) throw forbidden('不能确认本人的账号');
      if (
        !mayConfirm(
          { agency: me.agency as PolicyAgency, role: me.role as PolicyRole },
          { agency: user.agency as PolicyAgency, role: user.role as PolicyRole },
        )
      ) {
        throw forbidden('只有本机关负责人可以确认该账号');
      }
      if (!user.confirmedAt)
        await db.update(users).set({ confirmedAt: new Date(), confirmedBy: me.id }).where(eq(users.id, user.id));
      res.json(await userView(user.id));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/users/:id/tokens',
      permission: 'user.selfOrAdmin',
      summary: '令牌列表（本人或管理员；不含令牌本身）',
      tags: ['用户'],
      params: userParams,
    },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      if (me.id !== params.id) requireAdmin(me.role);
      const rows = await db
        .select({
          id: apiTokens.id,
          name: apiTokens.name,
          createdAt: apiTokens.createdAt,
          expiresAt: apiTokens.expiresAt,
          revokedAt: apiTokens.revokedAt,
          lastUsedAt: apiTokens.lastUsedAt,
        })
        .from(apiTokens)
        .where(eq(apiTokens.userId, params.id));
      res.json({ items: rows });
    },
  );

  route(
    r,
    {
      method: 'delete',
      path: '/api/v1/users/:id/tokens/:tokenId',
      permission: 'user.selfOrAdmin',
      summary: '吊销令牌（本人或管理员）',
      tags: ['用户'],
      params: z.object({ id: z.string().min(1).max(100), tokenId: z.string().min(1).max(100) }),
    },
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
