/**
 * The table of steps: every transition of a case, as data. One entry per step; the key is the step's name (the
 * Temporal Update name and the API path segment). machine.ts interprets the table; nothing else decides what a
 * step may do.
 *
 * Order of checks for a step (machine.ts validateStep):
 *   404 unknown step → 409 case closed → 403 agency / role (`performers`) → 409 stage (`from`) →
 *   403 `authorize` → `precondition` (state only) → 422 `schema` → `check` (state and input).
 * Effects (applyStep): `closes` → `effect` → `opens` → `windows` → stage := `to`; entering a terminal stage
 * closes every clock left open.
 *
 * Legal basis abbreviations in `basisZh` name the texts of shared/reference/law/.
 */
import { z } from 'zod';
import { STATUTE_ZH } from '../vocabulary';
import {
  AGENCY_LABELS,
  STAGE_HOLDER,
  STAGE_LABELS,
  TERMINAL_STAGES,
  STAGES,
  type Actor,
  type Agency,
  type CaseAgency,
  type CaseRuleId,
  type CaseState,
  type ClockExtension,
  type OpenClock,
  type RejectionCode,
  type Role,
  type Stage,
} from './types';

// ---------------------------------------------------------------------------------------------------------------
// Shapes of the table

export interface Performer {
  agency: Agency;
  /** When present, only these roles of the agency may perform the step. */
  roles?: readonly Role[];
}

export interface Guard {
  code: RejectionCode;
  messageZh: string;
  field?: string;
}

/** Clocks the machine offers to a step's effect (all changes are recorded in the step's result). */
export interface StepContext {
  nowMs: number;
  actor: Actor;
  /** Opens a clock of the rule; the responsible agency defaults to the rule's. Returns the new clock. */
  open(ruleId: CaseRuleId, responsibleAgency?: CaseAgency): OpenClock;
  /** Closes every open clock of the rule (variants included). */
  closeRule(ruleId: CaseRuleId): void;
  closeClock(clockId: string): void;
  /** Marks a clock whose timing changed (extension, suspension, resumption). */
  changed(clockId: string): void;
  /** Adds a field to the event's data. */
  note(key: string, value: unknown): void;
}

export type OpenCondition = 'custody' | 'noCustody';

export interface OpenSpec {
  ruleId: CaseRuleId;
  /** Open only when the suspect is held (custody) or not (noCustody), evaluated after the effect. */
  when?: OpenCondition;
}

export interface WindowSpec {
  ruleId: CaseRuleId;
  since: keyof CaseState['milestones'];
}

export interface StepDef<I = Record<string, unknown>> {
  labelZh: string;
  /** The case event type written to case_events. */
  eventType: string;
  basisZh: string;
  performers: readonly Performer[];
  from: readonly Stage[];
  schema: z.ZodType<I>;
  /** The document whose number `documentNumber` carries (used in messages). */
  documentZh?: string;
  /** The resulting stage; absent = the stage does not change. */
  to?: Stage;
  closes?: readonly CaseRuleId[];
  opens?: readonly OpenSpec[];
  windows?: readonly WindowSpec[];
  /** Listed by nextActions (what the case waits for); other steps are options available at any time. */
  primary: boolean;
  /** Part of the at-any-stage toolbox (early involvement, consultation, clocks, ...). */
  crossCutting?: boolean;
  authorize?(state: CaseState, actor: Actor): Guard | null;
  precondition?(state: CaseState): Guard | null;
  check?(state: CaseState, input: I, actor: Actor): Guard | null;
  effect?(draft: CaseState, input: I, ctx: StepContext): void;
}

/** A step of the table, whatever its input type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table holds steps of different input types
export type AnyStepDef = StepDef<any>;

function step<S extends z.ZodType<Record<string, unknown>>>(
  def: Omit<StepDef<z.output<S>>, 'schema'> & { schema: S },
): StepDef<z.output<S>> {
  return def as unknown as StepDef<z.output<S>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

const {
  decree310: D310,
  measures2017: M2017,
  measures2014: M2014,
  criminalProcedureLaw: CPL,
  sppRules: SPPR,
  psbCriminalRules: PSBCR,
  psbAdministrativeRules: PSBAR,
} = STATUTE_ZH;

const EEB: readonly Performer[] = [{ agency: 'eeb' }];
const EEB_HEAD: readonly Performer[] = [{ agency: 'eeb', roles: ['head'] }];
const PSB: readonly Performer[] = [{ agency: 'psb' }];
const SPP: readonly Performer[] = [{ agency: 'spp' }];
const ANY_CASE_AGENCY: readonly Performer[] = [{ agency: 'eeb' }, { agency: 'psb' }, { agency: 'spp' }];

const docNo = z.string().trim().min(1).max(100);
const text = z.string().trim().min(1).max(4000);
const name = z.string().trim().min(1).max(200);
/** The law requires a copy to the procuratorate (抄送同级人民检察院): the officer confirms it was sent. */
const copiedToSpp = z.literal(true);
const approval = z.object({
  approverName: name,
  approverTitle: name.optional(),
  documentNumber: docNo.optional(),
});

export const OPEN_STAGES: readonly Stage[] = STAGES.filter((s) => !TERMINAL_STAGES.has(s));

/** Stages after filing, while the PSB or SPP handles the criminal case. */
const AFTER_FILING: readonly Stage[] = [
  'investigation',
  'arrestReview',
  'prosecutionReview',
  'supplementaryInvestigation',
  'trial',
];

/** Stages where the EEB decides the administrative outcome (penalty or closing). */
const EEB_DECIDES: readonly Stage[] = [
  'administrativePenalty',
  'transferRefused',
  'returnedToEeb',
  'notFiled',
  'reasonsUpheld',
  'notProsecuted',
  'reverseTransferred',
];

/** EEB before transfer; PSB after filing (撤销案件). SPP-held stages end by the SPP's own decisions. */
export const WITHDRAWABLE: readonly Stage[] = [
  'administrativePenalty',
  'lead',
  'taskForce',
  'approvalPending',
  'transferApproved',
  'transferRefused',
  'detentionTransferDecided',
  'investigation',
  'supplementaryInvestigation',
];

// ---------------------------------------------------------------------------------------------------------------
// Helpers for guards

export function openClocksOf(state: CaseState, ruleId: CaseRuleId): OpenClock[] {
  return state.clocks.filter((c) => c.baseRuleId === ruleId || c.ruleId === ruleId);
}

function hasOpen(state: CaseState, ruleId: CaseRuleId): boolean {
  return openClocksOf(state, ruleId).length > 0;
}

function conflict(messageZh: string, field?: string): Guard {
  return field ? { code: 409, messageZh, field } : { code: 409, messageZh };
}

function invalid(field: string, messageZh: string): Guard {
  return { code: 422, messageZh, field };
}

function needOpen(ruleId: CaseRuleId, messageZh: string) {
  return (state: CaseState): Guard | null => (hasOpen(state, ruleId) ? null : conflict(messageZh));
}

/** The EEB can decide the administrative outcome only after the notice it waits for has arrived. */
function eebMayDecide(state: CaseState): Guard | null {
  switch (state.stage) {
    case 'notFiled':
      return state.notices.nonFiling === undefined ? conflict('尚未收到公安机关的不予立案通知书') : null;
    case 'reasonsUpheld':
      return state.notices.reviewOutcome === undefined ? conflict('检察机关尚未告知立案监督审查结果') : null;
    case 'notProsecuted':
      return state.notices.nonProsecution === undefined ? conflict('检察机关尚未书面告知不起诉决定') : null;
    default:
      return null;
  }
}

function findClock(state: CaseState, clockId: string): OpenClock | undefined {
  return state.clocks.find((c) => c.clockId === clockId);
}

/** Common checks of the clock-management steps: the clock exists and the actor's agency is responsible for it. */
function clockOwnerCheck(state: CaseState, clockId: string, actor: Actor): Guard | { clock: OpenClock } {
  const clock = findClock(state, clockId);
  if (!clock) return conflict(`未找到进行中的期限：${clockId}`, 'clockId');
  if (actor.agency !== clock.responsibleAgency) {
    return {
      code: 403,
      messageZh: `该期限由${AGENCY_LABELS[clock.responsibleAgency]}负责，只能由其办理`,
      field: 'clockId',
    };
  }
  return { clock };
}

