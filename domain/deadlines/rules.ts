/**
 * The statutory rule table (statutory-deadlines.md §2) and the default escalation ladder per rule (§3), as data.
 * Rule ids are the contract: code, database rows, logs, notifications, tests and the CLI use them.
 *
 * Escalation ladder defaults (see escalation.ts for the instants):
 * - warning: 1 working day before the due date for periods of up to 7 days (days, or working days), 3 working days
 *   for longer ones (more than 7 days, months). For `hours` rules (all are 24 h) a working-day offset is meaningless
 *   (one weekend is longer than the whole period), so the warning is 6 hours before the instant: a quarter of the
 *   period, which for a clock started during office hours still falls within the next working session.
 * - supervision: 有案不移 (`notTransferred`) for the EEB's transfer duties of §A; 有案不立 (`notFiled`) for
 *   psb.filing-decision* and psb.file-after-notice; 立而不侦 (`notInvestigated`) for the clocks that measure an
 *   investigation: psb.investigation-custody, psb.supplementary-investigation and spp.supervised-case-followup (the
 *   3 months after a supervised filing, SPP Rules Art 564 ¶3, exist precisely to catch an idle investigation).
 *   The EEB's two optional rights (eeb.reconsideration-request, eeb.supervision-proposal: "可以") open no
 *   supervision item: letting a right lapse is not a failure to transfer.
 * - working-group escalation (督办): 3 working days after the due date; none for optional rights (rules marked
 *   `optional`), whose expiry only closes a window.
 */
import { z } from 'zod';
import { type Unit, UNITS } from './period';
import { CASE_AGENCY_ZH, STATUTE_ZH, SUPERVISION_KIND_ZH, type ClockSupervisionKind } from '../vocabulary';

export type Agency = 'eeb' | 'psb' | 'spp' | 'any';
/** true: always a custody period; false: never; 'case': custody while the case records the suspect as held. */
export type CustodyFlag = boolean | 'case';
export type SupervisionType = ClockSupervisionKind;
export type Section = 'A' | 'B' | 'C';

export const AGENCY_ZH: Readonly<Record<Agency, string>> = { ...CASE_AGENCY_ZH, any: '各成员单位' };

export const SUPERVISION_ZH: Readonly<Record<SupervisionType, string>> = SUPERVISION_KIND_ZH;

