import { asc, eq, sql } from 'drizzle-orm';
import type { WorkflowHandle } from '@temporalio/client';
import { recurringPeriodOf, type Cadence, type DutyId } from '../../domain/deadlines';
import { chinaDate } from '../../workflows/duties/common';
import { dutyWorkflowId } from '../../workflows/definitions/duties';
import { jointEnforcementWorkflow } from '../../workflows/duties/joint-enforcement';
import {
  cancelOperationUpdate,
  openCaseFromLeadUpdate,
  planOperationUpdate,
  recordOutcomeUpdate,
} from '../../workflows/definitions/joint-enforcement';
import { completeResolutionUpdate, recordMinutesUpdate } from '../../workflows/definitions/joint-meeting';
import { PERIOD_WORKFLOWS, type DutyScheduleResult, type ScheduledDutyId } from '../../workflows/duties/schedule';
import { planTrainingUpdate, recordTrainingUpdate } from '../../workflows/definitions/training';
import { EEB, EEB_HEAD, PSB, SPP, WG, skipTo, terminateWhenIdle } from '../helpers/duties';
import { dutyPeriods, penaltyRecords, supervisionEvents, supervisionItems } from '../../db/schema';
import { supervisionWorkflowId } from '../../domain/supervision';
import {
  answerOpinionUpdate,
  closeSupervisionUpdate,
  issueOpinionUpdate,
  type SupervisionView,
} from '../../workflows/definitions/supervision';
import {
  renderYear,
  summarisePeriods,
  summariseReleases,
  summariseSupervisionItems,
  writeYear,
} from '../helpers/mechanism-year';
import type { ReleaseContent } from '../../domain/releases';
import { jointReleaseWorkflow } from '../../workflows/releases';
import {
  approveReleaseUpdate,
  publishReleaseUpdate,
  releaseRegisteredUpdate,
  releaseWorkflowId,
  submitReleaseUpdate,
  type ReleaseView,
} from '../../workflows/definitions/releases';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * A year of the mechanism on the time-skipping server, driven the way the Schedules drive it: at 00:05 on the first
 * day of each period the period's workflow starts, and people act on the days they would.
 * November has no joint operation and July's is planned only after a reminder; the second quarter's resolution is
 * left undone; the fourth quarter's meeting is never held; one training is held in June. The procuratorate's sweep
 * runs every month; March's finds a penalty record of February 10 (以罚代刑), and the item it opens goes through the
 * SPP's opinion, the EEB's answer and closing. Every duty must end the year done, reminded or escalated; the summary
 * table goes to test-results/mechanism-year.md.
 */
