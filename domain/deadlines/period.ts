/**
 * Period arithmetic of statutory-deadlines.md §1. Pure and deterministic (safe in Temporal workflows): no clock,
 * no time zone; China time is UTC epoch ms + 8 h read with getUTC* methods.
 *
 * Units
 * - hours:    due = start + N h exactly; never moved; the calendar is not consulted.
 * - days:     the start day is not counted; due date = start date + N; if that is not a working day it moves to the
 *             next working day, except for custody periods, which never move (CPL Art 105; 2017 Measures Art 38;
 *             PSB Admin Rules Art 35).
 * - workdays: the Nth working day after the start day (start day excluded; 调休 make-up days count).
 * - months:   the same day number N months later; start on the last day of its month → last day of the target
 *             month; target day missing → last day of the target month (SPC Interpretation 2021 Art 202); then
 *             the roll-forward/custody rule of `days`. Half a month is 15 days (an amount of k + 0.5 months is
 *             k months and 15 days).
 * A day/workday/month period expires at the end of its due date (23:59:59 +08:00); an hours period at its instant.
 *
 * Extensions (approved events) are applied in order: `setLimit` replaces the period (3 → 7 → 30 days), `add`
 * appends an amount (+15 days) counted on from the unmoved end of the period before it; the holiday roll-forward
 * applies once, to the final last day. An extension never shortens: one whose due would be earlier is ignored.
 *
 * Suspensions ([fromMs, toMs) instants, time that does not count) push the due by the paused time:
 * - hours:         by the exact paused milliseconds;
 * - days, months:  by the paused calendar days, counted like a period of days: date(to) − date(from)
 *                  (the day the pause starts is not counted, the day it ends is; a pause within one day is 0);
 *                  the push is applied to the unmoved last day, then the roll-forward rule;
 * - workdays:      by the paused working days: working days d with date(from) < d ≤ date(to).
 * Only the part after the start instant counts; overlapping suspensions are merged; a suspension counts if it
 * begins before the period (as already pushed) ends.
 *
 * A result is provisional when any date whose working-day status the computation looked at lies in a year
 * without official (builtin or loaded) calendar data; those dates are computed with weekends only.
 */
import {
  type WorkingCalendar,
  MS_PER_DAY,
  MS_PER_HOUR,
  chinaDayOfInstant,
  dayNumberOf,
  dayParts,
  dayToYmd,
  daysInMonth,
  describeDayZh,
  endOfChinaDayMs,
  formatChinaIso,
  startOfChinaDayMs,
  WEEKDAY_ZH,
  weekdayOfDay,
  yearOfDay,
} from './calendar';

export type Unit = 'hours' | 'days' | 'workdays' | 'months';
export const UNITS: readonly Unit[] = ['hours', 'days', 'workdays', 'months'];

export const UNIT_ZH: Readonly<Record<Unit, string>> = {
  hours: '小时',
  days: '日',
  workdays: '个工作日',
  months: '个月',
};

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** A start instant that is not an ISO-8601 instant (or a real date). */
export class InvalidDateError extends Error {
  readonly code = 'INVALID_DATE';
  constructor(readonly input: unknown) {
    super(
      `无效的日期时间：“${String(input)}”，应为 ISO-8601 时刻，例如 2026-06-16T10:00:00+08:00 ` +
        `(invalid date: expected an ISO-8601 instant such as 2026-06-16T10:00:00+08:00)`,
    );
    this.name = 'InvalidDateError';
  }
}

