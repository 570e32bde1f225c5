import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, copyOf, records, restoringOnRefusal } from '../kernel';
import {
  addAgendaItemSchema,
  completeResolutionSchema,
  recordMinutesSchema,
  scheduleMeetingSchema,
} from '../../domain/duty-inputs';
import type { DutyItemRow, DutyPeriodRow, MeetingAgenda } from '../../activities/duty-types';
import {
  computeLadder,
  computePeriod,
  createWorkingCalendar,
  defaultWarning,
  ymdToDay,
  type CalendarYearData,
} from '../../domain/deadlines';
import {
  chinaAt,
  chinaDate,
  dutyLadder,
  endOfDate,
  mail,
  parseInput,
  periodLabel,
  recordDuty,
  reject,
  requireAgency,
} from './common';
import type { DutyActor, DutyPeriodInput } from '../definitions/duties';
import {
  addAgendaItemUpdate,
  completeResolutionUpdate,
  meetingStateQuery,
  recordMinutesUpdate,
  scheduleMeetingUpdate,
  type MeetingView,
  type Resolution,
} from '../definitions/joint-meeting';
import { AGENCY_ZH as AGENCY_LABELS } from '../../domain/vocabulary';

/**
 * 联席会议 (joint-meeting.periodic, seed 五(一)): periodic (default quarterly) or ad hoc at any agency's request.
 * The agenda is compiled by an activity from the record; the minutes record resolutions (议定事项), each an action
 * item of an owner agency with a deadline whose ladder is the case-clock ladder of domain/deadlines (warning 1 or 3
 * working days before, overdue after the due date, working-group escalation 3 working days after). The workflow
 * ends when the period's own ladder has run and every resolution is done or escalated; an escalated resolution stays
 * open in the record and returns on the next meeting's agenda.
 */

const PARTIES = ['eeb', 'psb', 'spp'] as const;
const OWNER_ZH: Record<string, string> = AGENCY_LABELS;

