import {
  AGENCY_ZH,
  ROLE_ZH,
  actionForm,
  agencyOptions,
  api,
  badge,
  chinaDay,
  chinaTime,
  empty,
  esc,
  field,
  forms,
  inBackground,
  main,
  onSubmit,
  page,
  session,
  toast,
  type Json,
} from '../lib';

/** Administration: users and tokens, agencies and the working group, holiday calendars, the duties' schedules. */

const ROLES_BY_AGENCY: Record<string, string[]> = {
  eeb: ['officer', 'head', 'liaison'],
  psb: ['officer', 'head', 'liaison'],
  spp: ['officer', 'head', 'liaison'],
  workingGroup: ['leader', 'deputy', 'member', 'liaison'],
  admin: ['admin'],
};

/** A token is shown once, in a box the user copies from; it is never shown again. */
function showSecret(title: string, token: string) {
  const box = document.getElementById('secret')!;
  box.hidden = false;
  box.innerHTML = `<h2>${esc(title)}</h2><p>令牌只显示这一次，请立即复制并妥善保存：</p><p><code id="secret-token" tabindex="0">${esc(token)}</code></p>
    <button type="button" id="secret-close" class="secondary">我已保存，关闭</button>`;
  (document.getElementById('secret-token') as HTMLElement).focus();
  document.getElementById('secret-close')!.addEventListener('click', () => {
    box.hidden = true;
    box.innerHTML = '';
  });
}

export async function usersPage(reload: () => Promise<void>) {
  const list = await api('GET', '/users');
  const rows = (list.items as Json[])
    .map(
      (
        u,
      ) => `<tr><td>${esc(u.username)}</td><td>${esc(u.displayName)}</td><td>${esc(AGENCY_ZH[u.agency] ?? u.agency)}</td><td>${esc(ROLE_ZH[u.role] ?? u.role)}</td><td>${esc(u.email ?? '')}</td>
      <td>${u.active === false ? badge('已停用') : badge('启用')}${u.confirmedAt ? '' : ' <span class="muted">（待本机关负责人确认）</span>'}${u.hasPassword ? '' : ' <span class="muted">（未设登录密码）</span>'}</td><td><button type="button" class="secondary" data-tokens="${esc(u.id)}" data-user="${esc(u.displayName)}">令牌与密码</button>
      ${u.active === false || u.id === 'admin' ? '' : ` <button type="button" class="secondary" data-deactivate="${esc(u.id)}">停用</button>`}</td></tr>`,
    )
    .join('');
  const roleOptions = Object.entries(ROLE_ZH) as [string, string][];
  page(
    '用户与令牌',
    `<div id="secret" class="card secret" role="alert" hidden></div>
    ${actionForm(
      'id="new-user"',
      '新建用户（同时签发第一个令牌）',
      field('username', '用户名（字母、数字、_.-）', { required: true }) +
        field('displayName', '姓名', { required: true }) +
        field('agency', '所属机关', { options: agencyOptions(Object.keys(ROLES_BY_AGENCY)), required: true }) +
        field('role', '角色', { options: roleOptions, required: true }) +
        field('email', '电子邮箱'),
      '创建用户',
      true,
    )}
    <table id="users"><thead><tr><th>用户名</th><th>姓名</th><th>机关</th><th>角色</th><th>邮箱</th><th>状态</th><th></th></tr></thead><tbody>${rows || empty(7, '暂无用户')}</tbody></table>
    <section id="tokens"></section>`,
  );
  onSubmit(document.getElementById('new-user') as HTMLFormElement, async (data) => {
    const r = await api('POST', '/users', data);
    await reload();
    showSecret(`已创建用户 ${r.user.displayName}（${r.user.username}）`, r.token);
  });
  for (const b of Array.from(main().querySelectorAll<HTMLButtonElement>('button[data-tokens]'))) {
    b.addEventListener('click', () => inBackground(tokensOf(b.dataset.tokens!, b.dataset.user!)));
  }
  // Deactivation revokes every token and session of the user and stops their mail.
  for (const b of Array.from(main().querySelectorAll<HTMLButtonElement>('button[data-deactivate]'))) {
    b.addEventListener('click', () =>
      inBackground(api('DELETE', `/users/${encodeURIComponent(b.dataset.deactivate!)}`).then(reload)),
    );
  }
}

