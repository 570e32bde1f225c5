/**
 * Random sequences of step attempts: whatever is tried, validateStep never throws, applyStep runs only for
 * validated steps (and refuses the others), and the state stays consistent.
 */
import fc from 'fast-check';
import {
  applyStep,
  availableSteps,
  checkInvariants,
  initialState,
  isClosed,
  markClockOverdue,
  nextActions,
  STAGES,
  STEP_NAMES,
  STEPS,
  StepRejectedError,
  TRACKS,
  validateStep,
  type Actor,
  type CaseState,
  type Role,
} from '../../../domain/case';
import { HOUR, psbOfficer, sppOfficer, T0, toInvestigation } from './helpers';

const ACTORS: Actor[] = [
  { userId: 'e1', agency: 'eeb', role: 'officer' },
  { userId: 'e2', agency: 'eeb', role: 'head' },
  { userId: 'p1', agency: 'psb', role: 'officer' },
  { userId: 'p2', agency: 'psb', role: 'head' },
  { userId: 's1', agency: 'spp', role: 'officer' },
  { userId: 's2', agency: 'spp', role: 'head' },
  { userId: 'w1', agency: 'workingGroup', role: 'leader' },
];
const BAD_ACTOR = { userId: '', agency: 'court', role: 'judge' };

/** A valid-looking input for every step (zod strips what a step does not use), adjusted per step and state. */
function sampleInput(step: string, state: CaseState, c: number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[c % xs.length];
  const clockIds = state.clocks.map((x) => x.clockId);
  const base: Record<string, unknown> = {
    documentNumber: `DOC-${c}`,
    reasons: '理由',
    reason: '理由',
    summary: '概要',
    members: ['甲', '乙'],
    copiedToSpp: true,
    materialsReturned: true,
    competentPsb: '某公安局',
    missingItems: ['材料'],
    items: ['物品'],
    outline: '提纲',
    court: '某法院',
    question: '问题',
    answer: '答复',
    note: '说明',
    days: 1 + (c % 15),
    penaltyDecisionNumber: 'PEN-1',
    participants: ['eeb', 'psb', 'spp'],
    approval: { approverName: '审批人' },
  };
  switch (step) {
    case 'supplementMaterials':
      return { ...base, outcome: pick(['supplemented', 'cannotSupplement']), explanation: '无法补正' };
    case 'recordJudgment':
      return { ...base, outcome: pick(['convicted', 'acquitted', 'exempted']) };
    case 'extendFilingDecision':
      return { ...base, variant: pick(['verify', 'major']) };
    case 'extendInvestigationCustody': {
      const round = state.investigationCustodyExtensions;
      return {
        ...base,
        approval: { approverName: '检察官', authority: round === 0 ? 'higherSpp' : 'provincialSpp' },
        ground: 'wideScope',
        possibleSentenceTenYearsPlus: true,
      };
    }
    case 'releaseSuspect':
      return { ...base, measure: pick(['release', 'bail', 'residentialSurveillance']) };
    case 'requestConsultation':
      return { ...base, toAgency: pick(['eeb', 'psb', 'spp']) };
    case 'replyConsultation':
    case 'resumeClock':
      return { ...base, clockId: clockIds.length ? pick(clockIds) : 'none#1' };
    case 'extendClock':
      return {
        ...base,
        clockId: clockIds.length ? pick(clockIds) : 'none#1',
        amount: 1 + (c % 30),
        unit: pick(['days', 'days', 'months', 'workdays']),
        ground: pick([undefined, 'gang']),
      };
    case 'suspendClock':
      return {
        ...base,
        clockId: clockIds.length ? pick(clockIds) : 'none#1',
        reasonCode: pick(['appraisal', 'other']),
      };
    case 'notifyNonProsecution':
      return { ...base, penaltyOpinion: c % 2 === 0, opinionDocumentNumber: c % 3 === 0 ? undefined : 'OP-1' };
    default:
      return base;
  }
}

/** An actor that the step's performers admit (for guided attempts). */
function rightActor(step: string, state: CaseState, c: number): Actor {
  const def = STEPS[step as keyof typeof STEPS];
  const p = def.performers[c % def.performers.length];
  const role: Role = p.roles?.[0] ?? (p.agency === 'workingGroup' ? 'leader' : 'officer');
  if (step === 'replyConsultation' && state.clocks.length) {
    const clock = state.clocks[c % state.clocks.length];
    return { userId: 'u', agency: clock.responsibleAgency, role: 'officer' };
  }
  return { userId: `u-${c % 7}`, agency: p.agency, role };
}

