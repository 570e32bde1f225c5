import fs from 'node:fs';
import path from 'node:path';
import { asc, eq, like } from 'drizzle-orm';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { MockActivityEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createSupervisionActivities } from '../../activities/supervision';
import {
  caseEvents,
  cases,
  deadlines,
  dutyPeriods,
  notifications,
  penaltyRecords,
  supervisionEvents,
  supervisionItems,
} from '../../db/schema';
import { RULES, recurringPeriodOf } from '../../domain/deadlines';
import { supervisionItemId, supervisionWorkflowId } from '../../domain/supervision';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import type { DutyActor } from '../../workflows/definitions/duties';
import { chinaDate } from '../../workflows/duties/common';
import { supervisionSweepWorkflow } from '../../workflows/duties/supervision-sweep';
import { supervisionItemWorkflow } from '../../workflows/supervision';
import {
  answerOpinionUpdate,
  closeSupervisionUpdate,
  issueOpinionUpdate,
  supervisionStateQuery,
  type SupervisionView,
} from '../../workflows/definitions/supervision';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const DAY = 86_400_000;
const spp: DutyActor = { userId: 'spp-1', agency: 'spp', role: 'officer', displayName: '检察院监督员' };
const psb: DutyActor = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局法制员' };
const eeb: DutyActor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局执法员' };

/**
 * Supervision items and the procuratorate's sweep (spp.transfer-supervision-sweep) on the time-skipping server, over a
 * hand-built record: one case or penalty record per kind, and clean ones that must open nothing.
 */
