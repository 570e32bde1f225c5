/**
 * China time: the calendar days and wall-clock times users read, and the one place that knows China is UTC+8.
 *
 * Pure integer arithmetic and UTC-only Date methods, no dependency: importable from workflows, the API, activities
 * and the browser console, and independent of the process's (or the browser's) time zone.
 */

export const MS_PER_DAY = 86_400_000;
export const MS_PER_HOUR = 3_600_000;
/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
export const CHINA_OFFSET_MS = 8 * MS_PER_HOUR;

export const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

/** Parses 'YYYY-MM-DD' into a day number; undefined when malformed or not a real date. */
export function tryParseYmd(ymd: string): number | undefined {
  const m = YMD_RE.exec(ymd);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return dayNumberOf(y, mo, d);
}

export function isValidYmd(ymd: string): boolean {
  return tryParseYmd(ymd) !== undefined;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic; Date.UTC maps years 0–99 to 19xx). */
export function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function ymdToDay(ymd: string): number {
  const n = tryParseYmd(ymd);
  if (n === undefined) throw new RangeError(`无效的日期：${ymd} (invalid date, expected YYYY-MM-DD)`);
  return n;
}

/** The inverse of dayNumberOf. */
export function dayParts(day: number): { year: number; month: number; day: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function dayToYmd(day: number): string {
  const p = dayParts(day);
  return `${String(p.year).padStart(4, '0')}-${pad2(p.month)}-${pad2(p.day)}`;
}

export function yearOfDay(day: number): number {
  return dayParts(day).year;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export const WEEKDAY_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** The China-time calendar day containing an instant. */
export function chinaDayOfInstant(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / MS_PER_DAY);
}

/** The first instant (00:00:00 +08:00) of a China-time day. */
export function startOfChinaDayMs(day: number): number {
  return day * MS_PER_DAY - CHINA_OFFSET_MS;
}

/** The last second (23:59:59 +08:00) of a China-time day: when a day-counted period expires. */
export function endOfChinaDayMs(day: number): number {
  return startOfChinaDayMs(day + 1) - 1000;
}

/** The instant hh:mm China time on a given day. */
export function chinaTimeOnDayMs(day: number, hour: number, minute = 0): number {
  return startOfChinaDayMs(day) + hour * MS_PER_HOUR + minute * 60_000;
}

/** ISO-8601 with the +08:00 offset, e.g. 2026-09-28T23:59:59+08:00 (milliseconds only when not zero). */
export function formatChinaIso(ms: number): string {
  const local = ms + CHINA_OFFSET_MS;
  const day = Math.floor(local / MS_PER_DAY);
  const inDay = local - day * MS_PER_DAY;
  const h = Math.floor(inDay / MS_PER_HOUR);
  const mi = Math.floor((inDay % MS_PER_HOUR) / 60_000);
  const s = Math.floor((inDay % 60_000) / 1000);
  const millis = inDay % 1000;
  const time = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  return `${dayToYmd(day)}T${time}${millis ? `.${String(millis).padStart(3, '0')}` : ''}+08:00`;
}

/** The wall-clock fields of an instant in China time. */
export function chinaParts(ms: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
} {
  const local = ms + CHINA_OFFSET_MS;
  const day = Math.floor(local / MS_PER_DAY);
  const inDay = local - day * MS_PER_DAY;
  return {
    ...dayParts(day),
    hour: Math.floor(inDay / MS_PER_HOUR),
    minute: Math.floor((inDay % MS_PER_HOUR) / 60_000),
    second: Math.floor((inDay % 60_000) / 1000),
  };
}

/** The China-time calendar date of an instant, 'YYYY-MM-DD'. */
export function chinaYmd(ms: number): string {
  return dayToYmd(chinaDayOfInstant(ms));
}

/** The China-time year of an instant. */
export function chinaYear(ms: number): number {
  return yearOfDay(chinaDayOfInstant(ms));
}

/** 00:00 China time of a calendar date (month 1–12); a month or day past its end rolls over, as with Date.UTC. */
export function chinaMidnightMs(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - CHINA_OFFSET_MS;
}

/** "2026年10月09日": a 'YYYY-MM-DD' date in Chinese format. */
export function ymdZh(ymd: string): string {
  return `${ymd.slice(0, 4)}年${ymd.slice(5, 7)}月${ymd.slice(8, 10)}日`;
}

/** "2026年10月09日": the China-time date of an instant. */
export function chinaDateZh(ms: number): string {
  return ymdZh(chinaYmd(ms));
}

/** "2026年10月09日 23:59", or with seconds "2026年10月09日 23:59:59": the China-time date and time of an instant. */
export function chinaDateTimeZh(ms: number, precision: 'minute' | 'second' = 'minute'): string {
  const p = chinaParts(ms);
  const time = `${pad2(p.hour)}:${pad2(p.minute)}${precision === 'second' ? `:${pad2(p.second)}` : ''}`;
  return `${chinaDateZh(ms)} ${time}`;
}

/** "2026年10月09日 23:59:59（北京时间）": the form mail and records give a due instant in. */
export function formatChinaTime(ms: number): string {
  return `${chinaDateTimeZh(ms, 'second')}（北京时间）`;
}
