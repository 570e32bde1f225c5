import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, copyOf, restoringOnRefusal } from '../kernel';
import { cancelTrainingSchema, planTrainingSchema, recordTrainingSchema } from '../../domain/duty-inputs';
import type { DutyItemRow, DutyPeriodRow } from '../../activities/duty-types';
import { AGENCY_ZH } from '../../domain/deadlines';
import { chinaAt, chinaDate, dutyLadder, mail, parseInput, recordDuty, reject, requireAgency } from './common';
import type { DutyActor, DutyPeriodInput } from '../definitions/duties';
import {
  cancelTrainingUpdate,
  planTrainingUpdate,
  recordTrainingUpdate,
  trainingStateQuery,
  type TrainingSession,
  type TrainingView,
} from '../definitions/training';

/**
 * 教育培训 (training.annual, seed 五(四)): a yearly cycle. Sessions (joint or by one agency) are planned and then
 * held with attendance per agency and materials (references to uploads); a reminder each quarter while none is held;
 * the ladder of the configured date (default 12-31): warning, non-compliance, working-group escalation; a completion
 * report at the year's end.
 */

const AGENCIES = ['eeb', 'psb', 'spp'] as const;
const FORMAT_ZH = { training: '专业知识培训', exchange: '经验交流', seminar: '研讨' } as const;

