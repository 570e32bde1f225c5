import { STAGE_LABELS, TERMINAL_STAGES, TRACK_LABELS, TRACKS, type Stage, type Track } from '../case/types';

/**
 * Public aggregate statistics (issue 8 item 5): cases by track, stage and outcome per month and year of registration,
 * joint operations and trainings. Pure: the API feeds it rows of counts. What it guarantees:
 * - a confidential case appears only in the year's `totalIncludingConfidential`, never in a breakdown or a month;
 * - nothing but counts: no names, titles, numbers, addresses or personal fields exist in the input or the output;
 * - small cells are suppressed: a count of 1 or 2 (below MIN_CELL) is published as null ("<3"), and where a group
 *   (e.g. one month by track) would then have exactly one suppressed cell beside its published total, the next
 *   smallest non-zero cell is suppressed too, so the hidden one cannot be recovered by subtraction.
 */
export const MIN_CELL = 3;

export const OUTCOMES = [
  'pending',
  'judged',
  'penaltyDecided',
  'detentionConcluded',
  'notProsecuted',
  'closed',
  'withdrawn',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_ZH: Record<Outcome, string> = {
  pending: '办理中',
  judged: '已判决',
  penaltyDecided: '已作出行政处罚',
  detentionConcluded: '行政拘留已办结',
  notProsecuted: '不起诉',
  closed: '已结案',
  withdrawn: '已撤销',
};

export function outcomeOf(stage: string): Outcome {
  if (stage === 'notProsecuted') return 'notProsecuted';
  return TERMINAL_STAGES.has(stage as Stage) ? (stage as Outcome) : 'pending';
}

/** One row of the aggregate query: cases registered in a China-time month with a track, a current stage and a mark. */
export interface CaseCountRow {
  month: string; // YYYY-MM
  track: string;
  stage: string;
  confidential: boolean;
  n: number;
}
export interface ActivityCountRow {
  month: string;
  jointOperations: number;
  trainings: number;
}

export type Cell = number | null;
export interface PublicPeriodStats {
  period: string;
  /** Non-confidential cases registered in the period (null: suppressed). */
  total: Cell;
  byTrack: Record<string, Cell>;
  byStage: Record<string, Cell>;
  byOutcome: Record<string, Cell>;
  jointOperations: number;
  trainings: number;
}
export interface PublicYearStats extends PublicPeriodStats {
  /** Every case registered in the year, confidential ones included (counted, never described). */
  totalIncludingConfidential: Cell;
}
export interface PublicStatistics {
  minCell: number;
  notesZh: string[];
  labelsZh: { tracks: Record<string, string>; stages: Record<string, string>; outcomes: Record<string, string> };
  years: PublicYearStats[];
  months: PublicPeriodStats[];
}

const small = (n: number) => n > 0 && n < MIN_CELL;

/** Primary and secondary suppression of one group of cells whose total is published (or itself suppressed). */
export function suppressGroup(counts: Record<string, number>, totalPublished: boolean): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(counts)) out[k] = small(v) ? null : v;
  if (!totalPublished) {
    for (const k of Object.keys(out)) if (counts[k] > 0) out[k] = null;
    return out;
  }
  const hidden = Object.keys(out).filter((k) => out[k] === null);
  if (hidden.length === 1) {
    const next = Object.keys(out)
      .filter((k) => out[k] !== null && counts[k] > 0)
      .sort((a, b) => counts[a] - counts[b] || a.localeCompare(b))[0];
    if (next) out[next] = null;
  }
  return out;
}

function periodStats(
  period: string,
  rows: CaseCountRow[],
  activity: { jointOperations: number; trainings: number },
): PublicPeriodStats {
  const open = rows.filter((r) => !r.confidential);
  const sum = (f: (r: CaseCountRow) => boolean) => open.filter(f).reduce((s, r) => s + r.n, 0);
  const total = sum(() => true);
  const totalPublished = !small(total);
  const tracks = Object.fromEntries(TRACKS.map((t) => [t, sum((r) => r.track === t)]));
  const stages: Record<string, number> = {};
  const outcomes: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of open) {
    stages[r.stage] = (stages[r.stage] ?? 0) + r.n;
    outcomes[outcomeOf(r.stage)] += r.n;
  }
  return {
    period,
    total: totalPublished ? total : null,
    byTrack: suppressGroup(tracks, totalPublished),
    byStage: suppressGroup(stages, totalPublished),
    byOutcome: suppressGroup(outcomes, totalPublished),
    jointOperations: activity.jointOperations,
    trainings: activity.trainings,
  };
}

export function buildPublicStatistics(caseRows: CaseCountRow[], activityRows: ActivityCountRow[]): PublicStatistics {
  const months = [...new Set([...caseRows.map((r) => r.month), ...activityRows.map((r) => r.month)])].sort().reverse();
  const years = [...new Set(months.map((m) => m.slice(0, 4)))].sort().reverse();
  const act = (f: (m: string) => boolean) =>
    activityRows
      .filter((r) => f(r.month))
      .reduce(
        (s, r) => ({ jointOperations: s.jointOperations + r.jointOperations, trainings: s.trainings + r.trainings }),
        { jointOperations: 0, trainings: 0 },
      );
  return {
    minCell: MIN_CELL,
    notesZh: [
      '按案件登记的年份、月份统计；阶段与结果为案件当前所处的阶段与办理结果。',
      `为保护个人信息，1–${MIN_CELL - 1} 件的数字不予公布（显示为“<${MIN_CELL}”）；同一组中仅有一项不予公布时，另一项较小的数字也不予公布。`,
      '保密案件不按类别、阶段、结果或月份统计，只计入年度总数（含保密案件）。',
      '不公布任何案件名称、编号、当事人、地址或办案人员信息。',
    ],
    labelsZh: {
      tracks: { ...TRACK_LABELS } as Record<Track, string>,
      stages: { ...STAGE_LABELS },
      outcomes: { ...OUTCOME_ZH },
    },
    years: years.map((y) => {
      const rows = caseRows.filter((r) => r.month.startsWith(y));
      const all = rows.reduce((s, r) => s + r.n, 0);
      return {
        ...periodStats(
          y,
          rows,
          act((m) => m.startsWith(y)),
        ),
        totalIncludingConfidential: small(all) ? null : all,
      };
    }),
    months: months.map((m) =>
      periodStats(
        m,
        caseRows.filter((r) => r.month === m),
        act((x) => x === m),
      ),
    ),
  };
}
