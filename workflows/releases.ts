import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { Ladder, Lock, Outbox, copyOf, records, restoringOnRefusal } from './kernel';
import type { ApprovalRowInput, ReleaseEventInput, ReleaseRowInput } from '../activities/releases';
import type { NotificationRequest } from '../activities/types';
import {
  computeLadder,
  computePeriod,
  createWorkingCalendar,
  effectivePolicyRule,
  RUNG_LEVEL,
  RUNG_ZH,
  rungAudience,
  type CalendarYearData,
  type RungKind,
} from '../domain/deadlines';
import {
  DECISION_ZH,
  PARTY_ZH,
  RELEASE_KIND_ZH,
  RELEASE_PARTIES,
  RELEASE_STATUS_ZH,
  decisionSchema,
  isReleaseParty,
  publicationBlock,
  releaseContentSchema,
  roundOutcome,
  type ApprovalStatus,
  type ReleaseContent,
  type ReleaseDecision,
  type ReleaseParty,
  type ReleaseStatus,
} from '../domain/releases';
import { formatChinaTime } from './clocks';
import { mail, parseInput, reject, requireAgency } from './duties/common';
import type { DutyActor } from './definitions/duties';
import {
  approveReleaseUpdate,
  publishReleaseUpdate,
  rejectReleaseUpdate,
  releaseRegisteredUpdate,
  releaseStateQuery,
  requestChangesReleaseUpdate,
  reviseReleaseUpdate,
  submitReleaseUpdate,
  type ApprovalView,
  type JointReleaseInput,
  type ReleaseRequest,
  type ReleaseView,
} from './definitions/releases';

/**
 * 联合发布 (jointRelease, seed 五(三)): one workflow per release, id `release-<releaseId>`. The drafting agency submits;
 * in each review round the EEB, the PSB and the SPP each approve, request changes (with comments: the round ends and
 * the drafter revises, which starts the next round) or reject (with a reason: the release ends rejected). It can be
 * published only after all three approved in the same round, and never when its content is marked other than 公开
 * or refers to a confidential case (checked at approval and again at publication). Each agency's review runs the
 * policy rule `release.approval` (5 working days per round) on the ladder of domain/deadlines: 预警 → 超期 → 督办.
 * Every change is one recordReleaseChange (release row, approval rows, event, outbox), idempotent on the event id.
 */

const RULE_ID = 'release.approval';

