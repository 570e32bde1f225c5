import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { cases, deadlines } from './schema';
import type { OpenDeadline, PeriodExtension, Suspension } from '../domain/deadlines';

/** Every open clock with its case's number and workflow, and the shape the calendar re-timing reads (`open`). */
export async function openDeadlineRows(db: Db) {
  const rows = await db
    .select({ d: deadlines, caseNumber: cases.caseNumber, workflowId: cases.workflowId })
    .from(deadlines)
    .innerJoin(cases, eq(cases.id, deadlines.caseId))
    .where(eq(deadlines.status, 'open'));
  return rows.map((r) => {
    const open: OpenDeadline = {
      key: r.d.id,
      ruleId: r.d.ruleId,
      startMs: r.d.startedAt.getTime(),
      custody: r.d.custody,
      extensions: r.d.extensions as PeriodExtension[],
      suspensions: r.d.suspensions as Suspension[],
      dueDate: r.d.dueDate,
      dueAtMs: r.d.dueAt.getTime(),
      provisional: r.d.provisional,
    };
    return { ...r, open };
  });
}
