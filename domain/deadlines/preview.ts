/**
 * One deadline computed for one rule: the CLI's and the API's preview, and the function workflows use to open a
 * clock (computeDeadline: due, explanation and ladder in one call).
 */
import type { WorkingCalendar } from './calendar';
import { type LadderInstants, computeEscalation } from './escalation';
import {
  type PeriodExtension,
  type PeriodResult,
  type Suspension,
  type Unit,
  InvalidDateError,
  computePeriod,
  parseInstant,
} from './period';
import {
  type DeadlineRule,
  type RuleId,
  type RuleTable,
  RULES,
  UnknownRuleError,
  effectiveRules,
  getRule,
  resolveCustody,
} from './rules';

export { InvalidDateError, UnknownRuleError };

/** Exactly the fields of issue 3 point 5, in this order (the CLI prints them as one JSON line). */
export interface DeadlinePreview {
  rule: RuleId;
  /** The start instant, normalised to ISO-8601 with +08:00. */
  from: string;
  unit: Unit;
  limit: number;
  dueDate: string;
  dueAt: string;
  custody: boolean;
  provisional: boolean;
  basis: string;
}

export interface DeadlineInput {
  rule: string;
  /** ISO-8601 instant (an offset-less value is read as China time), epoch ms or Date. */
  from: string | number | Date;
  /** Whether the suspect is held; decides custody counting for rules whose custody depends on the case. */
  custody?: boolean;
  calendar: WorkingCalendar;
  /** Configuration overrides (validated), or an effective table already built with effectiveRules. */
  overrides?: unknown;
  rules?: RuleTable;
  extensions?: readonly PeriodExtension[];
  suspensions?: readonly Suspension[];
}

export interface ComputedDeadline {
  preview: DeadlinePreview;
  rule: DeadlineRule;
  period: PeriodResult;
  ladder: LadderInstants;
}

function tableOf(input: Pick<DeadlineInput, 'rules' | 'overrides'>): RuleTable {
  if (input.rules) return input.rules;
  return input.overrides === undefined ? RULES : effectiveRules(input.overrides);
}

/** Computes a rule's deadline with its explanation and escalation ladder. Throws UnknownRuleError, InvalidDateError. */
export function computeDeadline(input: DeadlineInput): ComputedDeadline {
  const rule = getRule(input.rule, tableOf(input));
  const startMs = parseInstant(input.from);
  const custody = resolveCustody(rule, input.custody);
  const period = computePeriod({
    unit: rule.unit,
    limit: rule.limit,
    startMs,
    custody,
    calendar: input.calendar,
    extensions: input.extensions,
    suspensions: input.suspensions,
  });
  const ladder = computeEscalation(rule, period, input.calendar);
  const preview: DeadlinePreview = {
    rule: rule.id,
    from: period.start,
    unit: rule.unit,
    limit: rule.limit,
    dueDate: period.dueDate,
    dueAt: period.dueAt,
    custody,
    provisional: period.provisional,
    basis: rule.basis,
  };
  return { preview, rule, period, ladder };
}

/** The preview of issue 3 point 5: exactly {rule, from, unit, limit, dueDate, dueAt, custody, provisional, basis}. */
export function previewDeadline(input: DeadlineInput): DeadlinePreview {
  return computeDeadline(input).preview;
}
