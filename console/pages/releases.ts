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

/** 联合发布 (seed 五(三)): drafts, my agency's pending reviews with due dates, the decision with comments, publication. */
const KIND_OPTIONS: [string, string][] = [
  ['majorAction', '重大行动'],
  ['majorDecision', '重大决策'],
  ['result', '重要成果'],
];
const MARK_OPTIONS: [string, string][] = [
  ['public', '公开'],
  ['internal', '内部'],
  ['confidential', '保密'],
];
const PARTIES = ['eeb', 'psb', 'spp'];
const levelClass = (l: string) =>
  l === 'warning' ? 'level-warning' : l === 'overdue' || l === 'escalated' ? 'level-overdue' : '';

function contentFields(r?: Json) {
  return `${field('title', '标题', { required: true, value: r?.title })}
    ${field('kind', '类别', { options: KIND_OPTIONS, required: true, value: r?.kind })}
    ${field('confidentiality', '密级（向社会发布须为“公开”）', { options: MARK_OPTIONS, required: true, value: r?.confidentiality ?? 'public' })}
    ${field('confidentialityReason', '密级说明（非公开时必填）', { value: r?.confidentialityReason ?? '' })}
    ${field('caseIds', '引用的案件（案件 ID）', { kind: 'list', value: (r?.caseIds ?? []).join('\n') })}
    ${field('body', '正文', { kind: 'text', required: true, value: r?.body })}`;
}
const withCases = (data: Json) => ({ ...data, caseIds: data.caseIds ?? [] });

export async function releasesPage() {
  const me = session.me!;
  const party = PARTIES.includes(me.agency);
  const [all, mine] = await Promise.all([
    api('GET', '/releases?pageSize=100'),
    party ? api('GET', '/releases?pendingFor=mine') : Promise.resolve({ items: [] }),
  ]);
  const myDue = (r: Json) => (r.approvals as Json[]).find((a) => a.agency === me.agency);
  const pendingRows = (mine.items as Json[])
    .map((r) => {
      const a = myDue(r)!;
      return `<tr class="${levelClass(a.escalationLevel)}"><td><a href="#/releases/${esc(r.id)}">${esc(r.title)}</a></td><td>${esc(r.kindZh)}</td><td>${esc(r.drafterAgencyZh)}</td><td>第 ${r.round} 轮</td><td>${chinaDay(a.dueDate)}</td><td>${badge(LEVEL_ZH[a.escalationLevel] ?? a.escalationLevel)}</td></tr>`;
    })
    .join('');
  const rows = (all.items as Json[])
    .map((r) => {
      const a = myDue(r);
      return `<tr><td><a href="#/releases/${esc(r.id)}">${esc(r.title)}</a></td><td>${esc(r.kindZh)}</td><td>${esc(r.drafterAgencyZh)}</td><td>${badge(r.statusZh)}</td><td>${r.round || '—'}</td>
        <td>${(r.approvals as Json[]).map((x) => `${esc(AGENCY_ZH[x.agency])}：${esc(x.statusZh)}`).join('；') || '—'}</td><td>${a && a.status === 'pending' ? chinaDay(a.dueDate) : '—'}</td><td>${chinaTime(r.updatedAt)}</td></tr>`;
    })
    .join('');
  page(
    '联合发布',
    `<p class="muted">三机关对打击环境污染犯罪的重大决策、重大行动、重要成果联合发布（实施方案五（三））。每轮审核由生态环境局、公安局、人民检察院各自在 5 个工作日内（平台政策 release.approval）同意、要求修改或不同意；三方在同一轮均同意后由起草单位发布。保密内容或引用保密案件的不得发布。公开页面：<a href="/public" target="_blank">/public</a></p>
    ${party ? `<h2>本机关待审核</h2><table id="pending-releases"><thead><tr><th>标题</th><th>类别</th><th>起草单位</th><th>轮次</th><th>审核期限</th><th>状态</th></tr></thead><tbody>${pendingRows || empty(6, '没有待本机关审核的发布稿')}</tbody></table>` : ''}
    <h2>全部发布稿</h2><table id="releases"><thead><tr><th>标题</th><th>类别</th><th>起草单位</th><th>状态</th><th>轮次</th><th>本轮审核</th><th>本机关期限</th><th>更新时间</th></tr></thead><tbody>${rows || empty(8, '暂无发布稿')}</tbody></table>
    ${party ? actionForm('id="new-release"', '起草联合发布稿', `${contentFields()}${field('submit', '起草后立即提交三方审核', { kind: 'boolean' })}`, '保存草稿') : ''}`,
  );
  const form = document.getElementById('new-release') as HTMLFormElement | null;
  if (form)
    onSubmit(form, async (data, key) => {
      const r = await api('POST', '/releases', withCases(data), { 'idempotency-key': key });
      toast(r.status === 'inReview' ? '已起草并提交审核' : '草稿已保存');
      location.hash = `#/releases/${r.id}`;
    });
}