export async function jointReleaseWorkflow(input: JointReleaseInput): Promise<ReleaseView> {
  const lock = new Lock();
  const outbox = new Outbox({ releaseId: input.releaseId });
  const wfId = workflowInfo().workflowId;
  const id = input.releaseId;
  const rule = effectivePolicyRule(RULE_ID, input.policyOverrides);
  let content: ReleaseContent = input.content;
  let status: ReleaseStatus = 'draft';
  let round = 0;
  let submittedAtMs: number | null = null;
  let publishedAtMs: number | undefined;
  let rejected: ReleaseView['rejected'];
  let approvals: ApprovalView[] = [];
  const earlierRounds: ReleaseView['earlierRounds'] = [];
  let draftRevisions = 0;
  let calendarYears: CalendarYearData[] = [];
  let ready = false;
  const snapshot = () => {
    const s = copyOf({
      content,
      status,
      round,
      submittedAtMs,
      publishedAtMs,
      rejected,
      approvals,
      earlierRounds,
      draftRevisions,
    });
    return () => {
      ({ content, status, round, submittedAtMs, publishedAtMs, rejected, approvals, draftRevisions } = s);
      earlierRounds.splice(0, earlierRounds.length, ...s.earlierRounds);
    };
  };
  // The current round's clocks: each pending review runs warning → overdue → escalation until it is decided.
  const fired = new Set<string>();
  const rungs = new Ladder<ReviewRung>({
    lock,
    next: () => timers()[0],
    fire: async (t) => {
      fired.add(t.key);
      await fire(t);
    },
    done: () => status === 'published' || status === 'rejected',
  });

  const view = (): ReleaseView => ({
    releaseId: id,
    status,
    statusZh: RELEASE_STATUS_ZH[status],
    round,
    content,
    drafter: input.drafter,
    approvals,
    earlierRounds,
    publishedAtMs,
    rejected,
  });
  const row = (): ReleaseRowInput => ({
    id,
    workflowId: wfId,
    content,
    drafter: { agency: input.drafter.agency, userId: input.drafter.userId, displayName: input.drafter.displayName },
    status,
    round,
    submittedAtMs,
    publishedAtMs: publishedAtMs ?? null,
    publishedByAgency: publishedAtMs ? input.drafter.agency : null,
    rejectedByAgency: rejected?.agency ?? null,
    rejectedReason: rejected?.reason ?? null,
  });
  const approvalRow = (a: ApprovalView, r = round): ApprovalRowInput => ({
    round: r,
    agency: a.agency,
    status: a.status,
    startedAtMs: submittedAtMs ?? input.createdAtMs,
    dueAtMs: a.dueAtMs,
    dueDate: a.dueDate,
    provisional: a.provisional,
    warningAtMs: a.warningAtMs,
    escalationAtMs: a.escalationAtMs,
    level: a.level,
    decidedAtMs: a.decidedAtMs ?? null,
    decidedBy: a.decidedBy ?? null,
    comment: a.comment ?? null,
    late: a.late ?? false,
  });
  const actorRef = (a: DutyActor) => ({ userId: a.userId, agency: a.agency, displayName: a.displayName });
  const label = () => `“${content.title}”（${RELEASE_KIND_ZH[content.kind]}）`;
  const drafterZh = PARTY_ZH[input.drafter.agency as ReleaseParty] ?? input.drafter.agency;

  async function record(
    event: Omit<ReleaseEventInput, 'round' | 'occurredAtMs'>,
    notify: NotificationRequest[] = [],
    rows: ApprovalRowInput[] = approvals.map((a) => approvalRow(a)),
  ) {
    await outbox.recordAndDeliver(() =>
      records.recordReleaseChange({
        release: row(),
        approvals: rows,
        event: { ...event, round, occurredAtMs: Date.now() },
        notify,
      }),
    );
  }

  /** Opens a review round: three pending reviews, each with the `release.approval` clock from now. */
  function openRound(): void {
    round += 1;
    submittedAtMs = Date.now();
    const calendar = createWorkingCalendar(calendarYears);
    const period = computePeriod({
      unit: rule.unit,
      limit: rule.limit,
      startMs: submittedAtMs,
      custody: false,
      calendar,
    });
    const ladder = computeLadder(rule.escalation, { ...period, exactInstant: rule.unit === 'hours' }, calendar);
    approvals = RELEASE_PARTIES.map((agency) => ({
      agency,
      status: 'pending' as ApprovalStatus,
      dueAtMs: period.dueAtMs,
      dueDate: period.dueDate,
      warningAtMs: ladder.warningAtMs,
      overdueAtMs: ladder.overdueAtMs,
      escalationAtMs: ladder.escalationAtMs,
      provisional: ladder.provisional,
      level: 'none' as ApprovalView['level'],
    }));
    status = 'inReview';
  }
  const reviewMails = (subject: string, lines: string[]) =>
    RELEASE_PARTIES.map((a) => mail(a, ['handling', 'agencyHead'], subject, lines));
  const roundLines = () => [
    `发布稿：${label()}`,
    `起草单位：${drafterZh}`,
    `第 ${round} 轮审核，请于 ${approvals[0]?.dueDate ?? ''} 前作出审核意见（同意发布 / 要求修改 / 不同意发布）`,
    `期限规则：${RULE_ID}（${rule.labelZh}，${rule.limit} 个工作日；平台政策期限，非法定期限）`,
    `依据：${rule.basis}`,
    `链接：/#/releases/${id}`,
  ];

  const requireDrafter = (req: ReleaseRequest | undefined, what: string): DutyActor => {
    const actor = requireAgency(req?.actor, [...RELEASE_PARTIES], what);
    if (actor.agency !== input.drafter.agency) throw reject(403, `${what}由起草单位${drafterZh}办理`);
    return actor;
  };
  const decider = (req: ReleaseRequest | undefined, what: string): { actor: DutyActor; approval: ApprovalView } => {
    if (status !== 'inReview') throw reject(409, `发布稿当前为“${RELEASE_STATUS_ZH[status]}”，不在审核中，不能${what}`);
    const actor = requireAgency(req?.actor, [...RELEASE_PARTIES], what);
    const approval = approvals.find((a) => a.agency === actor.agency)!;
    if (approval.status !== 'pending')
      throw reject(
        409,
        `${PARTY_ZH[approval.agency]}已在第 ${round} 轮作出审核意见（${DECISION_ZH[decisionOf(approval.status)]}）`,
      );
    return { actor, approval };
  };
  const decisionOf = (s: ApprovalStatus): ReleaseDecision =>
    s === 'approved' ? 'approve' : s === 'rejected' ? 'reject' : 'requestChanges';

  setHandler(releaseStateQuery, view);
  setHandler(releaseRegisteredUpdate, async () => {
    await condition(() => ready);
    return view();
  });

  setHandler(
    submitReleaseUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          await condition(() => ready);
          if (status !== 'draft') throw reject(409, '发布稿已提交审核');
          openRound();
          await record(
            {
              id: `${id}/r${round}/submitted`,
              type: 'releaseSubmitted',
              labelZh: `${drafterZh}提交联合发布稿审核（第 ${round} 轮，${approvals[0].dueDate} 前）`,
              actor: actorRef(req.actor),
              ruleId: RULE_ID,
              data: { dueDate: approvals[0].dueDate },
            },
            reviewMails(`【联合发布审核】${content.title}`, roundLines()),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireDrafter(req, '提交审核');
        if (status !== 'draft') throw reject(409, `发布稿当前为“${RELEASE_STATUS_ZH[status]}”，不能再次提交`);
      },
    },
  );

  const decide = (decision: ReleaseDecision) => async (req: ReleaseRequest) =>
    lock.run(
      restoringOnRefusal(snapshot, async () => {
        await condition(() => ready);
        const { actor, approval } = decider(req, DECISION_ZH[decision]);
        const v = decisionSchema.parse({ ...(req.input as object), decision });
        if (decision === 'approve') {
          // The record may have changed since the draft: a referenced case may have become confidential.
          const check = await records.checkReleaseCases({ caseIds: content.caseIds });
          const block = publicationBlock(content, check.confidentialCaseNumbers);
          if (block) throw reject(409, `不能同意发布：${block}`);
        }
        const now = Date.now();
        approval.status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'changesRequested';
        approval.decidedAtMs = now;
        approval.decidedBy = { userId: actor.userId, displayName: actor.displayName };
        approval.comment = v.comment;
        approval.late = now > approval.dueAtMs;
        const outcome = roundOutcome(Object.fromEntries(approvals.map((a) => [a.agency, a.status])));
        const who = PARTY_ZH[approval.agency];
        const late = approval.late ? '（超过审核期限）' : '';
        let labelZh = `${who}${DECISION_ZH[decision]}${late}`;
        let notify: NotificationRequest[] = [];
        if (outcome === 'rejected') {
          status = 'rejected';
          rejected = { agency: approval.agency, reason: v.comment ?? '' };
          for (const a of approvals) if (a.status === 'pending') a.status = 'superseded';
          labelZh = `${who}不同意发布${late}，联合发布终止：${v.comment}`;
          notify = RELEASE_PARTIES.map((a) =>
            mail(a, ['handling'], `【联合发布未通过】${content.title}`, [
              `发布稿：${label()}`,
              `${who}不同意发布，理由：${v.comment}`,
              '该发布稿已终止，不会向社会发布。',
            ]),
          );
        } else if (outcome === 'changesRequested') {
          status = 'changesRequested';
          for (const a of approvals) if (a.status === 'pending') a.status = 'superseded';
          labelZh = `${who}要求修改${late}：${v.comment}`;
          notify = [
            mail(input.drafter.agency, ['handling'], `【联合发布要求修改】${content.title}`, [
              `发布稿：${label()}`,
              `${who}要求修改：${v.comment}`,
              '请起草单位修改后重新提交（修改即开始新一轮审核）。',
              `链接：/#/releases/${id}`,
            ]),
          ];
        } else if (outcome === 'approved') {
          status = 'approved';
          labelZh = `${who}同意发布${late}；三方均已同意（第 ${round} 轮），可以发布`;
          notify = [
            mail(input.drafter.agency, ['handling', 'agencyHead'], `【联合发布已获三方同意】${content.title}`, [
              `发布稿：${label()}`,
              `生态环境局、公安局、人民检察院均已在第 ${round} 轮同意发布，请起草单位发布。`,
              `链接：/#/releases/${id}`,
            ]),
          ];
        } else {
          notify = [
            mail(input.drafter.agency, ['handling'], `【联合发布审核意见】${content.title}`, [
              `发布稿：${label()}`,
              `${who}：${DECISION_ZH[decision]}${v.comment ? `，意见：${v.comment}` : ''}`,
            ]),
          ];
        }
        await record(
          {
            id: `${id}/r${round}/${approval.agency}/${decision}`,
            type: `release${decision[0].toUpperCase()}${decision.slice(1)}`,
            labelZh,
            actor: actorRef(actor),
            ruleId: RULE_ID,
            data: { agency: approval.agency, decision, comment: v.comment ?? null, late: approval.late, outcome },
          },
          notify,
        );
        rungs.wake();
        return view();
      }),
    );
  const decideValidator = (decision: ReleaseDecision) => (req: ReleaseRequest) => {
    decider(req, DECISION_ZH[decision]);
    parseInput(decisionSchema, { ...((req?.input ?? {}) as object), decision });
    if (decision === 'approve') {
      const block = publicationBlock(content, []);
      if (block) throw reject(409, `不能同意发布：${block}`);
    }
  };
  setHandler(approveReleaseUpdate, decide('approve'), { validator: decideValidator('approve') });
  setHandler(requestChangesReleaseUpdate, decide('requestChanges'), { validator: decideValidator('requestChanges') });
  setHandler(rejectReleaseUpdate, decide('reject'), { validator: decideValidator('reject') });

  setHandler(
    reviseReleaseUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          await condition(() => ready);
          const next = releaseContentSchema.parse(req.input);
          content = next;
          if (status === 'draft') {
            draftRevisions += 1;
            await record({
              id: `${id}/draft/revised/${draftRevisions}`,
              type: 'releaseRevised',
              labelZh: `${drafterZh}修改草稿`,
              actor: actorRef(req.actor),
            });
            return view();
          }
          // After a request for changes (or after approval, e.g. to drop a reference): a new round for all three.
          earlierRounds.push({ round, approvals });
          openRound();
          await record(
            {
              id: `${id}/r${round}/revised`,
              type: 'releaseRevised',
              labelZh: `${drafterZh}修改发布稿并重新提交（第 ${round} 轮，${approvals[0].dueDate} 前）`,
              actor: actorRef(req.actor),
              ruleId: RULE_ID,
              data: { dueDate: approvals[0].dueDate },
            },
            reviewMails(`【联合发布审核（修改稿）】${content.title}`, roundLines()),
            [
              ...earlierRounds[earlierRounds.length - 1].approvals.map((a) => approvalRow(a, round - 1)),
              ...approvals.map((a) => approvalRow(a)),
            ],
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireDrafter(req, '修改发布稿');
        if (!['draft', 'changesRequested', 'approved'].includes(status)) {
          throw reject(
            409,
            status === 'inReview'
              ? '发布稿审核中，不能修改；如需修改，请等待审核单位提出修改意见'
              : `发布稿当前为“${RELEASE_STATUS_ZH[status]}”，不能修改`,
          );
        }
        parseInput(releaseContentSchema, req.input);
      },
    },
  );

  setHandler(
    publishReleaseUpdate,
    (req) =>
      lock.run(
        restoringOnRefusal(snapshot, async () => {
          await condition(() => ready);
          const check = await records.checkReleaseCases({ caseIds: content.caseIds });
          const block = publicationBlock(content, check.confidentialCaseNumbers);
          if (block) throw reject(409, `不能发布：${block}`);
          if (status !== 'approved')
            throw reject(409, `发布稿当前为“${RELEASE_STATUS_ZH[status]}”，须经三方在同一轮审核中均同意后才能发布`);
          status = 'published';
          publishedAtMs = Date.now();
          await record(
            {
              id: `${id}/published`,
              type: 'releasePublished',
              labelZh: `${drafterZh}代表三方向社会发布（第 ${round} 轮审核通过）`,
              actor: actorRef(req.actor),
            },
            RELEASE_PARTIES.map((a) =>
              mail(a, ['handling', 'agencyHead'], `【联合发布已发布】${content.title}`, [
                `发布稿：${label()}`,
                `发布时间：${formatChinaTime(publishedAtMs!)}`,
                '公开页面：/public',
              ]),
            ),
          );
          rungs.wake();
          return view();
        }),
      ),
    {
      validator: (req) => {
        requireDrafter(req, '发布');
        if (status !== 'approved')
          throw reject(
            409,
            `发布稿当前为“${RELEASE_STATUS_ZH[status]}”，须经生态环境局、公安局、人民检察院在同一轮审核中均同意后才能发布`,
          );
        const block = publicationBlock(content, []);
        if (block) throw reject(409, `不能发布：${block}`);
      },
    },
  );

  calendarYears = (await records.loadCalendarYears()) as CalendarYearData[];
  {
    const parsed = releaseContentSchema.safeParse(input.content);
    if (!parsed.success) throw reject(422, parsed.error.issues.map((i) => i.message).join('；'));
    if (!isReleaseParty(input.drafter?.agency)) throw reject(403, '联合发布稿由生态环境局、公安局或人民检察院起草');
    content = parsed.data;
  }
  await record(
    {
      id: `${id}/created`,
      type: 'releaseDrafted',
      labelZh: `${drafterZh}起草联合发布稿${label()}`,
      actor: actorRef(input.drafter),
    },
    [],
    [],
  );
  ready = true;

  const timers = () => {
    const list: ReviewRung[] = [];
    if (status !== 'inReview') return list;
    for (const a of approvals) {
      if (a.status !== 'pending') continue;
      const steps = [
        ['warning', a.warningAtMs],
        ['overdue', a.overdueAtMs],
        ['escalation', a.escalationAtMs],
      ] as const;
      for (const [kind, at] of steps)
        if (at !== null) list.push({ key: `r${round}/${a.agency}/${kind}`, atMs: at, agency: a.agency, kind });
    }
    return list.filter((t) => !fired.has(t.key)).sort((x, y) => x.atMs - y.atMs);
  };
  const fire = async (t: ReviewRung) => {
    const a = approvals.find((x) => x.agency === t.agency);
    if (status !== 'inReview' || !a || a.status !== 'pending' || !t.key.startsWith(`r${round}/`)) return;
    a.level = RUNG_LEVEL[t.kind];
    const who = PARTY_ZH[a.agency];
    const what = `${RUNG_ZH[t.kind]}：${who}对联合发布稿${label()}的审核${t.kind === 'warning' ? '将于' : '已于'} ${a.dueDate} 期满${t.kind === 'escalation' ? '，期满后 3 个工作日仍未审核，提请联动工作组督办' : ''}`;
    await record(
      {
        id: `${id}/r${round}/${a.agency}/clock/${t.kind}`,
        type: `releaseClock${t.kind[0].toUpperCase()}${t.kind.slice(1)}`,
        labelZh: what,
        ruleId: RULE_ID,
        data: { agency: a.agency, dueDate: a.dueDate, dueAt: new Date(a.dueAtMs).toISOString() },
      },
      [
        mail(a.agency, rungAudience(t.kind), `【${RUNG_ZH[t.kind]}】联合发布稿审核：${content.title}`, [
          what,
          `期限规则：${RULE_ID}（${rule.labelZh}，${rule.limit} 个工作日；平台政策期限）`,
          `依据：${rule.basis}`,
          `链接：/#/releases/${id}`,
        ]),
      ],
    );
  };

  await rungs.run();
  await condition(outbox.settled);
  return view();
}

/** One rung of one agency's review in a round. */
interface ReviewRung {
  key: string;
  atMs: number;
  agency: ReleaseParty;
  kind: RungKind;
}
