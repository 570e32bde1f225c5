/**
 * Supervision items (检察监督事项) of the procuratorate and the detection criteria of its periodic sweep
 * (spp.transfer-supervision-sweep, seed 五(二); 2017 Arts 14–15). Pure: importable from workflows.
 *
 * An item is opened by the sweep (a criterion below matched a case or a penalty record) or by a case clock's
 * supervision rung (statutory-deadlines.md §3 step 3). The SPP reviews it and issues an opinion within a policy
 * limit (supervision.review); the opinion starts the addressed agency's statutory clock (e.g. 7 days to explain a
 * non-filing); the agency answers; the SPP closes the item with a result.
 */
import { STATUTE_ZH, SUPERVISION_KINDS, WORKING_GROUP_ZH, type SupervisionKind } from '../vocabulary';

// ---------------------------------------------------------------------------------------------------------------
// Kinds and lifecycle

export { SUPERVISION_KINDS, SUPERVISION_KIND_ZH, type SupervisionKind } from '../vocabulary';

export const SUPERVISION_STATUSES = ['opened', 'opinionIssued', 'answered', 'closed'] as const;
export type SupervisionStatus = (typeof SUPERVISION_STATUSES)[number];

export const SUPERVISION_STATUS_ZH: Readonly<Record<SupervisionStatus, string>> = {
  opened: '待审查',
  opinionIssued: '已发出检察意见（待答复）',
  answered: '已答复（待审结）',
  closed: '已办结',
};

/** Allowed transitions. An item may be closed from any open state (e.g. the SPP finds nothing to supervise). */
export const SUPERVISION_TRANSITIONS: Readonly<Record<SupervisionStatus, readonly SupervisionStatus[]>> = {
  opened: ['opinionIssued', 'closed'],
  opinionIssued: ['answered', 'closed'],
  answered: ['opinionIssued', 'closed'],
  closed: [],
};

export function canTransition(from: SupervisionStatus, to: SupervisionStatus): boolean {
  return SUPERVISION_TRANSITIONS[from].includes(to);
}

export type SupervisionSubjectType = 'case' | 'penaltyRecord';
export type SupervisionSource = 'sweep' | 'ladder';

/**
 * Deterministic item id: one item per (subject, kind, source) — a sweep run twice, or a rung retried, opens nothing
 * twice. URL-safe as long as the subject id is (case ids are UUIDs, penalty record ids `pen-…`).
 */
