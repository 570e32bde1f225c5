import { eq } from 'drizzle-orm';
import { caseEvents, cases, deadlines, informationRecords, supervisionItems } from '../../db/schema';
import { policyInForce } from '../../config';
import { computePeriod, createWorkingCalendar, effectivePolicyRule, recurringPeriodOf } from '../../domain/deadlines';
import type { Actor } from '../../domain/case';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, stepUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { planClock } from '../../workflows/clocks';
import { chinaDate } from '../../workflows/duties/common';
import { supervisionSweepWorkflow } from '../../workflows/duties/supervision-sweep';
import { jointEnforcementWorkflow } from '../../workflows/duties/joint-enforcement';
import {
  openCaseFromLeadUpdate,
  planOperationUpdate,
  recordOutcomeUpdate,
} from '../../workflows/definitions/joint-enforcement';
import { EEB, china, periodInput, skipTo } from '../helpers/duties';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';

const DAY = 86_400_000;
const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };

/**
 * DEADLINE_POLICY_OVERRIDES reach the workflows started outside the API's registration: a supervision item of the
 * sweep (supervision.review, its limit), a platform entry (any.platform-entry, its warning: the limit is statutory) and
 * a case opened from a joint operation's lead (eeb.task-force, its limit). Each instant is the overridden one, which
 * differs from the default.
 */
