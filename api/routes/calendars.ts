import { Router } from 'express';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { calendarYears, cases, deadlines } from '../../db/schema';
import {
  affectedDeadlines,
  calendarYearDataSchema,
  createWorkingCalendar,
  effectiveRules,
  parseCalendarYearData,
  type CalendarYearData,
  type OpenDeadline,
  type PeriodExtension,
  type Suspension,
} from '../../domain/deadlines';
import { calendarChangedSignal } from '../../workflows/case';
import { currentUser, type AuthUser } from '../auth';
import { notFound } from '../errors';
import { route } from '../openapi';
import { loadedCalendarYears } from './deadlines';
import { visibleTo } from './cases';

const yearParams = z.object({ year: z.coerce.number().int().min(1990).max(2200) });

/**
 * Working-day calendars: the built-in official years and the years administrators load from the State Council's
 * notice (docs/calendar-format.md). Loading a year re-times the open clocks it moves: their case workflows are
 * signalled and record the change on the case.
 */
export function calendarsRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();
  const rules = effectiveRules(config.deadlinePolicyOverrides);

  /**
   * The clocks a year would move. A case the user may not see (the administrator sees none) is not named: its clock
   * is listed by rule and dates only, so the preview is not a list of every open case.
   */
  async function affectedBy(year: CalendarYearData, user: AuthUser) {
    const loaded = (await loadedCalendarYears(db)).filter((y) => y.year !== year.year);
    const calendar = createWorkingCalendar([...loaded, year]);
    const open = await db
      .select({ d: deadlines, caseNumber: cases.caseNumber, workflowId: cases.workflowId })
      .from(deadlines)
      .innerJoin(cases, eq(cases.id, deadlines.caseId))
      .where(eq(deadlines.status, 'open'));
    const byKey = new Map(open.map((o) => [o.d.id, o]));
    const list: OpenDeadline[] = open.map(({ d }) => ({
      key: d.id,
      ruleId: d.ruleId,
      startMs: d.startedAt.getTime(),
      custody: d.custody,
      extensions: d.extensions as PeriodExtension[],
      suspensions: d.suspensions as Suspension[],
      dueDate: d.dueDate,
      dueAtMs: d.dueAt.getTime(),
      provisional: d.provisional,
    }));
    const moved = affectedDeadlines(list, calendar, { rules });
    const ids = [...new Set(moved.map((a) => byKey.get(a.key)!.d.caseId))];
    const visible = new Set(ids.length ? (await db.select({ id: cases.id }).from(cases).where(and(inArray(cases.id, ids), visibleTo(user)))).map((c) => c.id) : []);
    return moved.map((a) => {
      const o = byKey.get(a.key)!;
      const named = visible.has(o.d.caseId);
      return {
        ...(named ? { caseId: o.d.caseId, caseNumber: o.caseNumber, clockId: o.d.clockId } : {}),
        workflowId: o.workflowId,
        ruleId: a.ruleId,
        labelZh: o.d.labelZh,
        before: a.previous,
        after: { dueDate: a.next.dueDate, dueAt: a.next.dueAt, provisional: a.next.provisional },
        noteZh: a.noteZh,
      };
    });
  }

  route(r, { method: 'get', path: '/api/v1/calendars', permission: 'calendar.read', summary: '工作日历：内置官方年度与管理员载入的年度', tags: ['期限'] }, async (_req, res) => {
    const calendar = createWorkingCalendar(await loadedCalendarYears(db));
    res.json({
      items: calendar.years().map((y) => ({
        year: y.year,
        origin: y.origin ?? 'builtin',
        notice: y.source.notice,
        noticeDate: y.source.date,
        holidays: y.holidays.length,
        workdays: y.workdays.length,
      })),
    });
  });

  route(r, { method: 'get', path: '/api/v1/calendars/:year', permission: 'calendar.read', summary: '某年度的节假日与调休上班日', tags: ['期限'], params: yearParams }, async (_req, res, { params }) => {
    const data = createWorkingCalendar(await loadedCalendarYears(db)).yearData(params.year);
    if (!data) throw notFound(`${params.year} 年的节假日安排尚未载入：该年期限按仅周末计算，并标注为暂定`);
    res.json(data);
  });

  route(
    r,
    { method: 'post', path: '/api/v1/calendars/preview', permission: 'calendar.write', summary: '预览：载入该年度后哪些未结期限会改变（不保存）', tags: ['期限'], body: calendarYearDataSchema },
    async (_req, res, { body }) => {
      const year = parseCalendarYearData(body);
      res.json({ year: year.year, affected: (await affectedBy(year, currentUser(res))).map(({ workflowId: _w, ...a }) => a) });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/calendars', permission: 'calendar.write',
      summary: '载入（或更正）一个年度的节假日安排；受影响的案件重新计算期限并记录在案',
      tags: ['期限'],
      body: calendarYearDataSchema,
      responses: { 201: { description: '已载入' } },
    },
    async (_req, res, { body }) => {
      const user = currentUser(res);
      const year = parseCalendarYearData(body);
      const affected = await affectedBy(year, user);
      await db
        .insert(calendarYears)
        .values({ year: year.year, data: year, sourceNotice: year.source.notice, loadedBy: user.id })
        .onConflictDoUpdate({ target: calendarYears.year, set: { data: year, sourceNotice: year.source.notice, loadedBy: user.id, loadedAt: new Date() } });
      // Every running case whose clocks move is told; the workflow recomputes and records the change.
      const workflowIds = [...new Set(affected.map((a) => a.workflowId))];
      const failed: string[] = [];
      for (const id of workflowIds) {
        try {
          await temporal.workflow.getHandle(id).signal(calendarChangedSignal, { year: year.year });
        } catch {
          failed.push(id);
        }
      }
      res.status(201).json({ year: year.year, notice: year.source.notice, affected: affected.map(({ workflowId: _w, ...a }) => a), signalled: workflowIds.length - failed.length, notSignalled: failed });
    },
  );

  return r;
}

