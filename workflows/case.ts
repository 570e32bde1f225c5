import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  startChild,
  WorkflowIdReusePolicy,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CaseEventInput, DeadlineRow, NotificationRequest } from '../activities/types';
import {
  STAGE_LABELS,
  STEP_NAMES,
  StepRejectedError,
  TRACK_LABELS,
  applyStep,
  availableSteps,
  clockTiming,
  initialState,
  isClosed,
  markClockOverdue,
  nextActions,
  responsibleAgency,
  validateStep,
  type Actor,
  type AvailableStep,
  type CaseEvent,
  type CaseState,
  type NextAction,
  type Rejection,
  type Track,
  type WindowCheck,
} from '../domain/case';
import { formatChinaTime, planClock, type CalendarYearInput, type LadderStep, type PlannedClock } from './clocks';
import { Lock } from './lock';
import { recordRefusal } from '../domain/refusal';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { SUPERVISION_KIND_ZH, kindOfLadder, supervisionItemId, supervisionWorkflowId } from '../domain/supervision';
import { supervisionItemWorkflow } from './supervision';
import { CaseStage, CaseTrack, NextDeadline, Overdue, ResponsibleAgency } from './search-attributes';

export type { Track };

/** Input of a case workflow (v1). Add optional fields only; never change a field's meaning. */
export interface CaseWorkflowInput {
  caseId: string;
  title: string;
  summary?: string;
  track: Track;
  confidentiality: 'public' | 'internal' | 'confidential';
  createdAtMs: number;
  actor: Actor;
  custody?: boolean;
  major?: boolean;
  /** Detention track: the approved 案件移送审批单 number. */
  documentNumber?: string;
  psbUnit?: string;
  /** Deadline policy overrides in force when the case was opened (DEADLINE_POLICY_OVERRIDES). */
  policyOverrides?: Record<string, unknown>;
  /** Continue-as-new once the history holds this many events (default 2,000; tests use a small value). */
  historyLimit?: number;
}

/** What a run hands to the next one on continue-as-new. */
export interface CarriedState {
  state: CaseState;
  caseNumber: string;
  clocks: ClockRun[];
  calendarYears: CalendarYearInput[];
  calendarDirty: boolean;
  runs: number;
}

interface ClockRun {
  clockId: string;
  plan: PlannedClock;
  fired: LadderStep['kind'][];
  level: DeadlineRow['escalationLevel'];
  /** Paused: a suspension without end (no timer runs). */
  suspendedSinceMs?: number;
}

