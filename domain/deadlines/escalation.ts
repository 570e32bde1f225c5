/**
 * The instants of the escalation ladder (statutory-deadlines.md §3) for one computed deadline.
 *
 * Instants chosen (all China time):
 * - 预警 warning:
 *   - workday offsets: 09:00 of the Nth working day before the due date (N = 0: 09:00 of the due date). If that is
 *     not after the start (a short clock started late), 09:00 of the due date if that is after the start;
 *     otherwise no warning (null).
 *   - hour offsets: N hours before the due instant; null if that is not after the start.
 * - 超期 overdue: the first instant after the period: 00:00:00 of the day after the due date for day/workday/month
 *   units (the period runs to 23:59:59 of the due date), the due instant itself for hours.
 * - 监督 supervision: opened at the overdue instant, for rules with a supervision type.
 * - 督办 escalation: the end (23:59:59) of the Kth working day after the due date (K = 3: three full working days
 *   of grace after the deadline); null for rules without escalation (optional rights).
 * Working days here come from the same calendar; a lookup in a year without data makes the ladder provisional.
 */
import {
  type WorkingCalendar,
  MS_PER_HOUR,
  chinaDayOfInstant,
  chinaTimeOnDayMs,
  dayToYmd,
  endOfChinaDayMs,
  formatChinaIso,
  yearOfDay,
  ymdToDay,
} from './calendar';
import type { PeriodResult } from './period';
import {
  type Cadence,
  type DeadlineRule,
  type EscalationLadder,
  type RecurringDuty,
  type SupervisionType,
  SUPERVISION_ZH,
} from './rules';

export const WARNING_HOUR_CHINA = 9;

export interface LadderInstants {
  warningAtMs: number | null;
  warningAt: string | null;
  overdueAtMs: number;
  overdueAt: string;
  supervision: SupervisionType | null;
  supervisionAtMs: number | null;
  supervisionAt: string | null;
  escalationAtMs: number | null;
  escalationAt: string | null;
  /** A working-day lookup fell in a year without calendar data (or the due itself is provisional). */
  provisional: boolean;
  explanation: string;
}

/** The part of a computed period the ladder needs. */
export type LadderPeriod = Pick<PeriodResult, 'startMs' | 'dueAtMs' | 'dueDate' | 'provisional'> & {
  /** true for hours periods (due at an exact instant). */
  exactInstant: boolean;
};

class Walker {
  provisional = false;
  constructor(private readonly calendar: WorkingCalendar) {}
  working(day: number): boolean {
    if (!this.calendar.hasOfficialData(yearOfDay(day))) this.provisional = true;
    return this.calendar.isWorkingDayNumber(day);
  }
  /** The nth working day before `day` (exclusive); n = 0 is `day` itself. */
  before(day: number, n: number): number {
    let d = day;
    for (let found = 0; found < n;) {
      d -= 1;
      if (this.working(d)) found++;
    }
    return d;
  }
  /** The nth working day after `day` (exclusive); n = 0 is `day` itself. */
  after(day: number, n: number): number {
    let d = day;
    for (let found = 0; found < n;) {
      d += 1;
      if (this.working(d)) found++;
    }
    return d;
  }
}