describe('supervision sweep and items (time-skipping)', () => {
  let h: Stack;
  let now: number;
  const id = (n: number) => `00000000-0000-4000-a000-0000000000${String(n).padStart(2, '0')}`;

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'sup' });
    now = await h.env.currentTimeMs();
    const db = h.db.handle.db;
    const caseRow = (
      n: number,
      stage: string,
      createdAgoDays: number,
      extra: Partial<typeof cases.$inferInsert> = {},
    ) => ({
      id: id(n),
      caseNumber: `联动-2026-9000${n}`,
      title: `测试案件${n}`,
      track: 'criminal',
      stage,
      stageLabelZh: stage,
      workflowId: caseWorkflowId(id(n)),
      createdAt: new Date(now - createdAgoDays * DAY),
      ...extra,
    });
    await db.insert(cases).values([
      caseRow(1, 'taskForce', 40), // 有案不移: 40 days without transfer
      caseRow(2, 'accepted', 10), // 有案不立: filing decision overdue
      caseRow(3, 'investigation', 100), // 立而不侦: nothing recorded for 70 days
      caseRow(4, 'taskForce', 2), // clean: recent
      caseRow(5, 'accepted', 2), // clean: filing decision not yet due
      caseRow(6, 'investigation', 100), // clean: recent activity
      caseRow(7, 'taskForce', 50, { confidentiality: 'confidential', title: '保密标题不得外泄' }), // 有案不移, confidential
    ]);
    const dl = (n: number, dueInDays: number) => ({
      id: `${id(n)}/psb.filing-decision#1`,
      caseId: id(n),
      clockId: 'psb.filing-decision#1',
      ruleId: 'psb.filing-decision',
      labelZh: RULES['psb.filing-decision'].labelZh,
      responsibleAgency: 'psb',
      basis: RULES['psb.filing-decision'].basis,
      startedAt: new Date(now - 8 * DAY),
      dueAt: new Date(now + dueInDays * DAY),
      dueDate: chinaDate(now + dueInDays * DAY),
    });
    await db.insert(deadlines).values([dl(2, -5), dl(5, 2)]);
    const ev = (n: number, agoDays: number) => ({
      id: `${id(n)}/ev/${agoDays}`,
      caseId: id(n),
      type: 'step',
      labelZh: '办理',
      occurredAt: new Date(now - agoDays * DAY),
    });
    await db.insert(caseEvents).values([ev(3, 90), ev(3, 70), ev(6, 90), ev(6, 5)]);
    const pen = (n: number, party: string, fact: string, agoDays: number, type = '罚款') => ({
      id: `00000000-0000-4000-b000-0000000000${String(n).padStart(2, '0')}`,
      sourceSystem: 'eeb-penalty',
      sourceId: `P${n}`,
      agency: 'eeb',
      party,
      factSummary: fact,
      penaltyType: type,
      amount: '100000.00',
      decisionDate: chinaDate(now - agoDays * DAY),
      documentNumber: `长环罚〔2026〕${n}号`,
      importJobId: 'job-1',
      contentHash: `h${n}`,
    });
    await db.insert(penaltyRecords).values([
      pen(1, '甲化工有限公司', '非法倾倒危险废物5吨', 30), // 以罚代刑: Art 1(2)
      pen(2, '乙电镀厂', '未按规定设置危险废物识别标志', 30), // clean
      pen(3, '丙冶炼厂', '超标排放', 400),
      pen(4, '丙冶炼厂', '超标排放', 200),
      pen(5, '丙冶炼厂', '超标排放', 20), // 以罚代刑: Art 1(6), two prior penalties within two years
    ]);
  });
  afterAll(async () => {
    await h.close();
  });

  const items = () => h.db.handle.db.select().from(supervisionItems).orderBy(asc(supervisionItems.id));
  const itemsOf = async (n: number) => (await items()).filter((i) => i.subjectId === id(n));
  const eventsOf = (itemId: string) =>
    h.db.handle.db
      .select()
      .from(supervisionEvents)
      .where(eq(supervisionEvents.itemId, itemId))
      .orderBy(asc(supervisionEvents.seq));
  const handleOf = (itemId: string) => h.env.client.workflow.getHandle(supervisionWorkflowId(itemId));
  const act = (
    handle: WorkflowHandle,
    update: typeof issueOpinionUpdate,
    actor: DutyActor,
    input?: unknown,
  ): Promise<SupervisionView> => handle.executeUpdate(update, { args: [{ actor, input }] });
  async function refusal(p: Promise<unknown>) {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      return { code: (cause.details?.[0] as { code: number }).code, message: cause.message };
    }
    throw new Error('the update was accepted');
  }
  // Started, then awaited through the record: awaiting a result lets the test server skip time (and fire clocks).
  const sweep = async (workflowId: string) => {
    const period = recurringPeriodOf('monthly', chinaDate(now));
    const handle = await h.env.client.workflow.start(supervisionSweepWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ dutyId: 'spp.transfer-supervision-sweep', cadence: 'monthly', period }],
    });
    await waitFor('the sweep recorded', async () =>
      (await h.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, workflowId))).length ? true : undefined,
    );
    return handle.result();
  };

  it('the sweep finds each kind in the hand-built record, nothing in the clean cases, and records its result', async () => {
    const period = recurringPeriodOf('monthly', chinaDate(now));
    const r = await sweep(`duty-supervision-sweep-${period.key}`);
    expect(r.byKind).toEqual({ notTransferred: 2, notFiled: 1, notInvestigated: 1, penaltyInsteadOfCriminal: 2 });
    expect(r).toMatchObject({ opened: 6, found: 6, alreadyOpen: 0, checkedCases: 7, checkedPenaltyRecords: 5 });
    const rows = await waitFor('six items recorded', async () => {
      const all = await items();
      return all.length === 6 ? all : undefined;
    });
    const byKind = (k: string) =>
      rows
        .filter((i) => i.kind === k)
        .map((i) => i.subjectId)
        .sort();
    expect(byKind('notTransferred')).toEqual([id(1), id(7)]);
    expect(byKind('notFiled')).toEqual([id(2)]);
    expect(byKind('notInvestigated')).toEqual([id(3)]);
    expect(byKind('penaltyInsteadOfCriminal')).toEqual([
      '00000000-0000-4000-b000-000000000001',
      '00000000-0000-4000-b000-000000000005',
    ]);
    for (const n of [4, 5, 6]) expect(await itemsOf(n)).toEqual([]);
    // Reasons in Chinese, citing the article; a confidential case is named by number only.
    const pen1 = rows.find((i) => i.subjectId.endsWith('b000-000000000001'))!;
    expect(pen1.reasonZh).toContain('危险废物 5 吨');
    expect(pen1.basis).toContain('第一条第（二）项');
    expect(rows.find((i) => i.subjectId.endsWith('b000-000000000005'))!.basis).toContain('第一条第（六）项');
    const secret = rows.find((i) => i.subjectId === id(7))!;
    expect(secret.reasonZh).toContain('（保密案件）');
    expect(secret.reasonZh).not.toContain('保密标题不得外泄');
    expect(
      rows.every((i) => i.status === 'opened' && i.clockRuleId === 'supervision.review' && i.source === 'sweep'),
    ).toBe(true);
    // The duty period carries the result; the procuratorate was told.
    const [p] = await h.db.handle.db
      .select()
      .from(dutyPeriods)
      .where(eq(dutyPeriods.id, `duty-supervision-sweep-${period.key}`));
    expect(p).toMatchObject({ status: 'done', dutyId: 'spp.transfer-supervision-sweep' });
    expect(p.summary).toMatchObject({ checkedCases: 7, found: 6, opened: 6 });
    const mails = await h.db.handle.db
      .select()
      .from(notifications)
      .where(like(notifications.eventId, `duty-supervision-sweep-${period.key}/%`));
    expect(mails.length).toBeGreaterThan(0);
    expect(mails[0].subject).toContain('新生成监督事项 6 项');
    expect(mails.some((m) => m.bodyText.includes('保密标题不得外泄'))).toBe(false);
    // Items are started by an activity, not as children of the sweep.
    const history = await h.env.client.workflow.getHandle(`duty-supervision-sweep-${period.key}`).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types).not.toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(path.join(FIXTURES, 'supervision-sweep-opened.history.json'), historyToJSON(history));
  });

  it('a second sweep opens nothing twice', async () => {
    const before = await items();
    const r = await sweep('duty-supervision-sweep-rerun');
    // Every earlier match is covered; time may have moved on (the server skips it while the test waits), so a clock
    // that has run out since (case 5's filing decision) is a new match of its own — never a second item of one subject.
    expect(r.alreadyOpen).toBe(6);
    expect(r.openedItemIds.filter((i) => before.some((b) => b.id === i))).toEqual([]);
    const after = await waitFor('new items recorded', async () => {
      const all = await items();
      return all.length === before.length + r.opened ? all : undefined;
    });
    const keys = after.map((i) => `${i.subjectId}/${i.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('an item goes through its lifecycle: opinion → answer within the statutory clock → closed', async () => {
    const [item] = await itemsOf(2);
    const handle = handleOf(item.id);
    // Only the procuratorate issues opinions; an opinion must fit the kind.
    expect(
      await refusal(act(handle, issueOpinionUpdate, psb, { opinionKind: 'requestNonFilingReasons', text: '请说明' })),
    ).toMatchObject({ code: 403 });
    expect(
      await refusal(act(handle, issueOpinionUpdate, spp, { opinionKind: 'transferOpinion', text: '建议移送' })),
    ).toMatchObject({ code: 422 });
    expect(await refusal(act(handle, answerOpinionUpdate, psb, { text: '答复' }))).toMatchObject({ code: 409 });
    const v = await act(handle, issueOpinionUpdate, spp, {
      opinionKind: 'requestNonFilingReasons',
      text: '请于七日内书面说明不立案理由',
    });
    expect(v).toMatchObject({
      status: 'opinionIssued',
      clock: { ruleId: 'psb.non-filing-explanation', agency: 'psb' },
    });
    // psb.non-filing-explanation: 7 days (SPP Rules Art 560).
    expect(v.clock!.dueDate >= chinaDate(now + 7 * DAY)).toBe(true);
    // Only the addressed agency answers.
    expect(await refusal(act(handle, answerOpinionUpdate, eeb, { text: '答复' }))).toMatchObject({ code: 403 });
    expect(await refusal(act(handle, answerOpinionUpdate, psb, {}))).toMatchObject({ code: 422 });
    const a = await act(handle, answerOpinionUpdate, psb, { text: '经审查，现有证据不足以证明有犯罪事实' });
    expect(a).toMatchObject({ status: 'answered', clock: { ruleId: 'spp.review-outcome-notice', agency: 'spp' } });
    const c = await act(handle, closeSupervisionUpdate, spp, {
      result: 'reasonsUpheld',
      note: '不立案理由成立，已告知生态环境局',
    });
    expect(c).toMatchObject({ status: 'closed', result: 'reasonsUpheld' });
    // The closing mail is delivered after the update answers (off the lock); the workflow ends once it is out.
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const [row] = await h.db.handle.db.select().from(supervisionItems).where(eq(supervisionItems.id, item.id));
    expect(row).toMatchObject({
      status: 'closed',
      result: 'reasonsUpheld',
      opinionKind: 'requestNonFilingReasons',
      overdue: false,
    });
    expect(row.closedAt).toBeInstanceOf(Date);
    // (The review clock may have warned meanwhile: the server skips time while a test awaits a result.)
    expect((await eventsOf(item.id)).map((e) => e.type).filter((t) => !/Warning|Overdue|Escalation/.test(t))).toEqual([
      'supervisionOpened',
      'supervisionOpinionIssued',
      'supervisionAnswered',
      'supervisionClosed',
    ]);
    // The record of an item is append-only (migration 0011): no UPDATE, no DELETE, and the rows are still there.
    const failure = (q: Promise<unknown>) =>
      q.then(
        () => 'no error',
        (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`,
      );
    expect(
      await failure(
        h.db.handle.db.update(supervisionEvents).set({ labelZh: '改写' }).where(eq(supervisionEvents.itemId, item.id)),
      ),
    ).toMatch(/supervision_events is append-only/);
    expect(
      await failure(h.db.handle.db.delete(supervisionEvents).where(eq(supervisionEvents.itemId, item.id))),
    ).toMatch(/supervision_events is append-only/);
    expect((await eventsOf(item.id)).map((e) => e.labelZh)).not.toContain('改写');
    expect((await eventsOf(item.id)).filter((e) => e.type === 'supervisionClosed')).toHaveLength(1);
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(
        path.join(FIXTURES, 'supervision-item-lifecycle.history.json'),
        historyToJSON(await handle.fetchHistory()),
      );
  });

  it('the activity that opens the items starts each once: a retry of the same sweep counts its items, another sweep finds them started', async () => {
    const subject = '00000000-0000-4000-b000-000000000002'; // the clean penalty record: no item of its own
    const itemId = supervisionItemId('penaltyRecord', subject, 'penaltyInsteadOfCriminal', 'sweep');
    const seed = {
      itemId,
      kind: 'penaltyInsteadOfCriminal' as const,
      source: 'sweep',
      subjectType: 'penaltyRecord' as const,
      subjectId: subject,
      caseId: null,
      penaltyRecordId: subject,
      criterionId: 'threshold.hazardous-waste',
      reasonZh: '行政处罚决定所载事实已达刑事追诉标准',
      basis: '第一条第（二）项',
      concernedAgency: 'eeb',
      subjectLabelZh: '行政处罚决定',
      confidential: false,
      sweepPeriodId: 'duty-supervision-sweep-retry',
    };
    const activities = createSupervisionActivities({ db: h.db.handle.db });
    const run = (sweepPeriodId: string) =>
      new MockActivityEnvironment({ taskQueue: h.taskQueue }, { client: h.env.client }).run(
        activities.openSupervisionItems,
        { seeds: [seed], openedAtMs: now, sweepPeriodId },
      );
    expect(await run('duty-supervision-sweep-retry')).toEqual({ opened: [itemId], alreadyStarted: [] });
    expect(await run('duty-supervision-sweep-retry')).toEqual({ opened: [itemId], alreadyStarted: [] });
    expect(await run('duty-supervision-sweep-other')).toEqual({ opened: [], alreadyStarted: [itemId] });
    const rows = await waitFor('the item recorded', async () => {
      const r = (await items()).filter((i) => i.id === itemId);
      return r.length ? r : undefined;
    });
    expect(rows).toMatchObject([{ status: 'opened', sweepPeriodId: 'duty-supervision-sweep-retry' }]);
    expect((await eventsOf(itemId)).filter((e) => e.type === 'supervisionOpened')).toHaveLength(1);
  });
});

