import {
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
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
  type CaseRef,
  type CaseState,
  type ClockRun,
  type ClockSpec,
  type Rung,
  type WindowCheck,
  type ClockTiming,
} from '../domain/case';
import { RUNG_LEVEL } from '../domain/deadlines';
import { recordRefusal } from '../domain/refusal';
import { kindOfLadder, supervisionItemId, supervisionWorkflowId } from '../domain/supervision';
import { planClock, type CalendarYearInput, type PlannedClock } from './clocks';
import {
  calendarChangedSignal,
  registeredUpdate,
  stateQuery,
  stepUpdate,
  type CaseView,
  type CaseWorkflowInput,
  type StepRequest,
} from './definitions/case';
import { Ladder, Lock, Outbox, local, records, stepRejected } from './kernel';
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
  /** The mail of the case's records, sent off the lock; the run neither continues as new nor ends before it is out. */
  private readonly outbox: Outbox;
  /** The timer loop over the rungs of the case's clocks. */
  private readonly ladder: Ladder<{ atMs: number; clock: Clock; rung: Rung }>;

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
    this.outbox = new Outbox({ caseId: input.caseId });
    this.ladder = new Ladder({
      lock: this.lock,
      done: () => this.done,
      between: () => this.between(),
      next: () => {
        const next = nextRung(this.clocks);
        return next && { atMs: next.rung.atMs, ...next };
      },
      fire: ({ clock, rung }) => this.fire(clock, rung),
    });
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
        throw stepRejected(err.rejection.code, err.rejection.messageZh, err.rejection.field);
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

  /**
   * Records a change by a local activity, inside the task that took the step or fired the timer (instead of an
   * activity task and two more workflow tasks later); its mail goes out in the background.
   */
  private async record(args: RecordChangeInput) {
    await this.outbox.recordAndDeliver(() => local.recordCaseChange(args));
  }

  listen() {
    setHandler(stateQuery, this.view);
    setHandler(registeredUpdate, async () => {
      await condition(() => this.ready);
      return this.view();
    });
    setHandler(calendarChangedSignal, () => {
      this.calendarDirty = true;
      this.ladder.wake();
    });
    for (const name of STEP_NAMES) {
      setHandler(stepUpdate(name), (req: StepRequest) => this.lock.run(() => this.takeStep(name, req)), {
        validator: (req: StepRequest) => {
          const v = validateStep(this.state, name, req?.input ?? {}, req?.actor);
          if (!v.ok) throw stepRejected(v.code, v.messageZh, v.field);
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
        throw stepRejected(err.rejection.code, err.rejection.messageZh, err.rejection.field);
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
        throw stepRejected(422, refusal.message);
      }
      throw err;
    }
    this.syncSearchAttributes();
    this.ladder.wake();
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
    c.level = RUNG_LEVEL[rung.kind];
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

  /** Between rungs: continue as new once the history is long, re-time the clocks once a calendar year is loaded. */
  private async between(): Promise<boolean> {
    if (workflowInfo().historyLength > this.historyLimit || workflowInfo().continueAsNewSuggested) {
      await condition(this.outbox.settled);
      await continueAsNew<typeof caseWorkflow>(this.input, {
        state: this.state,
        caseNumber: this.caseNumber!,
        clocks: this.clocks,
        calendarYears: this.calendarYears,
        calendarDirty: this.calendarDirty,
        runs: (this.carried?.runs ?? 1) + 1,
      });
    }
    if (!this.calendarDirty) return false;
    await this.lock.run(() => this.retime());
    return true;
  }

  private get historyLimit() {
    return this.input.historyLimit ?? 2000;
  }

  async run(): Promise<CaseView> {
    if (!this.carried) await this.register();
    await this.ladder.run();
    await condition(this.outbox.settled);
    log.info('案件流程结束', { caseId: this.input.caseId, stage: this.state.stage });
    return this.view();
  }
}

export async function caseWorkflow(input: CaseWorkflowInput, carried?: CarriedState): Promise<CaseView> {
  const run = new CaseRun(input, carried);
  run.listen();
  return run.run();
}