export function computeLadder(
  ladder: EscalationLadder,
  period: LadderPeriod,
  calendar: WorkingCalendar,
): LadderInstants {
  const walker = new Walker(calendar);
  const dueDay = ymdToDay(period.dueDate);
  const steps: string[] = [];

  let warningAtMs: number | null;
  if (ladder.warning.unit === 'hours') {
    const t = period.dueAtMs - ladder.warning.amount * MS_PER_HOUR;
    warningAtMs = t > period.startMs ? t : null;
    steps.push(
      warningAtMs === null
        ? `期限短于预警提前量（${ladder.warning.amount}小时），不单独预警`
        : `届满前${ladder.warning.amount}小时预警：${formatChinaIso(warningAtMs)}`,
    );
  } else {
    const day = walker.before(dueDay, ladder.warning.amount);
    const candidate = chinaTimeOnDayMs(day, WARNING_HOUR_CHINA);
    const fallback = chinaTimeOnDayMs(dueDay, WARNING_HOUR_CHINA);
    if (candidate > period.startMs) {
      warningAtMs = candidate;
      steps.push(
        ladder.warning.amount
          ? `期满日前第${ladder.warning.amount}个工作日 ${dayToYmd(day)} 9时预警`
          : `期满日 ${dayToYmd(day)} 9时预警`,
      );
    } else if (fallback > period.startMs && fallback < period.dueAtMs) {
      warningAtMs = fallback;
      steps.push(`期限较短，改为期满日 ${dayToYmd(dueDay)} 9时预警`);
    } else {
      warningAtMs = null;
      steps.push('期限较短，不单独预警');
    }
  }

  const overdueAtMs = period.exactInstant ? period.dueAtMs : period.dueAtMs + 1000;
  steps.push(`${formatChinaIso(overdueAtMs)} 起超期`);

  const supervision = ladder.supervision;
  if (supervision) steps.push(`超期即启动${SUPERVISION_ZH[supervision]}监督`);

  let escalationAtMs: number | null = null;
  if (ladder.escalationWorkdays !== null) {
    const day = walker.after(chinaDayOfInstant(period.dueAtMs), ladder.escalationWorkdays);
    escalationAtMs = endOfChinaDayMs(day);
    steps.push(`期满后第${ladder.escalationWorkdays}个工作日 ${dayToYmd(day)} 结束时仍未办结的，报工作组督办`);
  }

  return {
    warningAtMs,
    warningAt: warningAtMs === null ? null : formatChinaIso(warningAtMs),
    overdueAtMs,
    overdueAt: formatChinaIso(overdueAtMs),
    supervision,
    supervisionAtMs: supervision ? overdueAtMs : null,
    supervisionAt: supervision ? formatChinaIso(overdueAtMs) : null,
    escalationAtMs,
    escalationAt: escalationAtMs === null ? null : formatChinaIso(escalationAtMs),
    provisional: period.provisional || walker.provisional,
    explanation: steps.join('；'),
  };
}

/** The ladder of a rule for a period computed with computePeriod. */
export function computeEscalation(rule: DeadlineRule, period: PeriodResult, calendar: WorkingCalendar): LadderInstants {
  return computeLadder(rule.escalation, { ...period, exactInstant: period.span.hours > 0 }, calendar);
}

// ---------------------------------------------------------------------------------------------------------------
// Recurring duties (§2 D): one period per calendar month, quarter or year

export interface RecurringPeriod {
  /** '2026-06', '2026-Q2' or '2026'. */
  key: string;
  startDate: string;
  endDate: string;
  startAtMs: number;
  /** End of the last day of the period (23:59:59 +08:00). */
  dueAtMs: number;
  dueAt: string;
}

/** The period of a cadence that contains a China-time date. */
export function recurringPeriodOf(cadence: Cadence, date: string): RecurringPeriod {
  ymdToDay(date); // validates
  const [y, m] = date.split('-').map(Number);
  let startMonth: number;
  let months: number;
  let key: string;
  if (cadence === 'monthly') {
    startMonth = m;
    months = 1;
    key = `${y}-${String(m).padStart(2, '0')}`;
  } else if (cadence === 'quarterly') {
    const q = Math.floor((m - 1) / 3);
    startMonth = q * 3 + 1;
    months = 3;
    key = `${y}-Q${q + 1}`;
  } else {
    startMonth = 1;
    months = 12;
    key = String(y);
  }
  const start = ymdToDay(`${y}-${String(startMonth).padStart(2, '0')}-01`);
  const nextIndex = y * 12 + (startMonth - 1) + months;
  const next = ymdToDay(`${Math.floor(nextIndex / 12)}-${String((nextIndex % 12) + 1).padStart(2, '0')}-01`);
  const dueAtMs = endOfChinaDayMs(next - 1);
  return {
    key,
    startDate: dayToYmd(start),
    endDate: dayToYmd(next - 1),
    startAtMs: chinaTimeOnDayMs(start, 0),
    dueAtMs,
    dueAt: formatChinaIso(dueAtMs),
  };
}

/** The ladder of one period of a recurring duty (warning before its end, escalation after it; no supervision). */
export function computeDutyLadder(
  duty: RecurringDuty,
  period: RecurringPeriod,
  calendar: WorkingCalendar,
): LadderInstants {
  return computeLadder(
    {
      warning: { unit: 'workdays', amount: duty.escalation.warningWorkdays },
      supervision: null,
      escalationWorkdays: duty.escalation.escalationWorkdays,
    },
    {
      startMs: period.startAtMs,
      dueAtMs: period.dueAtMs,
      dueDate: period.endDate,
      provisional: false,
      exactInstant: false,
    },
    calendar,
  );
}