/** The body of every step update. */
export interface StepRequest {
  actor: Actor;
  input: Record<string, unknown>;
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
  level: DeadlineRow['escalationLevel'];
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

/** The failure type of a refused step; details[0] carries { code: 403|404|409|422, field? }. */
export const STEP_REJECTED = 'StepRejected';

/** Answered once the case row and its first clocks are recorded (used with update-with-start). */
export const registeredUpdate = defineUpdate<CaseView>('registered');
export const stateQuery = defineQuery<CaseView>('state');
/** Sent when an administrator loads a calendar year: open clocks are re-timed. */
export const calendarChangedSignal = defineSignal<[{ year: number }]>('calendarChanged');
/** One Update per step of domain/case (the update's name is the step's name). */
export const stepUpdate = (name: string) => defineUpdate<CaseView, [StepRequest]>(name);

const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
/**
 * Local activities: registration's two calls (calendar years, case row) and the records of steps and clock rungs.
 * They run in the worker inside the workflow task, so update-with-start answers after one workflow task instead of
 * three plus two activity tasks. All are idempotent (a read; rows keyed on the case id and the event id),
 * so a rerun of the task after a crash writes nothing twice. Retries as records': past localRetryThreshold the SDK
 * backs off with timers.
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

const LEVEL_BY_STEP: Record<LadderStep['kind'], DeadlineRow['escalationLevel']> = {
  warning: 'warning',
  overdue: 'overdue',
  supervision: 'supervision',
  escalation: 'escalated',
};

function rejection(r: Rejection): ApplicationFailure {
  return ApplicationFailure.create({
    type: STEP_REJECTED,
    message: r.messageZh,
    nonRetryable: true,
    details: [{ code: r.code, field: r.field ?? null }],
  });
}

export async function caseWorkflow(input: CaseWorkflowInput, carried?: CarriedState): Promise<CaseView> {
  const lock = new Lock();
  let state: CaseState;
  let caseNumber: string | undefined = carried?.caseNumber;
  let clocks: ClockRun[] = carried?.clocks ?? [];
  let calendarYears: CalendarYearInput[] = carried?.calendarYears ?? [];
  let calendarDirty = carried?.calendarDirty ?? false;
  let ready = carried !== undefined;
  let wake = false;

  const plan = (
    spec: { ruleId: string; startedAtMs: number; custody: boolean; responsibleAgency: string },
    timing?: ReturnType<typeof clockTiming>,
  ) =>
    planClock({
      ruleId: spec.ruleId,
      startedAtMs: spec.startedAtMs,
      custody: spec.custody,
      calendarYears,
      actingAgency: spec.responsibleAgency,
      extensions: timing?.extensions,
      suspensions: timing?.suspensions,
      policyOverrides: input.policyOverrides,
    });

  if (carried) {
    state = carried.state;
  } else {
    let created;
    try {
      created = initialState({
        caseId: input.caseId,
        track: input.track,
        createdAtMs: input.createdAtMs,
        actor: input.actor,
        custody: input.custody,
        major: input.major,
        confidentiality: input.confidentiality,
        documentNumber: input.documentNumber,
        psbUnit: input.psbUnit,
      });
    } catch (err) {
      if (err instanceof StepRejectedError) throw rejection(err.rejection);
      throw err;
    }
    state = created.state;
  }
  const firstClocks = carried ? [] : state.clocks.map((c) => ({ ...c }));

  const runFor = (id: string) => clocks.find((c) => c.clockId === id);

  const openClockViews = (): OpenClockView[] =>
    clocks.map((c) => ({
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

  const isOverdue = () =>
    clocks.some(
      (c) =>
        c.fired.includes('overdue') &&
        !c.plan.ruleId.startsWith('eeb.reconsideration') &&
        !c.plan.ruleId.startsWith('eeb.supervision-proposal'),
    );
  const nextDue = () => {
    const due = clocks.filter((c) => c.suspendedSinceMs === undefined).map((c) => c.plan.dueAtMs);
    return due.length ? Math.min(...due) : null;
  };

  const view = (): CaseView => ({
    caseId: input.caseId,
    caseNumber,
    track: input.track,
    trackLabelZh: TRACK_LABELS[input.track],
    stage: state.stage,
    stageLabelZh: STAGE_LABELS[state.stage],
    closed: isClosed(state),
    overdue: isOverdue(),
    responsibleAgency: responsibleAgency(state),
    custody: state.custody,
    openClocks: openClockViews(),
    nextActions: nextActions(state),
    availableSteps: availableSteps(state),
    seq: state.seq,
  });

  const deadlineRow = (c: ClockRun, status: 'open' | 'closed' = 'open'): DeadlineRow => ({
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
  });

  const caseRow = () => ({
    stage: state.stage,
    stageLabelZh: STAGE_LABELS[state.stage],
    responsibleAgency: responsibleAgency(state),
    overdue: isOverdue(),
    nextDeadlineAtMs: nextDue(),
    closedAtMs: state.closedAtMs ?? null,
  });

  const syncSearchAttributes = () => {
    const next = nextDue();
    upsertSearchAttributes([
      { key: CaseStage, value: state.stage },
      { key: CaseTrack, value: input.track },
      { key: ResponsibleAgency, value: responsibleAgency(state) ?? 'none' },
      { key: Overdue, value: isOverdue() },
      { key: NextDeadline, value: next === null ? null : new Date(next) },
    ]);
  };

  const eventInput = (e: CaseEvent, extra: Record<string, unknown> = {}, labelSuffix = ''): CaseEventInput => ({
    id: e.id,
    type: e.type,
    labelZh: `${e.labelZh}${labelSuffix}`,
    occurredAtMs: e.atMs,
    actor: { userId: e.actor.userId, agency: e.actor.agency, displayName: e.actor.displayName },
    documentNumber: e.documentNumber,
    data: { ...e.data, step: e.step, stageFrom: e.stageFrom, stageTo: e.stageTo, ...extra },
  });

  /** Tells the agency the case now waits for what it has to do. */
  const handoverNotice = (from: string | null): NotificationRequest[] => {
    const holder = responsibleAgency(state);
    if (!holder || holder === from || isClosed(state)) return [];
    const todo = nextActions(state)
      .filter((a) => a.agency === holder)
      .map((a) => a.labelZh);
    const title = input.confidentiality === 'confidential' ? '（保密案件）' : `“${input.title}”`;
    return [
      {
        audience: ['handling'],
        agency: holder,
        subject: `【待办】案件 ${caseNumber ?? input.caseId} ${STAGE_LABELS[state.stage]}`,
        bodyText: [
          `案件编号：${caseNumber ?? input.caseId} ${title}`,
          `当前阶段：${STAGE_LABELS[state.stage]}`,
          `请办理：${todo.join('、') || '见案件页面'}`,
          ...openClockViews()
            .filter((c) => c.responsibleAgency === holder)
            .map((c) => `期限：${c.labelZh}，期满 ${formatChinaTime(Date.parse(c.dueAt))}（${c.basis}）`),
          `案件链接：/cases/${input.caseId}`,
          '',
          '本邮件由联动执法协作平台自动发送。',
        ].join('\n'),
      },
    ];
  };