export const RULE_IDS = [
  // A. Criminal transfer track
  'eeb.task-force',
  'eeb.transfer-report',
  'eeb.transfer-approval',
  'eeb.transfer-delivery',
  'psb.receipt',
  'psb.materials-incomplete-notice',
  'eeb.materials-supplement',
  'psb.jurisdiction-forward',
  'psb.return-non-police',
  'psb.filing-decision',
  'psb.filing-decision.verify',
  'psb.filing-decision.major',
  'psb.decision-notice',
  'eeb.evidence-handover',
  'eeb.reconsideration-request',
  'psb.reconsideration-decision',
  'eeb.supervision-proposal',
  'psb.non-filing-explanation',
  'psb.late-decision-explanation',
  'spp.review-outcome-notice',
  'psb.file-after-notice',
  'spp.supervised-case-followup',
  'eeb.transfer-after-procuratorate-opinion',
  'spp.non-prosecution-notice',
  'any.written-consultation-reply',
  'any.platform-entry',
  // B. Criminal proceedings after filing
  'psb.arrest-request',
  'spp.arrest-decision',
  'spp.arrest-decision.not-detained',
  'psb.investigation-custody',
  'spp.prosecution-review',
  'psb.supplementary-investigation',
  // C. Administrative-detention track
  'eeb.detention-transfer',
  'psb.detention-evidence-request',
  'psb.detention-decision-copy',
  'psb.detention-refusal',
  'psb.public-security-case-limit',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export interface ExtensionOption {
  /** Stable id of the option within the rule, used on extension events (e.g. 'verify', 'major'). */
  id: string;
  labelZh: string;
  /** setLimit: the period becomes `amount`; add: `amount` is added (the maximum, where the law allows a range). */
  kind: 'setLimit' | 'add';
  amount: number;
  /** Where the law allows a range ("延长一日至四日"): the minimum. */
  minAmount?: number;
  unit: Unit;
  /** Who must approve, in Chinese; "无需另行审批" where the law names only a condition. */
  approvalZh: string;
  conditionZh: string;
  basis: string;
  /** The sub-rule id that names the resulting period, where the spec gives one. */
  ruleId?: RuleId;
}

export interface WarningOffset {
  /** workdays: 09:00 China time of the Nth working day before the due date; hours: N hours before the due instant. */
  unit: 'workdays' | 'hours';
  amount: number;
}

export interface EscalationLadder {
  warning: WarningOffset;
  supervision: SupervisionType | null;
  /** 督办: working days after the due date; null = no working-group escalation. */
  escalationWorkdays: number | null;
}

export interface DeadlineRule {
  id: RuleId;
  section: Section;
  agency: Agency;
  labelZh: string;
  limit: number;
  unit: Unit;
  custody: CustodyFlag;
  startsAt: { zh: string; en: string };
  extensions: readonly ExtensionOption[];
  /** Regulation and article, in Chinese. */
  basis: string;
  /** true where the law says "立即" or nothing and the limit is our default (overridable by configuration). */
  policy: boolean;
  policyNoteZh?: string;
  /** A right ("可以") rather than a duty: expiry closes a window; no supervision, no escalation. */
  optional?: boolean;
  /** The main rule of a sub-rule (psb.filing-decision.verify → psb.filing-decision). */
  parent?: RuleId;
  /** How many times the clock may run (补充侦查以二次为限). */
  maxRounds?: number;
  /** Further counting rules in Chinese: suspensions, restarts. */
  notesZh?: readonly string[];
  escalation: EscalationLadder;
  /** Set on rules of an effective table that configuration changed. */
  overridden?: boolean;
}

export type RuleTable = Readonly<Record<RuleId, DeadlineRule>>;

/** §3 default warning: 1 working day for periods of up to 7 days, 3 for longer ones; 6 h for hours periods. */
export function defaultWarning(limit: number, unit: Unit): WarningOffset {
  if (unit === 'hours') return { unit: 'hours', amount: Math.max(1, Math.min(6, Math.floor(limit / 4))) };
  if (unit === 'months') return { unit: 'workdays', amount: 3 };
  return { unit: 'workdays', amount: limit <= 7 ? 1 : 3 };
}

const ESCALATION_WORKDAYS = 3;

// Statute short names, as cited in `basis`.
const {
  decree310: D310,
  measures2017: M2017,
  measures2014: M2014,
  criminalProcedureLaw: CPL,
  sppRules: SPPR,
  psbCriminalRules: PSBC,
  psbAdministrativeRules: PSBA,
  seed: SEED,
} = STATUTE_ZH;

type RuleSpec = Omit<DeadlineRule, 'id' | 'escalation' | 'extensions' | 'policy'> & {
  extensions?: readonly ExtensionOption[];
  policy?: boolean;
  supervision?: SupervisionType | null;
  warning?: WarningOffset;
};

function rule(id: RuleId, spec: RuleSpec): DeadlineRule {
  const { supervision = null, warning, extensions = [], policy = false, ...rest } = spec;
  return {
    id,
    ...rest,
    extensions,
    policy,
    escalation: {
      warning: warning ?? defaultWarning(spec.limit, spec.unit),
      supervision: spec.optional ? null : supervision,
      escalationWorkdays: spec.optional ? null : ESCALATION_WORKDAYS,
    },
  };
}

const FILING_VERIFY: ExtensionOption = {
  id: 'verify',
  labelZh: '线索需要查证',
  kind: 'setLimit',
  amount: 7,
  unit: 'days',
  approvalZh: '无需另行审批（法定情形：涉嫌环境犯罪线索需要查证）',
  conditionZh: '涉嫌环境犯罪线索需要查证的，自接受案件之日起7日内作出决定',
  basis: `${M2017}第九条`,
  ruleId: 'psb.filing-decision.verify',
};

const FILING_MAJOR: ExtensionOption = {
  id: 'major',
  labelZh: '重大疑难复杂案件',
  kind: 'setLimit',
  amount: 30,
  unit: 'days',
  approvalZh: '县级以上公安机关负责人批准',
  conditionZh: '重大疑难复杂案件，经县级以上公安机关负责人批准，自受案之日起30日内作出决定',
  basis: `${M2017}第九条`,
  ruleId: 'psb.filing-decision.major',
};

const FILING_COMMON = {
  section: 'A',
  agency: 'psb',
  custody: false,
  startsAt: { zh: '接受移送案件之日', en: 'the day the transferred case is accepted' },
  supervision: 'notFiled',
} as const;

/** Every rule of §2 A–C. */
export const RULES: RuleTable = {
  // ---------------------------------------------------------------- A. 涉嫌犯罪案件移送
  'eeb.task-force': rule('eeb.task-force', {
    section: 'A',
    agency: 'eeb',
    labelZh: '指定专案组',
    limit: 1,
    unit: 'days',
    custody: false,
    startsAt: { zh: '发现涉嫌犯罪案件', en: 'a suspected crime is found' },
    basis: `${D310}第五条第一款`,
    policy: true,
    policyNoteZh: '法律规定“立即”指定2名以上执法人员组成专案组，默认1日',
    supervision: 'notTransferred',
  }),
  'eeb.transfer-report': rule('eeb.transfer-report', {
    section: 'A',
    agency: 'eeb',
    labelZh: '提出移送涉嫌犯罪案件的书面报告',
    limit: 7,
    unit: 'days',
    custody: false,
    startsAt: { zh: '专案组成立', en: 'the task force is formed' },
    basis: `${D310}第五条第一款；${M2017}第五条`,
    policy: true,
    policyNoteZh: '法律未规定期限（核实情况后提出书面报告），默认7日',
    supervision: 'notTransferred',
  }),
  'eeb.transfer-approval': rule('eeb.transfer-approval', {
    section: 'A',
    agency: 'eeb',
    labelZh: '作出批准移送或者不批准移送的决定',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '正职负责人（主持工作的负责人）接到书面报告之日', en: 'the head receives the written report' },
    basis: `${D310}第五条第二款；${M2017}第五条第二款`,
    supervision: 'notTransferred',
  }),
  'eeb.transfer-delivery': rule('eeb.transfer-delivery', {
    section: 'A',
    agency: 'eeb',
    labelZh: '向同级公安机关移送案件（移送书抄送同级人民检察院）',
    limit: 24,
    unit: 'hours',
    custody: false,
    startsAt: { zh: '作出批准移送决定', en: 'the transfer is approved' },
    basis: `${D310}第五条第二款；${M2017}第六条`,
    supervision: 'notTransferred',
  }),
  'psb.receipt': rule('psb.receipt', {
    section: 'A',
    agency: 'psb',
    labelZh: '接受移送案件并出具回执',
    limit: 1,
    unit: 'days',
    custody: false,
    startsAt: { zh: '移送案件送达公安机关', en: 'the transferred case is delivered' },
    basis: `${M2017}第七条；${D310}第七条`,
    policy: true,
    policyNoteZh: '法律规定“立即”出具接受案件回执，默认1日',
  }),
  'psb.materials-incomplete-notice': rule('psb.materials-incomplete-notice', {
    section: 'A',
    agency: 'psb',
    labelZh: '书面告知移送材料不全',
    limit: 24,
    unit: 'hours',
    custody: false,
    startsAt: { zh: '接受案件', en: 'the case is accepted' },
    basis: `${M2017}第八条；${PSBC}第一百八十条第二款`,
  }),
  'eeb.materials-supplement': rule('eeb.materials-supplement', {
    section: 'A',
    agency: 'eeb',
    labelZh: '补正移送材料',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到公安机关材料不全的书面告知', en: "the PSB's notice of incomplete materials is received" },
    basis: `${M2017}第八条`,
    supervision: 'notTransferred',
  }),
  'psb.jurisdiction-forward': rule('psb.jurisdiction-forward', {
    section: 'A',
    agency: 'psb',
    labelZh: '转送有管辖权的公安机关并书面告知',
    limit: 24,
    unit: 'hours',
    custody: false,
    startsAt: { zh: '接受案件', en: 'the case is accepted' },
    basis: `${D310}第七条；${M2017}第九条`,
  }),
  'psb.return-non-police': rule('psb.return-non-police', {
    section: 'A',
    agency: 'psb',
    labelZh: '退回不属于公安机关管辖的案件',
    limit: 24,
    unit: 'hours',
    custody: false,
    startsAt: { zh: '接受案件', en: 'the case is accepted' },
    basis: `${M2017}第九条`,
  }),
  'psb.filing-decision': rule('psb.filing-decision', {
    ...FILING_COMMON,
    labelZh: '作出立案或者不予立案的决定',
    limit: 3,
    unit: 'days',
    basis: `${M2017}第九条；${D310}第八条`,
    extensions: [FILING_VERIFY, FILING_MAJOR],
  }),
  'psb.filing-decision.verify': rule('psb.filing-decision.verify', {
    ...FILING_COMMON,
    labelZh: '作出立案或者不予立案的决定（线索需要查证）',
    limit: 7,
    unit: 'days',
    basis: `${M2017}第九条`,
    parent: 'psb.filing-decision',
    extensions: [FILING_MAJOR],
  }),
  'psb.filing-decision.major': rule('psb.filing-decision.major', {
    ...FILING_COMMON,
    labelZh: '作出立案或者不予立案的决定（重大疑难复杂案件）',
    limit: 30,
    unit: 'days',
    basis: `${M2017}第九条（经县级以上公安机关负责人批准）`,
    parent: 'psb.filing-decision',
  }),
  'psb.decision-notice': rule('psb.decision-notice', {
    section: 'A',
    agency: 'psb',
    labelZh: '书面通知立案、不予立案或者撤销案件决定（抄送同级人民检察院）',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '作出立案、不予立案或者撤销案件决定之日', en: 'the filing, non-filing or withdrawal decision' },
    basis: `${M2017}第九条`,
  }),
  'eeb.evidence-handover': rule('eeb.evidence-handover', {
    section: 'A',
    agency: 'eeb',
    labelZh: '移交涉案物品及有关材料',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '接到立案通知书之日', en: 'the filing notice (立案通知书) is received' },
    basis: `${D310}第十二条；${M2017}第十条`,
    supervision: 'notTransferred',
  }),
  'eeb.reconsideration-request': rule('eeb.reconsideration-request', {
    section: 'A',
    agency: 'eeb',
    labelZh: '申请复议不予立案决定（可以）',
    limit: 3,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '接到不予立案通知书之日', en: 'the non-filing notice is received' },
    basis: `${M2017}第十一条（${D310}第九条第一款规定为3日）`,
    optional: true,
  }),
  'psb.reconsideration-decision': rule('psb.reconsideration-decision', {
    section: 'A',
    agency: 'psb',
    labelZh: '作出立案或者不予立案的复议决定',
    limit: 3,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '收到复议申请之日', en: 'the reconsideration request is received' },
    basis: `${M2017}第十一条`,
  }),
  'eeb.supervision-proposal': rule('eeb.supervision-proposal', {
    section: 'A',
    agency: 'eeb',
    labelZh: '建议人民检察院进行立案监督（可以）',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到复议决定通知书之日', en: 'the reconsideration decision is received' },
    basis: `${D310}第九条第二款；${M2017}第十二条、第十三条`,
    optional: true,
  }),
  'psb.non-filing-explanation': rule('psb.non-filing-explanation', {
    section: 'A',
    agency: 'psb',
    labelZh: '书面说明不立案理由',
    limit: 7,
    unit: 'days',
    custody: false,
    startsAt: {
      zh: '收到人民检察院要求说明不立案理由通知书',
      en: "the SPP's request to explain non-filing is received",
    },
    basis: `${SPPR}第五百六十条；${PSBC}第一百八十二条第一款`,
  }),
  'psb.late-decision-explanation': rule('psb.late-decision-explanation', {
    section: 'A',
    agency: 'psb',
    labelZh: '书面说明逾期不作出是否立案决定的理由',
    limit: 7,
    unit: 'days',
    custody: false,
    startsAt: {
      zh: '收到人民检察院要求说明逾期理由的通知',
      en: "the SPP's request to explain the late decision is received",
    },
    basis: `${SPPR}第五百六十二条`,
  }),
  'spp.review-outcome-notice': rule('spp.review-outcome-notice', {
    section: 'A',
    agency: 'spp',
    labelZh: '将不立案理由成立的审查结论告知行政执法机关',
    limit: 10,
    unit: 'days',
    custody: false,
    startsAt: { zh: '人民检察院认为公安机关不立案理由成立', en: "the SPP finds the PSB's reasons stand" },
    basis: `${SPPR}第五百六十一条第二款`,
  }),
  'psb.file-after-notice': rule('psb.file-after-notice', {
    section: 'A',
    agency: 'psb',
    labelZh: '收到通知立案书后立案',
    limit: 15,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到通知立案书', en: 'the notice to file (通知立案书) is received' },
    basis: `${CPL}第一百一十三条；${SPPR}第五百六十三条；${PSBC}第一百八十二条第二款`,
    supervision: 'notFiled',
  }),
  'spp.supervised-case-followup': rule('spp.supervised-case-followup', {
    section: 'A',
    agency: 'spp',
    labelZh: '监督立案后三个月未侦查终结的催办',
    limit: 3,
    unit: 'months',
    custody: false,
    startsAt: { zh: '公安机关经监督立案之日', en: 'the PSB files the case after supervision' },
    basis: `${SPPR}第五百六十四条第三款`,
    supervision: 'notInvestigated',
  }),
  'eeb.transfer-after-procuratorate-opinion': rule('eeb.transfer-after-procuratorate-opinion', {
    section: 'A',
    agency: 'eeb',
    labelZh: '收到检察意见后移送案件',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到人民检察院建议移送的检察意见', en: "the SPP's opinion to transfer is received" },
    basis: `${M2017}第十四条`,
    supervision: 'notTransferred',
  }),
  'spp.non-prosecution-notice': rule('spp.non-prosecution-notice', {
    section: 'A',
    agency: 'spp',
    labelZh: '书面告知移送案件的环保部门不起诉决定',
    limit: 3,
    unit: 'days',
    custody: false,
    startsAt: { zh: '作出不起诉决定之日', en: 'the non-prosecution decision' },
    basis: `${M2017}第十八条`,
  }),
  'any.written-consultation-reply': rule('any.written-consultation-reply', {
    section: 'A',
    agency: 'any',
    labelZh: '书面答复书面咨询',
    limit: 7,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到书面咨询', en: 'the written consultation is received' },
    basis: `${M2017}第二十四条`,
  }),
  'any.platform-entry': rule('any.platform-entry', {
    section: 'A',
    agency: 'any',
    labelZh: '录入信息共享平台',
    limit: 7,
    unit: 'days',
    custody: false,
    startsAt: { zh: '作出第三十四条所列决定之日', en: 'each decision listed in 2017 Measures Art 34' },
    basis: `${M2017}第三十四条`,
  }),

  // ---------------------------------------------------------------- B. 立案后的刑事诉讼
  'psb.arrest-request': rule('psb.arrest-request', {
    section: 'B',
    agency: 'psb',
    labelZh: '提请批准逮捕',
    limit: 3,
    unit: 'days',
    custody: true,
    startsAt: { zh: '拘留', en: 'detention (拘留)' },
    basis: `${CPL}第九十一条第一款、第二款；${PSBC}第一百二十九条`,
    extensions: [
      {
        id: 'special',
        labelZh: '特殊情况延长一日至四日',
        kind: 'add',
        amount: 4,
        minAmount: 1,
        unit: 'days',
        approvalZh: '县级以上公安机关负责人批准',
        conditionZh: '在特殊情况下',
        basis: `${CPL}第九十一条第一款；${PSBC}第一百二十九条第一款`,
      },
      {
        id: 'gang',
        labelZh: '流窜作案、多次作案、结伙作案的重大嫌疑分子延长至三十日',
        kind: 'setLimit',
        amount: 30,
        unit: 'days',
        approvalZh: '县级以上公安机关负责人批准',
        conditionZh: '流窜作案、多次作案、结伙作案的重大嫌疑分子',
        basis: `${CPL}第九十一条第二款；${PSBC}第一百二十九条第二款`,
      },
    ],
  }),
  'spp.arrest-decision': rule('spp.arrest-decision', {
    section: 'B',
    agency: 'spp',
    labelZh: '作出是否批准逮捕的决定（已被拘留）',
    limit: 7,
    unit: 'days',
    custody: true,
    startsAt: { zh: '收到提请批准逮捕书', en: 'the request for arrest approval is received' },
    basis: `${CPL}第九十一条第三款；${SPPR}第二百八十二条`,
  }),
  'spp.arrest-decision.not-detained': rule('spp.arrest-decision.not-detained', {
    section: 'B',
    agency: 'spp',
    labelZh: '作出是否批准逮捕的决定（未被拘留）',
    limit: 15,
    unit: 'days',
    custody: false,
    startsAt: { zh: '收到提请批准逮捕书', en: 'the request for arrest approval is received' },
    basis: `${SPPR}第二百八十二条`,
    parent: 'spp.arrest-decision',
    extensions: [
      {
        id: 'majorComplex',
        labelZh: '重大、复杂案件不得超过二十日',
        kind: 'setLimit',
        amount: 20,
        unit: 'days',
        approvalZh: '无需另行审批（法定情形：重大、复杂案件）',
        conditionZh: '重大、复杂案件',
        basis: `${SPPR}第二百八十二条`,
      },
    ],
  }),
  'psb.investigation-custody': rule('psb.investigation-custody', {
    section: 'B',
    agency: 'psb',
    labelZh: '侦查羁押期限',
    limit: 2,
    unit: 'months',
    custody: true,
    startsAt: { zh: '逮捕', en: 'arrest' },
    basis: `${CPL}第一百五十六条、第一百五十八条、第一百五十九条、第一百六十条`,
    supervision: 'notInvestigated',
    extensions: [
      {
        id: 'complex',
        labelZh: '案情复杂、期限届满不能终结，延长一个月',
        kind: 'add',
        amount: 1,
        unit: 'months',
        approvalZh: '上一级人民检察院批准',
        conditionZh: '案情复杂、期限届满不能终结的案件',
        basis: `${CPL}第一百五十六条`,
      },
      {
        id: 'provincial',
        labelZh: '第一百五十八条所列重大复杂案件，延长二个月',
        kind: 'add',
        amount: 2,
        unit: 'months',
        approvalZh: '省、自治区、直辖市人民检察院批准或者决定',
        conditionZh:
          '交通十分不便的边远地区的重大复杂案件、重大的犯罪集团案件、流窜作案的重大复杂案件、犯罪涉及面广取证困难的重大复杂案件',
        basis: `${CPL}第一百五十八条`,
      },
      {
        id: 'tenYears',
        labelZh: '可能判处十年有期徒刑以上刑罚，再延长二个月',
        kind: 'add',
        amount: 2,
        unit: 'months',
        approvalZh: '省、自治区、直辖市人民检察院批准或者决定',
        conditionZh: '可能判处十年有期徒刑以上刑罚，依照第一百五十八条延长期限届满仍不能侦查终结',
        basis: `${CPL}第一百五十九条`,
      },
    ],
    notesZh: [
      '发现犯罪嫌疑人另有重要罪行的，自发现之日起重新计算侦查羁押期限（刑事诉讼法第一百六十条第一款）',
      '犯罪嫌疑人身份不明的，侦查羁押期限自查清其身份之日起计算（刑事诉讼法第一百六十条第二款）',
    ],
  }),
  'spp.prosecution-review': rule('spp.prosecution-review', {
    section: 'B',
    agency: 'spp',
    labelZh: '审查起诉',
    limit: 1,
    unit: 'months',
    custody: 'case',
    startsAt: { zh: '收到移送审查起诉的案件', en: 'the case is received for prosecution review' },
    basis: `${CPL}第一百七十二条；${SPPR}第三百五十一条`,
    extensions: [
      {
        id: 'majorComplex',
        labelZh: '重大、复杂案件延长十五日',
        kind: 'add',
        amount: 15,
        unit: 'days',
        approvalZh: '法律未规定审批主体（按人民检察院内部审批程序）',
        conditionZh: '重大、复杂的案件，一个月以内不能作出决定的',
        basis: `${CPL}第一百七十二条第一款；${SPPR}第三百五十一条第一款`,
      },
    ],
    notesZh: [
      '改变管辖的，从改变后的人民检察院收到案件之日起计算（刑事诉讼法第一百七十二条第二款）',
      '补充侦查完毕移送人民检察院后，重新计算审查起诉期限（刑事诉讼法第一百七十五条第三款）',
      '认罪认罚适用速裁程序的10日（可延长至15日）期限未纳入本规则',
    ],
  }),
  'psb.supplementary-investigation': rule('psb.supplementary-investigation', {
    section: 'B',
    agency: 'psb',
    labelZh: '退回补充侦查',
    limit: 1,
    unit: 'months',
    custody: 'case',
    startsAt: { zh: '案件退回补充侦查', en: 'the case is returned for supplementary investigation' },
    basis: `${CPL}第一百七十五条第三款；${M2017}第十九条`,
    maxRounds: 2,
    supervision: 'notInvestigated',
    notesZh: ['补充侦查以二次为限，每次重新计算一个月'],
  }),

  // ---------------------------------------------------------------- C. 移送行政拘留（期间均为工作日）
  'eeb.detention-transfer': rule('eeb.detention-transfer', {
    section: 'C',
    agency: 'eeb',
    labelZh: '将案件移送书和案件材料移送公安机关（行政拘留）',
    limit: 3,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '作出移送决定', en: 'the transfer decision' },
    basis: `${M2014}第十二条、第十九条`,
  }),
  'psb.detention-evidence-request': rule('psb.detention-evidence-request', {
    section: 'C',
    agency: 'psb',
    labelZh: '书面告知补充移送证据材料（可以）',
    limit: 3,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '受案', en: 'the case is accepted' },
    basis: `${M2014}第十三条、第十九条`,
    optional: true,
  }),
  'psb.detention-decision-copy': rule('psb.detention-decision-copy', {
    section: 'C',
    agency: 'psb',
    labelZh: '将行政拘留决定书抄送案件移送部门',
    limit: 3,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '作出行政拘留决定之日', en: 'the detention decision' },
    basis: `${M2014}第十四条、第十九条`,
  }),
  'psb.detention-refusal': rule('psb.detention-refusal', {
    section: 'C',
    agency: 'psb',
    labelZh: '书面告知不符合行政拘留条件并退回案卷',
    limit: 5,
    unit: 'workdays',
    custody: false,
    startsAt: { zh: '受案', en: 'the case is accepted' },
    basis: `${M2014}第十五条、第十九条`,
  }),
  'psb.public-security-case-limit': rule('psb.public-security-case-limit', {
    section: 'C',
    agency: 'psb',
    labelZh: '治安案件办案期限',
    limit: 30,
    unit: 'days',
    custody: false,
    startsAt: { zh: '受理案件之日', en: 'the case is accepted' },
    basis: `${PSBA}第一百六十五条`,
    extensions: [
      {
        id: 'majorComplex',
        labelZh: '案情重大、复杂，延长三十日',
        kind: 'add',
        amount: 30,
        unit: 'days',
        approvalZh: '上一级公安机关批准',
        conditionZh: '案情重大、复杂的',
        basis: `${PSBA}第一百六十五条第一款`,
      },
    ],
    notesZh: [
      '为了查明案情进行鉴定的期间，不计入办案期限（中止计算）（公安机关办理行政案件程序规定第一百六十五条第二款）',
    ],
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// D. Recurring duties of the mechanism

export type Cadence = 'monthly' | 'quarterly' | 'annual';
export const CADENCE_ZH: Readonly<Record<Cadence, string>> = { monthly: '每月', quarterly: '每季度', annual: '每年' };

export const DUTY_IDS = [
  'joint-enforcement.monthly',
  'training.annual',
  'joint-meeting.periodic',
  'info-briefing.periodic',
  'spp.transfer-supervision-sweep',
] as const;
export type DutyId = (typeof DUTY_IDS)[number];

export interface RecurringDuty {
  id: DutyId;
  labelZh: string;
  dutyZh: string;
  agencies: readonly Exclude<Agency, 'any'>[];
  cadence: Cadence;
  /** The law says "定期": the cadence is our default and may be configured. */
  configurable: boolean;
  /** May also happen ad hoc (临时召开). */
  adHoc?: boolean;
  basis: string;
  /** Warning before the end of each period, and escalation after it (working days). */
  escalation: { warningWorkdays: number; escalationWorkdays: number };
  overridden?: boolean;
}

const DUTY_LADDER = { warningWorkdays: 3, escalationWorkdays: ESCALATION_WORKDAYS } as const;

export const RECURRING_DUTIES: Readonly<Record<DutyId, RecurringDuty>> = {
  'joint-enforcement.monthly': {
    id: 'joint-enforcement.monthly',
    labelZh: '联合执法',
    dutyZh: '生态环境部门与公安机关每月至少开展一次联合执法',
    agencies: ['eeb', 'psb'],
    cadence: 'monthly',
    configurable: false,
    basis: `${SEED}五（二）`,
    escalation: DUTY_LADDER,
  },
  'training.annual': {
    id: 'training.annual',
    labelZh: '教育培训',
    dutyZh: '每年联合或单独组织专业知识培训、经验交流和研讨',
    agencies: ['eeb', 'psb', 'spp'],
    cadence: 'annual',
    configurable: false,
    basis: `${SEED}五（四）；${M2017}第二十三条`,
    escalation: DUTY_LADDER,
  },
  'joint-meeting.periodic': {
    id: 'joint-meeting.periodic',
    labelZh: '联席会议',
    dutyZh: '定期召开联席会议，明确议定事项；必要时临时召开',
    agencies: ['eeb', 'psb', 'spp'],
    cadence: 'quarterly',
    configurable: true,
    adHoc: true,
    basis: `${SEED}五（一）；${M2017}第二十三条`,
    escalation: DUTY_LADDER,
  },
  'info-briefing.periodic': {
    id: 'info-briefing.periodic',
    labelZh: '信息通报',
    dutyZh: '三部门定期通报案件信息',
    agencies: ['eeb', 'psb', 'spp'],
    cadence: 'monthly',
    configurable: true,
    basis: `${SEED}五（三）；${M2017}第三十五条`,
    escalation: DUTY_LADDER,
  },
  'spp.transfer-supervision-sweep': {
    id: 'spp.transfer-supervision-sweep',
    labelZh: '移送立案监督检查',
    dutyZh: '人民检察院定期对案件移送、立案情况进行监督检察（有案不移、有案不立、立而不侦、以罚代刑）',
    agencies: ['spp'],
    cadence: 'monthly',
    configurable: true,
    basis: `${SEED}五（二）；${M2017}第十四条、第十五条`,
    escalation: DUTY_LADDER,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// E. Policy rules of the platform: limits no statute sets, chosen by the mechanism's agencies (configurable).
// Not part of statutory-deadlines.md §2 (RULE_IDS stays the statutory table); same ladder semantics as §3.

export const POLICY_RULE_IDS = ['release.approval', 'supervision.review', 'supervision.answer'] as const;
export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];

export interface PolicyRule {
  id: PolicyRuleId;
  labelZh: string;
  /** The agency that must act ('any': each of the agencies asked, e.g. every approver of a joint release). */
  agency: Agency;
  limit: number;
  unit: Unit;
  startsAt: { zh: string; en: string };
  /** What the rule implements (no article sets the limit). */
  basis: string;
  policyNoteZh: string;
  escalation: EscalationLadder;
  overridden?: boolean;
}

export const POLICY_RULES: Readonly<Record<PolicyRuleId, PolicyRule>> = {
  // Seed 五(三): 重大决策、重大行动事项、重要成果 "可以采取联合发布或同时发布的方式，适时向社会公布" — no time limit in
  // the seed or any statute. 5 working days per agency and review round is the platform's policy.
  'release.approval': {
    id: 'release.approval',
    labelZh: '联合发布稿件审核（同意、要求修改或不同意）',
    agency: 'any',
    limit: 5,
    unit: 'workdays',
    startsAt: { zh: '发布稿提交审核（每一轮）', en: 'the draft is submitted for a review round' },
    basis: `${SEED}五（三）（联合发布：政策期限，非法定期限）`,
    policyNoteZh: '方案未规定审核期限：平台政策默认每轮审核5个工作日，可通过 DEADLINE_POLICY_OVERRIDES 调整',
    escalation: { warning: defaultWarning(5, 'workdays'), supervision: null, escalationWorkdays: ESCALATION_WORKDAYS },
  },
  // 2017 Arts 14–15 say what the SPP does when it finds a possible 有案不移 / 有案不立, not how soon. 15 days for the
  // review of a supervision item (调阅材料、审查、发出检察意见) is the platform's policy.
  'supervision.review': {
    id: 'supervision.review',
    labelZh: '审查检察监督事项并发出检察意见或者办结',
    agency: 'spp',
    limit: 15,
    unit: 'days',
    startsAt: { zh: '检察监督事项生成（移送立案监督检查或期限超期）', en: 'the supervision item is opened' },
    basis: `${M2017}第十四条、第十五条；${SEED}五（二）（政策期限，非法定期限）`,
    policyNoteZh: '法律未规定审查期限：平台政策默认15日，可通过 DEADLINE_POLICY_OVERRIDES 调整',
    escalation: { warning: defaultWarning(15, 'days'), supervision: null, escalationWorkdays: ESCALATION_WORKDAYS },
  },
  // An opinion no statute times (督促侦查 of an idle investigation): the answer's limit is the platform's policy.
  'supervision.answer': {
    id: 'supervision.answer',
    labelZh: '答复检察意见（无法定期限的检察意见）',
    agency: 'any',
    limit: 15,
    unit: 'days',
    startsAt: { zh: '收到检察意见', en: "the procuratorate's opinion is received" },
    basis: `《人民检察院刑事诉讼规则》第五百六十四条；${SEED}五（二）（政策期限，非法定期限）`,
    policyNoteZh: '法律未规定答复期限：平台政策默认15日，可通过 DEADLINE_POLICY_OVERRIDES 调整',
    escalation: { warning: defaultWarning(15, 'days'), supervision: null, escalationWorkdays: ESCALATION_WORKDAYS },
  },
};

export function isPolicyRuleId(id: string): id is PolicyRuleId {
  return Object.prototype.hasOwnProperty.call(POLICY_RULES, id);
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup and errors

export class UnknownRuleError extends Error {
  readonly code = 'UNKNOWN_RULE';
  constructor(readonly ruleId: string) {
    super(`未知的期限规则：“${ruleId}” (unknown deadline rule: ${ruleId})`);
    this.name = 'UnknownRuleError';
  }
}

export function isRuleId(id: string): id is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, id);
}

export function isDutyId(id: string): id is DutyId {
  return Object.prototype.hasOwnProperty.call(RECURRING_DUTIES, id);
}

export function getRule(id: string, table: RuleTable = RULES): DeadlineRule {
  if (!isRuleId(id)) throw new UnknownRuleError(id);
  return table[id];
}

/** Custody counting for one clock: the rule's flag, or the case's state where it depends on the case. */
export function resolveCustody(rule: DeadlineRule, suspectHeld?: boolean): boolean {
  return rule.custody === 'case' ? suspectHeld === true : rule.custody;
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration overrides

const supervisionSchema = z.enum(['notTransferred', 'notFiled', 'notInvestigated']);

export const ruleOverrideSchema = z
  .object({
    /** Only for policy rules: statutory limits are not configurable. */
    limit: z.number().int().positive().max(3650).optional(),
    unit: z.enum(UNITS as [Unit, ...Unit[]]).optional(),
    warningWorkdays: z.number().int().min(0).max(60).optional(),
    warningHours: z.number().positive().max(720).optional(),
    escalationWorkdays: z.number().int().min(0).max(60).nullable().optional(),
    supervision: supervisionSchema.nullable().optional(),
  })
  .strict();

export const dutyOverrideSchema = z
  .object({
    cadence: z.enum(['monthly', 'quarterly', 'annual']).optional(),
    warningWorkdays: z.number().int().min(0).max(60).optional(),
    escalationWorkdays: z.number().int().min(0).max(60).optional(),
  })
  .strict();

export type RuleOverride = z.infer<typeof ruleOverrideSchema>;
export type DutyOverride = z.infer<typeof dutyOverrideSchema>;
/** Configuration: { [ruleId or dutyId]: override }. */
export type DeadlineOverrides = Partial<Record<RuleId | PolicyRuleId, RuleOverride> & Record<DutyId, DutyOverride>>;

export const deadlineOverridesSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  for (const [id, raw] of Object.entries(value)) {
    if (isRuleId(id)) {
      const r = ruleOverrideSchema.safeParse(raw);
      if (!r.success) {
        for (const issue of r.error.issues)
          ctx.addIssue({ code: 'custom', path: [id, ...issue.path], message: issue.message });
        continue;
      }
      const o = r.data;
      if ((o.limit !== undefined || o.unit !== undefined) && !RULES[id].policy) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: `${id} 为法定期限，不能通过配置修改期限或单位 (statutory limit cannot be configured)`,
        });
      }
      if (o.warningWorkdays !== undefined && o.warningHours !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: '预警提前量只能按工作日或按小时之一设置 (set warningWorkdays or warningHours, not both)',
        });
      }
    } else if (isPolicyRuleId(id)) {
      const r = ruleOverrideSchema.safeParse(raw);
      if (!r.success) {
        for (const issue of r.error.issues)
          ctx.addIssue({ code: 'custom', path: [id, ...issue.path], message: issue.message });
        continue;
      }
      if (r.data.supervision)
        ctx.addIssue({
          code: 'custom',
          path: [id, 'supervision'],
          message: `${id} 为平台政策期限，不启动检察监督 (no supervision for policy rules)`,
        });
      if (r.data.warningWorkdays !== undefined && r.data.warningHours !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: '预警提前量只能按工作日或按小时之一设置 (set warningWorkdays or warningHours, not both)',
        });
      }
    } else if (isDutyId(id)) {
      const r = dutyOverrideSchema.safeParse(raw);
      if (!r.success) {
        for (const issue of r.error.issues)
          ctx.addIssue({ code: 'custom', path: [id, ...issue.path], message: issue.message });
        continue;
      }
      if (r.data.cadence !== undefined && !RECURRING_DUTIES[id].configurable) {
        ctx.addIssue({
          code: 'custom',
          path: [id, 'cadence'],
          message: `${id} 的周期由制度规定，不能通过配置修改 (cadence fixed by the mechanism)`,
        });
      }
    } else {
      ctx.addIssue({ code: 'custom', path: [id], message: `未知的期限规则：“${id}” (unknown deadline rule)` });
    }
  }
});

