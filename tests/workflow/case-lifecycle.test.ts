import fs from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { calendarYears, caseEvents, cases, deadlines, notifications } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { createWorkingCalendar } from '../../domain/deadlines';
import { caseWorkflow } from '../../workflows/case';
import {
  caseWorkflowId,
  stateQuery,
  stepUpdate,
  STEP_REJECTED,
  registeredUpdate,
  type CaseWorkflowInput,
} from '../../workflows/definitions/case';
import type { TestDb } from '../helpers/db';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';
import { testDataConverter } from '../helpers/keys';
import { actorClaimInterceptor } from '../../infra/actor-claims';
import { parseKeyRing } from '../../infra/keys';
import { startStack, type Stack } from '../helpers/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
const psbOfficer: Actor = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局办案人员' };
const sppOfficer: Actor = { userId: 'spp-1', agency: 'spp', role: 'officer', displayName: '检察官' };

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Case workflows driven through their Updates on the time-skipping server, with real activities. */
describe('case lifecycle (time-skipping)', () => {
  let h: Stack;
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let taskQueue: string;

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'life' });
    ({ env, db, taskQueue } = h);
  });
  afterAll(async () => {
    await h.close();
  });

  let n = 0;
  async function openCase(extra: Partial<CaseWorkflowInput> = {}) {
    n++;
    const caseId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const input: CaseWorkflowInput = {
      caseId,
      title: `某危险废物非法处置案 ${n}`,
      track: 'criminal',
      confidentiality: 'internal',
      createdAtMs: await env.currentTimeMs(),
      actor: eebOfficer,
      ...extra,
    };
    const handle = await env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);
    return { caseId, handle };
  }

  const step = (h: WorkflowHandle, name: string, actor: Actor, input: Record<string, unknown>) =>
    h.executeUpdate(stepUpdate(name), { args: [{ actor, input }] });

  async function rejected(h: WorkflowHandle, name: string, actor: Actor, input: Record<string, unknown>) {
    try {
      await step(h, name, actor, input);
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(STEP_REJECTED);
      return { code: (cause.details?.[0] as { code: number }).code, message: cause.message };
    }
    throw new Error(`${name} was accepted`);
  }

  /** RECORD_FIXTURES=1 writes the history for the replay test (tests/fixtures/, committed). */
  async function saveFixture(name: string, handle: WorkflowHandle) {
    const history = await handle.fetchHistory();
    if (process.env.RECORD_FIXTURES) {
      fs.mkdirSync(FIXTURES, { recursive: true });
      fs.writeFileSync(path.join(FIXTURES, `${name}.history.json`), historyToJSON(history));
    }
    return history;
  }

  const eventsOf = (caseId: string) =>
    db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
  const openDeadlines = async (caseId: string) =>
    (await db.handle.db.select().from(deadlines).where(eq(deadlines.caseId, caseId))).filter(
      (d) => d.status === 'open',
    );

  async function toAccepted(h: WorkflowHandle) {
    await step(h, 'formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    await step(h, 'submitTransferReport', eebOfficer, { documentNumber: '长环报〔2026〕1号' });
    await step(h, 'approveTransfer', eebHead, { documentNumber: '长环批〔2026〕1号' });
    await step(h, 'deliverTransfer', eebOfficer, {
      documentNumber: '长环移〔2026〕1号',
      copiedToSpp: true,
      psbUnit: '长治市公安局',
    });
    return step(h, 'acknowledgeReceipt', psbOfficer, { documentNumber: '长公回〔2026〕1号' });
  }

  it('runs a criminal case from lead to judgment; every step is recorded once, with who and the document number', async () => {
    const { caseId, handle } = await openCase();
    let view = await toAccepted(handle);
    expect(view.stage).toBe('accepted');
    expect(view.openClocks.map((c) => c.ruleId)).toEqual(['psb.filing-decision']);
    expect(view.responsibleAgency).toBe('psb');
    await env.sleep(HOUR);
    await step(handle, 'fileCase', psbOfficer, { documentNumber: '长公立〔2026〕1号' });
    await step(handle, 'notifyFiling', psbOfficer, { documentNumber: '长公立通〔2026〕1号', copiedToSpp: true });
    await step(handle, 'handOverEvidence', eebOfficer, { documentNumber: '长环交〔2026〕1号' });
    await step(handle, 'detainSuspect', psbOfficer, { documentNumber: '长公拘〔2026〕1号' });
    view = await step(handle, 'requestArrest', psbOfficer, { documentNumber: '长公提捕〔2026〕1号' });
    expect(view.openClocks.find((c) => c.ruleId === 'spp.arrest-decision')?.custody).toBe(true);
    await step(handle, 'approveArrest', sppOfficer, { documentNumber: '长检批捕〔2026〕1号' });
    view = await step(handle, 'executeArrest', psbOfficer, { documentNumber: '长公捕〔2026〕1号' });
    const custody = view.openClocks.find((c) => c.ruleId === 'psb.investigation-custody')!;
    await env.sleep(20 * DAY);
    view = await step(handle, 'extendInvestigationCustody', psbOfficer, {
      documentNumber: '晋检延〔2026〕1号',
      reason: '案情复杂',
      approval: { approverName: '上一级检察院王某', authority: 'higherSpp' },
    });
    const extended = view.openClocks.find((c) => c.ruleId === 'psb.investigation-custody')!;
    expect(Date.parse(extended.dueAt)).toBeGreaterThan(Date.parse(custody.dueAt)); // +1 month re-timed the clock
    const [row] = (await openDeadlines(caseId)).filter((d) => d.ruleId === 'psb.investigation-custody');
    expect(row.dueDate).toBe(extended.dueDate);
    await step(handle, 'transferForProsecution', psbOfficer, { documentNumber: '长公诉意〔2026〕1号' });
    await step(handle, 'returnForSupplementaryInvestigation', sppOfficer, {
      documentNumber: '长检退补〔2026〕1号',
      outline: '补充监测数据',
    });
    await step(handle, 'completeSupplementaryInvestigation', psbOfficer, { documentNumber: '长公补侦〔2026〕1号' });
    await step(handle, 'prosecute', sppOfficer, { documentNumber: '长检诉〔2026〕1号', court: '长治市中级人民法院' });
    view = await step(handle, 'recordJudgment', sppOfficer, {
      documentNumber: '（2026）晋04刑初1号',
      court: '长治市中级人民法院',
      outcome: 'convicted',
    });
    expect(view.stage).toBe('judged');
    expect(view.closed).toBe(true);
    expect(view.openClocks).toEqual([]);

    const result = await handle.result();
    expect(result.stage).toBe('judged');
    const [caseRow] = await db.handle.db.select().from(cases).where(eq(cases.id, caseId));
    expect(caseRow.stage).toBe('judged');
    expect(caseRow.closedAt).not.toBeNull();
    expect(await openDeadlines(caseId)).toEqual([]);

    const events = await eventsOf(caseId);
    const steps = events
      .filter((e) => e.data && (e.data as { step?: string }).step)
      .map((e) => (e.data as { step: string }).step);
    expect(steps).toEqual([
      'formTaskForce',
      'submitTransferReport',
      'approveTransfer',
      'deliverTransfer',
      'acknowledgeReceipt',
      'fileCase',
      'notifyFiling',
      'handOverEvidence',
      'detainSuspect',
      'requestArrest',
      'approveArrest',
      'executeArrest',
      'extendInvestigationCustody',
      'transferForProsecution',
      'returnForSupplementaryInvestigation',
      'completeSupplementaryInvestigation',
      'prosecute',
      'recordJudgment',
    ]);
    const approve = events.find((e) => (e.data as { step?: string }).step === 'approveTransfer')!;
    expect(approve).toMatchObject({ actorUserId: 'eeb-head', actorAgency: 'eeb', documentNumber: '长环批〔2026〕1号' });

    const history = await saveFixture('criminal-lead-to-judgment', handle);
    expect(history.events?.length).toBeLessThan(10_240);
  });

  it('registers a case with local activities inside the first workflow task; the history replays', async () => {
    const { caseId, handle } = await openCase();
    const view = await handle.query(stateQuery);
    expect(view.caseNumber).toMatch(/^联动-\d{4}-\d{6}$/);
    expect(view.openClocks.map((c) => c.ruleId)).toEqual(['eeb.task-force']);
    const [row] = await db.handle.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row.caseNumber).toBe(view.caseNumber);
    expect((await openDeadlines(caseId)).map((d) => d.dueDate)).toEqual([view.openClocks[0].dueDate]);
    expect((await eventsOf(caseId)).map((e) => e.type)).toEqual(['caseCreated']);

    const history = await saveFixture('case-registration', handle);
    const events = history.events ?? [];
    // No activity task for the registration: its local-activity markers, in the first task.
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    const markers = events.filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!);
    const laTypes = markers
      .filter((m) => m.markerName === 'core_local_activity')
      .map(
        (m) =>
          (JSON.parse(Buffer.from(m.details!.data!.payloads![0].data!).toString()) as { activity_type: string })
            .activity_type,
      );
    // The start's signed actor is verified first, in the same task.
    expect(laTypes).toEqual(['verifyActorClaim', 'loadCalendarYears', 'registerCase']);
    const laAt = events.flatMap((e, i) =>
      e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [i] : [],
    );
    expect(events.slice(0, laAt[laAt.length - 1]).filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(
      1,
    );

    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), replayName: 'case-registration' },
      history,
      caseWorkflowId(caseId),
    );
  });

  it('records steps and clock rungs with local activities inside the task that took the step or fired the timer; the history replays', async () => {
    const { caseId, handle } = await openCase();
    await step(handle, 'formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    const view = await step(handle, 'submitTransferReport', eebOfficer, { documentNumber: '长环报〔2026〕9号' });
    // eeb.transfer-approval (3 days): its warning, overdue, supervision and escalation rungs fire while nobody acts.
    expect(view.openClocks.map((c) => c.ruleId)).toEqual(['eeb.transfer-approval']);
    await env.sleep(15 * DAY);
    const types = (await eventsOf(caseId)).map((e) => e.type);
    expect(types[0]).toBe('caseCreated');
    expect(types).toEqual(expect.arrayContaining(['clockWarning', 'clockOverdue']));

    const history = await saveFixture('case-clock-rungs-unattended', handle);
    const events = history.events ?? [];
    const scheduled = events.flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name!] : [],
    );
    expect(scheduled).not.toContain('recordCaseChange'); // only the mail goes through activity tasks
    const laTypes = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map(
        (e) =>
          (
            JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data!.payloads![0].data!).toString()) as {
              activity_type: string;
            }
          ).activity_type,
      );
    expect(laTypes.filter((t) => t === 'recordCaseChange').length).toBe(types.length - 1);
    // The warning's record is in the task its timer fired in.
    const fired = events.findIndex((e) => e.timerFiredEventAttributes);
    const nextTaskDone = events.findIndex((e, i) => i > fired && e.workflowTaskCompletedEventAttributes);
    const firstLaAfter = events.findIndex(
      (e, i) => i > fired && e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    expect(firstLaAfter).toBeGreaterThan(nextTaskDone);
    expect(events.slice(nextTaskDone + 1, firstLaAfter).some((e) => e.workflowTaskCompletedEventAttributes)).toBe(
      false,
    );

    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter(),
        replayName: 'case-clock-rungs-unattended',
      },
      history,
      caseWorkflowId(caseId),
    );
  });

  it('verifies each signed actor with a local activity; a forged signature is refused; the history replays', async () => {
    const { caseId, handle } = await openCase();
    await step(handle, 'formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    // Signed with a key other than the worker's, under the same key id: the handler's check refuses it.
    const forger = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: testDataConverter(),
      interceptors: {
        workflow: [
          actorClaimInterceptor(parseKeyRing(`test-actor:${Buffer.alloc(32, 7).toString('base64')}`, 'forged')),
        ],
      },
    });
    const forged = await forger.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(stepUpdate('submitTransferReport'), {
        args: [{ actor: eebOfficer, input: { documentNumber: '伪〔2026〕1号' } }],
      })
      .catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((forged as WorkflowUpdateFailedError).cause?.message).toBe('操作人签名无效');
    const view = await step(handle, 'submitTransferReport', eebOfficer, { documentNumber: '长环报〔2026〕7号' });
    expect(view.stage).toBe('approvalPending');
    expect((await eventsOf(caseId)).map((e) => e.type)).toEqual([
      'caseCreated',
      'taskForceFormed',
      'transferReportSubmitted',
    ]);

    const history = await saveFixture('forged-actor-refused', handle);
    const events = history.events ?? [];
    const laTypes = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map(
        (e) =>
          (
            JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data!.payloads![0].data!).toString()) as {
              activity_type: string;
            }
          ).activity_type,
      );
    // The start and the three updates, each checked once.
    expect(laTypes.filter((t) => t === 'verifyActorClaim')).toHaveLength(4);
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter(),
        replayName: 'forged-actor-refused',
      },
      history,
      caseWorkflowId(caseId),
    );
  });

  it('refuses wrong stage (409), wrong agency (403) and a missing field (422) before they enter history', async () => {
    const { handle } = await openCase();
    const before = (await handle.fetchHistory()).events!.length;
    const wrongStage = await rejected(handle, 'fileCase', psbOfficer, { documentNumber: 'X1' });
    expect(wrongStage.code).toBe(409);
    expect(wrongStage.message).toMatch(/当前阶段/);
    await step(handle, 'formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    await step(handle, 'submitTransferReport', eebOfficer, { documentNumber: 'R1' });
    const wrongAgency = await rejected(handle, 'approveTransfer', psbOfficer, { documentNumber: 'A1' });
    expect(wrongAgency.code).toBe(403);
    expect(wrongAgency.message).toMatch(/生态环境局/);
    const officerNotHead = await rejected(handle, 'approveTransfer', eebOfficer, { documentNumber: 'A1' });
    expect(officerNotHead.code).toBe(403);
    const missing = await rejected(handle, 'approveTransfer', eebHead, {});
    expect(missing.code).toBe(422);
    expect(missing.message).toMatch(/缺少|必填/);
    const events = (await handle.fetchHistory()).events!;
    const updates = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updates.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name)).toEqual([
      'registered',
      'formTaskForce',
      'submitTransferReport',
    ]);
    expect(events.length).toBeGreaterThan(before);
    expect((await handle.query(stateQuery)).stage).toBe('approvalPending');
    await saveFixture('rejected-updates', handle);
  });

  it('not filed → reconsideration → supervision → filed after notice', async () => {
    const { caseId, handle } = await openCase();
    await toAccepted(handle);
    await step(handle, 'declineFiling', psbOfficer, { documentNumber: '长公不立〔2026〕1号', reasons: '没有犯罪事实' });
    await step(handle, 'notifyNonFiling', psbOfficer, {
      documentNumber: '长公不立通〔2026〕1号',
      copiedToSpp: true,
      materialsReturned: true,
    });
    await step(handle, 'requestReconsideration', eebOfficer, {
      documentNumber: '长环复议〔2026〕1号',
      reasons: '监测数据显示超标十倍以上',
    });
    await step(handle, 'upholdNonFiling', psbOfficer, { documentNumber: '长公复决〔2026〕1号', reasons: '维持原决定' });
    await step(handle, 'proposeSupervision', eebOfficer, {
      documentNumber: '长环建监〔2026〕1号',
      reasons: '应当立案而不立案',
    });
    let view = await step(handle, 'requestFilingExplanation', sppOfficer, { documentNumber: '长检说理〔2026〕1号' });
    expect(view.openClocks.map((c) => c.ruleId)).toContain('psb.non-filing-explanation');
    await step(handle, 'explainNonFiling', psbOfficer, { documentNumber: '长公说明〔2026〕1号', reasons: '证据不足' });
    view = await step(handle, 'noticeToFile', sppOfficer, {
      documentNumber: '长检通立〔2026〕1号',
      reasons: '不立案理由不能成立',
    });
    expect(view.stage).toBe('noticeToFile');
    const fileClock = view.openClocks.find((c) => c.ruleId === 'psb.file-after-notice')!;
    expect(fileClock.responsibleAgency).toBe('psb');
    view = await step(handle, 'fileAfterNotice', psbOfficer, { documentNumber: '长公立〔2026〕2号' });
    expect(view.stage).toBe('investigation');
    expect(view.openClocks.map((c) => c.ruleId)).toEqual(expect.arrayContaining(['spp.supervised-case-followup']));
    const types = (await eventsOf(caseId)).map((e) => (e.data as { step?: string }).step).filter(Boolean);
    expect(types).toEqual(
      expect.arrayContaining([
        'declineFiling',
        'requestReconsideration',
        'proposeSupervision',
        'noticeToFile',
        'fileAfterNotice',
      ]),
    );
    await saveFixture('not-filed-supervision-filed', handle);
  });

  it('escalates an unanswered filing decision: warning, overdue, 有案不立 supervision item, working-group escalation', async () => {
    const { caseId, handle } = await openCase();
    const view = await toAccepted(handle);
    const clock = view.openClocks.find((c) => c.ruleId === 'psb.filing-decision')!;
    // Skip past the due date and three more working days (at most 10 days around any holiday block).
    await env.sleep(Date.parse(clock.dueAt) - (await env.currentTimeMs()) + 12 * DAY);
    const deadline = async () => {
      for (let i = 0; i < 100; i++) {
        const rows = await eventsOf(caseId);
        if (rows.some((r) => r.type === 'clockEscalation' && r.ruleId === 'psb.filing-decision')) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no escalation event');
    };
    const rows = (await deadline()).filter((r) => r.ruleId === 'psb.filing-decision');
    expect(rows.map((r) => r.type)).toEqual(['clockWarning', 'clockOverdue', 'clockSupervision', 'clockEscalation']);
    expect(rows[2].labelZh).toContain('有案不立');
    expect(rows[1].occurredAt.getTime()).toBeGreaterThan(Date.parse(clock.dueAt));
    const live = await handle.query(stateQuery);
    expect(live.overdue).toBe(true);
    const [caseRow] = await db.handle.db.select().from(cases).where(eq(cases.id, caseId));
    expect(caseRow.overdue).toBe(true);
    const mails = await db.handle.db.select().from(notifications).where(eq(notifications.caseId, caseId));
    expect(mails.some((m) => m.subject.startsWith('【超期】'))).toBe(true);
    expect(mails.some((m) => m.subject.startsWith('【提请联动工作组督办】'))).toBe(true);
    await saveFixture('filing-decision-escalation', handle);
  });

  it('re-times open clocks when a calendar year is loaded, and records the change on the case', async () => {
    // A clock whose period reaches into a year without official data is provisional (weekends only).
    const now = await env.currentTimeMs();
    const { caseId, handle } = await openCase({ createdAtMs: now });
    await toAccepted(handle);
    await step(handle, 'declineFiling', psbOfficer, { documentNumber: 'N1', reasons: '没有犯罪事实' });
    await step(handle, 'notifyNonFiling', psbOfficer, {
      documentNumber: 'N2',
      copiedToSpp: true,
      materialsReturned: true,
    });
    await step(handle, 'requestReconsideration', eebOfficer, { documentNumber: 'N3', reasons: '理由' });
    await step(handle, 'upholdNonFiling', psbOfficer, { documentNumber: 'N4', reasons: '维持' });
    await step(handle, 'proposeSupervision', eebOfficer, { documentNumber: 'N5', reasons: '应立未立' });
    await step(handle, 'requestFilingExplanation', sppOfficer, { documentNumber: 'N6' });
    await step(handle, 'explainNonFiling', psbOfficer, { documentNumber: 'N7', reasons: '证据不足' });
    let view = await step(handle, 'noticeToFile', sppOfficer, { documentNumber: 'N8', reasons: '不立案理由不能成立' });
    const before = view.openClocks.find((c) => c.ruleId === 'psb.file-after-notice')!;
    const due = before.dueDate;
    const dueYear = Number(due.slice(0, 4));
    // An administrator loads a corrected notice for the due date's year that makes the due date a day off
    // (the builtin year plus one more holiday): the open clock must roll forward past it.
    const official = createWorkingCalendar().yearData(dueYear);
    const corrected = {
      year: dueYear,
      holidays: [...(official?.holidays ?? []), due].sort(),
      workdays: official?.workdays ?? [],
      source: { notice: '测试：更正通知', date: `${dueYear}-01-01` },
      origin: 'loaded',
    };
    await db.handle.db
      .insert(calendarYears)
      .values({ year: dueYear, data: corrected, sourceNotice: corrected.source.notice });
    await handle.signal('calendarChanged', { year: dueYear });
    for (let i = 0; i < 50; i++) {
      view = await handle.query(stateQuery);
      if (view.openClocks.find((c) => c.ruleId === 'psb.file-after-notice')!.dueDate !== due) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = view.openClocks.find((c) => c.ruleId === 'psb.file-after-notice')!;
    expect(after.dueDate > due).toBe(true);
    const [row] = (await openDeadlines(caseId)).filter((d) => d.ruleId === 'psb.file-after-notice');
    expect(row.dueDate).toBe(after.dueDate);
    const retimed = (await eventsOf(caseId)).filter((e) => e.type === 'clockRetimed');
    expect(retimed.length).toBeGreaterThanOrEqual(1);
    expect(retimed.some((e) => e.labelZh.includes(due) && e.labelZh.includes(after.dueDate))).toBe(true);
    await db.handle.db.delete(calendarYears);
    await saveFixture('calendar-retimed', handle);
  });

  it('runs the detention track to the copy of the detention decision', async () => {
    const { caseId, handle } = await openCase({
      track: 'detention',
      actor: eebHead,
      documentNumber: '长环移拘审〔2026〕2号',
    });
    await step(handle, 'deliverDetentionTransfer', eebOfficer, {
      documentNumber: '长环移拘〔2026〕2号',
      psbUnit: '潞州区公安分局',
    });
    let view = await step(handle, 'acceptDetentionCase', psbOfficer, { documentNumber: '潞公受〔2026〕2号' });
    expect(view.openClocks.map((c) => c.ruleId)).toEqual(['psb.public-security-case-limit']);
    await step(handle, 'decideDetention', psbOfficer, { documentNumber: '潞公拘决〔2026〕2号', days: 10 });
    view = await step(handle, 'sendDetentionDecisionCopy', psbOfficer, { documentNumber: '潞公拘决〔2026〕2号' });
    expect(view.stage).toBe('detentionConcluded');
    expect((await handle.result()).closed).toBe(true);
    const [row] = await db.handle.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row.stage).toBe('detentionConcluded');
    await saveFixture('detention-track', handle);
  });

  it('transfers a case back to the EEB for an administrative penalty (reverse transfer)', async () => {
    const { handle } = await openCase();
    await toAccepted(handle);
    let view = await step(handle, 'reverseTransfer', psbOfficer, {
      documentNumber: '长公反移〔2026〕1号',
      reasons: '没有犯罪事实，应予行政处罚',
      copiedToSpp: true,
    });
    expect(view.stage).toBe('reverseTransferred');
    expect(view.openClocks).toEqual([]);
    expect(view.responsibleAgency).toBe('eeb');
    view = await step(handle, 'decideAdministrativePenalty', eebOfficer, { documentNumber: '长环罚〔2026〕3号' });
    expect(view.stage).toBe('penaltyDecided');
    await saveFixture('reverse-transfer', handle);
  });

  it('suspends a clock (time that does not count) and re-times it on resumption', async () => {
    const { caseId, handle } = await openCase();
    let view = await toAccepted(handle);
    const clock = view.openClocks.find((c) => c.ruleId === 'psb.filing-decision')!;
    view = await step(handle, 'suspendClock', psbOfficer, {
      clockId: clock.clockId,
      reasonCode: 'appraisal',
      reason: '危险废物鉴定',
      approval: { approverName: '王某' },
    });
    expect(view.openClocks.find((c) => c.clockId === clock.clockId)!.suspended).toBe(true);
    // While suspended nothing escalates, however long it lasts.
    await env.sleep(20 * DAY);
    // (The transfer's own Art 34 entry duty, rule any.platform-entry, is not suspended: it runs on beside.)
    expect(
      (await eventsOf(caseId)).filter((e) => e.type === 'clockOverdue' && e.ruleId !== 'any.platform-entry'),
    ).toEqual([]);
    view = await step(handle, 'resumeClock', psbOfficer, { clockId: clock.clockId, reason: '鉴定完成' });
    const resumed = view.openClocks.find((c) => c.clockId === clock.clockId)!;
    expect(resumed.suspended).toBe(false);
    expect(Date.parse(resumed.dueAt) - Date.parse(clock.dueAt)).toBeGreaterThanOrEqual(15 * DAY); // ~20 paused days, counted in whole calendar days
    const [row] = (await openDeadlines(caseId)).filter((d) => d.clockId === clock.clockId);
    expect(row.dueDate).toBe(resumed.dueDate);
    expect((row.suspensions as unknown[]).length).toBe(1);
    await saveFixture('suspension', handle);
  });

  it('continues as new when the history grows, carrying the whole state', async () => {
    const { caseId, handle } = await openCase({ historyLimit: 40 });
    const first = (await handle.describe()).runId;
    await toAccepted(handle);
    await step(handle, 'fileCase', psbOfficer, { documentNumber: 'F1' });
    await step(handle, 'notifyFiling', psbOfficer, { documentNumber: 'F2', copiedToSpp: true });
    // The continue-as-new happens between steps; wait until a new run serves the case.
    let runId = first;
    for (let i = 0; i < 50 && runId === first; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runId = (await env.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).runId;
    }
    expect(runId).not.toBe(first);
    const latest = env.client.workflow.getHandle<typeof caseWorkflow>(caseWorkflowId(caseId));
    const view = await latest.executeUpdate(stepUpdate('handOverEvidence'), {
      args: [{ actor: eebOfficer, input: { documentNumber: 'E1' } }],
    });
    expect(view.stage).toBe('investigation');
    expect(view.caseNumber).toMatch(/^联动-/);
    const steps = (await eventsOf(caseId)).map((e) => (e.data as { step?: string }).step).filter(Boolean);
    expect(steps.slice(-3)).toEqual(['fileCase', 'notifyFiling', 'handOverEvidence']);
    await saveFixture('continued-as-new', latest);
  });
});
