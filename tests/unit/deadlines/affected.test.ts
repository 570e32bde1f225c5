import {
  affectedDeadlines,
  computeDeadline,
  createWorkingCalendar,
  parseCalendarYearData,
  parseInstant,
  type OpenDeadline,
} from '../../../domain/deadlines';

/** An illustrative 2027 year (the docs' example format; not official data). */
const year2027 = parseCalendarYearData({
  year: 2027,
  holidays: [
    '2027-01-01',
    '2027-01-02',
    '2027-01-03',
    '2027-02-06',
    '2027-02-07',
    '2027-02-08',
    '2027-02-09',
    '2027-02-10',
    '2027-02-11',
    '2027-02-12',
    '2027-02-13',
    '2027-02-14',
  ],
  workdays: ['2027-02-20'],
  source: { notice: '示例通知（非官方数据）', date: '2026-11-01' },
});

const builtin = createWorkingCalendar();

function open(key: string, rule: string, from: string, custody = false): OpenDeadline {
  const d = computeDeadline({ rule, from, custody, calendar: builtin });
  return {
    key,
    ruleId: rule,
    startMs: parseInstant(from),
    custody: d.preview.custody,
    dueDate: d.period.dueDate,
    dueAtMs: d.period.dueAtMs,
    provisional: d.period.provisional,
  };
}

