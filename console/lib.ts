/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * What every console page shares: the session, the API call (CSRF on every change), Chinese labels, China-time
 * formatting, page rendering and forms whose refusals show the API's Chinese reason.
 */
import { chinaDateTimeZh, chinaDateZh, chinaYmd, ymdZh } from '../domain/china-time';
import {
  ACCOUNT_AGENCY_ZH,
  DUTY_PERIOD_STATUS_ZH,
  ROLE_ZH as ROLE_LABELS,
  TRACK_ZH as TRACK_LABELS,
} from '../domain/vocabulary';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers are read field by field

// The domain's labels, looked up by the codes the API answers with (any string).
export const AGENCY_ZH: Readonly<Record<string, string>> = ACCOUNT_AGENCY_ZH;
export const ROLE_ZH: Readonly<Record<string, string>> = ROLE_LABELS;
export const TRACK_ZH: Readonly<Record<string, string>> = TRACK_LABELS;
export const LEVEL_ZH: Record<string, string> = {
  none: '正常',
  warning: '预警',
  overdue: '超期',
  supervision: '监督',
  escalated: '督办',
};
export const PERIOD_STATUS_ZH: Readonly<Record<string, string>> = DUTY_PERIOD_STATUS_ZH;
export const ITEM_STATUS_ZH: Record<string, string> = {
  planned: '已计划',
  completed: '已完成',
  cancelled: '已取消',
  held: '已举办',
  scheduled: '已安排',
  pending: '待安排',
  open: '未办结',
  done: '已办结',
  issued: '已发布',
};
export const CADENCE_ZH: Record<string, string> = {
  monthly: '每月',
  quarterly: '每季度',
  annual: '每年',
  adHoc: '临时',
};

export const session: { me?: Json; csrf: string } = { me: undefined, csrf: sessionStorage.getItem('csrf') ?? '' };

export const main = () => document.getElementById('main')!;

export const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** China time, Chinese format, whatever the browser's time zone. */
export function chinaTime(iso: string | number | null | undefined, withTime = true): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const ms = new Date(iso).getTime();
  return withTime ? chinaDateTimeZh(ms) : chinaDateZh(ms);
}

/** A calendar day 'YYYY-MM-DD' (already China time) in Chinese format. */
export function chinaDay(ymd: string | null | undefined): string {
  return ymd && YMD_PREFIX.test(ymd) ? ymdZh(ymd) : '—';
}
const YMD_PREFIX = /^\d{4}-\d{2}-\d{2}/;

/** Today in China time, 'YYYY-MM-DD' (for date inputs' defaults). */
export function chinaToday(): string {
  return chinaYmd(Date.now());
}

export function toast(text: string) {
  const box = document.getElementById('toast')!;
  const el = document.createElement('div');
  el.textContent = text;
  box.appendChild(el);
  setTimeout(() => el.remove(), 5000);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The session ended and the login page is being shown: nothing more to report. */
    readonly toLogin = false,
  ) {
    super(message);
  }
}

/**
 * Counts navigations. A read that a later navigation overtook is dropped (Superseded), so a slow page never paints
 * over the page the user went to next (a list still loading must not replace the record the user opened from it).
 */
let navigation = 0;
export const navigated = () => ++navigation;
export class Superseded extends Error {
  constructor() {
    super('已切换到其他页面');
  }
}

/** A refresh started outside a navigation (polling, a button): one that a navigation overtook ends quietly. */
export function inBackground(work: Promise<unknown>): void {
  work.catch((err: Error) => {
    if (err instanceof Superseded || (err instanceof ApiError && err.toLogin)) return;
    toast(err instanceof ApiError ? err.message : `网络错误，请重试（${err.message}）`);
  });
}

export async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Json> {
  const startedAt = navigation;
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrf }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return {};
  const data = (await res.json().catch(() => ({}))) as Json;
  if (method === 'GET' && startedAt !== navigation) throw new Superseded();
  if (res.status === 401 && !path.startsWith('/auth/login')) {
    session.me = undefined;
    location.hash = '#/login';
    throw new ApiError(401, data.error?.message ?? '请先登录', true);
  }
  if (!res.ok) throw new ApiError(res.status, data.error?.message ?? `请求失败（HTTP ${res.status}）`);
  return data;
}

export function page(title: string, html: string) {
  document.title = `${title} · 联动执法协作平台`;
  main().innerHTML = `<h1>${esc(title)}</h1>${html}`;
  main().focus();
}

export const badge = (text: string, cls = '') => `<span class="badge ${cls}">${esc(text)}</span>`;
export const empty = (cols: number, text: string) => `<tr><td colspan="${cols}" class="muted">${esc(text)}</td></tr>`;

/**
 * Wires a form: Enter or the button submits; the button is disabled while the request runs (no double submit);
 * a refusal shows its Chinese reason in the form's error box. `key` is an Idempotency-Key kept while an answer is
 * lost on the network (a retry then takes effect once) and renewed after every answer.
 */