// ---------------------------------------------------------------------------------------------------------------
// Extension policy: which clocks the generic extendClock may extend, and how far (the law's limits).

export interface ExtensionPolicy {
  unit: 'days' | 'workdays' | 'months';
  /** The deadline engine's option id (domain/deadlines rules); with grounds, `groundsOption`. */
  option: string;
  groundsOption?: string;
  /** Total added over all extensions; absent = no limit in law (policy-default clocks). */
  maxTotal?: number;
  maxCount?: number;
  /** A larger total allowed on named grounds. */
  groundsMaxTotal?: { grounds: readonly string[]; maxTotal: number };
  basisZh: string;
}

export const EXTENSION_POLICY: Partial<Record<CaseRuleId, ExtensionPolicy>> = {
  // "立即" has no extension; the report has no limit in law (policy default 7 days): the EEB head may extend it.
  'eeb.transfer-report': { unit: 'days', option: 'policy', basisZh: `${D310}第五条（法律未规定期限，默认7日）` },
  // 3 days after detention; "特殊情况下…延长一日至四日"; 流窜/多次/结伙 "延长至三十日".
  'psb.arrest-request': {
    unit: 'days',
    option: 'special',
    groundsOption: 'gang',
    maxTotal: 4,
    groundsMaxTotal: { grounds: ['roving', 'repeated', 'gang'], maxTotal: 27 },
    basisZh: `${CPL}第九十一条；${PSBCR}第一百二十九条`,
  },
  // 15 days, 重大复杂 not more than 20.
  'spp.arrest-decision.not-detained': {
    unit: 'days',
    option: 'majorComplex',
    maxTotal: 5,
    maxCount: 1,
    basisZh: `${SPPR}第二百八十二条`,
  },
  // 1 month, 重大复杂 +15 days.
  'spp.prosecution-review': {
    unit: 'days',
    option: 'majorComplex',
    maxTotal: 15,
    maxCount: 1,
    basisZh: `${CPL}第一百七十二条；${SPPR}第三百五十一条`,
  },
  // 30 days, 重大复杂 +30 with the next level's approval.
  'psb.public-security-case-limit': {
    unit: 'days',
    option: 'majorComplex',
    maxTotal: 30,
    maxCount: 1,
    basisZh: `${PSBAR}第一百六十五条`,
  },
};

/** The extension policy of a clock: its effective rule's, else its base rule's. */
export function policyOf(clock: OpenClock): ExtensionPolicy | undefined {
  return EXTENSION_POLICY[clock.ruleId] ?? EXTENSION_POLICY[clock.baseRuleId];
}

/** Clocks with their own extension step (their law names variants or approvals per round). */
export const DEDICATED_EXTENSION: Partial<Record<CaseRuleId, { step: string; labelZh: string }>> = {
  'psb.filing-decision': { step: 'extendFilingDecision', labelZh: '延长立案审查期限（7日 / 30日）' },
  'psb.investigation-custody': { step: 'extendInvestigationCustody', labelZh: '延长侦查羁押期限' },
};

/** Investigation custody extensions (CPL Arts 156, 158, 159): months added and who must approve, per round. */
export const CUSTODY_EXTENSIONS = [
  {
    months: 1,
    option: 'complex',
    authority: 'higherSpp',
    authorityZh: '上一级人民检察院',
    basisZh: `${CPL}第一百五十六条`,
  },
  {
    months: 2,
    option: 'provincial',
    authority: 'provincialSpp',
    authorityZh: '省级人民检察院',
    basisZh: `${CPL}第一百五十八条`,
  },
  {
    months: 2,
    option: 'tenYears',
    authority: 'provincialSpp',
    authorityZh: '省级人民检察院',
    basisZh: `${CPL}第一百五十九条`,
  },
] as const;

export const CPL158_GROUNDS = ['remoteArea', 'criminalGroup', 'rovingCrime', 'wideScope'] as const;
export const CPL158_GROUNDS_ZH: Record<(typeof CPL158_GROUNDS)[number], string> = {
  remoteArea: '交通十分不便的边远地区的重大复杂案件',
  criminalGroup: '重大的犯罪集团案件',
  rovingCrime: '流窜作案的重大复杂案件',
  wideScope: '犯罪涉及面广，取证困难的重大复杂案件',
};

// ---------------------------------------------------------------------------------------------------------------
// The table

