import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, copyOf, records, restoringOnRefusal } from './kernel';
import { answerSchema, closeSchema, opinionSchema } from '../domain/duty-inputs';
import type { SupervisionItemRow } from '../activities/supervision';
import type { NotificationRequest } from '../activities/types';
import {
  AGENCY_ZH,
  computeLadder,
  computePeriod,
  createWorkingCalendar,
  effectivePolicyRule,
  isPolicyRuleId,
  RUNG_LEVEL,
  RUNG_ZH,
  rungAudience,
  type CalendarYearData,
  type RungKind,
} from '../domain/deadlines';
import {
  CLOSE_RESULT_ZH,
  OPINIONS,
  SUPERVISION_KIND_ZH,
  SUPERVISION_STATUS_ZH,
  canTransition,
  type CloseResult,
  type OpinionKind,
  type SupervisionStatus,
} from '../domain/supervision';
import { formatChinaTime, planClock } from './clocks';
import { mail, parseInput, reject, requireAgency } from './duties/common';
import type { DutyActor } from './definitions/duties';
import {
  answerOpinionUpdate,
  closeSupervisionUpdate,
  issueOpinionUpdate,
  supervisionStateQuery,
  type SupervisionClockView,
  type SupervisionItemInput,
  type SupervisionRequest,
  type SupervisionView,
} from './definitions/supervision';

