import {
  AGENCY_ZH,
  LEVEL_ZH,
  PERIOD_STATUS_ZH,
  api,
  badge,
  chinaDay,
  chinaTime,
  empty,
  esc,
  page,
  session,
  type Json,
} from '../lib';
import { levelOf } from './cases';

function periodCard(title: string, p: Json | null, detail: (p: Json) => string, id: string): string {
  if (!p) return `<div class="card" id="${id}"><h2>${title}</h2><p class="muted">本期事项尚未开始</p></div>`;
  const cls = p.status === 'open' ? '' : p.status === 'done' ? 'ok' : 'level-overdue';
  return `<div class="card" id="${id}"><h2>${title}</h2><p><a href="#/duties/${esc(p.id)}">${esc(p.labelZh)}</a> ${badge(PERIOD_STATUS_ZH[p.status] ?? p.status, cls)}</p><p>${detail(p.summary ?? {})}</p>
    <p class="muted">期限：${chinaDay(p.endDate)}</p></div>`;
}

export async function dashboardPage() {
  const d = await api('GET', '/dashboard');
  // Joint releases waiting for my agency's review (seed 五(三); rule release.approval), with the nearest due date.
  const reviews = ['eeb', 'psb', 'spp'].includes(session.me?.agency)
    ? ((await api('GET', '/releases?pendingFor=mine')).items as Json[])
    : [];
  const reviewDue = reviews
    .map((r) => (r.approvals as Json[]).find((a) => a.agency === session.me?.agency)?.dueDate as string)
    .filter(Boolean)
    .sort()[0];
  const pending = (d.pendingClocks as Json[])
    .map((c) => {
      const level = levelOf(c);
      return `<tr class="level-${level}"><td><a href="#/cases/${c.caseId}">${esc(c.caseNumber)}</a><br/><span class="muted">${esc(c.title)}</span></td>
        <td>${esc(c.labelZh)}<br/><span class="muted">${esc(c.ruleId)}</span></td><td>${chinaTime(c.dueAt)}${c.provisional ? '（暂定）' : ''}</td>
        <td>${badge(LEVEL_ZH[level] ?? level, `level-${level}`)}</td></tr>`;
    })
    .join('');
  const overdue = (d.overdue as Json[])
    .map(
      (c) =>
        `<li><a href="#/cases/${c.id}">${esc(c.caseNumber)}</a> ${esc(c.title)} · ${esc(c.stageLabelZh)} · ${esc(AGENCY_ZH[c.responsibleAgency] ?? '')}</li>`,
    )
    .join('');
  const stages = (d.byStage as Json[]).map((s) => `<tr><td>${esc(s.stageLabelZh)}</td><td>${s.n}</td></tr>`).join('');
  const agencies = (d.byAgency as Json[])
    .map((s) => `<tr><td>${esc(AGENCY_ZH[s.agency] ?? '（已结）')}</td><td>${s.n}</td></tr>`)
    .join('');
  const stuck = d.stuck as Json[] | undefined;
  const stuckRows = (stuck ?? [])
    .map(
      (
        x,
      ) => `<tr class="level-overdue"><td>${x.caseId ? `<a href="#/cases/${esc(x.caseId)}">${esc(x.caseNumber ?? x.caseId)}</a><br/><span class="muted">${esc(x.title ?? '')}</span>` : esc(x.workflowId)}</td>
      <td>${esc(x.reasonZh)}</td><td>${chinaTime(x.since)}</td></tr>`,
    )
    .join('');
  const m = (d.mechanism ?? {}) as Json;
  const meeting = m.nextMeeting as Json | null;
  page(
    '工作台',
    `<div class="grid">
      <div class="card"><h2>未读通知</h2><p><a href="#/inbox" id="unread">${d.unreadNotifications} 条</a></p>
        <p>本机关未办结的议定事项：<a href="#/duties?dutyId=joint-meeting.periodic">${m.openResolutions ?? 0} 项</a></p>
        ${reviews.length || ['eeb', 'psb', 'spp'].includes(session.me?.agency) ? `<p id="releases-pending">待本机关审核的联合发布：<a href="#/releases">${reviews.length} 项</a>${reviewDue ? `（最早 ${chinaDay(reviewDue)} 期满）` : ''}</p>` : ''}</div>
      ${periodCard('本月联合执法', m.jointEnforcement, (s) => `已计划 ${s.planned ?? 0} 次 · 已完成 ${s.completed ?? 0} 次 · 已取消 ${s.cancelled ?? 0} 次`, 'je-status')}
      ${periodCard('本年度教育培训', m.training, (s) => `已举办 ${s.held ?? 0} 次 · 已计划 ${s.planned ?? 0} 次`, 'training-status')}
      <div class="card" id="meeting-status"><h2>下一次联席会议</h2>${
        meeting
          ? `<p><a href="#/duties/${esc(meeting.periodId)}">${esc(meeting.titleZh)}</a></p><p>${meeting.date ? `定于 ${chinaDay(meeting.date)}` : '<span class="muted">尚未确定日期</span>'}</p>`
          : '<p class="muted">暂无待开的联席会议</p>'
      }</div>
    </div>
    ${stuck ? `<h2>卡住的流程</h2><table id="stuck"><thead><tr><th>流程</th><th>原因</th><th>自（北京时间）</th></tr></thead><tbody>${stuckRows || empty(3, '没有卡住的流程')}</tbody></table>` : ''}
    <h2>本机关待办期限</h2>
    <table id="pending"><thead><tr><th>案件</th><th>事项</th><th>期满（北京时间）</th><th>状态</th></tr></thead><tbody>${pending || empty(4, '没有待办期限')}</tbody></table>
    <div class="grid">
      <div><h2>超期案件</h2><ul id="overdue">${overdue || '<li class="muted">没有超期案件</li>'}</ul></div>
      <div><h2>各阶段案件</h2><table><tbody>${stages || empty(2, '暂无')}</tbody></table></div>
      <div><h2>各机关待办</h2><table><tbody>${agencies || empty(2, '暂无')}</tbody></table></div>
    </div>`,
  );
}
