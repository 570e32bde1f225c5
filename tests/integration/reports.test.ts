import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { createReportActivities, insertReport } from '../../activities/reports';
import { METRIC_STEPS, computeReportData } from '../../activities/report-data';
import { reportFiles, reports } from '../../db/schema';
import { parsePeriod } from '../../domain/reports';
import { STAGE_LABELS, TRACK_LABELS, type Stage, type Track } from '../../domain/case/types';
import { generateDataset } from '../../scripts/dataset';
import { createTestDb, type TestDb } from '../helpers/db';

/**
 * Report files against independent SQL over a generated dataset: the XLSX read back with exceljs, the CSV parsed,
 * the PDF's text extracted with pdftotext; a confidential case's title appears in none of them.
 */
const SECRET_TITLE = '保密测试案件：举报人王某某提供的线索';

type Row = Record<string, unknown>;
const rowsOf = (r: unknown) => (r as { rows: Row[] }).rows;

describe('reports (XLSX, PDF, CSV) over a generated dataset', () => {
  let t: TestDb;
  const period = parsePeriod('2026-10')!;
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    t = await createTestDb();
    const summary = await generateDataset(t.handle.db, {
      cases: 4000,
      years: 2,
      seed: 7,
      endMs: Date.parse('2026-11-15T00:00:00+08:00'),
    });
    expect(summary.cases).toBe(4000);
    // A confidential, open, overdue case with a title no other case has: it must be counted, never described.
    await t.handle.db
      .execute(sql`update cases set title = ${SECRET_TITLE}, confidentiality = 'confidential', overdue = true, closed_at = null, stage = 'accepted', stage_label_zh = ${STAGE_LABELS.accepted}
      where id = (select id from cases where track = 'criminal' and closed_at is null order by id limit 1)`);
    await insertReport(t.handle.db, {
      id: 'test-2026-10',
      kind: 'briefing',
      periodKey: period.key,
      titleZh: '2026年10月案件信息通报',
      fromMs: period.fromMs,
      toMs: period.toMs,
      formats: ['xlsx', 'pdf', 'csv'],
      source: 'api',
    });
    const acts = createReportActivities({ db: t.handle.db });
    const out = await acts.generateReport({ reportId: 'test-2026-10' });
    expect(out.formats).toEqual(['xlsx', 'pdf', 'csv']);
    // Idempotent: a second run (a retry after the report was stored) changes nothing.
    const again = await acts.generateReport({ reportId: 'test-2026-10' });
    expect(again.ms).toEqual({});
    for (const f of await t.handle.db.select().from(reportFiles).where(eq(reportFiles.reportId, 'test-2026-10')))
      files[f.format] = f.content;
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  const from = () => new Date(period.fromMs).toISOString();
  const to = () => new Date(period.toMs).toISOString();

  it('stores the report done with its three files and their signatures', async () => {
    const [r] = await t.handle.db.select().from(reports).where(eq(reports.id, 'test-2026-10'));
    expect(r.status).toBe('done');
    expect(r.progress).toBe(100);
    expect(files.xlsx.subarray(0, 2).toString()).toBe('PK');
    expect(files.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect([...files.csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('XLSX: the per-agency metrics and the cases by stage equal independent SQL', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(files.xlsx as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(
      expect.arrayContaining([
        '概况',
        '各机关指标',
        '按办案类型',
        '按阶段',
        '按承办机关',
        '办结情况',
        '月度趋势',
        '超期案件',
        '图表',
      ]),
    );
    const metrics = wb.getWorksheet('各机关指标')!;
    expect(metrics.getRow(1).values).toEqual([undefined, '指标', '生态环境局', '公安局', '人民检察院', '合计']);
    const byLabel = new Map<string, number[]>();
    metrics.eachRow((row, i) => {
      if (i > 1)
        byLabel.set(
          String(row.getCell(1).value),
          [2, 3, 4, 5].map((c) => Number(row.getCell(c).value)),
        );
    });
    // Steps per agency in the period, counted here directly.
    const expected = async (steps: string[]) => {
      const rows = rowsOf(
        await t.handle.db
          .execute(sql`select actor_agency, count(*)::int as n from case_events where data->>'step' = any(${sql.param(steps)}::text[])
        and occurred_at >= ${from()}::timestamptz and occurred_at < ${to()}::timestamptz group by 1`),
      );
      const get = (a: string) => Number(rows.find((r) => r.actor_agency === a)?.n ?? 0);
      return [get('eeb'), get('psb'), get('spp'), get('eeb') + get('psb') + get('spp')];
    };
    expect(byLabel.get('移送涉嫌犯罪案件')).toEqual(await expected(METRIC_STEPS.transfers!));
    expect(byLabel.get('立案')).toEqual(await expected(['fileCase', 'fileAfterNotice']));
    expect(byLabel.get('提起公诉')).toEqual(await expected(['prosecute']));
    expect(byLabel.get('移送涉嫌犯罪案件')![3]).toBeGreaterThan(0);
    const leads = rowsOf(
      await t.handle.db.execute(
        sql`select count(*)::int as n from case_events where type = 'caseCreated' and occurred_at >= ${from()}::timestamptz and occurred_at < ${to()}::timestamptz`,
      ),
    )[0].n;
    expect(byLabel.get('案件线索')![3]).toBe(leads);
    const overdue = rowsOf(
      await t.handle.db.execute(
        sql`select count(*)::int as n from case_events where type = 'clockOverdue' and occurred_at >= ${from()}::timestamptz and occurred_at < ${to()}::timestamptz`,
      ),
    )[0].n;
    expect(byLabel.get('超期期限')![3]).toBe(overdue);

    const stages = wb.getWorksheet('按阶段')!;
    const got = new Map<string, number>();
    stages.eachRow((row, i) => {
      if (i > 1) got.set(`${row.getCell(1).value}/${row.getCell(2).value}`, Number(row.getCell(3).value));
    });
    const sqlStages = rowsOf(
      await t.handle.db.execute(
        sql`select track, stage, count(*)::int as n from cases where created_at < ${to()}::timestamptz and confidentiality <> 'confidential' group by 1, 2`,
      ),
    );
    expect(got.size).toBe(sqlStages.length);
    for (const r of sqlStages)
      expect([
        r.track,
        r.stage,
        got.get(`${TRACK_LABELS[r.track as Track]}/${STAGE_LABELS[r.stage as Stage]}`),
      ]).toEqual([r.track, r.stage, r.n]);
    expect(metrics.getColumn(2).numFmt).toBe('#,##0');
    expect(wb.getWorksheet('图表')!.getImages()).toHaveLength(3);
  });

  it('CSV: UTF-8 with BOM; the monthly trend and the registrations by track equal independent SQL', async () => {
    const text = files.csv.subarray(3).toString('utf8');
    const records = parse(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
    const block = (name: string) => {
      const start = records.findIndex((r) => r[0] === `【${name}】`);
      expect(start).toBeGreaterThan(-1);
      const end = records.findIndex((r, i) => i > start && (r.length === 0 || (r.length === 1 && r[0] === '')));
      return records.slice(start + 2, end);
    };
    const monthly = block('月度趋势');
    expect(monthly).toHaveLength(12);
    expect(monthly[11][0]).toBe('2026-10');
    const sqlMonthly = rowsOf(
      await t.handle.db
        .execute(sql`select to_char(occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as m, count(*)::int as n from case_events
      where type = 'clockOverdue' and occurred_at >= '2025-10-31T16:00:00Z' and occurred_at < ${to()}::timestamptz group by 1`),
    );
    for (const row of monthly)
      expect([row[0], Number(row[4])]).toEqual([row[0], Number(sqlMonthly.find((r) => r.m === row[0])?.n ?? 0)]);
    const tracks = block('按办案类型');
    const sqlTracks = rowsOf(
      await t.handle.db.execute(
        sql`select track, count(*)::int as n from cases where created_at >= ${from()}::timestamptz and created_at < ${to()}::timestamptz group by 1`,
      ),
    );
    for (const tr of ['criminal', 'detention', 'administrative'] as Track[]) {
      const row = tracks.find((r) => r[0] === TRACK_LABELS[tr])!;
      expect([tr, Number(row[1])]).toEqual([tr, Number(sqlTracks.find((r) => r.track === tr)?.n ?? 0)]);
    }
  });

  // Needs pdftotext (poppler-utils, which npm test installs or names): without it this test fails, it is not skipped.
  it('PDF: the extracted text carries the title, the tables and the same figures', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.writeFileSync(path.join(dir, 'r.pdf'), files.pdf);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(text).toContain('2026年10月案件信息通报');
    expect(text).toContain('各机关指标');
    expect(text).toContain('保密案件仅计数、不列明');
    const csvLine = files.csv
      .toString('utf8')
      .split('\r\n')
      .find((l) => l.startsWith('移送涉嫌犯罪案件,'))!;
    const total = Number(csvLine.split(',')[4]);
    expect(text).toMatch(
      new RegExp(`移送涉嫌犯罪案件\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+\\s+${total.toLocaleString('zh-CN')}`),
    );
  });

  it('a confidential case is counted, never described: its title is in no file', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(files.xlsx as unknown as ExcelJS.Buffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
    expect(cells.join('\n')).not.toContain('举报人王某某');
    expect(cells.join('\n')).toMatch(/另有保密案件 \d+ 件（仅计数，不列明）/);
    expect(files.csv.toString('utf8')).not.toContain('举报人王某某');
    // Non-confidential overdue cases are listed (so the check above could have failed).
    const listed = rowsOf(
      await t.handle.db.execute(
        sql`select title from cases where overdue and closed_at is null and confidentiality <> 'confidential' limit 1`,
      ),
    );
    if (listed.length) expect(files.csv.toString('utf8')).toContain(String(listed[0].title));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.writeFileSync(path.join(dir, 'r.pdf'), files.pdf);
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(text).not.toContain('举报人王某某');
  });

  it('counts by stage, by agency and by outcome leave confidential cases out (one total instead), so they cannot be located against the visible list', async () => {
    const data = await computeReportData(t.handle.db, {
      titleZh: 't',
      periodLabelZh: 't',
      fromMs: period.fromMs,
      toMs: period.toMs,
      generatedAtMs: Date.now(),
    });
    const count = async (where: ReturnType<typeof sql>) =>
      Number(rowsOf(await t.handle.db.execute(sql`select count(*)::int as n from cases where ${where}`))[0].n);
    const before = sql`created_at < ${new Date(period.toMs).toISOString()}::timestamptz`;
    expect(await count(sql`${before} and confidentiality = 'confidential'`)).toBeGreaterThanOrEqual(1);
    expect(data.byStage.reduce((x, r) => x + r.cases, 0)).toBe(
      await count(sql`${before} and confidentiality <> 'confidential'`),
    );
    expect(data.byAgency.reduce((x, r) => x + r.open, 0)).toBe(
      await count(sql`${before} and closed_at is null and confidentiality <> 'confidential'`),
    );
    expect(data.confidentialCases).toBe(await count(sql`${before} and confidentiality = 'confidential'`));
  });

  it('a missing CJK font is a clear, non-retryable failure in Chinese', async () => {
    await insertReport(t.handle.db, {
      id: 'test-nofont',
      kind: 'statistics',
      periodKey: '2026',
      titleZh: '2026年统计报表',
      fromMs: parsePeriod('2026')!.fromMs,
      toMs: parsePeriod('2026')!.toMs,
      formats: ['pdf'],
      source: 'api',
    });
    const acts = createReportActivities({ db: t.handle.db, reportFontPath: '/nonexistent/NotoSansCJK-Regular.ttc' });
    await expect(acts.generateReport({ reportId: 'test-nofont' })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('fonts-noto-cjk'),
    });
    // CSV needs no font.
    await insertReport(t.handle.db, {
      id: 'test-csv-only',
      kind: 'statistics',
      periodKey: '2026',
      titleZh: '2026年统计报表',
      fromMs: parsePeriod('2026')!.fromMs,
      toMs: parsePeriod('2026')!.toMs,
      formats: ['csv'],
      source: 'api',
    });
    await expect(acts.generateReport({ reportId: 'test-csv-only' })).resolves.toMatchObject({ formats: ['csv'] });
  });
});
