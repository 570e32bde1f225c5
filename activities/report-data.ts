import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { BRIEFING_METRICS, BRIEFING_METRIC_ZH, type BriefingMetric } from '../domain/briefing-metrics';
import { AGENCY_LABELS, STAGE_LABELS, TRACK_LABELS, type Stage, type Track } from '../domain/case/types';
import { chinaMidnightMs, chinaParts, chinaYmd } from '../domain/china-time';

/**
 * The numbers of a report, all by aggregate SQL (group by in PostgreSQL, never rows into JS), so a report over
 * 100,000 cases costs a few queries. Definitions of the per-agency metrics are those of the briefing
 * (activities/duties.ts computeBriefingStats): steps count for the agency that took them, overdue clocks and
 * supervision items for the agency responsible for the clock, joint operations for the EEB and the PSB, trainings
 * for each agency that attended. Confidential cases are counted, never described: the only case-level table (open
 * overdue cases) leaves them out and gives their number.
 */
export const REPORT_AGENCIES = ['eeb', 'psb', 'spp'] as const;
type A = (typeof REPORT_AGENCIES)[number];

/** Case steps per metric (case_events.data.step), as the briefing counts them. */
export const METRIC_STEPS: Partial<Record<BriefingMetric, string[]>> = {
  transfers: ['deliverTransfer', 'deliverDetentionTransfer'],
  filings: ['fileCase', 'fileAfterNotice'],
  nonFilings: ['declineFiling'],
  arrests: ['approveArrest'],
  prosecutions: ['prosecute'],
  judgments: ['recordJudgment'],
};

export interface ReportData {
  titleZh: string;
  periodLabelZh: string;
  fromMs: number;
  toMs: number;
  generatedAtMs: number;
  metrics: { metric: BriefingMetric; labelZh: string; eeb: number; psb: number; spp: number; total: number }[];
  byTrack: { track: Track; trackZh: string; registered: number; closed: number; open: number; overdueOpen: number }[];
  byStage: { track: Track; trackZh: string; stage: Stage; stageZh: string; cases: number; overdue: number }[];
  byAgency: { agency: string; agencyZh: string; open: number; overdueOpen: number }[];
  outcomes: { stage: Stage; stageZh: string; cases: number }[];
  monthly: { month: string; leads: number; transfers: number; filings: number; overdueClocks: number }[];
  overdueCases: {
    caseNumber: string;
    title: string;
    trackZh: string;
    stageZh: string;
    agencyZh: string;
    dueAt: string | null;
  }[];
  overdueConfidential: number;
  confidentialActive: number;
  /** Confidential cases registered before the period's end: not in the tables by stage, agency or outcome. */
  confidentialCases: number;
  totals: { registered: number; closed: number; open: number; overdueOpen: number };
}

