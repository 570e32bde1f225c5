import {
  InvalidDateError,
  InvalidPeriodError,
  addMonthsToDay,
  computePeriod,
  createWorkingCalendar,
  dayToYmd,
  parseInstant,
  ymdToDay,
  type PeriodInput,
} from '../../../domain/deadlines';

const calendar = createWorkingCalendar();
const at = (iso: string): number => parseInstant(iso);
const period = (p: Omit<PeriodInput, 'calendar' | 'custody'> & { custody?: boolean }) =>
  computePeriod({ custody: false, calendar, ...p });

describe('§4 worked examples (2026 calendar)', () => {
  it('any.written-consultation-reply, 7 days from 2026-06-16 10:00 → 2026-06-23 (plain count)', () => {
    const r = period({ unit: 'days', limit: 7, startMs: at('2026-06-16T10:00:00+08:00') });
    expect([r.dueDate, r.dueAt, r.provisional]).toEqual(['2026-06-23', '2026-06-23T23:59:59+08:00', false]);
  });
  it('any.platform-entry, 7 days from 2026-04-30 09:00 → 2026-05-07 (holiday inside the period)', () => {
    expect(period({ unit: 'days', limit: 7, startMs: at('2026-04-30T09:00:00+08:00') }).dueDate).toBe('2026-05-07');
  });
  it('spp.review-outcome-notice, 10 days from 2026-09-17: day 10 = 09-27, a holiday → 09-28', () => {
    const r = period({ unit: 'days', limit: 10, startMs: at('2026-09-17') });
    expect(r.dueDate).toBe('2026-09-28');
    expect(r.explanation).toContain('起算日 2026-09-17 不计入');
    expect(r.explanation).toContain('2026-09-27 为法定节假日（周日），顺延至其后第一个工作日 2026-09-28');
  });
  it('psb.detention-refusal, 5 workdays from 2026-04-28 → 2026-05-08 (04-29, 04-30, 05-06, 05-07, 05-08)', () => {
    const r = period({ unit: 'workdays', limit: 5, startMs: at('2026-04-28T10:00:00+08:00') });
    expect(r.dueDate).toBe('2026-05-08');
    expect(r.explanation).toContain('2026-04-29、2026-04-30、2026-05-06、2026-05-07、2026-05-08');
  });
});

describe('hours', () => {
  it('exact, no roll-forward, across midnight China time (eeb.transfer-delivery)', () => {
    const r = period({ unit: 'hours', limit: 24, startMs: at('2026-02-14T20:15:30+08:00') });
    expect(r.dueAt).toBe('2026-02-15T20:15:30+08:00');
    expect(r.dueDate).toBe('2026-02-15');
    expect(r.dueAtMs - r.startMs).toBe(24 * 3600_000);
  });
  it('never provisional (no calendar consulted), even in 2031', () => {
    expect(period({ unit: 'hours', limit: 24, startMs: at('2031-01-01T10:00:00+08:00') }).provisional).toBe(false);
  });
  it('suspension adds the exact paused time', () => {
    const r = period({
      unit: 'hours',
      limit: 24,
      startMs: at('2026-06-01T10:00:00+08:00'),
      suspensions: [{ fromMs: at('2026-06-01T12:00:00+08:00'), toMs: at('2026-06-01T15:30:00+08:00') }],
    });
    expect(r.dueAt).toBe('2026-06-02T13:30:00+08:00');
  });
});

describe('days', () => {
  it('start day not counted, regardless of the start time', () => {
    expect(period({ unit: 'days', limit: 1, startMs: at('2026-06-16T00:00:00+08:00') }).dueDate).toBe('2026-06-17');
    expect(period({ unit: 'days', limit: 1, startMs: at('2026-06-16T23:59:59+08:00') }).dueDate).toBe('2026-06-17');
  });
  it('a UTC instant on the previous UTC day is the China date that counts', () => {
    // 2026-06-15T16:30Z is 2026-06-16 00:30 in China.
    expect(period({ unit: 'days', limit: 7, startMs: at('2026-06-15T16:30:00Z') }).dueDate).toBe('2026-06-23');
  });
  it('ordinary weekend rolls forward; custody does not', () => {
    // 2026-06-10 (Wed) + 3 = 06-13 (Sat) → 06-15 (Mon); custody: 06-13.
    expect(period({ unit: 'days', limit: 3, startMs: at('2026-06-10') }).dueDate).toBe('2026-06-15');
    const held = period({ unit: 'days', limit: 3, startMs: at('2026-06-10'), custody: true });
    expect([held.dueDate, held.custody]).toEqual(['2026-06-13', true]);
    expect(held.explanation).toContain('不因节假日延长');
  });
  it('Spring Festival block: 2026-02-12 + 3 = 02-15 → first working day 02-24', () => {
    expect(period({ unit: 'days', limit: 3, startMs: at('2026-02-12') }).dueDate).toBe('2026-02-24');
  });
  it('make-up working Saturday is a valid last day: 2026-02-25 + 3 = 02-28', () => {
    expect(period({ unit: 'days', limit: 3, startMs: at('2026-02-25') }).dueDate).toBe('2026-02-28');
  });
  it('no data for 2031 → weekends only and provisional', () => {
    // 2031-01-01 (Wed) + 3 = 01-04 (Sat) → 01-06 (Mon), provisional.
    const r = period({ unit: 'days', limit: 3, startMs: at('2031-01-01T10:00:00+08:00') });
    expect([r.dueDate, r.provisional, r.provisionalYears]).toEqual(['2031-01-06', true, [2031]]);
    expect(r.explanation).toContain('2031 年的节假日安排尚未载入');
  });
  it('custody period in a year without data is not provisional (the calendar is irrelevant)', () => {
    const r = period({ unit: 'days', limit: 3, startMs: at('2031-01-01T10:00:00+08:00'), custody: true });
    expect([r.dueDate, r.provisional]).toEqual(['2031-01-04', false]);
  });
});

