import { BRIEFING_METRICS, BRIEFING_METRIC_ZH } from '../../domain/briefing-metrics';
import { reportLinks } from './reports';
import { TRAINING_FORMAT_ZH, TRAINING_ORGANISER_ZH } from '../../domain/vocabulary';
import {
  AGENCY_ZH,
  CADENCE_ZH,
  ITEM_STATUS_ZH,
  LEVEL_ZH,
  PERIOD_STATUS_ZH,
  actionForm,
  agencyOptions,
  api,
  badge,
  chinaDay,
  chinaTime,
  chinaToday,
  empty,
  esc,
  field,
  forms,
  main,
  onSubmit,
  page,
  session,
  toast,
  untilFound,
  type Json,
} from '../lib';

/** The mechanism's duties (seed 五(一)–(四)): their periods, and each period's page with the actions it takes. */
export const DUTY_ZH: Record<string, string> = {
  'joint-enforcement.monthly': '联合执法',
  'training.annual': '教育培训',
  'joint-meeting.periodic': '联席会议',
  'info-briefing.periodic': '信息通报',
};
const ORGANISER_ZH: Readonly<Record<string, string>> = TRAINING_ORGANISER_ZH;
const FORMAT_ZH: Readonly<Record<string, string>> = TRAINING_FORMAT_ZH;

export async function dutiesPage(params: URLSearchParams) {
  const q = new URLSearchParams({ pageSize: '50' });
  for (const k of ['dutyId', 'status', 'page']) if (params.get(k)) q.set(k, params.get(k)!);
  const list = await api('GET', `/duties?${q.toString()}`);
  const rows = (list.items as Json[])
    .map(
      (
        p,
      ) => `<tr class="${['nonCompliant', 'escalated'].includes(p.status) ? 'level-overdue' : ''}"><td><a href="#/duties/${esc(p.id)}">${esc(p.labelZh)}</a></td><td>${esc(DUTY_ZH[p.dutyId] ?? p.dutyId)}</td>
      <td>${esc(CADENCE_ZH[p.cadence] ?? p.cadence)}</td><td>${chinaDay(p.startDate)} 至 ${chinaDay(p.endDate)}</td><td>${badge(PERIOD_STATUS_ZH[p.status] ?? p.status)}</td></tr>`,
    )
    .join('');
  const tabs = [['', '全部'], ...Object.entries(DUTY_ZH)]
    .map(
      ([k, v]) =>
        `<a href="#/duties${k ? `?dutyId=${k}` : ''}" class="tab ${(params.get('dutyId') ?? '') === k ? 'active' : ''}">${v}</a>`,
    )
    .join('');
  const canAct = session.me && session.me.agency !== 'admin';
  page(
    '联动机制事项',
    `<nav class="tabs" aria-label="事项类别">${tabs}</nav>
    <table id="duties"><thead><tr><th>事项</th><th>类别</th><th>周期</th><th>期间</th><th>状态</th></tr></thead><tbody>${rows || empty(5, '暂无事项（定期任务在每期开始时自动创建）')}</tbody></table>
    <p class="muted">共 ${list.total} 项</p>
    ${
      canAct
        ? `<h2>提请临时召开联席会议</h2>${actionForm('id="adhoc-meeting"', '提请临时召开联席会议', field('reasonZh', '提请理由', { kind: 'text', required: true }), '提请召开')}`
        : ''
    }`,
  );
  const adhoc = document.getElementById('adhoc-meeting') as HTMLFormElement | null;
  if (adhoc) {
    onSubmit(adhoc, async (data, key) => {
      const r = await api('POST', '/meetings', data, { 'idempotency-key': key });
      // The meeting's record is written by its workflow's first activity, a moment after the request.
      await untilFound(`/duties/${encodeURIComponent(r.id)}`);
      toast('已提请临时联席会议');
      location.hash = `#/duties/${r.id}`;
    });
  }
}

