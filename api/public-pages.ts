import type { Router } from 'express';
import { TRACKS } from '../domain/case/types';
import { MIN_CELL, OUTCOMES, type Cell, type PublicStatistics } from '../domain/releases/public-stats';
import { notFound } from './errors';
import { chinaDateZh } from '../domain/china-time';

/**
 * The public pages (no login, no script, nothing from a CDN): GET /public (published joint releases and the aggregate
 * statistics) and GET /public/releases/:id. They render exactly what the public API returns, nothing more.
 */

type PublicRelease = {
  id: string;
  title: string;
  body: string;
  kindZh: string;
  publishedAt: string;
  publishersZh: string[];
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const cell = (v: Cell) => (v === null ? `&lt;${MIN_CELL}` : String(v));
const chinaDay = (iso: string) => chinaDateZh(Date.parse(iso));

const STYLE = `body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#1f4e79;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;font-size:13px;opacity:.9}
main{max-width:1100px;margin:0 auto;padding:16px 24px}section{background:#fff;border:1px solid #d9dee5;border-radius:4px;padding:12px 16px;margin-bottom:16px}
h2{font-size:17px;margin:4px 0 10px}table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d9dee5;padding:4px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef2f6}ul.rel{list-style:none;padding:0;margin:0}ul.rel li{padding:6px 0;border-bottom:1px solid #eef2f6}
.meta{color:#5b6876;font-size:12px}.note{color:#5b6876;font-size:12px;margin:2px 0}article p{line-height:1.8;text-indent:2em}a{color:#1f4e79}a:focus{outline:2px solid #f0a500}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>长治市生态环境执法联动协作 · 公开信息</h1><p>市生态环境局、市公安局、市人民检察院联合发布与统计数据</p></header><main>${body}</main></body></html>`;
}

function statsHtml(s: PublicStatistics & { generatedAt: string }): string {
  const L = s.labelsZh;
  const yearRows = s.years
    .map(
      (y) =>
        `<tr><td>${esc(y.period)}年</td><td>${cell(y.totalIncludingConfidential)}</td><td>${cell(y.total)}</td>${TRACKS.map((t) => `<td>${cell(y.byTrack[t] ?? 0)}</td>`).join('')}${OUTCOMES.map((o) => `<td>${cell(y.byOutcome[o] ?? 0)}</td>`).join('')}<td>${y.jointOperations}</td><td>${y.trainings}</td></tr>`,
    )
    .join('');
  const monthRows = s.months
    .slice(0, 24)
    .map(
      (m) =>
        `<tr><td>${esc(m.period.replace('-', '年'))}月</td><td>${cell(m.total)}</td>${TRACKS.map((t) => `<td>${cell(m.byTrack[t] ?? 0)}</td>`).join('')}<td>${m.jointOperations}</td><td>${m.trainings}</td></tr>`,
    )
    .join('');
  const stageNames = [...new Set(s.years.flatMap((y) => Object.keys(y.byStage)))];
  const stageRows = s.years
    .map(
      (y) =>
        `<tr><td>${esc(y.period)}年</td>${stageNames.map((k) => `<td>${cell(y.byStage[k] ?? 0)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<section id="statistics"><h2>统计数据</h2>${s.notesZh.map((n) => `<p class="note">${esc(n)}</p>`).join('')}
<h3>年度</h3><table><thead><tr><th>年度</th><th>登记案件（含保密）</th><th>登记案件（不含保密）</th>${TRACKS.map((t) => `<th>${esc(L.tracks[t])}</th>`).join('')}${OUTCOMES.map((o) => `<th>${esc(L.outcomes[o])}</th>`).join('')}<th>联合执法（次）</th><th>教育培训（次）</th></tr></thead><tbody>${yearRows || '<tr><td colspan="15">暂无数据</td></tr>'}</tbody></table>
<h3>案件所处阶段（按登记年度）</h3><table><thead><tr><th>年度</th>${stageNames.map((k) => `<th>${esc(L.stages[k] ?? k)}</th>`).join('')}</tr></thead><tbody>${stageRows}</tbody></table>
<h3>月度</h3><table><thead><tr><th>月份</th><th>登记案件</th>${TRACKS.map((t) => `<th>${esc(L.tracks[t])}</th>`).join('')}<th>联合执法（次）</th><th>教育培训（次）</th></tr></thead><tbody>${monthRows || '<tr><td colspan="7">暂无数据</td></tr>'}</tbody></table>
<p class="meta">统计时间：${esc(chinaDay(s.generatedAt))}（每分钟更新）。数据接口：<a href="/api/v1/public/statistics">/api/v1/public/statistics</a></p></section>`;
}

export function registerPublicPages(
  r: Router,
  deps: {
    releases: (id?: string) => Promise<PublicRelease[]>;
    statistics: () => Promise<PublicStatistics & { generatedAt: string }>;
  },
) {
  r.get('/public', async (_req, res, next) => {
    try {
      const [items, stats] = await Promise.all([deps.releases(), deps.statistics()]);
      const list = items.length
        ? `<ul class="rel">${items.map((i) => `<li><a href="/public/releases/${esc(i.id)}">${esc(i.title)}</a> <span class="meta">${esc(i.kindZh)} · ${esc(chinaDay(i.publishedAt))}</span></li>`).join('')}</ul>`
        : '<p>暂无联合发布。</p>';
      res
        .type('html')
        .set('cache-control', 'public, max-age=60')
        .send(
          page(
            '公开信息 · 联动执法协作',
            `<section id="releases"><h2>联合发布</h2>${list}<p class="meta">数据接口：<a href="/api/v1/public/releases">/api/v1/public/releases</a></p></section>${statsHtml(stats)}`,
          ),
        );
    } catch (err) {
      next(err);
    }
  });
  r.get('/public/releases/:id', async (req, res, next) => {
    try {
      if (!/^[0-9a-f-]{36}$/.test(req.params.id)) throw notFound('该联合发布不存在或尚未发布');
      const [item] = await deps.releases(req.params.id);
      if (!item) throw notFound('该联合发布不存在或尚未发布');
      const paragraphs = item.body
        .split(/\n+/)
        .filter((p) => p.trim())
        .map((p) => `<p>${esc(p)}</p>`)
        .join('');
      res
        .type('html')
        .set('cache-control', 'public, max-age=60')
        .send(
          page(
            item.title,
            `<section><article><h2>${esc(item.title)}</h2><p class="meta">${esc(item.kindZh)} · 发布日期：${esc(chinaDay(item.publishedAt))} · 发布单位：${item.publishersZh.map(esc).join('、')}</p>${paragraphs}</article><p><a href="/public">返回公开信息</a></p></section>`,
          ),
        );
    } catch (err) {
      next(err);
    }
  });
}
