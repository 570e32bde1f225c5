import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { RECURRING_DUTIES, isDutyId } from '../../domain/deadlines/rules';
import {
  SUPERVISION_KIND_ZH,
  SUPERVISION_STATUS_ZH,
  type SupervisionKind,
  type SupervisionStatus,
} from '../../domain/supervision';

/**
 * The simulated year's summary (issue 5 "Done when"): per duty and period, what happened — done, reminded or
 * escalated — with the counts behind it, read from the record (duty_periods, duty_events, duty_items, the outbox).
 * Written to test-results/mechanism-year.md by tests/workflow/duties-year.test.ts.
 */
export type Outcome = 'done' | 'reminded' | 'escalated' | 'open';
export const OUTCOME_ZH: Record<Outcome, string> = {
  done: '按期完成',
  reminded: '经提醒完成',
  escalated: '已督办',
  open: '进行中',
};
const STATUS_ZH: Record<string, string> = {
  open: '进行中',
  done: '已完成',
  nonCompliant: '未履行',
  escalated: '已督办',
  completedLate: '逾期完成',
};

export interface PeriodSummary {
  dutyId: string;
  dutyZh: string;
  periodId: string;
  periodKey: string;
  status: string;
  /** Chinese status when it is not a duty period's. */
  statusZh?: string;
  outcome: Outcome;
  /** Reminders while the duty was not done (nothing planned, no training held). */
  reminders: number;
  /** Reminders the day before a planned joint operation. */
  eveReminders: number;
  warnings: number;
  nonCompliant: number;
  escalations: number;
  /** What the period achieved: operations, sessions, meetings, resolutions, briefings (count by kind and status). */
  achieved: string;
  mails: number;
}

type Rows<T> = { rows: T[] };
const rowsOf = <T>(r: unknown) => (r as Rows<T>).rows;

const ACHIEVED_ZH: Record<string, string> = {
  'jointOperation/completed': '完成行动',
  'jointOperation/cancelled': '取消行动',
  'trainingSession/held': '举办培训',
  'meeting/held': '召开会议',
  'meeting/pending': '会议未召开',
  'meeting/scheduled': '会议已安排未召开',
  'resolution/done': '议定事项办结',
  'resolution/open': '议定事项未办结',
  'briefing/issued': '通报',
};

/** One row per duty period in the record, with its counts; events of a period are those recorded under its id. */
export async function summarisePeriods(db: Db): Promise<PeriodSummary[]> {
  const periods = rowsOf<{
    id: string;
    duty_id: string;
    period_key: string;
    status: string;
    summary: Record<string, unknown>;
  }>(
    await db.execute(
      sql`select id, duty_id, period_key, status, summary from duty_periods order by duty_id, period_key`,
    ),
  );
  // A reminder the day before a planned operation (data.operationId) is a courtesy, not a sign the duty lagged.
  const events = rowsOf<{ period_id: string; type: string; n: number }>(
    await db.execute(
      sql`select period_id, case when type = 'dutyReminder' and data ? 'operationId' then 'eveReminder' else type end as type, count(*)::int as n from duty_events group by 1, 2`,
    ),
  );
  const items = rowsOf<{ period_id: string; kind: string; status: string; n: number }>(
    await db.execute(
      sql`select period_id, kind, status, count(*)::int as n from duty_items group by period_id, kind, status`,
    ),
  );
  const mails = rowsOf<{ period_id: string; n: number }>(
    await db.execute(
      sql`select p.id as period_id, count(n.id)::int as n from duty_periods p join notifications n on n.event_id like p.id || '/%' group by p.id`,
    ),
  );
  const n = (id: string, ...types: string[]) =>
    events.filter((e) => e.period_id === id && types.includes(e.type)).reduce((s, e) => s + e.n, 0);
  return periods.map((p) => {
    const reminders = n(p.id, 'dutyReminder');
    const eveReminders = n(p.id, 'eveReminder');
    const warnings = n(p.id, 'dutyWarning', 'resolutionWarning');
    const nonCompliant = n(p.id, 'dutyNonCompliant', 'resolutionOverdue');
    const escalations = n(p.id, 'dutyEscalated', 'resolutionEscalated');
    const done = ['done', 'completedLate'].includes(p.status);
    const outcome: Outcome =
      escalations > 0 || p.status === 'escalated'
        ? 'escalated'
        : !done
          ? 'open'
          : reminders + warnings > 0
            ? 'reminded'
            : 'done';
    // The sweep records what it checked and opened on its period (no items of its own).
    const swept =
      typeof p.summary?.opened === 'number'
        ? [
            `检查案件 ${String(p.summary.checkedCases ?? 0)}、处罚记录 ${String(p.summary.checkedPenaltyRecords ?? 0)}，新生成监督事项 ${p.summary.opened}`,
          ]
        : [];
    const achieved = [
      ...swept,
      ...items
        .filter((i) => i.period_id === p.id)
        .sort((a, b) => `${a.kind}/${a.status}`.localeCompare(`${b.kind}/${b.status}`))
        .map((i) => `${ACHIEVED_ZH[`${i.kind}/${i.status}`] ?? `${i.kind}/${i.status}`} ${i.n}`),
    ].join('，');
    return {
      dutyId: p.duty_id,
      dutyZh: isDutyId(p.duty_id) ? RECURRING_DUTIES[p.duty_id].labelZh : p.duty_id,
      periodId: p.id,
      periodKey: p.period_key,
      status: p.status,
      outcome,
      reminders,
      eveReminders,
      warnings,
      nonCompliant,
      escalations,
      achieved,
      mails: mails.find((m) => m.period_id === p.id)?.n ?? 0,
    };
  });
}

