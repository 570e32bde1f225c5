import { api, chinaTime, empty, esc, forms, main, onSubmit, page, toast, type Json } from '../lib';

const DELIVERY_ZH: Record<string, string> = {
  held: '待汇总',
  digested: '已汇总发送',
  sent: '已发送',
  pending: '待发送',
};

export async function inboxPage(reload: () => Promise<void>) {
  const [list, prefs] = await Promise.all([api('GET', '/me/notifications'), api('GET', '/me/preferences')]);
  const rows = (list.items as Json[])
    .map(
      (
        n,
      ) => `<tr class="${n.readAt ? '' : 'level-warning'}"><td>${chinaTime(n.createdAt)}</td><td>${n.caseId ? `<a href="#/cases/${n.caseId}">${esc(n.subject)}</a>` : esc(n.subject)}<details><summary>正文</summary><pre>${esc(n.bodyText)}</pre></details></td>
      <td>${esc(DELIVERY_ZH[n.status] ?? n.status)}</td><td>${n.readAt ? '已读' : `<button data-read="${esc(n.id)}">标为已读</button>`}</td></tr>`,
    )
    .join('');
  const option = (v: string, label: string) =>
    `<option value="${v}" ${prefs.warningDelivery === v ? 'selected' : ''}>${esc(label)}</option>`;
  const when = prefs.digestTime
    ? `每日北京时间 ${esc(prefs.digestTime)} 发送摘要邮件`
    : '本平台未启用摘要邮件，汇总的预警只在站内显示';
  page(
    '通知',
    `<form class="card inline" id="preferences-form" novalidate><label for="pref-warning">预警邮件</label>
      <select id="pref-warning" data-name="warningDelivery" data-kind="string">${option('immediate', '逐条即时发送')}${option('digest', '每日汇总为一封摘要')}</select>
      <button type="submit" class="secondary">保存</button><p class="error" role="alert" tabindex="-1" hidden></p>
      <p class="muted">当前：${esc(prefs.warningDeliveryZh)}。选择每日汇总时，预警不再逐条发邮件，${when}；站内通知仍逐条显示。超期、检察监督、督办等通知始终即时发送。</p></form>
    <p>未读 ${list.unread} 条</p><table><thead><tr><th>时间（北京时间）</th><th>内容</th><th>邮件</th><th></th></tr></thead><tbody>${rows || empty(4, '没有通知')}</tbody></table>`,
  );
  for (const form of forms('#preferences-form')) {
    onSubmit(form, async (data) => {
      const saved = await api('PUT', '/me/preferences', data);
      await reload();
      toast(`预警邮件：${saved.warningDeliveryZh}`);
    });
  }
  for (const b of Array.from(main().querySelectorAll<HTMLButtonElement>('button[data-read]'))) {
    b.addEventListener(
      'click',
      () => void api('POST', `/me/notifications/${encodeURIComponent(b.dataset.read!)}/read`).then(reload),
    );
  }
}
