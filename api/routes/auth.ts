import { Router } from 'express';
import { and, asc, count, eq, gte, isNull, lte, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { auditLog, sessions, users } from '../../db/schema';
import { verifyAudit } from '../audit';
import { SESSION_COOKIE, currentUser, hashPassword, startSession, verifyPassword } from '../auth';
import { HttpError, forbidden, notFound } from '../errors';
import { route } from '../openapi';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

const loginBody = z.object({ username: z.string().trim().min(1).max(50), password: z.string().min(1).max(200) }).strict();
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
export function authRouter(deps: { db: Db; secureCookies: boolean }) {
  const { db } = deps;
  const r = Router();

  route(
    r,
    { method: 'post', path: '/api/v1/auth/login', permission: 'public', summary: '控制台登录：成功后设置 HTTP-only 会话 Cookie，返回 CSRF 令牌；连续失败 5 次锁定 15 分钟', tags: ['认证'], body: loginBody },
    async (req, res, { body }) => {
      const [user] = await db.select().from(users).where(eq(users.username, body.username));
      const refuse = () => new HttpError(401, 'login_failed', '用户名或密码错误');
      if (!user || !user.active || !user.passwordHash) throw refuse();
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
        throw new HttpError(423, 'locked', `连续登录失败次数过多，账号已锁定至 ${user.lockedUntil.toISOString()}，请稍后再试或联系管理员`);
      }
      if (!verifyPassword(body.password, user.passwordHash)) {
        const failed = user.failedLogins + 1;
        const lock = failed >= MAX_FAILED_LOGINS;
        await db
          .update(users)
          .set({ failedLogins: lock ? 0 : failed, lockedUntil: lock ? new Date(Date.now() + LOCKOUT_MINUTES * 60_000) : user.lockedUntil })
          .where(eq(users.id, user.id));
        if (lock) throw new HttpError(423, 'locked', `连续登录失败 ${MAX_FAILED_LOGINS} 次，账号锁定 ${LOCKOUT_MINUTES} 分钟`);
        throw refuse();
      }
      await db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
      const s = await startSession(db, user.id, req.ip);
      res.locals.user = { id: user.id, agency: user.agency, role: user.role };
      res.cookie(SESSION_COOKIE, s.value, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, path: '/', expires: s.expiresAt });
      res.json({
        user: { id: user.id, username: user.username, displayName: user.displayName, agency: user.agency, role: user.role },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      });
    },
  );

  route(r, { method: 'post', path: '/api/v1/auth/logout', permission: 'authenticated', summary: '退出登录（吊销会话）', tags: ['认证'] }, async (_req, res) => {
    const me = currentUser(res);
    if (me.sessionId) await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, me.sessionId), isNull(sessions.revokedAt)));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  route(
    r,
    { method: 'put', path: '/api/v1/users/:id/password', permission: 'user.selfOrAdmin', summary: '设置密码（本人须提供当前密码；管理员可重置）', tags: ['用户'], params: z.object({ id: z.string().min(1).max(100) }), body: passwordBody },
    async (_req, res, { params, body }) => {
      const me = currentUser(res);
      if (me.id !== params.id && me.role !== 'admin') throw forbidden('只能设置本人的密码');
      const [user] = await db.select().from(users).where(eq(users.id, params.id));
      if (!user) throw notFound('用户不存在');
      if (me.id === params.id && user.passwordHash && !verifyPassword(body.currentPassword ?? '', user.passwordHash)) {
        throw new HttpError(422, 'validation_failed', '当前密码不正确');
      }
      await db.update(users).set({ passwordHash: hashPassword(body.password), failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
      // A new password ends every other session of the user.
      await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt)));
      res.status(204).end();
    },
  );

  route(r, { method: 'get', path: '/api/v1/audit', permission: 'audit.read', summary: '查询审计日志（按用户、机关、操作、对象、时间）', tags: ['审计'], query: auditQuery }, async (_req, res, { query }) => {
    const where: SQL[] = [];
    if (query.userId) where.push(eq(auditLog.userId, query.userId));
    if (query.agency) where.push(eq(auditLog.agency, query.agency));
    if (query.action) where.push(eq(auditLog.action, query.action));
    if (query.target) where.push(eq(auditLog.target, query.target));
    if (query.from) where.push(gte(auditLog.at, new Date(query.from)));
    if (query.to) where.push(lte(auditLog.at, new Date(query.to)));
    const cond = where.length ? and(...where) : undefined;
    const [{ total }] = await db.select({ total: count() }).from(auditLog).where(cond);
    const items = await db.select().from(auditLog).where(cond).orderBy(asc(auditLog.id)).limit(query.pageSize).offset((query.page - 1) * query.pageSize);
    res.json({ items, total, page: query.page, pageSize: query.pageSize });
  });

  route(r, { method: 'get', path: '/api/v1/audit/verify', permission: 'audit.read', summary: '校验审计日志哈希链（发现被修改、删除或调换顺序的记录）', tags: ['审计'] }, async (_req, res) => {
    res.json(await verifyAudit(db));
  });

  return r;
}
