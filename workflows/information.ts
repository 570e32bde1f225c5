import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { restoringOnRefusal } from './refusal';
import type { Activities } from '../activities';
import { AGENCY_ZH } from '../domain/deadlines';
import { article34Decision, informationRecordInput, type InformationRecordInput } from '../domain/information';
import { planClock, type CalendarYearInput, type LadderStep } from './clocks';
import { Lock } from './lock';

/**
 * The duty of 2017 Measures Art 34 for one decision of a case: rule `any.platform-entry` (7 days from the decision).
 * Started by the activity that records the decision (activities/information.ts), so caseWorkflow's command sequence
 * stays as it was; id `platform-entry-<caseId>-<seq>`. The responsible agency enters the record with an Update; until
 * then the clock runs the ladder of domain/deadlines (预警 → 超期 → 督办), each step a case event and a mail.
 */
export interface PlatformEntryInput {
  caseId: string;
  /** The decision's case event id (`<caseId>/step/<seq>`). */
  decisionEventId: string;
  step: string;
  /** The agency that made the decision: it enters the record. */
  agency: string;
  decidedAtMs: number;
  policyOverrides?: Record<string, unknown>;
}

export interface EnterRecordRequest {
  actor: { userId: string; agency: string; role: string; displayName?: string };
  record: InformationRecordInput;
}

export interface PlatformEntryView {
  decisionEventId: string;
  status: 'pending' | 'entered';
  dueAt: string;
  dueDate: string;
  level: 'none' | 'warning' | 'overdue' | 'escalated';
  late: boolean;
}

export const enterInformationRecordUpdate = defineUpdate<PlatformEntryView, [EnterRecordRequest]>(
  'enterInformationRecord',
);
export const platformEntryQuery = defineQuery<PlatformEntryView>('platformEntry');

const STEP_REJECTED = 'StepRejected';
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

const LEVEL: Record<LadderStep['kind'], PlatformEntryView['level']> = {
  warning: 'warning',
  overdue: 'overdue',
  supervision: 'overdue',
  escalation: 'escalated',
};

function refuse(code: number, messageZh: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: STEP_REJECTED,
    message: messageZh,
    nonRetryable: true,
    details: [{ code, field: null }],
  });
}

export async function platformEntryWorkflow(input: PlatformEntryInput): Promise<PlatformEntryView> {
  const lock = new Lock();
  const decision = article34Decision(input.step);
  if (!decision) throw refuse(422, `步骤 ${input.step} 不是第三十四条所列决定`);
  const seq = input.decisionEventId.split('/').pop();
  const clockId = `platform-entry-${seq}`;
  const calendarYears = (await acts.loadCalendarYears()) as CalendarYearInput[];
  const plan = planClock({
    ruleId: 'any.platform-entry',
    startedAtMs: input.decidedAtMs,
    custody: false,
    calendarYears,
    actingAgency: input.agency,
    policyOverrides: input.policyOverrides,
  });
  let status: PlatformEntryView['status'] = 'pending';
  let level: PlatformEntryView['level'] = 'none';
  let late = false;
  let ready = false;
  const snapshot = () => {
    const s = { status, level, late };
    return () => {
      ({ status, level, late } = s);
    };
  };
  const view = (): PlatformEntryView => ({
    decisionEventId: input.decisionEventId,
    status,
    dueAt: plan.dueAtIso,
    dueDate: plan.dueDate,
    level,
    late,
  });

  setHandler(platformEntryQuery, view);
  setHandler(
    enterInformationRecordUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          await condition(() => ready);
          if (status === 'entered') throw refuse(409, '该决定的案件信息已经录入');
          late = Date.now() > plan.dueAtMs;
          await acts.enterInformationRecord({
            decisionEventId: input.decisionEventId,
            caseId: input.caseId,
            clockId,
            eventId: `${input.caseId}/information/${seq}`,
            atMs: Date.now(),
            late,
            actor: req.actor,
            record: req.record,
          });
          status = 'entered';
          return view();
        }),
      ),
    {
      validator: (req) => {
        if (status === 'entered') throw refuse(409, '该决定的案件信息已经录入');
        if (!req?.actor || req.actor.agency !== input.agency) {
          throw refuse(
            403,
            `该决定由${(AGENCY_ZH as Record<string, string>)[input.agency] ?? input.agency}作出，应由其录入案件信息（2017年办法第三十四条）`,
          );
        }
        const parsed = informationRecordInput.safeParse(req.record ?? {});
        if (!parsed.success) throw refuse(422, parsed.error.issues.map((i) => i.message).join('；'));
      },
    },
  );

  await acts.openInformationDuty({
    decisionEventId: input.decisionEventId,
    caseId: input.caseId,
    workflowId: `platform-entry-${input.caseId}-${seq}`,
    step: input.step,
    agency: input.agency,
    decidedAtMs: input.decidedAtMs,
    dueAtMs: plan.dueAtMs,
    dueDate: plan.dueDate,
    provisional: plan.provisional,
  });
  ready = true;

  for (const step of plan.ladder) {
    if (step.kind === 'supervision') continue; // Art 34 names no supervision item for a late entry
    const wait = step.atMs - Date.now();
    if (wait > 0 && (await condition(() => status === 'entered', wait))) break;
    const fired = await lock.run(async () => {
      if (status === 'entered') return false;
      level = LEVEL[step.kind];
      const result = await acts.recordInformationDutyStep({
        decisionEventId: input.decisionEventId,
        caseId: input.caseId,
        kind: step.kind as 'warning' | 'overdue' | 'escalation',
        eventId: `${input.caseId}/clock/${clockId}/${step.kind}/${plan.dueAtMs}`,
        atMs: Date.now(),
        scheduledAtMs: step.atMs,
        level,
        dueAtMs: plan.dueAtMs,
        basis: plan.basis,
      });
      if (result.notificationIds.length) await delivery.deliverNotifications({ ids: result.notificationIds });
      return true;
    });
    if (!fired) break;
  }
  await condition(() => status === 'entered');
  await condition(allHandlersFinished);
  return view();
}
