/**
 * The case lifecycle model: the words (glossary.md), the stages of the three tracks, the clocks a case can hold,
 * and the state the case workflow carries (also across continue-as-new).
 *
 * Pure TypeScript: imported by Temporal workflows. No Node built-ins, no I/O, no clock, no randomness.
 */
import { RULE_IDS, type RuleId } from '../deadlines/rules';
import { z } from 'zod';
import { AGENCIES, ROLES, type Agency, type CaseAgency, type Track } from '../vocabulary';

// ---------------------------------------------------------------------------------------------------------------
// Agencies, roles, actors

export {
  AGENCIES,
  AGENCY_ZH as AGENCY_LABELS,
  CASE_AGENCIES,
  ROLES,
  ROLE_ZH as ROLE_LABELS,
  TRACKS,
  TRACK_ZH as TRACK_LABELS,
  type Agency,
  type CaseAgency,
  type Role,
  type Track,
} from '../vocabulary';

export const ActorSchema = z.object({
  userId: z.string().min(1),
  agency: z.enum(AGENCIES),
  role: z.enum(ROLES),
  displayName: z.string().optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

export const CONFIDENTIALITIES = ['public', 'internal', 'confidential'] as const;
export type Confidentiality = (typeof CONFIDENTIALITIES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Stages

export const STAGES = [
  // administrative-penalty track
  'administrativePenalty',
  // criminal transfer (§A)
  'lead',
  'taskForce',
  'approvalPending',
  'transferRefused',
  'transferApproved',
  'transferOpinionIssued',
  'delivered',
  'accepted',
  'returnedToEeb',
  'notFiled',
  'reconsideration',
  'supervision',
  'reasonsUpheld',
  'noticeToFile',
  // criminal proceedings after filing (§B)
  'investigation',
  'arrestReview',
  'prosecutionReview',
  'supplementaryInvestigation',
  'notProsecuted',
  'trial',
  'reverseTransferred',
  // detention transfer (§C)
  'detentionTransferDecided',
  'detentionDelivered',
  'detentionAccepted',
  'detentionDecided',
  'detentionRefused',
  // terminal
  'judged',
  'penaltyDecided',
  'detentionConcluded',
  'closed',
  'withdrawn',
] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  administrativePenalty: '行政处罚办理中',
  lead: '线索发现（待成立专案组）',
  taskForce: '专案组核实情况',
  approvalPending: '移送报告待负责人审批',
  transferRefused: '不批准移送',
  transferApproved: '已批准移送（待移交公安机关）',
  transferOpinionIssued: '检察机关建议移送（待移送）',
  delivered: '已移送（待公安机关接受）',
  accepted: '公安机关已接受（立案审查）',
  returnedToEeb: '不属公安机关管辖，已退回生态环境局',
  notFiled: '不予立案',
  reconsideration: '复议中',
  supervision: '立案监督',
  reasonsUpheld: '立案监督：不立案理由成立',
  noticeToFile: '检察机关通知立案',
  investigation: '立案侦查',
  arrestReview: '审查批准逮捕',
  prosecutionReview: '审查起诉',
  supplementaryInvestigation: '退回补充侦查',
  notProsecuted: '不起诉',
  trial: '已提起公诉（审判中）',
  reverseTransferred: '已反向移送生态环境局（待行政处罚）',
  detentionTransferDecided: '已决定移送行政拘留',
  detentionDelivered: '已移送公安机关（待受理）',
  detentionAccepted: '公安机关已受理（行政拘留审查）',
  detentionDecided: '已决定行政拘留（待抄送决定书）',
  detentionRefused: '不予行政拘留（已退回）',
  judged: '已判决',
  penaltyDecided: '已作出行政处罚',
  detentionConcluded: '行政拘留已办结',
  closed: '已结案',
  withdrawn: '已撤销',
};

export const TERMINAL_STAGES: ReadonlySet<Stage> = new Set<Stage>([
  'judged',
  'penaltyDecided',
  'detentionConcluded',
  'closed',
  'withdrawn',
]);

/**
 * Who holds the case in each stage: the agency whose decision the case waits for. It is the `ResponsibleAgency`
 * search attribute and decides who may withdraw the case. Terminal stages are held by nobody.
 */
export const STAGE_HOLDER: Record<Stage, CaseAgency | null> = {
  administrativePenalty: 'eeb',
  lead: 'eeb',
  taskForce: 'eeb',
  approvalPending: 'eeb',
  transferRefused: 'eeb',
  transferApproved: 'eeb',
  transferOpinionIssued: 'eeb',
  delivered: 'psb',
  accepted: 'psb',
  returnedToEeb: 'eeb',
  notFiled: 'eeb',
  reconsideration: 'psb',
  supervision: 'spp',
  reasonsUpheld: 'spp',
  noticeToFile: 'psb',
  investigation: 'psb',
  arrestReview: 'spp',
  prosecutionReview: 'spp',
  supplementaryInvestigation: 'psb',
  notProsecuted: 'spp',
  trial: 'spp',
  reverseTransferred: 'eeb',
  detentionTransferDecided: 'eeb',
  detentionDelivered: 'psb',
  detentionAccepted: 'psb',
  detentionDecided: 'psb',
  detentionRefused: 'eeb',
  judged: null,
  penaltyDecided: null,
  detentionConcluded: null,
  closed: null,
  withdrawn: null,
};

// ---------------------------------------------------------------------------------------------------------------
// Rules (ids of shared/reference/statutory-deadlines.md) as far as the lifecycle needs them

/** Every rule of §2 except the platform-entry duty, which is about records, not a case's procedure. */
export type CaseRuleId = Exclude<RuleId, 'any.platform-entry'>;
export const CASE_RULE_IDS = RULE_IDS.filter((id): id is CaseRuleId => id !== 'any.platform-entry');

/**
 * How the lifecycle uses a rule.
 * - `clock`: a running clock, opened and closed by steps; the workflow times it with the deadline engine.
 * - `window`: a limit on a step that happens only in some cases (e.g. "if the materials are incomplete, tell the
 *   EEB within 24 hours of acceptance"). Opening it as a clock would make every case overdue; instead the step
 *   that happens is checked against it (`windows` in the result of applyStep).
 * `optional`: a right, not a duty (e.g. the EEB *may* ask for reconsideration): expiry means the option lapsed.
 * `custody`: the rule is a custody period (never rolls forward) whenever the suspect is held.
 * A rule's label is the rule table's (`RULES[id].labelZh`): one label per rule.
 */
export interface RuleUse {
  agency: CaseAgency | 'any';
  kind: 'clock' | 'window';
  optional?: boolean;
  custody?: boolean;
  /** The base rule of a variant (psb.filing-decision.verify → psb.filing-decision). */
  variantOf?: CaseRuleId;
}

export const RULE_USE: Record<CaseRuleId, RuleUse> = {
  'eeb.task-force': { agency: 'eeb', kind: 'clock' },
  'eeb.transfer-report': { agency: 'eeb', kind: 'clock' },
  'eeb.transfer-approval': { agency: 'eeb', kind: 'clock' },
  'eeb.transfer-delivery': { agency: 'eeb', kind: 'clock' },
  'psb.receipt': { agency: 'psb', kind: 'clock' },
  'psb.materials-incomplete-notice': { agency: 'psb', kind: 'window' },
  'eeb.materials-supplement': { agency: 'eeb', kind: 'clock' },
  'psb.jurisdiction-forward': { agency: 'psb', kind: 'window' },
  'psb.return-non-police': { agency: 'psb', kind: 'window' },
  'psb.filing-decision': { agency: 'psb', kind: 'clock' },
  'psb.filing-decision.verify': {
    agency: 'psb',
    kind: 'clock',
    variantOf: 'psb.filing-decision',
  },
  'psb.filing-decision.major': {
    agency: 'psb',
    kind: 'clock',
    variantOf: 'psb.filing-decision',
  },
  'psb.decision-notice': { agency: 'psb', kind: 'clock' },
  'eeb.evidence-handover': { agency: 'eeb', kind: 'clock' },
  'eeb.reconsideration-request': { agency: 'eeb', kind: 'clock', optional: true },
  'psb.reconsideration-decision': { agency: 'psb', kind: 'clock' },
  'eeb.supervision-proposal': { agency: 'eeb', kind: 'clock', optional: true },
  'psb.non-filing-explanation': { agency: 'psb', kind: 'clock' },
  'psb.late-decision-explanation': { agency: 'psb', kind: 'clock' },
  'spp.review-outcome-notice': { agency: 'spp', kind: 'clock' },
  'psb.file-after-notice': { agency: 'psb', kind: 'clock' },
  'spp.supervised-case-followup': { agency: 'spp', kind: 'clock' },
  'eeb.transfer-after-procuratorate-opinion': { agency: 'eeb', kind: 'clock' },
  'spp.non-prosecution-notice': { agency: 'spp', kind: 'clock' },
  'any.written-consultation-reply': { agency: 'any', kind: 'clock' },
  'psb.arrest-request': { agency: 'psb', kind: 'clock', custody: true },
  'spp.arrest-decision': { agency: 'spp', kind: 'clock', custody: true },
  'spp.arrest-decision.not-detained': {
    agency: 'spp',
    kind: 'clock',
    variantOf: 'spp.arrest-decision',
  },
  'psb.investigation-custody': { agency: 'psb', kind: 'clock', custody: true },
  // Custody applies to these while the suspect is held (CPL Art 105 ¶4; rule table custody 'case').
  'spp.prosecution-review': { agency: 'spp', kind: 'clock', custody: true },
  'psb.supplementary-investigation': { agency: 'psb', kind: 'clock', custody: true },
  'eeb.detention-transfer': { agency: 'eeb', kind: 'clock' },
  'psb.detention-evidence-request': { agency: 'psb', kind: 'window' },
  'psb.detention-decision-copy': { agency: 'psb', kind: 'clock' },
  'psb.detention-refusal': { agency: 'psb', kind: 'window' },
  'psb.public-security-case-limit': { agency: 'psb', kind: 'clock' },
};

/** The base rule of a rule id (variants map to their base). */
export function baseRuleOf(ruleId: CaseRuleId): CaseRuleId {
  return RULE_USE[ruleId].variantOf ?? ruleId;
}

// ---------------------------------------------------------------------------------------------------------------
// Clocks

/** Who approved an extension or a suspension, as recorded. */
export interface Approval {
  approverName: string;
  approverTitle?: string;
  /** e.g. 'higherSpp' for investigation custody extensions (see steps.ts). */
  authority?: string;
  documentNumber?: string;
}

export type ClockExtension =
  | {
      kind: 'variant';
      /** The deadline engine's extension option id ('verify' | 'major'). */
      option: string;
      atMs: number;
      fromRuleId: CaseRuleId;
      toRuleId: CaseRuleId;
      reason: string;
      approval?: Approval;
      byUserId: string;
    }
  | {
      kind: 'add';
      /** The deadline engine's extension option id (e.g. 'complex', 'provincial', 'tenYears', 'special', 'gang'). */
      option: string;
      atMs: number;
      amount: number;
      unit: 'days' | 'workdays' | 'months';
      reason: string;
      ground?: string;
      approval: Approval;
      byUserId: string;
    };

export interface ClockSuspension {
  fromMs: number;
  /** Absent while the suspension lasts. */
  toMs?: number;
  reason: string;
  reasonCode: 'appraisal' | 'other';
  approval: Approval;
  byUserId: string;
}

/** What the workflow needs to time a clock with the deadline engine. */
export interface ClockSpec {
  /** `${baseRuleId}#${n}`: n counts the clocks of that rule opened on the case (1, 2, ...). Stable for life. */
  clockId: string;
  /** The effective rule (changes when a variant extension applies: psb.filing-decision → .verify → .major). */
  ruleId: CaseRuleId;
  baseRuleId: CaseRuleId;
  startedAtMs: number;
  responsibleAgency: CaseAgency;
  /** Custody period: the rule is a custody rule and the suspect is held. */
  custody: boolean;
  /** A right, not a duty: expiry means the option lapsed (no supervision item). */
  optional: boolean;
}

export interface OpenClock extends ClockSpec {
  extensions: ClockExtension[];
  suspensions: ClockSuspension[];
  /** Set by the workflow (markClockOverdue) when the deadline passed; guards read it. */
  overdueAtMs?: number;
  /** The step that opened the clock. */
  openedBy: string;
}

/** A window rule the step just performed is subject to: the workflow checks the step's instant against it. */
export interface WindowCheck {
  ruleId: CaseRuleId;
  startedAtMs: number;
  responsibleAgency: CaseAgency;
}

// ---------------------------------------------------------------------------------------------------------------
// State

export type ArrestStatus = 'none' | 'requested' | 'approved' | 'notApproved' | 'arrested';

export interface SupervisionState {
  /** Who started it: the EEB's proposal (2017 Arts 12–13) or the SPP on its own (2017 Art 15). */
  origin: 'eebProposal' | 'sppInitiative';
  /** nonFiling: the PSB decided not to file; lateDecision: the PSB did not decide in time (SPP Rules 562). */
  kind: 'nonFiling' | 'lateDecision';
  explanation: 'none' | 'requested' | 'received';
}

export interface HistoryEntry {
  seq: number;
  step: string;
  atMs: number;
  agency: Agency;
  userId: string;
  stage: Stage;
}

export interface CaseState {
  caseId: string;
  track: Track;
  stage: Stage;
  createdAtMs: number;
  updatedAtMs: number;
  closedAtMs?: number;
  confidentiality: Confidentiality;
  /** Is the suspect held (拘留 / 逮捕)? Custody clocks never roll forward. */
  custody: boolean;
  flags: {
    /** 重大疑难复杂 / 重大案件. */
    major: boolean;
    /** 挂牌督办 by the three agencies (2017 Art 31). */
    jointSupervision: boolean;
    withdrawn: boolean;
    jointInvestigation: boolean;
    /** Agencies that joined early (提前介入). */
    earlyInvolvement: CaseAgency[];
  };
  /** The PSB unit currently handling the case (changes when forwarded to the competent PSB). */
  psbUnit?: string;
  arrest: ArrestStatus;
  supplementaryInvestigationRounds: number;
  investigationCustodyExtensions: number;
  reconsiderationUsed: boolean;
  transferOpinionIssued: boolean;
  supervision: SupervisionState | null;
  /** The PSB decision whose written notice to the EEB is still owed (psb.decision-notice open). */
  pendingDecisionNotice: 'filed' | 'notFiled' | null;
  /** When notices the EEB is waiting for were delivered. */
  notices: {
    nonFiling?: number;
    reviewOutcome?: number;
    nonProsecution?: number;
  };
  /** Instants that window rules count from. */
  milestones: {
    acceptedAtMs?: number;
    detentionAcceptedAtMs?: number;
    filedAtMs?: number;
  };
  judgmentOutcome?: 'convicted' | 'acquitted' | 'exempted';
  clocks: OpenClock[];
  /** Clocks opened per base rule (for clock ids). */
  clockCounters: Record<string, number>;
  /** Number of events written so far (the creation is event 1). */
  seq: number;
  history: HistoryEntry[];
}

// ---------------------------------------------------------------------------------------------------------------
// Results

export interface CaseEvent {
  /** Deterministic: `${caseId}/created` for the first event, `${caseId}/step/${seq}` after. */
  id: string;
  seq: number;
  caseId: string;
  type: string;
  step: string;
  labelZh: string;
  actor: Actor;
  atMs: number;
  documentNumber?: string;
  stageFrom: Stage | null;
  stageTo: Stage;
  data: Record<string, unknown>;
}

export type RejectionCode = 403 | 404 | 409 | 422;

export interface Rejection {
  ok: false;
  code: RejectionCode;
  messageZh: string;
  field?: string;
}

export class StepRejectedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.messageZh);
    this.name = 'StepRejectedError';
  }
}
