/** The messages of calendarFanOutWorkflow (workflows/calendar-fanout.ts): side-effect free, for the API too. */
import { defineQuery } from '@temporalio/workflow';

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