export function onSubmit(form: HTMLFormElement, run: (data: Json, key: string) => Promise<void>) {
  let key = randomKey();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const box = form.querySelector<HTMLElement>('.error');
    const buttons = Array.from(form.querySelectorAll<HTMLButtonElement>('button[type=submit]'));
    buttons.forEach((b) => (b.disabled = true));
    if (box) box.hidden = true;
    run(readForm(form), key)
      .then(() => (key = randomKey()))
      .catch((err: Error) => {
        if (err instanceof ApiError) key = randomKey();
        if ((err instanceof ApiError && err.toLogin) || err instanceof Superseded) return;
        const text = err instanceof ApiError ? err.message : `网络错误，请重试（${err.message}）`;
        if (box) {
          box.hidden = false;
          box.textContent = text;
          box.focus();
        } else toast(text);
      })
      .finally(() => buttons.forEach((b) => (b.disabled = false)));
  });
}

/** Every form on the page with this selector. */
export function forms(selector: string): HTMLFormElement[] {
  return Array.from(main().querySelectorAll<HTMLFormElement>(selector));
}

/**
 * Reads the inputs carrying data-name (a dotted path; numeric segments make arrays) and data-kind (string, number,
 * list: one item per line, boolean, date). Empty inputs are left out, so an empty row of a table adds nothing.
 */
export function readForm(form: HTMLFormElement): Json {
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
        value = el.value
          .split('\n')
          .map((x) => x.trim())
          .filter(Boolean);
        if ((value as string[]).length === 0) continue;
        break;
      default:
        if (el.value.trim() === '') continue;
        value = el.value.trim();
    }
    let target: Json = out;
    path.forEach((k, i) => {
      if (i === path.length - 1) target[k] = value;
      else target = target[k] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
    });
  }
  // Rows left empty leave holes in arrays.
  const compact = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.filter((x) => x !== undefined).map(compact)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compact(x)]))
        : v;
  return compact(out) as Json;
}

let seq = 0;
/** A labelled input bound to a request field. */
export function field(
  name: string,
  label: string,
  opts: {
    kind?: 'string' | 'number' | 'list' | 'date' | 'boolean' | 'text';
    required?: boolean;
    value?: string;
    options?: [string, string][];
    min?: number;
  } = {},
): string {
  const id = `f${++seq}-${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const req = opts.required ? ' required' : '';
  const text = `${esc(label)}${opts.required ? '（必填）' : ''}`;
  const kind = opts.kind ?? 'string';
  if (opts.options) {
    return `<div><label for="${id}">${text}</label><select id="${id}" data-name="${esc(name)}" data-kind="string"${req}>${opts.required ? '' : '<option value=""></option>'}${opts.options
      .map(([v, l]) => `<option value="${esc(v)}" ${opts.value === v ? 'selected' : ''}>${esc(l)}</option>`)
      .join('')}</select></div>`;
  }
  if (kind === 'boolean')
    return `<div><label><input type="checkbox" id="${id}" data-name="${esc(name)}" data-kind="boolean" /> ${text}</label></div>`;
  if (kind === 'list')
    return `<div><label for="${id}">${text}（每行一项）</label><textarea id="${id}" data-name="${esc(name)}" data-kind="list"${req}>${esc(opts.value)}</textarea></div>`;
  if (kind === 'text')
    return `<div class="wide"><label for="${id}">${text}</label><textarea id="${id}" data-name="${esc(name)}" data-kind="string"${req}>${esc(opts.value)}</textarea></div>`;
  const type = kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text';
  return `<div><label for="${id}">${text}</label><input type="${type}" id="${id}" data-name="${esc(name)}" data-kind="${kind === 'number' ? 'number' : 'string'}"${req}${
    opts.min !== undefined ? ` min="${opts.min}"` : ''
  } value="${esc(opts.value)}" /></div>`;
}

/** A form in a collapsible box: summary, fields, error box, submit button. */
export function actionForm(attrs: string, title: string, fieldsHtml: string, button: string, open = false): string {
  return `<details class="step"${open ? ' open' : ''}><summary>${esc(title)}</summary><form ${attrs} novalidate><div class="fields">${fieldsHtml}</div>
    <p class="error" role="alert" tabindex="-1" hidden></p><button type="submit">${esc(button)}</button></form></details>`;
}

/** Waits (up to ~10 s) until a record written by a workflow's activity can be read, e.g. a case it just started. */
export async function untilFound(path: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const found = await api('GET', path).then(
      () => true,
      () => false,
    );
    if (found) return;
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/** A random key for Idempotency-Key (crypto.randomUUID exists only on HTTPS or localhost). */
export function randomKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export const agencyOptions = (codes: string[]): [string, string][] => codes.map((c) => [c, AGENCY_ZH[c] ?? c]);
