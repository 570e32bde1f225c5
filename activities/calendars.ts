import { asc } from 'drizzle-orm';
import type { PolicyInForce } from '../config';
import type { Db } from '../db/client';
import { calendarYears } from '../db/schema';
import { openDeadlineRows } from '../db/open-deadlines';
import { affectedDeadlines, createWorkingCalendar, effectiveRules, type CalendarYearData } from '../domain/deadlines';

/** The case workflows whose open clocks the loaded calendars move, in workflow-id order (the fan-out's cursor). */
export async function calendarAffectedWorkflows(db: Db, overrides?: Record<string, unknown>): Promise<string[]> {
  const years = (await db.select().from(calendarYears).orderBy(asc(calendarYears.year))).map(
    (r) => r.data as CalendarYearData,
  );
  const open = await openDeadlineRows(db);
  const byKey = new Map(open.map((o) => [o.d.id, o.workflowId]));
  const list = open.map((o) => o.open);
  const moved = affectedDeadlines(list, createWorkingCalendar(years), { rules: effectiveRules(overrides) });
  return [...new Set(moved.map((a) => byKey.get(a.key)!))].sort();
}

export function createCalendarActivities(deps: { db: Db; policy?: PolicyInForce }) {
  return {
    /**
     * One page of the calendar fan-out: the affected case workflows after `afterWorkflowId`. A case already re-timed
     * no longer counts as moved, so a page read again after a crash lists only what is still to be told.
     */
    async listCalendarAffected(input: {
      afterWorkflowId: string | null;
      limit: number;
    }): Promise<{ workflowIds: string[]; remaining: number }> {
      const all = await calendarAffectedWorkflows(deps.db, deps.policy?.policyOverrides);
      const after = input.afterWorkflowId === null ? all : all.filter((id) => id > input.afterWorkflowId!);
      return { workflowIds: after.slice(0, input.limit), remaining: after.length };
    },
  };
}
