import { ParentClosePolicy, condition, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, copyOf, restoringOnRefusal } from '../kernel';
import {
  cancelOperationSchema,
  openCaseFromLeadSchema,
  planOperationSchema,
  recordOutcomeSchema,
} from '../../domain/duty-inputs';
import type { DutyItemRow, DutyPeriodRow } from '../../activities/duty-types';
import { validateInitial, type Actor } from '../../domain/case';
import { caseWorkflow, type CaseWorkflowInput } from '../case';
import {
  chinaAt,
  chinaDate,
  dutyLadder,
  mail,
  parseInput,
  periodLabel,
  recordDuty,
  reject,
  requireAgency,
} from './common';
import type { DutyActor, DutyPeriodInput } from '../definitions/duties';
import {
  cancelOperationUpdate,
  jointEnforcementStateQuery,
  openCaseFromLeadUpdate,
  planOperationUpdate,
  recordOutcomeUpdate,
  type JointEnforcementView,
  type JointOperation,
} from '../definitions/joint-enforcement';

/**
 * 联合执法 (joint-enforcement.monthly, seed 五(二)): one workflow per month asks the EEB and the PSB to plan at least
 * one joint operation, reminds, records plans and outcomes, opens cases from leads, and at the month's end records
 * non-compliance and escalates to the working group.
 *
 * A lead opens its case as a child workflow of caseWorkflow (ParentClosePolicy ABANDON: the case outlives the month):
 * the start is a command in this history (deterministic on replay), the case id is drawn with the workflow's seeded
 * uuid4 and stored on the lead before the start, and the validator refuses a second opening of the same lead.
 */

const WHO = ['eeb', 'psb'];

