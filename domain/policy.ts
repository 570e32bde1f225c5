/**
 * Who may see and do what: the whole access policy of the API in one table (issue 6).
 * Pure data and functions. Every API route declares one of these permissions in its spec (api/openapi.ts, the type
 * requires it) and the route helper enforces it; GET /api/v1/policy serves the resulting endpoint table, and
 * tests/e2e/permissions.test.ts checks every registered endpoint against every agency and role.
 */

export type PolicyAgency = 'eeb' | 'psb' | 'spp' | 'workingGroup' | 'admin';
export type PolicyRole = 'officer' | 'head' | 'liaison' | 'leader' | 'deputy' | 'member' | 'admin';

export interface Principal {
  agency: PolicyAgency;
  role: PolicyRole;
}

/** Every principal kind the system knows (agency × role as users are created). */
export const PRINCIPALS: readonly Principal[] = [
  { agency: 'eeb', role: 'officer' },
  { agency: 'eeb', role: 'head' },
  { agency: 'eeb', role: 'liaison' },
  { agency: 'psb', role: 'officer' },
  { agency: 'psb', role: 'head' },
  { agency: 'psb', role: 'liaison' },
  { agency: 'spp', role: 'officer' },
  { agency: 'spp', role: 'head' },
  { agency: 'spp', role: 'liaison' },
  { agency: 'workingGroup', role: 'leader' },
  { agency: 'workingGroup', role: 'deputy' },
  { agency: 'workingGroup', role: 'member' },
  { agency: 'workingGroup', role: 'liaison' },
  { agency: 'admin', role: 'admin' },
];

const CASE_AGENCIES: readonly PolicyAgency[] = ['eeb', 'psb', 'spp'];
const isAdmin = (p: Principal) => p.agency === 'admin' && p.role === 'admin';
const isCaseAgency = (p: Principal) => CASE_AGENCIES.includes(p.agency);
const isWorkingGroup = (p: Principal) => p.agency === 'workingGroup';

export type Permission =
  | 'public'
  | 'authenticated'
  | 'case.create'
  | 'case.read'
  | 'case.act'
  | 'deadline.read'
  | 'calendar.read'
  | 'calendar.write'
  | 'user.admin'
  | 'user.selfOrAdmin'
  | 'user.confirm'
  | 'schedule.read'
  | 'schedule.write'
  | 'duty.read'
  | 'duty.act'
  | 'audit.read'
  | 'information.read'
  | 'information.enter'
  | 'import.write'
  | 'import.read'
  | 'release.read'
  | 'release.act'
  | 'report.read'
  | 'supervision.read'
  | 'supervision.act'
  | 'report.request';

export interface PermissionRule {
  labelZh: string;
  /** May this principal use the endpoint at all (case-level visibility is checked separately)? */
  allows(p: Principal): boolean;
  /** The endpoint reads or changes one case: visibility (confidentiality) applies. */
  caseScoped?: boolean;
  /** Refusal message for principals the rule does not allow. */
  deniedZh: string;
}

