import { continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { records } from './kernel';
import {
  calendarFanOutProgressQuery,
  type CalendarFanOutInput,
  type CalendarFanOutProgress,
} from './definitions/calendar-fanout';
import { calendarChangedSignal } from './case';

/**
 * Loading a calendar year tells every case workflow whose open clocks it moves (calendarChanged): the list is read
 * page by page by an activity, each case is signalled from this history (a signal recorded is never sent again on
 * replay), and the progress travels with continue-as-new. A worker that dies mid-way resumes from the last page.
 */

export async function calendarFanOutWorkflow(input: CalendarFanOutInput): Promise<CalendarFanOutProgress> {
  const p: CalendarFanOutProgress = input.progress ?? {
    year: input.year,
    total: null,
    done: 0,
    signalled: 0,
    notSignalled: [],
    cursor: null,
    finished: false,
  };
  setHandler(calendarFanOutProgressQuery, () => p);
  const pageSize = input.pageSize ?? 100;
  const pagesPerRun = input.pagesPerRun ?? 20;
  for (let page = 0; ; page++) {
    if (page >= pagesPerRun || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof calendarFanOutWorkflow>({ ...input, progress: p });
    const r = await records.listCalendarAffected({ afterWorkflowId: p.cursor, limit: pageSize });
    p.total = Math.max(p.total ?? 0, p.done + r.remaining);
    if (!r.workflowIds.length) break;
    await Promise.all(
      r.workflowIds.map(async (id) => {
        try {
          await getExternalWorkflowHandle(id).signal(calendarChangedSignal, { year: input.year });
          p.signalled++;
        } catch {
          if (p.notSignalled.length < 100) p.notSignalled.push(id);
        }
      }),
    );
    p.done += r.workflowIds.length;
    p.cursor = r.workflowIds[r.workflowIds.length - 1];
  }
  p.finished = true;
  return p;
}
