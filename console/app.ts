/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web console: a small single-page application served by the API server (no CDN, no framework). It calls the
 * same API as everyone else; every change carries the session's CSRF token. Dates are shown in China time.
 * Pages live in console/pages/*; shared helpers in console/lib.ts.
 */
import { AGENCY_ZH, ApiError, ROLE_ZH, Superseded, api, esc, navigated, page, session } from './lib';
import { agenciesPage, calendarsPage, schedulesPage, usersPage } from './pages/admin';
import { caseHistoryPage, casePage, casesPage, newCasePage } from './pages/cases';
import { dashboardPage } from './pages/dashboard';
import { importPage, importsPage } from './pages/exchange';
import { briefingsPage, dutiesPage, dutyPage } from './pages/duties';
import { inboxPage } from './pages/inbox';
import { loginPage } from './pages/login';
import { releasePage, releasesPage } from './pages/releases';
import { supervisionItemPage, supervisionItemsPage } from './pages/supervision';
import { reportsPage } from './pages/reports';

export { chinaTime } from './lib';

const isAdmin = () => session.me?.role === 'admin';
const readsSchedules = () =>
  isAdmin() || session.me?.agency === 'workingGroup' || ['head', 'liaison'].includes(session.me?.role);

function nav() {
  const me = session.me;
  const links: [string, string][] = !me
    ? []
    : isAdmin()
      ? [
          ['#/admin/users', '用户与令牌'],
          ['#/admin/agencies', '成员单位'],
          ['#/admin/calendars', '节假日安排'],
          ['#/admin/schedules', '定期任务'],
          ['#/inbox', '通知'],
        ]
      : [
          ['#/', '工作台'],
          ['#/cases', '案件'],
          ...(me.agency === 'eeb' ? ([['#/cases/new', '登记案件']] as [string, string][]) : []),
          ['#/duties', '联动机制'],
          ['#/briefings', '信息通报'],
          ['#/reports', '报表'],
          ['#/releases', '联合发布'],
          ['#/supervision', '监督事项'],
          ['#/imports', '数据导入'],
          ['#/inbox', '通知'],
          ['#/admin/agencies', '成员单位'],
          ['#/admin/calendars', '节假日安排'],
          ...(readsSchedules() ? ([['#/admin/schedules', '定期任务']] as [string, string][]) : []),
        ];
  const here = location.hash.split('?')[0] || '#/';
  // The most specific link that matches is the current one.
  const active =
    links
      .map(([h]) => h)
      .filter((h) => here === h || (h !== '#/' && here.startsWith(`${h}/`)))
      .sort((a, b) => b.length - a.length)[0] ?? (here === '#/' ? '#/' : '');
  document.getElementById('nav')!.innerHTML = links
    .map(
      ([href, text]) => `<a href="${href}" ${href === active ? 'class="active" aria-current="page"' : ''}>${text}</a>`,
    )
    .join('');
  document.getElementById('who')!.innerHTML = me
    ? `${esc(me.displayName)}（${esc(AGENCY_ZH[me.agency] ?? me.agency)} · ${esc(ROLE_ZH[me.role] ?? me.role)}）<button class="secondary" id="logout">退出</button>`
    : '';
  document.getElementById('logout')?.addEventListener('click', () => {
    void api('POST', '/auth/logout').finally(() => {
      session.me = undefined;
      sessionStorage.removeItem('csrf');
      location.hash = '#/login';
    });
  });
}

async function route(): Promise<void> {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  navigated();
  try {
    if (path === '/login') {
      nav();
      loginPage();
      return;
    }
    session.me ??= await api('GET', '/me');
    if ((path === '' || path === '/') && isAdmin()) {
      location.hash = '#/admin/users';
      return;
    }
    nav();
    const params = new URLSearchParams(query);
    let m: RegExpMatchArray | null;
    if (path === '' || path === '/') await dashboardPage();
    else if (path === '/cases') await casesPage(params);
    else if (path === '/cases/new') newCasePage();
    else if ((m = /^\/cases\/([0-9a-f-]{36})$/.exec(path))) await casePage(m[1], route);
    else if ((m = /^\/cases\/([0-9a-f-]{36})\/history$/.exec(path))) await caseHistoryPage(m[1]);
    else if (path === '/duties') await dutiesPage(params);
    else if ((m = /^\/duties\/(duty-[A-Za-z0-9-]+)$/.exec(path))) await dutyPage(m[1], route);
    else if (path === '/briefings') await briefingsPage();
    else if (path === '/reports') await reportsPage(route);
    else if (path === '/releases') await releasesPage();
    else if ((m = /^\/releases\/([0-9a-f-]{36})$/.exec(path))) await releasePage(m[1], route);
    else if (path === '/supervision') await supervisionItemsPage(params);
    else if ((m = /^\/supervision\/(sv-[A-Za-z0-9._-]+)$/.exec(path))) await supervisionItemPage(m[1], route);
    else if (path === '/imports') await importsPage();
    else if ((m = /^\/imports\/([0-9a-f-]{36})$/.exec(path))) await importPage(m[1]);
    else if (path === '/inbox') await inboxPage(route);
    else if (path === '/admin/users') await usersPage(route);
    else if (path === '/admin/agencies') await agenciesPage();
    else if (path === '/admin/calendars') await calendarsPage(route);
    else if (path === '/admin/schedules') await schedulesPage(route);
    else page('页面不存在', '<p><a href="#/">返回首页</a></p>');
  } catch (err) {
    if ((err instanceof ApiError && err.toLogin) || err instanceof Superseded) return;
    page('出错了', `<p class="error" role="alert">${esc((err as Error).message)}</p><p><a href="#/">返回首页</a></p>`);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
