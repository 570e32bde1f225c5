import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
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
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { RecordChangeInput } from '../activities/types';
import {
  STEP_NAMES,
  StepRejectedError,
  applyStep,
  caseRow,
  caseView,
  clockTiming,
  deadlineRow,
  handoverNotices,
  initialState,
  isClosed,
  isOverdue,
  lateSuffixZh,
  levelOf,
  markClockOverdue,
  nextDueAtMs,
  nextRung,
  rearmed,
  registrationRecord,
  responsibleAgency,
  retimedEventRecord,
  rungEventRecord,
  rungLabelZh,
  rungNotice,
  rungStillDue,
  stepEventRecord,
  supervisionItemText,
  validateStep,
  LEVEL_OF_RUNG,
  type CaseRef,
  type CaseState,
  type ClockRun,
  type ClockSpec,
  type Rung,
  type WindowCheck,
  type ClockTiming,
} from '../domain/case';
import { recordRefusal } from '../domain/refusal';
import { kindOfLadder, supervisionItemId, supervisionWorkflowId } from '../domain/supervision';
import { planClock, type CalendarYearInput, type PlannedClock } from './clocks';
import {
  STEP_REJECTED,
  calendarChangedSignal,
  registeredUpdate,
  stateQuery,
  stepUpdate,
  type CaseView,
  type CaseWorkflowInput,
  type StepRequest,
} from './definitions/case';
import { Lock } from './lock';
import { CaseStage, CaseTrack, NextDeadline, Overdue, ResponsibleAgency } from './search-attributes';
import { supervisionItemWorkflow } from './supervision';

// The workflows that start or signal cases import these from here (the API imports ./definitions/case).
export { calendarChangedSignal, type CaseWorkflowInput } from './definitions/case';

type Clock = ClockRun<PlannedClock>;

/** What a run hands to the next one on continue-as-new. */
export interface CarriedState {
  state: CaseState;
  caseNumber: string;
  clocks: Clock[];
  calendarYears: CalendarYearInput[];
  calendarDirty: boolean;
  runs: number;
}

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

/** A refused step, as the caller receives it: never retried, its code (and field) for the API's answer. */
function refused(code: number, messageZh: string, field?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: STEP_REJECTED,
    message: messageZh,
    nonRetryable: true,
    details: [{ code, field: field ?? null }],
  });
}

/**
 * One case: its state and running clocks, the handlers of its steps, and the timer loop of its clocks' ladders.
 * Every change takes the lock and runs to its recorded end before the next; the words and rows come from domain/case.
 */
class CaseRun {
  private readonly lock = new Lock();
  private state: CaseState;
  private caseNumber: string | undefined;
  private clocks: Clock[];
  private calendarYears: CalendarYearInput[];
  private calendarDirty: boolean;
  /** The case row and its first clocks are recorded (a continued run starts registered). */
  private ready: boolean;
  /** A step or a signal changed what the timer waits for. */
  private wake = false;
  /** Mail being delivered in the background (see record); the run neither continues as new nor ends before it is out. */
  private deliveries = 0;

  constructor(
    private readonly input: CaseWorkflowInput,
    private readonly carried?: CarriedState,
  ) {
    this.caseNumber = carried?.caseNumber;
    this.clocks = carried?.clocks ?? [];
    this.calendarYears = carried?.calendarYears ?? [];
    this.calendarDirty = carried?.calendarDirty ?? false;
    this.ready = carried !== undefined;
    this.state = carried ? carried.state : this.created();
  }

  private created(): CaseState {
    const { input } = this;
    try {
      return initialState({
        caseId: input.caseId,
        track: input.track,
        createdAtMs: input.createdAtMs,
        actor: input.actor,
        custody: input.custody,
        major: input.major,
        confidentiality: input.confidentiality,
        documentNumber: input.documentNumber,
        psbUnit: input.psbUnit,
      }).state;
    } catch (err) {
      if (err instanceof StepRejectedError)
        throw refused(err.rejection.code, err.rejection.messageZh, err.rejection.field);
      throw err;
    }
  }

