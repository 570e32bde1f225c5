import { condition, setHandler } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, records, restoringOnRefusal, stepRejected } from './kernel';
import { AGENCY_ZH, RUNG_LEVEL, type RungKind } from '../domain/deadlines';
import { article34Decision, informationRecordInput } from '../domain/information';
import { planClock, type CalendarYearInput } from './clocks';
import {
  enterInformationRecordUpdate,
  platformEntryQuery,
  type PlatformEntryInput,
  type PlatformEntryView,
} from './definitions/information';

export async function platformEntryWorkflow(input: PlatformEntryInput): Promise<PlatformEntryView> {
  const lock = new Lock();
  const outbox = new Outbox({ caseId: input.caseId });
  const decision = article34Decision(input.step);
  if (!decision) throw stepRejected(422, `步骤 ${input.step} 不是第三十四条所列决定`);
  const seq = input.decisionEventId.split('/').pop();
  const clockId = `platform-entry-${seq}`;
  const calendarYears = (await records.loadCalendarYears()) as CalendarYearInput[];
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
  // The clock's ladder until the record is entered (Art 34 names no supervision item for a late entry).
  const fired = new Set<RungKind>();
  const rungs = new Ladder({
    lock,
    next: () =>
      plan.ladder.find(
        (s): s is typeof s & { kind: RungKind } => s.kind !== 'supervision' && !fired.has(s.kind as RungKind),
      ),
    fire: async (step) => {
      if (status === 'entered') return;
      fired.add(step.kind);
      level = RUNG_LEVEL[step.kind];
      await outbox.recordAndDeliver(() =>
        records.recordInformationDutyStep({
          decisionEventId: input.decisionEventId,
          caseId: input.caseId,
          kind: step.kind,
          eventId: `${input.caseId}/clock/${clockId}/${step.kind}/${plan.dueAtMs}`,
          atMs: Date.now(),
          scheduledAtMs: step.atMs,
          level,
          dueAtMs: plan.dueAtMs,
          basis: plan.basis,
        }),
      );
    },
    done: () => status === 'entered',
    endWhenIdle: true,
  });
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
          if (status === 'entered') throw stepRejected(409, '该决定的案件信息已经录入');
          late = Date.now() > plan.dueAtMs;
          await records.enterInformationRecord({
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
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        if (status === 'entered') throw stepRejected(409, '该决定的案件信息已经录入');
        if (!req?.actor || req.actor.agency !== input.agency) {
          throw stepRejected(
            403,
            `该决定由${(AGENCY_ZH as Record<string, string>)[input.agency] ?? input.agency}作出，应由其录入案件信息（2017年办法第三十四条）`,
          );
        }
        const parsed = informationRecordInput.safeParse(req.record ?? {});
        if (!parsed.success) throw stepRejected(422, parsed.error.issues.map((i) => i.message).join('；'));
      },
    },
  );

  await records.openInformationDuty({
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

  await rungs.run();
  await condition(() => status === 'entered');
  await condition(outbox.settled);
  return view();
}
