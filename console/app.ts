/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web console: a small single-page application served by the API server (no CDN, no framework). It calls the
 * same API as everyone else; every change carries the session's CSRF token. Dates are shown in China time.
 */
import { FIELD_LABELS } from '../domain/case/messages';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers are read field by field

const AGENCY_ZH: Record<string, string> = { eeb: '生态环境局', psb: '公安局', spp: '人民检察院', workingGroup: '联动工作组', admin: '平台管理' };
const ROLE_ZH: Record<string, string> = { officer: '办案人员', head: '负责人', liaison: '联络人', leader: '组长', deputy: '副组长', member: '成员', admin: '系统管理员' };
const TRACK_ZH: Record<string, string> = { criminal: '涉嫌犯罪案件移送', detention: '移送行政拘留', administrative: '行政处罚' };
const LEVEL_ZH: Record<string, string> = { none: '正常', warning: '预警', overdue: '超期', supervision: '监督', escalated: '督办' };

const main = document.getElementById('main')!;
let me: Json | undefined;
let csrf = sessionStorage.getItem('csrf') ?? '';
let stepCatalogue: Json[] | undefined;

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** China time, Chinese format, whatever the browser's time zone. */
export function chinaTime(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}年${parts.month}月${parts.day}日`;
  return withTime ? `${date} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}` : date;
}

function toast(text: string) {
  const box = document.getElementById('toast')!;
  const el = document.createElement('div');
  el.textContent = text;
  box.appendChild(el);
  setTimeout(() => el.remove(), 5000);
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return {};
  const data = (await res.json().catch(() => ({}))) as Json;
  if (res.status === 401 && !path.startsWith('/auth/login')) {
    me = undefined;
    location.hash = '#/login';
    throw new ApiError(401, data.error?.message ?? '请先登录');
  }
  if (!res.ok) throw new ApiError(res.status, data.error?.message ?? `请求失败（HTTP ${res.status}）`);
  return data;
}

function nav() {
  const links = me
    ? [
        ['#/', '工作台'],
        ['#/cases', '案件'],
        ...(me.agency === 'eeb' ? [['#/cases/new', '登记案件']] : []),
        ['#/inbox', '通知'],
      ]
    : [];
  document.getElementById('nav')!.innerHTML = links
    .map(([href, text]) => `<a href="${href}" class="${location.hash === href || (href !== '#/' && location.hash.startsWith(href)) ? 'active' : ''}">${text}</a>`)
    .join('');
  document.getElementById('who')!.innerHTML = me
    ? `${esc(me.displayName)}（${esc(AGENCY_ZH[me.agency] ?? me.agency)} · ${esc(ROLE_ZH[me.role] ?? me.role)}）<button class="secondary" id="logout">退出</button>`
    : '';
  document.getElementById('logout')?.addEventListener('click', () => {
    void api('POST', '/auth/logout').finally(() => {
      me = undefined;
      sessionStorage.removeItem('csrf');
      location.hash = '#/login';
    });
  });
}

function page(title: string, html: string) {
  document.title = `${title} · 联动执法协作平台`;
  main.innerHTML = `<h1>${esc(title)}</h1>${html}`;
  main.focus();
}

// ------------------------------------------------------------------------------------------------ pages

function loginPage() {
  document.title = '登录 · 联动执法协作平台';
  main.innerHTML = `<form class="card login" id="login-form">
    <h1>登录</h1>
    <label for="username">用户名</label><input id="username" name="username" autocomplete="username" required />
    <label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required />
    <p id="login-error" class="error" hidden></p>
    <button type="submit">登录</button>
  </form>`;
  const form = document.getElementById('login-form') as HTMLFormElement;
  (document.getElementById('username') as HTMLInputElement).focus();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    api('POST', '/auth/login', { username: fd.get('username'), password: fd.get('password') })
      .then((r) => {
        csrf = r.csrfToken;
        sessionStorage.setItem('csrf', csrf);
        me = r.user;
        location.hash = '#/';
      })
      .catch((err: Error) => {
        const box = document.getElementById('login-error')!;
        box.hidden = false;
        box.textContent = err.message;
      });
  });
}

const levelOf = (c: Json) => (c.level && c.level !== 'none' ? c.level : c.warningDueAt && Date.parse(c.warningDueAt) <= Date.now() ? 'warning' : 'none');

async function dashboardPage() {
  const d = await api('GET', '/dashboard');
  const pending = (d.pendingClocks as Json[])
    .map((c) => {
      const level = levelOf(c);
      return `<tr class="level-${level}"><td><a href="#/cases/${c.caseId}">${esc(c.caseNumber)}</a><br/><span class="muted">${esc(c.title)}</span></td>
        <td>${esc(c.labelZh)}<br/><span class="muted">${esc(c.ruleId)}</span></td><td>${chinaTime(c.dueAt)}${c.provisional ? '（暂定）' : ''}</td>
        <td><span class="badge level-${level}">${LEVEL_ZH[level] ?? level}</span></td></tr>`;
    })
    .join('');
  const overdue = (d.overdue as Json[])
    .map((c) => `<li><a href="#/cases/${c.id}">${esc(c.caseNumber)}</a> ${esc(c.title)} · ${esc(c.stageLabelZh)} · ${esc(AGENCY_ZH[c.responsibleAgency] ?? '')}</li>`)
    .join('');
  const stages = (d.byStage as Json[]).map((s) => `<tr><td>${esc(s.stageLabelZh)}</td><td>${s.n}</td></tr>`).join('');
  const agencies = (d.byAgency as Json[]).map((s) => `<tr><td>${esc(AGENCY_ZH[s.agency] ?? '（已结）')}</td><td>${s.n}</td></tr>`).join('');
  page(
    '工作台',
    `<div class="grid">
      <div class="card"><h2>未读通知</h2><p><a href="#/inbox" id="unread">${d.unreadNotifications} 条</a></p></div>
      <div class="card"><h2>各阶段案件</h2><table><tbody>${stages || '<tr><td class="muted">暂无</td></tr>'}</tbody></table></div>
      <div class="card"><h2>各机关待办</h2><table><tbody>${agencies || '<tr><td class="muted">暂无</td></tr>'}</tbody></table></div>
    </div>
    <h2>本机关待办期限</h2>
    <table id="pending"><thead><tr><th>案件</th><th>事项</th><th>期满（北京时间）</th><th>状态</th></tr></thead><tbody>${pending || '<tr><td colspan="4" class="muted">没有待办期限</td></tr>'}</tbody></table>
    <h2>超期案件</h2><ul id="overdue">${overdue || '<li class="muted">没有超期案件</li>'}</ul>`,
  );
}

async function casesPage(params: URLSearchParams) {
  const q = new URLSearchParams();
  for (const k of ['track', 'overdue', 'q', 'page']) if (params.get(k)) q.set(k, params.get(k)!);
  const list = await api('GET', `/cases?${q.toString()}`);
  const rows = (list.items as Json[])
    .map(
      (c) => `<tr class="${c.overdue ? 'level-overdue' : ''}"><td><a href="#/cases/${c.id}">${esc(c.caseNumber)}</a></td><td><a href="#/cases/${c.id}">${esc(c.title)}</a>${c.confidentiality === 'confidential' ? ' <span class="badge">保密</span>' : ''}</td>
      <td>${esc(TRACK_ZH[c.track] ?? c.track)}</td><td>${esc(c.stageLabelZh)}</td><td>${esc(AGENCY_ZH[c.responsibleAgency] ?? '—')}</td><td>${chinaTime(c.nextDeadlineAt)}</td><td>${c.overdue ? '<span class="badge level-overdue">超期</span>' : ''}</td></tr>`,
    )
    .join('');
  const page_ = Number(params.get('page') ?? 1);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  page(
    '案件',
    `<form class="inline" id="filters">
      <div><label for="f-q">关键词</label><input id="f-q" name="q" value="${esc(params.get('q'))}" /></div>
      <div><label for="f-track">办理类型</label><select id="f-track" name="track"><option value="">全部</option>${Object.entries(TRACK_ZH)
        .map(([k, v]) => `<option value="${k}" ${params.get('track') === k ? 'selected' : ''}>${v}</option>`)
        .join('')}</select></div>
      <div><label for="f-overdue">超期</label><select id="f-overdue" name="overdue"><option value="">全部</option><option value="true" ${params.get('overdue') === 'true' ? 'selected' : ''}>仅超期</option></select></div>
      <button type="submit">筛选</button>
    </form>
    <table><thead><tr><th>案件编号</th><th>名称</th><th>办理类型</th><th>阶段</th><th>待办机关</th><th>最近期限</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="7" class="muted">没有案件</td></tr>'}</tbody></table>
    <p class="muted">共 ${list.total} 件，第 ${page_} / ${pages} 页
      ${page_ > 1 ? `<a href="#/cases?${new URLSearchParams({ ...Object.fromEntries(params), page: String(page_ - 1) })}">上一页</a>` : ''}
      ${page_ < pages ? `<a href="#/cases?${new URLSearchParams({ ...Object.fromEntries(params), page: String(page_ + 1) })}">下一页</a>` : ''}</p>`,
  );
  document.getElementById('filters')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of fd) if (v) next.set(k, String(v));
    location.hash = `#/cases?${next.toString()}`;
  });
}