  private get ref(): CaseRef {
    const { input } = this;
    return {
      caseId: input.caseId,
      caseNumber: this.caseNumber,
      title: input.title,
      track: input.track,
      confidentiality: input.confidentiality,
    };
  }

  private plan(
    spec: { ruleId: string; startedAtMs: number; custody: boolean; responsibleAgency: string },
    timing?: ClockTiming,
  ): PlannedClock {
    return planClock({
      ruleId: spec.ruleId,
      startedAtMs: spec.startedAtMs,
      custody: spec.custody,
      calendarYears: this.calendarYears,
      actingAgency: spec.responsibleAgency,
      extensions: timing?.extensions,
      suspensions: timing?.suspensions,
      policyOverrides: this.input.policyOverrides,
    });
  }

  private opened(spec: ClockSpec): Clock {
    return { clockId: spec.clockId, optional: spec.optional, plan: this.plan(spec), fired: [], level: 'none' };
  }

  view = (): CaseView => caseView(this.ref, this.state, this.clocks);

  private syncSearchAttributes() {
    const next = nextDueAtMs(this.clocks);
    upsertSearchAttributes([
      { key: CaseStage, value: this.state.stage },
      { key: CaseTrack, value: this.input.track },
      { key: ResponsibleAgency, value: responsibleAgency(this.state) ?? 'none' },
      { key: Overdue, value: isOverdue(this.clocks) },
      { key: NextDeadline, value: next === null ? null : new Date(next) },
    ]);
  }

  private readonly deliveriesDone = () => allHandlersFinished() && this.deliveries === 0;

  /**
   * Records a change inside the task that took the step or fired the timer (see `local`), then sends its mail in
   * the background: the step answers and the lock is released once the outbox rows are queued, and while the mail
   * server refuses, the delivery activity retries on its own and the case goes on.
   */
  private async record(args: RecordChangeInput) {
    const result = await local.recordCaseChange(args);
    if (!result.notificationIds.length) return;
    this.deliveries++;
    void delivery
      .deliverNotifications({ ids: result.notificationIds })
      .catch((err: unknown) =>
        log.warn('通知发送未完成（发件箱保留待发） (delivery stopped)', {
          caseId: this.input.caseId,
          error: String(err),
        }),
      )
      .finally(() => this.deliveries--);
  }

  listen() {
    setHandler(stateQuery, this.view);
    setHandler(registeredUpdate, async () => {
      await condition(() => this.ready);
      return this.view();
    });
    setHandler(calendarChangedSignal, () => {
      this.calendarDirty = true;
      this.wake = true;
    });
    for (const name of STEP_NAMES) {
      setHandler(stepUpdate(name), (req: StepRequest) => this.lock.run(() => this.takeStep(name, req)), {
        validator: (req: StepRequest) => {
          const v = validateStep(this.state, name, req?.input ?? {}, req?.actor);
          if (!v.ok) throw refused(v.code, v.messageZh, v.field);
        },
      });
    }
  }

