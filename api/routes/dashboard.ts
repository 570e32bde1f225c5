import { Router } from 'express';
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { cases, deadlines, dutyItems, dutyPeriods, notifications } from '../../db/schema';
import { chinaDate } from '../../workflows/duties/common';
import { currentUser } from '../auth';
import { route } from '../openapi';
import { visibleTo } from './cases';

/** What a coordinator sees first: their agency's pending cases and clocks, overdue cases, counts, unread mail. */
export function dashboardRouter(deps: { db: Db }) {
  const { db } = deps;
  const r = Router();
  route(r, { method: 'get', path: '/api/v1/dashboard', permission: 'case.read', summary: '工作台：本机关待办、超期案件、各阶段数量、未读通知', tags: ['工作台'] }, async (_req, res) => {
    const me = currentUser(res);
    const visible = visibleTo(me);
    const open = and(visible, isNull(cases.closedAt));
    const pendingClocks = await db
      .select({
        caseId: cases.id,
        caseNumber: cases.caseNumber,
        title: cases.title,
        confidentiality: cases.confidentiality,
        stageLabelZh: cases.stageLabelZh,
        ruleId: deadlines.ruleId,
        labelZh: deadlines.labelZh,
        dueAt: deadlines.dueAt,
        dueDate: deadlines.dueDate,
        level: deadlines.escalationLevel,
        provisional: deadlines.provisional,
        warningDueAt: deadlines.warningDueAt,
      })
      .from(deadlines)
      .innerJoin(cases, eq(cases.id, deadlines.caseId))
      .where(and(open, eq(deadlines.status, 'open'), eq(deadlines.responsibleAgency, me.agency)))
      .orderBy(asc(deadlines.dueAt))
      .limit(100);
    const overdue = await db
      .select({ id: cases.id, caseNumber: cases.caseNumber, title: cases.title, confidentiality: cases.confidentiality, stageLabelZh: cases.stageLabelZh, responsibleAgency: cases.responsibleAgency, nextDeadlineAt: cases.nextDeadlineAt })
      .from(cases)
      .where(and(open, eq(cases.overdue, true)))
      .orderBy(asc(cases.nextDeadlineAt))
      .limit(100);
    const byStage = await db
      .select({ stage: cases.stage, stageLabelZh: cases.stageLabelZh, n: count() })
      .from(cases)
      .where(visible)
      .groupBy(cases.stage, cases.stageLabelZh)
      .orderBy(sql`count(*) desc`);
    const byAgency = await db
      .select({ agency: cases.responsibleAgency, n: count() })
      .from(cases)
      .where(open)
      .groupBy(cases.responsibleAgency);
    const [{ unread }] = await db
      .select({ unread: count() })
      .from(notifications)
      .where(and(eq(notifications.recipientUserId, me.id), isNull(notifications.readAt)));
    // The mechanism at a glance: this month's joint enforcement, this year's training, the next joint meeting.
    const today = chinaDate(Date.now());
    const current = await db
      .select()
      .from(dutyPeriods)
      .where(and(inArray(dutyPeriods.dutyId, ['joint-enforcement.monthly', 'training.annual']), lte(dutyPeriods.startDate, today), gte(dutyPeriods.endDate, today)))
      .orderBy(desc(dutyPeriods.startDate));
    const meetings = await db
      .select({ id: dutyItems.id, periodId: dutyItems.periodId, status: dutyItems.status, titleZh: dutyItems.titleZh, date: dutyItems.date })
      .from(dutyItems)
      .innerJoin(dutyPeriods, eq(dutyPeriods.id, dutyItems.periodId))
      .where(and(eq(dutyItems.kind, 'meeting'), eq(dutyPeriods.status, 'open')))
      .orderBy(sql`${dutyItems.date} asc nulls last`)
      .limit(5);
    const [{ openResolutions }] = await db
      .select({ openResolutions: count() })
      .from(dutyItems)
      .where(and(eq(dutyItems.kind, 'resolution'), eq(dutyItems.status, 'open'), eq(dutyItems.ownerAgency, me.agency)));
    const period = (dutyId: string) => current.find((p) => p.dutyId === dutyId) ?? null;
    const mechanism = {
      jointEnforcement: period('joint-enforcement.monthly'),
      training: period('training.annual'),
      // The next meeting to be held: the earliest scheduled on or after today, else one still to be scheduled.
      nextMeeting: meetings.find((m) => m.date && m.date >= today && m.status !== 'held') ?? meetings.find((m) => !m.date) ?? null,
      openResolutions,
    };
    // Titles of confidential cases stay out of the overview.
    const mask = <T extends { title: string; confidentiality?: string }>(x: T) => (x.confidentiality === 'confidential' ? { ...x, title: '（保密案件）' } : x);
    res.json({ agency: me.agency, pendingClocks: pendingClocks.map(mask), overdue: overdue.map(mask), byStage, byAgency, unreadNotifications: unread, mechanism });
  });
  return r;
}
