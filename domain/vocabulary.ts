/**
 * The platform's words: one code name and one Chinese label for each agency, role, track, supervision kind and
 * statute, read by the domain tables, the workflows, the API and the console alike (docs/glossary.md lists them).
 * Code names are persisted (database rows, workflow histories, tokens): they never change; the labels may.
 *
 * No imports: the browser console bundles this module as it is.
 */

// ---------------------------------------------------------------------------------------------------------------
// Agencies and roles

/** The mechanism's body of the three agencies (seed 三、组织领导). */
export const WORKING_GROUP_ZH = '联动执法工作组';

export const AGENCIES = ['eeb', 'psb', 'spp', 'workingGroup'] as const;
export type Agency = (typeof AGENCIES)[number];
/** The three agencies that act on a case (the working group only supervises). */
export type CaseAgency = Exclude<Agency, 'workingGroup'>;
export const CASE_AGENCIES: readonly CaseAgency[] = ['eeb', 'psb', 'spp'];

export const CASE_AGENCY_ZH: Readonly<Record<CaseAgency, string>> = {
  eeb: '生态环境局',
  psb: '公安局',
  spp: '人民检察院',
};
export const AGENCY_ZH: Readonly<Record<Agency, string>> = { ...CASE_AGENCY_ZH, workingGroup: WORKING_GROUP_ZH };

/** What a user account may belong to: an agency, or the platform's administration. */
export const ACCOUNT_AGENCIES = [...AGENCIES, 'admin'] as const;
export type AccountAgency = (typeof ACCOUNT_AGENCIES)[number];
export const ACCOUNT_AGENCY_ZH: Readonly<Record<AccountAgency, string>> = { ...AGENCY_ZH, admin: '平台管理' };

/**
 * Roles of a user inside an agency. `head` = the agency's 负责人 (for the EEB: 正职负责人或主持工作的负责人,
 * Decree 310 Art 5); `leader` / `deputy` / `member` are the working group's 组长 / 副组长 / 成员.
 */
export const ROLES = ['officer', 'head', 'liaison', 'leader', 'deputy', 'member', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_ZH: Readonly<Record<Role, string>> = {
  officer: '办案人员',
  head: '负责人',
  liaison: '联络人',
  leader: '组长',
  deputy: '副组长',
  member: '成员',
  admin: '系统管理员',
};

// ---------------------------------------------------------------------------------------------------------------
// Tracks

export const TRACKS = ['criminal', 'detention', 'administrative'] as const;
/** criminal = 涉嫌犯罪案件移送 (criminalTransfer, §A/§B); detention = 移送行政拘留 (detentionTransfer, §C). */
export type Track = (typeof TRACKS)[number];

export const TRACK_ZH: Readonly<Record<Track, string>> = {
  criminal: '涉嫌犯罪案件移送',
  detention: '移送行政拘留',
  administrative: '行政处罚',
};

// ---------------------------------------------------------------------------------------------------------------
// What the procuratorate's supervision looks for (the seed's 以罚代刑、有案不移、有案不立、立而不侦)

export const SUPERVISION_KINDS = ['notTransferred', 'notFiled', 'notInvestigated', 'penaltyInsteadOfCriminal'] as const;
export type SupervisionKind = (typeof SUPERVISION_KINDS)[number];
/** The kinds a case clock's supervision rung can open (以罚代刑 is found only by the sweep, on penalty records). */
export type ClockSupervisionKind = Exclude<SupervisionKind, 'penaltyInsteadOfCriminal'>;

export const SUPERVISION_KIND_ZH: Readonly<Record<SupervisionKind, string>> = {
  notTransferred: '有案不移',
  notFiled: '有案不立',
  notInvestigated: '立而不侦',
  penaltyInsteadOfCriminal: '以罚代刑',
};

// ---------------------------------------------------------------------------------------------------------------
// Statutes, as cited in a rule's or a step's basis

export const STATUTE_ZH = {
  /** Decree 310 (2001, rev. 2020). */
  decree310: '《行政执法机关移送涉嫌犯罪案件的规定》',
  measures2017: '《环境保护行政执法与刑事司法衔接工作办法》',
  measures2014: '《行政主管部门移送适用行政拘留环境违法案件暂行办法》',
  criminalProcedureLaw: '《中华人民共和国刑事诉讼法》',
  sppRules: '《人民检察院刑事诉讼规则》',
  psbCriminalRules: '《公安机关办理刑事案件程序规定》',
  psbAdministrativeRules: '《公安机关办理行政案件程序规定》',
  pollutionInterpretation: '《最高人民法院 最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释》',
  seed: '《长治市生态环境执法联动协作工作机制实施方案》（长环发〔2024〕75号）',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The mechanism's recurring duties

export const DUTY_PERIOD_STATUSES = ['open', 'done', 'nonCompliant', 'escalated', 'completedLate'] as const;
export type DutyPeriodStatus = (typeof DUTY_PERIOD_STATUSES)[number];
export const DUTY_PERIOD_STATUS_ZH: Readonly<Record<DutyPeriodStatus, string>> = {
  open: '进行中',
  done: '已完成',
  nonCompliant: '未按期完成',
  escalated: '已提请督办',
  completedLate: '逾期完成',
};

export const TRAINING_ORGANISERS = ['joint', ...CASE_AGENCIES] as const;
export type TrainingOrganiser = (typeof TRAINING_ORGANISERS)[number];
export const TRAINING_ORGANISER_ZH: Readonly<Record<TrainingOrganiser, string>> = {
  joint: '三机关联合',
  ...CASE_AGENCY_ZH,
};

export const TRAINING_FORMATS = ['training', 'exchange', 'seminar'] as const;
export type TrainingFormat = (typeof TRAINING_FORMATS)[number];
export const TRAINING_FORMAT_ZH: Readonly<Record<TrainingFormat, string>> = {
  training: '专业知识培训',
  exchange: '经验交流',
  seminar: '研讨',
};

// ---------------------------------------------------------------------------------------------------------------
// Notifications (the outbox)

/**
 * What the code writes: `pending` until the mail server accepts it (`sent`); a warning for a daily-digest reader is
 * `held` (channel `digest`) until the digest that lists it goes out (`digested`); a row for a deactivated user still
 * pending or held is `cancelled`. A refused mail stays `pending` with its error, and delivery retries it. Channel
 * `inbox`: shown in the console only, written as `sent`.
 */
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'held', 'digested', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export const NOTIFICATION_CHANNELS = ['email', 'digest', 'inbox'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