  private async takeStep(name: string, req: StepRequest): Promise<CaseView> {
    await condition(() => this.ready);
    const now = Date.now();
    let result;
    try {
      result = applyStep(this.state, name, req.input, req.actor, now);
    } catch (err) {
      // The state moved between validation and execution (e.g. a concurrent step).
      if (err instanceof StepRejectedError)
        throw refused(err.rejection.code, err.rejection.messageZh, err.rejection.field);
      throw err;
    }
    const holderBefore = responsibleAgency(this.state);
    // Kept to restore if the record is refused (the clock runs are changed in place below).
    const stateBefore = this.state;
    const clocksBefore = this.clocks.map((c) => ({ ...c, fired: [...c.fired] }));
    this.state = result.state;
    const changedRows = [];
    for (const id of result.clocksClosed) {
      const run = this.clocks.find((c) => c.clockId === id);
      if (run) changedRows.push(deadlineRow(run, 'closed'));
    }
    this.clocks = this.clocks.filter((c) => !result.clocksClosed.includes(c.clockId));
    for (const id of result.clocksChanged) {
      const run = this.clocks.find((c) => c.clockId === id);
      const open = this.state.clocks.find((c) => c.clockId === id);
      if (!run || !open) continue;
      const timing = clockTiming(open);
      run.plan = this.plan(open, timing);
      run.suspendedSinceMs = timing.suspendedSinceMs;
      // A later due re-arms the rungs that are now in the future.
      run.fired = rearmed(run.fired, run.plan, Date.now());
      run.level = levelOf(run.fired);
      changedRows.push(deadlineRow(run));
    }
    for (const spec of result.clocksOpened) {
      const run = this.opened(spec);
      this.clocks.push(run);
      changedRows.push(deadlineRow(run));
    }
    const windows = result.windows.map((w) => this.windowCheck(w, Date.now()));
    try {
      await this.record({
        caseId: this.input.caseId,
        event: stepEventRecord(result.event, { windows }, lateSuffixZh(windows.filter((w) => w.late))),
        caseUpdate: caseRow(this.state, this.clocks),
        deadlines: changedRows,
        notify: handoverNotices(this.ref, this.state, this.clocks, holderBefore),
      });
    } catch (err) {
      // The database refused the step's own data (no retry can cure it): the step did not happen. The case keeps
      // its state and clocks, the update answers the refusal, and the lock goes to the next step.
      const refusal = recordRefusal(err);
      if (refusal) {
        this.state = stateBefore;
        this.clocks = clocksBefore;
        throw refused(422, refusal.message);
      }
      throw err;
    }
    this.syncSearchAttributes();
    this.wake = true;
    return this.view();
  }

  /** Whether a step came within a window rule (e.g. 24 hours to tell the EEB that materials are incomplete). */
  private windowCheck(w: WindowCheck, atMs: number) {
    const p = planClock({
      ruleId: w.ruleId,
      startedAtMs: w.startedAtMs,
      custody: false,
      calendarYears: this.calendarYears,
      actingAgency: w.responsibleAgency,
      policyOverrides: this.input.policyOverrides,
    });
    return { ruleId: w.ruleId, labelZh: p.labelZh, dueAt: p.dueAtIso, late: atMs > p.dueAtMs };
  }

  /** Registration (after the handlers exist, so an update-with-start finds them): calendar, case row, first clocks. */
  private async register() {
    const { input } = this;
    const firstClocks = this.state.clocks.map((c) => ({ ...c }));
    this.calendarYears = (await local.loadCalendarYears()) as CalendarYearInput[];
    this.clocks = firstClocks.map((spec) => this.opened(spec));
    const registered = await local.registerCase(
      registrationRecord(
        {
          ...this.ref,
          workflowId: workflowInfo().workflowId,
          summary: input.summary,
          documentNumber: input.documentNumber,
          actor: input.actor,
        },
        this.state,
        this.clocks,
      ),
    );
    this.caseNumber = registered.caseNumber;
    this.syncSearchAttributes();
    this.ready = true;
  }

  /** A calendar year was loaded: every clock whose due instant moves is re-timed and recorded. */
  private async retime() {
    this.calendarDirty = false;
    this.calendarYears = (await records.loadCalendarYears()) as CalendarYearInput[];
    for (const c of this.clocks) {
      const open = this.state.clocks.find((o) => o.clockId === c.clockId);
      const replanned = this.plan(c.plan, open ? clockTiming(open) : undefined);
      if (replanned.dueAtMs === c.plan.dueAtMs && replanned.provisional === c.plan.provisional) continue;
      const before = c.plan;
      c.plan = replanned;
      c.fired = rearmed(c.fired, replanned, Date.now());
      await this.record({
        caseId: this.input.caseId,
        event: retimedEventRecord(this.input.caseId, c.clockId, before, replanned, Date.now()),
        caseUpdate: { nextDeadlineAtMs: nextDueAtMs(this.clocks) },
        deadlines: [deadlineRow(c)],
      });
    }
    this.syncSearchAttributes();
  }