  // Mail being delivered in the background (see record); the workflow neither continues as new nor ends before it is out.
  let deliveries = 0;
  const deliveriesDone = () => allHandlersFinished() && deliveries === 0;
  const record = async (args: Parameters<Activities['recordCaseChange']>[0]) => {
    // Recorded inside the task that took the step or fired the timer (see `local`), instead of an activity task and
    // two more workflow tasks later, during which a burst of clocks waited on the task queue twice per rung.
    const result = await local.recordCaseChange(args);
    if (!result.notificationIds.length) return;
    // The change is recorded and its outbox rows are queued: the step answers and the case's lock is released now.
    // While the mail server refuses, the delivery activity retries on its own and the case goes on (steps, clocks).
    deliveries++;
    void delivery
      .deliverNotifications({ ids: result.notificationIds })
      .catch((err: unknown) =>
        log.warn('通知发送未完成（发件箱保留待发） (delivery stopped)', { caseId: input.caseId, error: String(err) }),
      )
      .finally(() => deliveries--);
  };

  setHandler(stateQuery, view);
  setHandler(registeredUpdate, async () => {
    await condition(() => ready);
    return view();
  });
  setHandler(calendarChangedSignal, () => {
    calendarDirty = true;
    wake = true;
  });

  for (const name of STEP_NAMES) {
    setHandler(
      stepUpdate(name),
      (req: StepRequest) =>
        lock.run(async () => {
          await condition(() => ready);
          let result;
          try {
            result = applyStep(state, name, req.input, req.actor, Date.now());
          } catch (err) {
            // The state moved between validation and execution (e.g. a concurrent step).
            if (err instanceof StepRejectedError) throw rejection(err.rejection);
            throw err;
          }
          const holderBefore = responsibleAgency(state);
          // Kept to restore if the record is refused (the clock runs are changed in place below).
          const stateBefore = state;
          const clocksBefore = clocks.map((c) => ({ ...c, fired: [...c.fired] }));
          state = result.state;
          const changedRows: DeadlineRow[] = [];
          for (const id of result.clocksClosed) {
            const run = runFor(id);
            if (run) changedRows.push(deadlineRow(run, 'closed'));
          }
          clocks = clocks.filter((c) => !result.clocksClosed.includes(c.clockId));
          for (const id of result.clocksChanged) {
            const run = runFor(id);
            const open = state.clocks.find((c) => c.clockId === id);
            if (!run || !open) continue;
            const timing = clockTiming(open);
            run.plan = plan(open, timing);
            run.suspendedSinceMs = timing.suspendedSinceMs;
            // A later due re-arms the ladder steps that are now in the future.
            run.fired = run.fired.filter((k) => run.plan.ladder.some((s) => s.kind === k && s.atMs <= Date.now()));
            run.level = run.fired.length ? LEVEL_BY_STEP[run.fired[run.fired.length - 1]] : 'none';
            changedRows.push(deadlineRow(run));
          }
          for (const spec of result.clocksOpened) {
            const run: ClockRun = { clockId: spec.clockId, plan: plan(spec), fired: [], level: 'none' };
            clocks.push(run);
            changedRows.push(deadlineRow(run));
          }
          const windows = result.windows.map((w: WindowCheck) =>
            windowCheck(w, Date.now(), calendarYears, input.policyOverrides),
          );
          const late = windows.filter((w) => w.late);
          try {
            await record({
              caseId: input.caseId,
              event: eventInput(
                result.event,
                { windows },
                late.length ? `（超出法定期限：${late.map((w) => w.labelZh).join('、')}）` : '',
              ),
              caseUpdate: caseRow(),
              deadlines: changedRows,
              notify: handoverNotice(holderBefore),
            });
          } catch (err) {
            // The database refused the step's own data (no retry can cure it): the step did not happen. The case
            // keeps its state and clocks, the update answers the refusal, and the lock goes to the next step.
            const refused = recordRefusal(err);
            if (refused) {
              state = stateBefore;
              clocks = clocksBefore;
              throw ApplicationFailure.create({
                type: STEP_REJECTED,
                message: refused.message,
                nonRetryable: true,
                details: [{ code: 422, field: null }],
              });
            }
            throw err;
          }
          syncSearchAttributes();
          wake = true;
          return view();
        }),
      {
        validator: (req: StepRequest) => {
          const v = validateStep(state, name, req?.input ?? {}, req?.actor);
          if (!v.ok) throw rejection(v);
        },
      },
    );
  }

