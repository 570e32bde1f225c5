import {
  caseRow,
  caseView,
  deadlineRow,
  isOverdue,
  levelOf,
  nextDueAtMs,
  nextRung,
  rearmed,
  registrationRecord,
  retimedEventRecord,
  rungEventRecord,
  rungStillDue,
  type CaseRef,
  type ClockPlan,
  type ClockRun,
} from '../../../domain/case';
import { planClock } from '../../../workflows/clocks';
import { CaseRun, DAY, T0, eebOfficer } from './helpers';

const ref: CaseRef = { caseId: 'case-1', title: '某化工厂偷排案', track: 'criminal', confidentiality: 'internal' };

function clockOf(ruleId: string, startedAtMs: number, over: Partial<ClockRun> = {}): ClockRun {
  const plan = planClock({ ruleId, startedAtMs, custody: false, calendarYears: [], actingAgency: 'eeb' });
  return { clockId: `${ruleId}#1`, optional: false, plan, fired: [], level: 'none', ...over };
}

describe('case projections (domain/case/projections.ts)', () => {
  it('an optional clock past its due instant does not make the case overdue; a duty clock does', () => {
    const duty = clockOf('eeb.task-force', T0, { fired: ['warning', 'overdue'] });
    const option = clockOf('eeb.reconsideration-request', T0, { optional: true, fired: ['warning', 'overdue'] });
    expect(isOverdue([option])).toBe(false);
    expect(isOverdue([option, duty])).toBe(true);
    expect(isOverdue([{ ...duty, fired: ['warning'] }])).toBe(false);
  });

  it('the next due instant and the next rung skip suspended clocks', () => {
    const early = clockOf('eeb.task-force', T0);
    const late = clockOf('eeb.task-force', T0 + 10 * DAY, { clockId: 'eeb.task-force#2' });
    expect(nextDueAtMs([late, early])).toBe(early.plan.dueAtMs);
    expect(nextDueAtMs([{ ...early, suspendedSinceMs: T0 }, late])).toBe(late.plan.dueAtMs);
    expect(nextDueAtMs([])).toBeNull();
    expect(nextRung([late, early])).toEqual({ clock: early, rung: early.plan.ladder[0] });
    const warned = { ...early, fired: ['warning' as const] };
    expect(nextRung([warned])?.rung.kind).toBe('overdue');
    expect(nextRung([{ ...early, suspendedSinceMs: T0 }])).toBeUndefined();
  });

  it('a rung fired or re-timed is no longer due', () => {
    const c = clockOf('eeb.task-force', T0);
    const [warning] = c.plan.ladder;
    expect(rungStillDue(c, warning)).toBe(true);
    expect(rungStillDue({ ...c, fired: ['warning'] }, warning)).toBe(false);
    expect(rungStillDue(c, { ...warning, atMs: warning.atMs + 1 })).toBe(false);
  });

  it('a later due re-arms the rungs now in the future, and the level follows the last rung fired', () => {
    const c = clockOf('eeb.task-force', T0);
    const [warning, overdue] = c.plan.ladder;
    expect(rearmed(['warning', 'overdue'], c.plan, overdue.atMs)).toEqual(['warning', 'overdue']);
    expect(rearmed(['warning', 'overdue'], c.plan, warning.atMs)).toEqual(['warning']);
    expect(levelOf([])).toBe('none');
    expect(levelOf(['warning', 'overdue', 'supervision', 'escalation'])).toBe('escalated');
  });

  it('the deadline row of a clock', () => {
    const c = clockOf('eeb.task-force', T0, { level: 'warning', fired: ['warning'] });
    expect(deadlineRow(c, 'closed')).toEqual({
      clockId: 'eeb.task-force#1',
      ruleId: 'eeb.task-force',
      labelZh: '指定专案组',
      responsibleAgency: 'eeb',
      basis: '《行政执法机关移送涉嫌犯罪案件的规定》第五条第一款',
      startedAtMs: T0,
      dueAtMs: Date.UTC(2026, 2, 3, 15, 59, 59),
      dueDate: '2026-03-03',
      custody: false,
      provisional: false,
      extensions: [],
      suspensions: [],
      warningDueAtMs: c.plan.warningAtMs,
      escalationDueAtMs: c.plan.escalationAtMs,
      status: 'closed',
      escalationLevel: 'warning',
    });
  });

  it('the case row and view after a step', () => {
    const run = new CaseRun({ track: 'criminal' });
    const c = clockOf('eeb.task-force', T0, { fired: ['warning', 'overdue'], level: 'overdue' });
    expect(caseRow(run.state, [c])).toEqual({
      stage: 'lead',
      stageLabelZh: '线索发现（待成立专案组）',
      responsibleAgency: 'eeb',
      overdue: true,
      nextDeadlineAtMs: c.plan.dueAtMs,
      closedAtMs: null,
    });
    const view = caseView({ ...ref, caseNumber: '长环移〔2026〕1号' }, run.state, [c]);
    expect(view).toMatchObject({
      caseId: 'case-1',
      caseNumber: '长环移〔2026〕1号',
      trackLabelZh: '涉嫌犯罪案件移送',
      stageLabelZh: '线索发现（待成立专案组）',
      closed: false,
      overdue: true,
      seq: 1,
    });
    expect(view.openClocks).toEqual([
      expect.objectContaining({ clockId: 'eeb.task-force#1', dueAt: '2026-03-03T23:59:59+08:00', level: 'overdue' }),
    ]);
  });

  it('the events of registration, of a rung and of a re-timing', () => {
    const run = new CaseRun({ track: 'criminal' });
    const c = clockOf('eeb.task-force', T0);
    const reg = registrationRecord({ ...ref, workflowId: 'case-case-1', actor: eebOfficer }, run.state, [c]);
    expect(reg.event).toMatchObject({
      id: 'case-1/created',
      type: 'caseCreated',
      labelZh: '案件登记（涉嫌犯罪案件移送）',
    });
    expect(reg.deadlines).toEqual([deadlineRow(c)]);
    const overdue = c.plan.ladder[1];
    expect(rungEventRecord('case-1', c, overdue, '超期', T0)).toMatchObject({
      id: `case-1/clock/eeb.task-force#1/overdue/${c.plan.dueAtMs}`,
      type: 'clockOverdue',
      ruleId: 'eeb.task-force',
    });
    const after: ClockPlan = { ...c.plan, dueAtMs: c.plan.dueAtMs + DAY, dueDate: '2026-03-04', provisional: true };
    expect(retimedEventRecord('case-1', c.clockId, c.plan, after, T0)).toMatchObject({
      id: `case-1/clock/eeb.task-force#1/retimed/${after.dueAtMs}`,
      type: 'clockRetimed',
      labelZh: '节假日安排更新，期限重新计算：指定专案组 由 2026-03-03 改为 2026-03-04（仍为暂定）',
    });
  });
});
