import fs from 'node:fs';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type { ReportData } from './report-data';
import { chinaDateTimeZh, chinaDateZh, chinaYmd } from '../domain/china-time';

/** fontkit: pdfkit's own font engine (its dependency), used for the chart glyphs and handed to pdfkit. */
interface FkGlyph {
  id: number;
  advanceWidth: number;
  path: { toSVG(): string };
}
export interface FkFont {
  unitsPerEm: number;
  glyphsForString(s: string): FkGlyph[];
  layout(s: string): unknown;
}
const fontkit = createRequire(__filename)('fontkit') as { openSync(path: string, postscriptName?: string): FkFont };

/**
 * Report files from ReportData: XLSX (exceljs, one sheet per table, Chinese headers, number formats, the charts as
 * images), PDF (pdfkit with the Noto CJK font embedded, tables and charts) and CSV (UTF-8 with BOM so Excel reads
 * the Chinese, one block per table). Charts are SVG built here, rendered to PNG by resvg with the same CJK font.
 */

/** Where Debian's, Fedora's and Arch's fonts-noto-cjk put the Sans CJK collection. */
export const FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc',
];
/** The Simplified Chinese face inside the collection (pdfkit selects it by PostScript name). */
const PDF_FACE = 'NotoSansCJKsc-Regular';

export class ReportFontMissingError extends Error {
  constructor(tried: string[]) {
    super(
      `未找到中文字体（Noto Sans CJK），无法生成 PDF 与图表。请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk），或以 REPORT_FONT_PATH 指定 NotoSansCJK-Regular.ttc 的路径。已查找：${tried.join('，')}`,
    );
    this.name = 'ReportFontMissingError';
  }
}

export function findReportFont(configured?: string): string {
  const tried = configured ? [configured] : FONT_CANDIDATES;
  for (const p of tried) if (fs.existsSync(p)) return p;
  throw new ReportFontMissingError(tried);
}

/**
 * The parsed font, once per process: parsing the 19 MB collection and its CFF outlines costs about a second the
 * first time. resvg's own text layout re-parsed the collection for every <text> element (about 30 ms each, 2.4 s
 * for the three charts), so chart text is drawn as glyph outlines of this same font and resvg renders paths only.
 */
const fonts = new Map<string, FkFont>();
export function loadReportFont(path: string): FkFont {
  let f = fonts.get(path);
  if (!f) {
    try {
      f = fontkit.openSync(path, path.endsWith('.ttc') ? PDF_FACE : undefined);
    } catch (err) {
      throw new ReportFontMissingError([`${path}（无法读取：${(err as Error).message}）`]);
    }
    fonts.set(path, f);
  }
  return f;
}

type Anchor = 'start' | 'middle' | 'end';
/** SVG text as glyph outlines: <g> of <path>s, positioned like <text x y text-anchor>. */
function textSvg(
  font: FkFont,
  s: string,
  x: number,
  y: number,
  size: number,
  anchor: Anchor = 'start',
  fill = '#333',
): string {
  const glyphs = font.glyphsForString(s);
  const k = size / font.unitsPerEm;
  const width = glyphs.reduce((w, g) => w + g.advanceWidth, 0) * k;
  let cx = anchor === 'start' ? x : anchor === 'middle' ? x - width / 2 : x - width;
  const parts: string[] = [];
  for (const g of glyphs) {
    const d = g.path.toSVG();
    if (d)
      parts.push(
        `<path transform="translate(${cx.toFixed(2)} ${y.toFixed(2)}) scale(${k.toFixed(5)} ${(-k).toFixed(5)})" d="${d}"/>`,
      );
    cx += g.advanceWidth * k;
  }
  return `<g fill="${fill}">${parts.join('')}</g>`;
}

// ----------------------------------------------------------------------------------------------------------------
// Charts

const COLORS = ['#2f6db3', '#d9822b', '#3a9d5d', '#c23b3b'];

