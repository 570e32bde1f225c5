import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ActorRef, DeadlineRow, NotificationRequest } from '../activities/types';
import { formatChinaTime, planClock, type CalendarYearInput, type PlannedClock, type LadderStep } from './clocks';
import { CaseStage, CaseTrack, NextDeadline, Overdue, ResponsibleAgency } from './search-attributes';

export type Track = 'criminal' | 'detention' | 'administrative';

export interface CaseWorkflowInput {
  caseId: string;
  title: string;
  summary?: string;
  track: Track;
  confidentiality: 'public' | 'internal' | 'confidential';
  createdAtMs: number;
  actor: ActorRef;
  custody?: boolean;
}

export interface OpenClockView {
  clockId: string;
  ruleId: string;
  labelZh: string;
  basis: string;
  responsibleAgency: string;
  dueAt: string;
  dueDate: string;
  provisional: boolean;
  custody: boolean;
  level: DeadlineRow['escalationLevel'];
}

export interface CaseView {
  caseId: string;
  caseNumber?: string;
  track: Track;
  stage: string;
  stageLabelZh: string;
  overdue: boolean;
  openClocks: OpenClockView[];
}

/** Answered once the case row exists, so the API can return it (used with update-with-start). */
export const registeredUpdate = defineUpdate<CaseView>('registered');
export const stateQuery = defineQuery<CaseView>('state');
/** Sent when an administrator loads a calendar year: open clocks are re-timed. */
export const calendarChangedSignal = defineSignal<[{ year: number }]>('calendarChanged');

const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

/**
 * The first clock of each track (foundation slice). Criminal: 涉嫌犯罪 found → task force (Decree 310 Art 5);
 * detention: transfer decision → 3 workdays to transfer (2014 Measures Art 12); administrative penalty:
 * the decision must be entered in the platform within 7 days (2017 Measures Art 34).
 */
const FIRST: Record<Track, { stage: string; stageLabelZh: string; ruleId: string }> = {
  criminal: { stage: 'lead', stageLabelZh: '线索发现（待成立专案组）', ruleId: 'eeb.task-force' },
  detention: { stage: 'detentionTransferDecided', stageLabelZh: '已决定移送行政拘留', ruleId: 'eeb.detention-transfer' },
  administrative: { stage: 'administrativePenalty', stageLabelZh: '行政处罚办理中', ruleId: 'any.platform-entry' },
};

const LEVEL_BY_STEP: Record<LadderStep['kind'], DeadlineRow['escalationLevel']> = {
  warning: 'warning',
  overdue: 'overdue',
  supervision: 'supervision',
  escalation: 'escalated',
};

interface ClockState {
  clockId: string;
  plan: PlannedClock;
  fired: LadderStep['kind'][];
  level: DeadlineRow['escalationLevel'];
}

