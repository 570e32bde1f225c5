import {
  AGENCY_ZH,
  LEVEL_ZH,
  actionForm,
  api,
  badge,
  chinaDay,
  chinaTime,
  empty,
  esc,
  field,
  forms,
  onSubmit,
  page,
  session,
  toast,
  type Json,
} from '../lib';
import { CLOSE_RESULT_ZH, SUPERVISION_KIND_ZH, SUPERVISION_STATUS_ZH } from '../../domain/supervision';

/**
 * 检察监督事项 (2017 Measures Arts 14–15; seed 五(二)): items opened by the procuratorate's sweep or a case clock's
 * supervision rung; the SPP issues an opinion and closes, the addressed agency answers. The workflow decides who may
 * act; the forms shown here are only those of my agency.
 */
const KIND_OPTIONS: [string, string][] = Object.entries(SUPERVISION_KIND_ZH);
const STATUS_OPTIONS: [string, string][] = Object.entries(SUPERVISION_STATUS_ZH);
const RESULT_OPTIONS: [string, string][] = Object.entries(CLOSE_RESULT_ZH);
const levelClass = (l: string) =>
  l === 'warning' ? 'level-warning' : l === 'overdue' || l === 'escalated' ? 'level-overdue' : '';

export async function supervisionItemsPage(params: URLSearchParams) {
  const q = new URLSearchParams();
  for (const k of ['status', 'kind', 'agency', 'overdue']) if (params.get(k)) q.set(k, params.get(k)!);
  q.set('limit', '200');
  const list = await api('GET', `/supervision-items?${q}`);
  const rows = (list.items as Json[])
    .map(
      (i) =>
        `<tr class="${levelClass(i.clock?.escalationLevel ?? '')}"><td><a href="#/supervision/${esc(i.id)}">${esc(i.kindZh)}</a></td><td>${i.caseId ? `<a href="#/cases/${esc(i.caseId)}">${esc(i.caseNumber ?? '')}</a>` : esc(i.penaltyRecordId ?? '')}</td>
        <td>${esc(AGENCY_ZH[i.concernedAgency] ?? i.concernedAgency)}</td><td>${esc(i.sourceZh)}</td><td>${badge(i.statusZh)}${i.overdue ? ' ' + badge('超期', 'overdue') : ''}</td>
        <td>${i.clock ? `${esc(AGENCY_ZH[i.clock.agency] ?? i.clock.agency)} ${chinaDay(i.clock.dueDate)}` : '—'}</td><td>${chinaTime(i.createdAt)}</td></tr>`,
    )
    .join('');
  const sel = (name: string, label: string, options: [string, string][]) =>
    field(name, label, { options, value: params.get(name) ?? '' });
  page(
    '检察监督事项',
    `<p class="muted">人民检察院定期排查（有案不移、有案不立、立而不侦、以罚代刑，规则 spp.transfer-supervision-sweep）和案件期限超期形成的监督事项。检察院审查后发出监督意见，被监督机关在法定期限内答复，检察院办结。</p>
    <form id="supervision-filter" class="filters"><div class="fields">${sel('status', '状态', STATUS_OPTIONS)}${sel('kind', '类型', KIND_OPTIONS)}${sel(
      'agency',
      '被监督机关',
      [
        ['eeb', '生态环境局'],
        ['psb', '公安局'],
      ],
    )}${sel('overdue', '超期', [['true', '只看超期']])}</div><button type="submit">筛选</button></form>
    <p>共 ${list.total} 件</p>
    <table id="supervision-items"><thead><tr><th>类型</th><th>案件 / 处罚记录</th><th>被监督机关</th><th>来源</th><th>状态</th><th>当前期限</th><th>立项时间</th></tr></thead><tbody>${rows || empty(7, '暂无监督事项')}</tbody></table>`,
  );
  document.getElementById('supervision-filter')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const el of Array.from((e.target as HTMLFormElement).querySelectorAll<HTMLSelectElement>('select[data-name]')))
      if (el.value) next.set(el.dataset.name!, el.value);
    location.hash = `#/supervision${next.size ? `?${next}` : ''}`;
  });
}