export async function supervisionItemWorkflow(input: SupervisionItemInput): Promise<SupervisionView> {
  const lock = new Lock();
  const outbox = new Outbox({ supervisionItemId: input.seed.itemId });
  const wfId = workflowInfo().workflowId;
  const seed = input.seed;
  const id = seed.itemId;
  let status: SupervisionStatus = 'opened';
  let opinionKind: OpinionKind | undefined;
  let opinionText: string | undefined;
  let answerText: string | undefined;
  let result: CloseResult | undefined;
  let resultNote: string | undefined;
  let clock: SupervisionClockView | null = null;
  let clockSeq = 0;
  let overdue = false;
  let closedAtMs: number | null = null;
  const snapshot = () => {
    const s = copyOf({
      status,
      opinionKind,
      opinionText,
      answerText,
      result,
      resultNote,
      clock,
      clockSeq,
      overdue,
      closedAtMs,
    });
    return () => {
      ({ status, opinionKind, opinionText, answerText, result, resultNote, clock, clockSeq, overdue, closedAtMs } = s);
    };
  };
  // The running clock's ladder: 预警 → 超期 → 督办, once per clock (clockSeq).
  const fired = new Set<string>();
  const rungs = new Ladder<ClockRung>({
    lock,
    next: () => {
      const c = clock;
      if (!c) return undefined;
      return (['warning', 'overdue', 'escalation'] as const)
        .map((kind) => ({
          clock: c,
          kind,
          atMs: kind === 'warning' ? c.warningAtMs : kind === 'overdue' ? c.overdueAtMs : c.escalationAtMs,
        }))
        .filter((s): s is ClockRung => s.atMs !== null && !fired.has(`${clockSeq}/${s.kind}`))[0];
    },
    fire: (r) => fireRung(r),
    done: () => status === 'closed',
  });
  // Loaded inside the opening change: no await may come before the handlers are registered (an update sent at
  // start would find none).
  let years: CalendarYearData[] = [];

  const view = (): SupervisionView => ({
    itemId: id,
    status,
    statusZh: SUPERVISION_STATUS_ZH[status],
    kind: seed.kind,
    kindZh: SUPERVISION_KIND_ZH[seed.kind],
    seed,
    opinionKind,
    opinionText,
    answerText,
    result,
    resultNote,
    clock,
    overdue,
  });
  const row = (): SupervisionItemRow => ({
    id,
    workflowId: wfId,
    seed,
    status,
    opinionKind: opinionKind ?? null,
    opinionText: opinionText ?? null,
    answerText: answerText ?? null,
    clockRuleId: clock?.ruleId ?? null,
    clockAgency: clock?.agency ?? null,
    dueAtMs: clock?.dueAtMs ?? null,
    dueDate: clock?.dueDate ?? null,
    escalationLevel: clock?.level ?? 'none',
    overdue,
    result: result ?? null,
    resultNote: resultNote ?? null,
    closedAtMs,
  });
  const title = `${SUPERVISION_KIND_ZH[seed.kind]}：${seed.subjectLabelZh}`;
  const link = `链接：/#/supervision/${id}`;
  async function record(
    event: {
      id: string;
      type: string;
      labelZh: string;
      actor?: DutyActor;
      ruleId?: string;
      data?: Record<string, unknown>;
    },
    notify: NotificationRequest[] = [],
  ) {
    const actor = event.actor
      ? { userId: event.actor.userId, agency: event.actor.agency, displayName: event.actor.displayName }
      : undefined;
    await outbox.recordAndDeliver(() =>
      records.recordSupervisionChange({
        item: row(),
        event: { ...event, actor, occurredAtMs: Date.now() },
        notify,
      }),
    );
  }

  /** Starts the clock of a rule (statutory or platform policy) from now. */
  function startClock(ruleId: string, agency: string): SupervisionClockView {
    const now = Date.now();
    clockSeq += 1;
    if (isPolicyRuleId(ruleId)) {
      const rule = effectivePolicyRule(ruleId, input.policyOverrides);
      const calendar = createWorkingCalendar(years);
      const period = computePeriod({ unit: rule.unit, limit: rule.limit, startMs: now, custody: false, calendar });
      const l = computeLadder(rule.escalation, { ...period, exactInstant: rule.unit === 'hours' }, calendar);
      return {
        ruleId,
        labelZh: rule.labelZh,
        agency,
        basis: rule.basis,
        dueAtMs: period.dueAtMs,
        dueDate: period.dueDate,
        warningAtMs: l.warningAtMs,
        overdueAtMs: l.overdueAtMs,
        escalationAtMs: l.escalationAtMs,
        level: 'none',
      };
    }
    const p = planClock({
      ruleId,
      startedAtMs: now,
      custody: false,
      calendarYears: years,
      actingAgency: agency,
      policyOverrides: input.policyOverrides,
    });
    const overdueStep = p.ladder.find((s) => s.kind === 'overdue')!;
    return {
      ruleId,
      labelZh: p.labelZh,
      agency,
      basis: p.basis,
      dueAtMs: p.dueAtMs,
      dueDate: p.dueDate,
      warningAtMs: p.warningAtMs,
      overdueAtMs: overdueStep.atMs,
      escalationAtMs: p.escalationAtMs,
      level: 'none',
    };
  }
  const clockLine = (c: SupervisionClockView) =>
    `期限：${c.labelZh}（${c.ruleId}），${formatChinaTime(c.dueAtMs)} 期满；依据：${c.basis}`;

  const requireSpp = (req: SupervisionRequest | undefined, what: string) => requireAgency(req?.actor, ['spp'], what);
  const mustMove = (to: SupervisionStatus, what: string) => {
    if (!canTransition(status, to)) throw reject(409, `监督事项当前为“${SUPERVISION_STATUS_ZH[status]}”，不能${what}`);
  };

  // Opened (before any update can take the lock): the SPP's review clock (policy rule supervision.review).
  const opening = lock.run(async () => {
    years = (await records.loadCalendarYears()) as CalendarYearData[];
    clock = startClock('supervision.review', 'spp');
    await record(
      {
        id: `${id}/opened`,
        type: 'supervisionOpened',
        labelZh: `生成检察监督事项（${SUPERVISION_KIND_ZH[seed.kind]}）：${seed.reasonZh}`,
        ruleId: 'supervision.review',
        data: { source: seed.source, criterionId: seed.criterionId, sweepPeriodId: seed.sweepPeriodId ?? null },
      },
      [
        mail('spp', ['supervision'], `【检察监督事项】${title}`, [
          `事项：${title}`,
          `来源：${seed.source === 'sweep' ? '移送立案监督检查' : `期限超期（${seed.source.replace(/^ladder-/, '')}）`}`,
          `理由：${seed.reasonZh}`,
          `依据：${seed.basis}`,
          clockLine(clock),
          link,
        ]),
      ],
    );
  });

  setHandler(supervisionStateQuery, view);

  setHandler(
    issueOpinionUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const actor = requireSpp(req, '发出检察意见');
          mustMove('opinionIssued', '发出检察意见');
          const v = opinionSchema.parse(req.input ?? {});
          const spec = OPINIONS[v.opinionKind];
          if (!spec.kinds.includes(seed.kind))
            throw reject(422, `“${spec.labelZh}”不适用于${SUPERVISION_KIND_ZH[seed.kind]}事项`, 'opinionKind');
          status = 'opinionIssued';
          opinionKind = v.opinionKind;
          opinionText = v.text;
          answerText = undefined;
          clock = startClock(spec.answerRuleId, spec.addressee);
          overdue = false;
          await record(
            {
              id: `${id}/opinion/${clockSeq}`,
              type: 'supervisionOpinionIssued',
              labelZh: `人民检察院发出${spec.labelZh}，${AGENCY_ZH[spec.addressee]}应于 ${clock.dueDate} 前答复`,
              actor,
              ruleId: spec.answerRuleId,
              data: { opinionKind: v.opinionKind, text: v.text, dueDate: clock.dueDate },
            },
            [
              mail(spec.addressee, ['handling', 'agencyHead'], `【检察意见】${spec.labelZh}：${seed.subjectLabelZh}`, [
                `事项：${title}`,
                `检察意见：${spec.labelZh}`,
                `内容：${v.text}`,
                `法律依据：${spec.basis}`,
                clockLine(clock),
                link,
              ]),
            ],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireSpp(req, '发出检察意见');
        mustMove('opinionIssued', '发出检察意见');
        const v = parseInput(opinionSchema, req?.input);
        if (!OPINIONS[v.opinionKind].kinds.includes(seed.kind))
          throw reject(
            422,
            `“${OPINIONS[v.opinionKind].labelZh}”不适用于${SUPERVISION_KIND_ZH[seed.kind]}事项`,
            'opinionKind',
          );
      },
    },
  );

  const addressee = () => (opinionKind ? OPINIONS[opinionKind].addressee : seed.concernedAgency);
  setHandler(
    answerOpinionUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const actor = requireAgency(req?.actor, [addressee()], '答复检察意见');
          mustMove('answered', '答复');
          const v = answerSchema.parse(req.input ?? {});
          const late = clock ? Date.now() > clock.dueAtMs : false;
          const spec = OPINIONS[opinionKind!];
          status = 'answered';
          answerText = v.text;
          clock = spec.closeRuleId ? startClock(spec.closeRuleId, 'spp') : null;
          await record(
            {
              id: `${id}/answer/${clockSeq}`,
              type: 'supervisionAnswered',
              labelZh: `${AGENCY_ZH[actor.agency as 'eeb']}答复${spec.labelZh}${late ? '（超过答复期限）' : ''}`,
              actor,
              ruleId: spec.answerRuleId,
              data: { text: v.text, late },
            },
            [
              mail('spp', ['supervision'], `【检察意见答复】${seed.subjectLabelZh}`, [
                `事项：${title}`,
                `${AGENCY_ZH[actor.agency as 'eeb']}答复：${v.text}`,
                ...(clock ? [clockLine(clock)] : ['请审查后办结或者再次发出检察意见']),
                link,
              ]),
            ],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireAgency(req?.actor, [addressee()], '答复检察意见');
        mustMove('answered', '答复');
        parseInput(answerSchema, req?.input);
      },
    },
  );

  setHandler(
    closeSupervisionUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          const actor = requireSpp(req, '办结监督事项');
          mustMove('closed', '办结');
          const v = closeSchema.parse(req.input ?? {});
          const late = clock ? Date.now() > clock.dueAtMs : false;
          status = 'closed';
          result = v.result;
          resultNote = v.note;
          closedAtMs = Date.now();
          clock = null;
          overdue = false;
          const lines = [
            `事项：${title}`,
            `结果：${CLOSE_RESULT_ZH[v.result]}`,
            ...(v.note ? [`说明：${v.note}`] : []),
            link,
          ];
          await record(
            {
              id: `${id}/closed`,
              type: 'supervisionClosed',
              labelZh: `人民检察院办结监督事项：${CLOSE_RESULT_ZH[v.result]}${late ? '（超过期限）' : ''}`,
              actor,
              data: { result: v.result, note: v.note ?? null, late },
            },
            [
              mail(seed.concernedAgency, ['handling', 'agencyHead'], `【监督事项办结】${seed.subjectLabelZh}`, lines),
              ...(v.result === 'referred'
                ? [mail('workingGroup', ['workingGroup'], `【提请督办】${title}`, lines)]
                : []),
            ],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireSpp(req, '办结监督事项');
        mustMove('closed', '办结');
        parseInput(closeSchema, req?.input);
      },
    },
  );

  await opening;

  async function fireRung({ clock: c, kind }: ClockRung) {
    if (clock !== c || status === 'closed') return;
    const key = `${clockSeq}/${kind}`;
    if (fired.has(key)) return;
    fired.add(key);
    c.level = RUNG_LEVEL[kind];
    if (kind !== 'warning') overdue = true;
    const who = c.agency;
    const labelZh = `${RUNG_ZH[kind]}：${c.labelZh}（${AGENCY_ZH[who as 'spp'] ?? who}）${kind === 'warning' ? `将于 ${formatChinaTime(c.dueAtMs)} 期满` : kind === 'overdue' ? `已于 ${formatChinaTime(c.dueAtMs)} 期满` : '超期 3 个工作日，提请联动工作组督办'}`;
    const lines = [`事项：${title}`, labelZh, clockLine(c), link];
    const subject = `【${RUNG_ZH[kind]}】${title}`;
    // The procuratorate's own clocks go to its supervision staff until the working group escalates; an overdue
    // answer of another agency is told to the procuratorate too.
    const notify = [
      mail(who, who === 'spp' && kind !== 'escalation' ? ['supervision'] : rungAudience(kind), subject, lines),
      ...(kind === 'overdue' && who !== 'spp' ? [mail('spp', ['supervision'], subject, lines)] : []),
    ];
    await record(
      {
        id: `${id}/clock/${clockSeq}/${kind}`,
        type: `supervision${kind[0].toUpperCase()}${kind.slice(1)}`,
        labelZh,
        ruleId: c.ruleId,
        data: { dueAt: c.dueAtMs, agency: who },
      },
      notify,
    );
  }

  await rungs.run();
  await condition(outbox.settled);
  return view();
}

/** One rung of the running clock. */
interface ClockRung {
  clock: SupervisionClockView;
  kind: RungKind;
  atMs: number;
}