describe('workdays', () => {
  it('make-up days count: 2026-02-12 + 3 workdays = 02-13, 02-14 (Sat), 02-24', () => {
    expect(period({ unit: 'workdays', limit: 3, startMs: at('2026-02-12') }).dueDate).toBe('2026-02-24');
  });
  it('start on a weekend: the count starts on the next working day', () => {
    // 2026-06-13 (Sat): 06-15, 06-16, 06-17.
    expect(period({ unit: 'workdays', limit: 3, startMs: at('2026-06-13') }).dueDate).toBe('2026-06-17');
  });
  it('suspension removes the paused working days', () => {
    // 2026-06-01 (Mon) 10:00 + 3 workdays; paused 06-01 11:00 → 06-03 11:00: working days 06-02, 06-03 don't count
    // → 06-04, 06-05, 06-08.
    const r = period({
      unit: 'workdays',
      limit: 3,
      startMs: at('2026-06-01T10:00:00+08:00'),
      suspensions: [{ fromMs: at('2026-06-01T11:00:00+08:00'), toMs: at('2026-06-03T11:00:00+08:00') }],
    });
    expect([r.dueDate, r.suspended]).toEqual(['2026-06-08', { amount: 2, unit: 'workdays' }]);
  });
});

describe('months (SPC Interpretation 2021 Art 202)', () => {
  const add = (from: string, n: number) => dayToYmd(addMonthsToDay(ymdToDay(from), n).day);
  it('same day number', () => expect(add('2026-03-17', 1)).toBe('2026-04-17'));
  it('start on the last day → last day of the target month', () => {
    expect(add('2026-01-31', 1)).toBe('2026-02-28');
    expect(add('2026-02-28', 1)).toBe('2026-03-31');
    expect(add('2026-04-30', 1)).toBe('2026-05-31');
    expect(add('2026-08-31', 1)).toBe('2026-09-30');
    expect(add('2027-12-31', 2)).toBe('2028-02-29');
  });
  it('target day does not exist → last day of the target month', () => {
    expect(add('2026-01-30', 1)).toBe('2026-02-28');
    expect(add('2026-01-29', 1)).toBe('2026-02-28');
    expect(add('2028-01-30', 1)).toBe('2028-02-29');
  });
  it('across the year', () => expect(add('2026-11-15', 3)).toBe('2027-02-15'));
  it('then the roll-forward / custody rule: 2026-09-01 + 1 month = 10-01 (国庆)', () => {
    expect(period({ unit: 'months', limit: 1, startMs: at('2026-09-01') }).dueDate).toBe('2026-10-08');
    expect(period({ unit: 'months', limit: 1, startMs: at('2026-09-01'), custody: true }).dueDate).toBe('2026-10-01');
  });
  it('half a month is 15 days', () => {
    const r = period({ unit: 'months', limit: 0.5, startMs: at('2026-06-01') });
    expect([r.dueDate, r.spanZh]).toEqual(['2026-06-16', '15日']);
    expect(period({ unit: 'months', limit: 1.5, startMs: at('2026-06-01') }).spanZh).toBe('1个月15日');
  });
});

