/**
 * What the case workflow derives from its state and its running clocks: the view it answers, the case and deadline
 * rows its activities write, the events it records and the next rung its timer waits for. Pure: the workflow keeps
 * the state and calls these; tests call them directly.
 */
import {
  RUNG_LEVEL,
  type EscalationLevel,
  type LadderRungKind,
  type PeriodExtension,
  type Suspension,
  type SupervisionType,
} from '../deadlines';
import {
  availableSteps,
  isClosed,
  nextActions,
  responsibleAgency,
  type AvailableStep,
  type NextAction,
} from './machine';
import { STAGE_LABELS, TRACK_LABELS, type Actor, type CaseEvent, type CaseState, type Track } from './types';

/** One rung of a clock's escalation ladder: when it fires and, for the supervision rung, what it supervises. */
export interface Rung {
  kind: LadderRungKind;
  atMs: number;
  supervisionType?: SupervisionType;
}

/** A clock timed by the deadline engine (the workflow's planClock answers one). */
export interface ClockPlan {
  ruleId: string;
  labelZh: string;
  basis: string;
  responsibleAgency: string;
  startedAtMs: number;
  dueAtMs: number;
  dueAtIso: string;
  dueDate: string;
  provisional: boolean;
  custody: boolean;
  explanation: string;
  warningAtMs: number | null;
  escalationAtMs: number | null;
  extensions: PeriodExtension[];
  suspensions: Suspension[];
  nextActionZh: string;
  /** In firing order. */
  ladder: Rung[];
}

/** A clock as the workflow runs it: its plan and the rungs fired so far. */
export interface ClockRun<P extends ClockPlan = ClockPlan> {
  clockId: string;
  /** A right, not a duty (domain/case RULE_USE): its expiry does not make the case overdue. */
  optional: boolean;
  plan: P;
  fired: LadderRungKind[];
  level: EscalationLevel;
  /** Paused: a suspension without end (no timer runs). */
  suspendedSinceMs?: number;
}

/** A row of the deadlines table, as the case's records write it. */
export interface DeadlineRow {
  clockId: string;
  ruleId: string;
  labelZh: string;
  responsibleAgency: string;
  basis: string;
  startedAtMs: number;
  dueAtMs: number;
  dueDate: string;
  custody: boolean;
  /** The period's provisional flag (a year without calendar data was consulted). */
  provisional: boolean;
  extensions?: unknown[];
  suspensions?: unknown[];
  warningDueAtMs?: number | null;
  escalationDueAtMs?: number | null;
  status: 'open' | 'closed';
  escalationLevel: EscalationLevel;
}

export interface OpenClockView {
  clockId: string;
  ruleId: string;
  labelZh: string;
  basis: string;
  responsibleAgency: string;
  startedAt: string;
  dueAt: string;
  dueDate: string;
  provisional: boolean;
  custody: boolean;
  suspended: boolean;
  level: EscalationLevel;
  explanation: string;
}

export interface CaseView {
  caseId: string;
  caseNumber?: string;
  track: Track;
  trackLabelZh: string;
  stage: string;
  stageLabelZh: string;
  closed: boolean;
  overdue: boolean;
  responsibleAgency: string | null;
  custody: boolean;
  openClocks: OpenClockView[];
  nextActions: NextAction[];
  availableSteps: AvailableStep[];
  seq: number;
}

/** What the view and the mail say about the case itself, fixed at registration. */
export interface CaseRef {
  caseId: string;
  caseNumber?: string;
  title: string;
  track: Track;
  confidentiality: 'public' | 'internal' | 'confidential';
}

/** Whether a duty clock passed its due instant (an optional clock's expiry only means the option lapsed). */
export const isOverdue = (clocks: readonly ClockRun[]): boolean =>
  clocks.some((c) => !c.optional && c.fired.includes('overdue'));

