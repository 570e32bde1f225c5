import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtinCalendarYears,
  calendarYearDataSchema,
  createWorkingCalendar,
  formatChinaIso,
  parseCalendarYearData,
} from '../../../domain/deadlines';

const calendar = createWorkingCalendar();

/** The example year of docs/calendar-format.md (not official data). */
function example2027(): unknown {
  const doc = readFileSync(join(__dirname, '../../../docs/calendar-format.md'), 'utf8');
  const match = /```json\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error('no json example in docs/calendar-format.md');
  return JSON.parse(match[1]);
}

describe('builtin calendar (chinese-days data)', () => {
  it('has official data for exactly 2004–2026', () => {
    const years = builtinCalendarYears().map((y) => y.year);
    expect(years).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(calendar.officialYears()).toEqual(years);
    for (const y of [2003, 2027, 2031]) expect(calendar.hasOfficialData(y)).toBe(false);
    for (const y of [2004, 2015, 2026]) expect(calendar.hasOfficialData(y)).toBe(true);
  });

  it('2026 Spring Festival: 02-15..02-23 off, 02-14 and 02-28 (Saturdays) are make-up working days', () => {
    for (let d = 15; d <= 23; d++) {
      const date = `2026-02-${d}`;
      expect([date, calendar.isHoliday(date), calendar.isWorkingDay(date)]).toEqual([date, true, false]);
    }
    for (const date of ['2026-02-14', '2026-02-28']) {
      expect(calendar.isMakeUpWorkday(date)).toBe(true);
      expect(calendar.isWorkingDay(date)).toBe(true);
      expect(calendar.dayInfo(date)).toMatchObject({ kind: 'makeUpWorkday', weekdayZh: '周六', official: true });
    }
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('2026 National Day and Mid-autumn: 09-25..09-27 and 10-01..10-07 off; 09-20 (Sun) and 10-10 (Sat) working', () => {
    for (const date of ['2026-09-25', '2026-09-26', '2026-09-27', '2026-10-01', '2026-10-04', '2026-10-07']) {
      expect(calendar.isHoliday(date)).toBe(true);
      expect(calendar.isWorkingDay(date)).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
  });

  it('other 2026 facts: New Year 01-01..01-03 (01-04 Sun works), Labour Day 05-01..05-05 (05-09 Sat works)', () => {
    expect(['2026-01-01', '2026-01-02', '2026-01-03'].map(calendar.isWorkingDay)).toEqual([false, false, false]);
    expect(calendar.isWorkingDay('2026-01-04')).toBe(true);
    expect(calendar.isWorkingDay('2026-05-05')).toBe(false);
    expect(calendar.isWorkingDay('2026-05-09')).toBe(true);
    // Month ends: 31 Jan 2026 is an ordinary Saturday, 31 Aug a Monday.
    expect(calendar.dayInfo('2026-01-31')).toMatchObject({ kind: 'weekend', working: false });
    expect(calendar.dayInfo('2026-08-31')).toMatchObject({ kind: 'workday', working: true });
  });

  it('keeps cross-year spill-over dates (2019 notice: 2018-12-29 worked, 12-30/31 off)', () => {
    expect(calendar.isWorkingDay('2018-12-29')).toBe(true);
    expect(calendar.isHoliday('2018-12-31')).toBe(true);
  });

  it('records each builtin year’s notice', () => {
    const y2026 = builtinCalendarYears().find((y) => y.year === 2026)!;
    expect(y2026.source).toEqual({ notice: '国办发明电〔2025〕7号', date: '2025-11-04' });
    expect(y2026.origin).toBe('builtin');
    expect(y2026.workdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it('years without data: weekends only, and flagged not official', () => {
    expect(calendar.dayInfo('2031-10-01')).toMatchObject({ kind: 'workday', working: true, official: false });
    expect(calendar.isWorkingDay('2031-10-04')).toBe(false); // a Saturday
  });
});

describe('loaded years', () => {
  it('the documented 2027 example validates and makes 2027 official', () => {
    const y = parseCalendarYearData(example2027());
    expect(y.origin).toBe('loaded');
    const c = createWorkingCalendar([y]);
    expect(c.hasOfficialData(2027)).toBe(true);
    expect(c.isWorkingDay('2027-01-01')).toBe(false);
    expect(c.isWorkingDay('2027-02-20')).toBe(true);
    expect(c.yearData(2027)?.source.notice).toContain('示例');
    expect(calendar.hasOfficialData(2027)).toBe(false); // the original calendar is unchanged
    expect(calendar.withYears([y]).hasOfficialData(2027)).toBe(true);
  });

  it('a loaded year replaces the builtin year as a whole', () => {
    // Hypothetical correction of 2026 that also gives 2026-10-08 off.
    const builtin = builtinCalendarYears().find((y) => y.year === 2026)!;
    const corrected = parseCalendarYearData({
      year: 2026,
      holidays: [...builtin.holidays, '2026-10-08'],
      workdays: builtin.workdays,
      source: { notice: '更正测试', date: '2026-09-01' },
    });
    const c = createWorkingCalendar([corrected]);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(c.isWorkingDay('2026-10-08')).toBe(false);
    expect(c.yearData(2026)?.origin).toBe('loaded');
    // A loaded year with fewer holidays drops builtin ones of that year.
    const minimal = createWorkingCalendar([
      parseCalendarYearData({
        year: 2026,
        holidays: ['2026-01-01'],
        workdays: [],
        source: { notice: 'x', date: '2025-11-04' },
      }),
    ]);
    expect(minimal.isWorkingDay('2026-02-16')).toBe(true);
  });

  it('rejects malformed data with Chinese messages', () => {
    const bad = (data: unknown): string[] => {
      const r = calendarYearDataSchema.safeParse(data);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    const base = { year: 2027, holidays: ['2027-01-01'], workdays: [], source: { notice: 'n', date: '2026-11-01' } };
    expect(bad(base)).toEqual([]);
    expect(bad({ ...base, holidays: ['2027-02-30'] }).join()).toContain('不存在的日期');
    expect(bad({ ...base, holidays: ['2027/01/01'] }).join()).toContain('YYYY-MM-DD');
    expect(bad({ ...base, workdays: ['2027-02-17'] }).join()).toContain('调休上班日应为周六或周日');
    expect(bad({ ...base, workdays: ['2027-01-02'], holidays: ['2027-01-01', '2027-01-02'] }).join()).toContain('重复');
    expect(bad({ ...base, holidays: ['2027-01-01', '2029-01-01'] }).join()).toContain('不在 2027 年度范围内');
    expect(bad({ ...base, source: { notice: '', date: '2026-11-01' } }).join()).toContain('文号');
    expect(bad({ ...base, extra: 1 }).length).toBeGreaterThan(0);
    expect(bad({ ...base, holidays: [] }).join()).toContain('至少应有一个节假日');
  });
});

describe('China time formatting does not depend on the process time zone', () => {
  it('formats with +08:00', () => {
    expect(formatChinaIso(Date.UTC(2026, 0, 31, 15, 30))).toBe('2026-01-31T23:30:00+08:00');
    expect(formatChinaIso(Date.UTC(2026, 0, 31, 16, 0))).toBe('2026-02-01T00:00:00+08:00');
  });
});