function niceMax(v: number): number {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

function frame(font: FkFont, w: number, h: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<rect width="${w}" height="${h}" fill="#ffffff"/>
${textSvg(font, title, w / 2, 30, 20, 'middle', '#222')}
${body}</svg>`;
}

/** Horizontal bars: one per label. */
export function barChartSvg(font: FkFont, title: string, items: { label: string; value: number }[]): string {
  const w = 1000;
  const rowH = 26;
  const left = 330;
  const h = 60 + items.length * rowH + 30;
  const max = niceMax(Math.max(1, ...items.map((i) => i.value)));
  const scale = (w - left - 80) / max;
  const bars = items
    .map((it, k) => {
      const y = 50 + k * rowH;
      const bw = Math.max(1, it.value * scale);
      return `${textSvg(font, it.label, left - 10, y + 17, 14, 'end')}
<rect x="${left}" y="${y + 4}" width="${bw.toFixed(1)}" height="${rowH - 8}" fill="${COLORS[0]}"/>
${textSvg(font, it.value.toLocaleString('zh-CN'), left + bw + 6, y + 17, 13)}`;
    })
    .join('\n');
  return frame(font, w, h, title, bars);
}

/** Monthly series: grouped bars (kind 'bar') or lines (kind 'line'), with a legend. */
export function monthlyChartSvg(
  font: FkFont,
  title: string,
  months: string[],
  series: { name: string; values: number[] }[],
  kind: 'bar' | 'line',
): string {
  const w = 1000;
  const h = 420;
  const left = 70;
  const right = 20;
  const top = 70;
  const bottom = 70;
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  const max = niceMax(Math.max(1, ...series.flatMap((s) => s.values)));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(1, months.length);
  const parts: string[] = [];
  for (let k = 0; k <= 5; k++) {
    const v = (max / 5) * k;
    parts.push(`<line x1="${left}" x2="${w - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(textSvg(font, Math.round(v).toLocaleString('zh-CN'), left - 8, y(v) + 5, 12, 'end', '#555'));
  }
  const labelEvery = Math.ceil(months.length / 12);
  months.forEach((m, i) => {
    if (i % labelEvery === 0)
      parts.push(
        textSvg(
          font,
          `${m.slice(0, 4)}年${Number(m.slice(5))}月`,
          left + slot * (i + 0.5),
          h - bottom + 20,
          12,
          'middle',
          '#555',
        ),
      );
  });
  series.forEach((s, si) => {
    const color = COLORS[si % COLORS.length];
    if (kind === 'bar') {
      const bw = (slot * 0.8) / series.length;
      s.values.forEach((v, i) => {
        const x = left + slot * i + slot * 0.1 + bw * si;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, bw).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${color}"/>`,
        );
      });
    } else {
      const pts = s.values.map((v, i) => `${(left + slot * (i + 0.5)).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="3"/>`);
      s.values.forEach((v, i) =>
        parts.push(
          `<circle cx="${(left + slot * (i + 0.5)).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${color}"/>`,
        ),
      );
    }
    parts.push(
      `<rect x="${left + si * 180}" y="${h - 30}" width="14" height="14" fill="${color}"/>${textSvg(font, s.name, left + si * 180 + 20, h - 18, 14)}`,
    );
  });
  parts.push(`<line x1="${left}" x2="${w - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>`);
  return frame(font, w, h, title, parts.join('\n'));
}

/**
 * An opaque RGB PNG from resvg's RGBA pixels (the background is white). pdfkit embeds an RGB PNG's data as it is,
 * while an RGBA one is decoded and its alpha split off in JavaScript, which cost 1–3 s per report on 100,000 cases.
 */
export function rgbPng(rgba: Buffer, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width * 3 + 1);
    raw[o] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const j = o + 1 + x * 3;
      raw[j] = rgba[i];
      raw[j + 1] = rgba[i + 1];
      raw[j + 2] = rgba[i + 2];
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Chart {
  titleZh: string;
  png: Buffer;
  width: number;
  height: number;
}

/** The report's charts: cases by stage, the overdue trend, transfers and filings per month. */
export function renderCharts(data: ReportData, font: FkFont): Chart[] {
  const stageTotals = new Map<string, number>();
  for (const s of data.byStage) stageTotals.set(s.stageZh, (stageTotals.get(s.stageZh) ?? 0) + s.cases);
  const stages = [...stageTotals.entries()]
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 16);
  const months = data.monthly.map((m) => m.month);
  const svgs: [string, string][] = [
    ['各阶段案件数', barChartSvg(font, '各阶段案件数', stages)],
    [
      '超期期限月度趋势',
      monthlyChartSvg(
        font,
        '超期期限月度趋势',
        months,
        [{ name: '超期期限', values: data.monthly.map((m) => m.overdueClocks) }],
        'line',
      ),
    ],
    [
      '移送与立案（按月）',
      monthlyChartSvg(
        font,
        '移送与立案（按月）',
        months,
        [
          { name: '移送涉嫌犯罪案件', values: data.monthly.map((m) => m.transfers) },
          { name: '立案', values: data.monthly.map((m) => m.filings) },
        ],
        'bar',
      ),
    ],
  ];
  return svgs.map(([titleZh, svg]) => {
    // Text is already outlines: resvg needs no font database.
    const r = new Resvg(svg, { font: { loadSystemFonts: false }, background: '#ffffff' });
    const img = r.render();
    return { titleZh, png: rgbPng(img.pixels, img.width, img.height), width: img.width, height: img.height };
  });
}