function newCasePage() {
  page(
    '登记案件',
    `<form class="card" id="new-case" novalidate>
      <div class="fields">
        <div><label for="n-title">案件名称（必填）</label><input id="n-title" name="title" required maxlength="200" /></div>
        <div><label for="n-track">办理类型</label><select id="n-track" name="track">${Object.entries(TRACK_ZH).map(([k, v]) => `<option value="${k}">${v}</option>`).join('')}</select></div>
        <div><label for="n-conf">密级</label><select id="n-conf" name="confidentiality"><option value="internal">内部</option><option value="public">公开</option><option value="confidential">保密</option></select></div>
        <div><label for="n-doc">移送审批单编号（移送行政拘留必填）</label><input id="n-doc" name="documentNumber" /></div>
        <div><label><input type="checkbox" name="custody" /> 嫌疑人已被羁押</label><label><input type="checkbox" name="major" /> 重大案件</label></div>
      </div>
      <label for="n-summary">案情摘要</label><textarea id="n-summary" name="summary" maxlength="5000"></textarea>
      <p id="new-error" class="error" hidden></p>
      <button type="submit">登记并启动案件流程</button>
    </form>`,
  );
  const form = document.getElementById('new-case') as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const body: Json = { title: fd.get('title'), track: fd.get('track'), confidentiality: fd.get('confidentiality'), custody: fd.get('custody') === 'on', major: fd.get('major') === 'on' };
    if (fd.get('summary')) body.summary = fd.get('summary');
    if (fd.get('documentNumber')) body.documentNumber = fd.get('documentNumber');
    api('POST', '/cases', body)
      .then((r) => {
        toast(`已登记：${r.case.caseNumber}`);
        location.hash = `#/cases/${r.case.id}`;
      })
      .catch((err: Error) => {
        const box = document.getElementById('new-error')!;
        box.hidden = false;
        box.textContent = err.message;
      });
  });
}

