import { z } from 'zod';
import { CONFIDENTIALITY, CONFIDENTIALITY_ZH, type Confidentiality } from '../information';
import { CASE_AGENCY_ZH } from '../vocabulary';

/**
 * 联合发布 (jointRelease, seed 五(三)): "市人民检察院、市公安局和市生态环境局对于打击环境污染犯罪做出的重大决策、开展的
 * 重大行动事项、取得的重要成果等，可以采取联合发布或同时发布的方式，适时向社会公布。"
 *
 * Pure data and rules, importable from workflows. A release is drafted by one agency, reviewed in rounds by the three
 * agencies (each approves, requests changes with comments, or rejects with a reason; each within the policy rule
 * `release.approval`), and published only when all three approved in the same round. Content marked 保密 or
 * referencing a confidential case is never published; what goes to the public must be marked 公开.
 */

export const RELEASE_PARTIES = ['eeb', 'psb', 'spp'] as const;
export type ReleaseParty = (typeof RELEASE_PARTIES)[number];
export const PARTY_ZH: Readonly<Record<ReleaseParty, string>> = CASE_AGENCY_ZH;

/** The seed's three subjects of a release: 重大决策 / 重大行动事项 / 重要成果. */
export const RELEASE_KINDS = ['majorDecision', 'majorAction', 'result'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];
export const RELEASE_KIND_ZH: Record<ReleaseKind, string> = {
  majorDecision: '重大决策',
  majorAction: '重大行动',
  result: '重要成果',
};

export const RELEASE_STATUSES = ['draft', 'inReview', 'changesRequested', 'approved', 'published', 'rejected'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];
export const RELEASE_STATUS_ZH: Record<ReleaseStatus, string> = {
  draft: '草稿',
  inReview: '审核中',
  changesRequested: '待修改',
  approved: '三方同意（待发布）',
  published: '已发布',
  rejected: '未通过（已终止）',
};

export const DECISIONS = ['approve', 'requestChanges', 'reject'] as const;
export type ReleaseDecision = (typeof DECISIONS)[number];
export const DECISION_ZH: Record<ReleaseDecision, string> = {
  approve: '同意发布',
  requestChanges: '要求修改',
  reject: '不同意发布',
};

/** One agency's place in one review round. `superseded`: the round ended (changes requested) before it decided. */
export type ApprovalStatus = 'pending' | 'approved' | 'changesRequested' | 'rejected' | 'superseded';
export const APPROVAL_STATUS_ZH: Record<ApprovalStatus, string> = {
  pending: '待审核',
  approved: '同意',
  changesRequested: '要求修改',
  rejected: '不同意',
  superseded: '本轮已结束',
};

const caseIdSchema = z.string().regex(/^[0-9a-f-]{36}$/, '引用的案件编号格式错误');

/** The fields of a release's content (as drafted and as revised). */
export const releaseContentFields = {
  title: z
    .string({ error: '请填写标题（title）' })
    .trim()
    .min(2, { error: '标题（title）至少 2 个字' })
    .max(200, { error: '标题（title）不得超过 200 字' }),
  body: z
    .string({ error: '请填写正文（body）' })
    .trim()
    .min(10, { error: '正文（body）至少 10 个字' })
    .max(20000, { error: '正文（body）不得超过 20000 字' }),
  kind: z.enum(RELEASE_KINDS, {
    error: '类别（kind）须为 majorDecision（重大决策）、majorAction（重大行动）或 result（重要成果）',
  }),
  caseIds: z.array(caseIdSchema).max(50, { error: '引用的案件不得超过 50 件' }).default([]),
  confidentiality: z.enum(CONFIDENTIALITY, {
    error: '密级（confidentiality）须为 public（公开）、internal（内部）或 confidential（保密）',
  }),
  confidentialityReason: z
    .string()
    .trim()
    .max(1000, { error: '密级说明（confidentialityReason）不得超过 1000 字' })
    .optional(),
};

/** A non-public mark needs its reason (seed 五(三)); a case is referenced once. */
export function refineContent(
  v: { confidentiality: Confidentiality; confidentialityReason?: string; caseIds: string[] },
  ctx: z.RefinementCtx,
): void {
  if (v.confidentiality !== 'public' && (!v.confidentialityReason || v.confidentialityReason.length < 2)) {
    ctx.addIssue({
      code: 'custom',
      path: ['confidentialityReason'],
      message: `密级为“${CONFIDENTIALITY_ZH[v.confidentiality]}”时必须说明理由（confidentialityReason）：对于需要保密的内容，应当予以特别说明`,
    });
  }
  if (new Set(v.caseIds).size !== v.caseIds.length)
    ctx.addIssue({ code: 'custom', path: ['caseIds'], message: '引用的案件重复' });
}

export const releaseContentSchema = z.object(releaseContentFields).strict().superRefine(refineContent);
export type ReleaseContent = z.infer<typeof releaseContentSchema>;

export const decisionSchema = z
  .object({
    decision: z.enum(DECISIONS, {
      error: '审核意见（decision）须为 approve（同意）、requestChanges（要求修改）或 reject（不同意）',
    }),
    comment: z.string().trim().max(4000, { error: '意见（comment）不得超过 4000 字' }).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'requestChanges' && (!v.comment || v.comment.length < 2)) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: '要求修改时请写明修改意见（comment）' });
    }
    if (v.decision === 'reject' && (!v.comment || v.comment.length < 2)) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: '不同意发布时请写明理由（comment）' });
    }
  });
export type DecisionInput = z.infer<typeof decisionSchema>;

/**
 * Why this content may not go to the public, or null. Checked when an agency approves and again at publication.
 * `confidentialCases`: the referenced cases that are confidential now (their numbers only; read from the record).
 */
export function publicationBlock(
  content: Pick<ReleaseContent, 'confidentiality'>,
  confidentialCases: readonly string[],
): string | null {
  if (content.confidentiality === 'confidential') {
    return '发布稿的密级为“保密”，保密内容不得向社会公开发布；请要求起草单位将内容修改为可公开的内容并标明“公开”';
  }
  if (confidentialCases.length) {
    return `发布稿引用了保密案件（${confidentialCases.join('、')}），涉及保密案件的内容不得向社会公开发布；请要求起草单位删除该引用`;
  }
  if (content.confidentiality !== 'public') {
    return `发布稿的密级为“${CONFIDENTIALITY_ZH[content.confidentiality as Confidentiality] ?? content.confidentiality}”，向社会发布的内容须标明“公开”；请要求起草单位修改密级`;
  }
  return null;
}

/** The outcome of a round after one more decision: still open, changes requested, rejected, or all approved. */
export function roundOutcome(
  decisions: Partial<Record<ReleaseParty, ApprovalStatus>>,
): 'open' | 'changesRequested' | 'rejected' | 'approved' {
  const all = RELEASE_PARTIES.map((a) => decisions[a] ?? 'pending');
  if (all.includes('rejected')) return 'rejected';
  if (all.includes('changesRequested')) return 'changesRequested';
  return all.every((s) => s === 'approved') ? 'approved' : 'open';
}

export const isReleaseParty = (a: string | undefined): a is ReleaseParty =>
  (RELEASE_PARTIES as readonly string[]).includes(a ?? '');
