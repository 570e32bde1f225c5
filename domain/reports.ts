/**
 * Report files (issue 8 item 4): the periodic briefing and ad-hoc statistics as XLSX, PDF and CSV. Pure data and
 * functions (no imports but China time, itself dependency-free), so the console bundles it too.
 */
import { chinaMidnightMs, chinaYmd } from './china-time';

export const REPORT_KINDS = ['briefing', 'statistics'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_KIND_ZH: Record<ReportKind, string> = { briefing: '信息通报', statistics: '统计报表' };

export const REPORT_FORMATS = ['xlsx', 'pdf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

/** queued → computing → rendering → done | failed */
export const REPORT_STATUSES = ['queued', 'computing', 'rendering', 'done', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REPORT_STATUS_ZH: Record<ReportStatus, string> = {
  queued: '排队中',
  computing: '统计中',
  rendering: '生成文件中',
  done: '已完成',
  failed: '失败',
};

/** A period as users write it: 2026 | 2026-Q3 | 2026-10 | 2026-01-01..2026-06-30 (China-time calendar days). */
export const PERIOD_PATTERN = /^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$|^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

export interface ReportPeriod {
  key: string;
  labelZh: string;
  /** [fromMs, toMs): China-time midnight of the first day to China-time midnight after the last. */
  fromMs: number;
  toMs: number;
  /** Inclusive China-time calendar days. */
  fromDate: string;
  toDate: string;
}

const validDay = (s: string) => {
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** Parses a period; undefined when it is not one (the caller answers with the Chinese reason). */
export function parsePeriod(key: string): ReportPeriod | undefined {
  const m = PERIOD_PATTERN.exec(key);
  if (!m) return undefined;
  let fromMs: number;
  let toMs: number;
  let labelZh: string;
  if (m[4]) {
    if (!validDay(m[4]) || !validDay(m[5])) return undefined;
    const [y1, m1, d1] = m[4].split('-').map(Number);
    const [y2, m2, d2] = m[5].split('-').map(Number);
    fromMs = chinaMidnightMs(y1, m1, d1);
    toMs = chinaMidnightMs(y2, m2, d2 + 1);
    if (toMs <= fromMs) return undefined;
    labelZh = `${y1}年${m1}月${d1}日至${y2}年${m2}月${d2}日`;
  } else {
    const y = Number(m[1]);
    if (m[2]) {
      const q = Number(m[2]);
      fromMs = chinaMidnightMs(y, q * 3 - 2, 1);
      toMs = chinaMidnightMs(y, q * 3 + 1, 1);
      labelZh = `${y}年第${'一二三四'[q - 1]}季度`;
    } else if (m[3]) {
      const mo = Number(m[3]);
      if (mo < 1 || mo > 12) return undefined;
      fromMs = chinaMidnightMs(y, mo, 1);
      toMs = chinaMidnightMs(y, mo + 1, 1);
      labelZh = `${y}年${mo}月`;
    } else {
      fromMs = chinaMidnightMs(y, 1, 1);
      toMs = chinaMidnightMs(y + 1, 1, 1);
      labelZh = `${y}年`;
    }
  }
  return { key, labelZh, fromMs, toMs, fromDate: chinaYmd(fromMs), toDate: chinaYmd(toMs - 1) };
}

/** The file name users get (Content-Disposition): Chinese, no characters a file system refuses. */
export function reportFileName(titleZh: string, format: ReportFormat): string {
  return `${titleZh.replace(/[\\/:*?"<>|\s]+/g, '_')}.${format}`;
}