/** The earliest due instant over the running (not suspended) clocks. */
export function nextDueAtMs(clocks: readonly ClockRun[]): number | null {
  const due = clocks.filter((c) => c.suspendedSinceMs === undefined).map((c) => c.plan.dueAtMs);
  return due.length ? Math.min(...due) : null;
}

/** The next rung that has not fired yet, over all running (not suspended) clocks. */
export function nextRung<C extends ClockRun>(clocks: readonly C[]): { clock: C; rung: Rung } | undefined {
  let next: { clock: C; rung: Rung } | undefined;
  for (const clock of clocks) {
    if (clock.suspendedSinceMs !== undefined) continue;
    const rung = clock.plan.ladder.find((s) => !clock.fired.includes(s.kind));
    if (rung && (!next || rung.atMs < next.rung.atMs)) next = { clock, rung };
  }
  return next;
}

/** Whether a rung is still due on this clock (a step may have re-timed or fired it while the timer waited). */
export const rungStillDue = (c: ClockRun, rung: Rung): boolean =>
  !c.fired.includes(rung.kind) && c.plan.ladder.some((s) => s.kind === rung.kind && s.atMs === rung.atMs);

/** After a re-timing, the rungs fired that still lie in the past; those now in the future fire again. */
export function rearmed(fired: readonly LadderRungKind[], plan: ClockPlan, nowMs: number): LadderRungKind[] {
  return fired.filter((k) => plan.ladder.some((s) => s.kind === k && s.atMs <= nowMs));
}

/** The level of the last rung fired (the deadline row's escalation_level). */
export const levelOf = (fired: readonly LadderRungKind[]): EscalationLevel =>
  fired.length ? RUNG_LEVEL[fired[fired.length - 1]] : 'none';

export function deadlineRow(c: ClockRun, status: 'open' | 'closed' = 'open'): DeadlineRow {
  return {
    clockId: c.clockId,
    ruleId: c.plan.ruleId,
    labelZh: c.plan.labelZh,
    responsibleAgency: c.plan.responsibleAgency,
    basis: c.plan.basis,
    startedAtMs: c.plan.startedAtMs,
    dueAtMs: c.plan.dueAtMs,
    dueDate: c.plan.dueDate,
    custody: c.plan.custody,
    provisional: c.plan.provisional,
    extensions: c.plan.extensions,
    suspensions: c.plan.suspensions,
    warningDueAtMs: c.plan.warningAtMs,
    escalationDueAtMs: c.plan.escalationAtMs,
    status,
    escalationLevel: c.level,
  };
}

export function openClockViews(clocks: readonly ClockRun[]): OpenClockView[] {
  return clocks.map((c) => ({
    clockId: c.clockId,
    ruleId: c.plan.ruleId,
    labelZh: c.plan.labelZh,
    basis: c.plan.basis,
    responsibleAgency: c.plan.responsibleAgency,
    startedAt: new Date(c.plan.startedAtMs).toISOString(),
    dueAt: c.plan.dueAtIso,
    dueDate: c.plan.dueDate,
    provisional: c.plan.provisional,
    custody: c.plan.custody,
    suspended: c.suspendedSinceMs !== undefined,
    level: c.level,
    explanation: c.plan.explanation,
  }));
}

export function caseView(ref: CaseRef, state: CaseState, clocks: readonly ClockRun[]): CaseView {
  return {
    caseId: ref.caseId,
    caseNumber: ref.caseNumber,
    track: ref.track,
    trackLabelZh: TRACK_LABELS[ref.track],
    stage: state.stage,
    stageLabelZh: STAGE_LABELS[state.stage],
    closed: isClosed(state),
    overdue: isOverdue(clocks),
    responsibleAgency: responsibleAgency(state),
    custody: state.custody,
    openClocks: openClockViews(clocks),
    nextActions: nextActions(state),
    availableSteps: availableSteps(state),
    seq: state.seq,
  };
}