const operationRow = (
  o: Json,
) => `<tr class="${o.status === 'cancelled' ? 'muted' : ''}"><td>${esc(o.id)}</td><td>${esc(o.titleZh)}</td><td>${chinaDay(o.date)}</td>
  <td>${esc((o.places ?? []).join('、'))}${o.targets?.length ? `<br/><span class="muted">对象：${esc(o.targets.join('、'))}</span>` : ''}</td>
  <td>生态环境局：${esc((o.members?.eeb ?? []).join('、'))}<br/>公安局：${esc((o.members?.psb ?? []).join('、'))}</td>
  <td>${badge(ITEM_STATUS_ZH[o.status] ?? o.status)}${o.cancelReason ? `<br/><span class="muted">${esc(o.cancelReason)}</span>` : ''}${
    o.outcome
      ? `<br/>检查点位 ${o.outcome.sitesInspected} 个，发现违法 ${o.outcome.violationsFound} 起${o.outcome.summary ? `<br/>${esc(o.outcome.summary)}` : ''}`
      : ''
  }</td></tr>`;

function jointEnforcement(live: Json): string {
  const ops = (live.operations as Json[]) ?? [];
  const planned = ops.filter((o) => o.status === 'planned');
  const leads = ops.flatMap((o) => ((o.leads as Json[]) ?? []).map((l, i) => ({ o, l, i })));
  const isEeb = session.me?.agency === 'eeb';
  const leadRows = leads
    .map(
      ({ o, l, i }) =>
        `<tr><td>${esc(o.titleZh)}</td><td>${esc(l.description)}</td><td>${
          l.caseId
            ? `<a href="#/cases/${esc(l.caseId)}">已登记案件</a>`
            : isEeb
              ? actionForm(
                  `data-action="openCaseFromLead" data-op="${esc(o.id)}" data-lead="${i}"`,
                  '由此线索登记案件',
                  field('title', '案件名称', { required: true, value: l.description.slice(0, 60) }) +
                    field('track', '办理类型', {
                      options: [
                        ['criminal', '涉嫌犯罪案件移送'],
                        ['detention', '移送行政拘留'],
                        ['administrative', '行政处罚'],
                      ],
                      required: true,
                    }) +
                    field('documentNumber', '移送审批单编号（移送行政拘留必填）') +
                    field('summary', '案情摘要', { kind: 'text', value: l.description }),
                  '登记案件',
                )
              : '<span class="muted">待生态环境局登记</span>'
        }</td></tr>`,
    )
    .join('');
  const perOperation = planned
    .map(
      (o) =>
        actionForm(
          `data-action="recordOutcome" data-op="${esc(o.id)}"`,
          `录入结果：${o.titleZh}`,
          field('sitesInspected', '检查点位数', { kind: 'number', required: true, min: 0 }) +
            field('violationsFound', '发现违法行为数', { kind: 'number', required: true, min: 0 }) +
            field('leads', '发现的案件线索', { kind: 'list' }) +
            field('summary', '情况摘要', { kind: 'text' }) +
            attachmentRows('attachments', '附件（名称与存档位置）'),
          '录入结果',
        ) +
        actionForm(
          `data-action="cancelOperation" data-op="${esc(o.id)}"`,
          `取消：${o.titleZh}`,
          field('reason', '取消原因', { required: true }),
          '取消行动',
        ),
    )
    .join('');
  return `<p>${esc(live.complianceZh ?? '')}</p>
    <h2>联合执法行动</h2>
    <table id="operations"><thead><tr><th>编号</th><th>名称</th><th>日期</th><th>地点</th><th>参加人员</th><th>状态与结果</th></tr></thead><tbody>${ops.map(operationRow).join('') || empty(6, '本月尚未计划联合执法行动')}</tbody></table>
    <h2 class="actions-heading">办理</h2>
    ${actionForm(
      'data-action="planOperation"',
      ops.some((o) => o.status === 'cancelled') && !planned.length ? '重新计划联合执法行动' : '计划联合执法行动',
      field('titleZh', '行动名称') +
        field('date', '行动日期', { kind: 'date', required: true, value: chinaToday() }) +
        field('places', '检查地点', { kind: 'list', required: true }) +
        field('targets', '检查对象（企业等）', { kind: 'list' }) +
        field('members.eeb', '生态环境局参加人员', { kind: 'list', required: true }) +
        field('members.psb', '公安局参加人员', { kind: 'list', required: true }),
      '提交计划',
    )}
    ${perOperation}
    <h2>案件线索</h2>
    <table id="leads"><thead><tr><th>行动</th><th>线索</th><th>案件</th></tr></thead><tbody>${leadRows || empty(3, '暂无线索')}</tbody></table>`;
}

