import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { reportFiles, reports } from '../db/schema';
import {
  parsePeriod,
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  reportFileName,
  type ReportFormat,
  type ReportKind,
} from '../domain/reports';
import { computeReportData } from './report-data';

export interface ReportRequest {
  id: string;
  kind: ReportKind;
  periodKey: string;
  titleZh: string;
  fromMs: number;
  toMs: number;
  formats: ReportFormat[];
  source: 'api' | 'briefing';
  dutyPeriodId?: string;
  requestedBy?: { userId?: string; agency?: string };
}

export const reportWorkflowId = (reportId: string) => `report-${reportId}`;

/** Inserts the report row once (a retry or a second briefing run finds it and leaves it). */
export async function insertReport(db: Db, r: ReportRequest): Promise<void> {
  await db
    .insert(reports)
    .values({
      id: r.id,
      kind: r.kind,
      periodKey: r.periodKey,
      titleZh: r.titleZh,
      fromAt: new Date(r.fromMs),
      toAt: new Date(r.toMs),
      formats: r.formats,
      source: r.source,
      dutyPeriodId: r.dutyPeriodId ?? null,
      workflowId: reportWorkflowId(r.id),
      requestedByUserId: r.requestedBy?.userId ?? null,
      requestedByAgency: r.requestedBy?.agency ?? null,
    })
    .onConflictDoNothing();
}

/**
 * Report activities: the numbers by aggregate SQL, the files rendered, and all of them stored with the status
 * `done` in one transaction. Idempotent: a retry replaces the files of the same report (same rows, by primary key),
 * a report already done is left as it is.
 */
export function createReportActivities(deps: { db: Db; reportFontPath?: string }) {
  const { db } = deps;
  const setStatus = (id: string, status: string, progress: number, messageZh: string | null = null) =>
    db
      .update(reports)
      .set({ status, progress, messageZh, ...(status === 'computing' ? { startedAt: new Date() } : {}) })
      .where(eq(reports.id, id));

  return {
    async createReport(input: ReportRequest): Promise<{ reportId: string }> {
      await insertReport(db, input);
      return { reportId: input.id };
    },

    async generateReport(input: {
      reportId: string;
    }): Promise<{ reportId: string; formats: ReportFormat[]; ms: Record<string, number> }> {
      const [r] = await db.select().from(reports).where(eq(reports.id, input.reportId));
      if (!r) throw ApplicationFailure.nonRetryable(`报表 ${input.reportId} 不存在`, 'ReportNotFound');
      const formats = (r.formats as ReportFormat[]).filter((f) => (REPORT_FORMATS as readonly string[]).includes(f));
      if (r.status === 'done') return { reportId: r.id, formats, ms: {} };
      const t0 = performance.now();
      const ms: Record<string, number> = {};
      // Loaded on the first report, not at worker start: exceljs, pdfkit and resvg are ~40 MiB of a worker's RSS.
      const { findReportFont, loadReportFont, renderCharts, renderCsv, renderPdf, renderXlsx, ReportFontMissingError } =
        await import('./report-render');
      const needsFont = formats.includes('pdf') || formats.includes('xlsx');
      let font;
      try {
        font = needsFont ? loadReportFont(findReportFont(deps.reportFontPath)) : undefined;
      } catch (err) {
        if (err instanceof ReportFontMissingError)
          throw ApplicationFailure.nonRetryable(err.message, 'ReportFontMissing');
        throw err;
      }
      await setStatus(r.id, 'computing', 10);
      const data = await computeReportData(db, {
        titleZh: r.titleZh,
        periodLabelZh: parsePeriod(r.periodKey)?.labelZh ?? r.periodKey,
        fromMs: r.fromAt.getTime(),
        toMs: r.toAt.getTime(),
        generatedAtMs: Date.now(),
      });
      ms.sql = performance.now() - t0;
      await setStatus(r.id, 'rendering', 50);
      const files: { format: ReportFormat; bytes: Buffer }[] = [];
      let t = performance.now();
      const charts = font ? renderCharts(data, font) : [];
      ms.charts = performance.now() - t;
      for (const f of formats) {
        t = performance.now();
        const bytes =
          f === 'csv'
            ? renderCsv(data)
            : f === 'xlsx'
              ? await renderXlsx(data, charts)
              : await renderPdf(data, charts, font!);
        ms[f] = performance.now() - t;
        files.push({ format: f, bytes });
      }
      ms.total = performance.now() - t0;
      await db.transaction(async (tx) => {
        for (const f of files) {
          const row = {
            reportId: r.id,
            format: f.format,
            filename: reportFileName(r.titleZh, f.format),
            contentType: REPORT_CONTENT_TYPES[f.format],
            size: f.bytes.length,
            sha256: crypto.createHash('sha256').update(f.bytes).digest('hex'),
            content: f.bytes,
          };
          await tx
            .insert(reportFiles)
            .values(row)
            .onConflictDoUpdate({
              target: [reportFiles.reportId, reportFiles.format],
              set: { ...row, createdAt: sql`now()` },
            });
        }
        await tx
          .update(reports)
          .set({
            status: 'done',
            progress: 100,
            messageZh: null,
            finishedAt: new Date(),
            summary: {
              totals: data.totals,
              confidentialActive: data.confidentialActive,
              overdueConfidential: data.overdueConfidential,
              ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)])),
            },
          })
          .where(eq(reports.id, r.id));
      });
      return { reportId: r.id, formats, ms };
    },

    async markReportFailed(input: { reportId: string; messageZh: string }): Promise<void> {
      await db
        .update(reports)
        .set({ status: 'failed', messageZh: input.messageZh.slice(0, 1000), finishedAt: new Date() })
        .where(eq(reports.id, input.reportId));
    },
  };
}