  /** Fires one rung of a clock: its record and mail, and for the supervision rung the supervision item. */
  private async fire(c: Clock, rung: Rung) {
    // A step may have closed or re-timed the clock while we waited for the lock.
    if (!this.clocks.includes(c) || !rungStillDue(c, rung)) return;
    c.fired.push(rung.kind);
    c.level = LEVEL_OF_RUNG[rung.kind];
    if (rung.kind === 'overdue') this.state = markClockOverdue(this.state, c.clockId, Date.now());
    await this.record({
      caseId: this.input.caseId,
      event: rungEventRecord(this.input.caseId, c, rung, rungLabelZh(rung, c.plan), Date.now()),
      caseUpdate: { overdue: isOverdue(this.clocks), nextDeadlineAtMs: nextDueAtMs(this.clocks) },
      deadlines: [deadlineRow(c)],
      notify: [rungNotice(this.ref, rung, c.plan)],
    });
    if (rung.kind === 'overdue') this.syncSearchAttributes();
    // Rung 3 (statutory-deadlines.md §3): the supervision item itself, worked by its own workflow.
    if (rung.kind === 'supervision') await this.openSupervisionItem(c, rung);
  }

  /** Opens the supervision item of a clock's supervision rung (once per clock: deterministic item and workflow id). */
  private async openSupervisionItem(c: Clock, rung: Rung) {
    const kind = kindOfLadder(rung.supervisionType ?? '');
    if (!kind) return;
    const { caseId } = this.input;
    const source = `ladder-${c.clockId}`;
    const itemId = supervisionItemId('case', caseId, kind, source);
    const text = supervisionItemText(this.ref, c.plan, kind);
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
              subjectId: caseId,
              caseId,
              penaltyRecordId: null,
              criterionId: c.plan.ruleId,
              reasonZh: text.reasonZh,
              basis: text.basis,
              concernedAgency: c.plan.responsibleAgency,
              subjectLabelZh: text.subjectLabelZh,
              confidential: this.input.confidentiality === 'confidential',
            },
            openedAtMs: Date.now(),
            policyOverrides: this.input.policyOverrides,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  private get done() {
    return isClosed(this.state) && this.clocks.length === 0;
  }

  async run(): Promise<CaseView> {
    if (!this.carried) await this.register();
    const historyLimit = this.input.historyLimit ?? 2000;
    while (!this.done) {
      if (workflowInfo().historyLength > historyLimit || workflowInfo().continueAsNewSuggested) {
        await condition(this.deliveriesDone);
        await continueAsNew<typeof caseWorkflow>(this.input, {
          state: this.state,
          caseNumber: this.caseNumber!,
          clocks: this.clocks,
          calendarYears: this.calendarYears,
          calendarDirty: this.calendarDirty,
          runs: (this.carried?.runs ?? 1) + 1,
        });
      }
      if (this.calendarDirty) {
        await this.lock.run(() => this.retime());
        continue;
      }
      const next = nextRung(this.clocks);
      this.wake = false;
      if (!next) {
        await condition(() => this.wake || this.calendarDirty || this.done);
        continue;
      }
      const wait = next.rung.atMs - Date.now();
      if (wait > 0 && (await condition(() => this.wake || this.calendarDirty, wait))) continue;
      await this.lock.run(() => this.fire(next.clock, next.rung));
    }
    await condition(this.deliveriesDone);
    log.info('案件流程结束', { caseId: this.input.caseId, stage: this.state.stage });
    return this.view();
  }
}

export async function caseWorkflow(input: CaseWorkflowInput, carried?: CarriedState): Promise<CaseView> {
  const run = new CaseRun(input, carried);
  run.listen();
  return run.run();
}