describe('deadline policy overrides on every path that opens a clock (time-skipping)', () => {
  const OVERRIDES = {
    'supervision.review': { limit: 3 },
    // Statutory (2017 Measures Art 34, 7 days): only its warning may be configured.
    'any.platform-entry': { warningHours: 1 },
    'eeb.task-force': { limit: 1, unit: 'hours', warningHours: 0.5 },
  };
  let h: Stack;
  beforeAll(async () => {
    h = await startStack(
      { DEADLINE_POLICY_OVERRIDES: JSON.stringify(OVERRIDES) },
      { timeSkipping: true, api: false, prefix: 'policy' },
    );
  });
  afterAll(async () => {
    await h.close();
  });
  const overrides = () => policyInForce(h.config).policyOverrides;
  const due = (
    ruleId: Parameters<typeof planClock>[0]['ruleId'],
    startedAtMs: number,
    actingAgency: string,
    withOverrides: boolean,
  ) =>
    planClock({
      ruleId,
      startedAtMs,
      custody: false,
      calendarYears: [],
      actingAgency: actingAgency as never,
      policyOverrides: withOverrides ? overrides() : undefined,
    }).dueAtMs;

  it('a supervision item opened by the sweep keeps supervision.review as overridden (3 days, not 15)', async () => {
    const now = await h.env.currentTimeMs();
    const caseId = '00000000-0000-4000-a000-00000000e001';
    await h.db.handle.db.insert(cases).values({
      id: caseId,
      caseNumber: '联动-2026-90901',
      title: '政策覆盖测试案件',
      track: 'criminal',
      stage: 'taskForce',
      stageLabelZh: 'taskForce',
      workflowId: caseWorkflowId(caseId),
      createdAt: new Date(now - 40 * DAY),
    });
    const period = recurringPeriodOf('monthly', chinaDate(now));
    const workflowId = 'duty-supervision-sweep-policy';
    const handle = await h.env.client.workflow.start(supervisionSweepWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ dutyId: 'spp.transfer-supervision-sweep', cadence: 'monthly', period }],
    });
    await handle.result();
    const item = await waitFor('the sweep item with its clock', async () => {
      const [row] = await h.db.handle.db.select().from(supervisionItems).where(eq(supervisionItems.subjectId, caseId));
      return row?.dueAt ? row : undefined;
    });
    expect(item).toMatchObject({ source: 'sweep', clockRuleId: 'supervision.review' });
    const opened = item.createdAt.getTime();
    const reviewDue = (o?: Record<string, unknown>) => {
      const rule = effectivePolicyRule('supervision.review', o);
      return computePeriod({
        unit: rule.unit,
        limit: rule.limit,
        startMs: opened,
        custody: false,
        calendar: createWorkingCalendar([]),
      }).dueAtMs;
    };
    expect(item.dueAt!.getTime()).toBe(reviewDue(overrides()));
    // 3 days (a last day on a rest day moves to the next working day); the default is 15.
    expect(item.dueAt!.getTime()).toBeLessThan(reviewDue(undefined) - 7 * DAY);
  });

  it('a platform entry opened by an Art 34 decision warns as any.platform-entry is overridden (1 hour before the 7th day ends, not days before)', async () => {
    const caseId = '00000000-0000-4000-a000-00000000e002';
    const input: CaseWorkflowInput = {
      caseId,
      title: '政策覆盖信息录入案',
      track: 'criminal',
      confidentiality: 'internal',
      createdAtMs: await h.env.currentTimeMs(),
      actor: EEB as Actor,
      ...policyInForce(h.config),
    };
    const handle = await h.env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);
    const step = (name: string, actor: Actor, body: Record<string, unknown>) =>
      handle.executeUpdate(stepUpdate(name), { args: [{ actor, input: body }] });
    await step('formTaskForce', EEB as Actor, { members: ['张三', '李四'] });
    await step('submitTransferReport', EEB as Actor, { documentNumber: '长环报〔2026〕901号' });
    await step('approveTransfer', eebHead, { documentNumber: '长环批〔2026〕901号' });
    await step('deliverTransfer', EEB as Actor, {
      documentNumber: '长环移〔2026〕901号',
      copiedToSpp: true,
      psbUnit: '长治市公安局',
    });
    const decision = await waitFor('the transfer event', async () =>
      (await h.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).find(
        (e) => (e.data as { step?: string }).step === 'deliverTransfer',
      ),
    );
    const record = await waitFor(
      'the pending information record',
      async () =>
        (await h.db.handle.db.select().from(informationRecords).where(eq(informationRecords.id, decision.id)))[0],
    );
    const decided = decision.occurredAt.getTime();
    const plan = (withOverrides: boolean) =>
      planClock({
        ruleId: 'any.platform-entry',
        startedAtMs: decided,
        custody: false,
        calendarYears: [],
        actingAgency: 'eeb',
        policyOverrides: withOverrides ? overrides() : undefined,
      });
    expect(record.dueAt.getTime()).toBe(plan(true).dueAtMs);
    const warningAt = plan(true).ladder[0];
    expect(warningAt).toMatchObject({ kind: 'warning', atMs: record.dueAt.getTime() - 3_600_000 });
    expect(plan(false).ladder[0].atMs).toBeLessThan(warningAt.atMs - DAY);
    await h.env.sleep(warningAt.atMs + 60_000 - (await h.env.currentTimeMs()));
    const warned = await waitFor('the warning of the entry', async () => {
      const rows = (await h.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).filter(
        (e) => e.type === 'clockWarning' && e.ruleId === 'any.platform-entry',
      );
      return rows.length ? rows : undefined;
    });
    // One warning, at the overridden instant (the default one, days earlier, never fired).
    expect(warned.map((e) => (e.data as { scheduledAt: string }).scheduledAt)).toEqual([
      new Date(warningAt.atMs).toISOString(),
    ]);
  });

  it('a case opened from a joint operation lead keeps eeb.task-force as overridden (1 hour, not the statutory days)', async () => {
    await skipTo(h, china('2026-12-01T00:05'));
    const { workflowId, input } = periodInput('joint-enforcement.monthly', 'monthly', '2026-12-01');
    const handle = await h.env.client.workflow.start(jointEnforcementWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [input],
    });
    const plan = {
      date: '2026-12-08',
      places: ['某工业园区'],
      targets: ['某化工有限公司'],
      members: { eeb: ['张三', '李四'], psb: ['王五'] },
    };
    await handle.executeUpdate(planOperationUpdate, { args: [{ actor: EEB, input: plan }] });
    await skipTo(h, china('2026-12-08T18:00'));
    await handle.executeUpdate(recordOutcomeUpdate, {
      args: [
        {
          actor: EEB,
          input: { operationId: 'op-1', sitesInspected: 2, violationsFound: 1, leads: [{ description: '暗管排放' }] },
        },
      ],
    });
    // The update as api/routes/duties.ts sends it: the API's policy rides with it.
    const opened = await handle.executeUpdate(openCaseFromLeadUpdate, {
      args: [
        {
          actor: EEB,
          input: { operationId: 'op-1', leadIndex: 0, title: '某化工有限公司暗管排放案', track: 'criminal' },
          ...policyInForce(h.config),
        },
      ],
    });
    const row = await waitFor('the task-force deadline', async () =>
      (await h.db.handle.db.select().from(deadlines).where(eq(deadlines.caseId, opened.caseId))).find(
        (d) => d.ruleId === 'eeb.task-force',
      ),
    );
    const started = row.startedAt.getTime();
    expect(row.dueAt.getTime()).toBe(due('eeb.task-force', started, 'eeb', true));
    expect(row.dueAt.getTime()).not.toBe(due('eeb.task-force', started, 'eeb', false));
    expect(row.dueAt.getTime() - started).toBe(3_600_000);
  });
});