const RELEASE_STATUS_ZH: Record<string, string> = {
  draft: '草稿',
  inReview: '审核中',
  changesRequested: '待修改',
  approved: '已同意待发布',
  published: '已发布',
  rejected: '不同意发布',
};

/**
 * Joint releases (联合发布: jointReleaseWorkflow, rule release.approval), one row each, in the same shape as the
 * periods: reminded = a review reached its 预警 before all approved, escalated = a review went to the working group.
 */
export async function summariseReleases(db: Db): Promise<PeriodSummary[]> {
  const releases = rowsOf<{ id: string; title: string; status: string; round: number; submitted: string | null }>(
    await db.execute(
      sql`select id, title, status, round, to_char(submitted_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as submitted from releases order by created_at, id`,
    ),
  );
  const events = rowsOf<{ release_id: string; type: string; n: number }>(
    await db.execute(sql`select release_id, type, count(*)::int as n from release_events group by 1, 2`),
  );
  const mails = rowsOf<{ release_id: string; n: number }>(
    await db.execute(
      sql`select r.id as release_id, count(n.id)::int as n from releases r join notifications n on n.event_id like r.id || '/%' group by r.id`,
    ),
  );
  const n = (id: string, ...types: string[]) =>
    events.filter((e) => e.release_id === id && types.includes(e.type)).reduce((s, e) => s + e.n, 0);
  return releases.map((r) => {
    const warnings = n(r.id, 'releaseClockWarning');
    const nonCompliant = n(r.id, 'releaseClockOverdue');
    const escalations = n(r.id, 'releaseClockEscalation');
    const closed = ['published', 'rejected'].includes(r.status);
    const outcome: Outcome = escalations > 0 ? 'escalated' : !closed ? 'open' : warnings > 0 ? 'reminded' : 'done';
    return {
      dutyId: 'joint-release',
      dutyZh: '联合发布',
      periodId: r.id,
      periodKey: `${r.submitted ?? '未提交'} ${r.title}`,
      status: r.status,
      statusZh: RELEASE_STATUS_ZH[r.status] ?? r.status,
      outcome,
      reminders: 0,
      eveReminders: 0,
      warnings,
      nonCompliant,
      escalations,
      achieved: [
        `审核 ${r.round} 轮`,
        n(r.id, 'releaseApprove') && `同意 ${n(r.id, 'releaseApprove')}`,
        n(r.id, 'releaseRequestChanges') && `要求修改 ${n(r.id, 'releaseRequestChanges')}`,
        n(r.id, 'releaseReject') && `不同意 ${n(r.id, 'releaseReject')}`,
      ]
        .filter(Boolean)
        .join('，'),
      mails: mails.find((m) => m.release_id === r.id)?.n ?? 0,
    };
  });
}

/**
 * Supervision items (监督事项, opened by the sweep or by a case clock's rung), one row each: done = closed without a
 * clock having warned, reminded = closed after a 预警 or 超期, escalated = one of its clocks went to the working group.
 */
