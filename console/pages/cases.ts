import { FIELD_LABELS } from '../../domain/case/messages';
import {
  AGENCY_ZH,
  LEVEL_ZH,
  ROLE_ZH,
  TRACK_ZH,
  actionForm,
  api,
  badge,
  field,
  chinaTime,
  empty,
  esc,
  forms,
  main,
  onSubmit,
  page,
  session,
  toast,
  untilFound,
  type Json,
} from '../lib';

let stepCatalogue: Json[] | undefined;

/** The clock's level: the recorded escalation, or 预警 once its warning instant has passed. */
export const levelOf = (c: Json) =>
  c.level && c.level !== 'none'
    ? c.level
    : c.warningDueAt && Date.parse(c.warningDueAt) <= Date.now()
      ? 'warning'
      : 'none';

export async function casesPage(params: URLSearchParams) {
  const q = new URLSearchParams();
  for (const k of ['track', 'stage', 'agency', 'overdue', 'q', 'createdFrom', 'createdTo', 'dueBefore', 'page'])
    if (params.get(k)) q.set(k, params.get(k)!);
  const list = await api('GET', `/cases?${q.toString()}`);
  const rows = (list.items as Json[])
    .map(
      (
        c,
      ) => `<tr class="${c.overdue ? 'level-overdue' : ''}"><td><a href="#/cases/${c.id}">${esc(c.caseNumber)}</a></td><td><a href="#/cases/${c.id}">${esc(c.title)}</a>${c.confidentiality === 'confidential' ? ` ${badge('保密')}` : ''}</td>
      <td>${esc(TRACK_ZH[c.track] ?? c.track)}</td><td>${esc(c.stageLabelZh)}</td><td>${esc(AGENCY_ZH[c.responsibleAgency] ?? '—')}</td><td>${chinaTime(c.nextDeadlineAt)}</td><td>${c.overdue ? badge('超期', 'level-overdue') : ''}</td></tr>`,
    )
    .join('');
  const page_ = Number(params.get('page') ?? 1);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const sel = (name: string, label: string, opts: [string, string][]) =>
    `<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">全部</option>${opts
      .map(([k, v]) => `<option value="${k}" ${params.get(name) === k ? 'selected' : ''}>${v}</option>`)
      .join('')}</select></div>`;
  const date = (name: string, label: string) =>
    `<div><label for="f-${name}">${label}</label><input type="date" id="f-${name}" name="${name}" value="${esc(params.get(name))}" /></div>`;
  page(
    '案件',
    `<form class="inline" id="filters">
      <div><label for="f-q">关键词</label><input id="f-q" name="q" value="${esc(params.get('q'))}" /></div>
      ${sel('track', '办理类型', Object.entries(TRACK_ZH))}
      ${sel(
        'agency',
        '待办机关',
        ['eeb', 'psb', 'spp'].map((a) => [a, AGENCY_ZH[a]]),
      )}
      ${sel('overdue', '超期', [['true', '仅超期']])}
      ${date('createdFrom', '登记日期自')}${date('createdTo', '至')}${date('dueBefore', '期限早于')}
      <button type="submit">筛选</button>
    </form>
    <table><thead><tr><th>案件编号</th><th>名称</th><th>办理类型</th><th>阶段</th><th>待办机关</th><th>最近期限（北京时间）</th><th></th></tr></thead><tbody>${rows || empty(7, '没有案件')}</tbody></table>
    <p class="muted">共 ${list.total} 件，第 ${page_} / ${pages} 页
      ${page_ > 1 ? `<a href="#/cases?${new URLSearchParams({ ...Object.fromEntries(params), page: String(page_ - 1) })}">上一页</a>` : ''}
      ${page_ < pages ? `<a href="#/cases?${new URLSearchParams({ ...Object.fromEntries(params), page: String(page_ + 1) })}">下一页</a>` : ''}</p>`,
  );
  document.getElementById('filters')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of fd) {
      if (!v) continue;
      // Dates are China-time days; the API takes instants.
      if (k === 'createdFrom') next.set(k, `${String(v)}T00:00:00+08:00`);
      else if (k === 'createdTo' || k === 'dueBefore') next.set(k, `${String(v)}T23:59:59+08:00`);
      else next.set(k, String(v));
    }
    location.hash = `#/cases?${next.toString()}`;
  });
  // Date inputs show the day of the instant kept in the address.
  for (const k of ['createdFrom', 'createdTo', 'dueBefore']) {
    const el = document.getElementById(`f-${k}`) as HTMLInputElement | null;
    if (el && params.get(k)) el.value = params.get(k)!.slice(0, 10);
  }
}

