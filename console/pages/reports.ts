import { chinaParts } from '../../domain/china-time';
import {
  REPORT_FORMATS,
  REPORT_KIND_ZH,
  REPORT_STATUS_ZH,
  type ReportKind,
  type ReportStatus,
} from '../../domain/reports';
import {
  AGENCY_ZH,
  api,
  badge,
  chinaTime,
  empty,
  esc,
  field,
  inBackground,
  main,
  onSubmit,
  page,
  toast,
  type Json,
} from '../lib';

/** 报表: the reports (briefings and ad-hoc statistics), request one, follow its progress, download XLSX / PDF / CSV. */
const FORMAT_ZH: Record<string, string> = { xlsx: 'XLSX', pdf: 'PDF', csv: 'CSV' };
const running = (s: string) => ['queued', 'computing', 'rendering'].includes(s);
const sizeZh = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;

/** Download links of a report's files (also used by the briefing pages). */
export function reportLinks(r: Json): string {
  if (r.status !== 'done')
    return `${badge(REPORT_STATUS_ZH[r.status as ReportStatus] ?? r.status)}${r.status === 'failed' && r.messageZh ? ` <span class="error">${esc(r.messageZh)}</span>` : ` ${r.progress}%`}`;
  return (r.files as Json[])
    .map(
      (f) =>
        `<a href="${esc(f.href)}" download data-format="${esc(f.format)}">下载 ${FORMAT_ZH[f.format] ?? esc(f.format)}</a>（${sizeZh(f.size)}）`,
    )
    .join(' · ');
}

function lastMonth(): string {
  const d = chinaParts(Date.now());
  const y = d.month === 1 ? d.year - 1 : d.year;
  const m = d.month === 1 ? 12 : d.month - 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

export async function reportsPage(route: () => Promise<void>) {
  const list = await api('GET', '/reports?limit=50');
  const items = list.items as Json[];
  const rows = items
    .map(
      (
        r,
      ) => `<tr data-report="${esc(r.id)}"><td>${esc(r.titleZh)}</td><td>${esc(REPORT_KIND_ZH[r.kind as ReportKind] ?? r.kind)}</td>
      <td>${r.source === 'briefing' ? `信息通报（自动）${r.dutyPeriodId ? ` · <a href="#/duties/${esc(r.dutyPeriodId)}">通报期</a>` : ''}` : esc(AGENCY_ZH[r.requestedBy?.agency] ?? '')}</td>
      <td>${chinaTime(r.createdAt)}</td><td class="report-status">${reportLinks(r)}</td></tr>`,
    )
    .join('');
  page(
    '报表',
    `<form class="card" id="report-form" novalidate>
      <div class="fields">
        ${field('kind', '报表类型', {
          options: [
            ['statistics', '统计报表（按期间、机关、办案类型、阶段、办结情况、超期）'],
            ['briefing', '信息通报'],
          ],
          required: true,
          value: 'statistics',
        })}
        ${field('period', '统计期间（如 2026、2026-Q3、2026-10、2026-01-01..2026-06-30）', { required: true, value: lastMonth() })}
        <fieldset class="formats"><legend>文件格式</legend>${REPORT_FORMATS.map((f) => `<label><input type="checkbox" name="format" value="${f}" checked /> ${FORMAT_ZH[f]}</label>`).join(' ')}</fieldset>
      </div>
      <p class="error" role="alert" tabindex="-1" hidden></p><button type="submit">生成报表</button>
      <p class="muted">报表含图表（各阶段案件数、超期趋势、移送与立案按月）。保密案件只计数，不列明。</p>
    </form>
    <h2>报表列表</h2>
    <table id="reports"><thead><tr><th>报表</th><th>类型</th><th>来源</th><th>生成时间</th><th>状态与下载</th></tr></thead><tbody>${rows || empty(5, '暂无报表')}</tbody></table>`,
  );
  const form = document.getElementById('report-form') as HTMLFormElement;
  onSubmit(form, async (data, key) => {
    const formats = [...form.querySelectorAll<HTMLInputElement>('input[name="format"]:checked')].map((i) => i.value);
    if (formats.length === 0) throw new Error('请至少选择一种文件格式');
    await api('POST', '/reports', { kind: data.kind, period: data.period, formats }, { 'idempotency-key': key });
    toast('已提交，正在生成');
    await route();
  });
  // While a report is being generated, the list follows its progress.
  if (items.some((r) => running(r.status))) {
    const here = location.hash;
    setTimeout(() => {
      if (location.hash === here && main().isConnected) inBackground(reportsPage(route));
    }, 1000);
  }
}
