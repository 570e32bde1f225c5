/**
 * Which open deadlines change when a calendar year is loaded (or corrected). The case workflows call this on the
 * calendar signal with their open clocks and the new calendar, then re-time the clocks it returns and record the
 * change on the case.
 *
 * Every open deadline is recomputed (cheap, and a corrected year can move deadlines that were not provisional);
 * a deadline is returned when its due date, due instant or provisional flag differs from what was stored, or —
 * when the stored ladder instants are given — when its warning or escalation instant moves (the escalation of a
 * deadline due on 31 December depends on the next year's calendar).
 */
import type { WorkingCalendar } from './calendar';
import { type LadderInstants, computeEscalation } from './escalation';
import { type PeriodExtension, type PeriodResult, type Suspension, type Unit, computePeriod } from './period';
import { type RuleTable, RULES, getRule } from './rules';

export interface OpenDeadline {
  /** The caller's id for the clock (e.g. `${caseId}/${clockId}`). */
  key: string;
  ruleId: string;
  startMs: number;
  /** Custody counting as resolved when the clock was opened. */
  custody: boolean;
  extensions?: readonly PeriodExtension[];
  suspensions?: readonly Suspension[];
  /** The period used when the clock was opened; defaults to the rule's (keeps a configured policy limit stable). */
  unit?: Unit;
  limit?: number;
  /** What was stored when the clock was (last) timed. */
  dueDate: string;
  dueAtMs?: number;
  /** The period's provisional flag as stored (PeriodResult.provisional, not the ladder's). */
  provisional: boolean;
  /** The ladder instants as stored, if the caller wants ladder moves reported too. */
  ladder?: { warningAtMs: number | null; escalationAtMs: number | null };
}

export interface AffectedDeadline {
  key: string;
  ruleId: string;
  previous: { dueDate: string; dueAtMs?: number; provisional: boolean };
  next: PeriodResult;
  nextLadder: LadderInstants;
  dueChanged: boolean;
  provisionalChanged: boolean;
  /** Only computed when the stored ladder was given. */
  ladderChanged: boolean;
  /** For the case record, e.g. "节假日安排载入后重新计算：期满日由 2031-01-02 改为 2031-01-06". */
  noteZh: string;
}

export function affectedDeadlines(
  open: readonly OpenDeadline[],
  calendar: WorkingCalendar,
  options: { rules?: RuleTable } = {},
): AffectedDeadline[] {
  const table = options.rules ?? RULES;
  const result: AffectedDeadline[] = [];
  for (const d of open) {
    const rule = getRule(d.ruleId, table);
    const next = computePeriod({
      unit: d.unit ?? rule.unit,
      limit: d.limit ?? rule.limit,
      startMs: d.startMs,
      custody: d.custody,
      calendar,
      extensions: d.extensions,
      suspensions: d.suspensions,
    });
    const dueChanged = next.dueDate !== d.dueDate || (d.dueAtMs !== undefined && next.dueAtMs !== d.dueAtMs);
    const provisionalChanged = next.provisional !== d.provisional;
    const nextLadder = computeEscalation(rule, next, calendar);
    const ladderChanged =
      d.ladder !== undefined &&
      (d.ladder.warningAtMs !== nextLadder.warningAtMs || d.ladder.escalationAtMs !== nextLadder.escalationAtMs);
    if (!dueChanged && !provisionalChanged && !ladderChanged) continue;
    const parts: string[] = [];
    if (dueChanged) parts.push(`期满日由 ${d.dueDate} 改为 ${next.dueDate}`);
    else parts.push(`期满日 ${next.dueDate} 不变`);
    if (provisionalChanged) parts.push(next.provisional ? '变为临时结果' : '已按正式节假日安排确认');
    if (ladderChanged) parts.push('预警或督办时间相应调整');
    result.push({
      key: d.key,
      ruleId: d.ruleId,
      previous: { dueDate: d.dueDate, dueAtMs: d.dueAtMs, provisional: d.provisional },
      next,
      nextLadder,
      dueChanged,
      provisionalChanged,
      ladderChanged,
      noteZh: `节假日安排变更后重新计算：${parts.join('，')}`,
    });
  }
  return result;
}