/** An extension or period that cannot be computed (wrong unit, non-positive amount…). */
export class InvalidPeriodError extends Error {
  readonly code = 'INVALID_PERIOD';
  constructor(messageZh: string, messageEn: string) {
    super(`${messageZh} (${messageEn})`);
    this.name = 'InvalidPeriodError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Instants

const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an ISO-8601 instant to epoch ms. A value without an offset (a bare date, or a date-time) is read as China
 * time, the time of every date in this domain; a bare date means 00:00 that day. Throws InvalidDateError.
 */
export function parseInstant(input: string | number | Date): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidDateError(input);
    return input;
  }
  if (input instanceof Date) {
    const t = input.getTime();
    if (!Number.isFinite(t)) throw new InvalidDateError(input);
    return t;
  }
  if (typeof input !== 'string') throw new InvalidDateError(input);
  const m = INSTANT_RE.exec(input.trim());
  if (!m) throw new InvalidDateError(input);
  const [, ys, mos, ds, hs, mis, ss, frac, off] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = hs === undefined ? 0 : Number(hs);
  const mi = mis === undefined ? 0 : Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new InvalidDateError(input);
  }
  let offsetMs = 8 * MS_PER_HOUR;
  if (off !== undefined) {
    if (off === 'Z' || off === 'z') offsetMs = 0;
    else {
      const sign = off[0] === '-' ? -1 : 1;
      const digits = off.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 18 || om > 59) throw new InvalidDateError(input);
      offsetMs = sign * (oh * MS_PER_HOUR + om * 60_000);
    }
  }
  return dayNumberOf(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * 60_000 + s * 1000 + ms - offsetMs;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs and outputs

interface ExtensionMeta {
  /** Which of the rule's extension options this is (e.g. 'verify', 'major'), when known. */
  option?: string;
  approvedBy?: string;
  reason?: string;
  approvedAtMs?: number;
}

/** An approved extension: a new total limit, or an amount added to the period. */
export type PeriodExtension =
  | ({ kind: 'setLimit'; limit: number; unit?: Unit } & ExtensionMeta)
  | ({ kind: 'add'; amount: number; unit: Unit } & ExtensionMeta);

/** Time that does not count: [fromMs, toMs). */
export interface Suspension {
  fromMs: number;
  toMs: number;
  reason?: string;
}

export interface PeriodInput {
  unit: Unit;
  limit: number;
  /** The instant the period starts (the triggering event). */
  startMs: number;
  /** Custody periods are never moved past holidays (CPL Art 105 ¶4). */
  custody: boolean;
  calendar: WorkingCalendar;
  extensions?: readonly PeriodExtension[];
  suspensions?: readonly Suspension[];
}

/** The length of a period after extensions. Calendar units (months, days) may be combined. */
export interface Span {
  months: number;
  days: number;
  hours: number;
  workdays: number;
}

export interface PeriodResult {
  unit: Unit;
  limit: number;
  /** The period after approved extensions, e.g. { months: 1, days: 15 }. */
  span: Span;
  /** Chinese label of the effective period, e.g. "1个月15日". */
  spanZh: string;
  startMs: number;
  start: string;
  /** China-time due date. */
  dueDate: string;
  /** End of the due date (23:59:59 +08:00) for day units; the exact instant for hours. */
  dueAt: string;
  dueAtMs: number;
  provisional: boolean;
  /** Years without official data that the computation looked at (weekends-only assumption). */
  provisionalYears: number[];
  custody: boolean;
  /** Extensions that were applied (ignored ones are explained but not listed). */
  appliedExtensions: PeriodExtension[];
  /** Days (or working days, or ms for hours) added by suspensions. */
  suspended: { amount: number; unit: 'days' | 'workdays' | 'ms' };
  /** Chinese steps joined by "；". */
  explanation: string;
  steps: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Spans

type Group = 'calendar' | 'hours' | 'workdays';
const groupOf = (unit: Unit): Group => (unit === 'days' || unit === 'months' ? 'calendar' : unit);

const EMPTY: Span = { months: 0, days: 0, hours: 0, workdays: 0 };

function spanOf(unit: Unit, amount: number, what: string): Span {
  const isHalfMonths = unit === 'months' && Number.isInteger(amount * 2);
  if (!(amount > 0) || !Number.isFinite(amount) || (!Number.isInteger(amount) && !isHalfMonths)) {
    throw new InvalidPeriodError(
      `${what}应为正整数（月可为半月的整数倍）：${amount}`,
      `${what} must be a positive integer (months may be in halves)`,
    );
  }
  switch (unit) {
    case 'hours':
      return { ...EMPTY, hours: amount };
    case 'days':
      return { ...EMPTY, days: amount };
    case 'workdays':
      return { ...EMPTY, workdays: amount };
    case 'months': {
      const whole = Math.floor(amount);
      // Half a month is always 15 days (SPC Interpretation 2021 Art 202).
      return { ...EMPTY, months: whole, days: amount > whole ? 15 : 0 };
    }
  }
}

const addSpans = (a: Span, b: Span): Span => ({
  months: a.months + b.months,
  days: a.days + b.days,
  hours: a.hours + b.hours,
  workdays: a.workdays + b.workdays,
});

export function spanZh(span: Span): string {
  const parts: string[] = [];
  if (span.months) parts.push(`${span.months}个月`);
  if (span.days) parts.push(`${span.days}日`);
  if (span.hours) parts.push(`${span.hours}小时`);
  if (span.workdays) parts.push(`${span.workdays}个工作日`);
  return parts.join('') || '0日';
}

/** Adds months by SPC Interpretation 2021 Art 202. */
export function addMonthsToDay(day: number, months: number): { day: number; noteZh: string } {
  const p = dayParts(day);
  const index = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const dim = daysInMonth(year, month);
  const startIsLast = p.day === daysInMonth(p.year, p.month);
  if (startIsLast) {
    const d = dayNumberOf(year, month, dim);
    return { day: d, noteZh: `起算日为当月最后一日，${months}个月后为目标月最后一日 ${dayToYmd(d)}` };
  }
  if (p.day > dim) {
    const d = dayNumberOf(year, month, dim);
    return { day: d, noteZh: `${months}个月后的目标月无${p.day}日，取目标月最后一日 ${dayToYmd(d)}` };
  }
  const d = dayNumberOf(year, month, p.day);
  return { day: d, noteZh: `${months}个月后的同日为 ${dayToYmd(d)}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Computation

interface Computed {
  dueDay: number;
  dueAtMs: number;
  steps: string[];
  provisionalYears: Set<number>;
  suspended: { amount: number; unit: 'days' | 'workdays' | 'ms' };
}

/** Merged, clipped to the start, sorted suspensions. */
function normalizeSuspensions(list: readonly Suspension[], startMs: number): Suspension[] {
  const clipped = list
    .map((s) => {
      if (!Number.isFinite(s.fromMs) || !Number.isFinite(s.toMs) || s.toMs < s.fromMs) {
        throw new InvalidPeriodError('中止计算的起止时间无效', 'invalid suspension interval');
      }
      return { fromMs: Math.max(s.fromMs, startMs), toMs: s.toMs, reason: s.reason };
    })
    .filter((s) => s.toMs > s.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: Suspension[] = [];
  for (const s of clipped) {
    const last = merged[merged.length - 1];
    if (last && s.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, s.toMs);
    else merged.push({ ...s });
  }
  return merged;
}

class Probe {
  readonly provisionalYears = new Set<number>();
  constructor(private readonly calendar: WorkingCalendar) {}
  working(day: number): boolean {
    const year = yearOfDay(day);
    if (!this.calendar.hasOfficialData(year)) this.provisionalYears.add(year);
    return this.calendar.isWorkingDayNumber(day);
  }
  describe(day: number): string {
    return describeDayZh(this.calendar.dayInfoNumber(day));
  }
}

function computeSpan(input: PeriodInput, span: Span, suspensions: Suspension[]): Computed {
  const group: Group = span.hours ? 'hours' : span.workdays ? 'workdays' : 'calendar';
  if (group === 'hours') return computeHours(input, span, suspensions);
  if (group === 'workdays') return computeWorkdays(input, span, suspensions);
  return computeCalendar(input, span, suspensions);
}

function computeHours(input: PeriodInput, span: Span, suspensions: Suspension[]): Computed {
  const steps = [`自 ${formatChinaIso(input.startMs)} 起计算 ${span.hours} 小时（按小时计算的期限不因节假日顺延）`];
  let due = input.startMs + span.hours * MS_PER_HOUR;
  let paused = 0;
  for (const s of suspensions) {
    if (s.fromMs >= due) break;
    const p = s.toMs - s.fromMs;
    paused += p;
    due += p;
    steps.push(`${formatChinaIso(s.fromMs)} 至 ${formatChinaIso(s.toMs)} 中止计算，${formatDurationZh(p)}不计入`);
  }
  steps.push(`届满时间 ${formatChinaIso(due)}`);
  return {
    dueDay: chinaDayOfInstant(due),
    dueAtMs: due,
    steps,
    provisionalYears: new Set(),
    suspended: { amount: paused, unit: 'ms' },
  };
}

function formatDurationZh(ms: number): string {
  const hours = Math.floor(ms / MS_PER_HOUR);
  const minutes = Math.floor((ms % MS_PER_HOUR) / 60_000);
  return minutes ? `${hours}小时${minutes}分钟` : `${hours}小时`;
}

/** The nth working day after `day` (exclusive); also returns the working days passed. */
function nthWorkingDayAfter(probe: Probe, day: number, n: number): { day: number; passed: number[] } {
  const passed: number[] = [];
  let d = day;
  // Bounded: even a year without any working day could not hold n > 366 * years.
  for (let guard = 0; passed.length < n; guard++) {
    if (guard > n * 7 + 400) throw new InvalidPeriodError('无法在合理范围内找到工作日', 'no working day found');
    d += 1;
    if (probe.working(d)) passed.push(d);
  }
  return { day: d, passed };
}

function computeWorkdays(input: PeriodInput, span: Span, suspensions: Suspension[]): Computed {
  const probe = new Probe(input.calendar);
  const startDay = chinaDayOfInstant(input.startMs);
  const steps = [`起算日 ${dayToYmd(startDay)} 不计入`];
  let total = span.workdays;
  let result = nthWorkingDayAfter(probe, startDay, total);
  let paused = 0;
  for (const s of suspensions) {
    if (s.fromMs >= startOfChinaDayMs(result.day + 1)) break;
    const fromDay = chinaDayOfInstant(s.fromMs);
    const toDay = chinaDayOfInstant(s.toMs);
    let p = 0;
    for (let d = fromDay + 1; d <= toDay; d++) if (probe.working(d)) p++;
    steps.push(`${formatChinaIso(s.fromMs)} 至 ${formatChinaIso(s.toMs)} 中止计算，${p}个工作日不计入`);
    paused += p;
    total += p;
    result = nthWorkingDayAfter(probe, startDay, total);
  }
  const listed = result.passed.map(dayToYmd);
  const makeUps = result.passed.filter((d) => input.calendar.dayInfoNumber(d).kind === 'makeUpWorkday');
  steps.push(
    (listed.length <= 12
      ? `依次计算工作日：${listed.join('、')}`
      : `依次计算工作日：${listed.slice(0, 3).join('、')}……${listed.slice(-3).join('、')}`) +
      (makeUps.length ? `（其中 ${makeUps.map(dayToYmd).join('、')} 为调休工作日，计入）` : ''),
  );
  steps.push(`第${total}个工作日 ${dayToYmd(result.day)} 为期满日`);
  return {
    dueDay: result.day,
    dueAtMs: endOfChinaDayMs(result.day),
    steps,
    provisionalYears: probe.provisionalYears,
    suspended: { amount: paused, unit: 'workdays' },
  };
}

function computeCalendar(input: PeriodInput, span: Span, suspensions: Suspension[]): Computed {
  const probe = new Probe(input.calendar);
  const startDay = chinaDayOfInstant(input.startMs);
  const steps = [`起算日 ${dayToYmd(startDay)} 不计入`];
  let raw = startDay;
  if (span.months) {
    const r = addMonthsToDay(startDay, span.months);
    raw = r.day;
    steps.push(r.noteZh);
  }
  if (span.days) {
    raw += span.days;
    steps.push(span.months ? `再加${span.days}日为 ${dayToYmd(raw)}` : `第${span.days}日为 ${dayToYmd(raw)}`);
  }

  const settle = (last: number): { day: number; note: string } => {
    if (input.custody) {
      // Described without probing: custody does not depend on the calendar, so it never makes the result provisional.
      const info = input.calendar.dayInfoNumber(last);
      const what = info.working ? '' : `${dayToYmd(last)} 为${describeDayZh(info)}，`;
      return { day: last, note: `${what}羁押期间至期满之日为止，不因节假日延长（刑事诉讼法第一百零五条第四款）` };
    }
    if (probe.working(last)) return { day: last, note: `${dayToYmd(last)} 为${probe.describe(last)}` };
    let d = last;
    for (let guard = 0; !probe.working(d); guard++) {
      if (guard > 60) throw new InvalidPeriodError('顺延超过60日，日历数据异常', 'roll-forward beyond 60 days');
      d += 1;
    }
    return {
      day: d,
      note: `${dayToYmd(last)} 为${probe.describe(last)}，顺延至其后第一个工作日 ${dayToYmd(d)}（${WEEKDAY_ZH[weekdayOfDay(d)]}）`,
    };
  };

  let pushed = 0;
  let settled = settle(raw);
  for (const s of suspensions) {
    if (s.fromMs >= startOfChinaDayMs(settled.day + 1)) break;
    const p = chinaDayOfInstant(s.toMs) - chinaDayOfInstant(s.fromMs);
    pushed += p;
    steps.push(`${formatChinaIso(s.fromMs)} 至 ${formatChinaIso(s.toMs)} 中止计算，${p}日不计入`);
    settled = settle(raw + pushed);
  }
  if (pushed) steps.push(`扣除中止的${pushed}日后，最后一日为 ${dayToYmd(raw + pushed)}`);
  steps.push(settled.note);
  return {
    dueDay: settled.day,
    dueAtMs: endOfChinaDayMs(settled.day),
    steps,
    provisionalYears: probe.provisionalYears,
    suspended: { amount: pushed, unit: 'days' },
  };
}

/** Computes a due date by §1, with approved extensions and suspensions. */
export function computePeriod(input: PeriodInput): PeriodResult {
  if (!Number.isFinite(input.startMs)) throw new InvalidDateError(input.startMs);
  const baseGroup = groupOf(input.unit);
  const suspensions = normalizeSuspensions(input.suspensions ?? [], input.startMs);
  let span = spanOf(input.unit, input.limit, '期限');
  let computed = computeSpan(input, span, suspensions);
  const extensionSteps: string[] = [];
  const applied: PeriodExtension[] = [];

  for (const ext of input.extensions ?? []) {
    const unit = ext.unit ?? input.unit;
    if (groupOf(unit) !== baseGroup) {
      throw new InvalidPeriodError(
        `延长期限的单位（${UNIT_ZH[unit]}）与原期限（${UNIT_ZH[input.unit]}）不相容`,
        `extension unit ${unit} incompatible with ${input.unit}`,
      );
    }
    const candidate =
      ext.kind === 'setLimit'
        ? spanOf(unit, ext.limit, '延长后的期限')
        : addSpans(span, spanOf(unit, ext.amount, '延长的期限'));
    const approval = [ext.approvedBy && `批准：${ext.approvedBy}`, ext.reason && `理由：${ext.reason}`]
      .filter(Boolean)
      .join('，');
    const next = computeSpan(input, candidate, suspensions);
    if (next.dueAtMs < computed.dueAtMs) {
      extensionSteps.push(`延长至${spanZh(candidate)}将短于现有期限${spanZh(span)}，不予适用（延长不得缩短期限）`);
      continue;
    }
    extensionSteps.push(
      `延长期限${approval ? `（${approval}）` : ''}：由${spanZh(span)}${ext.kind === 'setLimit' ? '改为' : '延长为'}${spanZh(candidate)}`,
    );
    span = candidate;
    computed = next;
    applied.push(ext);
  }

  const provisionalYears = [...computed.provisionalYears].sort((a, b) => a - b);
  const steps = [
    `期限${spanZh(spanOf(input.unit, input.limit, '期限'))}${input.custody && span.hours === 0 ? '（羁押期限）' : ''}`,
    ...extensionSteps,
    ...computed.steps,
  ];
  if (provisionalYears.length) {
    steps.push(
      `${provisionalYears.join('、')} 年的节假日安排尚未载入，按仅周末休息计算，结果为临时结果，载入后将重新计算`,
    );
  }
  if (span.hours === 0) steps.push(`期满时间 ${formatChinaIso(computed.dueAtMs)}`);
  return {
    unit: input.unit,
    limit: input.limit,
    span,
    spanZh: spanZh(span),
    startMs: input.startMs,
    start: formatChinaIso(input.startMs),
    dueDate: dayToYmd(computed.dueDay),
    dueAt: formatChinaIso(computed.dueAtMs),
    dueAtMs: computed.dueAtMs,
    provisional: provisionalYears.length > 0,
    provisionalYears,
    custody: input.custody,
    appliedExtensions: applied,
    suspended: computed.suspended,
    explanation: steps.join('；'),
    steps,
  };
}
