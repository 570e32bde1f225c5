import { z } from 'zod';

/**
 * Records imported from the agencies' own systems (seed 五(三) "开通……信息平台接口"): administrative penalties
 * (`penalty_records`, the basis of the 以罚代刑 check) and enforcement actions (`enforcement_records`).
 * Column names may be given in English or Chinese; every reason is in Chinese.
 */
export const IMPORT_KINDS = ['penalty', 'enforcement'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_KIND_ZH: Record<ImportKind, string> = { penalty: '行政处罚记录', enforcement: '执法记录' };

/** 《行政处罚法》(2021) 第九条 penalty types, plus 行政拘留 (PSB) and 其他. */
export const PENALTY_TYPES = [
  '警告',
  '通报批评',
  '罚款',
  '没收违法所得',
  '没收非法财物',
  '暂扣许可证件',
  '降低资质等级',
  '吊销许可证件',
  '限制开展生产经营活动',
  '责令停产停业',
  '责令关闭',
  '限制从业',
  '行政拘留',
  '其他',
] as const;

const AGENCY_NAMES: Record<string, 'eeb' | 'psb' | 'spp'> = {
  eeb: 'eeb',
  psb: 'psb',
  spp: 'spp',
  生态环境局: 'eeb',
  生态环境部门: 'eeb',
  公安局: 'psb',
  公安机关: 'psb',
  人民检察院: 'spp',
  检察院: 'spp',
};

/** Column → field, for both kinds (the header row names the columns; unknown columns are refused). */
export const COLUMNS: Record<ImportKind, Record<string, string>> = {
  penalty: {
    source_id: 'sourceId',
    来源编号: 'sourceId',
    agency: 'agency',
    执法机关: 'agency',
    party: 'party',
    当事人: 'party',
    fact_summary: 'factSummary',
    违法事实: 'factSummary',
    penalty_type: 'penaltyType',
    处罚种类: 'penaltyType',
    amount: 'amount',
    罚款金额: 'amount',
    decision_date: 'decisionDate',
    决定日期: 'decisionDate',
    document_number: 'documentNumber',
    决定书文号: 'documentNumber',
    case_number: 'caseNumber',
    案件编号: 'caseNumber',
  },
  enforcement: {
    source_id: 'sourceId',
    来源编号: 'sourceId',
    agency: 'agency',
    执法机关: 'agency',
    party: 'party',
    当事人: 'party',
    action_type: 'actionType',
    执法类型: 'actionType',
    action_date: 'actionDate',
    执法日期: 'actionDate',
    place: 'place',
    地点: 'place',
    summary: 'summary',
    情况摘要: 'summary',
    result: 'result',
    处理结果: 'result',
    case_number: 'caseNumber',
    案件编号: 'caseNumber',
  },
};
export const REQUIRED_FIELDS: Record<ImportKind, string[]> = {
  penalty: ['sourceId', 'agency', 'party', 'factSummary', 'penaltyType', 'decisionDate'],
  enforcement: ['sourceId', 'agency', 'party', 'actionType', 'actionDate', 'summary'],
};
export const FIELD_ZH: Record<string, string> = {
  sourceId: '来源编号（source_id）',
  agency: '执法机关（agency）',
  party: '当事人（party）',
  factSummary: '违法事实（fact_summary）',
  penaltyType: '处罚种类（penalty_type）',
  amount: '罚款金额（amount）',
  decisionDate: '决定日期（decision_date）',
  documentNumber: '决定书文号（document_number）',
  caseNumber: '案件编号（case_number）',
  actionType: '执法类型（action_type）',
  actionDate: '执法日期（action_date）',
  place: '地点（place）',
  summary: '情况摘要（summary）',
  result: '处理结果（result）',
};

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const str = (field: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
    z
      .string({ error: `${FIELD_ZH[field]}不能为空` })
      .trim()
      .min(1, { error: `${FIELD_ZH[field]}不能为空` })
      .max(max, { error: `${FIELD_ZH[field]}不得超过 ${max} 字` }),
  );
const optStr = (field: string, max: number) => z.preprocess(blankToUndefined, str(field, max).optional());

/** A calendar date YYYY-MM-DD that exists and is not after `today`. */
const dateField = (field: string, today: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${FIELD_ZH[field]}不能为空` })
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${FIELD_ZH[field]}格式应为 YYYY-MM-DD` })
      .refine(
        (s) => {
          const d = new Date(`${s}T00:00:00Z`);
          return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
        },
        { error: `${FIELD_ZH[field]}不是有效日期` },
      )
      .refine((s) => s <= today, { error: `${FIELD_ZH[field]}晚于今天` }),
  );