describe('affectedDeadlines', () => {
  const deadlines = [
    // psb.detention-evidence-request from Wed 2026-12-30: weekends only → 12-31, 01-01, 01-04 = 2027-01-04
    // (provisional). With 2027 loaded (01-01..01-03 off): 12-31, 01-04, 01-05 → 2027-01-05.
    open('case-1/evidence', 'psb.detention-evidence-request', '2026-12-30T10:00:00+08:00'),
    // any.written-consultation-reply from Wed 2027-03-10: 03-17 either way; only the provisional flag changes.
    open('case-2/consult', 'any.written-consultation-reply', '2027-03-10T10:00:00+08:00'),
    // psb.filing-decision from 2026-06-16: day 3 = 06-19 (端午) → 06-22; fully in 2026, unaffected.
    open('case-3/filing', 'psb.filing-decision', '2026-06-16T10:00:00+08:00'),
    // spp.arrest-decision (custody) from 2027-01-28 + 7 = 02-04: custody never consults the calendar: unaffected.
    open('case-4/arrest', 'spp.arrest-decision', '2027-01-28T10:00:00+08:00'),
    // spp.arrest-decision.not-detained from 2027-01-27 + 15 = 02-11 (Thu): weekends only, provisional; with the
    // 2027 Spring Festival (02-06..02-14 off) → 02-15 (Mon).
    open('case-5/arrest', 'spp.arrest-decision.not-detained', '2027-01-27T10:00:00+08:00'),
  ];

  it('stored values before loading', () => {
    expect(deadlines.map((d) => [d.key, d.dueDate, d.provisional])).toEqual([
      ['case-1/evidence', '2027-01-04', true],
      ['case-2/consult', '2027-03-17', true],
      ['case-3/filing', '2026-06-22', false],
      ['case-4/arrest', '2027-02-04', false],
      ['case-5/arrest', '2027-02-11', true],
    ]);
  });

  it('loading 2027 returns the deadlines that change, with their new due', () => {
    const changed = affectedDeadlines(deadlines, builtin.withYears([year2027]));
    expect(
      changed.map((c) => [
        c.key,
        c.previous.dueDate,
        c.next.dueDate,
        c.dueChanged,
        c.provisionalChanged,
        c.next.provisional,
      ]),
    ).toEqual([
      ['case-1/evidence', '2027-01-04', '2027-01-05', true, true, false],
      ['case-2/consult', '2027-03-17', '2027-03-17', false, true, false],
      ['case-5/arrest', '2027-02-11', '2027-02-15', true, true, false],
    ]);
    expect(changed[0].noteZh).toBe(
      '节假日安排变更后重新计算：期满日由 2027-01-04 改为 2027-01-05，已按正式节假日安排确认',
    );
    expect(changed[0].next.dueAt).toBe('2027-01-05T23:59:59+08:00');
  });

  it('nothing changes when the same calendar is applied again', () => {
    expect(affectedDeadlines(deadlines, builtin)).toEqual([]);
  });

  it('a correction of a builtin year moves non-provisional deadlines too', () => {
    // Hypothetical correction: 2026-06-19 becomes a working day. psb.filing-decision from 06-16: day 3 = 06-19,
    // now a working day → 06-19 instead of 06-22.
    const y2026 = builtin.yearData(2026)!;
    const corrected = parseCalendarYearData({
      ...y2026,
      holidays: y2026.holidays.filter((d) => d !== '2026-06-19'),
      source: { notice: '更正测试', date: '2026-05-01' },
      origin: undefined,
    });
    const changed = affectedDeadlines(deadlines, builtin.withYears([corrected]));
    expect(changed.map((c) => [c.key, c.previous.dueDate, c.next.dueDate, c.next.provisional])).toEqual([
      ['case-3/filing', '2026-06-22', '2026-06-19', false],
    ]);
  });

  it('honours stored extensions, suspensions and the stored limit', () => {
    const d: OpenDeadline = {
      ...open('case-7/ps', 'psb.public-security-case-limit', '2026-12-01T10:00:00+08:00'),
      extensions: [{ kind: 'add', amount: 30, unit: 'days' }],
    };
    // 12-01 + 60 = 2027-01-30 (Sat) → weekends only 2027-02-01 (Mon); stored as such (provisional).
    d.dueDate = '2027-02-01';
    d.dueAtMs = undefined;
    d.provisional = true;
    const [c] = affectedDeadlines([d], builtin.withYears([year2027]));
    // With 2027 loaded 02-01 is an ordinary Monday: only the provisional flag changes.
    expect([c.next.dueDate, c.dueChanged, c.provisionalChanged]).toEqual(['2027-02-01', false, true]);

    // eeb.transfer-report opened under a configured policy limit of 10 days, with 2 days suspended:
    // Mon 2026-12-28 + 10 = 2027-01-07, + 2 paused (12-29 → 12-31) = 01-09 (Sat) → Mon 01-11 either way.
    const policy: OpenDeadline = {
      key: 'case-9/report',
      ruleId: 'eeb.transfer-report',
      startMs: parseInstant('2026-12-28T10:00:00+08:00'),
      custody: false,
      limit: 10,
      suspensions: [
        { fromMs: parseInstant('2026-12-29T10:00:00+08:00'), toMs: parseInstant('2026-12-31T10:00:00+08:00') },
      ],
      dueDate: '2027-01-11',
      provisional: true,
    };
    const [p] = affectedDeadlines([policy], builtin.withYears([year2027]));
    expect([p.next.dueDate, p.next.spanZh, p.next.suspended.amount, p.dueChanged, p.provisionalChanged]).toEqual([
      '2027-01-11',
      '10日',
      2,
      false,
      true,
    ]);
  });

  it('reports ladder moves when the stored ladder is given (due 12-31, escalation in 2027)', () => {
    // any.platform-entry from Thu 2026-12-24: 12-31 (Thu), official. Escalation 3 working days after: weekends
    // only 2027-01-01, 01-04, 01-05; with 2027 loaded (01-01..01-03 off): 01-04, 01-05, 01-06.
    const d = computeDeadline({ rule: 'any.platform-entry', from: '2026-12-24T10:00:00+08:00', calendar: builtin });
    expect(d.ladder.escalationAt).toBe('2027-01-05T23:59:59+08:00');
    const stored: OpenDeadline = {
      ...open('case-8/entry', 'any.platform-entry', '2026-12-24T10:00:00+08:00'),
      ladder: { warningAtMs: d.ladder.warningAtMs, escalationAtMs: d.ladder.escalationAtMs },
    };
    const [c] = affectedDeadlines([stored], builtin.withYears([year2027]));
    expect([c.dueChanged, c.provisionalChanged, c.ladderChanged, c.nextLadder.escalationAt]).toEqual([
      false,
      false,
      true,
      '2027-01-06T23:59:59+08:00',
    ]);
    // Without the stored ladder, an unchanged due is not reported.
    expect(affectedDeadlines([{ ...stored, ladder: undefined }], builtin.withYears([year2027]))).toEqual([]);
  });
});