export function newCasePage(prefill: Json = {}) {
  page(
    '登记案件',
    `<form class="card" id="new-case" novalidate>
      <div class="fields">
        <div><label for="n-title">案件名称（必填）</label><input id="n-title" data-name="title" required maxlength="200" value="${esc(prefill.title)}" /></div>
        <div><label for="n-track">办理类型</label><select id="n-track" data-name="track">${Object.entries(TRACK_ZH)
          .map(([k, v]) => `<option value="${k}">${v}</option>`)
          .join('')}</select></div>
        <div><label for="n-conf">密级</label><select id="n-conf" data-name="confidentiality"><option value="internal">内部</option><option value="public">公开</option><option value="confidential">保密</option></select></div>
        <div><label for="n-doc">移送审批单编号（移送行政拘留必填）</label><input id="n-doc" data-name="documentNumber" /></div>
        <div><label><input type="checkbox" data-name="custody" data-kind="boolean" /> 嫌疑人已被羁押</label><label><input type="checkbox" data-name="major" data-kind="boolean" /> 重大案件</label></div>
      </div>
      <label for="n-summary">案情摘要</label><textarea id="n-summary" data-name="summary" maxlength="5000">${esc(prefill.summary)}</textarea>
      <p id="new-error" class="error" role="alert" hidden></p>
      <button type="submit">登记并启动案件流程</button>
    </form>`,
  );
  (document.getElementById('n-title') as HTMLInputElement).focus();
  // One key per form: a double submit or a retry after a lost answer registers the case once.
  onSubmit(document.getElementById('new-case') as HTMLFormElement, async (data, key) => {
    const body: Json = { confidentiality: 'internal', custody: false, major: false, ...data };
    const r = await api('POST', '/cases', body, { 'idempotency-key': key });
    if (r.status === 'registering') {
      // 202: the platform is busy; the case's workflow is started and registers it shortly.
      toast(r.messageZh);
      await untilFound(`/cases/${encodeURIComponent(r.caseId)}`);
      location.hash = `#/cases/${r.caseId}`;
      return;
    }
    toast(`已登记：${r.case.caseNumber}`);
    location.hash = `#/cases/${r.case.id}`;
  });
}

