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
  session,
  toast,
  type Json,
} from '../lib';

/** Data exchange: imports of the agency's penalty and enforcement records (CSV or JSON), with progress and row errors. */
const STATUS_ZH: Record<string, string> = {
  queued: '排队中',
  validating: '校验中',
  writing: '写入中',
  completed: '已完成',
  rejected: '已拒绝（有错误行，未导入）',
  failed: '失败',
};
const running = (s: string) => ['queued', 'validating', 'writing'].includes(s);

export async function importsPage() {
  const list = await api('GET', '/imports?limit=50');
  const rows = (list.items as Json[])
    .map(
      (
        j,
      ) => `<tr class="${j.status === 'rejected' || j.status === 'failed' ? 'level-overdue' : ''}"><td><a href="#/imports/${esc(j.id)}">${esc(j.filename)}</a></td><td>${esc(j.kindZh)}</td><td>${esc(j.sourceSystem)}</td>
      <td>${esc(AGENCY_ZH[j.createdBy?.agency] ?? '')}</td><td>${chinaTime(j.createdAt)}</td><td>${badge(STATUS_ZH[j.status] ?? j.status)} ${j.progress.processed}/${j.progress.total}</td>
      <td>新增 ${j.inserted}，更新 ${j.updated}，未变 ${j.unchanged}${j.errorCount ? `，错误 ${j.errorCount} 行` : ''}</td></tr>`,
    )
    .join('');
  const mayImport = ['eeb', 'psb', 'spp'].includes(session.me?.agency);
  page(
    '数据导入',
    `${
      mayImport
        ? `<form class="card" id="import-form" novalidate>
      <div class="fields">
        <div><label for="imp-file">文件（CSV 或 JSON，UTF-8）（必填）</label><input type="file" id="imp-file" accept=".csv,.json,text/csv,application/json" required /></div>
        ${field('kind', '记录类型', {
          options: [
            ['penalty', '行政处罚记录'],
            ['enforcement', '执法记录'],
          ],
          required: true,
        })}
        ${field('sourceSystem', '来源系统（字母、数字、._-）', { required: true })}
      </div>
      <p class="error" role="alert" tabindex="-1" hidden></p><button type="submit">上传并导入</button>
      <p class="muted">按来源编号幂等：重复导入同一文件不会重复写入；有任何错误行则整批不导入，并逐行说明原因。</p>
    </form>`
        : ''
    }
    <h2>最近的导入</h2>
    <table id="imports"><thead><tr><th>文件</th><th>类型</th><th>来源系统</th><th>机关</th><th>上传时间</th><th>状态</th><th>结果</th></tr></thead><tbody>${rows || empty(7, '暂无导入')}</tbody></table>`,
  );
  const form = document.getElementById('import-form') as HTMLFormElement | null;
  if (!form) return;
  onSubmit(form, async (data) => {
    const file = (document.getElementById('imp-file') as HTMLInputElement).files?.[0];
    if (!file) throw new Error('请选择要导入的文件');
    const json = /\.json$/i.test(file.name) || file.type === 'application/json';
    const job = await api('POST', '/imports', {
      ...data,
      filename: file.name,
      contentType: json ? 'application/json' : 'text/csv',
      content: await file.text(),
    });
    toast('已上传，正在导入');
    location.hash = `#/imports/${job.id}`;
  });
}

export async function importPage(id: string) {
  const j = await api('GET', `/imports/${encodeURIComponent(id)}`);
  const errors = (j.errors as Json[])
    .map(
      (e) =>
        `<tr><td>${e.line}</td><td>${esc(e.sourceId ?? '')}</td><td>${esc(e.field ?? '')}</td><td>${esc(e.reason)}</td></tr>`,
    )
    .join('');
  const changes = (j.changes as Json[])
    .map(
      (c) =>
        `<tr><td>${c.line}</td><td>${esc(c.sourceId)}</td><td>${esc(Array.isArray(c.fields) ? c.fields.join('、') : JSON.stringify(c.fields))}</td></tr>`,
    )
    .join('');
  page(
    `导入：${j.filename}`,
    `<p><a href="#/imports">返回数据导入</a> · ${esc(j.kindZh)} · 来源系统 ${esc(j.sourceSystem)} · ${j.size} 字节</p>
    <p>状态：<strong id="import-status">${esc(STATUS_ZH[j.status] ?? j.status)}</strong>（${j.progress.processed}/${j.progress.total}，${j.progress.percent}%）${j.messageZh ? ` · ${esc(j.messageZh)}` : ''}</p>
    <p>新增 ${j.inserted} 条，更新 ${j.updated} 条，未变 ${j.unchanged} 条</p>
    <h2>错误行</h2><table id="import-errors"><thead><tr><th>行号</th><th>来源编号</th><th>字段</th><th>原因</th></tr></thead><tbody>${errors || empty(4, '没有错误行')}</tbody></table>
    <h2>更新了既有记录的行</h2><table><thead><tr><th>行号</th><th>来源编号</th><th>变更字段</th></tr></thead><tbody>${changes || empty(3, '无')}</tbody></table>`,
  );
  // While the import runs, the page follows its progress (the user stays on it).
  if (running(j.status)) {
    const here = location.hash;
    setTimeout(() => {
      if (location.hash === here && main().isConnected) inBackground(importPage(id));
    }, 1000);
  }
}
