import { Router } from 'express';
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { cases, deadlines, dutyItems, dutyPeriods, notifications } from '../../db/schema';
import { chinaDayOfInstant, dayToYmd } from '../../domain/deadlines';
import { currentUser, type AuthUser } from '../auth';
import { coalescerFor } from '../coalesce';
import { route } from '../openapi';
import { READ_TX, visibleTo } from './cases';
import type { StuckDetector } from '../stuck';

/** Stuck work with its case's number and (unless confidential) title. */
async function stuckView(db: Db, detector: StuckDetector) {
  const items = await detector.list();
  const ids = items.map((i) => i.caseId).filter((x): x is string => Boolean(x));
  const rows = ids.length
    ? await db
        .select({
          id: cases.id,
          caseNumber: cases.caseNumber,
          title: cases.title,
          confidentiality: cases.confidentiality,
        })
        .from(cases)
        .where(inArray(cases.id, ids))
    : [];
  return items.map((i) => {
    const c = rows.find((r) => r.id === i.caseId);
    return {
      ...i,
      caseNumber: c?.caseNumber ?? null,
      title: c ? (c.confidentiality === 'confidential' ? '（保密案件）' : c.title) : null,
    };
  });
}

/**
 * The statements GET /api/v1/dashboard runs, in this order, in one READ_TX transaction. Exported so the
 * benchmark runs exactly this SQL as its reference.
 */
export function dashboardStatements(db: Db, me: AuthUser, today: string) {
  const visible = visibleTo(me);
  const open = and(visible, isNull(cases.closedAt));
  return {
    pendingClocks: db
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
      .limit(100),
    overdue: db
      .select({
        id: cases.id,
        caseNumber: cases.caseNumber,
        title: cases.title,
        confidentiality: cases.confidentiality,
        stageLabelZh: cases.stageLabelZh,
        responsibleAgency: cases.responsibleAgency,
        nextDeadlineAt: cases.nextDeadlineAt,
      })
      .from(cases)
      .where(and(open, eq(cases.overdue, true)))
      .orderBy(asc(cases.nextDeadlineAt))
      .limit(100),
    // Cases by stage (all visible) and open cases by responsible agency, in one scan of the visible cases.
    counts: db
      .select({
        stage: cases.stage,
        stageLabelZh: cases.stageLabelZh,
        agency: cases.responsibleAgency,
        isStageRow: sql<number>`grouping(${cases.responsibleAgency})`.mapWith(Number),
        n: count(),
        nOpen: sql<number>`count(*) filter (where ${cases.closedAt} is null)`.mapWith(Number),
      })
      .from(cases)
      .where(visible)
      .groupBy(sql`grouping sets ((${cases.stage}, ${cases.stageLabelZh}), (${cases.responsibleAgency}))`),
    unread: db
      .select({ unread: count() })
      .from(notifications)
      .where(and(eq(notifications.recipientUserId, me.id), isNull(notifications.readAt))),
    // The mechanism at a glance: this month's joint enforcement, this year's training, the next joint meeting.
    current: db
      .select()
      .from(dutyPeriods)
      .where(
        and(
          inArray(dutyPeriods.dutyId, ['joint-enforcement.monthly', 'training.annual']),
          lte(dutyPeriods.startDate, today),
          gte(dutyPeriods.endDate, today),
        ),
      )
      .orderBy(desc(dutyPeriods.startDate)),
    meetings: db
      .select({
        id: dutyItems.id,
        periodId: dutyItems.periodId,
        status: dutyItems.status,
        titleZh: dutyItems.titleZh,
        date: dutyItems.date,
      })
      .from(dutyItems)
      .innerJoin(dutyPeriods, eq(dutyPeriods.id, dutyItems.periodId))
      .where(and(eq(dutyItems.kind, 'meeting'), eq(dutyPeriods.status, 'open')))
      .orderBy(sql`${dutyItems.date} asc nulls last`)
      .limit(5),
    openResolutions: db
      .select({ openResolutions: count() })
      .from(dutyItems)
      .where(and(eq(dutyItems.kind, 'resolution'), eq(dutyItems.status, 'open'), eq(dutyItems.ownerAgency, me.agency))),
  };
}

/** What a coordinator sees first: their agency's pending cases and clocks, overdue cases, counts, unread mail. */
export function dashboardRouter(deps: { db: Db; stuck?: StuckDetector }) {
  const { db } = deps;
  const r = Router();
  route(
    r,
    {
      method: 'get',
      path: '/api/v1/dashboard',
      permission: 'case.read',
      summary: '工作台：本机关待办、超期案件、各阶段数量、未读通知',
      tags: ['工作台'],
    },
    async (_req, res) => {
      const me = currentUser(res);
      const today = dayToYmd(chinaDayOfInstant(Date.now()));
      // The statements depend on the user's agency (visibleTo, clocks, resolutions), id (unread mail) and the day.
      const read = () =>
        db.transaction(async (tx) => {
          const q = dashboardStatements(tx, me, today);
          const pendingClocks = await q.pendingClocks;
          const overdue = await q.overdue;
          const counts = await q.counts;
          const [{ unread }] = await q.unread;
          const current = await q.current;
          const meetings = await q.meetings;
          const [{ openResolutions }] = await q.openResolutions;
          return { pendingClocks, overdue, counts, unread, current, meetings, openResolutions };
        }, READ_TX);
      const { pendingClocks, overdue, counts, unread, current, meetings, openResolutions } = await coalescerFor<
        Awaited<ReturnType<typeof read>>
      >(db, 'dashboard').run(`${me.agency}|${me.id}|${today}`, read);
      const byStage = counts
        .filter((c) => c.isStageRow === 1)
        .map((c) => ({ stage: c.stage, stageLabelZh: c.stageLabelZh, n: c.n }))
        .sort((a, b) => b.n - a.n);
      const byAgency = counts
        .filter((c) => c.isStageRow === 0 && c.nOpen > 0)
        .map((c) => ({ agency: c.agency, n: c.nOpen }));
      const period = (dutyId: string) => current.find((p) => p.dutyId === dutyId) ?? null;
      const mechanism = {
        jointEnforcement: period('joint-enforcement.monthly'),
        training: period('training.annual'),
        // The next meeting to be held: the earliest scheduled on or after today, else one still to be scheduled.
        nextMeeting:
          meetings.find((m) => m.date && m.date >= today && m.status !== 'held') ??
          meetings.find((m) => !m.date) ??
          null,
        openResolutions,
      };
      // Titles of confidential cases stay out of the overview.
      const mask = <T extends { title: string; confidentiality?: string }>(x: T) =>
        x.confidentiality === 'confidential' ? { ...x, title: '（保密案件）' } : x;
      // The working group oversees the mechanism: it sees the work that is stuck (卡住的流程) and why.
      const stuck = me.agency === 'workingGroup' && deps.stuck ? await stuckView(db, deps.stuck) : undefined;
      res.json({
        agency: me.agency,
        pendingClocks: pendingClocks.map(mask),
        overdue: overdue.map(mask),
        byStage,
        byAgency,
        unreadNotifications: unread,
        mechanism,
        ...(stuck ? { stuck } : {}),
      });
    },
  );
  return r;
}
