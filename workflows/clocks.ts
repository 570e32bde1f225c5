import {
  computeDeadline,
  createWorkingCalendar,
  type CalendarYearData,
  type PeriodExtension,
  type Suspension,
} from '../domain/deadlines';
import type { ClockPlan, Rung } from '../domain/case/projections';

/** The calendar years loaded by administrators, as the workflow received them from an activity. */
export type CalendarYearInput = CalendarYearData;

/** One rung of a clock's ladder (domain/case/projections.ts). */
export type LadderStep = Rung;

/** One clock as the workflow runs it: the plan of domain/case, and whether its ladder met a year without calendar data. */
export interface PlannedClock extends ClockPlan {
  /** The ladder consulted a year without calendar data (e.g. escalation after 31 December). */
  ladderProvisional: boolean;
}

export interface PlanClockInput {
  ruleId: string;
  startedAtMs: number;
  /** Whether the suspect is held (rules whose custody depends on the case). */
  custody: boolean;
  calendarYears: CalendarYearInput[];
  /** The agency acting for `any.*` rules. */
  actingAgency?: string;
  extensions?: PeriodExtension[];
  suspensions?: Suspension[];
  policyOverrides?: Record<string, unknown>;
}

export function planClock(input: PlanClockInput): PlannedClock {
  const { rule, period, ladder, preview } = computeDeadline({
    rule: input.ruleId,
    from: input.startedAtMs,
    custody: input.custody,
    calendar: createWorkingCalendar(input.calendarYears),
    overrides: input.policyOverrides,
    extensions: input.extensions,
    suspensions: input.suspensions,
  });
  const steps: LadderStep[] = [];
  if (ladder.warningAtMs !== null) steps.push({ kind: 'warning', atMs: ladder.warningAtMs });
  steps.push({ kind: 'overdue', atMs: ladder.overdueAtMs });
  if (ladder.supervision && ladder.supervisionAtMs !== null) {
    steps.push({ kind: 'supervision', atMs: ladder.supervisionAtMs, supervisionType: ladder.supervision });
  }
  if (ladder.escalationAtMs !== null) steps.push({ kind: 'escalation', atMs: ladder.escalationAtMs });
  return {
    ruleId: rule.id,
    labelZh: rule.labelZh,
    basis: rule.basis,
    responsibleAgency: rule.agency === 'any' ? (input.actingAgency ?? 'eeb') : rule.agency,
    startedAtMs: input.startedAtMs,
    dueAtMs: period.dueAtMs,
    dueAtIso: period.dueAt,
    dueDate: period.dueDate,
    provisional: period.provisional,
    ladderProvisional: ladder.provisional,
    custody: preview.custody,
    explanation: period.explanation,
    warningAtMs: ladder.warningAtMs,
    escalationAtMs: ladder.escalationAtMs,
    extensions: input.extensions ?? [],
    suspensions: input.suspensions ?? [],
    nextActionZh: rule.labelZh,
    ladder: steps,
  };
}

export { formatChinaTime } from '../domain/china-time';
