import { Router } from 'express';
import { and, inArray } from 'drizzle-orm';
import { z } from 'zod';
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { calendarYears, cases } from '../../db/schema';
import { openDeadlineRows } from '../../db/open-deadlines';
import {
  affectedDeadlines,
  calendarYearDataSchema,
  createWorkingCalendar,
  effectiveRules,
  parseCalendarYearData,
  type CalendarYearData,
} from '../../domain/deadlines';
import type { calendarFanOutWorkflow } from '../../workflows/calendar-fanout';
import {
  calendarFanOutProgressQuery,
  calendarFanOutWorkflowId,
  type CalendarFanOutProgress,
} from '../../workflows/definitions/calendar-fanout';
import { currentUser, type AuthUser } from '../auth';
import { notFound } from '../errors';
import { route } from '../openapi';
import { loadedCalendarYears } from './deadlines';
import { visibleTo } from './cases';

const yearParams = z.object({ year: z.coerce.number().int().min(1990).max(2200) });

/**
 * Working-day calendars: the built-in official years and the years administrators load from the State Council's
 * notice (docs/calendar-format.md). Loading a year re-times the open clocks it moves: a calendarFanOutWorkflow signals
 * their case workflows, which record the change on the case.
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
    const open = await openDeadlineRows(db);
    const byKey = new Map(open.map((o) => [o.d.id, o]));
    const list = open.map((o) => o.open);
    const moved = affectedDeadlines(list, calendar, { rules });
    const ids = [...new Set(moved.map((a) => byKey.get(a.key)!.d.caseId))];
    const visible = new Set(
      ids.length
        ? (
            await db
              .select({ id: cases.id })
              .from(cases)
              .where(and(inArray(cases.id, ids), visibleTo(user)))
          ).map((c) => c.id)
        : [],
    );
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

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/calendars',
      permission: 'calendar.read',
      summary: '工作日历：内置官方年度与管理员载入的年度',
      tags: ['期限'],
    },
    async (_req, res) => {
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
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/calendars/:year',
      permission: 'calendar.read',
      summary: '某年度的节假日与调休上班日',
      tags: ['期限'],
      params: yearParams,
    },
    async (_req, res, { params }) => {
      const data = createWorkingCalendar(await loadedCalendarYears(db)).yearData(params.year);
      if (!data) throw notFound(`${params.year} 年的节假日安排尚未载入：该年期限按仅周末计算，并标注为暂定`);
      res.json(data);
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/calendars/preview',
      permission: 'calendar.write',
      summary: '预览：载入该年度后哪些未结期限会改变（不保存）',
      tags: ['期限'],
      body: calendarYearDataSchema,
    },
    async (_req, res, { body }) => {
      const year = parseCalendarYearData(body);
      res.json({
        year: year.year,
        affected: (await affectedBy(year, currentUser(res))).map(({ workflowId: _w, ...a }) => a),
      });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/calendars',
      permission: 'calendar.write',
      summary: '载入（或更正）一个年度的节假日安排；受影响的案件重新计算期限并记录在案',
      tags: ['期限'],
      body: calendarYearDataSchema,
      responses: { 202: { description: '已载入；受影响的案件由后台流程通知（进度见 progress）' } },
    },
    async (_req, res, { body }) => {
      const user = currentUser(res);
      const year = parseCalendarYearData(body);
      const affected = await affectedBy(year, user);
      await db
        .insert(calendarYears)
        .values({ year: year.year, data: year, sourceNotice: year.source.notice, loadedBy: user.id })
        .onConflictDoUpdate({
          target: calendarYears.year,
          set: { data: year, sourceNotice: year.source.notice, loadedBy: user.id, loadedAt: new Date() },
        });
      // The cases are told by a workflow (durable: a process that stops mid-way leaves no case un-retimed); the same
      // content loaded again finds its workflow, running or done, and tells no case twice.
      const contentHash = crypto.createHash('sha256').update(JSON.stringify(year)).digest('hex').slice(0, 16);
      const workflowId = calendarFanOutWorkflowId(year.year, contentHash);
      let started = true;
      try {
        await temporal.workflow.start<typeof calendarFanOutWorkflow>('calendarFanOutWorkflow', {
          workflowId,
          taskQueue: config.temporal.taskQueue,
          args: [{ year: year.year, contentHash }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        started = false;
      }
      const progress = `/api/v1/calendars/fan-outs/${workflowId}`;
      res
        .status(202)
        .location(progress)
        .json({
          year: year.year,
          notice: year.source.notice,
          affected: affected.map(({ workflowId: _w, ...a }) => a),
          workflowId,
          progress,
          messageZh: started
            ? `已载入 ${year.year} 年节假日安排，正在通知受影响的案件重新计算期限`
            : `${year.year} 年的这份节假日安排已载入过，未重复通知案件`,
        });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/calendars/fan-outs/:workflowId',
      permission: 'calendar.write',
      summary: '载入年度后通知案件重新计算期限的进度（已通知/总数）',
      tags: ['期限'],
      params: z.object({ workflowId: z.string().regex(/^calendar-\d{4}-[0-9a-f]{16}$/) }),
    },
    async (_req, res, { params }) => {
      const handle = temporal.workflow.getHandle<typeof calendarFanOutWorkflow>(params.workflowId);
      let p: CalendarFanOutProgress;
      try {
        const d = await handle.describe();
        p = d.status.name === 'COMPLETED' ? await handle.result() : await handle.query(calendarFanOutProgressQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('没有该次载入的通知进度');
        throw err;
      }
      res.json({
        workflowId: params.workflowId,
        year: p.year,
        status: p.finished ? 'done' : 'running',
        done: p.done,
        total: p.total,
        signalled: p.signalled,
        notSignalled: p.notSignalled,
        messageZh: p.finished
          ? `已通知 ${p.signalled} 个案件重新计算期限${p.notSignalled.length ? `，${p.notSignalled.length} 个案件未能通知（流程已结束或不存在）` : ''}`
          : `正在通知案件重新计算期限：${p.done}/${p.total ?? '统计中'}`,
      });
    },
  );

  return r;
}
