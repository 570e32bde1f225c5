import { condition, workflowInfo } from '@temporalio/workflow';
import { Outbox, records } from '../kernel';
import type { SupervisionSeed } from '../../activities/supervision';
import { RECURRING_DUTIES } from '../../domain/deadlines';
import {
  DEFAULT_SWEEP_SETTINGS,
  SUPERVISION_KINDS,
  SUPERVISION_KIND_ZH,
  type SupervisionKind,
  type SweepSettings,
} from '../../domain/supervision';
import { mail, periodLabel, recordDuty } from './common';
import type { DutyPeriodInput } from '../definitions/duties';

/**
 * 移送立案监督检查 (spp.transfer-supervision-sweep, seed 五(二); 2017 Arts 14–15): once per period (default monthly,
 * configurable) an activity runs the detection of domain/supervision over cases, case events, clocks and penalty
 * records; every match not yet covered by an item opens one (supervisionItemWorkflow under a deterministic id, so a
 * second run opens nothing twice). Items are started by an activity (openSupervisionItems), not as children. The
 * result (checked, found, opened per kind) is recorded on the duty period and sent to the procuratorate.
 */
export interface SweepView {
  workflowId: string;
  periodKey: string;
  /** The days of the time-based criteria this sweep applied. */
  settings: SweepSettings;
  checkedCases: number;
  checkedPenaltyRecords: number;
  found: number;
  opened: number;
  alreadyOpen: number;
  openedItemIds: string[];
  byKind: Record<SupervisionKind, number>;
}

/** Items started per activity call (a first sweep over years of records may find hundreds). */
const OPEN_BATCH = 100;

export async function supervisionSweepWorkflow(input: DutyPeriodInput): Promise<SweepView> {
  const wfId = workflowInfo().workflowId;
  const outbox = new Outbox({ workflowId: wfId });
  const { period } = input;
  const label = `${periodLabel(input.cadence, period.key)}${RECURRING_DUTIES['spp.transfer-supervision-sweep'].labelZh}`;
  const asOfMs = Date.now();
  // DUTY_SCHEDULES' days for the time-based criteria (passed by the Schedule); the domain's defaults otherwise.
  const settings: SweepSettings = {
    notTransferredDays: input.settings?.notTransferredDays ?? DEFAULT_SWEEP_SETTINGS.notTransferredDays,
    idleInvestigationDays: input.settings?.idleInvestigationDays ?? DEFAULT_SWEEP_SETTINGS.idleInvestigationDays,
  };
  const r = await records.detectSupervisionCandidates({ asOfMs, sweepPeriodId: wfId, settings });
  const opened: SupervisionSeed[] = [];
  // Items are started by an activity with the worker's client, not as children: an item outlives the sweep, and
  // a child closing after its parent has nothing to report to (the time-skipping test server then never skips
  // time again).
  for (let i = 0; i < r.found.length; i += OPEN_BATCH) {
    const batch = r.found.slice(i, i + OPEN_BATCH);
    const o = await records.openSupervisionItems({ seeds: batch, openedAtMs: asOfMs, sweepPeriodId: wfId });
    opened.push(...batch.filter((s) => o.opened.includes(s.itemId)));
  }
  const byKind = Object.fromEntries(
    SUPERVISION_KINDS.map((k) => [k, opened.filter((s) => s.kind === k).length]),
  ) as Record<SupervisionKind, number>;
  const summary = {
    settings,
    checkedCases: r.checkedCases,
    checkedPenaltyRecords: r.checkedPenaltyRecords,
    found: r.found.length + r.alreadyOpen,
    opened: opened.length,
    alreadyOpen: r.alreadyOpen,
    byKind,
  };
  const counts = SUPERVISION_KINDS.map((k) => `${SUPERVISION_KIND_ZH[k]} ${byKind[k]} 件`).join('，');
  const lines = [
    `${label}（检查时间：${new Date(asOfMs).toISOString()}）`,
    `检查在办刑事移送案件 ${r.checkedCases} 件、近二年行政处罚记录 ${r.checkedPenaltyRecords} 条（检查标准：认定涉嫌犯罪 ${settings.notTransferredDays} 日未移送；立案后 ${settings.idleInvestigationDays} 日无办理记录）`,
    `发现疑似情形 ${summary.found} 项，其中已有监督事项 ${r.alreadyOpen} 项，新生成监督事项 ${opened.length} 项（${counts}）`,
    ...opened.slice(0, 50).map((s, i) => `${i + 1}. 【${SUPERVISION_KIND_ZH[s.kind]}】${s.reasonZh}`),
    ...(opened.length > 50 ? [`……另有 ${opened.length - 50} 项，见平台“监督事项”`] : []),
    '链接：/#/supervision',
  ];
  await recordDuty(
    outbox,
    {
      id: wfId,
      dutyId: input.dutyId,
      periodKey: period.key,
      cadence: input.cadence,
      startDate: period.startDate,
      endDate: period.endDate,
      status: 'done',
      labelZh: label,
      summary,
      closedAtMs: Date.now(),
    },
    {
      id: `${wfId}/swept`,
      type: 'supervisionSweepDone',
      labelZh: `${label}完成：检查案件 ${r.checkedCases} 件、处罚记录 ${r.checkedPenaltyRecords} 条，发现 ${summary.found} 项，新生成监督事项 ${opened.length} 项`,
      occurredAtMs: Date.now(),
      data: summary,
    },
    [],
    [
      mail(
        'spp',
        ['supervision', 'agencyHead'],
        `【移送立案监督检查】${label}：新生成监督事项 ${opened.length} 项`,
        lines,
      ),
    ],
  );
  await condition(outbox.settled);
  return { workflowId: wfId, periodKey: period.key, ...summary, openedItemIds: opened.map((s) => s.itemId) };
}