type Row = Record<string, unknown>;
const rowsOf = (r: unknown) => (r as { rows: Row[] }).rows;
const n = (v: unknown) => Number(v ?? 0);
const isoOf = (ms: number) => new Date(ms).toISOString();
/** The months shown in trends: those of the period, at least the 12 months ending with its last. */
export function trendMonths(fromMs: number, toMs: number): string[] {
  const last = chinaParts(toMs - 1);
  const first = chinaParts(fromMs);
  let y = first.year;
  let m = first.month - 1;
  const ly = last.year;
  const lm = last.month - 1;
  if ((ly - y) * 12 + (lm - m) < 11) {
    y = ly - (lm < 11 ? 1 : 0);
    m = (lm + 1) % 12;
  }
  const out: string[] = [];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    if (++m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}
const monthStartMs = (month: string) => chinaMidnightMs(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1);

export async function computeReportData(
  db: Db,
  input: { titleZh: string; periodLabelZh: string; fromMs: number; toMs: number; generatedAtMs: number },
): Promise<ReportData> {
  const from = isoOf(input.fromMs);
  const to = isoOf(input.toMs);
  const stepMetric = Object.entries(METRIC_STEPS).flatMap(([metric, steps]) => steps!.map((s) => [s, metric] as const));
  const steps = sql.param(stepMetric.map(([s]) => s));
  const months = trendMonths(input.fromMs, input.toMs);
  const monthsFrom = isoOf(monthStartMs(months[0]));

  const [events, clocks, items, tracks, stages, agencies, outcomes, monthly, overdue, secret] = await Promise.all([
    db.execute(sql`select e.type, e.data->>'step' as step, e.actor_agency as agency, count(*)::int as n from case_events e
      where e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz and (e.type = 'caseCreated' or e.data->>'step' = any(${steps}::text[]))
      group by 1, 2, 3`),
    db.execute(sql`select e.type, coalesce(d.responsible_agency, split_part(e.rule_id, '.', 1)) as agency, count(*)::int as n from case_events e
      left join deadlines d on d.id = e.case_id || '/' || (e.data->>'clockId')
      where e.type in ('clockOverdue', 'clockSupervision') and e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz
      group by 1, 2`),
    db.execute(sql`select kind, data from duty_items where kind in ('jointOperation', 'trainingSession') and status in ('completed', 'held')
      and date >= ${chinaYmd(input.fromMs)} and date <= ${chinaYmd(input.toMs - 1)}`),
    db.execute(sql`select track,
        count(*) filter (where created_at >= ${from}::timestamptz)::int as registered,
        count(*) filter (where closed_at >= ${from}::timestamptz and closed_at < ${to}::timestamptz)::int as closed,
        count(*) filter (where closed_at is null)::int as open,
        count(*) filter (where closed_at is null and overdue)::int as overdue_open
      from cases where created_at < ${to}::timestamptz group by 1`),
    // By stage, by agency and by outcome, a confidential case set against the visible list would be located:
    // those tables count the non-confidential cases only; the confidential ones are one total (confidentialOpen).
    db.execute(sql`select track, stage, count(*)::int as n, count(*) filter (where overdue and closed_at is null)::int as overdue
      from cases where created_at < ${to}::timestamptz and confidentiality <> 'confidential' group by 1, 2`),
    db.execute(sql`select coalesce(responsible_agency, '') as agency, count(*)::int as open, count(*) filter (where overdue)::int as overdue_open
      from cases where created_at < ${to}::timestamptz and closed_at is null and confidentiality <> 'confidential' group by 1`),
    db.execute(
      sql`select stage, count(*)::int as n from cases where closed_at >= ${from}::timestamptz and closed_at < ${to}::timestamptz and confidentiality <> 'confidential' group by 1`,
    ),
    db.execute(sql`select to_char(e.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month,
        case when e.type = 'caseCreated' then 'leads' when e.type = 'clockOverdue' then 'overdueClocks'
             when e.data->>'step' in ('deliverTransfer', 'deliverDetentionTransfer') then 'transfers' else 'filings' end as metric,
        count(*)::int as n
      from case_events e where e.occurred_at >= ${monthsFrom}::timestamptz and e.occurred_at < ${to}::timestamptz
        and (e.type in ('caseCreated', 'clockOverdue') or e.data->>'step' in ('deliverTransfer', 'deliverDetentionTransfer', 'fileCase', 'fileAfterNotice'))
      group by 1, 2`),
    db.execute(sql`select case_number, title, track, stage_label_zh, responsible_agency, next_deadline_at from cases
      where overdue and closed_at is null and created_at < ${to}::timestamptz and confidentiality <> 'confidential'
      order by next_deadline_at nulls last, case_number limit 200`),
    db.execute(sql`select
        (select count(*)::int from cases where overdue and closed_at is null and created_at < ${to}::timestamptz and confidentiality = 'confidential') as overdue_confidential,
        (select count(*)::int from cases where created_at < ${to}::timestamptz and confidentiality = 'confidential') as all_confidential,
        (select count(distinct e.case_id)::int from case_events e join cases c on c.id = e.case_id
          where c.confidentiality = 'confidential' and e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz) as active_confidential`),
  ]);

  const per = Object.fromEntries(
    REPORT_AGENCIES.map((a) => [a, Object.fromEntries(BRIEFING_METRICS.map((m) => [m, 0]))]),
  ) as Record<A, Record<BriefingMetric, number>>;
  const add = (agency: unknown, metric: BriefingMetric, k: number) => {
    if (typeof agency === 'string' && (REPORT_AGENCIES as readonly string[]).includes(agency))
      per[agency as A][metric] += k;
  };
  const metricOfStep = new Map<string, BriefingMetric>(stepMetric as [string, BriefingMetric][]);
  for (const r of rowsOf(events)) {
    if (r.type === 'caseCreated') add(r.agency, 'leads', n(r.n));
    else if (typeof r.step === 'string' && metricOfStep.has(r.step)) add(r.agency, metricOfStep.get(r.step)!, n(r.n));
  }
  for (const r of rowsOf(clocks))
    add(r.agency, r.type === 'clockOverdue' ? 'overdueClocks' : 'supervisionItems', n(r.n));
  for (const r of rowsOf(items)) {
    const data = r.data as { leadCount?: number; recordedByAgency?: string; attendance?: Record<string, number> };
    if (r.kind === 'jointOperation') {
      add('eeb', 'jointOperations', 1);
      add('psb', 'jointOperations', 1);
      add(data.recordedByAgency, 'leads', data.leadCount ?? 0);
    } else for (const [agency, k] of Object.entries(data.attendance ?? {})) if (k > 0) add(agency, 'trainings', 1);
  }
  const metrics = BRIEFING_METRICS.map((m) => ({
    metric: m,
    labelZh: BRIEFING_METRIC_ZH[m],
    eeb: per.eeb[m],
    psb: per.psb[m],
    spp: per.spp[m],
    total: per.eeb[m] + per.psb[m] + per.spp[m],
  }));

  const trackOrder: Track[] = ['criminal', 'detention', 'administrative'];
  const trackRows = new Map(rowsOf(tracks).map((r) => [String(r.track), r]));
  const byTrack = trackOrder.map((t) => {
    const r = trackRows.get(t) ?? {};
    return {
      track: t,
      trackZh: TRACK_LABELS[t],
      registered: n(r.registered),
      closed: n(r.closed),
      open: n(r.open),
      overdueOpen: n(r.overdue_open),
    };
  });
  const stageOrder = Object.keys(STAGE_LABELS);
  const byStage = rowsOf(stages)
    .map((r) => ({
      track: r.track as Track,
      trackZh: TRACK_LABELS[r.track as Track] ?? String(r.track),
      stage: r.stage as Stage,
      stageZh: STAGE_LABELS[r.stage as Stage] ?? String(r.stage),
      cases: n(r.n),
      overdue: n(r.overdue),
    }))
    .sort(
      (a, b) =>
        trackOrder.indexOf(a.track) - trackOrder.indexOf(b.track) ||
        stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage),
    );
  const byAgency = rowsOf(agencies)
    .map((r) => ({
      agency: String(r.agency),
      agencyZh: r.agency ? ((AGENCY_LABELS as Record<string, string>)[String(r.agency)] ?? String(r.agency)) : '（无）',
      open: n(r.open),
      overdueOpen: n(r.overdue_open),
    }))
    .sort((a, b) => b.open - a.open);
  const outcomeRows = rowsOf(outcomes)
    .map((r) => ({
      stage: r.stage as Stage,
      stageZh: STAGE_LABELS[r.stage as Stage] ?? String(r.stage),
      cases: n(r.n),
    }))
    .sort((a, b) => b.cases - a.cases);
  const monthMap = new Map(months.map((m) => [m, { month: m, leads: 0, transfers: 0, filings: 0, overdueClocks: 0 }]));
  for (const r of rowsOf(monthly)) {
    const row = monthMap.get(String(r.month));
    if (row) row[r.metric as 'leads' | 'transfers' | 'filings' | 'overdueClocks'] += n(r.n);
  }
  const overdueCases = rowsOf(overdue).map((r) => ({
    caseNumber: String(r.case_number),
    title: String(r.title),
    trackZh: TRACK_LABELS[r.track as Track] ?? String(r.track),
    stageZh: String(r.stage_label_zh),
    agencyZh: r.responsible_agency
      ? ((AGENCY_LABELS as Record<string, string>)[String(r.responsible_agency)] ?? String(r.responsible_agency))
      : '',
    dueAt: r.next_deadline_at ? new Date(r.next_deadline_at as string).toISOString() : null,
  }));
  const s = rowsOf(secret)[0];
  return {
    ...input,
    metrics,
    byTrack,
    byStage,
    byAgency,
    outcomes: outcomeRows,
    monthly: [...monthMap.values()],
    overdueCases,
    overdueConfidential: n(s.overdue_confidential),
    confidentialActive: n(s.active_confidential),
    confidentialCases: n(s.all_confidential),
    totals: {
      registered: byTrack.reduce((x, t) => x + t.registered, 0),
      closed: byTrack.reduce((x, t) => x + t.closed, 0),
      open: byTrack.reduce((x, t) => x + t.open, 0),
      overdueOpen: byTrack.reduce((x, t) => x + t.overdueOpen, 0),
    },
  };
}
