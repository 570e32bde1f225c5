/**
 * The working-day calendar of the People's Republic of China (statutory holidays and 调休 make-up working days).
 *
 * Pure data and arithmetic: safe to import from Temporal workflows. Dates are China-time calendar dates written
 * 'YYYY-MM-DD'; internally a date is a "day number" (days since 1970-01-01), so nothing here depends on the process
 * time zone.
 *
 * Builtin years come from the data file of the `chinese-days` package (2004–2026). We import only its JSON data,
 * never its functions: those use the process's local time and treat unknown years as plain weekdays.
 */
import { z } from 'zod';
import chineseDaysJson from 'chinese-days/dist/chinese-days.json';

// ---------------------------------------------------------------------------------------------------------------
// Date primitives: China time (domain/china-time.ts), re-exported for the calendar's readers

export {
  MS_PER_DAY,
  MS_PER_HOUR,
  CHINA_OFFSET_MS,
  daysInMonth,
  tryParseYmd,
  isValidYmd,
  dayNumberOf,
  ymdToDay,
  dayParts,
  dayToYmd,
  yearOfDay,
  weekdayOfDay,
  WEEKDAY_ZH,
  chinaDayOfInstant,
  startOfChinaDayMs,
  endOfChinaDayMs,
  chinaTimeOnDayMs,
  formatChinaIso,
} from '../china-time';
import {
  dayNumberOf,
  dayToYmd,
  isValidYmd,
  tryParseYmd,
  WEEKDAY_ZH,
  weekdayOfDay,
  yearOfDay,
  YMD_RE,
  ymdToDay,
} from '../china-time';

// ---------------------------------------------------------------------------------------------------------------
// The JSON format of one year (docs/calendar-format.md)

const ymdSchema = z
  .string()
  .regex(YMD_RE, { message: '日期格式应为 YYYY-MM-DD (date must be YYYY-MM-DD)' })
  .refine(isValidYmd, { message: '不存在的日期 (no such date)' });

/** Official data of one year as published by the State Council (国务院办公厅关于某年部分节假日安排的通知). */
export const calendarYearDataSchema = z
  .object({
    year: z.number().int().min(1990).max(2200),
    /** Days off: statutory holidays and the days off of the 调休 arrangement, including weekend days inside a block. */
    holidays: z.array(ymdSchema).min(1, { message: '至少应有一个节假日 (at least one holiday)' }),
    /** 调休 make-up working days (a Saturday or Sunday on which people work). */
    workdays: z.array(ymdSchema),
    source: z
      .object({
        /** The notice's number or title, e.g. 国办发明电〔2025〕7号. */
        notice: z.string().trim().min(1, { message: '应注明通知文号 (notice number required)' }),
        /** The notice's date. */
        date: ymdSchema,
        url: z.url().optional(),
      })
      .strict(),
    origin: z.enum(['builtin', 'loaded']).optional(),
  })
  .strict()
  .superRefine((data, ctx) => {
    // A notice may touch the neighbouring year's edge (e.g. the 2019 notice made 2018-12-29 a working day),
    // so dates may lie from December of the previous year to January of the next one.
    const min = dayNumberOf(data.year - 1, 12, 1);
    const max = dayNumberOf(data.year + 1, 1, 31);
    const seen = new Map<string, string>();
    const check = (list: 'holidays' | 'workdays', ymd: string, i: number): void => {
      const n = tryParseYmd(ymd);
      if (n === undefined) return; // reported by the element schema
      if (n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          path: [list, i],
          message: `${ymd} 不在 ${data.year} 年度范围内（允许上年12月至次年1月）(date outside the year)`,
        });
      }
      const prev = seen.get(ymd);
      if (prev) {
        ctx.addIssue({
          code: 'custom',
          path: [list, i],
          message: `${ymd} 重复出现（${prev}）(duplicate date)`,
        });
      }
      seen.set(ymd, list);
      if (list === 'workdays') {
        const wd = weekdayOfDay(n);
        if (wd !== 0 && wd !== 6) {
          ctx.addIssue({
            code: 'custom',
            path: [list, i],
            message: `${ymd} 是${WEEKDAY_ZH[wd]}，调休上班日应为周六或周日 (a make-up working day must be a Saturday or Sunday)`,
          });
        }
      }
    };
    data.holidays.forEach((d, i) => check('holidays', d, i));
    data.workdays.forEach((d, i) => check('workdays', d, i));
    if (!data.holidays.some((d) => d.startsWith(`${data.year}-`))) {
      ctx.addIssue({
        code: 'custom',
        path: ['holidays'],
        message: `没有 ${data.year} 年的节假日 (no holiday in the year)`,
      });
    }
  });

/** The validated JSON of a loaded year (what the `calendar_years` jsonb column holds). */
export type CalendarYearInput = z.infer<typeof calendarYearDataSchema>;

/**
 * One year of calendar data in effect. Same shape as the JSON format, except that a builtin year's notice date
 * may be null where the package's cited source gives none (2004, 2005); loaded years always have a date.
 */