// ----------------------------------------------------------------------------------------------------------------
// Tables shared by the three formats

export interface Table {
  nameZh: string;
  headers: string[];
  rows: (string | number)[][];
  /** Columns holding numbers (formatted as such in XLSX). */
  numeric: boolean[];
}

const chinaDay = (iso: string | null) => (iso ? chinaYmd(Date.parse(iso)) : '');

export function reportTables(data: ReportData): Table[] {
  const t = (nameZh: string, headers: string[], rows: (string | number)[][]): Table => ({
    nameZh,
    headers,
    rows,
    numeric: headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number')),
  });
  return [
    t(
      '各机关指标',
      ['指标', '生态环境局', '公安局', '人民检察院', '合计'],
      data.metrics.map((m) => [m.labelZh, m.eeb, m.psb, m.spp, m.total]),
    ),
    t(
      '按办案类型',
      ['办案类型', '本期登记', '本期办结', '未结', '未结超期'],
      [
        ...data.byTrack.map((r) => [r.trackZh, r.registered, r.closed, r.open, r.overdueOpen]),
        ['合计', data.totals.registered, data.totals.closed, data.totals.open, data.totals.overdueOpen],
      ],
    ),
    t(
      '按阶段',
      ['办案类型', '阶段', '案件数', '未结超期'],
      data.byStage.map((r) => [r.trackZh, r.stageZh, r.cases, r.overdue]),
    ),
    t(
      '按承办机关',
      ['承办机关', '未结案件', '未结超期'],
      data.byAgency.map((r) => [r.agencyZh, r.open, r.overdueOpen]),
    ),
    t(
      '办结情况',
      ['办结结果', '案件数'],
      data.outcomes.map((r) => [r.stageZh, r.cases]),
    ),
    t(
      '月度趋势',
      ['月份', '案件线索', '移送涉嫌犯罪案件', '立案', '超期期限'],
      data.monthly.map((m) => [m.month, m.leads, m.transfers, m.filings, m.overdueClocks]),
    ),
    t(
      '超期案件',
      ['案件编号', '案件名称', '办案类型', '阶段', '承办机关', '期限届满日'],
      data.overdueCases.map((c) => [c.caseNumber, c.title, c.trackZh, c.stageZh, c.agencyZh, chinaDay(c.dueAt)]),
    ),
  ];
}

function summaryLines(data: ReportData): string[] {
  return [
    `统计期间：${data.periodLabelZh}（${chinaDateZh(data.fromMs)}至${chinaDateZh(data.toMs - 1)}）`,
    `生成时间：${chinaDateTimeZh(data.generatedAtMs)}`,
    `本期登记案件 ${data.totals.registered} 件，办结 ${data.totals.closed} 件；截至生成时未结 ${data.totals.open} 件，其中超期 ${data.totals.overdueOpen} 件。`,
    `保密案件仅计数、不列明：本期有办理活动的保密案件 ${data.confidentialActive} 件；未结超期的保密案件 ${data.overdueConfidential} 件（不在超期案件表中）。`,
    `按阶段、按承办机关、办结情况三表不含保密案件（共 ${data.confidentialCases ?? 0} 件，只计总数）。`,
    '按阶段、按承办机关、未结与超期为生成时的状态；指标、登记、办结与月度趋势按统计期间。',
  ];
}

// ----------------------------------------------------------------------------------------------------------------
// CSV

/**
 * One CSV cell. Text beginning with = + - @ or a control character is what a spreadsheet takes for a formula (a
 * case title `=HYPERLINK(…)`, an imported penalty field): it gets a leading apostrophe and stays text. Numbers are
 * written as they are.
 */