describe('a simulated year of recurring duties (time-skipping)', () => {
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'duty-year' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('runs a year: every duty of the seed document ends done, reminded or escalated', async () => {
    const year = Number(chinaDate(await h.env.currentTimeMs()).slice(0, 4)) + 1;
    const at = (date: string, hm = '10:00') => Date.parse(`${date}T${hm}:00+08:00`);
    const ymd = (m: number, d: number) => `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const handle = (dutyId: DutyId, cadence: Cadence, date: string) =>
      h.env.client.workflow.getHandle(dutyWorkflowId(dutyId, recurringPeriodOf(cadence, date).key));
    /**
     * What a Schedule's run does now (dutyScheduleWorkflow): the period holding today (for the briefing: the period
     * just ended) under its deterministic id. Started directly here: the time-skipping test server never skips time
     * again once an abandoned child completes after its parent has closed (the period workflows, children of the
     * schedule's run), so the schedule action itself is tested on the dev server (tests/e2e/duties-schedules.test.ts).
     */
    const runSchedule = async (dutyId: DutyId, cadence: Cadence) => {
      const now = chinaDate(await h.env.currentTimeMs());
      let period = recurringPeriodOf(cadence, now);
      if (dutyId === 'info-briefing.periodic') period = recurringPeriodOf(cadence, chinaDate(period.startAtMs - 1));
      const workflowId = dutyWorkflowId(dutyId, period.key);
      await h.env.client.workflow.start(
        PERIOD_WORKFLOWS[dutyId as ScheduledDutyId] as typeof jointEnforcementWorkflow,
        { workflowId, taskQueue: h.taskQueue, args: [{ dutyId, cadence, period }] },
      );
      return { workflowId, periodKey: period.key, started: true } as DutyScheduleResult;
    };
    const opened = (id: string) =>
      waitFor(`${id} opened`, async () =>
        (
          (await h.db.handle.db.execute(sql`select 1 from duty_events where id = ${`${id}/opened`}`)) as unknown as {
            rows: unknown[];
          }
        ).rows.length
          ? true
          : undefined,
      );
    const send = <T>(wf: WorkflowHandle, update: { name: string }, actor: object, input: object) =>
      wf.executeUpdate<T, [unknown]>(update.name, { args: [{ actor, input }] });

    let leadCase: string | undefined;
    for (let m = 1; m <= 12; m++) {
      const first = ymd(m, 1);
      await skipTo(h, at(first, '00:05'));
      const je = await runSchedule('joint-enforcement.monthly', 'monthly');
      expect(je).toMatchObject({ workflowId: `duty-joint-enforcement-${first.slice(0, 7)}`, started: true });
      await runSchedule('info-briefing.periodic', 'monthly');
      if (m === 1) await runSchedule('training.annual', 'annual');
      if ((m - 1) % 3 === 0) await runSchedule('joint-meeting.periodic', 'quarterly');
      await opened(je.workflowId);
      const sweep = await runSchedule('spp.transfer-supervision-sweep', 'monthly');
      await waitFor(`${sweep.workflowId} swept`, async () =>
        (
          (await h.db.handle.db.execute(
            sql`select 1 from duty_events where id = ${`${sweep.workflowId}/swept`}`,
          )) as unknown as { rows: unknown[] }
        ).rows.length
          ? true
          : undefined,
      );
      if (m === 3) {
        const [item] = await waitFor('the March item', async () => {
          const rows = await h.db.handle.db.select().from(supervisionItems);
          return rows.length ? rows : undefined;
        });
        expect(item).toMatchObject({
          kind: 'penaltyInsteadOfCriminal',
          source: 'sweep',
          sweepPeriodId: sweep.workflowId,
        });
        const ih = h.env.client.workflow.getHandle(supervisionWorkflowId(item.id));
        await skipTo(h, at(ymd(3, 3)));
        await send<SupervisionView>(ih, issueOpinionUpdate, SPP, {
          opinionKind: 'transferOpinion',
          text: '该案涉嫌污染环境罪，建议三日内移送公安机关',
        });
        await skipTo(h, at(ymd(3, 4)));
        await send<SupervisionView>(ih, answerOpinionUpdate, EEB, { text: '已于3月4日移送市公安局' });
        await skipTo(h, at(ymd(3, 5)));
        await send<SupervisionView>(ih, closeSupervisionUpdate, SPP, { result: 'corrected', note: '已移送' });
      }
      const jeh = handle('joint-enforcement.monthly', 'monthly', first);

      // Joint enforcement: every month but November; in March a plan is cancelled and made again; July's is planned
      // only after the day-10 reminder.
      if (m !== 11) {
        const day = m === 3 || m === 7 ? 20 : 6;
        if (m === 7) await skipTo(h, at(ymd(m, 12)));
        if (m === 3) {
          await send(jeh, planOperationUpdate, EEB, {
            date: ymd(m, 6),
            places: ['某工业园区'],
            members: { eeb: ['张三'], psb: ['李四'] },
          });
          await send(jeh, cancelOperationUpdate, PSB, { operationId: 'op-1', reason: '警力调整' });
        }
        await send(jeh, planOperationUpdate, m % 2 ? EEB : PSB, {
          date: ymd(m, day),
          places: ['某工业园区', '某河段排污口'],
          members: { eeb: ['张三', '王五'], psb: ['李四'] },
        });
        await skipTo(h, at(ymd(m, day), '18:00'));
        const opId = m === 3 ? 'op-2' : 'op-1';
        await send(jeh, recordOutcomeUpdate, PSB, {
          operationId: opId,
          sitesInspected: 5 + m,
          violationsFound: m % 3,
          leads: m === 4 ? [{ description: '某焦化厂疑似私设暗管' }] : [],
        });
        if (m === 4)
          leadCase = (
            await send<{ caseId: string }>(jeh, openCaseFromLeadUpdate, EEB, {
              operationId: 'op-1',
              leadIndex: 0,
              title: '某焦化厂私设暗管排放案',
              track: 'administrative',
            })
          ).caseId;
      }
      // A penalty record of February 10 whose facts reach the criminal threshold: March's sweep finds 以罚代刑.
      if (m === 2) {
        await skipTo(h, at(ymd(2, 10)));
        await h.db.handle.db.insert(penaltyRecords).values({
          id: '00000000-0000-4000-b000-0000000a2027',
          sourceSystem: 'eeb-penalty',
          sourceId: 'Y1',
          agency: 'eeb',
          party: '某化工有限公司',
          factSummary: '非法倾倒危险废物5吨',
          penaltyType: '罚款',
          amount: '200000.00',
          decisionDate: ymd(2, 10),
          documentNumber: `长环罚〔${year}〕12号`,
          importJobId: 'job-year',
          contentHash: 'year-1',
        });
      }
      // Joint release (联合发布) of the year's joint enforcement results in September: the EEB drafts and submits, the
      // EEB and the PSB approve at once, the SPP only after its review's 预警; then it is published.
      if (m === 9) {
        await skipTo(h, at(ymd(9, 8)));
        const releaseId = '00000000-0000-4000-9000-0000000a2027';
        const content = {
          title: `${year}年1—8月生态环境联合执法成果`,
          body: `${year}年1月至8月，市生态环境局、市公安局联合开展执法行动，市人民检察院提前介入，依法查处一批环境违法犯罪案件。`,
          kind: 'result',
          caseIds: [],
          confidentiality: 'public',
        };
        const rel = await h.env.client.workflow.start(jointReleaseWorkflow, {
          workflowId: releaseWorkflowId(releaseId),
          taskQueue: h.taskQueue,
          args: [
            { releaseId, content: content as ReleaseContent, drafter: EEB, createdAtMs: await h.env.currentTimeMs() },
          ],
        });
        await rel.executeUpdate(releaseRegisteredUpdate);
        const submitted = await send<ReleaseView>(rel, submitReleaseUpdate, EEB, {});
        await send(rel, approveReleaseUpdate, EEB_HEAD, {});
        await send(rel, approveReleaseUpdate, PSB, { comment: '同意发布' });
        await skipTo(h, submitted.approvals.find((a) => a.agency === 'spp')!.warningAtMs! + 3600_000);
        await waitFor('the SPP review warned', async () =>
          (
            (await h.db.handle.db.execute(
              sql`select 1 from release_events where type = 'releaseClockWarning'`,
            )) as unknown as { rows: unknown[] }
          ).rows.length
            ? true
            : undefined,
        );
        await send(rel, approveReleaseUpdate, SPP, {});
        expect((await send<ReleaseView>(rel, publishReleaseUpdate, EEB, {})).status).toBe('published');
      }
      // Training: planned in March for June, held in June.
      if (m === 3)
        await send(handle('training.annual', 'annual', first), planTrainingUpdate, SPP, {
          titleZh: '环境污染犯罪案件办理实务培训',
          date: ymd(6, 18),
          organiser: 'joint',
          format: 'training',
        });
      if (m === 6) {
        await skipTo(h, at(ymd(6, 18), '17:00'));
        await send(handle('training.annual', 'annual', first), recordTrainingUpdate, EEB, {
          sessionId: 'session-1',
          attendance: { eeb: 20, psb: 15, spp: 6 },
          materials: [{ name: '讲义.pdf', ref: 'upload://training/2027-1' }],
        });
      }
      // Meetings: held in the second month of Q1–Q3 with one resolution due 10 days later; Q2's is never done.
      if (m % 3 === 2 && m < 11) {
        const mh = handle('joint-meeting.periodic', 'quarterly', first);
        await skipTo(h, at(ymd(m, 15), '16:00'));
        await send(mh, recordMinutesUpdate, WG, {
          heldOn: ymd(m, 15),
          attendees: { eeb: ['郭响平'], psb: ['杨波'], spp: ['闫红花'] },
          summary: '通报案件办理情况。',
          resolutions: [
            { titleZh: `第${(m + 1) / 3}季度议定事项：清理超期案件`, ownerAgency: 'psb', dueDate: ymd(m, 25) },
          ],
        });
        if (m !== 5) await send(mh, completeResolutionUpdate, PSB, { resolutionId: 'resolution-1', note: '已清理' });
      }
    }
    // Into the next year: December's briefing, and every escalation ladder of the year has run.
    await skipTo(h, at(`${year + 1}-01-01`, '00:05'));
    await runSchedule('info-briefing.periodic', 'monthly');
    await skipTo(h, at(`${year + 1}-01-12`, '12:00'));
    if (leadCase) await terminateWhenIdle(h, caseWorkflowId(leadCase));

    const periods = await h.db.handle.db
      .select()
      .from(dutyPeriods)
      .orderBy(asc(dutyPeriods.dutyId), asc(dutyPeriods.periodKey));
    const counts = (await h.db.handle.db.execute(
      sql`select period_id, type, count(*)::int as n from duty_events group by period_id, type`,
    )) as unknown as { rows: { period_id: string; type: string; n: number }[] };
    const n = (id: string, type: string) => counts.rows.find((r) => r.period_id === id && r.type === type)?.n ?? 0;
    // The summary table: every duty and period, done / reminded / escalated with counts (test-results/mechanism-year.md).
    const summary = [
      ...(await summarisePeriods(h.db.handle.db)),
      ...(await summariseReleases(h.db.handle.db)),
      ...(await summariseSupervisionItems(h.db.handle.db)),
    ];
    const markdown = renderYear(year, summary);
    const file = writeYear(markdown);
    console.log(`${markdown}\n（已写入 ${file}）`);
    expect(summary.filter((p) => p.outcome === 'open')).toEqual([]);
    expect(new Set(summary.map((p) => p.dutyId))).toEqual(
      new Set([
        'joint-enforcement.monthly',
        'training.annual',
        'joint-meeting.periodic',
        'info-briefing.periodic',
        'spp.transfer-supervision-sweep',
        'joint-release',
        'supervision-item',
      ]),
    );
    expect(summary.filter((p) => p.dutyId === 'joint-release')).toEqual([
      expect.objectContaining({
        status: 'published',
        outcome: 'reminded',
        warnings: 1,
        escalations: 0,
        achieved: '审核 1 轮，同意 3',
      }),
    ]);
    const outcome = Object.fromEntries(summary.map((p) => [p.periodId, p]));
    expect(outcome[`duty-joint-enforcement-${year}-11`]).toMatchObject({
      outcome: 'escalated',
      reminders: 2,
      warnings: 1,
      nonCompliant: 1,
      escalations: 1,
    });
    expect(outcome[`duty-joint-enforcement-${year}-03`]).toMatchObject({
      outcome: 'done',
      reminders: 0,
      eveReminders: 1,
      achieved: expect.stringContaining('取消行动 1'),
    });
    expect(outcome[`duty-joint-enforcement-${year}-07`]).toMatchObject({
      outcome: 'reminded',
      reminders: 1,
      eveReminders: 1,
    });
    expect(outcome[`duty-training-${year}`]).toMatchObject({ outcome: 'reminded', reminders: 1 }); // Q2 began before June's session
    expect(outcome[`duty-joint-meeting-${year}-Q2`]).toMatchObject({ outcome: 'escalated', escalations: 1 });
    expect(outcome[`duty-joint-meeting-${year}-Q4`]).toMatchObject({
      outcome: 'escalated',
      warnings: 1,
      nonCompliant: 1,
      escalations: 1,
    });
    for (const p of summary.filter((x) => x.outcome === 'escalated')) expect(p.mails).toBeGreaterThan(0);
    // The procuratorate's sweep ran every month; only March's found something new (February's penalty record).
    const sweeps = summary.filter((p) => p.dutyId === 'spp.transfer-supervision-sweep');
    expect(sweeps.map((p) => [p.periodKey, p.status, p.outcome])).toEqual(
      Array.from({ length: 12 }, (_, i) => [ymd(i + 1, 1).slice(0, 7), 'done', 'done']),
    );
    expect(sweeps.map((p) => (p.achieved.match(/新生成监督事项 (\d+)/) ?? [])[1])).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 2 ? '1' : '0')),
    );
    expect(sweeps.every((p) => p.mails > 0)).toBe(true);
    // The item March's sweep opened: 以罚代刑, the SPP's opinion, the EEB's answer, closed — within every clock.
    expect(summary.filter((p) => p.dutyId === 'supervision-item')).toEqual([
      expect.objectContaining({
        status: 'closed',
        statusZh: '已办结',
        outcome: 'done',
        warnings: 0,
        nonCompliant: 0,
        escalations: 0,
        periodKey: `${ymd(3, 1)} 以罚代刑（监督检查发现）`,
      }),
    ]);
    const [item] = await h.db.handle.db.select().from(supervisionItems);
    expect(item).toMatchObject({
      kind: 'penaltyInsteadOfCriminal',
      status: 'closed',
      result: 'corrected',
      opinionKind: 'transferOpinion',
      sweepPeriodId: `duty-supervision-sweep-${year}-03`,
    });
    const itemEvents = await h.db.handle.db
      .select()
      .from(supervisionEvents)
      .where(eq(supervisionEvents.itemId, item.id))
      .orderBy(asc(supervisionEvents.seq));
    expect(itemEvents.map((e) => e.type)).toEqual([
      'supervisionOpened',
      'supervisionOpinionIssued',
      'supervisionAnswered',
      'supervisionClosed',
    ]);

    const status = Object.fromEntries(periods.map((p) => [p.id, p.status]));
    for (let m = 1; m <= 12; m++)
      expect(status[`duty-joint-enforcement-${ymd(m, 1).slice(0, 7)}`]).toBe(m === 11 ? 'escalated' : 'done');
    expect(n(`duty-joint-enforcement-${year}-11`, 'dutyReminder')).toBe(2);
    expect(status[`duty-training-${year}`]).toBe('done');
    expect(n(`duty-training-${year}`, 'trainingReport')).toBe(1);
    expect([1, 2, 3, 4].map((q) => status[`duty-joint-meeting-${year}-Q${q}`])).toEqual([
      'done',
      'done',
      'done',
      'escalated',
    ]);
    expect(n(`duty-joint-meeting-${year}-Q2`, 'resolutionEscalated')).toBe(1);
    expect(n(`duty-joint-meeting-${year}-Q1`, 'resolutionDone')).toBe(1);
    const briefings = periods.filter((p) => p.dutyId === 'info-briefing.periodic');
    expect(briefings.map((p) => [p.periodKey, p.status])).toEqual(
      [`${year - 1}-12`, ...Array.from({ length: 12 }, (_, i) => ymd(i + 1, 1).slice(0, 7))].map((k) => [k, 'done']),
    );
    const briefingTotals = (
      briefings.find((p) => p.periodKey === `${year}-04`)!.summary as { totals: Record<string, number> }
    ).totals;
    expect(briefingTotals).toMatchObject({ jointOperations: 2, leads: 2 }); // April: one operation (EEB + PSB), its lead and the case registered from it
  }, 600_000);
});