type Attempt = {
  kind: 'next' | 'guided' | 'any' | 'bogus' | 'overdue';
  choice: number;
  actorMode: 'right' | 'random' | 'bad';
  inputMode: 'valid' | 'dropField' | 'garbage';
  garbage: unknown;
  advance: number;
};

const attemptArb: fc.Arbitrary<Attempt> = fc.record({
  kind: fc.constantFrom('next', 'next', 'next', 'guided', 'guided', 'any', 'bogus', 'overdue'),
  choice: fc.nat({ max: 10_000 }),
  actorMode: fc.constantFrom('right', 'right', 'right', 'random', 'bad'),
  inputMode: fc.constantFrom('valid', 'valid', 'valid', 'dropField', 'garbage'),
  garbage: fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('documentNumber', 'reasons', 'clockId', 'approval', 'variant', 'days', '__proto__', 'x'),
      fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 })),
      { maxKeys: 4 },
    ),
  ),
  advance: fc.integer({ min: 0, max: 20 * 24 * HOUR }),
});

const startArb = fc.record({
  track: fc.constantFrom(...TRACKS),
  custody: fc.boolean(),
  major: fc.boolean(),
});

interface Trace {
  state: CaseState;
  applied: number;
  rejected: number;
  stages: Set<string>;
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function play(start: { track: (typeof TRACKS)[number]; custody: boolean; major: boolean }, attempts: Attempt[]): Trace {
  const created = initialState({
    caseId: 'prop',
    createdAtMs: T0,
    actor: start.track === 'detention' ? ACTORS[1] : ACTORS[0],
    documentNumber: 'INIT',
    ...start,
  });
  let state = created.state;
  let now = T0;
  const trace: Trace = { state, applied: 0, rejected: 0, stages: new Set([state.stage]) };

  for (const a of attempts) {
    now += a.advance;
    if (a.kind === 'overdue') {
      if (state.clocks.length)
        state = markClockOverdue(state, state.clocks[a.choice % state.clocks.length].clockId, now);
      continue;
    }
    let step: string;
    if (a.kind === 'bogus') step = ['noSuchStep', 'constructor', '__proto__', ''][a.choice % 4];
    else if (a.kind === 'next' && nextActions(state).length) {
      const next = nextActions(state);
      step = next[a.choice % next.length].step;
    } else if (a.kind === 'guided' || a.kind === 'next') {
      const avail = availableSteps(state);
      step = avail.length ? avail[a.choice % avail.length].step : STEP_NAMES[a.choice % STEP_NAMES.length];
    } else step = STEP_NAMES[a.choice % STEP_NAMES.length];

    const known = (STEP_NAMES as string[]).includes(step);
    let input: unknown = known ? sampleInput(step, state, a.choice) : {};
    if (a.inputMode === 'dropField' && input && typeof input === 'object') {
      const keys = Object.keys(input);
      const copy = { ...(input as Record<string, unknown>) };
      delete copy[keys[a.choice % keys.length]];
      input = copy;
    } else if (a.inputMode === 'garbage') input = a.garbage;
    const actor: unknown =
      a.actorMode === 'bad'
        ? BAD_ACTOR
        : a.actorMode === 'random' || !known
          ? ACTORS[a.choice % ACTORS.length]
          : rightActor(step, state, a.choice);

    const before = state;
    const beforeJson = JSON.stringify(before);
    const v = validateStep(state, step, input, actor); // must not throw
    check(JSON.stringify(state) === beforeJson, 'validateStep mutated the state');
    if (!v.ok) {
      check([403, 404, 409, 422].includes(v.code), `bad code ${v.code}`);
      check(/[\u4e00-\u9fff]/.test(v.messageZh), `message not Chinese: ${v.messageZh}`);
      // applyStep is never reached for a rejected step: it refuses it too.
      let threw: unknown;
      try {
        applyStep(state, step, input, actor as Actor, now);
      } catch (e) {
        threw = e;
      }
      check(threw instanceof StepRejectedError, `applyStep accepted rejected step ${step}`);
      if (isClosed(state) && known) check(v.code === 409 || v.code === 403, `closed case answered ${v.code}`);
      trace.rejected++;
      continue;
    }
    const r = applyStep(state, step, v.parsed, actor as Actor, now);
    check(JSON.stringify(before) === beforeJson, 'applyStep mutated its input state');
    state = r.state;
    trace.applied++;
    trace.stages.add(state.stage);

    // Consistency of the result.
    const beforeIds = new Set(before.clocks.map((c) => c.clockId));
    const afterIds = new Set(state.clocks.map((c) => c.clockId));
    for (const id of r.clocksClosed) check(beforeIds.has(id) && !afterIds.has(id), `closed ${id} was not open`);
    for (const c of r.clocksOpened) check(afterIds.has(c.clockId) && !beforeIds.has(c.clockId), `opened ${c.clockId}`);
    for (const id of r.clocksChanged) check(afterIds.has(id), `changed ${id} not open`);
    for (const id of afterIds) {
      check(beforeIds.has(id) || r.clocksOpened.some((c) => c.clockId === id), `clock ${id} appeared unreported`);
    }
    for (const id of beforeIds)
      check(afterIds.has(id) || r.clocksClosed.includes(id), `clock ${id} vanished unreported`);
    check(r.event.seq === before.seq + 1, 'event seq');
    check(r.event.stageFrom === before.stage && r.event.stageTo === state.stage, 'event stages');
    const problems = checkInvariants(state);
    check(problems.length === 0, `after ${step}: ${problems.join(', ')}`);
  }
  trace.state = state;
  return trace;
}

function assertConsistent(state: CaseState): void {
  expect(checkInvariants(state)).toEqual([]);
  expect(STAGES).toContain(state.stage);
  expect(state.supplementaryInvestigationRounds).toBeLessThanOrEqual(2);
  if (isClosed(state)) {
    expect(state.clocks).toEqual([]);
    expect(nextActions(state)).toEqual([]);
  }
  for (const a of nextActions(state)) {
    expect(STEPS[a.step].from).toContain(state.stage);
  }
}

describe('random step sequences', () => {
  it('keep the state consistent and never throw from validateStep', () => {
    const stagesSeen = new Set<string>();
    let applied = 0;
    fc.assert(
      fc.property(startArb, fc.array(attemptArb, { minLength: 1, maxLength: 80, size: 'max' }), (start, attempts) => {
        const trace = play(start, attempts);
        assertConsistent(trace.state);
        trace.stages.forEach((s) => stagesSeen.add(s));
        applied += trace.applied;
      }),
      { numRuns: 400, seed: 20260302 },
    );
    // The generator reaches deep into the lifecycle (not only rejections).
    expect(applied).toBeGreaterThan(1500);
    for (const s of [
      'investigation',
      'prosecutionReview',
      'supervision',
      'judged',
      'detentionConcluded',
      'withdrawn',
    ]) {
      expect([s, stagesSeen.has(s)]).toEqual([s, true]);
    }
  });

  it('are deterministic: replaying the same attempts gives the same state', () => {
    fc.assert(
      fc.property(startArb, fc.array(attemptArb, { maxLength: 40 }), (start, attempts) => {
        expect(play(start, attempts).state).toEqual(play(start, attempts).state);
      }),
      { numRuns: 50, seed: 7 },
    );
  });

  it('never allow a third supplementary investigation round, whatever the order of attempts', () => {
    const run = toInvestigation();
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    const inReview = run.state;
    const moves = [
      'returnForSupplementaryInvestigation',
      'completeSupplementaryInvestigation',
      'extendClock',
      'suspendClock',
      'resumeClock',
    ] as const;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 30, size: 'max' }), (choices) => {
        let state = inReview;
        let now = run.now;
        let thirdRefused = false;
        for (const c of choices) {
          now += HOUR;
          const step = moves[c % moves.length];
          const actor =
            step === 'returnForSupplementaryInvestigation'
              ? sppOfficer
              : state.stage === 'prosecutionReview'
                ? sppOfficer
                : psbOfficer;
          const v = validateStep(state, step, sampleInput(step, state, c), actor);
          if (!v.ok) {
            if (step === 'returnForSupplementaryInvestigation' && state.stage === 'prosecutionReview') {
              check(
                state.supplementaryInvestigationRounds === 2 && v.code === 409,
                `refused round ${state.supplementaryInvestigationRounds + 1}`,
              );
              thirdRefused = true;
            }
            continue;
          }
          state = applyStep(state, step, v.parsed, actor, now).state;
          check(state.supplementaryInvestigationRounds <= 2, 'more than two rounds');
        }
        check(!thirdRefused || state.supplementaryInvestigationRounds === 2, 'refused before two rounds');
      }),
      { numRuns: 300, seed: 175 },
    );
  });
});