  if (!carried) {
    // Registration (after the handlers exist, so an update-with-start finds them): calendar, case row, first clocks.
    calendarYears = (await local.loadCalendarYears()) as CalendarYearInput[];
    clocks = firstClocks.map((spec) => ({
      clockId: spec.clockId,
      plan: plan(spec),
      fired: [],
      level: 'none' as const,
    }));
    const created = state.history[0];
    const registered = await local.registerCase({
      caseId: input.caseId,
      workflowId: workflowInfo().workflowId,
      title: input.title,
      summary: input.summary,
      track: input.track,
      stage: state.stage,
      stageLabelZh: STAGE_LABELS[state.stage],
      responsibleAgency: responsibleAgency(state),
      confidentiality: input.confidentiality,
      createdBy: { userId: input.actor.userId, agency: input.actor.agency, displayName: input.actor.displayName },
      event: {
        id: `${input.caseId}/created`,
        type: 'caseCreated',
        labelZh: `案件登记（${TRACK_LABELS[input.track]}）`,
        occurredAtMs: created.atMs,
        actor: { userId: input.actor.userId, agency: input.actor.agency, displayName: input.actor.displayName },
        documentNumber: input.documentNumber,
        data: {
          track: input.track,
          custody: state.custody,
          clocks: clocks.map((c) => ({ clockId: c.clockId, dueAt: c.plan.dueAtIso, explanation: c.plan.explanation })),
        },
      },
      deadlines: clocks.map((c) => deadlineRow(c)),
      nextDeadlineAtMs: nextDue(),
    });
    caseNumber = registered.caseNumber;
    syncSearchAttributes();
    ready = true;
  }

