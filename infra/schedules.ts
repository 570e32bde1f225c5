import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../config';
import {
  CADENCE_ZH,
  RECURRING_DUTIES,
  effectiveRecurringDuties,
  type Cadence,
  type DutyId,
} from '../domain/deadlines/rules';
import { scheduleIdOf, DUTY_SLUG, type DutySettings } from '../workflows/definitions/duties';
import { PERIOD_WORKFLOWS, type DutyScheduleInput, type ScheduledDutyId } from '../workflows/duties/schedule';

/**
 * The mechanism's recurring duties as Temporal Schedules (not cron workflows): one per duty of
 * statutory-deadlines.md §D that has a period workflow, id `duty-<duty id with dashes>`, created idempotently at
 * start-up (main.ts, worker.ts). Each run starts `dutyScheduleWorkflow`, which starts the period's workflow under
 * a deterministic id. Runs at 00:05 China time on the first day of each period.
 *
 * Cadence: DUTY_SCHEDULES (or DEADLINE_POLICY_OVERRIDES) sets it; PUT /api/v1/schedules/:id/cadence changes it at
 * run time. Start-up resets the cadence only when the configured cadence itself changed (kept in the action's
 * `configuredCadence`), so an administrator's change survives restarts.
 */

export const SCHEDULED_DUTIES = Object.keys(PERIOD_WORKFLOWS) as ScheduledDutyId[];
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

const MONTHS: Record<Cadence, number[] | undefined> = { monthly: undefined, quarterly: [1, 4, 7, 10], annual: [1] };

export function specFor(cadence: Cadence): ScheduleSpec {
  const months = MONTHS[cadence];
  return {
    calendars: [{ dayOfMonth: 1, hour: 0, minute: 5, ...(months ? { month: months.map((m) => monthName(m)) } : {}) }],
    timezone: SCHEDULE_TIMEZONE,
  };
}

function monthName(m: number) {
  return (
    [
      'JANUARY',
      'FEBRUARY',
      'MARCH',
      'APRIL',
      'MAY',
      'JUNE',
      'JULY',
      'AUGUST',
      'SEPTEMBER',
      'OCTOBER',
      'NOVEMBER',
      'DECEMBER',
    ] as const
  )[m - 1];
}

export interface PlannedSchedule {
  scheduleId: string;
  dutyId: ScheduledDutyId;
  enabled: boolean;
  input: DutyScheduleInput;
}

/** What configuration asks for, per scheduled duty. */
export function plannedSchedules(config: Config): PlannedSchedule[] {
  const duties = effectiveRecurringDuties(config.deadlinePolicyOverrides);
  return SCHEDULED_DUTIES.map((dutyId) => {
    const s = config.dutySchedules[dutyId] ?? {};
    const cadence = (s.cadence ?? duties[dutyId].cadence) as Cadence;
    const settings: DutySettings = {
      ...(s.reminderDays ? { reminderDays: s.reminderDays } : {}),
      ...(s.deadline ? { deadline: s.deadline } : {}),
      ...(s.resolutionDays ? { resolutionDays: s.resolutionDays } : {}),
      ...(s.notTransferredDays ? { notTransferredDays: s.notTransferredDays } : {}),
      ...(s.idleInvestigationDays ? { idleInvestigationDays: s.idleInvestigationDays } : {}),
      warningWorkdays: duties[dutyId].escalation.warningWorkdays,
      escalationWorkdays: duties[dutyId].escalation.escalationWorkdays,
    };
    return {
      scheduleId: scheduleIdOf(dutyId),
      dutyId,
      enabled: s.enabled !== false,
      input: { dutyId, cadence, configuredCadence: cadence, settings },
    };
  });
}

function actionOf(config: Config, input: DutyScheduleInput) {
  return {
    type: 'startWorkflow' as const,
    workflowType: 'dutyScheduleWorkflow',
    args: [input],
    taskQueue: config.temporal.taskQueue,
    // The server appends the scheduled time; the period workflow's own id is deterministic (see dutyScheduleWorkflow).
    workflowId: `duty-run-${DUTY_SLUG[input.dutyId]}`,
  };
}

const inputOf = (d: ScheduleDescription) =>
  (d.action as { args?: unknown[] }).args?.[0] as DutyScheduleInput | undefined;