export async function caseWorkflow(input: CaseWorkflowInput): Promise<void> {
  const first = FIRST[input.track];
  // ready: the case row and its first clock are recorded, so the API can return both.
  const registration: { caseNumber?: string; ready?: boolean } = {};
  const stage = first.stage;
  const stageLabelZh = first.stageLabelZh;
  const clocks: ClockState[] = [];
  let calendarYears: CalendarYearInput[] = [];
  let calendarDirty = false;

  const view = (): CaseView => ({
    caseId: input.caseId,
    caseNumber: registration.caseNumber,
    track: input.track,
    stage,
    stageLabelZh,
    overdue: clocks.some((c) => c.fired.includes('overdue')),
    openClocks: clocks.map((c) => ({
      clockId: c.clockId,
      ruleId: c.plan.ruleId,
      labelZh: c.plan.labelZh,
      basis: c.plan.basis,
      responsibleAgency: c.plan.responsibleAgency,
      dueAt: c.plan.dueAtIso,
      dueDate: c.plan.dueDate,
      provisional: c.plan.provisional,
      custody: c.plan.custody,
      level: c.level,
    })),
  });

  setHandler(stateQuery, view);
  setHandler(registeredUpdate, async () => {
    await condition(() => registration.ready === true);
    return view();
  });
  setHandler(calendarChangedSignal, () => {
    calendarDirty = true;
  });

  const syncSearchAttributes = () => {
    const next = clocks
      .map((c) => c.plan.dueAtMs)
      .sort((a, b) => a - b)[0];
    upsertSearchAttributes([
      { key: CaseStage, value: stage },
      { key: CaseTrack, value: input.track },
      { key: ResponsibleAgency, value: clocks[0]?.plan.responsibleAgency ?? 'eeb' },
      { key: Overdue, value: clocks.some((c) => c.fired.includes('overdue')) },
      ...(next !== undefined ? [{ key: NextDeadline, value: new Date(next) }] : []),
    ]);
  };

  const deadlineRow = (c: ClockState): DeadlineRow => ({
    clockId: c.clockId,
    ruleId: c.plan.ruleId,
    labelZh: c.plan.labelZh,
    responsibleAgency: c.plan.responsibleAgency,
    basis: c.plan.basis,
    startedAtMs: c.plan.startedAtMs,
    dueAtMs: c.plan.dueAtMs,
    dueDate: c.plan.dueDate,
    custody: c.plan.custody,
    provisional: c.plan.provisional,
    status: 'open',
    escalationLevel: c.level,
  });

  const wf = workflowInfo().workflowId;
  calendarYears = (await records.loadCalendarYears()) as CalendarYearInput[];

  const reg = await records.registerCase({
    caseId: input.caseId,
    workflowId: wf,
    title: input.title,
    summary: input.summary,
    track: input.track,
    stage,
    stageLabelZh,
    responsibleAgency: 'eeb',
    confidentiality: input.confidentiality,
    createdBy: input.actor,
    event: {
      id: `${input.caseId}/created`,
      type: 'caseCreated',
      labelZh: '案件登记',
      occurredAtMs: input.createdAtMs,
      actor: input.actor,
      data: { track: input.track },
    },
  });
  registration.caseNumber = reg.caseNumber;

  // Open the track's first clock.
  const clock: ClockState = {
    clockId: `${first.ruleId}#1`,
    plan: planClock({ ruleId: first.ruleId, startedAtMs: input.createdAtMs, custody: input.custody ?? false, calendarYears }),
    fired: [],
    level: 'none',
  };
  clocks.push(clock);
  syncSearchAttributes();
  await records.recordCaseChange({
    caseId: input.caseId,
    event: {
      id: `${input.caseId}/clock/${clock.clockId}/opened`,
      type: 'clockOpened',
      labelZh: `期限开始计算：${clock.plan.labelZh}，期满 ${formatChinaTime(clock.plan.dueAtMs)}`,
      occurredAtMs: input.createdAtMs,
      ruleId: clock.plan.ruleId,
      data: { clockId: clock.clockId, dueAt: clock.plan.dueAtIso, dueDate: clock.plan.dueDate, provisional: clock.plan.provisional, explanation: clock.plan.explanation },
    },
    caseUpdate: { nextDeadlineAtMs: clock.plan.dueAtMs, responsibleAgency: clock.plan.responsibleAgency },
    deadlines: [deadlineRow(clock)],
  });
  registration.ready = true;

  for (;;) {
    if (calendarDirty) {
      calendarDirty = false;
      calendarYears = (await records.loadCalendarYears()) as CalendarYearInput[];
      for (const c of clocks) {
        const replanned = planClock({ ruleId: c.plan.ruleId, startedAtMs: c.plan.startedAtMs, custody: c.plan.custody, calendarYears });
        if (replanned.dueAtMs === c.plan.dueAtMs && replanned.provisional === c.plan.provisional) continue;
        const before = c.plan;
        c.plan = replanned;
        c.fired = c.fired.filter((k) => replanned.ladder.some((s) => s.kind === k && s.atMs <= Date.now()));
        await records.recordCaseChange({
          caseId: input.caseId,
          event: {
            id: `${input.caseId}/clock/${c.clockId}/retimed/${replanned.dueAtMs}`,
            type: 'clockRetimed',
            labelZh: `节假日安排更新，期限重新计算：${c.plan.labelZh} 由 ${before.dueDate} 改为 ${replanned.dueDate}`,
            occurredAtMs: Date.now(),
            ruleId: c.plan.ruleId,
            data: { clockId: c.clockId, before: before.dueAtIso, after: replanned.dueAtIso, provisional: replanned.provisional },
          },
          caseUpdate: { nextDeadlineAtMs: replanned.dueAtMs },
          deadlines: [deadlineRow(c)],
        });
      }
      syncSearchAttributes();
    }

    // The next ladder step that has not fired yet, over all open clocks.
    let next: { c: ClockState; step: LadderStep } | undefined;
    for (const c of clocks) {
      for (const step of c.plan.ladder) {
        if (c.fired.includes(step.kind)) continue;
        if (!next || step.atMs < next.step.atMs) next = { c, step };
        break;
      }
    }
    if (!next) {
      await condition(() => calendarDirty);
      continue;
    }
    const wait = next.step.atMs - Date.now();
    if (wait > 0) {
      const woke = await condition(() => calendarDirty, wait);
      if (woke) continue;
    }
    const { c, step } = next;
    c.fired.push(step.kind);
    c.level = LEVEL_BY_STEP[step.kind];
    if (step.kind === 'overdue') syncSearchAttributes();
    const result = await records.recordCaseChange({
      caseId: input.caseId,
      event: {
        id: `${input.caseId}/clock/${c.clockId}/${step.kind}`,
        type: `clock${step.kind[0].toUpperCase()}${step.kind.slice(1)}`,
        labelZh: ladderLabel(step, c.plan),
        occurredAtMs: Date.now(),
        ruleId: c.plan.ruleId,
        data: { clockId: c.clockId, dueAt: c.plan.dueAtIso, scheduledAt: new Date(step.atMs).toISOString(), supervisionType: step.supervisionType ?? null },
      },
      caseUpdate: step.kind === 'overdue' ? { overdue: true } : undefined,
      deadlines: [deadlineRow(c)],
      notify: [notification(step, c.plan, registration.caseNumber, input)],
    });
    if (result.notificationIds.length) {
      await delivery.deliverNotifications({ ids: result.notificationIds });
    } else {
      log.warn('没有可通知的收件人 (no recipient resolved)', { clock: c.clockId, step: step.kind });
    }
  }
}