export async function summariseSupervisionItems(db: Db): Promise<PeriodSummary[]> {
  const items = rowsOf<{
    id: string;
    kind: string;
    status: string;
    source: string;
    reason_zh: string;
    opened: string | null;
  }>(
    await db.execute(
      sql`select id, kind, status, source, reason_zh, to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as opened from supervision_items order by created_at, id`,
    ),
  );
  const events = rowsOf<{ item_id: string; type: string; n: number }>(
    await db.execute(sql`select item_id, type, count(*)::int as n from supervision_events group by 1, 2`),
  );
  const mails = rowsOf<{ item_id: string; n: number }>(
    await db.execute(
      sql`select i.id as item_id, count(n.id)::int as n from supervision_items i join notifications n on n.event_id like i.id || '/%' group by i.id`,
    ),
  );
  const n = (id: string, re: RegExp) =>
    events.filter((e) => e.item_id === id && re.test(e.type)).reduce((s, e) => s + e.n, 0);
  return items.map((i) => {
    const warnings = n(i.id, /Warning$/);
    const nonCompliant = n(i.id, /Overdue$/);
    const escalations = n(i.id, /Escalat(ed|ion)$/);
    const outcome: Outcome =
      escalations > 0
        ? 'escalated'
        : i.status !== 'closed'
          ? 'open'
          : warnings + nonCompliant > 0
            ? 'reminded'
            : 'done';
    return {
      dutyId: 'supervision-item',
      dutyZh: '监督事项',
      periodId: i.id,
      periodKey: `${i.opened ?? ''} ${SUPERVISION_KIND_ZH[i.kind as SupervisionKind] ?? i.kind}（${i.source === 'sweep' ? '监督检查发现' : '期限超期生成'}）`,
      status: i.status,
      statusZh: SUPERVISION_STATUS_ZH[i.status as SupervisionStatus] ?? i.status,
      outcome,
      reminders: 0,
      eveReminders: 0,
      warnings,
      nonCompliant,
      escalations,
      achieved: i.reason_zh.length > 40 ? `${i.reason_zh.slice(0, 40)}…` : i.reason_zh,
      mails: mails.find((m) => m.item_id === i.id)?.n ?? 0,
    };
  });
}

/** Extra sections (duties recorded outside duty_periods, e.g. joint releases or supervision items). */
export interface ExtraSection {
  title: string;
  header: string[];
  rows: string[][];
}

const table = (header: string[], rows: (string | number)[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

export function renderYear(year: number, periods: PeriodSummary[], extras: ExtraSection[] = []): string {
  const duties = [...new Set(periods.map((p) => p.dutyId))];
  const totals = duties.map((d) => {
    const ps = periods.filter((p) => p.dutyId === d);
    const count = (o: Outcome) => ps.filter((p) => p.outcome === o).length;
    const sum = (f: (p: PeriodSummary) => number) => ps.reduce((s, p) => s + f(p), 0);
    return [
      `${ps[0].dutyZh}（${d}）`,
      ps.length,
      count('done'),
      count('reminded'),
      count('escalated'),
      count('open'),
      sum((p) => p.reminders),
      sum((p) => p.eveReminders),
      sum((p) => p.warnings),
      sum((p) => p.nonCompliant),
      sum((p) => p.escalations),
      sum((p) => p.mails),
    ];
  });
  const lines = [
    `# 模拟年度 ${year}：联动机制定期职责汇总`,
    '',
    '在 Temporal 时间跳跃测试服务器上模拟一年（tests/workflow/duties-year.test.ts）；数据取自平台记录（duty_periods、duty_events、duty_items、releases、release_events、supervision_items、supervision_events、通知发件箱）。',
    '结果：按期完成（done）／经提醒完成（reminded：催办提醒或预警后完成）／已督办（escalated：未履行或超期后提请联动工作组督办）。行动前提醒（联合执法前一日）不算催办。',
    '',
    '## 按职责汇总',
    '',
    table(
      [
        '职责',
        '期数',
        '按期完成',
        '经提醒完成',
        '已督办',
        '进行中',
        '催办提醒',
        '行动前提醒',
        '预警',
        '未履行/超期',
        '督办',
        '邮件',
      ],
      totals,
    ),
    '',
    '## 按期明细',
    '',
    table(
      ['职责', '期间', '状态', '结果', '催办提醒', '行动前提醒', '预警', '未履行/超期', '督办', '办理情况', '邮件'],
      periods.map((p) => [
        p.dutyZh,
        p.periodKey,
        p.statusZh ?? STATUS_ZH[p.status] ?? p.status,
        `${OUTCOME_ZH[p.outcome]}（${p.outcome}）`,
        p.reminders,
        p.eveReminders,
        p.warnings,
        p.nonCompliant,
        p.escalations,
        p.achieved || '—',
        p.mails,
      ]),
    ),
  ];
  for (const x of extras) lines.push('', `## ${x.title}`, '', table(x.header, x.rows));
  return `${lines.join('\n')}\n`;
}

export function writeYear(markdown: string): string {
  const file = path.join(__dirname, '..', '..', 'test-results', 'mechanism-year.md');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, markdown);
  return file;
}
