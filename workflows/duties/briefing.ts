import { workflowInfo } from '@temporalio/workflow';
import type { BriefingStats } from '../../activities/duty-types';
import { BRIEFING_METRICS, BRIEFING_METRIC_ZH } from '../../domain/duties';
import { AGENCY_ZH } from '../../domain/deadlines';
import { acts, mail, periodLabel, recordDuty, sleepUntil, type DutyPeriodInput } from './common';

/**
 * 信息通报 (info-briefing.periodic, seed 五(三)): after a period ends, its statistics per agency are computed by an
 * activity from the record, stored as a briefing item and sent to the three agencies. Confidential cases are counted,
 * never described (the mail lists only non-confidential case numbers and titles).
 */
export interface BriefingView {
  workflowId: string;
  periodKey: string;
  labelZh: string;
  stats: BriefingStats;
}

const PARTIES = ['eeb', 'psb', 'spp'] as const;

export function briefingText(label: string, stats: BriefingStats): string[] {
  const rows = BRIEFING_METRICS.map(
    (m) => `${BRIEFING_METRIC_ZH[m]}：生态环境局 ${stats.perAgency.eeb[m]}，公安局 ${stats.perAgency.psb[m]}，检察院 ${stats.perAgency.spp[m]}，合计 ${stats.totals[m]}`,
  );
  const listed = stats.cases.slice(0, 50).map((c) => `${c.caseNumber} ${c.title}`);
  return [
    `${label}（${PARTIES.map((a) => AGENCY_ZH[a]).join('、')}）`,
    ...rows,
    `本期有办理活动的案件：${stats.cases.length + stats.confidentialCases} 件，其中保密案件 ${stats.confidentialCases} 件（仅计数，不列明）`,
    ...(listed.length ? ['非保密案件：', ...listed] : []),
    ...(stats.cases.length > 50 ? [`……另有 ${stats.cases.length - 50} 件，见平台`] : []),
  ];
}

export async function briefingWorkflow(input: DutyPeriodInput): Promise<BriefingView> {
  const wfId = workflowInfo().workflowId;
  const { period } = input;
  const label = `${periodLabel(input.cadence, period.key)}案件信息通报`;
  // The statistics of a period are final only once it has ended.
  await sleepUntil(period.dueAtMs + 1000, () => false);
  const stats = await acts.computeBriefingStats({ fromMs: period.startAtMs, toMs: period.dueAtMs + 1000 });
  const lines = briefingText(label, stats);
  await recordDuty(
    { id: wfId, dutyId: input.dutyId, periodKey: period.key, cadence: input.cadence, startDate: period.startDate, endDate: period.endDate, status: 'done', labelZh: label, summary: { totals: stats.totals, confidentialCases: stats.confidentialCases }, closedAtMs: Date.now() },
    { id: `${wfId}/issued`, type: 'briefingIssued', labelZh: `${label}已生成并发送三机关`, occurredAtMs: Date.now(), data: { totals: stats.totals } },
    [{ id: `${wfId}/briefing`, kind: 'briefing', status: 'issued', titleZh: label, date: period.endDate, data: stats as unknown as Record<string, unknown> }],
    PARTIES.map((a) => mail(a, ['handling'], `【信息通报】${label}`, lines)),
  );
  return { workflowId: wfId, periodKey: period.key, labelZh: label, stats };
}