export async function releasePage(id: string, rerender: () => Promise<void>) {
  const me = session.me!;
  const r = await api('GET', `/releases/${encodeURIComponent(id)}`);
  const drafter = me.agency === r.drafterAgency;
  const mine = (r.approvals as Json[]).find((a) => a.agency === me.agency);
  const approvals = (r.rounds as Json[])
    .map(
      (a) =>
        `<tr class="${a.status === 'pending' ? levelClass(a.escalationLevel) : ''}"><td>第 ${a.round} 轮</td><td>${esc(a.agencyZh)}</td><td>${badge(a.statusZh)}${a.late ? ' ' + badge('超过期限', 'overdue') : ''}</td><td>${chinaDay(a.dueDate)}</td><td>${esc(LEVEL_ZH[a.escalationLevel] ?? a.escalationLevel)}</td><td>${esc(a.decidedBy ?? '')}${a.decidedAt ? `（${chinaTime(a.decidedAt)}）` : ''}</td><td>${esc(a.comment ?? '')}</td></tr>`,
    )
    .join('');
  const refs = (r.cases as Json[])
    .map(
      (c) =>
        `<li><a href="#/cases/${esc(c.id)}">${esc(c.caseNumber)}</a> ${esc(c.title)}${c.confidential ? ' ' + badge('保密', 'overdue') : ''}</li>`,
    )
    .join('');
  const events = (r.events as Json[]).map((e) => `<li>${chinaTime(e.occurredAt)} ${esc(e.labelZh)}</li>`).join('');
  const actions: string[] = [];
  if (drafter && r.status === 'draft')
    actions.push(
      actionForm(
        'class="release-action" data-action="submit"',
        '提交三方审核',
        '<p class="muted">提交后生态环境局、公安局、人民检察院各自在 5 个工作日内审核。</p>',
        '提交审核',
        true,
      ),
    );
  if (r.status === 'inReview' && mine?.status === 'pending')
    actions.push(
      actionForm(
        'class="release-action" data-action="decide"',
        `本机关审核意见（期限 ${chinaDay(mine.dueDate)}）`,
        `${field('decision', '审核意见', {
          options: [
            ['approve', '同意发布'],
            ['requestChanges', '要求修改'],
            ['reject', '不同意发布（终止）'],
          ],
          required: true,
          value: 'approve',
        })}${field('comment', '意见或理由（要求修改、不同意时必填）', { kind: 'text' })}`,
        '提交审核意见',
        true,
      ),
    );
  if (drafter && ['draft', 'changesRequested', 'approved'].includes(r.status))
    actions.push(
      actionForm(
        'class="release-action" data-action="revise"',
        r.status === 'draft' ? '修改草稿' : '修改发布稿（开始新一轮审核）',
        contentFields(r),
        '保存修改',
        r.status === 'changesRequested',
      ),
    );
  if (drafter && r.status === 'approved')
    actions.push(
      actionForm(
        'class="release-action" data-action="publish"',
        '向社会发布',
        '<p class="muted">三方已在本轮均同意。发布后在公开页面展示标题、正文、类别和发布日期。</p>',
        '发布',
        true,
      ),
    );
  page(
    r.title,
    `<p><a href="#/releases">返回联合发布</a> · ${esc(r.kindZh)} · 起草：${esc(r.drafterAgencyZh)}${r.drafterName ? `（${esc(r.drafterName)}）` : ''} · 密级：${esc(r.confidentialityZh)}${r.confidentialityReason ? `（${esc(r.confidentialityReason)}）` : ''}</p>
    <p>状态：<strong id="release-status">${esc(r.statusZh)}</strong>${r.round ? ` · 第 ${r.round} 轮` : ''}${r.publishedAt ? ` · 发布于 ${chinaTime(r.publishedAt)} · <a href="/public/releases/${esc(r.id)}" target="_blank">公开页面</a>` : ''}${r.rejectedReason ? ` · ${esc(AGENCY_ZH[r.rejectedByAgency] ?? '')}不同意：${esc(r.rejectedReason)}` : ''}</p>
    <div class="card"><pre class="release-body">${esc(r.body)}</pre></div>
    ${refs ? `<h2>引用的案件</h2><ul>${refs}</ul>` : ''}
    <h2>审核</h2><table id="release-approvals"><thead><tr><th>轮次</th><th>机关</th><th>意见</th><th>期限</th><th>预警</th><th>审核人</th><th>意见或理由</th></tr></thead><tbody>${approvals || empty(7, '尚未提交审核')}</tbody></table>
    ${actions.join('')}
    <h2>办理记录</h2><ul id="release-events">${events}</ul>`,
  );
  for (const f of forms('form.release-action')) {
    const action = f.dataset.action!;
    onSubmit(f, async (data, key) => {
      const headers = { 'idempotency-key': key };
      if (action === 'submit') await api('POST', `/releases/${encodeURIComponent(id)}/submit`, undefined, headers);
      else if (action === 'decide') await api('POST', `/releases/${encodeURIComponent(id)}/decisions`, data, headers);
      else if (action === 'revise')
        await api('POST', `/releases/${encodeURIComponent(id)}/revise`, withCases(data), headers);
      else await api('POST', `/releases/${encodeURIComponent(id)}/publish`, undefined, headers);
      await rerender();
      toast(
        { submit: '已提交审核', decide: '审核意见已提交', revise: '已保存修改', publish: '已发布' }[action] ?? '已办理',
      );
    });
  }
}