/** Rows of name + reference (attachments, materials): a few empty rows; empty ones are ignored. */
function attachmentRows(name: string, label: string, n = 2): string {
  const rows = Array.from(
    { length: n },
    (_, i) => field(`${name}.${i}.name`, `${label} ${i + 1}：名称`) + field(`${name}.${i}.ref`, '存档位置或编号'),
  ).join('');
  return `<fieldset class="wide"><legend>${esc(label)}</legend><div class="fields">${rows}</div></fieldset>`;
}

function training(live: Json): string {
  const sessions = (live.sessions as Json[]) ?? [];
  const rows = sessions
    .map(
      (
        s,
      ) => `<tr><td>${esc(s.id)}</td><td>${esc(s.titleZh)}</td><td>${chinaDay(s.date)}</td><td>${esc(ORGANISER_ZH[s.organiser] ?? s.organiser)} · ${esc(FORMAT_ZH[s.format] ?? s.format)}</td>
      <td>${badge(ITEM_STATUS_ZH[s.status] ?? s.status)}</td><td>${s.attendance ? `生态环境局 ${s.attendance.eeb} 人，公安局 ${s.attendance.psb} 人，检察院 ${s.attendance.spp} 人` : '—'}</td></tr>`,
    )
    .join('');
  const perSession = sessions
    .filter((s) => s.status === 'planned')
    .map(
      (s) =>
        actionForm(
          `data-action="recordTraining" data-session="${esc(s.id)}"`,
          `记录举办情况与出勤：${s.titleZh}`,
          field('attendance.eeb', '生态环境局出勤人数', { kind: 'number', required: true, min: 0 }) +
            field('attendance.psb', '公安局出勤人数', { kind: 'number', required: true, min: 0 }) +
            field('attendance.spp', '检察院出勤人数', { kind: 'number', required: true, min: 0 }) +
            field('summary', '情况摘要', { kind: 'text' }) +
            attachmentRows('materials', '培训材料'),
          '记录举办情况',
        ) +
        actionForm(
          `data-action="cancelTraining" data-session="${esc(s.id)}"`,
          `取消：${s.titleZh}`,
          field('reason', '取消原因', { required: true }),
          '取消培训',
        ),
    )
    .join('');
  const report = live.report as Json | undefined;
  return `<p>完成期限：${chinaDay(live.deadline)}</p>
    ${report ? `<p class="card">年度报告：举办 ${report.held} 次；出勤 生态环境局 ${report.attendance.eeb ?? 0} 人，公安局 ${report.attendance.psb ?? 0} 人，检察院 ${report.attendance.spp ?? 0} 人</p>` : ''}
    <h2>培训场次</h2>
    <table id="sessions"><thead><tr><th>编号</th><th>名称</th><th>日期</th><th>组织与形式</th><th>状态</th><th>出勤</th></tr></thead><tbody>${rows || empty(6, '本年度尚未计划培训')}</tbody></table>
    <h2 class="actions-heading">办理</h2>
    ${actionForm(
      'data-action="planTraining"',
      '计划培训',
      field('titleZh', '培训名称', { required: true }) +
        field('date', '日期', { kind: 'date', required: true, value: chinaToday() }) +
        field('organiser', '组织单位', { options: Object.entries(ORGANISER_ZH), required: true }) +
        field('format', '形式', { options: Object.entries(FORMAT_ZH), required: true }),
      '提交培训计划',
    )}
    ${perSession}`;
}