export const PERMISSIONS: Record<Permission, PermissionRule> = {
  public: { labelZh: '无需登录', allows: () => true, deniedZh: '' },
  authenticated: { labelZh: '已登录用户', allows: () => true, deniedZh: '' },
  // Decree 310 Art 3, 2017 Measures Art 5: the administrative enforcer that finds the facts registers the case.
  'case.create': {
    labelZh: '登记案件：生态环境局',
    allows: (p) => p.agency === 'eeb',
    deniedZh: '案件由发现违法行为的生态环境局登记',
  },
  // Seed 五(三): the three agencies share case information; the working group reads all; administrators do not read cases.
  'case.read': {
    labelZh: '查阅案件：三机关与联动执法工作组（保密案件仅限涉案机关和检察院）',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    caseScoped: true,
    deniedZh: '系统管理员不查阅案件内容',
  },
  // Which step an agency may take is decided by the case model (domain/case); here: agencies only.
  'case.act': {
    labelZh: '办理案件步骤：三机关（具体步骤由案件流程校验）',
    allows: isCaseAgency,
    caseScoped: true,
    deniedZh: '只有生态环境局、公安局、检察院的用户可以办理案件步骤',
  },
  'deadline.read': { labelZh: '期限预览：已登录用户', allows: () => true, deniedZh: '' },
  'calendar.read': { labelZh: '查看工作日历：已登录用户', allows: () => true, deniedZh: '' },
  'calendar.write': {
    labelZh: '载入节假日安排：系统管理员',
    allows: isAdmin,
    deniedZh: '只有系统管理员可以载入节假日安排',
  },
  'user.admin': { labelZh: '管理用户：系统管理员', allows: isAdmin, deniedZh: '只有系统管理员可以管理用户' },
  // No one person opens an account that reads every confidential case: a head of its agency confirms it.
  'user.confirm': {
    labelZh: '确认账号：本机关负责人',
    allows: (p) => isCaseAgency(p) && p.role === 'head',
    deniedZh: '只有本机关负责人可以确认账号',
  },
  'user.selfOrAdmin': { labelZh: '本人令牌：本人或系统管理员', allows: () => true, deniedZh: '只能管理本人的令牌' },
  'schedule.read': {
    labelZh: '查看定期任务：联动执法工作组、系统管理员、各机关负责人与联络人',
    allows: (p) => isAdmin(p) || isWorkingGroup(p) || ['head', 'liaison'].includes(p.role),
    deniedZh: '无权查看定期任务',
  },
  'schedule.write': {
    labelZh: '调整定期任务：系统管理员',
    allows: isAdmin,
    deniedZh: '只有系统管理员可以调整定期任务',
  },
  'duty.read': {
    labelZh: '查看联合执法、培训、联席会议、通报：三机关与联动执法工作组',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不查阅业务记录',
  },
  'audit.read': { labelZh: '查阅审计日志：系统管理员', allows: isAdmin, deniedZh: '只有系统管理员可以查阅审计日志' },
  'duty.act': {
    labelZh: '办理联动机制事项：三机关与联动执法工作组（具体操作由流程校验）',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不办理业务事项',
  },
  // 2017 Measures Art 34: each agency enters the information of its own decisions (the workflow checks which agency).
  'information.read': {
    labelZh: '查阅案件信息录入：三机关与联动执法工作组（保密案件仅限涉案机关和检察院）',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    caseScoped: true,
    deniedZh: '系统管理员不查阅案件内容',
  },
  'information.enter': {
    labelZh: '录入案件信息：作出决定的机关（三机关之一）',
    allows: isCaseAgency,
    caseScoped: true,
    deniedZh: '只有生态环境局、公安局、检察院的用户可以录入案件信息',
  },
  // Seed 五(三) 开通信息平台接口: the agencies bring their own penalty and enforcement records.
  'import.write': {
    labelZh: '导入行政处罚、执法记录：三机关',
    allows: isCaseAgency,
    deniedZh: '只有生态环境局、公安局、检察院的用户可以导入本机关的记录',
  },
  // Issue 8 item 4: reports hold aggregates and non-confidential case numbers only (confidential cases counted).
  'report.read': {
    labelZh: '查看与下载报表：三机关与联动执法工作组',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不查阅业务报表',
  },
  'report.request': {
    labelZh: '生成报表：三机关与联动执法工作组',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不生成业务报表',
  },
  'import.read': {
    labelZh: '查看导入任务：三机关（本机关的导入）与联动执法工作组',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不查阅业务记录',
  },
  // Seed 五(三) 联合发布: the three agencies draft and approve; the working group follows (and is told of overdue reviews).
  // 2017 Measures Arts 14–15: the procuratorate supervises; the agencies concerned answer; the working group follows.
  'supervision.read': {
    labelZh: '查看检察监督事项：三机关与联动执法工作组（保密案件的事项仅限涉案机关和检察院）',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不查阅业务记录',
  },
  'supervision.act': {
    labelZh: '办理检察监督事项：检察院发出意见和办结，被监督机关答复（由流程校验）',
    allows: isCaseAgency,
    deniedZh: '监督事项由人民检察院办理、被监督机关答复',
  },
  'release.read': {
    labelZh: '查看联合发布稿及审核：三机关与联动执法工作组',
    allows: (p) => isCaseAgency(p) || isWorkingGroup(p),
    deniedZh: '系统管理员不查阅业务记录',
  },
  'release.act': {
    labelZh: '起草、审核、发布联合发布稿：三机关（起草单位修改和发布，三机关各自审核，由流程校验）',
    allows: isCaseAgency,
    deniedZh: '联合发布由生态环境局、公安局、人民检察院起草和审核',
  },
};

/** What the visibility check needs to know of a case. */
export interface CaseVisibility {
  confidentiality: 'public' | 'internal' | 'confidential' | string;
  /** Agencies that registered, acted on or now hold the case. */
  involvedAgencies: readonly string[];
}

/**
 * May this principal see this case? Non-confidential cases: the three agencies and the working group.
 * Confidential: only the agencies involved in it and the procuratorate (seed 五(三) "对于需要保密的内容，应当予以特别说明").
 */
export function canSeeCase(p: Principal, c: CaseVisibility): boolean {
  if (isAdmin(p)) return false;
  if (c.confidentiality !== 'confidential') return isCaseAgency(p) || isWorkingGroup(p);
  if (p.agency === 'spp') return true;
  return isCaseAgency(p) && c.involvedAgencies.includes(p.agency);
}

/**
 * May this principal read this joint release? 保密 releases: only the agencies concerned, that is the three parties
 * that draft and review every release (the procuratorate among them), not the working group; others as release.read.
 */
export function canSeeRelease(p: Principal, r: { confidentiality: string }): boolean {
  if (!isCaseAgency(p) && !isWorkingGroup(p)) return false;
  return r.confidentiality !== 'confidential' || isCaseAgency(p);
}

/**
 * 保密 Art 34 information records: only the agencies involved in the case and the procuratorate (as a confidential
 * case), whatever the case's own mark; others as the case.
 */
export function canSeeRecord(p: Principal, record: { confidentiality: string }, c: CaseVisibility): boolean {
  if (!canSeeCase(p, c)) return false;
  return record.confidentiality !== 'confidential' || canSeeCase(p, { ...c, confidentiality: 'confidential' });
}

/**
 * Accounts that can read every confidential case (the procuratorate's, canSeeCase) are opened by an administrator
 * but usable only once a head of the procuratorate has confirmed them: no one person opens that access alone.
 */
export function needsConfirmation(p: Principal): boolean {
  return p.agency === 'spp';
}

/** Who confirms such an account: a (confirmed) head of the same agency, not the account itself. */
export function mayConfirm(confirmer: Principal, account: Principal): boolean {
  return confirmer.agency === account.agency && confirmer.role === 'head';
}

/**
 * What the export feed (GET /api/v1/feed/cases) gives a caller: 保密 never leaves; 内部 goes only to the agencies'
 * and the working group's tokens; anyone else (no token, administrator) gets what is marked 公开.
 */
export function feedLevel(p: Principal | undefined): 'public' | 'internal' {
  return p && (isCaseAgency(p) || isWorkingGroup(p)) ? 'internal' : 'public';
}
