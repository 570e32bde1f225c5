import {
  applyStep,
  initialState,
  validateStep,
  type Actor,
  type ApplyResult,
  type CaseState,
  type InitialInput,
  type Rejection,
} from '../../../domain/case';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2026-03-02 09:00 +08:00 (a Monday). */
export const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

export const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer' };
export const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head' };
export const psbOfficer: Actor = { userId: 'psb-1', agency: 'psb', role: 'officer' };
export const psbHead: Actor = { userId: 'psb-head', agency: 'psb', role: 'head' };
export const sppOfficer: Actor = { userId: 'spp-1', agency: 'spp', role: 'officer' };
export const groupLeader: Actor = { userId: 'wg-1', agency: 'workingGroup', role: 'leader' };

/** Drives one case through steps, advancing time by a few hours per step, and keeps every result. */
export class CaseRun {
  state: CaseState;
  now: number;
  results: ApplyResult[] = [];

  constructor(init: Partial<InitialInput> & { track: InitialInput['track'] }) {
    const created = initialState({
      caseId: 'case-1',
      createdAtMs: T0,
      actor: init.track === 'detention' ? eebHead : eebOfficer,
      ...(init.track === 'detention' ? { documentNumber: '长环移拘审〔2026〕1号' } : {}),
      ...init,
    });
    this.state = created.state;
    this.now = init.createdAtMs ?? T0;
    this.created = created;
  }

  created: ReturnType<typeof initialState>;

  /** Performs a step that must succeed. */
  do(step: string, input: Record<string, unknown>, actor: Actor, advanceMs = 2 * HOUR): ApplyResult {
    this.now += advanceMs;
    const v = validateStep(this.state, step, input, actor);
    if (!v.ok) throw new Error(`${step} rejected: ${v.code} ${v.messageZh}`);
    const r = applyStep(this.state, step, v.parsed, actor, this.now);
    this.state = r.state;
    this.results.push(r);
    return r;
  }

  /** Validates a step that must be rejected. */
  reject(step: string, input: unknown, actor: Actor): Rejection {
    const v = validateStep(this.state, step, input, actor);
    if (v.ok) throw new Error(`${step} unexpectedly accepted`);
    return v;
  }

  get stage() {
    return this.state.stage;
  }

  /** Open clocks as sorted "ruleId@agency" strings. */
  get clocks(): string[] {
    return this.state.clocks.map((c) => c.ruleId).sort();
  }

  clockId(ruleId: string): string {
    const c = this.state.clocks.find((x) => x.ruleId === ruleId || x.baseRuleId === ruleId);
    if (!c) throw new Error(`no open clock ${ruleId}`);
    return c.clockId;
  }
}

/** Runs a criminal case from lead to the PSB's acceptance (stage 'accepted'). */
export function toAccepted(run = new CaseRun({ track: 'criminal' })): CaseRun {
  run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
  run.do('submitTransferReport', { documentNumber: '长环报〔2026〕1号' }, eebOfficer);
  run.do('approveTransfer', { documentNumber: '长环批〔2026〕1号' }, eebHead);
  run.do(
    'deliverTransfer',
    { documentNumber: '长环移〔2026〕1号', copiedToSpp: true, psbUnit: '长治市公安局' },
    eebOfficer,
    HOUR,
  );
  run.do('acknowledgeReceipt', { documentNumber: '长公回〔2026〕1号' }, psbOfficer);
  return run;
}

/** From 'accepted' to 'investigation' with the filing notified and evidence handed over. */
export function toInvestigation(run = toAccepted()): CaseRun {
  run.do('fileCase', { documentNumber: '长公立〔2026〕1号' }, psbOfficer);
  run.do('notifyFiling', { documentNumber: '长公立通〔2026〕1号', copiedToSpp: true }, psbOfficer);
  run.do('handOverEvidence', { documentNumber: '长环交〔2026〕1号' }, eebOfficer);
  return run;
}