async function tokensOf(userId: string, name: string) {
  const list = await api('GET', `/users/${encodeURIComponent(userId)}/tokens`);
  const rows = (list.items as Json[])
    .map(
      (
        t,
      ) => `<tr class="${t.revokedAt ? 'muted' : ''}"><td>${esc(t.name)}</td><td>${chinaTime(t.createdAt)}</td><td>${chinaTime(t.expiresAt)}</td><td>${chinaTime(t.lastUsedAt)}</td>
      <td>${t.revokedAt ? `已吊销（${chinaTime(t.revokedAt)}）` : `<button type="button" class="secondary" data-revoke="${esc(t.id)}">吊销</button>`}</td></tr>`,
    )
    .join('');
  const box = document.getElementById('tokens')!;
  box.innerHTML = `<h2>${esc(name)} 的令牌</h2>
    <table id="token-list"><thead><tr><th>用途</th><th>签发时间</th><th>到期时间</th><th>最近使用</th><th></th></tr></thead><tbody>${rows || empty(5, '没有令牌')}</tbody></table>
    ${actionForm('id="new-token"', '签发新令牌', field('name', '令牌用途', { required: true }) + field('expiresInDays', '有效天数', { kind: 'number', value: '365', min: 1 }), '签发令牌', true)}
    ${actionForm('id="set-password"', '设置控制台登录密码', `<div><label for="new-password">新密码（至少 10 个字符）（必填）</label><input id="new-password" type="password" autocomplete="new-password" required /></div>`, '设置密码')}`;
  onSubmit(document.getElementById('new-token') as HTMLFormElement, async (data) => {
    const r = await api('POST', `/users/${encodeURIComponent(userId)}/tokens`, data);
    await tokensOf(userId, name);
    showSecret(`已为 ${name} 签发令牌“${r.name}”`, r.token);
  });
  onSubmit(document.getElementById('set-password') as HTMLFormElement, async () => {
    await api('PUT', `/users/${encodeURIComponent(userId)}/password`, {
      password: (document.getElementById('new-password') as HTMLInputElement).value,
    });
    toast(`已设置 ${name} 的登录密码`);
    (document.getElementById('new-password') as HTMLInputElement).value = '';
  });
  for (const b of Array.from(box.querySelectorAll<HTMLButtonElement>('button[data-revoke]'))) {
    b.addEventListener('click', () => {
      if (!confirm('吊销后该令牌立即失效，确定吊销？')) return;
      void api('DELETE', `/users/${encodeURIComponent(userId)}/tokens/${encodeURIComponent(b.dataset.revoke!)}`)
        .then(() => {
          toast('令牌已吊销');
          return tokensOf(userId, name);
        })
        .catch((err: Error) => toast(err.message));
    });
  }
  box.scrollIntoView();
}

export async function agenciesPage() {
  const d = await api('GET', '/agencies');
  const ag = (d.agencies as Json[])
    .map((a) => `<tr><td>${esc(a.nameZh)}</td><td>${esc(a.shortNameZh)}</td><td>${esc(a.email ?? '—')}</td></tr>`)
    .join('');
  const POS: Record<string, string> = { leader: '组长', deputy: '副组长', member: '成员' };
  const wg = (d.workingGroup as Json[])
    .map(
      (p) =>
        `<tr><td>${esc(POS[p.position] ?? p.position)}</td><td>${esc(p.personName ?? '（空缺）')}</td><td>${esc(p.titleZh)}</td><td>${esc(AGENCY_ZH[p.agency] ?? p.agency)}</td></tr>`,
    )
    .join('');
  page(
    '成员单位与工作组',
    `<h2>成员单位</h2><table id="agencies"><thead><tr><th>名称</th><th>简称</th><th>公共邮箱</th></tr></thead><tbody>${ag || empty(3, '暂无')}</tbody></table>
    <h2>联动执法工作组</h2><table id="roster"><thead><tr><th>职务</th><th>姓名</th><th>职务全称</th><th>单位</th></tr></thead><tbody>${wg || empty(4, '暂无')}</tbody></table>
    <p class="muted">名单是配置数据（config/roster.json 或 ROSTER_FILE），人员变动时由管理员修改配置文件，重启后生效。</p>`,
  );
}

