import { ApplicationFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { z } from 'zod';
import { actorSchema } from '../../domain/duty-inputs';
import type { Activities } from '../../activities';
import type { DutyEventInput, DutyItemRow, DutyPeriodRow } from '../../activities/duty-types';
import type { NotificationRequest } from '../../activities/types';
import {
  AGENCY_ZH,
  chinaDayOfInstant,
  chinaTimeOnDayMs,
  computeDutyLadder,
  createWorkingCalendar,
  dayToYmd,
  endOfChinaDayMs,
  RECURRING_DUTIES,
  ymdToDay,
  type CalendarYearData,
  type Cadence,
  type DutyId,
  type LadderInstants,
  type RecurringPeriod,
} from '../../domain/deadlines';

/** Same failure type as a refused case step: the API maps details[0].code to 403/404/409/422. */
export const STEP_REJECTED = 'StepRejected';

export interface DutyActor {
  userId: string;
  agency: string;
  role: string;
  displayName?: string;
}

/** Per-duty settings resolved from configuration when the schedule fires (the workflow then needs no config). */
export interface DutySettings {
  /** Joint enforcement: days of the month (09:00) reminding while nothing is planned. */
  reminderDays?: number[];
  /** Training: 'MM-DD' by which a session must be held (default: the year's end). */
  deadline?: string;
  /** Meetings: days a resolution (议定事项) has by default. */
  resolutionDays?: number;
  /** Supervision sweep: the time-based criteria's days (domain/supervision DEFAULT_SWEEP_SETTINGS otherwise). */
  notTransferredDays?: number;
  idleInvestigationDays?: number;
  warningWorkdays?: number;
  escalationWorkdays?: number;
}

/** Input of every period workflow (v1). Add optional fields only. */
export interface DutyPeriodInput {
  dutyId: DutyId;
  cadence: Cadence;
  period: RecurringPeriod;
  settings?: DutySettings;
  /** Ad-hoc meeting: who asked for it and why. */
  adHoc?: { requestedBy: DutyActor; reasonZh: string; requestedAtMs: number };
}

export const DUTY_SLUG: Record<DutyId, string> = {
  'joint-enforcement.monthly': 'joint-enforcement',
  'training.annual': 'training',
  'joint-meeting.periodic': 'joint-meeting',
  'info-briefing.periodic': 'info-briefing',
  'spp.transfer-supervision-sweep': 'supervision-sweep',
};

/** One workflow per duty and period: a second trigger of the same period finds it running (or done). */
export const dutyWorkflowId = (dutyId: DutyId, periodKey: string) => `duty-${DUTY_SLUG[dutyId]}-${periodKey}`;
/** The Temporal Schedule of a duty, e.g. duty-joint-enforcement-monthly. */
export const scheduleIdOf = (dutyId: DutyId) => `duty-${dutyId.replace(/\./g, '-')}`;

export const chinaDate = (ms: number) => dayToYmd(chinaDayOfInstant(ms));
export const chinaAt = (ymd: string, hour: number) => chinaTimeOnDayMs(ymdToDay(ymd), hour);
export const endOfDate = (ymd: string) => endOfChinaDayMs(ymdToDay(ymd));

export function reject(code: 403 | 404 | 409 | 422, messageZh: string, field?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: STEP_REJECTED,
    message: messageZh,
    nonRetryable: true,
    details: [{ code, field: field ?? null }],
  });
}

/** zod parse of an update's input; the first issue becomes a 422 naming the field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.');
    throw reject(422, `字段“${field || '请求'}”无效：${issue.message}`, field || undefined);
  }
  return r.data;
}

export function requireAgency(actor: DutyActor | undefined, agencies: readonly string[], what: string): DutyActor {
  const a = actorSchema.safeParse(actor);
  if (!a.success) throw reject(403, '操作人身份无效');
  if (!agencies.includes(a.data.agency)) {
    throw reject(
      403,
      `${what}由${agencies.map((x) => AGENCY_ZH[x as keyof typeof AGENCY_ZH] ?? (x === 'workingGroup' ? '联动工作组' : x)).join('、')}办理`,
    );
  }
  return a.data;
}

export { Lock } from '../lock';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

/** Records one change (event, period row, items, outbox) and sends its mail. */
export async function recordDuty(
  period: DutyPeriodRow,
  event: DutyEventInput,
  items: DutyItemRow[] = [],
  notify: NotificationRequest[] = [],
) {
  const r = await acts.recordDutyChange({ period, event, items, notify });
  if (r.notificationIds.length) await delivery.deliverNotifications({ ids: r.notificationIds });
}

/** The duty's ladder for this period (warning before its end, escalation after it), on the loaded calendar. */
export async function dutyLadder(input: DutyPeriodInput, dueDate?: string): Promise<LadderInstants> {
  const years = (await acts.loadCalendarYears()) as CalendarYearData[];
  const base = RECURRING_DUTIES[input.dutyId];
  const duty = {
    ...base,
    escalation: {
      warningWorkdays: input.settings?.warningWorkdays ?? base.escalation.warningWorkdays,
      escalationWorkdays: input.settings?.escalationWorkdays ?? base.escalation.escalationWorkdays,
    },
  };
  const period = dueDate ? { ...input.period, endDate: dueDate, dueAtMs: endOfDate(dueDate) } : input.period;
  return computeDutyLadder(duty, period, createWorkingCalendar(years));
}

/** Sleeps until `atMs` unless `wake()` turns true first; true if woken. */
export async function sleepUntil(atMs: number, wake: () => boolean): Promise<boolean> {
  const wait = atMs - Date.now();
  if (wait <= 0) return false;
  return condition(wake, wait);
}

export function mail(
  agency: string,
  audience: NotificationRequest['audience'],
  subject: string,
  lines: string[],
): NotificationRequest {
  return { agency, audience, subject, bodyText: [...lines, '', '本邮件由联动执法协作平台自动发送。'].join('\n') };
}

export const periodLabel = (cadence: Cadence, key: string) =>
  cadence === 'monthly'
    ? `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`
    : cadence === 'quarterly'
      ? `${key.slice(0, 4)}年第${key.slice(6)}季度`
      : `${key}年度`;