function meeting(live: Json): string {
  const a = live.agenda as Json | undefined;
  const agendaList = (title: string, xs: Json[]) =>
    `<li>${esc(title)} ${xs.length} 件${xs.length ? '：' + xs.map((c) => esc(`${c.caseNumber ?? ''}${c.title ?? c.titleZh ?? ''}`)).join('；') : ''}</li>`;
  const secret = a?.confidentialCounts as Record<string, number> | undefined;
  const secretTotal = secret ? Object.values(secret).reduce((x, y) => x + y, 0) : 0;
  const agenda = a
    ? `<ol>${agendaList('超期案件', a.overdueCases)}${agendaList('检察监督中的案件', a.supervisedCases)}${agendaList('重大案件', a.majorCases)}${agendaList('机关间存在分歧的案件', a.disputes)}${agendaList('上次会议未办结的议定事项', a.openResolutions)}</ol>${secretTotal ? `<p class="muted">另有保密案件（不列明）：超期 ${secret!.overdue} 件，检察监督中 ${secret!.supervised} 件，重大 ${secret!.major} 件，存在分歧 ${secret!.disputes} 件</p>` : ''}`
    : '<p class="muted">议题在会议安排后自动汇总</p>';
  const resolutions = (live.resolutions as Json[]) ?? [];
  const resRows = resolutions
    .map(
      (
        r,
      ) => `<tr class="level-${r.status === 'done' ? 'none' : r.level}"><td>${esc(r.titleZh)}</td><td>${esc(AGENCY_ZH[r.ownerAgency] ?? r.ownerAgency)}</td><td>${chinaDay(r.dueDate)}</td>
      <td>${badge(ITEM_STATUS_ZH[r.status] ?? r.status)} ${r.status === 'open' && r.level !== 'none' ? badge(LEVEL_ZH[r.level] ?? r.level, `level-${r.level}`) : ''}${r.note ? `<br/>${esc(r.note)}` : ''}</td>
      <td>${r.status === 'open' ? actionForm(`data-action="completeResolution" data-resolution="${esc(r.id)}"`, '办结', field('note', '办理情况', { required: true }), '办结议定事项') : ''}</td></tr>`,
    )
    .join('');
  const resolutionInputs = Array.from(
    { length: 3 },
    (_, i) =>
      field(`resolutions.${i}.titleZh`, `议定事项 ${i + 1}`) +
      field(`resolutions.${i}.ownerAgency`, '责任单位', {
        options: agencyOptions(['eeb', 'psb', 'spp', 'workingGroup']),
      }) +
      field(`resolutions.${i}.dueDate`, '办结期限', { kind: 'date' }),
  ).join('');
  const minutes = live.minutes as Json | undefined;
  return `<p>${live.adHoc ? '临时会议' : '定期会议'} · ${live.scheduled ? `定于 ${chinaDay(live.scheduled.date)}${live.scheduled.place ? ` 在${esc(live.scheduled.place)}` : ''}召开` : '尚未安排日期'}</p>
    <h2>议题</h2>${agenda}${(live.extraAgenda as string[])?.length ? `<p>补充议题：</p><ol>${(live.extraAgenda as string[]).map((x) => `<li>${esc(x)}</li>`).join('')}</ol>` : ''}
    ${
      minutes
        ? `<h2>会议纪要（${chinaDay(minutes.heldOn)}）</h2><pre class="minutes">${esc(minutes.summary)}</pre><p class="muted">${Object.entries(
            minutes.attendees as Record<string, string[]>,
          )
            .filter(([, v]) => v.length)
            .map(([k, v]) => `${AGENCY_ZH[k] ?? k}：${v.join('、')}`)
            .join('；')}</p>`
        : ''
    }
    <h2>议定事项</h2>
    <table id="resolutions"><thead><tr><th>事项</th><th>责任单位</th><th>办结期限</th><th>状态</th><th></th></tr></thead><tbody>${resRows || empty(5, '暂无议定事项')}</tbody></table>
    <h2 class="actions-heading">办理</h2>
    ${minutes ? '' : actionForm('data-action="scheduleMeeting"', live.scheduled ? '调整会议日期' : '安排会议', field('date', '会议日期', { kind: 'date', required: true, value: chinaToday() }) + field('place', '地点'), '安排会议')}
    ${minutes ? '' : actionForm('data-action="addAgendaItem"', '增加议题', field('titleZh', '议题', { required: true }), '增加议题')}
    ${
      minutes
        ? ''
        : actionForm(
            'data-action="recordMinutes"',
            '录入会议纪要',
            field('heldOn', '召开日期', { kind: 'date', required: true, value: live.scheduled?.date ?? chinaToday() }) +
              field('attendees.eeb', '生态环境局参会人员', { kind: 'list', required: true }) +
              field('attendees.psb', '公安局参会人员', { kind: 'list', required: true }) +
              field('attendees.spp', '检察院参会人员', { kind: 'list', required: true }) +
              field('attendees.workingGroup', '联动执法工作组参会人员', { kind: 'list' }) +
              field('summary', '纪要', { kind: 'text', required: true }) +
              `<fieldset class="wide"><legend>议定事项（责任单位与办结期限；不填期限按默认天数）</legend><div class="fields">${resolutionInputs}</div></fieldset>`,
            '保存会议纪要',
          )
    }`;
}