const splitDates = (v: unknown) =>
  (Array.isArray(v) ? v.join('\n') : String(v ?? ''))
    .split(/[\s,，、]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export async function calendarsPage(reload: () => Promise<void>) {
  const list = await api('GET', '/calendars');
  const years = (list.items as Json[]).slice().sort((a, b) => b.year - a.year);
  const rows = years
    .slice(0, 8)
    .map(
      (y) =>
        `<tr><td>${y.year}</td><td>${y.origin === 'loaded' ? '管理员载入' : '内置'}</td><td>${esc(y.notice)}</td><td>${chinaDay(y.noticeDate)}</td><td>${y.holidays}</td><td>${y.workdays}</td></tr>`,
    )
    .join('');
  const nextYear = (years[0]?.year ?? new Date().getFullYear()) + 1;
  const isAdmin = session.me?.role === 'admin';
  page(
    '节假日安排',
    `<table id="calendars"><thead><tr><th>年度</th><th>来源</th><th>通知</th><th>通知日期</th><th>放假天数</th><th>调休上班天数</th></tr></thead><tbody>${rows || empty(6, '暂无')}</tbody></table>
    <p class="muted">共 ${years.length} 个年度；未载入的年度按仅周末休息计算，期限标注为“暂定”。</p>
    ${
      isAdmin
        ? `<h2>载入国务院办公厅节假日安排通知</h2>
    <form class="card" id="calendar-form" novalidate>
      <div><label for="cal-file">从 JSON 文件读取（格式见 docs/calendar-format.md）</label><input type="file" id="cal-file" accept="application/json,.json" /></div>
      <div class="fields">
        ${field('year', '年度', { kind: 'number', required: true, value: String(nextYear) })}
        ${field('source.notice', '通知文号', { required: true })}
        ${field('source.date', '通知日期', { kind: 'date', required: true })}
        ${field('source.url', '通知网址')}
        ${field('holidays', '放假日期（YYYY-MM-DD，含假期中的周末）', { kind: 'list', required: true })}
        ${field('workdays', '调休上班日期（周六或周日）', { kind: 'list' })}
      </div>
      <p class="error" role="alert" hidden></p>
      <button type="submit">预览受影响的期限</button>
    </form>
    <section id="calendar-preview"></section>`
        : ''
    }`,
  );
  const form = document.getElementById('calendar-form') as HTMLFormElement | null;
  if (!form) return;
  const bodyOf = (data: Json): Json => {
    const body: Json = {
      year: data.year,
      holidays: splitDates(data.holidays),
      workdays: splitDates(data.workdays),
      source: data.source ?? {},
    };
    return body;
  };
  const file = document.getElementById('cal-file') as HTMLInputElement;
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    void f.text().then((text) => {
      try {
        const y = JSON.parse(text) as Json;
        const set = (name: string, v: unknown) => {
          const el = form.querySelector<HTMLInputElement>(`[data-name="${name}"]`);
          if (el) el.value = Array.isArray(v) ? v.join('\n') : String(v ?? '');
        };
        set('year', y.year);
        set('source.notice', y.source?.notice);
        set('source.date', y.source?.date);
        set('source.url', y.source?.url);
        set('holidays', y.holidays);
        set('workdays', y.workdays);
      } catch {
        toast('文件不是有效的 JSON');
      }
    });
  });
  onSubmit(form, async (data) => {
    const body = bodyOf(data);
    const r = await api('POST', '/calendars/preview', body);
    const affected = r.affected as Json[];
    const rows = affected
      // The administrator reads no case: a clock is shown by its rule and dates, not by its case.
      .map(
        (a) =>
          `<tr><td>${a.caseId ? `<a href="#/cases/${esc(a.caseId)}">${esc(a.caseNumber)}</a>` : '<span class="muted">（不显示案件）</span>'}</td><td>${esc(a.labelZh)}<br/><span class="muted">${esc(a.ruleId)}</span></td><td>${chinaTime(a.before?.dueAt)}${a.before?.provisional ? '（暂定）' : ''}</td><td>${chinaTime(a.after.dueAt)}${a.after.provisional ? '（暂定）' : ''}</td><td>${esc(a.noteZh ?? '')}</td></tr>`,
      )
      .join('');
    const box = document.getElementById('calendar-preview')!;
    box.innerHTML = `<h2>载入 ${r.year} 年后会改变的未结期限：${affected.length} 项</h2>
      <table id="affected"><thead><tr><th>案件</th><th>期限</th><th>原期满</th><th>新期满</th><th>说明</th></tr></thead><tbody>${rows || empty(5, '没有未结期限会改变')}</tbody></table>
      <p class="error" role="alert" hidden></p><button type="button" id="calendar-load">确认载入 ${r.year} 年节假日安排</button>`;
    const load = document.getElementById('calendar-load') as HTMLButtonElement;
    load.focus();
    load.addEventListener('click', () => {
      load.disabled = true;
      api('POST', '/calendars', body)
        .then(async (done) => {
          await reload();
          toast(`已载入 ${done.year} 年节假日安排；${done.affected.length} 项期限重新计算`);
          const note = document.createElement('p');
          note.id = 'calendar-loaded';
          note.className = 'ok';
          note.textContent = `已载入 ${done.year} 年（${done.notice}）：${done.affected.length} 项期限重新计算；${done.messageZh}`;
          main().prepend(note);
        })
        .catch((err: Error) => {
          const e = box.querySelector<HTMLElement>('.error')!;
          e.hidden = false;
          e.textContent = err.message;
          load.disabled = false;
        });
    });
  });
}