/** One input per field of the step's JSON schema (strings, numbers, booleans, enums, lists, nested objects). */
function fieldHtml(name: string, schema: Json, required: boolean, idPrefix: string, namePrefix = ''): string {
  const id = `${idPrefix}${namePrefix}${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const label = `${esc(FIELD_LABELS[name] ?? name)}${required ? '（必填）' : ''}`;
  const s = schema.anyOf ? (schema.anyOf as Json[]).find((x) => x.type !== 'null') ?? schema : schema;
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
    if (values.length === 1 && values[0] === true) return `<div><label><input type="checkbox" data-name="${esc(dataName)}" data-kind="boolean" id="${id}" /> ${label}</label></div>`;
    return `<div><label for="${id}">${label}</label><select id="${id}" data-name="${esc(dataName)}" data-kind="string">${required ? '' : '<option value=""></option>'}${values
      .map((v) => `<option value="${esc(v)}">${esc(v)}</option>`)
      .join('')}</select></div>`;
  }
  if (s.type === 'boolean') return `<div><label><input type="checkbox" data-name="${esc(dataName)}" data-kind="boolean" id="${id}" /> ${label}</label></div>`;
  if (s.type === 'integer' || s.type === 'number') return `<div><label for="${id}">${label}</label><input type="number" id="${id}" data-name="${esc(dataName)}" data-kind="number" ${required ? 'required' : ''} /></div>`;
  if (s.type === 'array') return `<div><label for="${id}">${label}（每行一项）</label><textarea id="${id}" data-name="${esc(dataName)}" data-kind="list" ${required ? 'required' : ''}></textarea></div>`;
  return `<div><label for="${id}">${label}</label><input id="${id}" data-name="${esc(dataName)}" data-kind="string" ${required ? 'required' : ''} /></div>`;
}

function readForm(form: HTMLFormElement): Json {
  const out: Json = {};
  for (const el of Array.from(form.querySelectorAll<HTMLInputElement>('[data-name]'))) {
    const path = el.dataset.name!.split('.');
    let value: unknown;
    switch (el.dataset.kind) {
      case 'boolean':
        if (!el.checked) continue;
        value = true;
        break;
      case 'number':
        if (el.value === '') continue;
        value = Number(el.value);
        break;
      case 'list':
        value = el.value.split('\n').map((x) => x.trim()).filter(Boolean);
        if ((value as string[]).length === 0) continue;
        break;
      default:
        if (el.value.trim() === '') continue;
        value = el.value.trim();
    }
    let target = out;
    for (const k of path.slice(0, -1)) target = (target[k] ??= {}) as Json;
    target[path[path.length - 1]] = value;
  }
  return out;
}

async function casePage(id: string) {
  const [detail, live, history] = await Promise.all([api('GET', `/cases/${id}`), api('GET', `/cases/${id}/state`), api('GET', `/cases/${id}/history`)]);
  stepCatalogue ??= (await api('GET', '/steps')).items as Json[];
  const c = detail.case;
  const clocks = (live.openClocks as Json[])
    .map((k) => {
      const row = (detail.deadlines as Json[]).find((d) => d.clockId === k.clockId) ?? {};
      const level = levelOf({ level: k.level, warningDueAt: row.warningDueAt });
      return `<tr class="level-${level}"><td>${esc(k.labelZh)}<br/><span class="muted">${esc(k.ruleId)}</span></td><td>${esc(AGENCY_ZH[k.responsibleAgency] ?? k.responsibleAgency)}</td>
      <td>${chinaTime(k.dueAt)}${k.provisional ? '（暂定）' : ''}${k.suspended ? '（中止计算）' : ''}</td><td>${esc(k.basis)}</td><td><span class="badge level-${level}">${LEVEL_ZH[level] ?? level}</span></td></tr>`;
    })
    .join('');
  const mine = (live.availableSteps as Json[]).filter((s) => (s.agencies as string[]).includes(me?.agency));
  const forms = mine
    .map((s) => {
      const def = stepCatalogue!.find((x) => x.step === s.step);
      const schema = def?.inputSchema ?? {};
      const req = new Set<string>(schema.required ?? []);
      const fields = Object.entries((schema.properties ?? {}) as Record<string, Json>)
        .map(([k, v]) => fieldHtml(k, v, req.has(k), `${s.step}-`))
        .join('');
      return `<details class="step"><summary>${esc(s.labelZh)}${s.crossCutting ? ' <span class="muted">（随时可办）</span>' : ''}</summary>
        <form data-step="${esc(s.step)}" novalidate><p class="muted">${esc(def?.basisZh ?? '')}</p><div class="fields">${fields || '<p class="muted">无需填写</p>'}</div>
        <p class="error" hidden></p><button type="submit">提交：${esc(s.labelZh)}</button></form></details>`;
    })
    .join('');
  const next = (live.nextActions as Json[]).map((a) => `${esc(AGENCY_ZH[a.agency] ?? a.agency)}：${esc(a.labelZh)}`).join('；');
  const timeline = (history.timeline as Json[])
    .filter((e) => !['searchAttributes', 'activityCompleted'].includes(e.kind))
    .map((e) => `<li><time>${esc(e.atChina)}</time>${esc(e.textZh)}</li>`)
    .join('');
  page(
    `${c.caseNumber} ${c.title}`,
    `<p>${esc(TRACK_ZH[c.track])} · 当前阶段：<strong id="stage">${esc(live.stageLabelZh)}</strong>${live.overdue ? ' <span class="badge level-overdue">超期</span>' : ''}
      ${c.confidentiality === 'confidential' ? ' <span class="badge">保密</span>' : ''}</p>
    <p>待办：${next || '<span class="muted">无（案件已结束）</span>'}</p>
    <h2>未结期限</h2>
    <table><thead><tr><th>事项</th><th>责任机关</th><th>期满（北京时间）</th><th>法律依据</th><th>状态</th></tr></thead><tbody>${clocks || '<tr><td colspan="5" class="muted">没有未结期限</td></tr>'}</tbody></table>
    <h2>本机关可办理的操作</h2>${forms || '<p class="muted">当前没有本机关可办理的操作</p>'}
    <h2>办理记录（流程历史）</h2><p><a href="${esc(history.temporalUiUrl)}" target="_blank" rel="noopener">在 Temporal 界面中查看</a> · <a href="/api/v1/cases/${esc(id)}/history?format=raw" download>下载原始历史（JSON）</a></p>
    <ol class="timeline" id="timeline">${timeline}</ol>`,
  );
  for (const form of Array.from(main.querySelectorAll<HTMLFormElement>('form[data-step]'))) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const step = form.dataset.step!;
      const box = form.querySelector<HTMLElement>('.error')!;
      api('POST', `/cases/${id}/steps/${step}`, readForm(form))
        .then((v) => {
          toast(`已办理，当前阶段：${v.stageLabelZh}`);
          void route();
        })
        .catch((err: Error) => {
          box.hidden = false;
          box.textContent = err.message;
        });
    });
  }
}

async function inboxPage() {
  const list = await api('GET', '/me/notifications');
  const rows = (list.items as Json[])
    .map(
      (n) => `<tr class="${n.readAt ? '' : 'level-warning'}"><td>${chinaTime(n.createdAt)}</td><td>${n.caseId ? `<a href="#/cases/${n.caseId}">${esc(n.subject)}</a>` : esc(n.subject)}<details><summary>正文</summary><pre>${esc(n.bodyText)}</pre></details></td>
      <td>${n.readAt ? '已读' : `<button data-read="${esc(n.id)}">标为已读</button>`}</td></tr>`,
    )
    .join('');
  page('通知', `<p>未读 ${list.unread} 条</p><table><thead><tr><th>时间</th><th>内容</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="3" class="muted">没有通知</td></tr>'}</tbody></table>`);
  for (const b of Array.from(main.querySelectorAll<HTMLButtonElement>('button[data-read]'))) {
    b.addEventListener('click', () => void api('POST', `/me/notifications/${encodeURIComponent(b.dataset.read!)}/read`).then(() => route()));
  }
}

// ------------------------------------------------------------------------------------------------ router

async function route() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  try {
    if (path === '/login') {
      nav();
      loginPage();
      return;
    }
    if (!me) me = await api('GET', '/me');
    nav();
    const params = new URLSearchParams(query);
    let m: RegExpMatchArray | null;
    if (path === '' || path === '/') await dashboardPage();
    else if (path === '/cases') await casesPage(params);
    else if (path === '/cases/new') newCasePage();
    else if ((m = /^\/cases\/([0-9a-f-]{36})$/.exec(path))) await casePage(m[1]);
    else if (path === '/inbox') await inboxPage();
    else page('页面不存在', '<p><a href="#/">返回工作台</a></p>');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    page('出错了', `<p class="error">${esc((err as Error).message)}</p><p><a href="#/">返回工作台</a></p>`);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
