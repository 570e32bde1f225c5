import { z } from 'zod';

/**
 * Case information records of 2017 Measures Art 34 (rule `any.platform-entry`: 7 days from the decision).
 * Pure data, importable from workflows: which case steps are Art 34 decisions, and what an entered record holds.
 */

export type Article34Item = '一' | '二' | '三';

export interface Article34Decision {
  item: Article34Item;
  /** The decision as Art 34 names it. */
  labelZh: string;
}

/**
 * The case steps that are decisions listed in Art 34. Art 34 is about the criminal transfer of 2017 Measures; the
 * detention track (2014 Measures) has no such duty. "适用一般程序的环境违法事实" is the case registration itself,
 * which is not a step: the registering agency enters the facts with the case.
 */
export const ARTICLE34_DECISIONS: Readonly<Record<string, Article34Decision>> = {
  // （一）环保部门
  decideAdministrativePenalty: { item: '一', labelZh: '案件行政处罚' },
  deliverTransfer: { item: '一', labelZh: '案件移送' },
  requestReconsideration: { item: '一', labelZh: '提请复议' },
  proposeSupervision: { item: '一', labelZh: '建议人民检察院进行立案监督' },
  // （二）公安机关
  fileCase: { item: '二', labelZh: '移送涉嫌犯罪案件的立案' },
  declineFiling: { item: '二', labelZh: '不予立案' },
  withdrawCase: { item: '二', labelZh: '立案后撤销案件' },
  grantReconsideration: { item: '二', labelZh: '复议（决定立案）' },
  upholdNonFiling: { item: '二', labelZh: '复议（维持不予立案）' },
  fileAfterNotice: { item: '二', labelZh: '人民检察院监督立案后的处理情况' },
  requestArrest: { item: '二', labelZh: '提请批准逮捕' },
  transferForProsecution: { item: '二', labelZh: '移送审查起诉' },
  // （三）人民检察院
  issueTransferOpinion: { item: '三', labelZh: '监督移送' },
  noticeToFile: { item: '三', labelZh: '监督立案' },
  approveArrest: { item: '三', labelZh: '批准逮捕' },
  disapproveArrest: { item: '三', labelZh: '批准逮捕（不批准逮捕）' },
  prosecute: { item: '三', labelZh: '提起公诉' },
  recordJudgment: { item: '三', labelZh: '裁判结果' },
};

export function article34Decision(step: string | undefined | null): Article34Decision | undefined {
  return step && Object.prototype.hasOwnProperty.call(ARTICLE34_DECISIONS, step)
    ? ARTICLE34_DECISIONS[step]
    : undefined;
}

export const CONFIDENTIALITY = ['public', 'internal', 'confidential'] as const;
export type Confidentiality = (typeof CONFIDENTIALITY)[number];
export const CONFIDENTIALITY_ZH: Record<Confidentiality, string> = {
  public: '公开',
  internal: '内部',
  confidential: '保密',
};

/** The body of an information record (what the responsible agency enters). */
export const informationRecordInput = z
  .object({
    content: z
      .string({ error: '请填写录入的案件信息（content）' })
      .trim()
      .min(2, { error: '录入的案件信息（content）不能为空' })
      .max(4000, { error: '录入的案件信息（content）不得超过 4000 字' }),
    confidentiality: z.enum(CONFIDENTIALITY, {
      error: '密级（confidentiality）须为 public（公开）、internal（内部）或 confidential（保密）',
    }),
    confidentialityReason: z
      .string()
      .trim()
      .max(1000, { error: '密级说明（confidentialityReason）不得超过 1000 字' })
      .optional(),
    documentNumber: z
      .string()
      .trim()
      .min(1)
      .max(100, { error: '文书编号（documentNumber）不得超过 100 字' })
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.confidentiality !== 'public' && (!v.confidentialityReason || v.confidentialityReason.length < 2)) {
      ctx.addIssue({
        code: 'custom',
        path: ['confidentialityReason'],
        message: `密级为“${CONFIDENTIALITY_ZH[v.confidentiality]}”时必须说明理由（confidentialityReason）：对于需要保密的内容，应当予以特别说明`,
      });
    }
  });
export type InformationRecordInput = z.infer<typeof informationRecordInput>;

/** Which of two marks is stricter (the feed applies the stricter of the case's and the record's). */
export function stricter(a: string | null | undefined, b: string | null | undefined): Confidentiality {
  // An unknown mark counts as the strictest: nothing leaves by mistake.
  const rank = (x: string | null | undefined) =>
    x == null
      ? 0
      : CONFIDENTIALITY.indexOf(x as Confidentiality) < 0
        ? 2
        : CONFIDENTIALITY.indexOf(x as Confidentiality);
  return CONFIDENTIALITY[Math.max(rank(a), rank(b))];
}
