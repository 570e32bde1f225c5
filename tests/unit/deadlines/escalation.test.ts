import {
  RECURRING_DUTIES,
  computeDeadline,
  computeDutyLadder,
  createWorkingCalendar,
  effectiveRules,
  recurringPeriodOf,
} from '../../../domain/deadlines';

const calendar = createWorkingCalendar();
const ladderOf = (rule: string, from: string, custody?: boolean) =>
  computeDeadline({ rule, from, custody, calendar }).ladder;

describe('escalation ladder instants', () => {
  it('any.written-consultation-reply (7 days, due Tue 06-23): warning Mon 06-22 09:00; overdue 06-24 00:00; escalation end of Fri 06-26', () => {
    expect(ladderOf('any.written-consultation-reply', '2026-06-16T10:00:00+08:00')).toMatchObject({
      warningAt: '2026-06-22T09:00:00+08:00',
      overdueAt: '2026-06-24T00:00:00+08:00',
      supervision: null,
      supervisionAt: null,
      escalationAt: '2026-06-26T23:59:59+08:00',
      provisional: false,
    });
  });

  it('psb.filing-decision from 09-30 10:00 (due 10-08): the working day before (09-30 09:00) precedes the start → 10-08 09:00; 有案不立; escalation counts the make-up Saturday 10-10', () => {
    const l = ladderOf('psb.filing-decision', '2026-09-30T10:00:00+08:00');
    expect(l).toMatchObject({
      warningAt: '2026-10-08T09:00:00+08:00',
      overdueAt: '2026-10-09T00:00:00+08:00',
      supervision: 'notFiled',
      supervisionAt: '2026-10-09T00:00:00+08:00',
      escalationAt: '2026-10-12T23:59:59+08:00', // 10-09 Fri, 10-10 Sat (make-up), 10-12 Mon
    });
  });

  it('spp.review-outcome-notice (10 days, due 09-28): warning 3 working days before, skipping 中秋 → 09-22', () => {
    expect(ladderOf('spp.review-outcome-notice', '2026-09-17T10:00:00+08:00').warningAt).toBe(
      '2026-09-22T09:00:00+08:00',
    );
  });

  it('eeb.transfer-delivery (24 h): warning 6 h before; overdue at the instant; 有案不移; escalation after National Day', () => {
    expect(ladderOf('eeb.transfer-delivery', '2026-09-30T15:00:00+08:00')).toMatchObject({
      warningAt: '2026-10-01T09:00:00+08:00',
      overdueAt: '2026-10-01T15:00:00+08:00',
      supervision: 'notTransferred',
      escalationAt: '2026-10-10T23:59:59+08:00', // 10-08, 10-09, 10-10 (make-up)
    });
  });

  it('psb.investigation-custody (custody, due 10-01 a holiday): warning 09-28, 立而不侦 at 10-02 00:00', () => {
    expect(ladderOf('psb.investigation-custody', '2026-08-01T10:00:00+08:00')).toMatchObject({
      warningAt: '2026-09-28T09:00:00+08:00',
      overdueAt: '2026-10-02T00:00:00+08:00',
      supervision: 'notInvestigated',
      escalationAt: '2026-10-10T23:59:59+08:00',
    });
  });

  it('eeb.task-force (1 day) started Fri 16:00: due Sat 02-14 (make-up day); warning falls back to 02-14 09:00', () => {
    const l = ladderOf('eeb.task-force', '2026-02-13T16:00:00+08:00');
    expect(l.warningAt).toBe('2026-02-14T09:00:00+08:00');
    expect(l.supervision).toBe('notTransferred');
  });

  it('short clocks: warning falls back to the due date, or is dropped when it would precede the start', () => {
    // psb.receipt (1 day) started 06-16 10:00 → due 06-17; the working day before (06-16 09:00) precedes the start.
    expect(ladderOf('psb.receipt', '2026-06-16T10:00:00+08:00').warningAt).toBe('2026-06-17T09:00:00+08:00');
    // A configured 30-hour warning on a 24-hour clock cannot fire after the start.
    const t = effectiveRules({ 'psb.return-non-police': { warningHours: 30 } });
    const d = computeDeadline({ rule: 'psb.return-non-police', from: '2026-06-16T10:00:00+08:00', calendar, rules: t });
    expect([d.ladder.warningAtMs, d.ladder.warningAt]).toEqual([null, null]);
  });

  it('optional rights: no supervision, no escalation', () => {
    expect(ladderOf('eeb.reconsideration-request', '2026-02-12T10:00:00+08:00')).toMatchObject({
      warningAt: '2026-02-14T09:00:00+08:00', // due 02-24; the working day before is the make-up Saturday
      supervision: null,
      escalationAt: null,
    });
  });

  it('provisional when the ladder looks into a year without data', () => {
    // spp.non-prosecution-notice from 2026-12-29: due 2027-01-01 (weekends only) → provisional; escalation in 2027.
    const d = computeDeadline({ rule: 'spp.non-prosecution-notice', from: '2026-12-29T10:00:00+08:00', calendar });
    expect(d.period.dueDate).toBe('2027-01-01');
    expect(d.ladder.provisional).toBe(true);
    // Due in late 2026 but escalation days in 2027: the ladder alone is provisional.
    const e = computeDeadline({ rule: 'any.platform-entry', from: '2026-12-24T10:00:00+08:00', calendar });
    expect([e.period.dueDate, e.period.provisional, e.ladder.provisional]).toEqual(['2026-12-31', false, true]);
  });
});

describe('recurring duties', () => {
  it('periods of a cadence', () => {
    expect(recurringPeriodOf('monthly', '2026-02-10')).toMatchObject({
      key: '2026-02',
      startDate: '2026-02-01',
      endDate: '2026-02-28',
      dueAt: '2026-02-28T23:59:59+08:00',
    });
    expect(recurringPeriodOf('quarterly', '2026-11-30')).toMatchObject({
      key: '2026-Q4',
      startDate: '2026-10-01',
      endDate: '2026-12-31',
    });
    expect(recurringPeriodOf('annual', '2026-06-01')).toMatchObject({
      key: '2026',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
    });
  });
  it('joint-enforcement.monthly in September 2026: warning 3 working days before 09-30 (skipping 中秋) is 09-24 09:00', () => {
    const p = recurringPeriodOf('monthly', '2026-09-05');
    const l = computeDutyLadder(RECURRING_DUTIES['joint-enforcement.monthly'], p, calendar);
    expect(l).toMatchObject({
      warningAt: '2026-09-24T09:00:00+08:00',
      overdueAt: '2026-10-01T00:00:00+08:00',
      escalationAt: '2026-10-10T23:59:59+08:00',
      supervision: null,
    });
  });
});