export function briefingTable(stats: Json): string {
  const head = `<tr><th>指标</th><th>生态环境局</th><th>公安局</th><th>检察院</th><th>合计</th></tr>`;
  const rows = BRIEFING_METRICS.map(
    (m) =>
      `<tr><td>${esc(BRIEFING_METRIC_ZH[m])}</td><td>${stats.perAgency?.eeb?.[m] ?? 0}</td><td>${stats.perAgency?.psb?.[m] ?? 0}</td><td>${stats.perAgency?.spp?.[m] ?? 0}</td><td>${stats.totals?.[m] ?? 0}</td></tr>`,
  ).join('');
  return `<table class="briefing"><thead>${head}</thead><tbody>${rows}</tbody></table>
    <p class="muted">本期有办理活动的案件 ${(stats.cases?.length ?? 0) + (stats.confidentialCases ?? 0)} 件，其中保密案件 ${stats.confidentialCases ?? 0} 件（仅计数）</p>`;
}

export async function dutyPage(id: string, reload: () => Promise<void>) {
  const d = await api('GET', `/duties/${encodeURIComponent(id)}`);
  const p = d.period as Json;
  const live = (d.live ?? null) as Json | null;
  const items = (d.items as Json[]) ?? [];
  let body = '';
  if (p.dutyId === 'joint-enforcement.monthly')
    body = jointEnforcement(
      live ?? {
        operations: items.map((i) => ({
          id: i.id.split('/').pop(),
          titleZh: i.titleZh,
          date: i.date,
          status: i.status,
          ...i.data,
        })),
      },
    );
  else if (p.dutyId === 'training.annual')
    body = training(
      live ?? {
        deadline: p.endDate,
        sessions: items
          .filter((i) => i.kind === 'trainingSession')
          .map((i) => ({
            id: i.id.split('/').pop(),
            titleZh: i.titleZh,
            date: i.date,
            status: i.status,
            organiser: i.ownerAgency,
            ...i.data,
          })),
      },
    );
  else if (p.dutyId === 'joint-meeting.periodic') {
    const m = items.find((i) => i.kind === 'meeting');
    body = meeting(
      live ?? {
        adHoc: p.cadence === 'adHoc',
        scheduled: m?.data?.scheduled,
        agenda: m?.data?.agenda,
        extraAgenda: m?.data?.extraAgenda ?? [],
        minutes: m?.data?.minutes,
        resolutions: items
          .filter((i) => i.kind === 'resolution')
          .map((i) => ({
            id: i.id.split('/').pop(),
            titleZh: i.titleZh,
            ownerAgency: i.ownerAgency,
            dueDate: i.date,
            status: i.status,
            level: i.escalationLevel,
            note: i.data?.note,
          })),
      },
    );
  } else if (p.dutyId === 'info-briefing.periodic') {
    const b = items.find((i) => i.kind === 'briefing');
    // The briefing's report files (XLSX / PDF / CSV), generated after the statistics.
    const report = b ? await api('GET', `/reports/${encodeURIComponent(id)}`).catch(() => undefined) : undefined;
    body = b
      ? `${briefingTable(b.data)}<p id="briefing-report">报表文件：${report ? reportLinks(report) : '<span class="muted">生成中</span>'} · <a href="#/reports">全部报表</a></p>`
      : '<p class="muted">本期结束后自动生成</p>';
  }
  const events = ((d.events as Json[]) ?? [])
    .map((e) => `<li><time>${chinaTime(e.occurredAt)}</time>${esc(e.labelZh)}</li>`)
    .join('');
  page(
    p.labelZh,
    `<p><a href="#/duties?dutyId=${esc(p.dutyId)}">返回${esc(DUTY_ZH[p.dutyId] ?? '事项')}</a> · ${chinaDay(p.startDate)} 至 ${chinaDay(p.endDate)} · 状态：<strong id="duty-status">${esc(PERIOD_STATUS_ZH[p.status] ?? p.status)}</strong></p>
    ${body}
    <h2>记录</h2><ol class="timeline" id="duty-events">${events || '<li class="muted">暂无记录</li>'}</ol>`,
  );
  // A workflow that no longer answers (closed past retention) or an administrator's view takes no actions. A period
  // already done may still take some (a case from a lead, a resolution): the workflow decides, refusals show why.
  if (!live || session.me?.agency === 'admin')
    for (const f of forms('form[data-action]')) f.closest('details')?.remove();
  if (!forms('form[data-action]').length) main().querySelector('.actions-heading')?.remove();
  for (const form of forms('form[data-action]')) {
    onSubmit(form, async (data, key) => {
      const action = form.dataset.action!;
      const input: Json = { ...data };
      if (form.dataset.op) input.operationId = form.dataset.op;
      if (form.dataset.session) input.sessionId = form.dataset.session;
      if (form.dataset.resolution) input.resolutionId = form.dataset.resolution;
      if (form.dataset.lead) input.leadIndex = Number(form.dataset.lead);
      if (action === 'recordOutcome')
        input.leads = ((input.leads as string[] | undefined) ?? []).map((description) => ({ description }));
      const r = await api('POST', `/duties/${encodeURIComponent(id)}/actions/${action}`, input, {
        'idempotency-key': key,
      });
      if (action === 'openCaseFromLead' && r.caseId) {
        // The case is registered by the child workflow's first activity.
        await untilFound(`/cases/${encodeURIComponent(r.caseId)}`);
        toast('已由线索登记案件');
        location.hash = `#/cases/${r.caseId}`;
        return;
      }
      await reload();
      toast('已办理');
    });
  }
  main().focus();
}

export async function briefingsPage() {
  const [list, reports] = await Promise.all([api('GET', '/briefings'), api('GET', '/reports?kind=briefing&limit=100')]);
  const byPeriod = new Map(
    (reports.items as Json[]).filter((r) => r.dutyPeriodId).map((r) => [r.dutyPeriodId as string, r]),
  );
  const items = (list.items as Json[])
    .map((b) => {
      const r = byPeriod.get(b.periodId);
      return `<section class="card"><h2><a href="#/duties/${esc(b.periodId)}">${esc(b.titleZh)}</a></h2>${briefingTable(b.data)}<p>报表文件：${r ? reportLinks(r) : '<span class="muted">无</span>'}</p></section>`;
    })
    .join('');
  page('信息通报', items || '<p class="muted">暂无信息通报（每期结束后自动生成并发送三机关）</p>');
}
