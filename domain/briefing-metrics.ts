/** The briefing's metrics and their Chinese names: a leaf module (no imports), so the console bundles it alone. */
/** What a periodic briefing (信息通报) counts, per agency. */
export const BRIEFING_METRICS = [
  'leads',
  'transfers',
  'filings',
  'nonFilings',
  'arrests',
  'prosecutions',
  'judgments',
  'overdueClocks',
  'supervisionItems',
  'jointOperations',
  'trainings',
] as const;
export type BriefingMetric = (typeof BRIEFING_METRICS)[number];

export const BRIEFING_METRIC_ZH: Record<BriefingMetric, string> = {
  leads: '案件线索',
  transfers: '移送涉嫌犯罪案件',
  filings: '立案',
  nonFilings: '不予立案',
  arrests: '批准逮捕',
  prosecutions: '提起公诉',
  judgments: '司法裁决',
  overdueClocks: '超期期限',
  supervisionItems: '监督事项',
  jointOperations: '联合执法',
  trainings: '教育培训',
};
