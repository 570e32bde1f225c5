/**
 * The case state machine: interprets the step table (steps.ts). Pure and deterministic — the case workflow calls
 * `validateStep` in an Update's validator and `applyStep` in its handler, and times the clocks it is told about
 * with the deadline engine. Nothing here computes a due date.
 */
import { findUnstorable, TEXT_PROBLEM_ZH } from '../text';
import { z } from 'zod';
import { zodErrorZh } from './messages';
import {
  getStep,
  isStepName,
  OPEN_STAGES,
  STEP_NAMES,
  type Guard,
  type StepContext,
  type AnyStepDef,
  type StepName,
} from './steps';
import {
  ActorSchema,
  AGENCY_LABELS,
  CONFIDENTIALITIES,
  RULE_USE,
  ROLE_LABELS,
  STAGE_HOLDER,
  STAGE_LABELS,
  STAGES,
  TERMINAL_STAGES,
  TRACKS,
  baseRuleOf,
  StepRejectedError,
  type Actor,
  type Agency,
  type CaseAgency,
  type CaseEvent,
  type CaseRuleId,
  type CaseState,
  type ClockSpec,
  type OpenClock,
  type Rejection,
  type Stage,
  type Track,
  type WindowCheck,
} from './types';

// ---------------------------------------------------------------------------------------------------------------
// Creation

export const InitialInputSchema = z.object({
  caseId: z.string().trim().min(1).max(100),
  track: z.enum(TRACKS),
  createdAtMs: z.number().finite(),
  actor: ActorSchema,
  /** When the starting fact happened (涉嫌犯罪 found / transfer decided), if earlier than the registration. */
  startedAtMs: z.number().finite().optional(),
  custody: z.boolean().optional(),
  major: z.boolean().optional(),
  confidentiality: z.enum(CONFIDENTIALITIES).optional(),
  /** Detention: the 案件移送审批单 approved by the EEB head (2014 Measures Art 10). */
  documentNumber: z.string().trim().min(1).max(100).optional(),
  psbUnit: z.string().trim().min(1).max(200).optional(),
});
export type InitialInput = z.input<typeof InitialInputSchema>;

/** Where each track starts, and the clock its starting fact opens. */
export const TRACK_START: Record<Track, { stage: Stage; ruleId?: CaseRuleId; labelZh: string }> = {
  // Decree 310 Art 5 ¶1: a suspected crime found → task force "立即".
  criminal: { stage: 'lead', ruleId: 'eeb.task-force', labelZh: '发现涉嫌犯罪线索，登记案件' },
  // 2014 Measures Art 12: 3 workdays from the transfer decision.
  detention: {
    stage: 'detentionTransferDecided',
    ruleId: 'eeb.detention-transfer',
    labelZh: '决定移送行政拘留，登记案件',
  },
  // No statutory clock: the penalty procedure's own limits are outside the rule table.
  administrative: { stage: 'administrativePenalty', labelZh: '登记行政处罚案件' },
};

export type ValidateInitialResult = { ok: true; input: z.output<typeof InitialInputSchema> } | Rejection;

export function validateInitial(input: unknown): ValidateInitialResult {
  const parsed = InitialInputSchema.safeParse(input);
  if (!parsed.success) {
    const actorIssue = parsed.error.issues.find((i) => i.path[0] === 'actor');
    if (actorIssue) return { ok: false, code: 403, messageZh: '操作人身份无效', field: 'actor' };
    return { ok: false, code: 422, ...zodErrorZh(parsed.error, input) };
  }
  const v = parsed.data;
  if (v.actor.agency !== 'eeb') {
    return { ok: false, code: 403, messageZh: '案件由生态环境局登记（发现违法行为的行政执法机关）' };
  }
  if (v.track === 'detention') {
    if (v.actor.role !== 'head') {
      return {
        ok: false,
        code: 403,
        messageZh: '移送行政拘留须经生态环境局负责人批准（《行政主管部门移送适用行政拘留环境违法案件暂行办法》第十条）',
      };
    }
    if (!v.documentNumber) {
      return {
        ok: false,
        code: 422,
        messageZh: '缺少必填项：案件移送审批单编号（documentNumber）',
        field: 'documentNumber',
      };
    }
  }
  return { ok: true, input: v };
}

export interface CreateResult {
  state: CaseState;
  event: CaseEvent;
  clocksOpened: ClockSpec[];
}