  const historyLimit = input.historyLimit ?? 2000;
  for (;;) {
    if (isClosed(state) && clocks.length === 0) break;

    if (workflowInfo().historyLength > historyLimit || workflowInfo().continueAsNewSuggested) {
      await condition(deliveriesDone);
      await continueAsNew<typeof caseWorkflow>(input, {
        state,
        caseNumber: caseNumber!,
        clocks,
        calendarYears,
        calendarDirty,
        runs: (carried?.runs ?? 1) + 1,
      });
    }

    if (calendarDirty) {
      await lock.run(async () => {
        calendarDirty = false;
        calendarYears = (await records.loadCalendarYears()) as CalendarYearInput[];
        for (const c of clocks) {
          const open = state.clocks.find((o) => o.clockId === c.clockId);
          const replanned = plan(c.plan, open ? clockTiming(open) : undefined);
          if (replanned.dueAtMs === c.plan.dueAtMs && replanned.provisional === c.plan.provisional) continue;
          const before = c.plan;
          c.plan = replanned;
          c.fired = c.fired.filter((k) => replanned.ladder.some((s) => s.kind === k && s.atMs <= Date.now()));
          await record({
            caseId: input.caseId,
            event: {
              id: `${input.caseId}/clock/${c.clockId}/retimed/${replanned.dueAtMs}`,
              type: 'clockRetimed',
              labelZh: `节假日安排更新，期限重新计算：${c.plan.labelZh} 由 ${before.dueDate} 改为 ${replanned.dueDate}${replanned.provisional ? '（仍为暂定）' : ''}`,
              occurredAtMs: Date.now(),
              ruleId: c.plan.ruleId,
              data: {
                clockId: c.clockId,
                before: before.dueAtIso,
                after: replanned.dueAtIso,
                provisional: replanned.provisional,
              },
            },
            caseUpdate: { nextDeadlineAtMs: nextDue() },
            deadlines: [deadlineRow(c)],
          });
        }
        syncSearchAttributes();
      });
      continue;
    }

    // The next ladder step that has not fired yet, over all running (not suspended) clocks.
    let next: { c: ClockRun; step: LadderStep } | undefined;
    for (const c of clocks) {
      if (c.suspendedSinceMs !== undefined) continue;
      const step = c.plan.ladder.find((s) => !c.fired.includes(s.kind));
      if (step && (!next || step.atMs < next.step.atMs)) next = { c, step };
    }
    wake = false;
    if (!next) {
      await condition(() => wake || calendarDirty || (isClosed(state) && clocks.length === 0));
      continue;
    }
    const wait = next.step.atMs - Date.now();
    if (wait > 0) {
      const woke = await condition(() => wake || calendarDirty, wait);
      if (woke) continue;
    }
    const target = next;
    await lock.run(async () => {
      const { c, step } = target;
      // A step may have closed or re-timed the clock while we waited for the lock.
      if (
        !clocks.includes(c) ||
        c.fired.includes(step.kind) ||
        !c.plan.ladder.some((s) => s.kind === step.kind && s.atMs === step.atMs)
      )
        return;
      c.fired.push(step.kind);
      c.level = LEVEL_BY_STEP[step.kind];
      if (step.kind === 'overdue') state = markClockOverdue(state, c.clockId, Date.now());
      await record({
        caseId: input.caseId,
        event: {
          id: `${input.caseId}/clock/${c.clockId}/${step.kind}/${c.plan.dueAtMs}`,
          type: `clock${step.kind[0].toUpperCase()}${step.kind.slice(1)}`,
          labelZh: ladderLabel(step, c.plan),
          occurredAtMs: Date.now(),
          ruleId: c.plan.ruleId,
          data: {
            clockId: c.clockId,
            dueAt: c.plan.dueAtIso,
            scheduledAt: new Date(step.atMs).toISOString(),
            supervisionType: step.supervisionType ?? null,
          },
        },
        caseUpdate: { overdue: isOverdue(), nextDeadlineAtMs: nextDue() },
        deadlines: [deadlineRow(c)],
        notify: [notification(step, c.plan, caseNumber, input)],
      });
      if (step.kind === 'overdue') syncSearchAttributes();
      // Rung 3 (statutory-deadlines.md §3): the supervision item itself, worked by its own workflow.
      if (step.kind === 'supervision') await openSupervisionItemFor(input, caseNumber, c, step, input.policyOverrides);
    });
  }

  await condition(deliveriesDone);
  log.info('案件流程结束', { caseId: input.caseId, stage: state.stage });
  return view();
}