export const csvCell = (v: string | number) => {
  const s = typeof v === 'string' && /^[=+\-@\u0000-\u001f\u007f]/.test(v) ? `'${v}` : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function renderCsv(data: ReportData): Buffer {
  const lines: string[] = [csvCell(data.titleZh), ...summaryLines(data).map(csvCell), ''];
  for (const t of reportTables(data)) {
    lines.push(
      csvCell(`【${t.nameZh}】`),
      t.headers.map(csvCell).join(','),
      ...t.rows.map((r) => r.map(csvCell).join(',')),
      '',
    );
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')]);
}

// ----------------------------------------------------------------------------------------------------------------
// XLSX

export async function renderXlsx(data: ReportData, charts: Chart[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '联动执法协作平台';
  wb.created = new Date(data.generatedAtMs);
  const overview = wb.addWorksheet('概况');
  overview.getColumn(1).width = 110;
  overview.addRow([data.titleZh]).font = { bold: true, size: 16 };
  for (const l of summaryLines(data)) overview.addRow([l]);
  for (const t of reportTables(data)) {
    const ws = wb.addWorksheet(t.nameZh, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.headers.map((h, i) => ({
      header: h,
      key: String(i),
      width: t.numeric[i]
        ? 14
        : Math.min(48, Math.max(12, ...t.rows.slice(0, 200).map((r) => String(r[i]).length * 2 + 2), h.length * 2 + 2)),
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F2' } };
    for (const r of t.rows) ws.addRow(r);
    t.numeric.forEach((isNum, i) => {
      if (isNum) ws.getColumn(i + 1).numFmt = '#,##0';
    });
    if (t.nameZh === '超期案件' && data.overdueConfidential > 0)
      ws.addRow([`另有保密案件 ${data.overdueConfidential} 件（仅计数，不列明）`]);
  }
  const cs = wb.addWorksheet('图表');
  let row = 0;
  for (const c of charts) {
    const id = wb.addImage({ buffer: c.png as unknown as ExcelJS.Buffer, extension: 'png' });
    const w = 800;
    const h = Math.round((c.height / c.width) * w);
    cs.addImage(id, { tl: { col: 0, row }, ext: { width: w, height: h } });
    row += Math.ceil(h / 20) + 2;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ----------------------------------------------------------------------------------------------------------------
// PDF

export async function renderPdf(data: ReportData, charts: Chart[], font: FkFont): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: data.titleZh, Author: '联动执法协作平台' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  // The parsed font object (pdfkit accepts a fontkit font): embedded as a subset of the glyphs used.
  doc.registerFont('cjk', font as unknown as string);
  doc.font('cjk');
  const width = doc.page.width - 96;
  doc.fontSize(18).text(data.titleZh, { align: 'center' });
  doc.moveDown(0.5).fontSize(10);
  for (const l of summaryLines(data)) doc.text(l);
  const bottom = () => doc.page.height - 48;

  const table = (t: Table, maxRows = Infinity) => {
    const rows = t.rows.slice(0, maxRows);
    const weights = t.headers.map((_, i) =>
      t.numeric[i] ? 1 : t.nameZh === '超期案件' ? [2.4, 3.4, 1.9, 1.9, 1, 1.3][i] : 1.8,
    );
    const sum = weights.reduce((a, b) => a + b, 0);
    const widths = weights.map((w) => (w / sum) * width);
    const rowH = 16;
    doc.moveDown(0.8);
    if (doc.y + rowH * 3 > bottom()) doc.addPage();
    doc.fontSize(12).text(t.nameZh, 48, doc.y);
    doc.moveDown(0.2).fontSize(8.5);
    const line = (cells: (string | number)[], header: boolean) => {
      if (doc.y + rowH > bottom()) doc.addPage();
      const y = doc.y;
      if (header)
        doc
          .rect(48, y - 2, width, rowH)
          .fill('#dce6f2')
          .fillColor('#000');
      let x = 48;
      cells.forEach((c, i) => {
        // Placed by measuring (no line wrapper per cell: that was most of the PDF's time); long text is cut with "…".
        let s = typeof c === 'number' ? c.toLocaleString('zh-CN') : String(c);
        const room = widths[i] - 4;
        if (doc.widthOfString(s) > room) {
          while (s.length > 1 && doc.widthOfString(`${s}…`) > room) s = s.slice(0, -1);
          s = `${s}…`;
        }
        const dx = typeof c === 'number' ? room - doc.widthOfString(s) : 0;
        doc.text(s, x + 2 + dx, y, { lineBreak: false });
        x += widths[i];
      });
      doc
        .moveTo(48, y + rowH - 2)
        .lineTo(48 + width, y + rowH - 2)
        .lineWidth(0.3)
        .strokeColor('#bbbbbb')
        .stroke();
      doc.x = 48;
      doc.y = y + rowH;
    };
    line(t.headers, true);
    for (const r of rows) line(r, false);
    if (t.rows.length > rows.length) doc.text(`……共 ${t.rows.length} 行，其余见 XLSX / CSV`, 48, doc.y);
  };

  const tables = reportTables(data);
  for (const t of tables.slice(0, 2)) table(t);
  for (const c of charts) {
    const h = (c.height / c.width) * width;
    if (doc.y + h + 20 > bottom()) doc.addPage();
    doc.moveDown(0.8);
    doc.image(c.png, 48, doc.y, { width });
    doc.y += h;
  }
  for (const t of tables.slice(2)) table(t, t.nameZh === '超期案件' ? 60 : Infinity);
  if (data.overdueConfidential > 0)
    doc.fontSize(9).text(`另有未结超期的保密案件 ${data.overdueConfidential} 件（仅计数，不列明）`, 48, doc.y);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
