import { api, chinaTime, empty, esc, main, page, type Json } from '../lib';

export async function inboxPage(reload: () => Promise<void>) {
  const list = await api('GET', '/me/notifications');
  const rows = (list.items as Json[])
    .map(
      (n) => `<tr class="${n.readAt ? '' : 'level-warning'}"><td>${chinaTime(n.createdAt)}</td><td>${n.caseId ? `<a href="#/cases/${n.caseId}">${esc(n.subject)}</a>` : esc(n.subject)}<details><summary>正文</summary><pre>${esc(n.bodyText)}</pre></details></td>
      <td>${n.readAt ? '已读' : `<button data-read="${esc(n.id)}">标为已读</button>`}</td></tr>`,
    )
    .join('');
  page('通知', `<p>未读 ${list.unread} 条</p><table><thead><tr><th>时间（北京时间）</th><th>内容</th><th></th></tr></thead><tbody>${rows || empty(3, '没有通知')}</tbody></table>`);
  for (const b of Array.from(main().querySelectorAll<HTMLButtonElement>('button[data-read]'))) {
    b.addEventListener('click', () => void api('POST', `/me/notifications/${encodeURIComponent(b.dataset.read!)}/read`).then(reload));
  }
}
