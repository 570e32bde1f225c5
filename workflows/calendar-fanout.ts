import {
  continueAsNew,
  defineQuery,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { calendarChangedSignal } from './case';

/**
 * Loading a calendar year tells every case workflow whose open clocks it moves (calendarChanged): the list is read
 * page by page by an activity, each case is signalled from this history (a signal recorded is never sent again on
 * replay), and the progress travels with continue-as-new. A worker that dies mid-way resumes from the last page.
 */

export interface CalendarFanOutProgress {
  year: number;
  /** Cases to tell (known after the first page). */
  total: number | null;
  done: number;
  signalled: number;
  /** Cases that could not be told (closed, missing); the first 100. */
  notSignalled: string[];
  /** The last workflow id told: the next page starts after it. */
  cursor: string | null;
  finished: boolean;
}

export interface CalendarFanOutInput {
  year: number;
  /** Of the year's data as loaded: part of the workflow id, so the same content fans out once. */
  contentHash: string;
  pageSize?: number;
  /** Pages per run before continue-as-new (the history stays short for any number of cases). */
  pagesPerRun?: number;
  progress?: CalendarFanOutProgress;
}

export const calendarFanOutProgressQuery = defineQuery<CalendarFanOutProgress>('progress');

export const calendarFanOutWorkflowId = (year: number, contentHash: string) => `calendar-${year}-${contentHash}`;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

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
    const r = await acts.listCalendarAffected({ afterWorkflowId: p.cursor, limit: pageSize });
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