export const STEPS = {
  // ===== Criminal transfer (§A) =================================================================================
  formTaskForce: step({
    labelZh: '成立专案组',
    eventType: 'taskForceFormed',
    basisZh: `${D310}第五条第一款`,
    performers: EEB,
    from: ['lead'],
    schema: z.object({
      members: z.array(name).min(2),
      documentNumber: docNo.optional(),
    }),
    to: 'taskForce',
    closes: ['eeb.task-force'],
    opens: [{ ruleId: 'eeb.transfer-report' }],
    primary: true,
  }),

  submitTransferReport: step({
    labelZh: '提交移送涉嫌犯罪案件书面报告',
    eventType: 'transferReportSubmitted',
    basisZh: `${D310}第五条；${M2017}第五条`,
    performers: EEB,
    from: ['taskForce'],
    documentZh: '移送涉嫌犯罪案件书面报告',
    schema: z.object({ documentNumber: docNo, summary: text.optional() }),
    to: 'approvalPending',
    closes: ['eeb.transfer-report'],
    opens: [{ ruleId: 'eeb.transfer-approval' }],
    primary: true,
  }),

  approveTransfer: step({
    labelZh: '负责人批准移送',
    eventType: 'transferApproved',
    basisZh: `${D310}第五条第二款；${M2017}第五条`,
    performers: EEB_HEAD,
    from: ['approvalPending'],
    documentZh: '批准移送审批文书',
    schema: z.object({ documentNumber: docNo }),
    to: 'transferApproved',
    closes: ['eeb.transfer-approval'],
    opens: [{ ruleId: 'eeb.transfer-delivery' }],
    primary: true,
  }),

  refuseTransfer: step({
    labelZh: '负责人不批准移送',
    eventType: 'transferRefused',
    basisZh: `${D310}第五条第二款（不予批准的理由记录在案）`,
    performers: EEB_HEAD,
    from: ['approvalPending'],
    schema: z.object({ reasons: text, documentNumber: docNo.optional() }),
    to: 'transferRefused',
    closes: ['eeb.transfer-approval'],
    primary: true,
  }),

  issueTransferOpinion: step({
    labelZh: '检察机关提出建议移送的检察意见',
    eventType: 'transferOpinionIssued',
    basisZh: `${M2017}第十四条；${SPPR}第五百五十七条第三款`,
    performers: SPP,
    from: ['administrativePenalty', 'lead', 'taskForce', 'approvalPending', 'transferApproved', 'transferRefused'],
    documentZh: '检察意见书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'transferOpinionIssued',
    // The 3-day duty of 2017 Art 14 replaces the EEB's internal transfer clocks.
    closes: ['eeb.task-force', 'eeb.transfer-report', 'eeb.transfer-approval', 'eeb.transfer-delivery'],
    opens: [{ ruleId: 'eeb.transfer-after-procuratorate-opinion' }],
    primary: false,
    effect(d) {
      d.track = 'criminal';
      d.transferOpinionIssued = true;
    },
  }),

  deliverTransfer: step({
    labelZh: '向公安机关移送案件（移送书抄送检察院）',
    eventType: 'transferDelivered',
    basisZh: `${D310}第五条、第六条；${M2017}第六条、第十四条`,
    performers: EEB,
    from: ['transferApproved', 'transferOpinionIssued'],
    documentZh: '涉嫌犯罪案件移送书',
    schema: z.object({
      documentNumber: docNo,
      copiedToSpp,
      psbUnit: name.optional(),
      materials: z.array(name).optional(),
    }),
    to: 'delivered',
    closes: ['eeb.transfer-delivery', 'eeb.transfer-after-procuratorate-opinion'],
    opens: [{ ruleId: 'psb.receipt' }],
    primary: true,
    effect(d, input) {
      if (input.psbUnit) d.psbUnit = input.psbUnit;
    },
  }),

  acknowledgeReceipt: step({
    labelZh: '接受案件并出具回执',
    eventType: 'receiptIssued',
    basisZh: `${M2017}第七条；${D310}第七条`,
    performers: PSB,
    from: ['delivered'],
    documentZh: '接受案件回执',
    schema: z.object({ documentNumber: docNo }),
    to: 'accepted',
    closes: ['psb.receipt'],
    opens: [{ ruleId: 'psb.filing-decision' }],
    primary: true,
    effect(d, _input, ctx) {
      d.milestones.acceptedAtMs = ctx.nowMs;
    },
  }),

  notifyMaterialsIncomplete: step({
    labelZh: '书面告知移送材料不全（限期补正）',
    eventType: 'materialsIncompleteNotified',
    basisZh: `${M2017}第八条；${PSBCR}第一百八十条第二款`,
    performers: PSB,
    from: ['accepted'],
    documentZh: '补正材料通知书',
    schema: z.object({ documentNumber: docNo, missingItems: z.array(name).min(1) }),
    opens: [{ ruleId: 'eeb.materials-supplement' }],
    windows: [{ ruleId: 'psb.materials-incomplete-notice', since: 'acceptedAtMs' }],
    primary: false,
    precondition: (s) =>
      hasOpen(s, 'eeb.materials-supplement') ? conflict('已告知补正，尚待生态环境局补正材料') : null,
  }),

  supplementMaterials: step({
    labelZh: '补正移送材料',
    eventType: 'materialsSupplemented',
    basisZh: `${M2017}第八条`,
    performers: EEB,
    from: ['accepted', 'supervision', 'noticeToFile', ...AFTER_FILING],
    documentZh: '补正材料清单或书面说明',
    schema: z.object({
      documentNumber: docNo,
      outcome: z.enum(['supplemented', 'cannotSupplement']),
      explanation: text.optional(),
    }),
    closes: ['eeb.materials-supplement'],
    primary: true,
    precondition: needOpen('eeb.materials-supplement', '公安机关未要求补正材料'),
    check: (_s, input) =>
      input.outcome === 'cannotSupplement' && !input.explanation
        ? invalid('explanation', '因客观条件所限无法补正的，须作出书面说明（explanation）')
        : null,
  }),

  forwardToCompetentPsb: step({
    labelZh: '转送有管辖权的公安机关',
    eventType: 'forwardedToCompetentPsb',
    basisZh: `${D310}第七条；${M2017}第九条`,
    performers: PSB,
    from: ['accepted'],
    documentZh: '移送案件通知书',
    schema: z.object({ documentNumber: docNo, competentPsb: name, copiedToSpp }),
    to: 'delivered',
    // The competent PSB accepts anew; its filing clock starts at its own acceptance.
    closes: ['psb.filing-decision', 'eeb.materials-supplement'],
    opens: [{ ruleId: 'psb.receipt' }],
    windows: [{ ruleId: 'psb.jurisdiction-forward', since: 'acceptedAtMs' }],
    primary: false,
    effect(d, input) {
      d.psbUnit = input.competentPsb;
      delete d.milestones.acceptedAtMs;
    },
  }),

  returnNonPolice: step({
    labelZh: '不属公安机关管辖，退回生态环境局',
    eventType: 'returnedNonPolice',
    basisZh: `${M2017}第九条；${PSBCR}第一百八十条第三款`,
    performers: PSB,
    from: ['accepted'],
    documentZh: '退回案件通知书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'returnedToEeb',
    closes: ['psb.filing-decision', 'eeb.materials-supplement'],
    windows: [{ ruleId: 'psb.return-non-police', since: 'acceptedAtMs' }],
    primary: false,
  }),

  extendFilingDecision: step({
    labelZh: '延长立案审查期限（7日 / 30日）',
    eventType: 'filingDecisionExtended',
    basisZh: `${M2017}第九条`,
    performers: PSB,
    from: ['accepted', 'supervision'],
    schema: z.object({
      /** verify: 线索需要查证 → 7 days; major: 重大疑难复杂 → 30 days with county-level PSB head approval. */
      variant: z.enum(['verify', 'major']),
      reason: text,
      approval: approval.optional(),
    }),
    primary: false,
    precondition: needOpen('psb.filing-decision', '没有进行中的立案审查期限'),
    check(s, input) {
      if (input.variant === 'major' && !input.approval) {
        return invalid('approval', '延长至三十日须经县级以上公安机关负责人批准：缺少审批信息（approval）');
      }
      const clock = openClocksOf(s, 'psb.filing-decision')[0];
      if (clock.ruleId === 'psb.filing-decision.major') return conflict('立案审查期限已延长至三十日，不得再延长');
      if (clock.ruleId === 'psb.filing-decision.verify' && input.variant === 'verify') {
        return conflict('立案审查期限已延长至七日');
      }
      return null;
    },
    effect(d, input, ctx) {
      const clock = openClocksOf(d, 'psb.filing-decision')[0];
      const toRuleId: CaseRuleId =
        input.variant === 'major' ? 'psb.filing-decision.major' : 'psb.filing-decision.verify';
      const ext: ClockExtension = {
        kind: 'variant',
        option: input.variant,
        atMs: ctx.nowMs,
        fromRuleId: clock.ruleId,
        toRuleId,
        reason: input.reason,
        byUserId: ctx.actor.userId,
        ...(input.approval ? { approval: input.approval } : {}),
      };
      clock.extensions.push(ext);
      clock.ruleId = toRuleId;
      if (input.variant === 'major') d.flags.major = true;
      ctx.changed(clock.clockId);
      ctx.note('clockId', clock.clockId);
      ctx.note('toRuleId', toRuleId);
    },
  }),

  fileCase: step({
    labelZh: '决定立案',
    eventType: 'filed',
    basisZh: `${M2017}第九条；${D310}第八条；${PSBCR}第一百七十八条、第一百八十二条`,
    performers: PSB,
    from: ['accepted', 'supervision'],
    documentZh: '立案决定书',
    schema: z.object({ documentNumber: docNo }),
    to: 'investigation',
    closes: [
      'psb.filing-decision',
      'psb.late-decision-explanation',
      'psb.non-filing-explanation',
      'psb.decision-notice',
    ],
    opens: [{ ruleId: 'psb.decision-notice' }],
    primary: true,
    effect(d, _input, ctx) {
      d.pendingDecisionNotice = 'filed';
      d.supervision = null;
      d.milestones.filedAtMs = ctx.nowMs;
    },
  }),

  declineFiling: step({
    labelZh: '决定不予立案（说明理由）',
    eventType: 'notFiled',
    basisZh: `${M2017}第九条；${D310}第八条`,
    performers: PSB,
    from: ['accepted', 'supervision'],
    documentZh: '不予立案决定书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'notFiled',
    closes: ['psb.filing-decision', 'psb.late-decision-explanation', 'eeb.materials-supplement', 'psb.decision-notice'],
    opens: [{ ruleId: 'psb.decision-notice' }],
    primary: true,
    precondition: (s) =>
      s.stage === 'supervision' && !hasOpen(s, 'psb.filing-decision') ? conflict('公安机关已作出不予立案决定') : null,
    effect(d) {
      d.pendingDecisionNotice = 'notFiled';
      d.supervision = null;
    },
  }),

  notifyFiling: step({
    labelZh: '书面通知生态环境局立案决定（抄送检察院）',
    eventType: 'filingNotified',
    basisZh: `${M2017}第九条；${D310}第八条`,
    performers: PSB,
    from: AFTER_FILING,
    documentZh: '立案通知书',
    schema: z.object({ documentNumber: docNo, copiedToSpp }),
    closes: ['psb.decision-notice'],
    opens: [{ ruleId: 'eeb.evidence-handover' }],
    primary: true,
    precondition: (s) => (s.pendingDecisionNotice === 'filed' ? null : conflict('没有待送达的立案通知')),
    effect(d) {
      d.pendingDecisionNotice = null;
    },
  }),

  notifyNonFiling: step({
    labelZh: '书面通知不予立案决定（说明理由、退回案卷、抄送检察院）',
    eventType: 'nonFilingNotified',
    basisZh: `${M2017}第九条；${D310}第八条`,
    performers: PSB,
    from: ['notFiled', 'supervision'],
    documentZh: '不予立案通知书',
    schema: z.object({ documentNumber: docNo, copiedToSpp, materialsReturned: z.literal(true) }),
    closes: ['psb.decision-notice'],
    primary: true,
    precondition: (s) => (s.pendingDecisionNotice === 'notFiled' ? null : conflict('没有待送达的不予立案通知')),
    effect(d, _input, ctx) {
      d.pendingDecisionNotice = null;
      d.notices.nonFiling = ctx.nowMs;
      // The EEB may ask for reconsideration within 3 workdays of receiving the notice (only while not supervised).
      if (d.stage === 'notFiled' && !d.reconsiderationUsed) ctx.open('eeb.reconsideration-request');
    },
  }),

  handOverEvidence: step({
    labelZh: '移交涉案物品及有关材料',
    eventType: 'evidenceHandedOver',
    basisZh: `${D310}第十二条；${M2017}第十条`,
    performers: EEB,
    from: AFTER_FILING,
    documentZh: '涉案物品移交清单',
    schema: z.object({ documentNumber: docNo, items: z.array(name).optional() }),
    closes: ['eeb.evidence-handover'],
    primary: true,
    precondition: needOpen('eeb.evidence-handover', '没有待移交的涉案物品（尚未收到立案通知）'),
  }),

  requestReconsideration: step({
    labelZh: '申请复议',
    eventType: 'reconsiderationRequested',
    basisZh: `${M2017}第十一条；${D310}第九条`,
    performers: EEB,
    from: ['notFiled'],
    documentZh: '复议申请书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'reconsideration',
    closes: ['eeb.reconsideration-request'],
    opens: [{ ruleId: 'psb.reconsideration-decision' }],
    primary: true,
    precondition(s) {
      if (s.notices.nonFiling === undefined) return conflict('尚未收到不予立案通知书，不能申请复议');
      if (s.reconsiderationUsed) return conflict('已申请过复议，可以建议检察院进行立案监督');
      const clock = openClocksOf(s, 'eeb.reconsideration-request')[0];
      if (!clock || clock.overdueAtMs !== undefined) return conflict('申请复议的期限（3个工作日）已过');
      return null;
    },
    effect(d) {
      d.reconsiderationUsed = true;
    },
  }),

  grantReconsideration: step({
    labelZh: '复议决定立案',
    eventType: 'reconsiderationGranted',
    basisZh: `${M2017}第十一条`,
    performers: PSB,
    from: ['reconsideration'],
    documentZh: '复议决定书',
    schema: z.object({ documentNumber: docNo }),
    to: 'investigation',
    closes: ['psb.reconsideration-decision'],
    // The reconsideration decision is itself the written notice to the EEB.
    opens: [{ ruleId: 'eeb.evidence-handover' }],
    primary: true,
    effect(d, _input, ctx) {
      d.milestones.filedAtMs = ctx.nowMs;
    },
  }),

  upholdNonFiling: step({
    labelZh: '复议维持不予立案',
    eventType: 'reconsiderationRejected',
    basisZh: `${M2017}第十一条；${D310}第九条第二款`,
    performers: PSB,
    from: ['reconsideration'],
    documentZh: '复议决定书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'notFiled',
    closes: ['psb.reconsideration-decision'],
    opens: [{ ruleId: 'eeb.supervision-proposal' }],
    primary: true,
  }),

  proposeSupervision: step({
    labelZh: '建议检察院进行立案监督',
    eventType: 'supervisionProposed',
    basisZh: `${M2017}第十二条、第十三条；${D310}第九条`,
    performers: EEB,
    from: ['notFiled', 'accepted'],
    documentZh: '立案监督建议书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'supervision',
    closes: ['eeb.reconsideration-request', 'eeb.supervision-proposal'],
    primary: true,
    precondition(s) {
      if (s.stage === 'notFiled') {
        return s.notices.nonFiling === undefined ? conflict('尚未收到不予立案通知书') : null;
      }
      const clock = openClocksOf(s, 'psb.filing-decision')[0];
      return clock && clock.overdueAtMs !== undefined ? null : conflict('公安机关立案审查期限尚未届满');
    },
    effect(d) {
      d.supervision = {
        origin: 'eebProposal',
        kind: d.stage === 'accepted' ? 'lateDecision' : 'nonFiling',
        explanation: 'none',
      };
    },
  }),

  requestFilingExplanation: step({
    labelZh: '要求公安机关说明不立案理由',
    eventType: 'nonFilingExplanationRequested',
    basisZh: `${CPL}第一百一十三条；${SPPR}第五百五十九条、第五百六十条；${M2017}第十五条`,
    performers: SPP,
    from: ['notFiled', 'supervision'],
    documentZh: '要求说明不立案理由通知书',
    schema: z.object({ documentNumber: docNo }),
    to: 'supervision',
    closes: ['eeb.reconsideration-request', 'eeb.supervision-proposal'],
    opens: [{ ruleId: 'psb.non-filing-explanation' }],
    primary: true,
    precondition(s) {
      if (s.stage !== 'supervision') return null;
      if (s.supervision?.kind !== 'nonFiling') return conflict('公安机关尚未作出不予立案决定');
      return s.supervision.explanation === 'none' ? null : conflict('已要求公安机关说明理由');
    },
    effect(d) {
      d.supervision = { origin: d.supervision?.origin ?? 'sppInitiative', kind: 'nonFiling', explanation: 'requested' };
    },
  }),

  requestLateDecisionExplanation: step({
    labelZh: '要求公安机关说明逾期未作立案决定的理由',
    eventType: 'lateDecisionExplanationRequested',
    basisZh: `${SPPR}第五百六十二条；${M2017}第十五条`,
    performers: SPP,
    from: ['accepted', 'supervision'],
    documentZh: '要求说明逾期理由通知书',
    schema: z.object({ documentNumber: docNo }),
    to: 'supervision',
    opens: [{ ruleId: 'psb.late-decision-explanation' }],
    primary: true,
    precondition(s) {
      if (s.stage === 'supervision') {
        if (s.supervision?.kind !== 'lateDecision') return conflict('该立案监督不属于逾期未作决定的情形');
        if (s.supervision.explanation !== 'none') return conflict('已要求公安机关说明理由');
        return null;
      }
      const clock = openClocksOf(s, 'psb.filing-decision')[0];
      return clock && clock.overdueAtMs !== undefined ? null : conflict('公安机关立案审查期限尚未届满');
    },
    effect(d) {
      d.supervision = {
        origin: d.supervision?.origin ?? 'sppInitiative',
        kind: 'lateDecision',
        explanation: 'requested',
      };
    },
  }),

  explainNonFiling: step({
    labelZh: '书面说明不立案理由',
    eventType: 'nonFilingExplained',
    basisZh: `${SPPR}第五百六十条；${PSBCR}第一百八十二条`,
    performers: PSB,
    from: ['supervision'],
    documentZh: '不立案理由说明书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    closes: ['psb.non-filing-explanation'],
    primary: true,
    precondition: needOpen('psb.non-filing-explanation', '检察院未要求说明不立案理由'),
    effect(d) {
      if (d.supervision) d.supervision.explanation = 'received';
    },
  }),

  explainLateDecision: step({
    labelZh: '书面说明逾期未作立案决定的理由',
    eventType: 'lateDecisionExplained',
    basisZh: `${SPPR}第五百六十二条`,
    performers: PSB,
    from: ['supervision'],
    documentZh: '逾期理由说明书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    closes: ['psb.late-decision-explanation'],
    primary: true,
    precondition: needOpen('psb.late-decision-explanation', '检察院未要求说明逾期理由'),
    effect(d) {
      if (d.supervision) d.supervision.explanation = 'received';
    },
  }),

  noticeToFile: step({
    labelZh: '通知公安机关立案',
    eventType: 'noticeToFileIssued',
    basisZh: `${CPL}第一百一十三条；${SPPR}第五百六十一条至第五百六十三条`,
    performers: SPP,
    from: ['supervision'],
    documentZh: '通知立案书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'noticeToFile',
    closes: ['psb.non-filing-explanation', 'psb.late-decision-explanation', 'psb.filing-decision'],
    opens: [{ ruleId: 'psb.file-after-notice' }],
    primary: true,
    precondition(s) {
      const sv = s.supervision;
      if (!sv || sv.explanation === 'none') return conflict('须先要求公安机关说明理由');
      if (sv.explanation === 'received') return null;
      const pending = [
        ...openClocksOf(s, 'psb.non-filing-explanation'),
        ...openClocksOf(s, 'psb.late-decision-explanation'),
      ];
      return pending.some((c) => c.overdueAtMs !== undefined)
        ? null
        : conflict('公安机关说明理由的期限（7日）尚未届满');
    },
  }),

  findReasonsStand: step({
    labelZh: '认定不立案理由成立',
    eventType: 'nonFilingReasonsUpheld',
    basisZh: `${SPPR}第五百六十一条第二款`,
    performers: SPP,
    from: ['supervision'],
    schema: z.object({ reasons: text, documentNumber: docNo.optional() }),
    to: 'reasonsUpheld',
    opens: [{ ruleId: 'spp.review-outcome-notice' }],
    primary: true,
    precondition: (s) =>
      s.supervision?.kind === 'nonFiling' && s.supervision.explanation === 'received'
        ? null
        : conflict('须先收到公安机关的不立案理由说明'),
    effect(d) {
      d.supervision = null;
    },
  }),

  notifyReviewOutcome: step({
    labelZh: '告知生态环境局不立案理由成立',
    eventType: 'reviewOutcomeNotified',
    basisZh: `${SPPR}第五百六十一条第二款`,
    performers: SPP,
    from: ['reasonsUpheld'],
    documentZh: '立案监督审查结果告知书',
    schema: z.object({ documentNumber: docNo }),
    closes: ['spp.review-outcome-notice'],
    primary: true,
    precondition: needOpen('spp.review-outcome-notice', '审查结果已告知'),
    effect(d, _input, ctx) {
      d.notices.reviewOutcome = ctx.nowMs;
    },
  }),

  fileAfterNotice: step({
    labelZh: '接到通知立案书后立案',
    eventType: 'filedAfterNotice',
    basisZh: `${CPL}第一百一十三条；${SPPR}第五百六十三条；${PSBCR}第一百八十二条`,
    performers: PSB,
    from: ['noticeToFile'],
    documentZh: '立案决定书',
    schema: z.object({ documentNumber: docNo }),
    to: 'investigation',
    closes: ['psb.file-after-notice', 'psb.decision-notice'],
    opens: [{ ruleId: 'psb.decision-notice' }, { ruleId: 'spp.supervised-case-followup' }],
    primary: true,
    effect(d, _input, ctx) {
      d.pendingDecisionNotice = 'filed';
      d.supervision = null;
      d.milestones.filedAtMs = ctx.nowMs;
    },
  }),

  urgeInvestigation: step({
    labelZh: '发出立案监督案件催办函',
    eventType: 'investigationUrged',
    basisZh: `${SPPR}第五百六十四条第三款`,
    performers: SPP,
    from: ['investigation', 'arrestReview', 'supplementaryInvestigation'],
    documentZh: '立案监督案件催办函',
    schema: z.object({ documentNumber: docNo }),
    closes: ['spp.supervised-case-followup'],
    primary: false,
    precondition: needOpen('spp.supervised-case-followup', '该案不是监督立案的案件，或已催办'),
  }),

  reportInvestigationProgress: step({
    labelZh: '反馈侦查工作进展',
    eventType: 'investigationProgressReported',
    basisZh: `${SPPR}第五百六十四条第三款`,
    performers: PSB,
    from: ['investigation', 'supplementaryInvestigation'],
    schema: z.object({ summary: text, documentNumber: docNo.optional() }),
    primary: false,
  }),

  // ===== Criminal proceedings after filing (§B) ==================================================================
  detainSuspect: step({
    labelZh: '刑事拘留犯罪嫌疑人',
    eventType: 'suspectDetained',
    basisZh: `${CPL}第九十一条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '拘留证',
    schema: z.object({ documentNumber: docNo }),
    opens: [{ ruleId: 'psb.arrest-request', when: 'custody' }],
    primary: false,
    precondition: (s) => (s.custody ? conflict('犯罪嫌疑人已在押') : null),
    effect(d) {
      d.custody = true;
    },
  }),

  releaseSuspect: step({
    labelZh: '释放或变更强制措施',
    eventType: 'suspectReleased',
    basisZh: `${CPL}第九十一条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '释放或变更强制措施文书',
    schema: z.object({
      documentNumber: docNo,
      measure: z.enum(['release', 'bail', 'residentialSurveillance']),
      reasons: text,
    }),
    closes: ['psb.arrest-request', 'psb.investigation-custody'],
    primary: false,
    precondition: (s) => (s.custody ? null : conflict('犯罪嫌疑人未在押')),
    effect(d) {
      d.custody = false;
    },
  }),

  requestArrest: step({
    labelZh: '提请批准逮捕',
    eventType: 'arrestRequested',
    basisZh: `${CPL}第九十一条；${SPPR}第二百八十二条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '提请批准逮捕书',
    schema: z.object({ documentNumber: docNo }),
    to: 'arrestReview',
    closes: ['psb.arrest-request'],
    opens: [
      { ruleId: 'spp.arrest-decision', when: 'custody' },
      { ruleId: 'spp.arrest-decision.not-detained', when: 'noCustody' },
    ],
    primary: true,
    precondition: (s) =>
      s.arrest === 'approved' || s.arrest === 'arrested' ? conflict('已批准逮捕，无需再次提请') : null,
    effect(d) {
      d.arrest = 'requested';
    },
  }),

  approveArrest: step({
    labelZh: '批准逮捕',
    eventType: 'arrestApproved',
    basisZh: `${CPL}第九十一条；${M2017}第十八条`,
    performers: SPP,
    from: ['arrestReview'],
    documentZh: '批准逮捕决定书',
    schema: z.object({ documentNumber: docNo }),
    to: 'investigation',
    closes: ['spp.arrest-decision'],
    primary: true,
    effect(d) {
      d.arrest = 'approved';
    },
  }),

  disapproveArrest: step({
    labelZh: '不批准逮捕',
    eventType: 'arrestNotApproved',
    basisZh: `${CPL}第九十一条；${M2017}第十九条`,
    performers: SPP,
    from: ['arrestReview'],
    documentZh: '不批准逮捕决定书',
    schema: z.object({
      documentNumber: docNo,
      reasons: text,
      /** 补充侦查提纲 when the PSB is told to investigate further (2017 Art 19). */
      supplementaryOutline: text.optional(),
    }),
    to: 'investigation',
    closes: ['spp.arrest-decision'],
    primary: true,
    effect(d, _input, ctx) {
      d.arrest = 'notApproved';
      // CPL Art 91: a detained suspect is released at once.
      if (d.custody) ctx.note('releaseRequired', true);
      d.custody = false;
    },
  }),

  executeArrest: step({
    labelZh: '执行逮捕',
    eventType: 'arrestExecuted',
    basisZh: `${CPL}第一百五十六条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '逮捕证',
    schema: z.object({ documentNumber: docNo }),
    closes: ['psb.arrest-request'],
    opens: [{ ruleId: 'psb.investigation-custody', when: 'custody' }],
    primary: true,
    precondition: (s) => (s.arrest === 'approved' ? null : conflict('尚未批准逮捕')),
    effect(d) {
      d.arrest = 'arrested';
      d.custody = true;
    },
  }),

  extendInvestigationCustody: step({
    labelZh: '延长侦查羁押期限',
    eventType: 'investigationCustodyExtended',
    basisZh: `${CPL}第一百五十六条、第一百五十八条、第一百五十九条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '批准延长侦查羁押期限决定书',
    schema: z.object({
      documentNumber: docNo,
      reason: text,
      approval: z.object({
        approverName: name,
        authority: z.enum(['higherSpp', 'provincialSpp']),
        documentNumber: docNo.optional(),
      }),
      ground: z.enum(CPL158_GROUNDS).optional(),
      possibleSentenceTenYearsPlus: z.boolean().optional(),
    }),
    primary: false,
    precondition(s) {
      if (!hasOpen(s, 'psb.investigation-custody')) return conflict('没有进行中的侦查羁押期限');
      return s.investigationCustodyExtensions >= CUSTODY_EXTENSIONS.length
        ? conflict('侦查羁押期限已依法延长三次，不得再延长')
        : null;
    },
    check(s, input) {
      const round = CUSTODY_EXTENSIONS[s.investigationCustodyExtensions];
      if (input.approval.authority !== round.authority) {
        return invalid(
          'approval.authority',
          `第${s.investigationCustodyExtensions + 1}次延长须经${round.authorityZh}批准（${round.basisZh}）`,
        );
      }
      if (s.investigationCustodyExtensions === 1 && !input.ground) {
        return invalid('ground', `第二次延长须属于${CPL}第一百五十八条所列案件（ground）`);
      }
      if (s.investigationCustodyExtensions === 2 && input.possibleSentenceTenYearsPlus !== true) {
        return invalid(
          'possibleSentenceTenYearsPlus',
          `第三次延长仅适用于可能判处十年有期徒刑以上刑罚的案件（${CPL}第一百五十九条）`,
        );
      }
      return null;
    },
    effect(d, input, ctx) {
      const clock = openClocksOf(d, 'psb.investigation-custody')[0];
      const round = CUSTODY_EXTENSIONS[d.investigationCustodyExtensions];
      clock.extensions.push({
        kind: 'add',
        option: round.option,
        atMs: ctx.nowMs,
        amount: round.months,
        unit: 'months',
        reason: input.reason,
        byUserId: ctx.actor.userId,
        ...(input.ground ? { ground: input.ground } : {}),
        approval: { ...input.approval },
      });
      d.investigationCustodyExtensions += 1;
      ctx.changed(clock.clockId);
      ctx.note('clockId', clock.clockId);
      ctx.note('round', d.investigationCustodyExtensions);
      ctx.note('months', round.months);
    },
  }),

  transferForProsecution: step({
    labelZh: '移送审查起诉',
    eventType: 'transferredForProsecution',
    basisZh: `${CPL}第一百七十二条；${M2017}第三十四条`,
    performers: PSB,
    from: ['investigation'],
    documentZh: '起诉意见书',
    schema: z.object({ documentNumber: docNo }),
    to: 'prosecutionReview',
    closes: ['psb.investigation-custody', 'psb.arrest-request', 'spp.supervised-case-followup'],
    opens: [{ ruleId: 'spp.prosecution-review' }],
    primary: true,
  }),

  returnForSupplementaryInvestigation: step({
    labelZh: '退回补充侦查',
    eventType: 'returnedForSupplementaryInvestigation',
    basisZh: `${CPL}第一百七十五条；${M2017}第十九条`,
    performers: SPP,
    from: ['prosecutionReview'],
    documentZh: '退回补充侦查决定书',
    schema: z.object({ documentNumber: docNo, outline: text }),
    to: 'supplementaryInvestigation',
    closes: ['spp.prosecution-review'],
    opens: [{ ruleId: 'psb.supplementary-investigation' }],
    primary: true,
    precondition: (s) =>
      s.supplementaryInvestigationRounds >= 2
        ? conflict(`补充侦查以二次为限（${CPL}第一百七十五条），已退回补充侦查二次`)
        : null,
    effect(d, _input, ctx) {
      d.supplementaryInvestigationRounds += 1;
      ctx.note('round', d.supplementaryInvestigationRounds);
    },
  }),

  completeSupplementaryInvestigation: step({
    labelZh: '补充侦查完毕，重新移送审查起诉',
    eventType: 'supplementaryInvestigationCompleted',
    basisZh: `${CPL}第一百七十五条（重新计算审查起诉期限）`,
    performers: PSB,
    from: ['supplementaryInvestigation'],
    documentZh: '补充侦查报告书',
    schema: z.object({ documentNumber: docNo }),
    to: 'prosecutionReview',
    closes: ['psb.supplementary-investigation'],
    opens: [{ ruleId: 'spp.prosecution-review' }],
    primary: true,
  }),

  prosecute: step({
    labelZh: '提起公诉',
    eventType: 'prosecuted',
    basisZh: `${CPL}第一百七十二条；${M2017}第十八条`,
    performers: SPP,
    from: ['prosecutionReview'],
    documentZh: '起诉书',
    schema: z.object({ documentNumber: docNo, court: name.optional() }),
    to: 'trial',
    closes: ['spp.prosecution-review'],
    primary: true,
  }),

  decideNonProsecution: step({
    labelZh: '决定不起诉',
    eventType: 'notProsecuted',
    basisZh: `${CPL}第一百七十五条；${M2017}第十八条`,
    performers: SPP,
    from: ['prosecutionReview'],
    documentZh: '不起诉决定书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'notProsecuted',
    closes: ['spp.prosecution-review'],
    opens: [{ ruleId: 'spp.non-prosecution-notice' }],
    primary: true,
    effect(d) {
      d.custody = false;
    },
  }),

  notifyNonProsecution: step({
    labelZh: '书面告知生态环境局不起诉决定',
    eventType: 'nonProsecutionNotified',
    basisZh: `${M2017}第十八条`,
    performers: SPP,
    from: ['notProsecuted'],
    documentZh: '不起诉决定告知书',
    schema: z.object({
      documentNumber: docNo,
      /** 认为应当给予行政处罚的，可以提出予以行政处罚的检察意见. */
      penaltyOpinion: z.boolean().optional(),
      opinionDocumentNumber: docNo.optional(),
    }),
    closes: ['spp.non-prosecution-notice'],
    primary: true,
    precondition: needOpen('spp.non-prosecution-notice', '不起诉决定已告知'),
    check: (_s, input) =>
      input.penaltyOpinion && !input.opinionDocumentNumber
        ? invalid(
            'opinionDocumentNumber',
            '提出予以行政处罚的检察意见的，须填写检察意见书编号（opinionDocumentNumber）',
          )
        : null,
    effect(d, _input, ctx) {
      d.notices.nonProsecution = ctx.nowMs;
    },
  }),

  recordJudgment: step({
    labelZh: '登记人民法院判决',
    eventType: 'judgmentRecorded',
    basisZh: `${M2017}第十六条、第三十四条`,
    performers: SPP,
    from: ['trial'],
    documentZh: '判决书',
    schema: z.object({
      documentNumber: docNo,
      court: name,
      outcome: z.enum(['convicted', 'acquitted', 'exempted']),
    }),
    to: 'judged',
    primary: true,
    effect(d, input, ctx) {
      d.judgmentOutcome = input.outcome;
      d.custody = false;
      // 2017 Art 16: after an acquittal or exemption the EEB decides whether to impose an administrative penalty.
      if (input.outcome !== 'convicted') ctx.note('administrativePenaltyToConsider', true);
    },
  }),

  reverseTransfer: step({
    labelZh: '反向移送生态环境局（依法予以行政处罚）',
    eventType: 'reverseTransferred',
    basisZh: `${D310}第十三条；${M2017}第十七条；《行政处罚法》第二十七条`,
    performers: PSB,
    from: ['accepted', 'investigation'],
    documentZh: '移送案件通知书',
    schema: z.object({ documentNumber: docNo, reasons: text, copiedToSpp }),
    to: 'reverseTransferred',
    closes: [
      'psb.filing-decision',
      'psb.decision-notice',
      'eeb.materials-supplement',
      'eeb.evidence-handover',
      'psb.arrest-request',
      'psb.investigation-custody',
      'spp.supervised-case-followup',
    ],
    primary: false,
    effect(d) {
      d.custody = false;
      d.pendingDecisionNotice = null;
    },
  }),

  // ===== The EEB's administrative outcome (all tracks) ============================================================
  decideAdministrativePenalty: step({
    labelZh: '作出行政处罚决定',
    eventType: 'administrativePenaltyDecided',
    basisZh: `${D310}第十条；${M2017}第十六条；《行政处罚法》第二十七条`,
    performers: EEB,
    from: EEB_DECIDES,
    documentZh: '行政处罚决定书',
    schema: z.object({ documentNumber: docNo, summary: text.optional() }),
    to: 'penaltyDecided',
    primary: true,
    precondition: eebMayDecide,
  }),

  closeCase: step({
    labelZh: '结案',
    eventType: 'caseClosed',
    basisZh: `${D310}第十条；${M2014}第十五条`,
    performers: EEB,
    from: [...EEB_DECIDES, 'detentionRefused'],
    schema: z.object({ reasons: text, documentNumber: docNo.optional() }),
    to: 'closed',
    primary: true,
    precondition: eebMayDecide,
  }),

  reportSuspectedCrime: step({
    labelZh: '发现涉嫌犯罪，转入移送程序',
    eventType: 'suspectedCrimeFound',
    basisZh: `${D310}第三条、第五条；${M2017}第五条`,
    performers: EEB,
    from: ['administrativePenalty'],
    schema: z.object({ summary: text, documentNumber: docNo.optional() }),
    to: 'lead',
    opens: [{ ruleId: 'eeb.task-force' }],
    primary: false,
    effect(d) {
      d.track = 'criminal';
    },
  }),

  // ===== Detention transfer (§C) =================================================================================
  decideDetentionTransfer: step({
    labelZh: '负责人决定移送行政拘留',
    eventType: 'detentionTransferDecided',
    basisZh: `${M2014}第二条、第十条、第十二条`,
    performers: EEB_HEAD,
    from: ['administrativePenalty'],
    documentZh: '案件移送审批单',
    schema: z.object({ documentNumber: docNo, penaltyDecisionNumber: docNo }),
    to: 'detentionTransferDecided',
    opens: [{ ruleId: 'eeb.detention-transfer' }],
    primary: false,
    effect(d) {
      d.track = 'detention';
    },
  }),

  deliverDetentionTransfer: step({
    labelZh: '移送公安机关（行政拘留）',
    eventType: 'detentionTransferDelivered',
    basisZh: `${M2014}第十一条、第十二条`,
    performers: EEB,
    from: ['detentionTransferDecided'],
    documentZh: '案件移送书',
    schema: z.object({ documentNumber: docNo, psbUnit: name.optional() }),
    to: 'detentionDelivered',
    closes: ['eeb.detention-transfer'],
    primary: true,
    effect(d, input) {
      if (input.psbUnit) d.psbUnit = input.psbUnit;
    },
  }),

  acceptDetentionCase: step({
    labelZh: '受理行政拘留案件',
    eventType: 'detentionCaseAccepted',
    basisZh: `${M2014}第十二条；${PSBAR}第一百六十五条`,
    performers: PSB,
    from: ['detentionDelivered'],
    documentZh: '受案回执',
    schema: z.object({ documentNumber: docNo }),
    to: 'detentionAccepted',
    opens: [{ ruleId: 'psb.public-security-case-limit' }],
    primary: true,
    effect(d, _input, ctx) {
      d.milestones.detentionAcceptedAtMs = ctx.nowMs;
    },
  }),

  requestDetentionEvidence: step({
    labelZh: '书面告知补充移送证据材料',
    eventType: 'detentionEvidenceRequested',
    basisZh: `${M2014}第十三条`,
    performers: PSB,
    from: ['detentionAccepted'],
    documentZh: '补充证据材料告知书',
    schema: z.object({ documentNumber: docNo, items: z.array(name).min(1) }),
    windows: [{ ruleId: 'psb.detention-evidence-request', since: 'detentionAcceptedAtMs' }],
    primary: false,
  }),

  supplementDetentionEvidence: step({
    labelZh: '补充移送证据材料',
    eventType: 'detentionEvidenceSupplemented',
    basisZh: `${M2014}第十三条`,
    performers: EEB,
    from: ['detentionAccepted'],
    documentZh: '补充证据材料清单',
    schema: z.object({ documentNumber: docNo }),
    primary: false,
  }),

  decideDetention: step({
    labelZh: '决定行政拘留',
    eventType: 'detentionDecided',
    basisZh: `${M2014}第十四条`,
    performers: PSB,
    from: ['detentionAccepted'],
    documentZh: '行政拘留决定书',
    schema: z.object({ documentNumber: docNo, days: z.number().int().min(1).max(15) }),
    to: 'detentionDecided',
    closes: ['psb.public-security-case-limit'],
    opens: [{ ruleId: 'psb.detention-decision-copy' }],
    primary: true,
  }),

  refuseDetention: step({
    labelZh: '不予行政拘留（说明理由、退回案卷）',
    eventType: 'detentionRefused',
    basisZh: `${M2014}第十五条`,
    performers: PSB,
    from: ['detentionAccepted'],
    documentZh: '不予行政拘留告知书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'detentionRefused',
    closes: ['psb.public-security-case-limit'],
    windows: [{ ruleId: 'psb.detention-refusal', since: 'detentionAcceptedAtMs' }],
    primary: true,
  }),

  sendDetentionDecisionCopy: step({
    labelZh: '将行政拘留决定书抄送生态环境局',
    eventType: 'detentionDecisionCopied',
    basisZh: `${M2014}第十四条`,
    performers: PSB,
    from: ['detentionDecided'],
    documentZh: '行政拘留决定书（抄送）',
    schema: z.object({ documentNumber: docNo }),
    to: 'detentionConcluded',
    closes: ['psb.detention-decision-copy'],
    primary: true,
  }),

  // ===== At any stage ===========================================================================================
  earlyInvolvement: step({
    labelZh: '提前介入',
    eventType: 'earlyInvolvement',
    basisZh: `实施方案四（二）（三）；${SPPR}第二百五十六条；${M2017}第二十九条`,
    performers: [{ agency: 'psb' }, { agency: 'spp' }],
    from: OPEN_STAGES,
    schema: z.object({ note: text.optional(), documentNumber: docNo.optional() }),
    primary: false,
    crossCutting: true,
    check: (s, _input, actor) =>
      s.flags.earlyInvolvement.includes(actor.agency as CaseAgency)
        ? conflict(`${AGENCY_LABELS[actor.agency]}已提前介入本案`)
        : null,
    effect(d, _input, ctx) {
      d.flags.earlyInvolvement.push(ctx.actor.agency as CaseAgency);
    },
  }),

  jointInvestigation: step({
    labelZh: '联合调查取证',
    eventType: 'jointInvestigation',
    basisZh: `${M2017}第二十七条、第二十八条`,
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    schema: z.object({
      participants: z.array(z.enum(['eeb', 'psb', 'spp'])).min(2),
      note: text,
      documentNumber: docNo.optional(),
    }),
    primary: false,
    crossCutting: true,
    check: (_s, input, actor) =>
      new Set(input.participants).size < 2
        ? invalid('participants', '联合调查取证须至少有两个机关参加（participants）')
        : !input.participants.includes(actor.agency as CaseAgency)
          ? invalid('participants', '参加机关须包括登记本次联合调查的机关（participants）')
          : null,
    effect(d) {
      d.flags.jointInvestigation = true;
    },
  }),

  requestConsultation: step({
    labelZh: '书面咨询',
    eventType: 'consultationRequested',
    basisZh: `${M2017}第二十四条`,
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    documentZh: '书面咨询函',
    schema: z.object({
      documentNumber: docNo,
      toAgency: z.enum(['eeb', 'psb', 'spp']),
      question: text,
    }),
    primary: false,
    crossCutting: true,
    check: (_s, input, actor) =>
      input.toAgency === actor.agency ? invalid('toAgency', '不能向本机关发出书面咨询（toAgency）') : null,
    effect(_d, input, ctx) {
      const clock = ctx.open('any.written-consultation-reply', input.toAgency);
      ctx.note('clockId', clock.clockId);
      ctx.note('fromAgency', ctx.actor.agency);
    },
  }),

  replyConsultation: step({
    labelZh: '书面答复咨询',
    eventType: 'consultationReplied',
    basisZh: `${M2017}第二十四条`,
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    documentZh: '书面答复',
    schema: z.object({ documentNumber: docNo, clockId: name, answer: text }),
    primary: true,
    crossCutting: true,
    precondition: needOpen('any.written-consultation-reply', '没有待答复的书面咨询'),
    check(s, input, actor) {
      const clock = findClock(s, input.clockId);
      if (!clock || clock.baseRuleId !== 'any.written-consultation-reply') {
        return conflict(`未找到待答复的书面咨询：${input.clockId}`, 'clockId');
      }
      if (clock.responsibleAgency !== actor.agency) {
        return { code: 403, messageZh: `该咨询应由${AGENCY_LABELS[clock.responsibleAgency]}答复`, field: 'clockId' };
      }
      return null;
    },
    effect(_d, input, ctx) {
      ctx.closeClock(input.clockId);
    },
  }),

  jointSupervision: step({
    labelZh: '重大案件联合挂牌督办',
    eventType: 'jointSupervisionStarted',
    basisZh: `${M2017}第三十一条`,
    // Art 31 names the three agencies; the working group follows the case but takes no case step (case.act).
    performers: [
      { agency: 'eeb', roles: ['head'] },
      { agency: 'psb', roles: ['head'] },
      { agency: 'spp', roles: ['head'] },
    ],
    from: OPEN_STAGES,
    documentZh: '挂牌督办通知',
    schema: z.object({ documentNumber: docNo, reasons: text.optional() }),
    primary: false,
    crossCutting: true,
    precondition: (s) => (s.flags.jointSupervision ? conflict('本案已挂牌督办') : null),
    effect(d) {
      d.flags.jointSupervision = true;
      d.flags.major = true;
    },
  }),

  withdrawCase: step({
    labelZh: '撤销案件',
    eventType: 'withdrawn',
    basisZh: `${M2017}第九条；${D310}第八条`,
    performers: [{ agency: 'eeb' }, { agency: 'psb' }],
    from: WITHDRAWABLE,
    documentZh: '撤销案件决定书',
    schema: z.object({ documentNumber: docNo, reasons: text }),
    to: 'withdrawn',
    primary: false,
    crossCutting: true,
    authorize(s, actor) {
      const holder = STAGE_HOLDER[s.stage];
      return holder === actor.agency
        ? null
        : {
            code: 403,
            messageZh: `「${STAGE_LABELS[s.stage]}」阶段只能由${holder ? AGENCY_LABELS[holder] : '—'}撤销案件`,
          };
    },
    effect(d) {
      d.flags.withdrawn = true;
      d.custody = false;
    },
  }),

  extendClock: step({
    labelZh: '延长期限（经批准）',
    eventType: 'clockExtended',
    basisZh: '见各期限规则的法律依据',
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    schema: z.object({
      clockId: name,
      amount: z.number().int().min(1).max(366),
      unit: z.enum(['days', 'workdays', 'months']),
      reason: text,
      ground: z.enum(['roving', 'repeated', 'gang']).optional(),
      approval,
    }),
    primary: false,
    crossCutting: true,
    precondition: (s) => (s.clocks.length ? null : conflict('没有进行中的期限')),
    check(s, input, actor) {
      const owner = clockOwnerCheck(s, input.clockId, actor);
      if (!('clock' in owner)) return owner;
      const clock = owner.clock;
      const dedicated = DEDICATED_EXTENSION[clock.baseRuleId];
      if (dedicated) {
        return conflict(`该期限须通过「${dedicated.labelZh}」（${dedicated.step}）延长`, 'clockId');
      }
      const policy = policyOf(clock);
      if (!policy) return conflict('该期限依法不得延长', 'clockId');
      if (input.unit !== policy.unit) {
        return invalid('unit', `该期限以「${UNIT_ZH[policy.unit]}」延长（unit）`);
      }
      const count = clock.extensions.length;
      if (policy.maxCount !== undefined && count >= policy.maxCount) {
        return conflict(`该期限只能延长${policy.maxCount}次（${policy.basisZh}）`, 'clockId');
      }
      const used = clock.extensions.reduce((n, e) => n + (e.kind === 'add' ? e.amount : 0), 0);
      const special = policy.groundsMaxTotal && input.ground && policy.groundsMaxTotal.grounds.includes(input.ground);
      const max = special ? policy.groundsMaxTotal!.maxTotal : policy.maxTotal;
      if (max !== undefined && used + input.amount > max) {
        return conflict(
          `延长总计不得超过${max}${UNIT_ZH[policy.unit]}（已延长${used}${UNIT_ZH[policy.unit]}，${policy.basisZh}）`,
          'amount',
        );
      }
      return null;
    },
    effect(d, input, ctx) {
      const clock = findClock(d, input.clockId)!;
      const policy = policyOf(clock)!;
      const special = policy.groundsMaxTotal && input.ground && policy.groundsMaxTotal.grounds.includes(input.ground);
      clock.extensions.push({
        kind: 'add',
        option: special && policy.groundsOption ? policy.groundsOption : policy.option,
        atMs: ctx.nowMs,
        amount: input.amount,
        unit: input.unit,
        reason: input.reason,
        byUserId: ctx.actor.userId,
        ...(input.ground ? { ground: input.ground } : {}),
        approval: { ...input.approval },
      });
      ctx.changed(clock.clockId);
    },
  }),

  suspendClock: step({
    labelZh: '中止计算期限（经批准）',
    eventType: 'clockSuspended',
    basisZh: `${PSBAR}第一百六十五条第二款（鉴定期间不计入）；${M2017}第十六条`,
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    schema: z.object({
      clockId: name,
      reasonCode: z.enum(['appraisal', 'other']),
      reason: text,
      approval,
    }),
    primary: false,
    crossCutting: true,
    precondition: (s) => (s.clocks.length ? null : conflict('没有进行中的期限')),
    check(s, input, actor) {
      const owner = clockOwnerCheck(s, input.clockId, actor);
      if (!('clock' in owner)) return owner;
      if (owner.clock.custody) return conflict('羁押期限不得中止计算', 'clockId');
      if (owner.clock.suspensions.some((x) => x.toMs === undefined)) return conflict('该期限已中止计算', 'clockId');
      return null;
    },
    effect(d, input, ctx) {
      const clock = findClock(d, input.clockId)!;
      clock.suspensions.push({
        fromMs: ctx.nowMs,
        reason: input.reason,
        reasonCode: input.reasonCode,
        approval: { ...input.approval },
        byUserId: ctx.actor.userId,
      });
      ctx.changed(clock.clockId);
    },
  }),

  resumeClock: step({
    labelZh: '恢复计算期限',
    eventType: 'clockResumed',
    basisZh: `${PSBAR}第一百六十五条第二款`,
    performers: ANY_CASE_AGENCY,
    from: OPEN_STAGES,
    schema: z.object({ clockId: name, reason: text.optional() }),
    primary: false,
    crossCutting: true,
    precondition: (s) =>
      s.clocks.some((c) => c.suspensions.some((x) => x.toMs === undefined)) ? null : conflict('没有中止计算的期限'),
    check(s, input, actor) {
      const owner = clockOwnerCheck(s, input.clockId, actor);
      if (!('clock' in owner)) return owner;
      return owner.clock.suspensions.some((x) => x.toMs === undefined) ? null : conflict('该期限未中止计算', 'clockId');
    },
    effect(d, input, ctx) {
      const clock = findClock(d, input.clockId)!;
      const open = clock.suspensions.find((x) => x.toMs === undefined)!;
      open.toMs = ctx.nowMs;
      ctx.changed(clock.clockId);
    },
  }),
} satisfies Record<string, AnyStepDef>;

export type StepName = keyof typeof STEPS;
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

export const UNIT_ZH: Record<'days' | 'workdays' | 'months', string> = {
  days: '日',
  workdays: '个工作日',
  months: '个月',
};

export function isStepName(name: string): name is StepName {
  return Object.prototype.hasOwnProperty.call(STEPS, name);
}

export function getStep(name: StepName): AnyStepDef {
  return STEPS[name] as AnyStepDef;
}
