import crypto from 'node:crypto';
import { Router } from 'express';
import { and, asc, count, eq, gte, isNull, lte, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { apiTokens, auditLog, notifications, sessions, users } from '../../db/schema';
import { verifyAudit } from '../audit';
import {
  FailureThrottle,
  SESSION_COOKIE,
  currentUser,
  hashPassword,
  startSession,
  verifyPassword,
  type TokenCache,
} from '../auth';
import { HttpError, forbidden, notFound } from '../errors';
import { route } from '../openapi';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

const tooManyAttempts = () => new HttpError(429, 'rate_limited', `尝试次数过多，请 ${LOCKOUT_MINUTES} 分钟后再试`);

const loginBody = z
  .object({ username: z.string().trim().min(1).max(50), password: z.string().min(1).max(200) })
  .strict();
const passwordBody = z
  .object({
    password: z.string().min(10, '密码至少 10 个字符').max(200),
    currentPassword: z.string().max(200).optional(),
  })
  .strict();
const auditQuery = z.object({
  userId: z.string().max(100).optional(),
  agency: z.string().max(30).optional(),
  action: z.string().max(200).optional(),
  target: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** Console login (password → HTTP-only session cookie + CSRF token), logout, passwords, and the audit log API. */
export function authRouter(deps: {
  db: Db;
  secureCookies: boolean;
  auditKey: string;
  tokenCache?: TokenCache;
  passwordFailures?: FailureThrottle;
}) {
  const { db } = deps;
  const r = Router();
  const loginFailures = new FailureThrottle(MAX_FAILED_LOGINS, LOCKOUT_MINUTES * 60_000);
  const passwordFailures = deps.passwordFailures ?? new FailureThrottle(MAX_FAILED_LOGINS, LOCKOUT_MINUTES * 60_000);

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/auth/login',
      permission: 'public',
      summary:
        '控制台登录：成功后设置 HTTP-only 会话 Cookie，返回 CSRF 令牌；同一用户名自同一地址 15 分钟内失败 5 次后暂停尝试（429）',
      tags: ['认证'],
      body: loginBody,
    },
    async (req, res, { body }) => {
      // Unknown, wrong and throttled answer alike and cost alike (a dummy hash for unknown users): nothing tells
      // whether a username exists, and a throttle is per username and address, so no one locks another out.
      const key = `${body.username.toLowerCase()}|${req.ip ?? ''}`;
      const [user] = await db.select().from(users).where(eq(users.username, body.username));
      const throttled = loginFailures.blocked(key);
      const ok = await verifyPassword(body.password, user?.active ? user.passwordHash : null);
      if (throttled) throw tooManyAttempts();
      if (!ok || !user) {
        loginFailures.fail(key);
        throw new HttpError(401, 'login_failed', '用户名或密码错误');
      }
      loginFailures.clear(key);
      const s = await startSession(db, user.id, req.ip);
      res.locals.user = { id: user.id, agency: user.agency, role: user.role };
      res.cookie(SESSION_COOKIE, s.value, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        expires: s.expiresAt,
      });
      res.json({
        user: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          agency: user.agency,
          role: user.role,
        },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/auth/logout',
      permission: 'authenticated',
      summary: '退出登录（吊销会话及本次会话签发的令牌）',
      tags: ['认证'],
    },
    async (_req, res) => {
      const me = currentUser(res);
      if (me.sessionId) {
        await db
          .update(sessions)
          .set({ revokedAt: new Date() })
          .where(and(eq(sessions.id, me.sessionId), isNull(sessions.revokedAt)));
        await db
          .update(apiTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiTokens.sessionId, me.sessionId), isNull(apiTokens.revokedAt)));
        deps.tokenCache?.forget({ userId: me.id });
      }
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.status(204).end();
    },
  );

  route(
    r,
    {
      method: 'put',
      path: '/api/v1/users/:id/password',
      permission: 'user.selfOrAdmin',
      summary: '设置密码（本人须提供当前密码，错误 5 次后暂停 15 分钟；管理员可重置，并通知本人）',
      tags: ['用户'],
      params: z.object({ id: z.string().min(1).max(100) }),
      body: passwordBody,
    },
    async (_req, res, { params, body }) => {
      const me = currentUser(res);
      if (me.id !== params.id && me.role !== 'admin') throw forbidden('只能设置本人的密码');
      const [user] = await db.select().from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      if (me.id === params.id && user.passwordHash) {
        // Counted per user: a stolen token must not turn into the password by guessing.
        if (passwordFailures.blocked(user.id)) throw tooManyAttempts();
        if (!(await verifyPassword(body.currentPassword ?? '', user.passwordHash))) {
          passwordFailures.fail(user.id);
          throw new HttpError(422, 'validation_failed', '当前密码不正确');
        }
        passwordFailures.clear(user.id);
      }
      const now = new Date();
      await db
        .update(users)
        .set({ passwordHash: await hashPassword(body.password), failedLogins: 0, lockedUntil: null })
        .where(eq(users.id, user.id));
      // A new password ends every session of the user and every token they issued to themselves.
      await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt)));
      await db
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.userId, user.id), eq(apiTokens.selfIssued, true), isNull(apiTokens.revokedAt)));
      deps.tokenCache?.forget({ userId: user.id });
      if (me.id !== user.id) {
        // Set by someone else: the user is told, in the inbox, so a password they did not ask for is noticed.
        const id = `password-set:${crypto.randomUUID()}`;
        await db.insert(notifications).values({
          id,
          eventId: id,
          recipientUserId: user.id,
          recipientLabelZh: user.displayName,
          channel: 'inbox',
          status: 'sent',
          sentAt: now,
          subject: '您的登录密码已被管理员重新设置',
          bodyText: `系统管理员（${me.displayName}）于 ${now.toISOString()} 重新设置了您的控制台登录密码，您的所有会话和自行签发的令牌已失效。如非您本人申请，请立即联系本机关负责人。`,
          messageId: `<${id}@linkage.local>`,
        });
      }
      res.status(204).end();
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/audit',
      permission: 'audit.read',
      summary: '查询审计日志（按用户、机关、操作、对象、时间）',
      tags: ['审计'],
      query: auditQuery,
    },
    async (_req, res, { query }) => {
      const where: SQL[] = [];
      if (query.userId) where.push(eq(auditLog.userId, query.userId));
      if (query.agency) where.push(eq(auditLog.agency, query.agency));
      if (query.action) where.push(eq(auditLog.action, query.action));
      if (query.target) where.push(eq(auditLog.target, query.target));
      if (query.from) where.push(gte(auditLog.at, new Date(query.from)));
      if (query.to) where.push(lte(auditLog.at, new Date(query.to)));
      const cond = where.length ? and(...where) : undefined;
      const [{ total }] = await db.select({ total: count() }).from(auditLog).where(cond);
      const items = await db
        .select()
        .from(auditLog)
        .where(cond)
        .orderBy(asc(auditLog.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      res.json({ items, total, page: query.page, pageSize: query.pageSize });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/audit/verify',
      permission: 'audit.read',
      summary: '校验审计日志哈希链（发现被修改、删除或调换顺序的记录）',
      tags: ['审计'],
    },
    async (_req, res) => {
      res.json(await verifyAudit(db, deps.auditKey));
    },
  );

  return r;
}