const SUPERVISION_ZH: Record<string, string> = {
  notTransferred: '有案不移',
  notFiled: '有案不立',
  notInvestigated: '立而不侦',
  fineInsteadOfPenalty: '以罚代刑',
};

function ladderLabel(step: LadderStep, plan: PlannedClock): string {
  switch (step.kind) {
    case 'warning':
      return `预警：${plan.labelZh} 将于 ${formatChinaTime(plan.dueAtMs)} 期满`;
    case 'overdue':
      return `超期：${plan.labelZh} 已于 ${formatChinaTime(plan.dueAtMs)} 期满`;
    case 'supervision':
      return `生成检察监督事项（可能${SUPERVISION_ZH[step.supervisionType ?? ''] ?? '违法'}）：${plan.labelZh}`;
    case 'escalation':
    default:
      return `提请联动工作组督办：${plan.labelZh} 超期 3 个工作日`;
  }
}

function notification(step: LadderStep, plan: PlannedClock, caseNumber: string | undefined, input: CaseWorkflowInput): NotificationRequest {
  const audience: NotificationRequest['audience'] =
    step.kind === 'warning'
      ? ['handling']
      : step.kind === 'overdue'
        ? ['agencyHead']
        : step.kind === 'supervision'
          ? ['supervision']
          : ['workingGroup'];
  const title = input.confidentiality === 'confidential' ? '（保密案件）' : `“${input.title}”`;
  const what = ladderLabel(step, plan);
  return {
    audience,
    agency: plan.responsibleAgency,
    subject: `【${what.split('：')[0]}】案件 ${caseNumber ?? input.caseId} ${plan.labelZh}`,
    bodyText: [
      `案件编号：${caseNumber ?? input.caseId} ${title}`,
      `事项：${what}`,
      `期限规则：${plan.ruleId}（${plan.labelZh}）`,
      `期满时间：${formatChinaTime(plan.dueAtMs)}${plan.provisional ? '（暂定：该年度节假日安排尚未载入）' : ''}`,
      `法律依据：${plan.basis}`,
      `请及时办理：${plan.nextActionZh}`,
      `案件链接：/cases/${input.caseId}`,
      '',
      '本邮件由联动执法协作平台自动发送。',
    ].join('\n'),
  };
}