export async function trainingWorkflow(input: DutyPeriodInput): Promise<TrainingView> {
  // A period started late (first deployment, a catch-up) skips the reminders whose moment had passed by then.
  const startedAtMs = Date.now();
  const lock = new Lock();
  const outbox = new Outbox({ workflowId: workflowInfo().workflowId });
  // The year's timers (quarterly reminders, the duty's ladder, the report); an update that plans or holds wakes them.
  const fired = new Set<string>();
  const rungs = new Ladder<{ key: string; atMs: number }>({
    lock,
    next: () => timers()[0],
    fire: async (t) => {
      fired.add(t.key);
      await fire(t.key);
    },
    endWhenIdle: true,
  });
  const wfId = workflowInfo().workflowId;
  const { period } = input;
  const year = period.key;
  const deadline = input.settings?.deadline ? `${year}-${input.settings.deadline}` : period.endDate;
  const label = `${year}年度教育培训`;
  const sessions: TrainingSession[] = [];
  const reminders: string[] = [];
  let status: 'open' | 'done' | 'nonCompliant' | 'escalated' | 'completedLate' = 'open';
  let report: TrainingView['report'];
  const snapshot = () => {
    const s = copyOf({ sessions, reminders, status, report });
    return () => {
      sessions.splice(0, sessions.length, ...s.sessions);
      reminders.splice(0, reminders.length, ...s.reminders);
      status = s.status;
      report = s.report;
    };
  };

  const held = () => sessions.filter((s) => s.status === 'held');
  const view = (): TrainingView => ({ workflowId: wfId, year, deadline, status, sessions, reminders, report });
  const row = (): DutyPeriodRow => ({
    id: wfId,
    dutyId: input.dutyId,
    periodKey: year,
    cadence: input.cadence,
    startDate: period.startDate,
    endDate: period.endDate,
    status,
    labelZh: label,
    summary: { held: held().length, planned: sessions.filter((s) => s.status === 'planned').length, deadline, report },
  });
  const item = (s: TrainingSession): DutyItemRow => ({
    id: `${wfId}/${s.id}`,
    kind: 'trainingSession',
    status: s.status,
    titleZh: s.titleZh,
    ownerAgency: s.organiser,
    date: s.date,
    data: { format: s.format, attendance: s.attendance, materials: s.materials, summary: s.summary },
  });
  const all = (audience: Parameters<typeof mail>[1], subject: string, lines: string[]) =>
    AGENCIES.map((a) => mail(a, audience, subject, lines));
  const find = (id: string) => {
    const s = sessions.find((x) => x.id === id);
    if (!s) throw reject(404, `没有编号为 ${id} 的培训`, 'sessionId');
    return s;
  };
  const actorRef = (a: DutyActor) => ({ userId: a.userId, agency: a.agency, displayName: a.displayName });

  setHandler(trainingStateQuery, view);
  setHandler(
    planTrainingUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = planTrainingSchema.parse(req.input);
          const s: TrainingSession = {
            id: `session-${sessions.length + 1}`,
            status: 'planned',
            titleZh: v.titleZh,
            date: v.date,
            organiser: v.organiser,
            format: v.format,
            plannedBy: req.actor,
            materials: [],
          };
          sessions.push(s);
          const who = s.organiser === 'joint' ? '三机关联合' : AGENCY_ZH[s.organiser];
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${s.id}/planned`,
              type: 'trainingPlanned',
              labelZh: `培训计划：${s.titleZh}（${who}${FORMAT_ZH[s.format]}，${s.date}）`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
            },
            [item(s)],
            all(['handling'], `【教育培训】${s.titleZh}`, [
              `日期：${s.date}`,
              `组织：${who}`,
              `形式：${FORMAT_ZH[s.format]}`,
            ]),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        const actor = requireAgency(req?.actor, [...AGENCIES, 'workingGroup'], '培训计划');
        const v = parseInput(planTrainingSchema, req.input);
        if (v.date < period.startDate || v.date > period.endDate)
          throw reject(422, `培训日期应在 ${year} 年内`, 'date');
        if (v.organiser !== 'joint' && actor.agency !== v.organiser && actor.agency !== 'workingGroup')
          throw reject(403, '单独组织的培训由组织单位录入');
      },
    },
  );
  setHandler(
    recordTrainingUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = recordTrainingSchema.parse(req.input);
          const s = find(v.sessionId);
          s.status = 'held';
          s.attendance = v.attendance;
          s.materials = v.materials;
          s.summary = v.summary;
          if (status === 'open') status = 'done';
          else if (status === 'nonCompliant' || status === 'escalated') status = 'completedLate';
          const n = v.attendance.eeb + v.attendance.psb + v.attendance.spp;
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${s.id}/held`,
              type: 'trainingHeld',
              labelZh: `培训已举办：${s.titleZh}，参训 ${n} 人（生态环境局 ${v.attendance.eeb}、公安局 ${v.attendance.psb}、检察院 ${v.attendance.spp}）`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: { attendance: v.attendance, materials: v.materials.length },
            },
            [item(s)],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [...AGENCIES, 'workingGroup'], '培训记录');
        const v = parseInput(recordTrainingSchema, req.input);
        const s = find(v.sessionId);
        if (s.status !== 'planned') throw reject(409, '该培训已记录或已取消');
        if (s.date > chinaDate(Date.now())) throw reject(409, `培训日期 ${s.date} 尚未到来`);
        if (v.attendance.eeb + v.attendance.psb + v.attendance.spp === 0)
          throw reject(422, '参训人数不能为零', 'attendance');
      },
    },
  );
  setHandler(
    cancelTrainingUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = cancelTrainingSchema.parse(req.input);
          const s = find(v.sessionId);
          s.status = 'cancelled';
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${s.id}/cancelled`,
              type: 'trainingCancelled',
              labelZh: `培训取消：${s.titleZh}（${v.reason}）`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
            },
            [item(s)],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [...AGENCIES, 'workingGroup'], '取消培训');
        const s = find(parseInput(cancelTrainingSchema, req.input).sessionId);
        if (s.status !== 'planned') throw reject(409, '该培训已记录或已取消');
      },
    },
  );

  const ladder = await dutyLadder(input, deadline);
  await recordDuty(
    outbox,
    row(),
    {
      id: `${wfId}/opened`,
      type: 'dutyPeriodOpened',
      labelZh: `${label}：请三机关制定本年度培训计划（${deadline} 前至少举办一次）`,
      occurredAtMs: Date.now(),
    },
    [],
    all(['handling'], `【教育培训】请制定${year}年度培训计划`, [
      '依据《长治市生态环境执法联动协作工作机制实施方案》五（四），三机关每年联合或单独组织专业知识培训、经验交流和研讨。',
      `本年度须于 ${deadline} 前至少举办一次。`,
    ]),
  );

  const isReminder = (key: string) => key.startsWith('day-') || key.startsWith('quarter-') || key === 'warning';
  const timers = () => {
    const list: { key: string; atMs: number }[] = [];
    for (const m of ['04', '07', '10']) {
      const date = `${year}-${m}-01`;
      if (date <= deadline) list.push({ key: `quarter-${m}`, atMs: chinaAt(date, 9) });
    }
    if (ladder.warningAtMs !== null) list.push({ key: 'warning', atMs: ladder.warningAtMs });
    list.push({ key: 'deadline', atMs: ladder.overdueAtMs });
    if (ladder.escalationAtMs !== null) list.push({ key: 'escalation', atMs: ladder.escalationAtMs });
    list.push({ key: 'yearEnd', atMs: Math.max(period.dueAtMs + 1000, ladder.escalationAtMs ?? 0) });
    return list
      .filter((t) => !fired.has(t.key) && !(isReminder(t.key) && t.atMs < startedAtMs))
      .sort((a, b) => a.atMs - b.atMs);
  };
  const fire = async (key: string) => {
    const at = Date.now();
    if (key.startsWith('quarter-') || key === 'warning') {
      if (held().length) return;
      reminders.push(key);
      const warning = key === 'warning';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/reminder/${key}`,
          type: warning ? 'dutyWarning' : 'dutyReminder',
          labelZh: `${warning ? '预警' : '季度提醒'}：${label}尚未举办，${deadline} 期满`,
          occurredAtMs: at,
        },
        [],
        all(['handling'], `【${warning ? '预警' : '提醒'}】${year}年度尚未举办教育培训`, [
          `期满日：${deadline}`,
          `已计划：${
            sessions
              .filter((s) => s.status === 'planned')
              .map((s) => `${s.titleZh}（${s.date}）`)
              .join('、') || '无'
          }`,
        ]),
      );
    } else if (key === 'deadline') {
      if (held().length) return;
      status = 'nonCompliant';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/nonCompliant`,
          type: 'dutyNonCompliant',
          labelZh: `未履行：${label}，${deadline} 前未举办培训`,
          occurredAtMs: at,
        },
        [],
        AGENCIES.map((a) =>
          mail(a, ['agencyHead'], `【未履行】${year}年度未举办教育培训`, [`${deadline} 前三机关均未举办培训。`]),
        ),
      );
    } else if (key === 'escalation') {
      if (status !== 'nonCompliant') return;
      status = 'escalated';
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/escalated`,
          type: 'dutyEscalated',
          labelZh: `提请联动工作组督办：${label}未举办`,
          occurredAtMs: at,
        },
        [],
        [
          mail('eeb', ['workingGroup'], `【督办】${year}年度未举办教育培训`, [
            `${deadline} 期满后 3 个工作日仍未举办培训，请联动工作组督办。`,
          ]),
        ],
      );
    } else if (key === 'yearEnd') {
      const attendance: Record<string, number> = { eeb: 0, psb: 0, spp: 0 };
      for (const s of held()) for (const a of AGENCIES) attendance[a] += s.attendance?.[a] ?? 0;
      report = { held: held().length, attendance, sessions: held().map((s) => `${s.date} ${s.titleZh}`) };
      await recordDuty(
        outbox,
        { ...row(), closedAtMs: at },
        {
          id: `${wfId}/report`,
          type: 'trainingReport',
          labelZh: `${label}完成情况：举办 ${report.held} 次，参训 生态环境局 ${attendance.eeb} 人、公安局 ${attendance.psb} 人、检察院 ${attendance.spp} 人`,
          occurredAtMs: at,
          data: report,
        },
        sessions.map(item),
        all(['handling'], `【年度报告】${year}年度教育培训完成情况`, [
          `举办 ${report.held} 次`,
          ...report.sessions,
          `参训：生态环境局 ${attendance.eeb} 人，公安局 ${attendance.psb} 人，检察院 ${attendance.spp} 人`,
        ]),
      );
    }
  };
  await rungs.run();
  await condition(outbox.settled);
  return view();
}