export interface EnsureResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Creates missing schedules, updates those whose configured cadence or settings changed; safe to run concurrently. */
export async function ensureSchedules(client: Client, config: Config): Promise<EnsureResult> {
  const result: EnsureResult = { created: [], updated: [], unchanged: [] };
  for (const p of plannedSchedules(config)) {
    if (!p.enabled) continue;
    const handle = client.schedule.getHandle(p.scheduleId);
    let current: ScheduleDescription | undefined;
    try {
      current = await handle.describe();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    if (!current) {
      try {
        await client.schedule.create({
          scheduleId: p.scheduleId,
          spec: specFor(p.input.cadence),
          action: actionOf(config, p.input),
          policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '7 days' },
          memo: { dutyId: p.dutyId, labelZh: RECURRING_DUTIES[p.dutyId].labelZh },
          state: {
            note: `${RECURRING_DUTIES[p.dutyId].labelZh}（${RECURRING_DUTIES[p.dutyId].basis}）`,
            triggerImmediately: config.dutySchedulesStartCurrent,
          },
        });
        result.created.push(p.scheduleId);
      } catch (err) {
        // Another process (API and worker start together) created it first.
        if ((err as Error).name === 'ScheduleAlreadyRunning') result.unchanged.push(p.scheduleId);
        else throw err;
      }
      continue;
    }
    const before = inputOf(current);
    const cadenceChanged = before?.configuredCadence !== p.input.configuredCadence;
    const settingsChanged = JSON.stringify(before?.settings ?? {}) !== JSON.stringify(p.input.settings ?? {});
    const queueChanged = (current.action as { taskQueue?: string }).taskQueue !== config.temporal.taskQueue;
    if (!cadenceChanged && !settingsChanged && !queueChanged) {
      result.unchanged.push(p.scheduleId);
      continue;
    }
    const cadence = cadenceChanged ? p.input.cadence : (before?.cadence ?? p.input.cadence);
    await handle.update((prev) => ({
      ...prev,
      spec: cadenceChanged ? specFor(cadence) : prev.spec,
      action: actionOf(config, { ...p.input, cadence }),
    }));
    result.updated.push(p.scheduleId);
  }
  return result;
}

export interface ScheduleView {
  id: string;
  dutyId: DutyId;
  labelZh: string;
  dutyZh: string;
  basis: string;
  cadence: Cadence;
  cadenceZh: string;
  cadenceConfigurable: boolean;
  paused: boolean;
  note?: string;
  nextRunAt: string | null;
  recentRuns: { scheduledAt: string; startedAt: string; workflowId: string }[];
}

export function dutyOfSchedule(id: string): ScheduledDutyId | undefined {
  return SCHEDULED_DUTIES.find((d) => scheduleIdOf(d) === id);
}

export async function describeSchedule(client: Client, id: string): Promise<ScheduleView | undefined> {
  const dutyId = dutyOfSchedule(id);
  if (!dutyId) return undefined;
  let d: ScheduleDescription;
  try {
    d = await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  const input = inputOf(d);
  const cadence = input?.cadence ?? RECURRING_DUTIES[dutyId].cadence;
  return {
    id,
    dutyId,
    labelZh: RECURRING_DUTIES[dutyId].labelZh,
    dutyZh: RECURRING_DUTIES[dutyId].dutyZh,
    basis: RECURRING_DUTIES[dutyId].basis,
    cadence,
    cadenceZh: CADENCE_ZH[cadence],
    cadenceConfigurable: RECURRING_DUTIES[dutyId].configurable,
    paused: d.state.paused,
    note: d.state.note,
    nextRunAt: d.info.nextActionTimes[0]?.toISOString() ?? null,
    recentRuns: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      startedAt: a.takenAt.toISOString(),
      workflowId: (a.action as { workflow?: { workflowId?: string } }).workflow?.workflowId ?? '',
    })),
  };
}

export async function listSchedules(client: Client): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  for (const d of SCHEDULED_DUTIES) {
    const v = await describeSchedule(client, scheduleIdOf(d));
    if (v) out.push(v);
  }
  return out;
}

/** Changes a running schedule's cadence (spec and the action's cadence; configuredCadence stays). */
export async function setScheduleCadence(client: Client, id: string, cadence: Cadence): Promise<void> {
  await client.schedule.getHandle(id).update((prev) => {
    const action = prev.action as { args?: unknown[] };
    const input = action.args?.[0] as DutyScheduleInput;
    return {
      ...prev,
      spec: specFor(cadence),
      action: { ...prev.action, args: [{ ...input, cadence }] } as typeof prev.action,
    };
  });
}