/** The case row after a step. */
export function caseRow(state: CaseState, clocks: readonly ClockRun[]) {
  return {
    stage: state.stage,
    stageLabelZh: STAGE_LABELS[state.stage],
    responsibleAgency: responsibleAgency(state),
    overdue: isOverdue(clocks),
    nextDeadlineAtMs: nextDueAtMs(clocks),
    closedAtMs: state.closedAtMs ?? null,
  };
}

const actorRef = (a: Actor) => ({ userId: a.userId, agency: a.agency, displayName: a.displayName });

/** The record of a step's event; `data` adds the workflow's findings (e.g. the window checks). */
export function stepEventRecord(e: CaseEvent, extra: Record<string, unknown> = {}, labelSuffix = '') {
  return {
    id: e.id,
    type: e.type,
    labelZh: `${e.labelZh}${labelSuffix}`,
    occurredAtMs: e.atMs,
    actor: actorRef(e.actor),
    documentNumber: e.documentNumber,
    data: { ...e.data, step: e.step, stageFrom: e.stageFrom, stageTo: e.stageTo, ...extra },
  };
}

/** The registration's record: the case row, its creation event and its first clocks. */
export function registrationRecord(
  ref: CaseRef & { summary?: string; documentNumber?: string; actor: Actor; workflowId: string },
  state: CaseState,
  clocks: readonly ClockRun[],
) {
  return {
    caseId: ref.caseId,
    workflowId: ref.workflowId,
    title: ref.title,
    summary: ref.summary,
    track: ref.track,
    stage: state.stage,
    stageLabelZh: STAGE_LABELS[state.stage],
    responsibleAgency: responsibleAgency(state),
    confidentiality: ref.confidentiality,
    createdBy: actorRef(ref.actor),
    event: {
      id: `${ref.caseId}/created`,
      type: 'caseCreated',
      labelZh: `案件登记（${TRACK_LABELS[ref.track]}）`,
      occurredAtMs: state.history[0].atMs,
      actor: actorRef(ref.actor),
      documentNumber: ref.documentNumber,
      data: {
        track: ref.track,
        custody: state.custody,
        clocks: clocks.map((c) => ({ clockId: c.clockId, dueAt: c.plan.dueAtIso, explanation: c.plan.explanation })),
      },
    },
    deadlines: clocks.map((c) => deadlineRow(c)),
    nextDeadlineAtMs: nextDueAtMs(clocks),
  };
}

/** The event of a fired rung; its id is the record's idempotency key (one per clock, rung and due instant). */
export function rungEventRecord(caseId: string, c: ClockRun, rung: Rung, labelZh: string, nowMs: number) {
  return {
    id: `${caseId}/clock/${c.clockId}/${rung.kind}/${c.plan.dueAtMs}`,
    type: `clock${rung.kind[0].toUpperCase()}${rung.kind.slice(1)}`,
    labelZh,
    occurredAtMs: nowMs,
    ruleId: c.plan.ruleId,
    data: {
      clockId: c.clockId,
      dueAt: c.plan.dueAtIso,
      scheduledAt: new Date(rung.atMs).toISOString(),
      supervisionType: rung.supervisionType ?? null,
    },
  };
}

/** The event of a clock re-timed by a calendar year loaded. */
export function retimedEventRecord(
  caseId: string,
  clockId: string,
  before: ClockPlan,
  after: ClockPlan,
  nowMs: number,
) {
  return {
    id: `${caseId}/clock/${clockId}/retimed/${after.dueAtMs}`,
    type: 'clockRetimed',
    labelZh: `节假日安排更新，期限重新计算：${after.labelZh} 由 ${before.dueDate} 改为 ${after.dueDate}${after.provisional ? '（仍为暂定）' : ''}`,
    occurredAtMs: nowMs,
    ruleId: after.ruleId,
    data: { clockId, before: before.dueAtIso, after: after.dueAtIso, provisional: after.provisional },
  };
}