/** The state of a new case and its first clock. Throws StepRejectedError when the input is not acceptable. */
export function initialState(input: InitialInput): CreateResult {
  const v = validateInitial(input);
  if (!v.ok) throw new StepRejectedError(v);
  const i = v.input;
  const start = TRACK_START[i.track];
  const state: CaseState = {
    caseId: i.caseId,
    track: i.track,
    stage: start.stage,
    createdAtMs: i.createdAtMs,
    updatedAtMs: i.createdAtMs,
    confidentiality: i.confidentiality ?? 'internal',
    custody: i.custody ?? false,
    flags: {
      major: i.major ?? false,
      jointSupervision: false,
      withdrawn: false,
      jointInvestigation: false,
      earlyInvolvement: [],
    },
    ...(i.psbUnit ? { psbUnit: i.psbUnit } : {}),
    arrest: 'none',
    supplementaryInvestigationRounds: 0,
    investigationCustodyExtensions: 0,
    reconsiderationUsed: false,
    transferOpinionIssued: false,
    supervision: null,
    pendingDecisionNotice: null,
    notices: {},
    milestones: {},
    clocks: [],
    clockCounters: {},
    seq: 1,
    history: [
      {
        seq: 1,
        step: 'createCase',
        atMs: i.createdAtMs,
        agency: i.actor.agency,
        userId: i.actor.userId,
        stage: start.stage,
      },
    ],
  };
  const clocksOpened: ClockSpec[] = [];
  if (start.ruleId) {
    const clock = openClockIn(state, start.ruleId, i.startedAtMs ?? i.createdAtMs, 'createCase');
    clocksOpened.push(specOf(clock));
  }
  const event: CaseEvent = {
    id: `${i.caseId}/created`,
    seq: 1,
    caseId: i.caseId,
    type: 'caseCreated',
    step: 'createCase',
    labelZh: start.labelZh,
    actor: i.actor,
    atMs: i.createdAtMs,
    ...(i.documentNumber ? { documentNumber: i.documentNumber } : {}),
    stageFrom: null,
    stageTo: start.stage,
    data: {
      track: i.track,
      custody: state.custody,
      major: state.flags.major,
      clocks: { opened: clocksOpened.map((c) => c.clockId), closed: [], changed: [] },
    },
  };
  return { state, event, clocksOpened };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

export type ValidateResult = { ok: true; step: StepName; parsed: Record<string, unknown> } | Rejection;

function reject(guard: Guard): Rejection {
  return guard.field
    ? { ok: false, code: guard.code, messageZh: guard.messageZh, field: guard.field }
    : { ok: false, code: guard.code, messageZh: guard.messageZh };
}

function performersZh(def: AnyStepDef): string {
  return def.performers
    .map((p) => `${AGENCY_LABELS[p.agency]}${p.roles ? p.roles.map((r) => ROLE_LABELS[r]).join('或') : ''}`)
    .join('、');
}

/**
 * May `actor` perform `stepName` with `input` on the case now? Never throws.
 * 404 unknown step · 409 closed case / wrong stage / state forbids · 403 wrong agency or role · 422 bad input.
 */
export function validateStep(state: CaseState, stepName: string, input: unknown, actor: unknown): ValidateResult {
  if (typeof stepName !== 'string' || !isStepName(stepName)) {
    return { ok: false, code: 404, messageZh: `未知的操作：${String(stepName)}` };
  }
  const def = getStep(stepName);
  const a = ActorSchema.safeParse(actor);
  if (!a.success)
    return { ok: false, code: 403, messageZh: '操作人身份无效（须有用户、所属机关和角色）', field: 'actor' };
  const who = a.data;
  // Also refused at the API's edge; here for any other client: what the record cannot store never enters the history.
  const unstorable = findUnstorable(input, { maxDepth: 16, maxLength: 50_000 });
  if (unstorable) {
    const what = unstorable.problem === 'tooDeep' ? '嵌套过深' : TEXT_PROBLEM_ZH[unstorable.problem];
    return {
      ok: false,
      code: 422,
      messageZh: `「${def.labelZh}」的字段 ${unstorable.path} ${what}`,
      field: unstorable.path,
    };
  }

  if (isClosed(state)) {
    return { ok: false, code: 409, messageZh: `案件${STAGE_LABELS[state.stage]}，不能再「${def.labelZh}」` };
  }
  const sameAgency = def.performers.filter((p) => p.agency === who.agency);
  if (!sameAgency.length) {
    return {
      ok: false,
      code: 403,
      messageZh: `「${def.labelZh}」只能由${performersZh(def)}办理，${AGENCY_LABELS[who.agency]}无权办理`,
    };
  }
  if (!sameAgency.some((p) => !p.roles || p.roles.includes(who.role))) {
    return { ok: false, code: 403, messageZh: `「${def.labelZh}」须由${performersZh(def)}办理` };
  }
  if (!def.from.includes(state.stage)) {
    return {
      ok: false,
      code: 409,
      messageZh: `当前阶段为「${STAGE_LABELS[state.stage]}」，不能「${def.labelZh}」`,
    };
  }
  const auth = def.authorize?.(state, who);
  if (auth) return reject(auth);
  const pre = def.precondition?.(state);
  if (pre) return reject(pre);

  const parsed = def.schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, code: 422, ...zodErrorZh(parsed.error, input, def.documentZh) };
  }
  const chk = def.check?.(state, parsed.data, who);
  if (chk) return reject(chk);
  return { ok: true, step: stepName, parsed: parsed.data as Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------------------------
// Application

export interface ApplyResult {
  state: CaseState;
  event: CaseEvent;
  clocksOpened: ClockSpec[];
  /** Ids of the clocks closed by the step (all of them when the case ends). */
  clocksClosed: string[];
  /** Ids of clocks whose timing changed (extension, suspension, resumption): re-time them. */
  clocksChanged: string[];
  /** Window rules the step is subject to: the workflow checks the step's instant against them. */
  windows: WindowCheck[];
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function specOf(c: OpenClock): ClockSpec {
  return {
    clockId: c.clockId,
    ruleId: c.ruleId,
    baseRuleId: c.baseRuleId,
    startedAtMs: c.startedAtMs,
    responsibleAgency: c.responsibleAgency,
    custody: c.custody,
    optional: c.optional,
  };
}

function openClockIn(
  state: CaseState,
  ruleId: CaseRuleId,
  atMs: number,
  openedBy: string,
  responsibleAgency?: CaseAgency,
): OpenClock {
  const base = baseRuleOf(ruleId);
  const use = RULE_USE[ruleId];
  if (use.kind !== 'clock') throw new Error(`rule ${ruleId} is a window, not a clock`);
  const agency = responsibleAgency ?? (use.agency === 'any' ? undefined : use.agency);
  if (!agency) throw new Error(`rule ${ruleId} needs a responsible agency`);
  const n = (state.clockCounters[base] ?? 0) + 1;
  state.clockCounters[base] = n;
  const clock: OpenClock = {
    clockId: `${base}#${n}`,
    ruleId,
    baseRuleId: base,
    startedAtMs: atMs,
    responsibleAgency: agency,
    custody: Boolean(use.custody) && state.custody,
    optional: Boolean(use.optional),
    extensions: [],
    suspensions: [],
    openedBy,
  };
  state.clocks.push(clock);
  return clock;
}

/**
 * Performs a validated step. Pure: returns the next state, the event to record and the clock changes.
 * Re-validates first (the state may have moved since the validator ran) and throws StepRejectedError if the step
 * is no longer allowed.
 */
export function applyStep(
  state: CaseState,
  stepName: string,
  parsedInput: unknown,
  actor: Actor,
  nowMs: number,
): ApplyResult {
  if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite epoch ms, got ${String(nowMs)}`);
  const v = validateStep(state, stepName, parsedInput, actor);
  if (!v.ok) throw new StepRejectedError(v);
  const def = getStep(v.step);
  const input = v.parsed;
  const who = ActorSchema.parse(actor);

  const draft = clone(state);
  const stageFrom = draft.stage;
  const opened: OpenClock[] = [];
  const closed: string[] = [];
  const changed = new Set<string>();
  const windows: WindowCheck[] = [];
  const notes: Record<string, unknown> = {};

  const closeWhere = (pred: (c: OpenClock) => boolean) => {
    const keep: OpenClock[] = [];
    for (const c of draft.clocks) {
      if (pred(c)) {
        closed.push(c.clockId);
        changed.delete(c.clockId);
      } else keep.push(c);
    }
    draft.clocks = keep;
  };

  const ctx: StepContext = {
    nowMs,
    actor: who,
    open(ruleId, responsibleAgency) {
      const c = openClockIn(draft, ruleId, nowMs, v.step, responsibleAgency);
      opened.push(c);
      return c;
    },
    closeRule(ruleId) {
      const base = baseRuleOf(ruleId);
      closeWhere((c) => c.baseRuleId === base);
    },
    closeClock(clockId) {
      closeWhere((c) => c.clockId === clockId);
    },
    changed(clockId) {
      changed.add(clockId);
    },
    note(key, value) {
      notes[key] = value;
    },
  };

  for (const ruleId of def.closes ?? []) ctx.closeRule(ruleId);
  def.effect?.(draft, input, ctx);
  for (const o of def.opens ?? []) {
    if (o.when === 'custody' && !draft.custody) continue;
    if (o.when === 'noCustody' && draft.custody) continue;
    ctx.open(o.ruleId);
  }
  for (const w of def.windows ?? []) {
    const since = draft.milestones[w.since] ?? state.milestones[w.since];
    const agency = RULE_USE[w.ruleId].agency;
    if (since !== undefined && agency !== 'any')
      windows.push({ ruleId: w.ruleId, startedAtMs: since, responsibleAgency: agency });
  }
  if (def.to) draft.stage = def.to;
  if (TERMINAL_STAGES.has(draft.stage)) {
    closeWhere(() => true);
    draft.closedAtMs = nowMs;
    draft.pendingDecisionNotice = null;
    draft.custody = false;
  }

  // A clock opened and closed by the same step never existed for the outside world.
  const stillOpen = new Set(draft.clocks.map((c) => c.clockId));
  const openedIds = new Set(opened.map((c) => c.clockId));
  const openedNow = opened.filter((c) => stillOpen.has(c.clockId));
  const closedNow = closed.filter((id) => !openedIds.has(id));
  const changedNow = [...changed].filter((id) => stillOpen.has(id) && !openedIds.has(id));

  draft.seq += 1;
  draft.updatedAtMs = nowMs;
  draft.history.push({
    seq: draft.seq,
    step: v.step,
    atMs: nowMs,
    agency: who.agency,
    userId: who.userId,
    stage: draft.stage,
  });

  const { documentNumber, ...rest } = input as { documentNumber?: unknown } & Record<string, unknown>;
  const event: CaseEvent = {
    id: `${draft.caseId}/step/${draft.seq}`,
    seq: draft.seq,
    caseId: draft.caseId,
    type: def.eventType,
    step: v.step,
    labelZh: def.labelZh,
    actor: who,
    atMs: nowMs,
    ...(typeof documentNumber === 'string' ? { documentNumber } : {}),
    stageFrom,
    stageTo: draft.stage,
    data: {
      ...rest,
      ...notes,
      basis: def.basisZh,
      clocks: { opened: openedNow.map((c) => c.clockId), closed: closedNow, changed: changedNow },
    },
  };
  return {
    state: draft,
    event,
    clocksOpened: openedNow.map(specOf),
    clocksClosed: closedNow,
    clocksChanged: changedNow,
    windows,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the state

export function isClosed(state: CaseState): boolean {
  return TERMINAL_STAGES.has(state.stage);
}

export interface NextAction {
  step: StepName;
  agency: Agency;
  labelZh: string;
  /** For a consultation reply: which consultation. */
  clockId?: string;
}

/** Who must act next: the primary steps allowed now, per performing agency. Empty for a closed case. */
export function nextActions(state: CaseState): NextAction[] {
  if (isClosed(state)) return [];
  const out: NextAction[] = [];
  for (const name of STEP_NAMES) {
    const def = getStep(name);
    if (!def.primary || !def.from.includes(state.stage)) continue;
    if (def.precondition?.(state)) continue;
    if (name === 'replyConsultation') {
      for (const c of state.clocks) {
        if (c.baseRuleId === 'any.written-consultation-reply') {
          out.push({ step: name, agency: c.responsibleAgency, labelZh: def.labelZh, clockId: c.clockId });
        }
      }
      continue;
    }
    const agencies = [...new Set(def.performers.map((p) => p.agency))];
    for (const agency of agencies) out.push({ step: name, agency, labelZh: def.labelZh });
  }
  return out;
}

export interface AvailableStep {
  step: StepName;
  labelZh: string;
  agencies: Agency[];
  crossCutting: boolean;
}

/** Every step the stage and state allow now (for the console's menus); input and actor are checked on submit. */
export function availableSteps(state: CaseState): AvailableStep[] {
  if (isClosed(state)) return [];
  return STEP_NAMES.filter((name) => {
    const def = getStep(name);
    return def.from.includes(state.stage) && !def.precondition?.(state);
  }).map((name) => {
    const def = getStep(name);
    return {
      step: name,
      labelZh: def.labelZh,
      agencies: [...new Set(def.performers.map((p) => p.agency))],
      crossCutting: Boolean(def.crossCutting),
    };
  });
}

/**
 * The agency the case waits for (ResponsibleAgency search attribute); null once closed. The stage's holder, except
 * while the PSB owes a decision notice or an explanation the SPP asked for.
 */
export function responsibleAgency(state: CaseState): CaseAgency | null {
  if (isClosed(state)) return null;
  if (state.pendingDecisionNotice === 'notFiled') return 'psb';
  if (state.stage === 'supervision' && state.supervision?.explanation === 'requested') return 'psb';
  return STAGE_HOLDER[state.stage];
}

/**
 * Records that a clock's deadline passed (called by the workflow when the overdue timer fires). Guards read it:
 * e.g. the EEB may propose supervision of a late filing decision, a lapsed reconsideration window is refused.
 * Returns the state unchanged when the clock is not open or already marked.
 */
export function markClockOverdue(state: CaseState, clockId: string, atMs: number): CaseState {
  const i = state.clocks.findIndex((c) => c.clockId === clockId);
  if (i < 0 || state.clocks[i].overdueAtMs !== undefined) return state;
  const clocks = state.clocks.slice();
  clocks[i] = { ...clocks[i], overdueAtMs: atMs };
  return { ...state, clocks };
}

/**
 * What the deadline engine needs to time an open clock. Variants (3 → 7 → 30 days) are expressed by `ruleId`;
 * `extensions` are the approved additions, `suspensions` the finished pauses ([fromMs, toMs)). While a suspension
 * lasts (`suspendedSinceMs`), the clock is paused: it has no due date until resumed.
 * The shapes match domain/deadlines' PeriodExtension and Suspension.
 */
export interface ClockTiming {
  clockId: string;
  ruleId: CaseRuleId;
  startedAtMs: number;
  custody: boolean;
  extensions: {
    kind: 'add';
    amount: number;
    unit: 'days' | 'workdays' | 'months';
    option: string;
    approvedBy: string;
    reason: string;
    approvedAtMs: number;
  }[];
  suspensions: { fromMs: number; toMs: number; reason: string }[];
  suspendedSinceMs?: number;
}

export function clockTiming(clock: OpenClock): ClockTiming {
  const open = clock.suspensions.find((s) => s.toMs === undefined);
  return {
    clockId: clock.clockId,
    ruleId: clock.ruleId,
    startedAtMs: clock.startedAtMs,
    custody: clock.custody,
    extensions: clock.extensions.flatMap((e) =>
      e.kind === 'add'
        ? [
            {
              kind: 'add' as const,
              amount: e.amount,
              unit: e.unit,
              option: e.option,
              approvedBy: e.approval.approverName,
              reason: e.reason,
              approvedAtMs: e.atMs,
            },
          ]
        : [],
    ),
    suspensions: clock.suspensions.flatMap((s) =>
      s.toMs === undefined ? [] : [{ fromMs: s.fromMs, toMs: s.toMs, reason: s.reason }],
    ),
    ...(open ? { suspendedSinceMs: open.fromMs } : {}),
  };
}

/** Consistency of a state (used by tests and as a guard when a workflow resumes from continue-as-new). */
export function checkInvariants(state: CaseState): string[] {
  const problems: string[] = [];
  if (!(STAGES as readonly string[]).includes(state.stage)) problems.push(`unknown stage ${state.stage}`);
  if (isClosed(state) && state.clocks.length) problems.push('closed case has open clocks');
  if (!isClosed(state) && !OPEN_STAGES.includes(state.stage)) problems.push('stage neither open nor closed');
  if (state.supplementaryInvestigationRounds < 0 || state.supplementaryInvestigationRounds > 2) {
    problems.push(`supplementary investigation rounds ${state.supplementaryInvestigationRounds}`);
  }
  if (state.investigationCustodyExtensions > 3) problems.push('more than three custody extensions');
  const ids = state.clocks.map((c) => c.clockId);
  if (new Set(ids).size !== ids.length) problems.push('duplicate clock ids');
  for (const c of state.clocks) {
    if (!(c.ruleId in RULE_USE)) problems.push(`unknown rule ${c.ruleId}`);
    if (RULE_USE[c.ruleId]?.kind !== 'clock') problems.push(`window rule opened as clock ${c.ruleId}`);
    if (c.custody && !RULE_USE[c.ruleId]?.custody) problems.push(`custody on non-custody rule ${c.ruleId}`);
    if (c.custody && !state.custody) problems.push(`custody clock ${c.clockId} while the suspect is not held`);
    if (c.suspensions.filter((s) => s.toMs === undefined).length > 1)
      problems.push(`clock ${c.clockId} suspended twice`);
  }
  if (state.flags.withdrawn !== (state.stage === 'withdrawn')) problems.push('withdrawn flag and stage disagree');
  if (state.seq !== state.history.length) problems.push('seq and history disagree');
  return problems;
}