export async function jointEnforcementWorkflow(input: DutyPeriodInput): Promise<JointEnforcementView> {
  // A period started late (first deployment, a catch-up) skips the reminders whose moment had passed by then.
  const startedAtMs = Date.now();
  const lock = new Lock();
  const outbox = new Outbox({ workflowId: workflowInfo().workflowId });
  // The period's timers (reminders and the duty's ladder, below); an update that plans or completes wakes them.
  const fired = new Set<string>();
  const rungs = new Ladder<{ key: string; atMs: number }>({
    lock,
    next: () => timers()[0],
    fire: async (t) => {
      fired.add(t.key);
      await fire(t.key);
    },
    // Past the month's end with an operation completed and none still planned, nothing is left to remind of.
    done: () =>
      Date.now() > period.dueAtMs && completed().length > 0 && !operations.some((o) => o.status === 'planned'),
    endWhenIdle: true,
  });
  const wfId = workflowInfo().workflowId;
  const { period } = input;
  const label = `${periodLabel('monthly', period.key)}联合执法`;
  const operations: JointOperation[] = [];
  const reminders: string[] = [];
  let status: 'open' | 'done' | 'nonCompliant' | 'escalated' | 'completedLate' = 'open';
  const snapshot = () => {
    const s = copyOf({ operations, reminders, status });
    return () => {
      operations.splice(0, operations.length, ...s.operations);
      reminders.splice(0, reminders.length, ...s.reminders);
      status = s.status;
    };
  };

  const completed = () => operations.filter((o) => o.status === 'completed');
  const complianceZh = () =>
    completed().length
      ? `本月已完成联合执法 ${completed().length} 次`
      : status === 'open'
        ? `本月尚未完成联合执法（计划中 ${operations.filter((o) => o.status === 'planned').length} 次）`
        : '本月未开展联合执法';
  const view = (): JointEnforcementView => ({
    workflowId: wfId,
    periodKey: period.key,
    labelZh: label,
    status,
    operations,
    reminders,
    complianceZh: complianceZh(),
  });
  const row = (): DutyPeriodRow => ({
    id: wfId,
    dutyId: input.dutyId,
    periodKey: period.key,
    cadence: input.cadence,
    startDate: period.startDate,
    endDate: period.endDate,
    status,
    labelZh: label,
    summary: {
      planned: operations.filter((o) => o.status === 'planned').length,
      completed: completed().length,
      cancelled: operations.filter((o) => o.status === 'cancelled').length,
    },
    closedAtMs: status === 'open' ? null : undefined,
  });
  const item = (o: JointOperation): DutyItemRow => ({
    id: `${wfId}/${o.id}`,
    kind: 'jointOperation',
    status: o.status,
    titleZh: o.titleZh,
    ownerAgency: o.plannedBy.agency,
    date: o.date,
    data: {
      places: o.places,
      targets: o.targets,
      members: o.members,
      cancelReason: o.cancelReason,
      outcome: o.outcome,
      leads: o.leads,
      leadCount: o.leads.length,
      recordedByAgency: o.outcome?.recordedBy.agency,
    },
  });
  const both = (audience: Parameters<typeof mail>[1], subject: string, lines: string[]) =>
    WHO.map((a) => mail(a, audience, subject, lines));
  const find = (id: string) => {
    const o = operations.find((x) => x.id === id);
    if (!o) throw reject(404, `本月没有编号为 ${id} 的联合执法行动`, 'operationId');
    return o;
  };
  const inMonth = (d: string) => d >= period.startDate && d <= period.endDate;
  const actorRef = (a: DutyActor) => ({ userId: a.userId, agency: a.agency, displayName: a.displayName });

  setHandler(jointEnforcementStateQuery, view);

  setHandler(
    planOperationUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = planOperationSchema.parse(req.input);
          const o: JointOperation = {
            id: `op-${operations.length + 1}`,
            status: 'planned',
            date: v.date,
            titleZh: v.titleZh ?? `${label}行动（${v.date}）`,
            places: v.places,
            targets: v.targets,
            members: v.members,
            plannedBy: req.actor,
            plannedAtMs: Date.now(),
            leads: [],
          };
          operations.push(o);
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${o.id}/planned`,
              type: 'jointOperationPlanned',
              labelZh: `制定联合执法计划：${o.titleZh}，${o.date}，地点 ${o.places.join('、')}`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: { operationId: o.id, date: o.date },
            },
            [item(o)],
            both(['handling'], `【联合执法计划】${o.titleZh}`, [
              `行动日期：${o.date}`,
              `检查地点：${o.places.join('、')}`,
              ...(o.targets.length ? [`检查对象：${o.targets.join('、')}`] : []),
              `生态环境局人员：${o.members.eeb.join('、')}`,
              `公安局人员：${o.members.psb.join('、')}`,
            ]),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, WHO, '联合执法计划');
        const v = parseInput(planOperationSchema, req.input);
        if (!inMonth(v.date))
          throw reject(422, `行动日期应在本期（${period.startDate} 至 ${period.endDate}）内`, 'date');
        if (status !== 'open' && Date.now() > period.dueAtMs) throw reject(409, '本期已结束，不能再制定计划');
      },
    },
  );

  setHandler(
    cancelOperationUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = cancelOperationSchema.parse(req.input);
          const o = find(v.operationId);
          o.status = 'cancelled';
          o.cancelReason = v.reason;
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${o.id}/cancelled`,
              type: 'jointOperationCancelled',
              labelZh: `取消联合执法：${o.titleZh}（${v.reason}）`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: { operationId: o.id },
            },
            [item(o)],
            both(['handling'], `【联合执法取消】${o.titleZh}`, [
              `原定日期：${o.date}`,
              `取消原因：${v.reason}`,
              '请重新制定本月联合执法计划。',
            ]),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, WHO, '取消联合执法');
        const v = parseInput(cancelOperationSchema, req.input);
        const o = find(v.operationId);
        if (o.status !== 'planned')
          throw reject(409, `该行动已${o.status === 'completed' ? '完成' : '取消'}，不能取消`);
      },
    },
  );

  setHandler(
    recordOutcomeUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = recordOutcomeSchema.parse(req.input);
          const o = find(v.operationId);
          o.status = 'completed';
          o.outcome = {
            sitesInspected: v.sitesInspected,
            violationsFound: v.violationsFound,
            summary: v.summary,
            attachments: v.attachments,
            recordedBy: req.actor,
            recordedAtMs: Date.now(),
          };
          o.leads = v.leads.map((l) => ({ description: l.description }));
          if (status === 'open') status = 'done';
          else if (status === 'nonCompliant') status = 'completedLate';
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${o.id}/completed`,
              type: 'jointOperationCompleted',
              labelZh: `联合执法完成：${o.titleZh}，检查点位 ${v.sitesInspected} 个，发现违法 ${v.violationsFound} 起，线索 ${v.leads.length} 条${status === 'completedLate' ? '（期满后补录）' : ''}`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: {
                operationId: o.id,
                sitesInspected: v.sitesInspected,
                violationsFound: v.violationsFound,
                leads: v.leads.length,
                attachments: v.attachments.length,
              },
            },
            [item(o)],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, WHO, '录入联合执法结果');
        const v = parseInput(recordOutcomeSchema, req.input);
        const o = find(v.operationId);
        if (o.status !== 'planned') throw reject(409, `该行动已${o.status === 'completed' ? '录入结果' : '取消'}`);
        if (o.date > chinaDate(Date.now())) throw reject(409, `行动日期 ${o.date} 尚未到来，不能录入结果`);
      },
    },
  );

  setHandler(
    openCaseFromLeadUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const v = openCaseFromLeadSchema.parse(req.input);
          const o = find(v.operationId);
          const lead = o.leads[v.leadIndex];
          // The id is fixed (and recorded in the lead) before the child starts: a retried update cannot open two.
          const caseId = uuid4();
          lead.caseId = caseId;
          lead.caseWorkflowId = `case-${caseId}`;
          const caseInput: CaseWorkflowInput = {
            caseId,
            title: v.title,
            summary: v.summary ?? `联合执法线索（${o.titleZh}）：${lead.description}`,
            track: v.track,
            confidentiality: v.confidentiality,
            createdAtMs: Date.now(),
            actor: req.actor as Actor,
            documentNumber: v.documentNumber,
            policyOverrides: req.policyOverrides,
          };
          await startChild(caseWorkflow, {
            workflowId: lead.caseWorkflowId,
            args: [caseInput],
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
          await recordDuty(
            outbox,
            row(),
            {
              id: `${wfId}/${o.id}/lead-${v.leadIndex}/case`,
              type: 'caseOpenedFromLead',
              labelZh: `联合执法线索立为案件：${v.confidentiality === 'confidential' ? '（保密案件）' : v.title}`,
              occurredAtMs: Date.now(),
              actor: actorRef(req.actor),
              data: { operationId: o.id, leadIndex: v.leadIndex, caseId },
            },
            [item(o)],
          );
          return { ...view(), caseId };
        }),
      ),
    {
      validator: (req) => {
        const actor = requireAgency(req?.actor, ['eeb'], '由线索登记案件');
        const v = parseInput(openCaseFromLeadSchema, req.input);
        const o = find(v.operationId);
        const lead = o.leads[v.leadIndex];
        if (!lead) throw reject(404, `该行动没有第 ${v.leadIndex + 1} 条线索`, 'leadIndex');
        if (lead.caseId) throw reject(409, `该线索已登记为案件（${lead.caseId}）`);
        const check = validateInitial({
          caseId: '00000000-0000-4000-8000-000000000000',
          title: v.title,
          track: v.track,
          createdAtMs: Date.now(),
          actor,
          confidentiality: v.confidentiality,
          documentNumber: v.documentNumber,
        });
        if (!check.ok) throw reject(check.code, check.messageZh, check.field);
      },
    },
  );

  // Opening: ask both agencies to plan.
  const ladder = await dutyLadder(input);
  await recordDuty(
    outbox,
    row(),
    {
      id: `${wfId}/opened`,
      type: 'dutyPeriodOpened',
      labelZh: `${label}：请生态环境局、公安局制定本月联合执法计划`,
      occurredAtMs: Date.now(),
      data: { dueAt: period.dueAt, escalationAt: ladder.escalationAt },
    },
    [],
    both(['handling'], `【联合执法】请制定${periodLabel('monthly', period.key)}联合执法计划`, [
      '依据《长治市生态环境执法联动协作工作机制实施方案》五（二），生态环境部门与公安机关每月至少开展一次联合执法。',
      `本期：${period.startDate} 至 ${period.endDate}`,
      '请双方协商确定行动日期、检查地点或对象及双方参加人员，并在平台录入计划。',
    ]),
  );

  // Timers: configured reminder days while nothing is planned, the day before each planned operation, the ladder.
  const reminderDays = input.settings?.reminderDays ?? [10, 20];
  const isReminder = (key: string) => key.startsWith('day-') || key.startsWith('quarter-') || key === 'warning';
  const timers = (): { key: string; atMs: number }[] => {
    const list: { key: string; atMs: number }[] = [];
    for (const d of reminderDays) {
      const date = `${period.key}-${String(d).padStart(2, '0')}`;
      if (date <= period.endDate) list.push({ key: `day-${d}`, atMs: chinaAt(date, 9) });
    }
    for (const o of operations) {
      if (o.status !== 'planned') continue;
      const dayBefore = chinaAt(o.date, 9) - 86_400_000;
      // Only a reminder that still lies ahead when the plan is made.
      if (dayBefore > o.plannedAtMs) list.push({ key: `before-${o.id}`, atMs: dayBefore });
    }
    if (ladder.warningAtMs !== null) list.push({ key: 'warning', atMs: ladder.warningAtMs });
    list.push({ key: 'end', atMs: ladder.overdueAtMs });
    if (ladder.escalationAtMs !== null) list.push({ key: 'escalation', atMs: ladder.escalationAtMs });
    return list
      .filter((t) => !fired.has(t.key) && !(isReminder(t.key) && t.atMs < startedAtMs))
      .sort((a, b) => a.atMs - b.atMs);
  };

  const fire = async (key: string) => {
    const at = Date.now();
    const anyPlanned = operations.some((o) => o.status === 'planned' || o.status === 'completed');
    if (key.startsWith('day-')) {
      if (anyPlanned) return;
      reminders.push(key);
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/reminder/${key}`,
          type: 'dutyReminder',
          labelZh: `提醒：${label}尚未制定计划`,
          occurredAtMs: at,
        },
        [],
        both(['handling'], `【提醒】${periodLabel('monthly', period.key)}尚未制定联合执法计划`, [
          `本月联合执法尚无计划，期满日 ${period.endDate}。`,
          '请尽快协商并录入计划。',
        ]),
      );
    } else if (key.startsWith('before-')) {
      const o = operations.find((x) => `before-${x.id}` === key);
      if (!o || o.status !== 'planned') return;
      reminders.push(key);
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/reminder/${key}`,
          type: 'dutyReminder',
          labelZh: `提醒：明日联合执法 ${o.titleZh}`,
          occurredAtMs: at,
          data: { operationId: o.id },
        },
        [],
        both(['handling'], `【提醒】明日联合执法：${o.titleZh}`, [
          `行动日期：${o.date}`,
          `检查地点：${o.places.join('、')}`,
          `生态环境局人员：${o.members.eeb.join('、')}`,
          `公安局人员：${o.members.psb.join('、')}`,
        ]),
      );
    } else if (key === 'warning') {
      if (completed().length) return;
      reminders.push(key);
      await recordDuty(
        outbox,
        row(),
        {
          id: `${wfId}/warning`,
          type: 'dutyWarning',
          labelZh: `预警：${label}尚未完成，${period.endDate} 期满`,
          occurredAtMs: at,
        },
        [],
        both(['handling'], `【预警】${periodLabel('monthly', period.key)}联合执法尚未完成`, [
          `期满日：${period.endDate}`,
          complianceZh(),
        ]),
      );
    } else if (key === 'end') {
      if (completed().length) return;
      status = 'nonCompliant';
      await recordDuty(
        outbox,
        { ...row(), closedAtMs: at },
        {
          id: `${wfId}/nonCompliant`,
          type: 'dutyNonCompliant',
          labelZh: `未履行：${label}，本月未完成联合执法`,
          occurredAtMs: at,
          data: { operations: operations.map((o) => ({ id: o.id, status: o.status, date: o.date })) },
        },
        operations.map(item),
        both(['agencyHead'], `【未履行】${periodLabel('monthly', period.key)}未开展联合执法`, [
          `${label}期满（${period.endDate}），未完成联合执法。`,
          complianceZh(),
          `如 ${ladder.escalationAt ?? '近期'} 前仍未补录，将提请联动工作组督办。`,
        ]),
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
          labelZh: `提请联动工作组督办：${label}未完成`,
          occurredAtMs: at,
        },
        [],
        [
          mail(
            'eeb',
            ['workingGroup'],
            `【督办】${periodLabel('monthly', period.key)}生态环境局、公安局未开展联合执法`,
            [`${label}期满后 3 个工作日仍无已完成的联合执法。`, '请联动工作组督办。'],
          ),
        ],
      );
    }
  };

  await rungs.run();
  await condition(outbox.settled);
  const final = status as string;
  if (final === 'done' || final === 'completedLate') {
    await recordDuty(
      outbox,
      { ...row(), closedAtMs: Date.now() },
      {
        id: `${wfId}/closed`,
        type: 'dutyPeriodClosed',
        labelZh: `${label}办结：${complianceZh()}`,
        occurredAtMs: Date.now(),
      },
      operations.map(item),
    );
  }
  await condition(outbox.settled);
  return view();
}