/** Opens the supervision item of a clock's supervision rung (once per clock: deterministic item and workflow id). */
async function openSupervisionItemFor(
  input: CaseWorkflowInput,
  caseNumber: string | undefined,
  c: { clockId: string; plan: PlannedClock },
  step: LadderStep,
  policyOverrides?: Record<string, unknown>,
) {
  const kind = kindOfLadder(step.supervisionType ?? '');
  if (!kind) return;
  const source = `ladder-${c.clockId}`;
  const itemId = supervisionItemId('case', input.caseId, kind, source);
  const name =
    input.confidentiality === 'confidential'
      ? `案件 ${caseNumber ?? input.caseId} （保密案件）`
      : `案件 ${caseNumber ?? input.caseId}“${input.title}”`;
  try {
    await startChild(supervisionItemWorkflow, {
      workflowId: supervisionWorkflowId(itemId),
      args: [
        {
          seed: {
            itemId,
            kind,
            source,
            subjectType: 'case',
            subjectId: input.caseId,
            caseId: input.caseId,
            penaltyRecordId: null,
            criterionId: c.plan.ruleId,
            reasonZh: `${name}：${c.plan.labelZh}（${c.plan.ruleId}）已于 ${formatChinaTime(c.plan.dueAtMs)} 期满仍未办理，可能${SUPERVISION_KIND_ZH[kind]}`,
            basis: `${c.plan.basis}；《环境保护行政执法与刑事司法衔接工作办法》第十四条、第十五条`,
            concernedAgency: c.plan.responsibleAgency,
            subjectLabelZh: name,
            confidential: input.confidentiality === 'confidential',
          },
          openedAtMs: Date.now(),
          policyOverrides,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Whether a step came within a window rule (e.g. 24 hours to tell the EEB that materials are incomplete). */
function windowCheck(
  w: WindowCheck,
  atMs: number,
  calendarYears: CalendarYearInput[],
  policyOverrides?: Record<string, unknown>,
) {
  const p = planClock({
    ruleId: w.ruleId,
    startedAtMs: w.startedAtMs,
    custody: false,
    calendarYears,
    actingAgency: w.responsibleAgency,
    policyOverrides,
  });
  return { ruleId: w.ruleId, labelZh: p.labelZh, dueAt: p.dueAtIso, late: atMs > p.dueAtMs };
}

function ladderLabel(step: LadderStep, plan: PlannedClock): string {
  switch (step.kind) {
    case 'warning':
      return `预警：${plan.labelZh} 将于 ${formatChinaTime(plan.dueAtMs)} 期满`;
    case 'overdue':
      return `超期：${plan.labelZh} 已于 ${formatChinaTime(plan.dueAtMs)} 期满`;
    case 'supervision':
      return `生成检察监督事项（可能${step.supervisionType ? SUPERVISION_KIND_ZH[step.supervisionType] : '违法'}）：${plan.labelZh}`;
    case 'escalation':
    default:
      return `提请联动工作组督办：${plan.labelZh} 超期 3 个工作日`;
  }
}

function notification(
  step: LadderStep,
  plan: PlannedClock,
  caseNumber: string | undefined,
  input: CaseWorkflowInput,
): NotificationRequest {
  const audience: NotificationRequest['audience'] =
    step.kind === 'warning'
      ? ['handling']
      : step.kind === 'overdue'
        ? ['agencyHead']
        : step.kind === 'supervision'
          ? ['supervision']
          : ['workingGroup'];
  const title = input.confidentiality === 'confidential' ? '（保密案件）' : `“${input.title}”`;
  const what = ladderLabel(step, plan);
  return {
    audience,
    agency: plan.responsibleAgency,
    subject: `【${what.split('：')[0]}】案件 ${caseNumber ?? input.caseId} ${plan.labelZh}`,
    bodyText: [
      `案件编号：${caseNumber ?? input.caseId} ${title}`,
      `事项：${what}`,
      `期限规则：${plan.ruleId}（${plan.labelZh}）`,
      `期满时间：${formatChinaTime(plan.dueAtMs)}${plan.provisional ? '（暂定：该年度节假日安排尚未载入）' : ''}`,
      `法律依据：${plan.basis}`,
      `请及时办理：${plan.nextActionZh}`,
      `案件链接：/cases/${input.caseId}`,
      '',
      '本邮件由联动执法协作平台自动发送。',
    ].join('\n'),
  };
}