describe('extensions', () => {
  const start = at('2026-09-30T10:00:00+08:00');
  it('setLimit 3 → 7 → 30 days (psb.filing-decision)', () => {
    const r = period({
      unit: 'days',
      limit: 3,
      startMs: start,
      extensions: [
        { kind: 'setLimit', limit: 7 },
        { kind: 'setLimit', limit: 30, approvedBy: '县公安局负责人' },
      ],
    });
    expect([r.dueDate, r.spanZh, r.appliedExtensions.length]).toEqual(['2026-10-30', '30日', 2]);
    expect(r.explanation).toContain('批准：县公安局负责人');
  });
  it('never shortens: a shorter setLimit is ignored and explained', () => {
    const r = period({ unit: 'days', limit: 30, startMs: start, extensions: [{ kind: 'setLimit', limit: 3 }] });
    expect([r.dueDate, r.appliedExtensions.length]).toEqual(['2026-10-30', 0]);
    expect(r.explanation).toContain('不得缩短');
  });
  it('add days to a month period counts on from the unmoved end (spp.prosecution-review +15)', () => {
    // 2026-08-17 + 1 month = 09-17, + 15 days = 10-02 (国庆) → 10-08.
    const r = period({
      unit: 'months',
      limit: 1,
      startMs: at('2026-08-17'),
      extensions: [{ kind: 'add', amount: 15, unit: 'days' }],
    });
    expect([r.dueDate, r.spanZh]).toEqual(['2026-10-08', '1个月15日']);
  });
  it('rejects incompatible units and non-positive amounts', () => {
    expect(() =>
      period({ unit: 'days', limit: 3, startMs: start, extensions: [{ kind: 'add', amount: 2, unit: 'hours' }] }),
    ).toThrow(InvalidPeriodError);
    expect(() =>
      period({ unit: 'days', limit: 3, startMs: start, extensions: [{ kind: 'add', amount: 0, unit: 'days' }] }),
    ).toThrow(/正整数/);
    expect(() => period({ unit: 'days', limit: 2.5, startMs: start })).toThrow(InvalidPeriodError);
  });
});

describe('suspensions (days)', () => {
  const start = at('2026-09-05T10:00:00+08:00'); // 30 days → 10-05 → 10-08
  it('pause within one day counts 0 days', () => {
    const r = period({
      unit: 'days',
      limit: 30,
      startMs: start,
      suspensions: [{ fromMs: at('2026-09-10T09:00:00+08:00'), toMs: at('2026-09-10T17:00:00+08:00') }],
    });
    expect([r.dueDate, r.suspended.amount]).toEqual(['2026-10-08', 0]);
  });
  it('overlapping suspensions are merged; pause before start is clipped', () => {
    const r = period({
      unit: 'days',
      limit: 30,
      startMs: start,
      suspensions: [
        { fromMs: at('2026-09-01T00:00:00+08:00'), toMs: at('2026-09-07T10:00:00+08:00') }, // clipped: 09-05 → 09-07 = 2
        { fromMs: at('2026-09-20T10:00:00+08:00'), toMs: at('2026-09-25T10:00:00+08:00') },
        { fromMs: at('2026-09-22T10:00:00+08:00'), toMs: at('2026-09-28T10:00:00+08:00') }, // merged: 09-20 → 09-28 = 8
      ],
    });
    // 10-05 + 10 = 10-15 (Thu).
    expect([r.dueDate, r.suspended.amount]).toEqual(['2026-10-15', 10]);
  });
  it('a suspension starting after the period ended does not count; one starting in the rolled-forward days does', () => {
    const late = period({
      unit: 'days',
      limit: 30,
      startMs: start,
      suspensions: [{ fromMs: at('2026-10-09T00:00:00+08:00'), toMs: at('2026-10-20T00:00:00+08:00') }],
    });
    expect(late.dueDate).toBe('2026-10-08');
    const inRoll = period({
      unit: 'days',
      limit: 30,
      startMs: start,
      suspensions: [{ fromMs: at('2026-10-07T10:00:00+08:00'), toMs: at('2026-10-09T10:00:00+08:00') }],
    });
    // raw 10-05 + 2 = 10-07 (holiday) → 10-08.
    expect(inRoll.dueDate).toBe('2026-10-08');
  });
  it('rejects an interval that ends before it starts', () => {
    expect(() =>
      period({ unit: 'days', limit: 3, startMs: start, suspensions: [{ fromMs: start + 10, toMs: start }] }),
    ).toThrow(InvalidPeriodError);
  });
});

describe('parseInstant', () => {
  it('accepts offsets, Z, and offset-less values as China time', () => {
    const expected = Date.UTC(2026, 5, 16, 2, 0, 0);
    for (const s of [
      '2026-06-16T10:00:00+08:00',
      '2026-06-16T02:00:00Z',
      '2026-06-16T10:00:00',
      '2026-06-16T10:00',
      '2026-06-16 10:00:00',
      '2026-06-16T03:00:00+0100',
      '2026-06-16T10:00:00.000+08:00',
    ]) {
      expect([s, parseInstant(s)]).toEqual([s, expected]);
    }
    expect(parseInstant('2026-06-16')).toBe(Date.UTC(2026, 5, 15, 16, 0, 0));
    expect(parseInstant('2026-06-16T10:00:00.250+08:00')).toBe(expected + 250);
  });
  it('rejects bad dates with a typed, bilingual error', () => {
    for (const s of [
      '2026-02-30',
      '2026-13-01',
      'tomorrow',
      '',
      '2026-06-16T24:00:00Z',
      '2026-06-16T10:60:00Z',
      '16/06/2026',
      '2026-06-16T10:00:00+25:00',
    ]) {
      expect(() => parseInstant(s)).toThrow(InvalidDateError);
    }
    expect(() => parseInstant('x')).toThrow(/无效的日期时间.*invalid date/);
    expect(() => parseInstant(Number.NaN)).toThrow(InvalidDateError);
  });
});