export async function jointMeetingWorkflow(input: DutyPeriodInput): Promise<MeetingView> {
  // A period started late (first deployment, a catch-up) skips the reminders whose moment had passed by then.
  const startedAtMs = Date.now();
  const lock = new Lock();
  const outbox = new Outbox({ workflowId: workflowInfo().workflowId });
  // The period's ladder and every open resolution's (below); an update that records or completes wakes them.
  const fired = new Set<string>();
  const rungs = new Ladder<{ key: string; atMs: number }>({
    lock,
    next: () => timers()[0],
    fire: async (t) => {
      fired.add(t.key);
      await fire(t.key);
    },
    // Ad hoc: it waits for the minutes; then it runs until every resolution is done or escalated.
    done: () => !(adHoc && !minutes) && !timers().length,
  });
  const wfId = workflowInfo().workflowId;
  const { period } = input;
  const adHoc = Boolean(input.adHoc);
  const label = adHoc
    ? `临时联席会议（${input.adHoc!.reasonZh}）`
    : `${periodLabel(input.cadence, period.key)}联席会议`;
  let status: 'open' | 'done' | 'nonCompliant' | 'escalated' | 'completedLate' = 'open';
  let scheduled: MeetingView['scheduled'];
  // Assigned once the handlers exist (an update may arrive first); read by the handlers.
  // eslint-disable-next-line prefer-const
  let agenda: MeetingAgenda | undefined;
  const extraAgenda: string[] = [];
  let minutes: MeetingView['minutes'];
  const resolutions: Resolution[] = [];
  let calendarYears: CalendarYearData[] = [];
  const snapshot = () => {
    const s = copyOf({ status, scheduled, extraAgenda, minutes, resolutions });
    return () => {
      status = s.status;
      scheduled = s.scheduled;
      extraAgenda.splice(0, extraAgenda.length, ...s.extraAgenda);
      minutes = s.minutes;
      resolutions.splice(0, resolutions.length, ...s.resolutions);
    };
  };

  const view = (): MeetingView => ({
    workflowId: wfId,
    periodKey: period.key,
    labelZh: label,
    adHoc,
    status,
    scheduled,
    agenda,
    extraAgenda,
    minutes,
    resolutions,
  });
  const row = (): DutyPeriodRow => ({
    id: wfId,
    dutyId: input.dutyId,
    periodKey: period.key,
    cadence: adHoc ? 'adHoc' : input.cadence,
    startDate: period.startDate,
    endDate: period.endDate,
    status,
    labelZh: label,
    summary: {
      heldOn: minutes?.heldOn ?? null,
      resolutions: resolutions.length,
      openResolutions: resolutions.filter((r) => r.status === 'open').length,
    },
  });
  const meetingItem = (): DutyItemRow => ({
    id: `${wfId}/meeting`,
    kind: 'meeting',
    status: minutes ? 'held' : scheduled ? 'scheduled' : 'pending',
    titleZh: label,
    date: minutes?.heldOn ?? scheduled?.date ?? null,
    data: { scheduled, agenda, extraAgenda, minutes },
  });
  const resolutionItem = (r: Resolution): DutyItemRow => ({
    id: `${wfId}/${r.id}`,
    kind: 'resolution',
    status: r.status,
    titleZh: r.titleZh,
    ownerAgency: r.ownerAgency,
    date: r.dueDate,
    dueAtMs: r.dueAtMs,
    escalationLevel: r.level,
    data: { note: r.note, warningAtMs: r.warningAtMs, escalationAtMs: r.escalationAtMs },
  });
  const everyone = (subject: string, lines: string[]) => [
    ...PARTIES.map((a) => mail(a, ['handling'], subject, lines)),
    mail('eeb', ['agencyHead'], subject, lines),
  ];
  const actorRef = (a: DutyActor) => ({ userId: a.userId, agency: a.agency, displayName: a.displayName });
  // Confidential cases are counted, never named (agendas compiled before they were counted have no counts: their
  // lines, and so replayed histories, stay as they were).
  const secretOf = (n: number | undefined) => (n ? `（另有保密案件 ${n} 件，不列明）` : '');
  const agendaLines = (a: MeetingAgenda) => [
    `一、超期案件 ${a.overdueCases.length} 件${a.overdueCases.length ? '：' + a.overdueCases.map((c) => `${c.caseNumber}${c.title}`).join('；') : ''}${secretOf(a.confidentialCounts?.overdue)}`,
    `二、检察监督中的案件 ${a.supervisedCases.length} 件${a.supervisedCases.length ? '：' + a.supervisedCases.map((c) => `${c.caseNumber}${c.title}`).join('；') : ''}${secretOf(a.confidentialCounts?.supervised)}`,
    `三、重大案件 ${a.majorCases.length} 件${a.majorCases.length ? '：' + a.majorCases.map((c) => `${c.caseNumber}${c.title}`).join('；') : ''}${secretOf(a.confidentialCounts?.major)}`,
    `四、机关间存在分歧的案件 ${a.disputes.length} 件${a.disputes.length ? '：' + a.disputes.map((c) => `${c.caseNumber}${c.title}`).join('；') : ''}${secretOf(a.confidentialCounts?.disputes)}`,
    `五、上次会议未办结的议定事项 ${a.openResolutions.length} 项${a.openResolutions.length ? '：' + a.openResolutions.map((r) => `${r.titleZh}（${OWNER_ZH[r.ownerAgency ?? ''] ?? r.ownerAgency}，${r.dueDate}）`).join('；') : ''}`,
  ];

  setHandler(meetingStateQuery, view);
  setHandler(
    scheduleMeetingUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = scheduleMeetingSchema.parse(req.input);
          scheduled = { date: v.date, place: v.place };
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/scheduled/${v.date}`,
              type: 'meetingScheduled',
              labelZh: `${label}定于 ${v.date}${v.place ? ` 在${v.place}` : ''}召开`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
            },
            [meetingItem()],
            everyone(`【联席会议通知】${label}定于 ${v.date} 召开`, [
              `时间：${v.date}`,
              ...(v.place ? [`地点：${v.place}`] : []),
              '议题：',
              ...(agenda ? agendaLines(agenda) : []),
              ...extraAgenda.map((x, i) => `补充议题${i + 1}：${x}`),
            ]),
          );
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [...PARTIES, 'workingGroup'], '安排联席会议');
        parseInput(scheduleMeetingSchema, req.input);
        if (minutes) throw reject(409, '会议已召开');
      },
    },
  );
  setHandler(
    addAgendaItemUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = addAgendaItemSchema.parse(req.input);
          extraAgenda.push(v.titleZh);
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/agenda/${extraAgenda.length}`,
              type: 'agendaItemAdded',
              labelZh: `增加议题：${v.titleZh}`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
            },
            [meetingItem()],
          );
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [...PARTIES, 'workingGroup'], '增加议题');
        parseInput(addAgendaItemSchema, req.input);
        if (minutes) throw reject(409, '会议已召开');
      },
    },
  );
  setHandler(
    recordMinutesUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = recordMinutesSchema.parse(req.input);
          minutes = { heldOn: v.heldOn, attendees: v.attendees, summary: v.summary, recordedBy: req.actor };
          const resolutionDays = input.settings?.resolutionDays ?? 30;
          const calendar = createWorkingCalendar(calendarYears);
          for (const r of v.resolutions) {
            const startMs = chinaAt(v.heldOn, 9);
            // The due date: as resolved, or the configured number of days (moved past holidays like a case period).
            const dueDate =
              r.dueDate ??
              computePeriod({ unit: 'days', limit: resolutionDays, startMs, custody: false, calendar }).dueDate;
            const days = ymdToDay(dueDate) - ymdToDay(v.heldOn);
            const ladder = computeLadder(
              { warning: defaultWarning(Math.max(1, days), 'days'), supervision: null, escalationWorkdays: 3 },
              { startMs, dueAtMs: endOfDate(dueDate), dueDate, provisional: false, exactInstant: false },
              calendar,
            );
            resolutions.push({
              id: `resolution-${resolutions.length + 1}`,
              titleZh: r.titleZh,
              ownerAgency: r.ownerAgency,
              dueDate,
              dueAtMs: endOfDate(dueDate),
              warningAtMs: ladder.warningAtMs,
              overdueAtMs: ladder.overdueAtMs,
              escalationAtMs: ladder.escalationAtMs,
              status: 'open',
              level: 'none',
            });
          }
          if (status === 'open') status = 'done';
          else if (status === 'nonCompliant' || status === 'escalated') status = 'completedLate';
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/minutes`,
              type: 'meetingHeld',
              labelZh: `${label}已于 ${v.heldOn} 召开，形成议定事项 ${v.resolutions.length} 项`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: {
                heldOn: v.heldOn,
                resolutions: resolutions.map((r) => ({ id: r.id, ownerAgency: r.ownerAgency, dueDate: r.dueDate })),
              },
            },
            [meetingItem(), ...resolutions.map(resolutionItem)],
            everyone(`【会议纪要】${label}`, [
              `召开日期：${v.heldOn}`,
              `会议纪要：${v.summary}`,
              '议定事项：',
              ...resolutions.map(
                (r, i) => `${i + 1}. ${r.titleZh}（牵头：${OWNER_ZH[r.ownerAgency]}，期限 ${r.dueDate}）`,
              ),
            ]),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [...PARTIES, 'workingGroup'], '录入会议纪要');
        const v = parseInput(recordMinutesSchema, req.input);
        if (minutes) throw reject(409, '会议纪要已录入');
        if (v.heldOn > chinaDate(Date.now())) throw reject(422, '召开日期不能晚于今天', 'heldOn');
        for (const r of v.resolutions)
          if (r.dueDate && r.dueDate <= v.heldOn)
            throw reject(422, '议定事项的期限应晚于会议日期', 'resolutions.dueDate');
      },
    },
  );
  setHandler(
    completeResolutionUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = completeResolutionSchema.parse(req.input);
          const r = resolutions.find((x) => x.id === v.resolutionId)!;
          r.status = 'done';
          r.note = v.note;
          const late = Date.now() > r.dueAtMs;
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${r.id}/done`,
              type: 'resolutionDone',
              labelZh: `议定事项办结${late ? '（超期）' : ''}：${r.titleZh}`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: { resolutionId: r.id, late },
            },
            [resolutionItem(r)],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        const actor = requireAgency(req?.actor, [...PARTIES, 'workingGroup'], '办结议定事项');
        const v = parseInput(completeResolutionSchema, req.input);
        const r = resolutions.find((x) => x.id === v.resolutionId);
        if (!r) throw reject(404, `没有编号为 ${v.resolutionId} 的议定事项`, 'resolutionId');
        if (r.status === 'done') throw reject(409, '该议定事项已办结');
        if (actor.agency !== r.ownerAgency && actor.agency !== 'workingGroup')
          throw reject(403, `该议定事项由${OWNER_ZH[r.ownerAgency]}办结`);
      },
    },
  );

  calendarYears = (await records.loadCalendarYears()) as CalendarYearData[];
  agenda = await records.compileMeetingAgenda({ nowMs: Date.now() });
  const ladder = adHoc ? undefined : await dutyLadder(input);
  await recordDuty(
    outbox,
    row(),
    {
      id: `${wfId}/opened`,
      type: 'dutyPeriodOpened',
      labelZh: adHoc
        ? `${OWNER_ZH[input.adHoc!.requestedBy.agency] ?? ''}提请召开${label}`
        : `${label}：请安排召开（${period.endDate} 前）`,
      occurredAtMs: Date.now(),
      actor: input.adHoc ? actorRef(input.adHoc.requestedBy) : undefined,
      data: { agenda },
    },
    [meetingItem()],
    everyone(`【联席会议】${adHoc ? '提请召开' : '请安排召开'}${label}`, [
      adHoc ? `提请单位：${OWNER_ZH[input.adHoc!.requestedBy.agency]}` : `请于 ${period.endDate} 前召开。`,
      '自动汇总的议题：',
      ...agendaLines(agenda),
    ]),
  );

  const isReminder = (key: string) => key.startsWith('day-') || key.startsWith('quarter-') || key === 'warning';
  const timers = () => {
    const list: { key: string; atMs: number }[] = [];
    // Once the minutes are in, the period's own ladder has nothing left to say.
    if (ladder && !minutes) {
      if (ladder.warningAtMs !== null) list.push({ key: 'warning', atMs: ladder.warningAtMs });
      list.push({ key: 'end', atMs: ladder.overdueAtMs });
      if (ladder.escalationAtMs !== null) list.push({ key: 'escalation', atMs: ladder.escalationAtMs });
    }
    for (const r of resolutions) {
      if (r.status !== 'open') continue;
      if (r.warningAtMs !== null) list.push({ key: `${r.id}/warning`, atMs: r.warningAtMs });
      list.push({ key: `${r.id}/overdue`, atMs: r.overdueAtMs });
      if (r.escalationAtMs !== null) list.push({ key: `${r.id}/escalation`, atMs: r.escalationAtMs });
    }
    return list
      .filter((t) => !fired.has(t.key) && !(isReminder(t.key) && t.atMs < startedAtMs))
      .sort((a, b) => a.atMs - b.atMs);
  };
  const fire = async (key: string) => {
    const at = Date.now();
    if (key === 'warning' || key === 'end' || key === 'escalation') {
      if (minutes) return;
      if (key === 'warning') {
        await recordDuty(
          outbox,
          row(),
          {
            id: `${wfId}/warning`,
            type: 'dutyWarning',
            labelZh: `预警：${label}尚未召开，${period.endDate} 期满`,
            occurredAtMs: at,
          },
          [],
          PARTIES.map((a) => mail(a, ['handling'], `【预警】${label}尚未召开`, [`期满日：${period.endDate}`])),
        );
      } else if (key === 'end') {
        status = 'nonCompliant';
        await recordDuty(
          outbox,
          row(),
          { id: `${wfId}/nonCompliant`, type: 'dutyNonCompliant', labelZh: `未履行：${label}未召开`, occurredAtMs: at },
          [],
          PARTIES.map((a) =>
            mail(a, ['agencyHead'], `【未履行】${label}未召开`, [`${period.endDate} 前未召开联席会议。`]),
          ),
        );
      } else if (status === 'nonCompliant') {
        status = 'escalated';
        await recordDuty(
          outbox,
          row(),
          {
            id: `${wfId}/escalated`,
            type: 'dutyEscalated',
            labelZh: `提请联动工作组督办：${label}未召开`,
            occurredAtMs: at,
          },
          [],
          [mail('eeb', ['workingGroup'], `【督办】${label}未召开`, ['期满后 3 个工作日仍未召开，请联动工作组督办。'])],
        );
      }
      return;
    }
    const [rid, kind] = key.split('/');
    const r = resolutions.find((x) => x.id === rid);
    if (!r || r.status !== 'open') return;
    const owner = r.ownerAgency === 'workingGroup' ? 'eeb' : r.ownerAgency;
    if (kind === 'warning') {
      r.level = 'warning';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/${r.id}/warning`,
          type: 'resolutionWarning',
          labelZh: `预警：议定事项“${r.titleZh}”将于 ${r.dueDate} 期满`,
          occurredAtMs: at,
        },
        [resolutionItem(r)],
        [
          mail(
            owner,
            r.ownerAgency === 'workingGroup' ? ['workingGroup'] : ['handling'],
            `【预警】议定事项将于 ${r.dueDate} 期满`,
            [`事项：${r.titleZh}`, `牵头：${OWNER_ZH[r.ownerAgency]}`, `来源：${label}`],
          ),
        ],
      );
    } else if (kind === 'overdue') {
      r.level = 'overdue';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/${r.id}/overdue`,
          type: 'resolutionOverdue',
          labelZh: `超期：议定事项“${r.titleZh}”已于 ${r.dueDate} 期满未办结`,
          occurredAtMs: at,
        },
        [resolutionItem(r)],
        [
          mail(
            owner,
            r.ownerAgency === 'workingGroup' ? ['workingGroup'] : ['agencyHead'],
            `【超期】议定事项未办结：${r.titleZh}`,
            [`期满日：${r.dueDate}`, `牵头：${OWNER_ZH[r.ownerAgency]}`, `来源：${label}`],
          ),
        ],
      );
    } else {
      r.level = 'escalated';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/${r.id}/escalated`,
          type: 'resolutionEscalated',
          labelZh: `提请联动工作组督办：议定事项“${r.titleZh}”超期 3 个工作日`,
          occurredAtMs: at,
        },
        [resolutionItem(r)],
        [
          mail('eeb', ['workingGroup'], `【督办】议定事项超期未办结：${r.titleZh}`, [
            `期满日：${r.dueDate}`,
            `牵头：${OWNER_ZH[r.ownerAgency]}`,
            `来源：${label}`,
          ]),
        ],
      );
    }
  };

  await rungs.run();
  await condition(outbox.settled);
  return view();
}
