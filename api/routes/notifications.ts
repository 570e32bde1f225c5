import { Router } from 'express';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { cases, notifications, userPreferences } from '../../db/schema';
import { currentUser } from '../auth';
import { notFound } from '../errors';
import { route } from '../openapi';
import { visibleTo } from './cases';

const WARNING_DELIVERY_ZH = { immediate: '逐条即时发送', digest: '每日汇总（摘要邮件）' } as const;

/** The in-app inbox of every user, and the delivery status of a case's notifications. */
export function notificationsRouter(deps: { db: Db; digestTime?: string }) {
  const { db } = deps;
  const r = Router();

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/me/notifications',
      permission: 'authenticated',
      summary: '我的站内通知（unread=true 只看未读）',
      tags: ['通知'],
      query: z.object({
        unread: z.enum(['true', 'false']).optional(),
        page: z.coerce.number().int().min(1).max(10000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    async (_req, res, { query }) => {
      const me = currentUser(res);
      const cond = and(
        eq(notifications.recipientUserId, me.id),
        query.unread === 'true' ? isNull(notifications.readAt) : undefined,
      );
      const [{ total }] = await db.select({ total: count() }).from(notifications).where(cond);
      const [{ unread }] = await db
        .select({ unread: count() })
        .from(notifications)
        .where(and(eq(notifications.recipientUserId, me.id), isNull(notifications.readAt)));
      const items = await db
        .select({
          id: notifications.id,
          caseId: notifications.caseId,
          subject: notifications.subject,
          bodyText: notifications.bodyText,
          status: notifications.status,
          createdAt: notifications.createdAt,
          sentAt: notifications.sentAt,
          readAt: notifications.readAt,
        })
        .from(notifications)
        .where(cond)
        .orderBy(desc(notifications.createdAt))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      res.json({ items, total, unread, page: query.page, pageSize: query.pageSize });
    },
  );

  const preferencesOf = async (userId: string) => {
    const [p] = await db.select().from(userPreferences).where(eq(userPreferences.userId, userId));
    const warningDelivery = (p?.warningDelivery ?? 'immediate') as 'immediate' | 'digest';
    return {
      warningDelivery,
      warningDeliveryZh: WARNING_DELIVERY_ZH[warningDelivery],
      // When the digest goes out (China time); null: DIGEST_TIME=off, held warnings wait in the inbox.
      digestTime: deps.digestTime ?? null,
      updatedAt: p?.updatedAt ?? null,
    };
  };

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/me/preferences',
      permission: 'authenticated',
      summary: '我的通知偏好（预警逐条即时发送或每日汇总）',
      tags: ['通知'],
    },
    async (_req, res) => {
      res.json(await preferencesOf(currentUser(res).id));
    },
  );

  route(
    r,
    {
      method: 'put',
      path: '/api/v1/me/preferences',
      permission: 'authenticated',
      summary:
        '设置我的通知偏好：预警（仅预警）逐条即时发送（immediate）或每日汇总为一封摘要（digest）；超期、监督、督办始终即时发送',
      tags: ['通知'],
      body: z
        .object({
          warningDelivery: z.enum(['immediate', 'digest'], {
            message: '预警接收方式应为 immediate（逐条即时）或 digest（每日汇总）',
          }),
        })
        .strict(),
    },
    async (_req, res, { body }) => {
      const me = currentUser(res);
      const now = new Date();
      await db
        .insert(userPreferences)
        .values({ userId: me.id, warningDelivery: body.warningDelivery, updatedAt: now })
        .onConflictDoUpdate({
          target: userPreferences.userId,
          set: { warningDelivery: body.warningDelivery, updatedAt: now },
        });
      res.json(await preferencesOf(me.id));
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/me/notifications/:id/read',
      permission: 'authenticated',
      summary: '标记通知为已读',
      tags: ['通知'],
      params: z.object({ id: z.string().min(1).max(300) }),
    },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      const done = await db
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.id, params.id), eq(notifications.recipientUserId, me.id)))
        .returning({ id: notifications.id, readAt: notifications.readAt });
      if (!done.length) throw notFound('通知不存在');
      res.json(done[0]);
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id/notifications',
      permission: 'case.read',
      summary: '案件的通知及投递状态',
      tags: ['通知'],
      params: z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, '案件编号格式错误') }),
    },
    async (_req, res, { params }) => {
      const me = currentUser(res);
      const [c] = await db
        .select({ id: cases.id, confidentiality: cases.confidentiality })
        .from(cases)
        .where(and(eq(cases.id, params.id), visibleTo(me)));
      if (!c) throw notFound('案件不存在或无权查阅');
      if (c.confidentiality === 'confidential') res.locals.auditRead = { target: c.id, what: '案件通知投递状态' };
      const items = await db
        .select({
          id: notifications.id,
          eventId: notifications.eventId,
          recipient: notifications.recipientLabelZh,
          channel: notifications.channel,
          subject: notifications.subject,
          status: notifications.status,
          attempts: notifications.attempts,
          lastError: notifications.lastError,
          createdAt: notifications.createdAt,
          sentAt: notifications.sentAt,
        })
        .from(notifications)
        .where(eq(notifications.caseId, c.id))
        .orderBy(desc(notifications.createdAt));
      res.json({ items });
    },
  );
  return r;
}
