import {
  chinaDateTimeZh,
  chinaDateZh,
  chinaMidnightMs,
  chinaParts,
  chinaYear,
  chinaYmd,
  formatChinaIso,
  formatChinaTime,
  ymdZh,
} from '../../domain/china-time';

describe('China time (one module, whatever the process time zone)', () => {
  // 2026-12-31T16:30:05Z is 2027-01-01 00:30:05 in China.
  const ms = Date.UTC(2026, 11, 31, 16, 30, 5);

  it('reads the China-time calendar day and wall clock of an instant', () => {
    expect(chinaYmd(ms)).toBe('2027-01-01');
    expect(chinaYear(ms)).toBe(2027);
    expect(chinaParts(ms)).toEqual({ year: 2027, month: 1, day: 1, hour: 0, minute: 30, second: 5 });
    expect(formatChinaIso(ms)).toBe('2027-01-01T00:30:05+08:00');
  });

  it('formats in Chinese, zero-padded', () => {
    expect(chinaDateZh(ms)).toBe('2027年01月01日');
    expect(chinaDateTimeZh(ms)).toBe('2027年01月01日 00:30');
    expect(chinaDateTimeZh(ms, 'second')).toBe('2027年01月01日 00:30:05');
    expect(formatChinaTime(ms)).toBe('2027年01月01日 00:30:05（北京时间）');
    expect(ymdZh('2026-10-09')).toBe('2026年10月09日');
  });

  it('finds 00:00 China time of a date, rolling a month or day past its end over', () => {
    expect(new Date(chinaMidnightMs(2026, 10, 1)).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(chinaMidnightMs(2026, 13, 1)).toBe(chinaMidnightMs(2027, 1, 1));
    expect(chinaMidnightMs(2026, 2, 29)).toBe(chinaMidnightMs(2026, 3, 1));
  });
});