/** Validates configuration overrides; throws a ZodError with Chinese messages. */
export function parseDeadlineOverrides(input: unknown): DeadlineOverrides {
  return deadlineOverridesSchema.parse(input ?? {}) as DeadlineOverrides;
}

/** The rule table in effect under configuration (validated here; pass the config's `deadlines` object). */
export function effectiveRules(overrides?: unknown): RuleTable {
  const parsed = parseDeadlineOverrides(overrides);
  const table = { ...RULES } as Record<RuleId, DeadlineRule>;
  for (const id of RULE_IDS) {
    const o = parsed[id] as RuleOverride | undefined;
    if (!o || Object.keys(o).length === 0) continue;
    const base = RULES[id];
    const limit = o.limit ?? base.limit;
    const unit = o.unit ?? base.unit;
    const periodChanged = limit !== base.limit || unit !== base.unit;
    let warning = base.escalation.warning;
    if (o.warningWorkdays !== undefined) warning = { unit: 'workdays', amount: o.warningWorkdays };
    else if (o.warningHours !== undefined) warning = { unit: 'hours', amount: o.warningHours };
    else if (periodChanged) warning = defaultWarning(limit, unit);
    table[id] = {
      ...base,
      limit,
      unit,
      escalation: {
        warning,
        supervision: o.supervision !== undefined ? o.supervision : base.escalation.supervision,
        escalationWorkdays:
          o.escalationWorkdays !== undefined ? o.escalationWorkdays : base.escalation.escalationWorkdays,
      },
      overridden: true,
    };
  }
  return table;
}

