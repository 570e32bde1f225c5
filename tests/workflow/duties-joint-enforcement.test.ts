import { eq } from 'drizzle-orm';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { cases, dutyItems, dutyPeriods } from '../../db/schema';
import { jointEnforcementWorkflow } from '../../workflows/duties/joint-enforcement';
import {
  cancelOperationUpdate,
  openCaseFromLeadUpdate,
  planOperationUpdate,
  recordOutcomeUpdate,
} from '../../workflows/definitions/joint-enforcement';
import { recurringPeriodOf } from '../../domain/deadlines';
import { chinaDate } from '../../workflows/duties/common';
import { EEB, PSB, SPP, china, dutyEventTypes, periodInput, saveDutyFixture, skipTo } from '../helpers/duties';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/** 联合执法 (joint-enforcement.monthly) on the time-skipping server: a month with an operation and one without. */
describe('monthly joint enforcement (time-skipping)', () => {
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'duty-je' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** The HTTP-like code of a refused update (details[0].code), or 'accepted'. */
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'accepted';
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
      return cause instanceof ApplicationFailure ? (cause.details?.[0] as { code: number }).code : String(err);
    }
  };

  it('a month with a joint operation: plan, cancel and re-plan, reminder the day before, outcome, a case from a lead, done', async () => {
    await skipTo(h, china('2026-12-01T00:05'));
    const { workflowId, input } = periodInput('joint-enforcement.monthly', 'monthly', '2026-12-01');
    expect(workflowId).toBe('duty-joint-enforcement-2026-12');
    const handle = await h.env.client.workflow.start(jointEnforcementWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [input],
    });

    // Refusals: the procuratorate does not plan; a date outside the month; missing PSB members.
    const plan = {
      date: '2026-12-08',
      places: ['某工业园区'],
      targets: ['某化工有限公司'],
      members: { eeb: ['张三', '李四'], psb: ['王五'] },
    };
    expect(await codeOf(handle.executeUpdate(planOperationUpdate, { args: [{ actor: SPP, input: plan }] }))).toBe(403);
    expect(
      await codeOf(
        handle.executeUpdate(planOperationUpdate, { args: [{ actor: EEB, input: { ...plan, date: '2027-01-02' } }] }),
      ),
    ).toBe(422);
    expect(
      await codeOf(
        handle.executeUpdate(planOperationUpdate, {
          args: [{ actor: EEB, input: { ...plan, members: { eeb: ['张三'] } } }],
        }),
      ),
    ).toBe(422);

    let view = await handle.executeUpdate(planOperationUpdate, { args: [{ actor: EEB, input: plan }] });
    expect(view.operations[0]).toMatchObject({ id: 'op-1', status: 'planned', date: '2026-12-08' });
    view = await handle.executeUpdate(cancelOperationUpdate, {
      args: [{ actor: PSB, input: { operationId: 'op-1', reason: '天气原因' } }],
    });
    expect(view.operations[0].status).toBe('cancelled');
    view = await handle.executeUpdate(planOperationUpdate, {
      args: [{ actor: PSB, input: { ...plan, date: '2026-12-15' } }],
    });
    expect(view.operations[1]).toMatchObject({ id: 'op-2', status: 'planned' });
    // An outcome before the day is refused.
    expect(
      await codeOf(
        handle.executeUpdate(recordOutcomeUpdate, {
          args: [{ actor: EEB, input: { operationId: 'op-2', sitesInspected: 1, violationsFound: 0 } }],
        }),
      ),
    ).toBe(409);

    await skipTo(h, china('2026-12-15T18:00'));
    view = await handle.executeUpdate(recordOutcomeUpdate, {
      args: [
        {
          actor: EEB,
          input: {
            operationId: 'op-2',
            sitesInspected: 6,
            violationsFound: 2,
            leads: [{ description: '某化工有限公司暗管排放含重金属废水' }],
            attachments: [{ name: '现场照片.jpg', ref: 'upload://2026-12-15/photo-1' }],
          },
        },
      ],
    });
    expect(view).toMatchObject({ status: 'done' });
    // The PSB cannot register a case; the EEB opens one from the lead, once.
    const open = { operationId: 'op-2', leadIndex: 0, title: '某化工有限公司暗管排放案', track: 'criminal' };
    expect(await codeOf(handle.executeUpdate(openCaseFromLeadUpdate, { args: [{ actor: PSB, input: open }] }))).toBe(
      403,
    );
    const opened = await handle.executeUpdate(openCaseFromLeadUpdate, { args: [{ actor: EEB, input: open }] });
    expect(opened.caseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await codeOf(handle.executeUpdate(openCaseFromLeadUpdate, { args: [{ actor: EEB, input: open }] }))).toBe(
      409,
    );
    const caseRow = await waitFor(
      'case row',
      async () => (await h.db.handle.db.select().from(cases).where(eq(cases.id, opened.caseId)))[0],
    );
    expect(caseRow).toMatchObject({
      title: '某化工有限公司暗管排放案',
      track: 'criminal',
      workflowId: caseWorkflowId(opened.caseId),
    });
    // Time is stepped, never left to handle.result(): while a result is awaited the test server runs every timer on.
    await skipTo(h, china('2027-01-02T12:00'));
    await waitFor('period closed', async () =>
      (await dutyEventTypes(h, workflowId)).includes('dutyPeriodClosed') ? true : undefined,
    );
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const types = await dutyEventTypes(h, workflowId);
    expect(types).toEqual([
      'dutyPeriodOpened',
      'jointOperationPlanned',
      'jointOperationCancelled',
      'jointOperationPlanned',
      'dutyReminder', // the day before op-2 (no day-10 reminder: a plan existed)
      'jointOperationCompleted',
      'caseOpenedFromLead',
      'dutyPeriodClosed',
    ]);
    const [period] = await h.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, workflowId));
    expect(period).toMatchObject({ status: 'done', summary: { completed: 1, cancelled: 1, planned: 0 } });
    const items = await h.db.handle.db.select().from(dutyItems).where(eq(dutyItems.periodId, workflowId));
    expect(items.map((i) => [i.id, i.status]).sort()).toEqual([
      [`${workflowId}/op-1`, 'cancelled'],
      [`${workflowId}/op-2`, 'completed'],
    ]);
    expect(
      h.smtp.received.some((m) => m.subject === '【提醒】明日联合执法：2026年12月联合执法行动（2026-12-15）'),
    ).toBe(true);
    await saveDutyFixture(h, 'duty-joint-enforcement-done', workflowId);
  });

  it('a month without a joint operation: reminders on day 10 and 20, warning, non-compliance, working-group escalation', async () => {
    // The month after wherever the test server's clock now stands.
    const now = await h.env.currentTimeMs();
    const { workflowId, input } = periodInput(
      'joint-enforcement.monthly',
      'monthly',
      chinaDate(recurringPeriodOf('monthly', chinaDate(now)).dueAtMs + 1000),
    );
    const zh = `${input.period.key.slice(0, 4)}年${Number(input.period.key.slice(5))}月`;
    await skipTo(h, input.period.startAtMs + 5 * 60_000);
    const before = h.smtp.received.length;
    const handle = await h.env.client.workflow.start(jointEnforcementWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [input],
    });
    // Time stays put until the client waits for a result: let the period open at 00:05 first.
    await waitFor('period opened', async () => ((await dutyEventTypes(h, workflowId)).length ? true : undefined));
    await skipTo(h, input.period.dueAtMs + 10 * 86_400_000);
    await waitFor('escalation', async () =>
      (await dutyEventTypes(h, workflowId)).includes('dutyEscalated') ? true : undefined,
    );
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await dutyEventTypes(h, workflowId)).toEqual([
      'dutyPeriodOpened',
      'dutyReminder',
      'dutyReminder',
      'dutyWarning',
      'dutyNonCompliant',
      'dutyEscalated',
    ]);
    const [period] = await h.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, workflowId));
    expect(period.status).toBe('escalated');
    const subjects = h.smtp.received.slice(before).map((m) => `${m.subject} → ${(m.to as { text: string }).text}`);
    expect(subjects).toEqual(
      expect.arrayContaining([
        `【提醒】${zh}尚未制定联合执法计划 → eeb-liaison@linkage.local`,
        `【提醒】${zh}尚未制定联合执法计划 → psb-liaison@linkage.local`,
        `【督办】${zh}生态环境局、公安局未开展联合执法 → working-group@linkage.local`,
      ]),
    );
    expect(subjects.some((s) => s.startsWith(`【未履行】${zh}未开展联合执法`))).toBe(true);
    await saveDutyFixture(h, 'duty-joint-enforcement-escalated', workflowId);
  });
});
