import type { z } from 'zod';
import { actorSchema } from '../../domain/duty-inputs';
import { Outbox, records, stepRejected } from '../kernel';
import type { DutyActor, DutyPeriodInput } from '../definitions/duties';
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
  type LadderInstants,
} from '../../domain/deadlines';

export const chinaDate = (ms: number) => dayToYmd(chinaDayOfInstant(ms));
export const chinaAt = (ymd: string, hour: number) => chinaTimeOnDayMs(ymdToDay(ymd), hour);
export const endOfDate = (ymd: string) => endOfChinaDayMs(ymdToDay(ymd));

/** The kernel's refusal, under the name the duty workflows read. */
export const reject = stepRejected;

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

/** Records one change (event, period row, items, outbox); its mail goes out through the outbox, off the lock. */
export async function recordDuty(
  outbox: Outbox,
  period: DutyPeriodRow,
  event: DutyEventInput,
  items: DutyItemRow[] = [],
  notify: NotificationRequest[] = [],
) {
  await outbox.recordAndDeliver(() => records.recordDutyChange({ period, event, items, notify }));
}

/** The duty's ladder for this period (warning before its end, escalation after it), on the loaded calendar. */
export async function dutyLadder(input: DutyPeriodInput, dueDate?: string): Promise<LadderInstants> {
  const years = (await records.loadCalendarYears()) as CalendarYearData[];
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