/** One input per field of the step's JSON schema (strings, numbers, booleans, enums, lists, nested objects). */
function fieldHtml(name: string, schema: Json, required: boolean, idPrefix: string, namePrefix = ''): string {
  const id = `${idPrefix}${namePrefix}${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const label = `${esc(FIELD_LABELS[name] ?? name)}${required ? '（必填）' : ''}`;
  const s = schema.anyOf ? ((schema.anyOf as Json[]).find((x) => x.type !== 'null') ?? schema) : schema;
  if (s.type === 'object' && s.properties) {
    const req = new Set<string>(s.required ?? []);
    return `<fieldset><legend>${label}</legend>${Object.entries(s.properties as Record<string, Json>)
      .map(([k, v]) => fieldHtml(k, v, req.has(k), idPrefix, `${namePrefix}${name}.`))
      .join('')}</fieldset>`;
  }
  // The request field's path (nested objects with dots); ids carry the step name to stay unique on the page.
  const dataName = `${namePrefix}${name}`;
  if (s.enum || s.const !== undefined) {
    const values = (s.enum ?? [s.const]) as unknown[];
    if (values.length === 1 && values[0] === true)
      return `<div><label><input type="checkbox" data-name="${esc(dataName)}" data-kind="boolean" id="${id}" /> ${label}</label></div>`;
    return `<div><label for="${id}">${label}</label><select id="${id}" data-name="${esc(dataName)}" data-kind="string">${required ? '' : '<option value=""></option>'}${values
      .map((v) => `<option value="${esc(v)}">${esc(v)}</option>`)
      .join('')}</select></div>`;
  }
  if (s.type === 'boolean')
    return `<div><label><input type="checkbox" data-name="${esc(dataName)}" data-kind="boolean" id="${id}" /> ${label}</label></div>`;
  if (s.type === 'integer' || s.type === 'number')
    return `<div><label for="${id}">${label}</label><input type="number" id="${id}" data-name="${esc(dataName)}" data-kind="number" ${required ? 'required' : ''} /></div>`;
  if (s.type === 'array')
    return `<div><label for="${id}">${label}（每行一项）</label><textarea id="${id}" data-name="${esc(dataName)}" data-kind="list" ${required ? 'required' : ''}></textarea></div>`;
  return `<div><label for="${id}">${label}</label><input id="${id}" data-name="${esc(dataName)}" data-kind="string" ${required ? 'required' : ''} /></div>`;
}

export async function casePage(id: string, reload: () => Promise<void>) {
  const [detail, live, history, events, info] = await Promise.all([
    api('GET', `/cases/${id}`),
    api('GET', `/cases/${id}/state`),
    api('GET', `/cases/${id}/history`),
    api('GET', `/cases/${id}/events`),
    // Art 34 information records (an older server without them answers 404: the section is left out).
    api('GET', `/cases/${id}/information-records`).catch(() => ({ items: [] })),
  ]);
  stepCatalogue ??= (await api('GET', '/steps')).items as Json[];
  const c = detail.case;
  const clocks = (live.openClocks as Json[])
    .map((k) => {
      const row = (detail.deadlines as Json[]).find((d) => d.clockId === k.clockId) ?? {};
      const level = levelOf({ level: k.level, warningDueAt: row.warningDueAt });
      return `<tr class="level-${level}"><td>${esc(k.labelZh)}<br/><span class="muted">${esc(k.ruleId)}</span></td><td>${esc(AGENCY_ZH[k.responsibleAgency] ?? k.responsibleAgency)}</td>
      <td>${chinaTime(k.dueAt)}${k.provisional ? '（暂定）' : ''}${k.suspended ? '（中止计算）' : ''}</td><td>${esc(k.basis)}</td><td>${badge(LEVEL_ZH[level] ?? level, `level-${level}`)}</td></tr>`;
    })
    .join('');
  // Exactly the steps my agency and role may take now; steps of my agency reserved to another role are named.
  const performers = (step: string) =>
    ((stepCatalogue!.find((x) => x.step === step)?.performers ?? []) as Json[]).filter(
      (p) => p.agency === session.me?.agency,
    );
  const ofAgency = (live.availableSteps as Json[]).filter((s) => (s.agencies as string[]).includes(session.me?.agency));
  const mine = ofAgency.filter((s) =>
    performers(s.step).some((p) => !p.roles || (p.roles as string[]).includes(session.me?.role)),
  );
  const others = ofAgency
    .filter((s) => !mine.includes(s))
    .map(
      (s) =>
        `${esc(s.labelZh)}（由${performers(s.step)
          .flatMap((p) => (p.roles as string[]).map((r) => ROLE_ZH[r] ?? r))
          .join('、')}办理）`,
    );
  const stepForms = mine
    .map((s) => {
      const def = stepCatalogue!.find((x) => x.step === s.step);
      const schema = def?.inputSchema ?? {};
      const req = new Set<string>(schema.required ?? []);
      const fields = Object.entries((schema.properties ?? {}) as Record<string, Json>)
        .map(([k, v]) => fieldHtml(k, v, req.has(k), `${s.step}-`))
        .join('');
      return `<details class="step"><summary>${esc(s.labelZh)}${s.crossCutting ? ' <span class="muted">（随时可办）</span>' : ''}</summary>
        <form data-step="${esc(s.step)}" novalidate><p class="muted">${esc(def?.basisZh ?? '')}</p><div class="fields">${fields || '<p class="muted">无需填写</p>'}</div>
        <p class="error" role="alert" hidden></p><button type="submit">提交：${esc(s.labelZh)}</button></form></details>`;
    })
    .join('');
  const next = (live.nextActions as Json[])
    .map((a) => `${esc(AGENCY_ZH[a.agency] ?? a.agency)}：${esc(a.labelZh)}`)
    .join('；');
  const timeline = (history.timeline as Json[])
    .filter((e) => !['searchAttributes', 'activityCompleted'].includes(e.kind))
    .map((e) => `<li><time>${esc(e.atChina)}</time>${esc(e.textZh)}</li>`)
    .join('');
  // The case's documents: every recorded step that carried a document number.
  const docs = (events.items as Json[])
    .filter((e) => e.documentNumber)
    .map(
      (e) =>
        `<tr><td>${esc(e.documentNumber)}</td><td>${esc(e.labelZh)}</td><td>${esc(AGENCY_ZH[e.actorAgency] ?? e.actorAgency ?? '')}</td><td>${chinaTime(e.occurredAt)}</td></tr>`,
    )
    .join('');
  const infoRows = (info.items as Json[])
    .map((r) => {
      const level = r.status === 'entered' ? 'none' : r.escalationLevel;
      const mine = r.status !== 'entered' && r.responsibleAgency === session.me?.agency;
      const form = mine
        ? actionForm(
            `data-info="${esc(r.seq)}"`,
            '录入案件信息',
            field('content', '录入的案件信息', { kind: 'text', required: true }) +
              field('confidentiality', '密级', {
                options: [
                  ['public', '公开'],
                  ['internal', '内部'],
                  ['confidential', '保密'],
                ],
                required: true,
                value: 'internal',
              }) +
              field('confidentialityReason', '密级说明（非公开必填）') +
              field('documentNumber', '文书编号'),
            '录入',
          )
        : '';
      return `<tr class="level-${level}"><td>${esc(r.decisionLabelZh)}</td><td>${esc(AGENCY_ZH[r.responsibleAgency] ?? r.responsibleAgency)}</td><td>${chinaTime(r.dueAt)}${r.provisional ? '（暂定）' : ''}</td>
        <td>${r.status === 'entered' ? `已录入（${chinaTime(r.enteredAt)}${r.late ? '，逾期' : ''}）· ${esc(r.confidentialityZh ?? '')}` : badge(level === 'none' ? '待录入' : (LEVEL_ZH[level] ?? level), `level-${level}`)}${form}</td></tr>`;
    })
    .join('');
  page(
    `${c.caseNumber} ${c.title}`,
    `<p>${esc(TRACK_ZH[c.track])} · 当前阶段：<strong id="stage">${esc(live.stageLabelZh)}</strong>${live.overdue ? ` ${badge('超期', 'level-overdue')}` : ''}
      ${c.confidentiality === 'confidential' ? ` ${badge('保密')}` : ''}</p>
    <p>待办：${next || '<span class="muted">无（案件已结束）</span>'}</p>
    <p><a href="#/cases/${esc(id)}/history">查看完整办理记录</a></p>
    <h2>未结期限</h2>
    <table><thead><tr><th>事项</th><th>责任机关</th><th>期满（北京时间）</th><th>法律依据</th><th>状态</th></tr></thead><tbody>${clocks || empty(5, '没有未结期限')}</tbody></table>
    <h2>本机关可办理的操作</h2>${stepForms || '<p class="muted">当前没有本机关可办理的操作</p>'}${others.length ? `<p class="muted" id="other-roles">本机关其他人员办理：${others.join('；')}</p>` : ''}
    <h2>文书</h2><table id="documents"><thead><tr><th>文书编号</th><th>办理事项</th><th>机关</th><th>时间（北京时间）</th></tr></thead><tbody>${docs || empty(4, '暂无文书')}</tbody></table>
    ${infoRows ? `<h2>案件信息录入（7日内录入信息共享平台）</h2><table id="information"><thead><tr><th>决定</th><th>录入机关</th><th>录入期限（北京时间）</th><th>状态</th></tr></thead><tbody>${infoRows}</tbody></table>` : ''}
    <h2>办理记录（流程历史）</h2><p><a href="/api/v1/cases/${esc(id)}/history?format=raw" download>下载原始历史（JSON）</a></p>
    <ol class="timeline" id="timeline">${timeline}</ol>`,
  );
  for (const form of forms('form[data-info]')) {
    onSubmit(form, async (data) => {
      await api('POST', `/cases/${id}/information-records/${form.dataset.info!}`, data);
      await reload();
      toast('案件信息已录入');
    });
  }
  for (const form of forms('form[data-step]')) {
    onSubmit(form, async (data, key) => {
      const v = await api('POST', `/cases/${id}/steps/${form.dataset.step!}`, data, { 'idempotency-key': key });
      await reload();
      toast(`已办理，当前阶段：${v.stageLabelZh}`);
    });
  }
}

/** The case's whole history on its own page: the timeline and the case events with their actors. */
export async function caseHistoryPage(id: string) {
  const [detail, history, events] = await Promise.all([
    api('GET', `/cases/${id}`),
    api('GET', `/cases/${id}/history`),
    api('GET', `/cases/${id}/events`),
  ]);
  const c = detail.case;
  const recorded = (events.items as Json[])
    .map(
      (e) =>
        `<tr class="${/overdue|supervision|escalat/i.test(e.type) ? 'level-overdue' : /warning/i.test(e.type) ? 'level-warning' : ''}"><td class="nowrap">${chinaTime(e.occurredAt)}</td><td>${esc(e.labelZh)}</td><td>${esc(AGENCY_ZH[e.actorAgency] ?? e.actorAgency ?? '系统')}</td><td>${esc(e.ruleId ?? '')}</td><td>${esc(e.documentNumber ?? '')}</td></tr>`,
    )
    .join('');
  const rows = (history.timeline as Json[])
    .filter((e) => !['searchAttributes', 'activityCompleted'].includes(e.kind))
    .map((e) => `<tr><td class="nowrap">${esc(e.atChina)}</td><td>${esc(e.textZh)}</td></tr>`)
    .join('');
  page(
    `办理记录：${c.caseNumber}`,
    `<p><a href="#/cases/${esc(id)}">返回案件</a> · <a href="/api/v1/cases/${esc(id)}/history?format=raw" download>下载原始历史（JSON）</a></p>
    <h2>案件事件（含预警、超期、督办）</h2>
    <table id="events"><thead><tr><th>时间（北京时间）</th><th>事项</th><th>机关</th><th>期限规则</th><th>文书编号</th></tr></thead><tbody>${recorded || empty(5, '暂无记录')}</tbody></table>
    <h2>流程历史</h2>
    <table id="history"><thead><tr><th>时间（北京时间）</th><th>事项</th></tr></thead><tbody>${rows || empty(2, '暂无记录')}</tbody></table>`,
  );
  main().querySelector('a')?.focus();
}