export async function supervisionItemPage(id: string, rerender: () => Promise<void>) {
  const me = session.me!;
  const i = await api('GET', `/supervision-items/${encodeURIComponent(id)}`);
  const actions: string[] = [];
  const addressee = i.opinionKind
    ? (i.opinionsAllowed as Json[]).find((o) => o.opinionKind === i.opinionKind)?.addressee
    : undefined;
  if (me.agency === 'spp' && i.status === 'opened')
    actions.push(
      actionForm(
        'class="supervision-action" data-action="opinion"',
        '发出监督意见',
        `${field('opinionKind', '意见类型', { options: (i.opinionsAllowed as Json[]).map((o) => [o.opinionKind, `${o.labelZh}（${AGENCY_ZH[o.addressee]}答复，${o.answerRuleId}）`] as [string, string]), required: true })}${field('text', '意见内容', { kind: 'text', required: true })}`,
        '发出意见',
        true,
      ),
    );
  if (i.status === 'opinionIssued' && me.agency === addressee)
    actions.push(
      actionForm(
        'class="supervision-action" data-action="answer"',
        `答复检察意见（期限 ${chinaDay(i.clock?.dueDate)}）`,
        field('text', '答复内容', { kind: 'text', required: true }),
        '提交答复',
        true,
      ),
    );
  if (me.agency === 'spp' && i.status !== 'closed')
    actions.push(
      actionForm(
        'class="supervision-action" data-action="close"',
        '办结监督事项',
        `${field('result', '办结结果', { options: RESULT_OPTIONS, required: true })}${field('note', '说明', { kind: 'text' })}`,
        '办结',
        i.status === 'answered',
      ),
    );
  const events = (i.events as Json[]).map((e) => `<li>${chinaTime(e.occurredAt)} ${esc(e.labelZh)}</li>`).join('');
  page(
    `监督事项：${i.kindZh}`,
    `<p><a href="#/supervision">返回监督事项</a> · ${esc(i.sourceZh)} · 被监督机关：${esc(AGENCY_ZH[i.concernedAgency] ?? i.concernedAgency)}${i.caseId ? ` · 案件 <a href="#/cases/${esc(i.caseId)}">${esc(i.caseNumber ?? '')}</a>` : ''}</p>
    <p>状态：<strong id="supervision-status">${esc(i.statusZh)}</strong>${i.overdue ? ' ' + badge('超期', 'overdue') : ''}${i.resultZh ? ` · 结果：${esc(i.resultZh)}${i.resultNote ? `（${esc(i.resultNote)}）` : ''}` : ''}</p>
    <div class="card"><p><strong>理由：</strong>${esc(i.reasonZh)}</p><p class="muted">依据：${esc(i.basis)}（${esc(i.criterionId)}）</p>
    ${i.opinionZh ? `<p><strong>${esc(i.opinionZh)}：</strong>${esc(i.opinionText ?? '')}</p>` : ''}${i.answerText ? `<p><strong>答复：</strong>${esc(i.answerText)}</p>` : ''}</div>
    ${i.clock ? `<p class="${levelClass(i.clock.escalationLevel)}">当前期限：${esc(i.clock.ruleId)} · ${esc(AGENCY_ZH[i.clock.agency] ?? i.clock.agency)} · ${chinaDay(i.clock.dueDate)} · ${esc(LEVEL_ZH[i.clock.escalationLevel] ?? i.clock.escalationLevel)}</p>` : ''}
    ${actions.join('')}
    <h2>办理记录</h2><ul id="supervision-events">${events}</ul>`,
  );
  for (const f of forms('form.supervision-action')) {
    const action = f.dataset.action!;
    onSubmit(f, async (data, key) => {
      await api('POST', `/supervision-items/${encodeURIComponent(id)}/${action}`, data, { 'idempotency-key': key });
      await rerender();
      toast({ opinion: '监督意见已发出', answer: '已答复', close: '已办结' }[action] ?? '已办理');
    });
  }
}
