import { Router } from 'express';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { calendarYears } from '../../db/schema';
import {
  createWorkingCalendar,
  effectiveRules,
  InvalidDateError,
  previewDeadline,
  RULE_IDS,
  UnknownRuleError,
  type CalendarYearData,
} from '../../domain/deadlines';
import { HttpError } from '../errors';
import { route } from '../openapi';

const previewQuery = z.object({
  rule: z.string().min(1).max(100).describe('规则编号，例如 psb.filing-decision'),
  from: z.string().min(1).max(64).describe('起算时刻，ISO-8601（无时区按北京时间）'),
  custody: z.enum(['true', 'false']).optional().describe('是否按羁押期限计算'),
});

export async function loadedCalendarYears(db: Db): Promise<CalendarYearData[]> {
  const rows = await db.select().from(calendarYears).orderBy(asc(calendarYears.year));
  return rows.map((r) => r.data as CalendarYearData);
}

export function deadlinesRouter(deps: { db: Db; config: Config }) {
  const r = Router();
  // Validated once: a bad DEADLINE_POLICY_OVERRIDES stops start-up instead of failing every request.
  const rules = effectiveRules(deps.config.deadlinePolicyOverrides);
  route(
    r,
    {
      method: 'get',
      path: '/api/v1/deadlines/preview',
      permission: 'deadline.read',
      summary: '期限预览：按规则与起算时刻计算期满日期（与 npm run deadline 相同）',
      tags: ['期限'],
      query: previewQuery,
    },
    async (_req, res, { query }) => {
      const calendar = createWorkingCalendar(await loadedCalendarYears(deps.db));
      try {
        res.json(
          previewDeadline({
            rule: query.rule,
            from: query.from,
            custody: query.custody === undefined ? undefined : query.custody === 'true',
            calendar,
            rules,
          }),
        );
      } catch (err) {
        if (err instanceof UnknownRuleError) {
          throw new HttpError(422, 'unknown_rule', `未知的期限规则：${query.rule}`, { known: RULE_IDS });
        }
        if (err instanceof InvalidDateError) throw new HttpError(422, 'invalid_date', `起算时刻无效：${query.from}`);
        throw err;
      }
    },
  );
  return r;
}