const agencyField = z.preprocess(
  blankToUndefined,
  z
    .string({ error: `${FIELD_ZH.agency}不能为空` })
    .trim()
    .transform((s, ctx) => {
      const code = AGENCY_NAMES[s];
      if (!code) {
        ctx.addIssue({
          code: 'custom',
          message: `${FIELD_ZH.agency}无法识别：${s.slice(0, 20)}（应为 eeb / psb / spp 或 生态环境局 / 公安局 / 人民检察院）`,
        });
        return z.NEVER;
      }
      return code;
    }),
);

const caseNumberField = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(/^联动-\d{4}-\d{6}$/, { error: `${FIELD_ZH.caseNumber}格式应为 联动-YYYY-NNNNNN` })
    .optional(),
);

/** Yuan with at most two decimals, as a string (exact: numeric(14,2)). */
const amountField = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : blankToUndefined(typeof v === 'string' ? v.replace(/,/g, '') : v)),
  z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,2})?$/, { error: `${FIELD_ZH.amount}应为不小于 0、最多两位小数的金额（元）` })
    // As PostgreSQL's numeric(14,2) gives it back, so a re-import compares equal.
    .transform((s) => {
      const [int, frac = ''] = s.split('.');
      return `${int.replace(/^0+(?=\d)/, '')}.${frac.padEnd(2, '0')}`;
    })
    .optional(),
);

export function rowSchema(kind: ImportKind, today: string) {
  if (kind === 'penalty') {
    return z
      .object({
        sourceId: str('sourceId', 100),
        agency: agencyField,
        party: str('party', 200),
        factSummary: str('factSummary', 4000),
        penaltyType: z.preprocess(
          blankToUndefined,
          z.enum(PENALTY_TYPES, { error: `${FIELD_ZH.penaltyType}应为：${PENALTY_TYPES.join('、')}` }),
        ),
        amount: amountField,
        decisionDate: dateField('decisionDate', today),
        documentNumber: optStr('documentNumber', 100),
        caseNumber: caseNumberField,
      })
      .strict()
      .superRefine((v, ctx) => {
        if (v.penaltyType === '罚款' && v.amount === undefined) {
          ctx.addIssue({ code: 'custom', path: ['amount'], message: `处罚种类为罚款时必须填写${FIELD_ZH.amount}` });
        }
      });
  }
  return z
    .object({
      sourceId: str('sourceId', 100),
      agency: agencyField,
      party: str('party', 200),
      actionType: str('actionType', 50),
      actionDate: dateField('actionDate', today),
      place: optStr('place', 200),
      summary: str('summary', 4000),
      result: optStr('result', 1000),
      caseNumber: caseNumberField,
    })
    .strict();
}

/** The first reason of a refused row, naming the field in Chinese. */
export function rowReason(err: z.ZodError): { field?: string; reason: string } {
  const issue = err.issues[0];
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  if (issue.code === 'unrecognized_keys') return { reason: `无法识别的字段：${issue.keys.join('、')}` };
  if (issue.code === 'invalid_type' && field && issue.input === undefined)
    return { field, reason: `${FIELD_ZH[field] ?? field}不能为空` };
  return { field, reason: err.issues.map((i) => i.message).join('；') };
}