export function supervisionItemId(
  subjectType: SupervisionSubjectType,
  subjectId: string,
  kind: SupervisionKind,
  source: string,
): string {
  return `sv-${subjectType === 'case' ? 'c' : 'p'}-${subjectId}-${kind}-${source}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
export const supervisionWorkflowId = (itemId: string) => `supervision-${itemId}`;

// ---------------------------------------------------------------------------------------------------------------
// Opinions and the clocks they start

const { sppRules: SPPR, measures2017: M2017, criminalProcedureLaw: CPL, seed: SEED } = STATUTE_ZH;

export const OPINION_KINDS = [
  'transferOpinion',
  'requestNonFilingReasons',
  'requestLateDecisionReasons',
  'noticeToFile',
  'urgeInvestigation',
] as const;
export type OpinionKind = (typeof OPINION_KINDS)[number];

export interface OpinionSpec {
  labelZh: string;
  /** The agency the opinion is addressed to, which must answer. */
  addressee: 'eeb' | 'psb';
  /** The clock of the answer: a statutory rule of §2, or the platform policy rule supervision.answer. */
  answerRuleId: string;
  /** The kinds of item the opinion fits. */
  kinds: readonly SupervisionKind[];
  basis: string;
  /** After the answer, the SPP's own clock, where a statute sets one. */
  closeRuleId?: string;
}

export const OPINIONS: Readonly<Record<OpinionKind, OpinionSpec>> = {
  transferOpinion: {
    labelZh: '建议移送的检察意见',
    addressee: 'eeb',
    answerRuleId: 'eeb.transfer-after-procuratorate-opinion',
    kinds: ['notTransferred', 'penaltyInsteadOfCriminal'],
    basis: `${M2017}第十四条`,
  },
  requestNonFilingReasons: {
    labelZh: '要求说明不立案理由',
    addressee: 'psb',
    answerRuleId: 'psb.non-filing-explanation',
    kinds: ['notFiled'],
    basis: `${SPPR}第五百五十九条、第五百六十条；${M2017}第十五条`,
    closeRuleId: 'spp.review-outcome-notice',
  },
  requestLateDecisionReasons: {
    labelZh: '要求说明逾期不作出是否立案决定的理由',
    addressee: 'psb',
    answerRuleId: 'psb.late-decision-explanation',
    kinds: ['notFiled'],
    basis: `${SPPR}第五百六十二条；${M2017}第十五条`,
  },
  noticeToFile: {
    labelZh: '通知立案',
    addressee: 'psb',
    answerRuleId: 'psb.file-after-notice',
    kinds: ['notFiled'],
    basis: `${CPL}第一百一十三条；${SPPR}第五百六十三条`,
  },
  urgeInvestigation: {
    labelZh: '督促侦查（纠正违法意见）',
    addressee: 'psb',
    answerRuleId: 'supervision.answer',
    kinds: ['notInvestigated'],
    basis: `${SPPR}第五百六十四条；${SEED}五（二）`,
  },
};

export const CLOSE_RESULTS = ['corrected', 'reasonsUpheld', 'noViolation', 'referred'] as const;
export type CloseResult = (typeof CLOSE_RESULTS)[number];
export const CLOSE_RESULT_ZH: Readonly<Record<CloseResult, string>> = {
  corrected: '已纠正（已移送 / 已立案 / 已恢复侦查）',
  reasonsUpheld: '理由成立',
  noViolation: '经审查不存在违法情形',
  referred: `移交${WORKING_GROUP_ZH}督办`,
};

// ---------------------------------------------------------------------------------------------------------------
// Criminal thresholds (两高关于办理环境污染刑事案件适用法律若干问题的解释 第一条): what a case or a penalty record can carry

const INTERP = STATUTE_ZH.pollutionInterpretation;

/** The quantitative facts a fact summary can state (extractFacts reads them from Chinese text). */
export interface PollutionFacts {
  /** 危险废物 in tons. */
  hazardousWasteTons?: number;
  /** Exceedance multiple of the discharge standard for 铅、汞、镉、铬、砷、铊、锑. */
  heavyMetalExceedance?: number;
  /** Exceedance multiple for 镍、铜、锌、银、钒、锰、钴. */
  otherMetalExceedance?: number;
  /** 暗管、渗井、渗坑、裂隙、溶洞、灌注 (with toxic substances). */
  concealedDischarge?: boolean;
  /** 重点排污单位篡改、伪造自动监测数据或者干扰自动监测设施. */
  monitoringFalsified?: boolean;
  /** 违法所得 or 公私财产损失, yuan. */
  gainOrLossYuan?: number;
  /** 违法减少防治污染设施运行支出, yuan. */
  reducedControlCostYuan?: number;
  /** 集中式饮用水水源取水中断, hours. */
  drinkingWaterInterruptionHours?: number;
  poisonedPersons?: number;
  evacuatedPersons?: number;
  /** Administrative penalties of the same party within the two years before this act (fines, detention). */
  priorPenaltiesWithinTwoYears?: number;
}

export interface ThresholdCriterion {
  id: string;
  labelZh: string;
  basis: string;
  test: (f: PollutionFacts) => boolean;
  /** The value that met it, for the reason text. */
  describe: (f: PollutionFacts) => string;
}

const ge = (v: number | undefined, min: number) => v !== undefined && v >= min;

export const THRESHOLDS: readonly ThresholdCriterion[] = [
  {
    id: 'interp.1.2-hazardous-waste',
    labelZh: '非法排放、倾倒、处置危险废物三吨以上',
    basis: `${INTERP}第一条第（二）项`,
    test: (f) => ge(f.hazardousWasteTons, 3),
    describe: (f) => `危险废物 ${f.hazardousWasteTons} 吨`,
  },
  {
    id: 'interp.1.3-heavy-metals',
    labelZh: '含铅、汞、镉、铬、砷、铊、锑的污染物超过排放标准三倍以上',
    basis: `${INTERP}第一条第（三）项`,
    test: (f) => ge(f.heavyMetalExceedance, 3),
    describe: (f) => `超标 ${f.heavyMetalExceedance} 倍`,
  },
  {
    id: 'interp.1.4-other-metals',
    labelZh: '含镍、铜、锌、银、钒、锰、钴的污染物超过排放标准十倍以上',
    basis: `${INTERP}第一条第（四）项`,
    test: (f) => ge(f.otherMetalExceedance, 10),
    describe: (f) => `超标 ${f.otherMetalExceedance} 倍`,
  },
  {
    id: 'interp.1.5-concealed',
    labelZh: '通过暗管、渗井、渗坑、裂隙、溶洞、灌注等逃避监管的方式排放有毒物质',
    basis: `${INTERP}第一条第（五）项`,
    test: (f) => f.concealedDischarge === true,
    describe: () => '以逃避监管的方式排放',
  },
  {
    id: 'interp.1.6-repeat',
    labelZh: '二年内曾因排放、倾倒、处置有毒物质受过两次以上行政处罚，又实施前列行为',
    basis: `${INTERP}第一条第（六）项`,
    test: (f) => ge(f.priorPenaltiesWithinTwoYears, 2),
    describe: (f) => `二年内已受行政处罚 ${f.priorPenaltiesWithinTwoYears} 次`,
  },
  {
    id: 'interp.1.7-monitoring',
    labelZh: '重点排污单位篡改、伪造自动监测数据或者干扰自动监测设施',
    basis: `${INTERP}第一条第（七）项`,
    test: (f) => f.monitoringFalsified === true,
    describe: () => '篡改、伪造自动监测数据或者干扰自动监测设施',
  },
  {
    id: 'interp.1.8-control-cost',
    labelZh: '违法减少防治污染设施运行支出一百万元以上',
    basis: `${INTERP}第一条第（八）项`,
    test: (f) => ge(f.reducedControlCostYuan, 1_000_000),
    describe: (f) => `减少运行支出 ${f.reducedControlCostYuan} 元`,
  },
  {
    id: 'interp.1.9-gain-or-loss',
    labelZh: '违法所得或者致使公私财产损失三十万元以上',
    basis: `${INTERP}第一条第（九）项`,
    test: (f) => ge(f.gainOrLossYuan, 300_000),
    describe: (f) => `违法所得或财产损失 ${f.gainOrLossYuan} 元`,
  },
  {
    id: 'interp.1.11-drinking-water',
    labelZh: '致使乡镇以上集中式饮用水水源取水中断十二小时以上',
    basis: `${INTERP}第一条第（十一）项`,
    test: (f) => ge(f.drinkingWaterInterruptionHours, 12),
    describe: (f) => `取水中断 ${f.drinkingWaterInterruptionHours} 小时`,
  },
  {
    id: 'interp.1.14-evacuation',
    labelZh: '致使疏散、转移群众五千人以上',
    basis: `${INTERP}第一条第（十四）项`,
    test: (f) => ge(f.evacuatedPersons, 5000),
    describe: (f) => `疏散、转移群众 ${f.evacuatedPersons} 人`,
  },
  {
    id: 'interp.1.15-poisoning',
    labelZh: '致使三十人以上中毒',
    basis: `${INTERP}第一条第（十五）项`,
    test: (f) => ge(f.poisonedPersons, 30),
    describe: (f) => `${f.poisonedPersons} 人中毒`,
  },
];

export interface ThresholdMatch {
  criterionId: string;
  labelZh: string;
  basis: string;
  valueZh: string;
}

export function matchThresholds(facts: PollutionFacts): ThresholdMatch[] {
  return THRESHOLDS.filter((c) => c.test(facts)).map((c) => ({
    criterionId: c.id,
    labelZh: c.labelZh,
    basis: c.basis,
    valueZh: c.describe(facts),
  }));
}

const NUM = '(\\d+(?:\\.\\d+)?)';
const num = (s: string) => Number(s);
/** 万元 / 元 amounts: "35万元" → 350000, "350000元" → 350000. */
function yuan(text: string, keyword: RegExp): number | undefined {
  const m = text.match(new RegExp(`(?:${keyword.source})[^0-9。；;]{0,12}${NUM}\\s*(万)?元`));
  return m ? num(m[1]) * (m[2] ? 10_000 : 1) : undefined;
}

/**
 * The quantitative facts a Chinese fact summary states, as the agencies write them
 * ("非法倾倒危险废物5.2吨", "总铬超标3.5倍", "违法所得35万元", "通过暗管排放"). What is not stated stays undefined.
 */
export function extractFacts(text: string): PollutionFacts {
  const f: PollutionFacts = {};
  const t = text.replace(/\s+/g, '');
  const hw =
    t.match(new RegExp(`危险废物[^。；;0-9]{0,10}${NUM}(吨|千克|公斤)`)) ??
    t.match(new RegExp(`${NUM}(吨|千克|公斤)[^。；;]{0,6}危险废物`));
  if (hw) f.hazardousWasteTons = hw[2] === '吨' ? num(hw[1]) : num(hw[1]) / 1000;
  for (const m of t.matchAll(
    new RegExp(`(铅|汞|镉|铬|砷|铊|锑|镍|铜|锌|银|钒|锰|钴)[^。；;0-9]{0,10}超[过出]?[^。；;0-9]{0,12}${NUM}倍`, 'g'),
  )) {
    const heavy = '铅汞镉铬砷铊锑'.includes(m[1]);
    const v = num(m[2]);
    if (heavy) f.heavyMetalExceedance = Math.max(f.heavyMetalExceedance ?? 0, v);
    else f.otherMetalExceedance = Math.max(f.otherMetalExceedance ?? 0, v);
  }
  if (/暗管|渗井|渗坑|裂隙|溶洞|灌注/.test(t)) f.concealedDischarge = true;
  if (/(篡改|伪造)[^。；;]{0,6}(自动)?监测数据|干扰[^。；;]{0,4}自动监测设施/.test(t)) f.monitoringFalsified = true;
  const gain = yuan(t, /违法所得|财产损失|经济损失/);
  if (gain !== undefined) f.gainOrLossYuan = gain;
  const cost = yuan(t, /减少[^。；;0-9]{0,10}运行支出|少支出[^。；;0-9]{0,6}运行费用/);
  if (cost !== undefined) f.reducedControlCostYuan = cost;
  const water = t.match(new RegExp(`取水中断${NUM}小时`));
  if (water) f.drinkingWaterInterruptionHours = num(water[1]);
  const poisoned = t.match(new RegExp(`${NUM}人中毒`));
  if (poisoned) f.poisonedPersons = num(poisoned[1]);
  const evac = t.match(new RegExp(`(?:疏散|转移)[^。；;0-9]{0,6}${NUM}人`));
  if (evac) f.evacuatedPersons = num(evac[1]);
  return f;
}

/** Penalty types that count as 行政处罚 for Art 1(6) (two within two years). */
export const REPEAT_PENALTY_TYPES = [
  '罚款',
  '行政拘留',
  '责令停产停业',
  '暂扣许可证件',
  '吊销许可证件',
  '没收违法所得',
] as const;

/** Whether a decision date lies within two years (inclusive) after an earlier one (YYYY-MM-DD). */
export function withinTwoYears(earlier: string, later: string): boolean {
  if (earlier >= later) return false;
  const [y, m, d] = earlier.split('-');
  return later <= `${Number(y) + 2}-${m}-${d}`;
}

/** Prior penalties of the same party within two years before `decisionDate` (Art 1(6)). */
export function priorPenaltiesWithinTwoYears(decisionDate: string, priorDates: readonly string[]): number {
  return priorDates.filter((d) => withinTwoYears(d, decisionDate)).length;
}

// ---------------------------------------------------------------------------------------------------------------
// Time-based criteria of the sweep (data; the SQL in activities/supervision.ts implements them)

export interface TimeCriterion {
  id: string;
  kind: SupervisionKind;
  labelZh: string;
  basis: string;
  /** Default policy days (the sweep's settings may change them), or the rules whose overdue clock is the test. */
  days?: number;
  ruleIds?: readonly string[];
  stages: readonly string[];
}

export const TIME_CRITERIA: Readonly<
  Record<'notTransferred' | 'notFiled' | 'noticeNotFiled' | 'notInvestigated', TimeCriterion>
> = {
  notTransferred: {
    id: 'sweep.not-transferred',
    kind: 'notTransferred',
    labelZh: '已认定涉嫌犯罪（刑事移送程序）但超过规定天数仍未移送公安机关',
    basis: `${M2017}第十四条；《行政执法机关移送涉嫌犯罪案件的规定》第五条`,
    days: 30,
    stages: ['lead', 'taskForce', 'approvalPending', 'transferApproved', 'transferOpinionIssued', 'transferRefused'],
  },
  notFiled: {
    id: 'sweep.not-filed',
    kind: 'notFiled',
    labelZh: '公安机关接受移送后超过立案审查期限仍未作出是否立案的决定',
    basis: `${M2017}第九条、第十五条；${SPPR}第五百六十二条`,
    ruleIds: ['psb.filing-decision', 'psb.filing-decision.verify', 'psb.filing-decision.major'],
    stages: ['accepted'],
  },
  noticeNotFiled: {
    id: 'sweep.notice-not-filed',
    kind: 'notFiled',
    labelZh: '检察机关通知立案后超过十五日仍未立案',
    basis: `${CPL}第一百一十三条；${SPPR}第五百六十三条`,
    ruleIds: ['psb.file-after-notice'],
    stages: ['noticeToFile'],
  },
  notInvestigated: {
    id: 'sweep.not-investigated',
    kind: 'notInvestigated',
    labelZh: '立案后超过侦查羁押期限（二个月）没有任何办理记录',
    basis: `${SPPR}第五百六十四条；${CPL}第一百五十六条；${M2017}第十五条`,
    days: 60,
    stages: ['investigation', 'supplementaryInvestigation'],
  },
};

export interface SweepSettings {
  notTransferredDays: number;
  idleInvestigationDays: number;
}
export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  notTransferredDays: TIME_CRITERIA.notTransferred.days!,
  idleInvestigationDays: TIME_CRITERIA.notInvestigated.days!,
};

/** The kind a case clock's supervision rung opens (rules.ts SupervisionType is a subset of the kinds). */
export function kindOfLadder(supervisionType: string): SupervisionKind | null {
  return (SUPERVISION_KINDS as readonly string[]).includes(supervisionType)
    ? (supervisionType as SupervisionKind)
    : null;
}

/** The opinions that fit an item of a kind. */
export function opinionsFor(kind: SupervisionKind): OpinionKind[] {
  return OPINION_KINDS.filter((o) => OPINIONS[o].kinds.includes(kind));
}