/** The recurring duties in effect under configuration. */
export function effectiveRecurringDuties(overrides?: unknown): Readonly<Record<DutyId, RecurringDuty>> {
  const parsed = parseDeadlineOverrides(overrides);
  const table = { ...RECURRING_DUTIES } as Record<DutyId, RecurringDuty>;
  for (const id of DUTY_IDS) {
    const o = parsed[id] as DutyOverride | undefined;
    if (!o || Object.keys(o).length === 0) continue;
    const base = RECURRING_DUTIES[id];
    table[id] = {
      ...base,
      cadence: o.cadence ?? base.cadence,
      escalation: {
        warningWorkdays: o.warningWorkdays ?? base.escalation.warningWorkdays,
        escalationWorkdays: o.escalationWorkdays ?? base.escalation.escalationWorkdays,
      },
      overridden: true,
    };
  }
  return table;
}

/** A policy rule (section E) in effect under configuration. */
export function effectivePolicyRule(id: PolicyRuleId, overrides?: unknown): PolicyRule {
  const o = parseDeadlineOverrides(overrides)[id] as RuleOverride | undefined;
  const base = POLICY_RULES[id];
  if (!o || Object.keys(o).length === 0) return base;
  const limit = o.limit ?? base.limit;
  const unit = o.unit ?? base.unit;
  let warning = base.escalation.warning;
  if (o.warningWorkdays !== undefined) warning = { unit: 'workdays', amount: o.warningWorkdays };
  else if (o.warningHours !== undefined) warning = { unit: 'hours', amount: o.warningHours };
  else if (limit !== base.limit || unit !== base.unit) warning = defaultWarning(limit, unit);
  return {
    ...base,
    limit,
    unit,
    escalation: {
      warning,
      supervision: null,
      escalationWorkdays:
        o.escalationWorkdays !== undefined ? o.escalationWorkdays : base.escalation.escalationWorkdays,
    },
    overridden: true,
  };
}
