/**
 * Chinese messages for rejected step input: a zod error becomes one sentence naming the field (its Chinese label
 * and its code name, so the console can highlight it and a developer can find it).
 */
import type { z } from 'zod';

export const FIELD_LABELS: Record<string, string> = {
  documentNumber: '文书编号',
  reasons: '理由',
  reason: '理由',
  members: '专案组成员（至少2名）',
  summary: '情况概要',
  copiedToSpp: '抄送同级人民检察院',
  materialsReturned: '退回案卷材料',
  psbUnit: '接收案件的公安机关',
  materials: '移送材料清单',
  competentPsb: '有管辖权的公安机关',
  missingItems: '需补正的材料',
  outcome: '结果',
  explanation: '书面说明',
  variant: '延长类别',
  approval: '审批信息',
  'approval.approverName': '审批人',
  'approval.approverTitle': '审批人职务',
  'approval.documentNumber': '审批文书编号',
  'approval.authority': '批准机关',
  ground: '延长事由',
  possibleSentenceTenYearsPlus: '可能判处十年有期徒刑以上刑罚',
  measure: '强制措施',
  outline: '补充侦查提纲',
  supplementaryOutline: '补充侦查提纲',
  penaltyOpinion: '予以行政处罚的检察意见',
  opinionDocumentNumber: '检察意见书编号',
  court: '人民法院',
  items: '材料清单',
  days: '拘留天数',
  penaltyDecisionNumber: '行政处罚决定书编号',
  note: '说明',
  participants: '参加机关',
  toAgency: '被咨询机关',
  question: '咨询事项',
  clockId: '期限编号',
  answer: '答复内容',
  amount: '延长数量',
  unit: '延长单位',
  reasonCode: '事由类别',
  caseId: '案件编号',
  track: '案件类型',
  createdAtMs: '登记时间',
  startedAtMs: '起算时间',
  actor: '操作人',
  custody: '犯罪嫌疑人是否在押',
  confidentiality: '密级',
};

/** What the literal `true` fields mean, said as a requirement. */
const TRUE_HINTS: Record<string, string> = {
  copiedToSpp: '须将文书抄送同级人民检察院（copiedToSpp 应为 true）',
  materialsReturned: '不予立案的，须将案卷材料退回生态环境局（materialsReturned 应为 true）',
};

const TYPE_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '是/否',
  array: '列表',
  object: '对象',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function fieldLabel(path: string, documentZh?: string): string {
  if (path === 'documentNumber' && documentZh) return `${documentZh}编号`;
  const last = path.split('.').pop() ?? path;
  return FIELD_LABELS[path] ?? FIELD_LABELS[last] ?? path;
}

function describe(issue: z.core.$ZodIssue, input: unknown, documentZh?: string): string {
  const path = issue.path.map(String).join('.');
  if (!path) return '请求内容须为 JSON 对象';
  const label = `${fieldLabel(path, documentZh)}（${path}）`;
  const value = valueAt(input, issue.path as PropertyKey[]);
  const last = String(issue.path[issue.path.length - 1]);
  if (value === undefined || value === null) {
    return TRUE_HINTS[last] ? `缺少必填项：${label}，${TRUE_HINTS[last]}` : `缺少必填项：${label}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `${label}类型不正确，应为${TYPE_ZH[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return `${label}不能为空`;
      if (issue.origin === 'array') return `${label}至少需要${String(issue.minimum)}项`;
      return `${label}不得小于${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `${label}不得超过${String(issue.maximum)}个字符`;
      if (issue.origin === 'array') return `${label}最多${String(issue.maximum)}项`;
      return `${label}不得大于${String(issue.maximum)}`;
    case 'invalid_value': {
      if (issue.values.length === 1 && issue.values[0] === true) return TRUE_HINTS[last] ?? `${label}须为 true`;
      return `${label}取值无效，可选值：${issue.values.map(String).join('、')}`;
    }
    default:
      return `${label}格式不正确`;
  }
}

/** The Chinese message and the first offending field of a zod error. */
export function zodErrorZh(
  error: z.ZodError,
  input: unknown,
  documentZh?: string,
): { messageZh: string; field?: string } {
  const issues = error.issues.slice(0, 5);
  const messages = [...new Set(issues.map((i) => describe(i, input, documentZh)))];
  const first = issues[0];
  const field = first && first.path.length ? first.path.map(String).join('.') : undefined;
  return field ? { messageZh: messages.join('；'), field } : { messageZh: messages.join('；') };
}