export async function schedulesPage(reload: () => Promise<void>) {
  const list = await api('GET', '/schedules');
  const isAdmin = session.me?.role === 'admin';
  const rows = (list.items as Json[])
    .map((s) => {
      const runs = (s.recentRuns as Json[])
        .slice(-3)
        .map((r) => `<a href="#/duties/${esc(r.workflowId)}">${chinaTime(r.startedAt)}</a>`)
        .join('<br/>');
      const cadence =
        s.cadenceConfigurable && isAdmin
          ? `<form class="inline" data-cadence="${esc(s.id)}"><label for="cad-${esc(s.id)}" class="sr-only">${esc(s.dutyZh)}周期</label><select id="cad-${esc(s.id)}" data-name="cadence">${[
              ['monthly', '每月'],
              ['quarterly', '每季度'],
              ['annual', '每年'],
            ]
              .map(([k, v]) => `<option value="${k}" ${s.cadence === k ? 'selected' : ''}>${v}</option>`)
              .join(
                '',
              )}</select><button type="submit" class="secondary">修改周期</button><p class="error" role="alert" hidden></p></form>`
          : `${esc(s.cadenceZh)}${s.cadenceConfigurable ? '' : '<br/><span class="muted">制度规定，不可修改</span>'}`;
      const actions = isAdmin
        ? `<button type="button" class="secondary" data-verb="${s.paused ? 'unpause' : 'pause'}" data-id="${esc(s.id)}">${s.paused ? '恢复' : '暂停'}</button>
           <button type="button" class="secondary" data-verb="trigger" data-id="${esc(s.id)}">立即运行</button>`
        : '';
      return `<tr id="schedule-${esc(s.id)}"><td>${esc(s.labelZh)}<br/><span class="muted">${esc(s.basis)}</span></td><td>${cadence}</td><td>${s.paused ? badge('已暂停', 'level-warning') : badge('运行中')}${s.note ? `<br/><span class="muted">${esc(s.note)}</span>` : ''}</td>
        <td>${s.paused ? '—' : chinaTime(s.nextRunAt)}</td><td>${runs || '—'}</td><td>${actions}</td></tr>`;
    })
    .join('');
  page(
    '定期任务',
    `<table id="schedules"><thead><tr><th>任务</th><th>周期</th><th>状态</th><th>下次运行（北京时间）</th><th>最近运行</th><th></th></tr></thead><tbody>${rows || empty(6, '没有定期任务')}</tbody></table>
    <p class="muted">每期第一天 00:05（北京时间）自动创建该期事项；同一期重复运行不会重复创建。</p>`,
  );
  for (const b of Array.from(main().querySelectorAll<HTMLButtonElement>('button[data-verb]'))) {
    b.addEventListener('click', () => {
      b.disabled = true;
      const zh = { pause: '已暂停', unpause: '已恢复', trigger: '已立即运行' }[b.dataset.verb!]!;
      void api('POST', `/schedules/${encodeURIComponent(b.dataset.id!)}/${b.dataset.verb!}`)
        .then(async () => {
          await reload();
          toast(zh);
        })
        .catch((err: Error) => {
          toast(err.message);
          b.disabled = false;
        });
    });
  }
  for (const form of forms('form[data-cadence]')) {
    onSubmit(form, async (data) => {
      await api('PUT', `/schedules/${encodeURIComponent(form.dataset.cadence!)}/cadence`, data);
      await reload();
      toast('周期已修改');
    });
  }
}