/**
 * The clocks of an item and the case ladder's rung, on a test server of their own: the first block's many open items
 * (15-day review clocks) would fire during these sleeps and make the record harder to read.
 */
describe('supervision item clocks and the case ladder rung (time-skipping)', () => {
  let h: Stack;
  const id = (n: number) => `00000000-0000-4000-a000-0000000001${String(n).padStart(2, '0')}`;
  const caseA = id(1);

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'sup2' });
    const now = await h.env.currentTimeMs();
    await h.db.handle.db.insert(cases).values({
      id: caseA,
      caseNumber: '联动-2026-99001',
      title: '测试案件',
      track: 'criminal',
      stage: 'taskForce',
      stageLabelZh: '专案组核实情况',
      workflowId: caseWorkflowId(caseA),
      createdAt: new Date(now - 40 * DAY),
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const itemsOf = async (n: number) =>
    h.db.handle.db
      .select()
      .from(supervisionItems)
      .where(eq(supervisionItems.subjectId, id(n)));
  const eventsOf = (itemId: string) =>
    h.db.handle.db
      .select()
      .from(supervisionEvents)
      .where(eq(supervisionEvents.itemId, itemId))
      .orderBy(asc(supervisionEvents.seq));
  const handleOf = (itemId: string) => h.env.client.workflow.getHandle(supervisionWorkflowId(itemId));
  const act = (
    handle: WorkflowHandle,
    update: typeof issueOpinionUpdate,
    actor: DutyActor,
    input?: unknown,
  ): Promise<SupervisionView> => handle.executeUpdate(update, { args: [{ actor, input }] });

  it('the sweep applies the days of its Schedule settings (DUTY_SCHEDULES notTransferredDays), not only the defaults', async () => {
    // Case A has waited 40 days: the default 30 would open 有案不移 (first block, case 1); 45 does not.
    const period = recurringPeriodOf('monthly', chinaDate(await h.env.currentTimeMs()));
    const workflowId = 'duty-supervision-sweep-settings';
    const handle = await h.env.client.workflow.start(supervisionSweepWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [
        {
          dutyId: 'spp.transfer-supervision-sweep',
          cadence: 'monthly',
          period,
          settings: { notTransferredDays: 45, idleInvestigationDays: 90 },
        },
      ],
    });
    const r = await handle.result();
    expect(r).toMatchObject({
      settings: { notTransferredDays: 45, idleInvestigationDays: 90 },
      checkedCases: 1,
      found: 0,
      opened: 0,
    });
    expect(await itemsOf(1)).toEqual([]);
    const [p] = await h.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, workflowId));
    expect(p.summary).toMatchObject({ settings: { notTransferredDays: 45, idleInvestigationDays: 90 } });
    const mails = await waitFor('the sweep mail', async () => {
      const m = await h.db.handle.db
        .select()
        .from(notifications)
        .where(like(notifications.eventId, `${workflowId}/%`));
      return m.length ? m : undefined;
    });
    expect(mails[0].bodyText).toContain('认定涉嫌犯罪 45 日未移送；立案后 90 日无办理记录');
  });

  it("an agency's answer that runs out escalates: 超期 then 督办 (eeb.transfer-after-procuratorate-opinion, 3 days)", async () => {
    const item = { id: supervisionItemId('case', caseA, 'notTransferred', 'sweep') };
    const handle = await h.env.client.workflow.start(supervisionItemWorkflow, {
      workflowId: supervisionWorkflowId(item.id),
      taskQueue: h.taskQueue,
      args: [
        {
          seed: {
            itemId: item.id,
            kind: 'notTransferred',
            source: 'sweep',
            subjectType: 'case',
            subjectId: caseA,
            caseId: caseA,
            penaltyRecordId: null,
            criterionId: 'sweep.not-transferred',
            reasonZh: '案件 联动-2026-99001“测试案件”认定涉嫌犯罪已 40 日仍未移送公安机关',
            basis: '《环境保护行政执法与刑事司法衔接工作办法》第十四条',
            concernedAgency: 'eeb',
            subjectLabelZh: '案件 联动-2026-99001“测试案件”',
            confidential: false,
          },
          openedAtMs: await h.env.currentTimeMs(),
        },
      ],
    });
    const v = await act(handle, issueOpinionUpdate, spp, {
      opinionKind: 'transferOpinion',
      text: '建议三日内移送公安机关',
    });
    expect(v.clock).toMatchObject({ ruleId: 'eeb.transfer-after-procuratorate-opinion', agency: 'eeb' });
    await h.env.sleep(v.clock!.escalationAtMs! - (await h.env.currentTimeMs()) + 60_000);
    const types = await waitFor('overdue and escalation', async () => {
      const t = (await eventsOf(item.id)).map((e) => e.type);
      return t.includes('supervisionEscalation') ? t : undefined;
    });
    expect(types.filter((t) => t === 'supervisionOverdue')).toHaveLength(1);
    const [row] = await h.db.handle.db.select().from(supervisionItems).where(eq(supervisionItems.id, item.id));
    expect(row).toMatchObject({
      status: 'opinionIssued',
      overdue: true,
      escalationLevel: 'escalated',
      clockAgency: 'eeb',
    });
    const mails = await h.db.handle.db
      .select()
      .from(notifications)
      .where(like(notifications.eventId, `${item.id}/clock/%`));
    expect(mails.some((m) => m.subject.startsWith('【超期】'))).toBe(true);
    expect(mails.some((m) => m.subject.startsWith('【督办】'))).toBe(true);
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(
        path.join(FIXTURES, 'supervision-item-escalated.history.json'),
        historyToJSON(await handle.fetchHistory()),
      );
  });

  it("a case clock's supervision rung opens an item (eeb.task-force → 有案不移), once", async () => {
    const caseId = id(50);
    const start = await h.env.currentTimeMs();
    const input: CaseWorkflowInput = {
      caseId,
      title: '某化工厂非法倾倒危险废物',
      track: 'criminal',
      confidentiality: 'internal',
      createdAtMs: start,
      actor: { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' },
    };
    const handle = await h.env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);
    const [clock] = await h.db.handle.db.select().from(deadlines).where(eq(deadlines.caseId, caseId));
    expect(clock.ruleId).toBe('eeb.task-force');
    await h.env.sleep(clock.dueAt.getTime() - start + 2 * DAY);
    const rows = await waitFor('the rung item', async () => {
      const r = await itemsOf(50);
      return r.length ? r : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'notTransferred',
      source: 'ladder-eeb.task-force#1',
      criterionId: 'eeb.task-force',
      concernedAgency: 'eeb',
      caseId,
    });
    expect(
      (await h.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).some(
        (e) => e.type === 'clockSupervision',
      ),
    ).toBe(true);
    const view = await handleOf(rows[0].id).query(supervisionStateQuery);
    expect(view).toMatchObject({ status: 'opened', kindZh: '有案不移' });
    await handle.terminate('test done');
  });
});