export interface CalendarYearData {
  year: number;
  holidays: string[];
  workdays: string[];
  source: { notice: string; date: string | null; url?: string };
  origin?: 'builtin' | 'loaded';
}

/** Validates a year loaded by an administrator; throws a ZodError with Chinese messages when invalid. */
export function parseCalendarYearData(input: unknown): CalendarYearInput & { origin: 'builtin' | 'loaded' } {
  const parsed = calendarYearDataSchema.parse(input);
  return {
    ...parsed,
    holidays: [...parsed.holidays].sort(),
    workdays: [...parsed.workdays].sort(),
    origin: parsed.origin ?? 'loaded',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Builtin years from chinese-days

/**
 * The notices behind the builtin years. A year is builtin only if it is listed here AND the package has data for
 * it: upgrading chinese-days to a version with a new year therefore needs one line here (a conscious step).
 * Notice numbers and dates are the notices' own where verified (2006, 2007, 2025, 2026); otherwise the title and
 * the www.gov.cn publication date of the page chinese-days cites; null where that source gives no date.
 */
const BUILTIN_SOURCES: Readonly<Record<number, { notice: string; date: string | null }>> = {
  2004: { notice: '国务院办公厅关于2004年部分节假日安排的通知', date: null },
  2005: { notice: '国务院办公厅关于2005年部分节假日安排的通知', date: null },
  2006: { notice: '国办发明电〔2005〕35号', date: '2005-12-16' },
  2007: { notice: '国办发明电〔2006〕49号', date: '2006-12-14' },
  2008: { notice: '国务院办公厅关于2008年部分节假日安排的通知', date: '2007-12-18' },
  2009: { notice: '国务院办公厅关于2009年部分节假日安排的通知', date: '2008-12-10' },
  2010: { notice: '国务院办公厅关于2010年部分节假日安排的通知', date: '2009-12-08' },
  2011: { notice: '国务院办公厅关于2011年部分节假日安排的通知', date: '2010-12-10' },
  2012: { notice: '国务院办公厅关于2012年部分节假日安排的通知', date: '2011-12-06' },
  2013: { notice: '国务院办公厅关于2013年部分节假日安排的通知', date: '2012-12-10' },
  2014: { notice: '国务院办公厅关于2014年部分节假日安排的通知', date: '2013-12-11' },
  2015: {
    notice:
      '国务院办公厅关于2015年部分节假日安排的通知；国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知',
    date: '2014-12-16',
  },
  2016: { notice: '国务院办公厅关于2016年部分节假日安排的通知', date: '2015-12-10' },
  2017: { notice: '国务院办公厅关于2017年部分节假日安排的通知', date: '2016-12-01' },
  2018: { notice: '国务院办公厅关于2018年部分节假日安排的通知', date: '2017-11-30' },
  2019: {
    notice: '国务院办公厅关于2019年部分节假日安排的通知；国务院办公厅关于调整2019年劳动节假期安排的通知',
    date: '2018-12-06',
  },
  2020: {
    notice: '国务院办公厅关于2020年部分节假日安排的通知；国务院办公厅关于延长2020年春节假期的通知',
    date: '2019-11-21',
  },
  2021: { notice: '国务院办公厅关于2021年部分节假日安排的通知', date: '2020-11-25' },
  2022: { notice: '国务院办公厅关于2022年部分节假日安排的通知', date: '2021-10-25' },
  2023: { notice: '国务院办公厅关于2023年部分节假日安排的通知', date: '2022-12-08' },
  2024: { notice: '国务院办公厅关于2024年部分节假日安排的通知', date: '2023-10-25' },
  2025: { notice: '国办发明电〔2024〕12号', date: '2024-11-12' },
  2026: { notice: '国办发明电〔2025〕7号', date: '2025-11-04' },
};

interface ChineseDaysJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let builtinCache: readonly CalendarYearData[] | undefined;

/** The builtin years (2004–2026), grouped by each date's own year as chinese-days stores them. Do not mutate. */
export function builtinCalendarYears(): readonly CalendarYearData[] {
  if (builtinCache) return builtinCache;
  const raw = chineseDaysJson as unknown as ChineseDaysJson;
  const byYear = new Map<number, { holidays: string[]; workdays: string[] }>();
  const add = (kind: 'holidays' | 'workdays', ymd: string): void => {
    const year = Number(ymd.slice(0, 4));
    if (!BUILTIN_SOURCES[year] || !isValidYmd(ymd)) return;
    let entry = byYear.get(year);
    if (!entry) byYear.set(year, (entry = { holidays: [], workdays: [] }));
    entry[kind].push(ymd);
  };
  Object.keys(raw.holidays).forEach((d) => add('holidays', d));
  Object.keys(raw.workdays).forEach((d) => add('workdays', d));
  const years: CalendarYearData[] = [];
  for (const [year, entry] of [...byYear.entries()].sort((a, b) => a[0] - b[0])) {
    // A year with only a few spilled-over dates is not a year of data.
    if (entry.holidays.filter((d) => d.startsWith(`${year}-`)).length < 10) continue;
    years.push({
      year,
      holidays: entry.holidays.sort(),
      workdays: entry.workdays.sort(),
      source: { ...BUILTIN_SOURCES[year] },
      origin: 'builtin',
    });
  }
  builtinCache = years;
  return builtinCache;
}

// ---------------------------------------------------------------------------------------------------------------
// The working calendar

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeUpWorkday';

export interface DayInfo {
  date: string;
  kind: DayKind;
  working: boolean;
  /** false when the date's year has no official (builtin or loaded) data: weekends-only assumption. */
  official: boolean;
  weekdayZh: string;
}

export interface WorkingCalendar {
  isWorkingDay(date: string): boolean;
  /** A day off under the official arrangement (statutory holiday or a 调休 day off), not an ordinary weekend. */
  isHoliday(date: string): boolean;
  /** A 调休 make-up working day (a weekend day on which people work). */
  isMakeUpWorkday(date: string): boolean;
  hasOfficialData(year: number): boolean;
  dayInfo(date: string): DayInfo;
  /** Day-number variants used by the period arithmetic. */
  isWorkingDayNumber(day: number): boolean;
  dayInfoNumber(day: number): DayInfo;
  /** The data in effect for a year (loaded over builtin), if any. */
  yearData(year: number): CalendarYearData | undefined;
  /** Years with official data, ascending. */
  officialYears(): number[];
  /** All year data in effect, ascending by year. */
  years(): readonly CalendarYearData[];
  /** A new calendar with these years loaded on top of this one's. */
  withYears(years: readonly CalendarYearData[]): WorkingCalendar;
}

export interface CalendarOptions {
  /** Include the builtin chinese-days years (default true). */
  builtin?: boolean;
}

/**
 * Builds a calendar from builtin years and loaded years. For each year the loaded data (last one given wins)
 * replaces the builtin data as a whole. Years are then applied in ascending order, so a later notice's spill-over
 * into the previous December wins over the earlier year's data.
 */
export function createWorkingCalendar(
  loaded: readonly CalendarYearData[] = [],
  options: CalendarOptions = {},
): WorkingCalendar {
  const effective = new Map<number, CalendarYearData>();
  if (options.builtin !== false) for (const y of builtinCalendarYears()) effective.set(y.year, y);
  for (const y of loaded) effective.set(y.year, { ...y, origin: y.origin ?? 'loaded' });
  return buildCalendar(effective, options);
}

function buildCalendar(effective: Map<number, CalendarYearData>, options: CalendarOptions): WorkingCalendar {
  const sorted = [...effective.values()].sort((a, b) => a.year - b.year);
  const status = new Map<number, 'holiday' | 'makeUpWorkday'>();
  for (const y of sorted) {
    for (const d of y.holidays) status.set(ymdToDay(d), 'holiday');
    for (const d of y.workdays) status.set(ymdToDay(d), 'makeUpWorkday');
  }
  const official = new Set(sorted.map((y) => y.year));

  const dayInfoNumber = (day: number): DayInfo => {
    const wd = weekdayOfDay(day);
    const special = status.get(day);
    const kind: DayKind = special ?? (wd === 0 || wd === 6 ? 'weekend' : 'workday');
    return {
      date: dayToYmd(day),
      kind,
      working: kind === 'workday' || kind === 'makeUpWorkday',
      official: official.has(yearOfDay(day)),
      weekdayZh: WEEKDAY_ZH[wd],
    };
  };
  const isWorkingDayNumber = (day: number): boolean => {
    const special = status.get(day);
    if (special) return special === 'makeUpWorkday';
    const wd = weekdayOfDay(day);
    return wd !== 0 && wd !== 6;
  };

  const calendar: WorkingCalendar = {
    isWorkingDay: (date) => isWorkingDayNumber(ymdToDay(date)),
    isHoliday: (date) => status.get(ymdToDay(date)) === 'holiday',
    isMakeUpWorkday: (date) => status.get(ymdToDay(date)) === 'makeUpWorkday',
    hasOfficialData: (year) => official.has(year),
    dayInfo: (date) => dayInfoNumber(ymdToDay(date)),
    isWorkingDayNumber,
    dayInfoNumber,
    yearData: (year) => effective.get(year),
    officialYears: () => [...official].sort((a, b) => a - b),
    years: () => sorted,
    withYears: (years) => {
      const next = new Map(effective);
      for (const y of years) next.set(y.year, { ...y, origin: y.origin ?? 'loaded' });
      return buildCalendar(next, options);
    },
  };
  return calendar;
}

/** Chinese description of a day for explanations, e.g. "法定节假日" or "休息日（周六）". */
export function describeDayZh(info: DayInfo): string {
  switch (info.kind) {
    case 'holiday':
      return `法定节假日（${info.weekdayZh}）`;
    case 'weekend':
      return `休息日（${info.weekdayZh}）`;
    case 'makeUpWorkday':
      return `调休工作日（${info.weekdayZh}）`;
    default:
      return `工作日（${info.weekdayZh}）`;
  }
}
