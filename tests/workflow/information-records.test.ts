import { and, asc, eq, like } from 'drizzle-orm';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseEvents, informationRecords, notifications } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, stepUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { planClock } from '../../workflows/clocks';
import {
  enterInformationRecordUpdate,
  platformEntryQuery,
  type PlatformEntryView,
} from '../../workflows/definitions/information';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';

const MINUTE = 60_000;
const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
const psbOfficer: Actor = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局办案人员' };

/**
 * Rule `any.platform-entry` (2017 Measures Art 34, 7 days): a decision listed there (here 案件移送, item (一)) opens
 * the duty to enter the case information; on the time-skipping server the clock warns and goes overdue when nothing is
 * entered, and the entry (with its confidentiality mark and reason) closes it.
 */
describe('case information records, rule any.platform-entry (time-skipping)', () => {
  let h: Stack;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'info' });
    env = h.env;
  });
  afterAll(async () => {
    await h.close();
  });

  let n = 0;
  /** A criminal case taken to the transfer (deliverTransfer, an Art 34 decision); answers the pending record. */
  async function caseAtTransfer() {
    n++;
    const caseId = `00000000-0000-4000-8000-0000000034${String(n).padStart(2, '0')}`;
    const input: CaseWorkflowInput = {
      caseId,
      title: `某企业非法排放含重金属废水案 ${n}`,
      track: 'criminal',
      confidentiality: 'internal',
      createdAtMs: await env.currentTimeMs(),
      actor: eebOfficer,
    };
    const handle = await env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);
    const step = (name: string, actor: Actor, body: Record<string, unknown>) =>
      handle.executeUpdate(stepUpdate(name), { args: [{ actor, input: body }] });
    await step('formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    await step('submitTransferReport', eebOfficer, { documentNumber: `长环报〔2026〕${n}号` });
    await step('approveTransfer', eebHead, { documentNumber: `长环批〔2026〕${n}号` });
    await step('deliverTransfer', eebOfficer, {
      documentNumber: `长环移〔2026〕${n}号`,
      copiedToSpp: true,
      psbUnit: '长治市公安局',
    });
    const decision = await waitFor('the transfer event', async () => {
      const rows = await h.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
      return rows.find((e) => (e.data as { step?: string }).step === 'deliverTransfer');
    });
    const record = await waitFor('the pending information record', async () => {
      const [row] = await h.db.handle.db
        .select()
        .from(informationRecords)
        .where(eq(informationRecords.id, decision.id));
      return row;
    });
    const seq = decision.id.split('/').pop();
    const entry: WorkflowHandle = env.client.workflow.getHandle(`platform-entry-${caseId}-${seq}`);
    return { caseId, decision, record, entry, seq };
  }

  const ladderEvents = (caseId: string, seq: string | undefined) =>
    h.db.handle.db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, caseId), like(caseEvents.id, `${caseId}/clock/platform-entry-${seq}/%`)))
      .orderBy(asc(caseEvents.seq));

  async function refusal(entry: WorkflowHandle, actor: Actor, record: Record<string, unknown>) {
    try {
      await entry.executeUpdate(enterInformationRecordUpdate, { args: [{ actor, record: record as never }] });
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      return { code: (cause.details?.[0] as { code: number }).code, message: cause.message };
    }
    throw new Error('the entry was accepted');
  }

  it('warns and goes overdue while nothing is entered; the late entry closes the clock and no escalation follows', async () => {
    const { caseId, decision, record, entry, seq } = await caseAtTransfer();
    expect(record).toMatchObject({
      status: 'pending',
      step: 'deliverTransfer',
      article34Item: '一',
      responsibleAgency: 'eeb',
      decisionLabelZh: '案件移送',
    });
    const plan = planClock({
      ruleId: 'any.platform-entry',
      startedAtMs: decision.occurredAt.getTime(),
      custody: false,
      calendarYears: [],
      actingAgency: 'eeb',
    });
    expect(record.dueDate).toBe(plan.dueDate);
    expect(record.dueAt.getTime()).toBe(plan.dueAtMs);
    expect(plan.ladder.map((s) => s.kind)).toEqual(['warning', 'overdue', 'escalation']);

    // Past the overdue instant, before the escalation (3 working days after the due date).
    const now = await env.currentTimeMs();
    const overdueAt = plan.ladder.find((s) => s.kind === 'overdue')!.atMs;
    await env.sleep(overdueAt - now + MINUTE);
    const fired = await waitFor('warning and overdue', async () => {
      const rows = await ladderEvents(caseId, seq);
      return rows.length >= 2 ? rows : undefined;
    });
    expect(fired.map((e) => [e.type, e.ruleId])).toEqual([
      ['clockWarning', 'any.platform-entry'],
      ['clockOverdue', 'any.platform-entry'],
    ]);
    // Each rung fires at its instant (the warning at 09:00 of the working day before the due date).
    expect(fired.map((e) => (e.data as { scheduledAt: string }).scheduledAt)).toEqual([
      new Date(plan.ladder[0].atMs).toISOString(),
      new Date(overdueAt).toISOString(),
    ]);
    expect(fired[0].occurredAt.getTime() - plan.ladder[0].atMs).toBeGreaterThanOrEqual(0);
    expect(fired[0].occurredAt.getTime() - plan.ladder[0].atMs).toBeLessThan(MINUTE);
    expect(fired[1].occurredAt.getTime() - overdueAt).toBeGreaterThanOrEqual(0);
    expect(fired[1].occurredAt.getTime() - overdueAt).toBeLessThan(MINUTE);
    expect((await entry.query(platformEntryQuery)).level).toBe('overdue');
    const [row] = await h.db.handle.db.select().from(informationRecords).where(eq(informationRecords.id, decision.id));
    expect(row).toMatchObject({ status: 'pending', escalationLevel: 'overdue' });
    // Each rung is mailed once, through the outbox.
    const outbox = await waitFor('sent ladder mail', async () => {
      const rows = await h.db.handle.db
        .select()
        .from(notifications)
        .where(like(notifications.eventId, `${caseId}/clock/platform-entry-${seq}/%`));
      return rows.length >= 2 && rows.every((r) => r.status === 'sent') ? rows : undefined;
    });
    expect([...new Set(outbox.map((r) => r.subject.slice(0, 4)))].sort()).toEqual(['【预警】', '【超期】'].sort());
    expect(outbox.every((r) => r.bodyText.includes('any.platform-entry') && r.bodyText.includes('第三十四条'))).toBe(
      true,
    );
    for (const r of outbox)
      expect(
        h.smtp.received.filter((m) => m.subject === r.subject && m.messageId?.includes(r.messageId.split('@')[0])),
      ).toHaveLength(1);

    // Only the deciding agency enters, and a non-public mark needs its reason.
    expect(await refusal(entry, psbOfficer, { content: '案件已移送', confidentiality: 'public' })).toMatchObject({
      code: 403,
    });
    const noReason = await refusal(entry, eebOfficer, {
      content: '案件已移送长治市公安局',
      confidentiality: 'internal',
    });
    expect(noReason.code).toBe(422);
    expect(noReason.message).toContain('应当予以特别说明');

    const view: PlatformEntryView = await entry.executeUpdate(enterInformationRecordUpdate, {
      args: [
        {
          actor: eebOfficer,
          record: {
            content: '已向长治市公安局移送涉嫌污染环境罪案件，移送书抄送市人民检察院',
            confidentiality: 'internal',
            confidentialityReason: '涉及尚未公开的侦查线索',
            documentNumber: '长环移〔2026〕1号',
          },
        },
      ],
    });
    expect(view).toMatchObject({ status: 'entered', late: true });
    expect((await entry.result()).status).toBe('entered');
    const [entered] = await h.db.handle.db
      .select()
      .from(informationRecords)
      .where(eq(informationRecords.id, decision.id));
    expect(entered).toMatchObject({
      status: 'entered',
      confidentiality: 'internal',
      confidentialityReason: '涉及尚未公开的侦查线索',
      late: true,
      enteredByAgency: 'eeb',
    });
    expect(entered.feedSeq).toBeGreaterThan(0);
    // The duty is done: a second entry finds no running workflow to take it.
    await expect(
      entry.executeUpdate(enterInformationRecordUpdate, {
        args: [{ actor: eebOfficer, record: { content: '再次录入', confidentiality: 'public' } }],
      }),
    ).rejects.toThrow();

    // Past the escalation instant: the clock is closed, nothing more fires.
    await env.sleep(plan.ladder[2].atMs - (await env.currentTimeMs()) + MINUTE);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await ladderEvents(caseId, seq)).map((e) => e.type)).toEqual(['clockWarning', 'clockOverdue']);
    const enteredEvent = await h.db.handle.db
      .select()
      .from(caseEvents)
      .where(eq(caseEvents.id, `${caseId}/information/${seq}`));
    expect(enteredEvent[0]).toMatchObject({
      type: 'informationRecordEntered',
      ruleId: 'any.platform-entry',
      actorAgency: 'eeb',
    });
  });

  it('an entry within the 7 days closes the clock before its warning', async () => {
    const { caseId, record, entry, seq } = await caseAtTransfer();
    const view = await entry.executeUpdate(enterInformationRecordUpdate, {
      args: [{ actor: eebOfficer, record: { content: '已移送公安机关', confidentiality: 'public' } }],
    });
    expect(view).toMatchObject({ status: 'entered', late: false });
    expect(await entry.result()).toMatchObject({ status: 'entered', level: 'none' });
    await env.sleep(record.dueAt.getTime() - (await env.currentTimeMs()) + 5 * 24 * 3_600_000);
    expect(await ladderEvents(caseId, seq)).toEqual([]);
    const [row] = await h.db.handle.db.select().from(informationRecords).where(eq(informationRecords.id, record.id));
    expect(row).toMatchObject({
      status: 'entered',
      confidentiality: 'public',
      confidentialityReason: null,
      late: false,
      escalationLevel: 'none',
    });
  });
});
