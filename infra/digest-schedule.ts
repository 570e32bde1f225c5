import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import type { Config } from '../config';
import type { DailyDigestWorkflowInput } from '../workflows/definitions/digest';
import { SCHEDULE_TIMEZONE } from './schedules';

export const DIGEST_SCHEDULE_ID = 'notification-digest-daily';
const noteOf = (time: string) => `每日预警摘要（北京时间 ${time}）`;

/** The digest's calendar: every day at DIGEST_TIME (China time). */
export function digestSpec(time: string) {
  const [hour, minute] = time.split(':').map(Number);
  return { calendars: [{ hour, minute }], timezone: SCHEDULE_TIMEZONE };
}

function action(config: Config, input: DailyDigestWorkflowInput) {
  return {
    type: 'startWorkflow' as const,
    workflowType: 'dailyDigestWorkflow',
    args: [input],
    taskQueue: config.temporal.taskQueue,
    // The server appends the scheduled time; the digest itself is unique per (user, China-time day).
    workflowId: 'digest-run',
  };
}

/**
 * The daily warning digest as a Temporal Schedule (`notification-digest-daily`), created idempotently at start-up
 * (main.ts, worker.ts) like the duties' schedules; updated when DIGEST_TIME, PUBLIC_URL or the task queue change.
 * DIGEST_TIME=off creates none (a digest user's warnings then wait, held, in the inbox).
 */
export async function ensureDigestSchedule(
  client: Client,
  config: Config,
): Promise<'created' | 'updated' | 'unchanged' | 'off'> {
  if (!config.digestTime) return 'off';
  const input: DailyDigestWorkflowInput = { publicUrl: config.publicUrl };
  const handle = client.schedule.getHandle(DIGEST_SCHEDULE_ID);
  let current: ScheduleDescription | undefined;
  try {
    current = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  if (!current) {
    try {
      await client.schedule.create({
        scheduleId: DIGEST_SCHEDULE_ID,
        spec: digestSpec(config.digestTime),
        action: action(config, input),
        // A missed run (server down at 08:30) still goes out when it is back the same day.
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' },
        memo: { labelZh: '每日预警摘要', time: config.digestTime },
        state: { note: noteOf(config.digestTime) },
      });
      return 'created';
    } catch (err) {
      if ((err as Error).name === 'ScheduleAlreadyRunning') return 'unchanged';
      throw err;
    }
  }
  // The note names the time (the memo cannot be updated): a changed DIGEST_TIME shows there.
  const before = current.action as { args?: unknown[]; taskQueue?: string };
  const sameInput = JSON.stringify(before.args?.[0] ?? {}) === JSON.stringify(input);
  if (current.state.note === noteOf(config.digestTime) && sameInput && before.taskQueue === config.temporal.taskQueue)
    return 'unchanged';
  await handle.update((prev) => ({
    ...prev,
    spec: digestSpec(config.digestTime!),
    action: action(config, input),
    state: { ...prev.state, note: noteOf(config.digestTime!) },
  }));
  return 'updated';
}
