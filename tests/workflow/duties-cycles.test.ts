import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { caseEvents, cases, dutyItems, dutyPeriods, reportFiles, reports } from '../../db/schema';
import { recurringPeriodOf, type Cadence } from '../../domain/deadlines';
import { BRIEFING_METRIC_ZH } from '../../domain/briefing-metrics';
import { briefingWorkflow } from '../../workflows/duties/briefing';
import { chinaDate } from '../../workflows/duties/common';
import { type DutyPeriodInput } from '../../workflows/definitions/duties';
import { jointMeetingWorkflow } from '../../workflows/duties/joint-meeting';
import {
  completeResolutionUpdate,
  recordMinutesUpdate,
  scheduleMeetingUpdate,
} from '../../workflows/definitions/joint-meeting';
import { trainingWorkflow } from '../../workflows/duties/training';
import { planTrainingUpdate, recordTrainingUpdate } from '../../workflows/definitions/training';
import {
  EEB,
  PSB,
  SPP,
  WG,
  dutyEventTypes,
  periodInput,
  saveDutyFixture,
  skipTo,
  terminateWhenIdle,
} from '../helpers/duties';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * The other cycles on the time-skipping server: a briefing's numbers against a hand-computed fixture, a joint
 * meeting whose resolution becomes overdue (and its agenda from the record), a year with and a year without training.
 * The test server's clock runs on after a result is fetched, so each test takes the period after the current time.
 */
describe('recurring duty cycles (time-skipping)', () => {
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'duty-cy' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** The period of `cadence` after the one holding the server's current time. */
  const nextPeriod = async (dutyId: DutyPeriodInput['dutyId'], cadence: Cadence) => {
    const now = chinaDate(await h.env.currentTimeMs());
    return periodInput(dutyId, cadence, chinaDate(recurringPeriodOf(cadence, now).dueAtMs + 1000));
  };
  /** Starts a period workflow at 00:05 of its first day and waits until it has opened. */
  const startAtOpening = async <T>(
    fn: (i: DutyPeriodInput) => Promise<T>,
    p: { workflowId: string; input: DutyPeriodInput },
  ) => {
    await skipTo(h, p.input.period.startAtMs + 5 * 60_000);
    const handle = await h.env.client.workflow.start(fn, {
      workflowId: p.workflowId,
      taskQueue: h.taskQueue,
      args: [p.input],
    });
    await waitFor('period opened', async () => ((await dutyEventTypes(h, p.workflowId)).length ? true : undefined));
    return handle;
  };

  it('a year without training: a reminder each quarter, warning, non-compliance, escalation, and the year report', async () => {
    const p = await nextPeriod('training.annual', 'annual');
    const handle = await startAtOpening(trainingWorkflow, p);
    const result = await handle.result();
    expect(result.status).toBe('escalated');
    expect(await dutyEventTypes(h, p.workflowId)).toEqual([
      'dutyPeriodOpened',
      'dutyReminder',
      'dutyReminder',
      'dutyReminder',
      'dutyWarning',
      'dutyNonCompliant',
      'dutyEscalated',
      'trainingReport',
    ]);
    expect(result.report).toEqual({ held: 0, attendance: { eeb: 0, psb: 0, spp: 0 }, sessions: [] });
    await saveDutyFixture(h, 'duty-training-escalated', p.workflowId);
  });

  it('a year with a joint training: planned, held with attendance and materials, reported; no reminders', async () => {
    const p = await nextPeriod('training.annual', 'annual');
    const handle = await startAtOpening(trainingWorkflow, p);
    const date = `${p.input.period.key}-03-20`;
    await handle.executeUpdate(planTrainingUpdate, {
      args: [
        { actor: SPP, input: { titleZh: '环境污染犯罪案件证据标准研讨', date, organiser: 'joint', format: 'seminar' } },
      ],
    });
    await skipTo(h, Date.parse(`${date}T17:00:00+08:00`));
    await handle.executeUpdate(recordTrainingUpdate, {
      args: [
        {
          actor: EEB,
          input: {
            sessionId: 'session-1',
            attendance: { eeb: 12, psb: 8, spp: 5 },
            materials: [{ name: '课件.pdf', ref: 'upload://training/1' }],
          },
        },
      ],
    });
    const result = await handle.result();
    expect(result.status).toBe('done');
    expect(await dutyEventTypes(h, p.workflowId)).toEqual([
      'dutyPeriodOpened',
      'trainingPlanned',
      'trainingHeld',
      'trainingReport',
    ]);
    expect(result.report).toEqual({
      held: 1,
      attendance: { eeb: 12, psb: 8, spp: 5 },
      sessions: [`${date} 环境污染犯罪案件证据标准研讨`],
    });
    await saveDutyFixture(h, 'duty-training-held', p.workflowId);
  });
  it("a briefing's statistics per agency equal the hand-computed fixture; the confidential case is counted, never described", async () => {
    const p = await nextPeriod('info-briefing.periodic', 'monthly');
    const s = p.input.period.startAtMs;
    const day = 86_400_000;
    const db = h.db.handle.db;
    const mk = (id: string, n: number, title: string, confidentiality: string, overdue = false) => ({
      id,
      caseNumber: `联动-测试-${n}`,
      title,
      track: 'criminal',
      stage: 'transferred',
      stageLabelZh: '已移送',
      responsibleAgency: 'psb',
      confidentiality,
      overdue,
      workflowId: caseWorkflowId(id),
      createdAt: new Date(s),
    });
    const C1 = '00000000-0000-4000-8000-0000000000c1';
    const C2 = '00000000-0000-4000-8000-0000000000c2';
    const C3 = '00000000-0000-4000-8000-0000000000c3';
    await db
      .insert(cases)
      .values([
        mk(C1, 1, '某化工厂非法倾倒危险废物案', 'internal', true),
        mk(C2, 2, '举报人实名举报某企业偷排案', 'confidential'),
        mk(C3, 3, '某电镀厂超标排放案', 'public'),
      ]);
    let n = 0;
    const ev = (caseId: string, atMs: number, agency: string | null, type: string, step?: string, ruleId?: string) => ({
      id: `fx-${++n}`,
      caseId,
      type,
      labelZh: type,
      actorAgency: agency,
      ruleId: ruleId ?? null,
      data: step ? { step } : { clockId: 'k1' },
      occurredAt: new Date(atMs),
    });
    await db.insert(caseEvents).values([
      // C1 (internal): created, transferred, filed, arrest approved, prosecuted — all inside the month.
      ev(C1, s + 1 * day, 'eeb', 'caseCreated'),
      ev(C1, s + 2 * day, 'eeb', 'transferDelivered', 'deliverTransfer'),
      ev(C1, s + 3 * day, 'psb', 'caseFiled', 'fileCase'),
      ev(C1, s + 4 * day, 'spp', 'arrestApproved', 'approveArrest'),
      ev(C1, s + 5 * day, 'spp', 'prosecuted', 'prosecute'),
      // C2 (confidential): created, transferred, not filed, its filing clock overdue and a supervision item; a dispute.
      ev(C2, s + 1 * day, 'eeb', 'caseCreated'),
      ev(C2, s + 2 * day, 'eeb', 'transferDelivered', 'deliverTransfer'),
      ev(C2, s + 6 * day, 'psb', 'filingDeclined', 'declineFiling'),
      ev(C2, s + 7 * day, null, 'clockOverdue', undefined, 'psb.filing-decision'),
      ev(C2, s + 7 * day, null, 'clockSupervision', undefined, 'psb.filing-decision'),
      ev(C2, s + 8 * day, 'eeb', 'reconsiderationRequested', 'requestReconsideration'),
      // C3 (public): registered the second before the month began (not counted); a judgment and an overdue EEB clock
      // inside; a filing the first second after the month (not counted); under joint supervision (major).
      ev(C3, s - 1000, 'eeb', 'caseCreated'),
      ev(C3, s + 9 * day, 'spp', 'judgmentRecorded', 'recordJudgment'),
      ev(C3, s + 10 * day, null, 'clockOverdue', undefined, 'eeb.transfer-report'),
      ev(C3, s + 11 * day, 'spp', 'jointSupervisionStarted', 'jointSupervision'),
      ev(C3, p.input.period.dueAtMs + 1000, 'psb', 'caseFiled', 'fileCase'),
    ]);
    const inMonth = chinaDate(s + 12 * day);
    await db.insert(dutyPeriods).values({
      id: 'fixture-period',
      dutyId: 'joint-enforcement.monthly',
      periodKey: 'fixture',
      cadence: 'monthly',
      startDate: p.input.period.startDate,
      endDate: p.input.period.endDate,
      labelZh: '测试',
    });
    const item = (id: string, kind: string, status: string, date: string, data: Record<string, unknown>) => ({
      id,
      periodId: 'fixture-period',
      dutyId: 'joint-enforcement.monthly',
      kind,
      status,
      titleZh: id,
      date,
      data,
    });
    await db
      .insert(dutyItems)
      .values([
        item('fx-op-1', 'jointOperation', 'completed', inMonth, { leadCount: 2, recordedByAgency: 'psb' }),
        item('fx-op-2', 'jointOperation', 'cancelled', inMonth, { leadCount: 0 }),
        item('fx-op-3', 'jointOperation', 'completed', chinaDate(s - 1000), { leadCount: 5, recordedByAgency: 'eeb' }),
        item('fx-tr-1', 'trainingSession', 'held', inMonth, { attendance: { eeb: 10, psb: 5, spp: 0 } }),
      ]);

    await skipTo(h, p.input.period.dueAtMs + 3600_000);
    const before = h.smtp.received.length;
    const result = await (
      await h.env.client.workflow.start(briefingWorkflow, {
        workflowId: p.workflowId,
        taskQueue: h.taskQueue,
        args: [p.input],
      })
    ).result();
    // Hand-computed from the fixture above (see the comments there).
    const zero = {
      leads: 0,
      transfers: 0,
      filings: 0,
      nonFilings: 0,
      arrests: 0,
      prosecutions: 0,
      judgments: 0,
      overdueClocks: 0,
      supervisionItems: 0,
      jointOperations: 0,
      trainings: 0,
    };
    expect(result.stats.perAgency).toEqual({
      eeb: { ...zero, leads: 2, transfers: 2, overdueClocks: 1, jointOperations: 1, trainings: 1 },
      psb: {
        ...zero,
        leads: 2,
        filings: 1,
        nonFilings: 1,
        overdueClocks: 1,
        supervisionItems: 1,
        jointOperations: 1,
        trainings: 1,
      },
      spp: { ...zero, arrests: 1, prosecutions: 1, judgments: 1 },
    });
    expect(result.stats.totals).toEqual({
      leads: 4,
      transfers: 2,
      filings: 1,
      nonFilings: 1,
      arrests: 1,
      prosecutions: 1,
      judgments: 1,
      overdueClocks: 2,
      supervisionItems: 1,
      jointOperations: 2,
      trainings: 2,
    });
    expect(result.stats.confidentialCases).toBe(1);
    expect(result.stats.cases.map((c) => c.title).sort()).toEqual(['某化工厂非法倾倒危险废物案', '某电镀厂超标排放案']);

    const mails = h.smtp.received.slice(before);
    expect(mails.map((m) => (m.to as { text: string }).text).sort()).toEqual([
      'eeb-liaison@linkage.local',
      'psb-liaison@linkage.local',
      'spp-liaison@linkage.local',
    ]);
    for (const m of mails) {
      expect(m.text).toContain('立案：生态环境局 0，公安局 1，检察院 0，合计 1');
      expect(m.text).toContain('其中保密案件 1 件（仅计数，不列明）');
      expect(m.text).not.toContain('举报人');
    }
    const [stored] = await db
      .select()
      .from(dutyItems)
      .where(eq(dutyItems.id, `${p.workflowId}/briefing`));
    expect(stored).toMatchObject({
      kind: 'briefing',
      status: 'issued',
      data: { totals: result.stats.totals, confidentialCases: 1 },
    });
    // The briefing's report files (child reportWorkflow): the XLSX's per-agency table is the hand-computed fixture too.
    expect(result.reportId).toBe(p.workflowId);
    const [report] = await db.select().from(reports).where(eq(reports.id, p.workflowId));
    expect(report).toMatchObject({
      kind: 'briefing',
      status: 'done',
      source: 'briefing',
      dutyPeriodId: p.workflowId,
      titleZh: result.labelZh,
    });
    const files = await db.select().from(reportFiles).where(eq(reportFiles.reportId, p.workflowId));
    expect(files.map((f) => f.format).sort()).toEqual(['csv', 'pdf', 'xlsx']);
    const [xlsx] = await db
      .select()
      .from(reportFiles)
      .where(and(eq(reportFiles.reportId, p.workflowId), eq(reportFiles.format, 'xlsx')));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.content as unknown as ExcelJS.Buffer);
    const table: Record<string, Record<string, number>> = { eeb: {}, psb: {}, spp: {} };
    const metricOf = new Map(Object.entries(BRIEFING_METRIC_ZH).map(([m, zh]) => [zh, m]));
    wb.getWorksheet('各机关指标')!.eachRow((row, i) => {
      if (i === 1) return;
      const m = metricOf.get(String(row.getCell(1).value))!;
      ['eeb', 'psb', 'spp'].forEach((a, k) => (table[a][m] = Number(row.getCell(k + 2).value)));
    });
    expect(table).toEqual(result.stats.perAgency);
    const csv = files.find((f) => f.format === 'csv')!.content.toString('utf8');
    expect(csv).toContain('某化工厂非法倾倒危险废物案');
    expect(csv).not.toContain('举报人');
    await saveDutyFixture(h, 'duty-briefing-report', p.workflowId);
  });

  it('a joint meeting: agenda from the record, minutes with resolutions, one done and one overdue up to the working group', async () => {
    const p = await nextPeriod('joint-meeting.periodic', 'quarterly');
    const handle = await startAtOpening(jointMeetingWorkflow, p);
    const opened = await handle.query('state');
    const agenda = (
      opened as {
        agenda: {
          overdueCases: { title: string }[];
          supervisedCases: { title: string }[];
          majorCases: { title: string }[];
          disputes: { title: string }[];
          confidentialCounts: Record<string, number>;
        };
      }
    ).agenda;
    expect(agenda.overdueCases.map((c) => c.title)).toEqual(['某化工厂非法倾倒危险废物案']);
    // The confidential case is counted in its lists, never an entry (the agenda goes to every agency).
    expect(agenda.supervisedCases).toEqual([]);
    expect(agenda.majorCases.map((c) => c.title)).toEqual(['某电镀厂超标排放案']);
    expect(agenda.disputes).toEqual([]);
    expect(agenda.confidentialCounts).toEqual({ overdue: 0, supervised: 1, major: 0, disputes: 1 });

    const start = p.input.period.startDate;
    const meetingDay = `${start.slice(0, 8)}15`;
    await handle.executeUpdate(scheduleMeetingUpdate, {
      args: [{ actor: WG, input: { date: meetingDay, place: '市生态环境局会议室' } }],
    });
    await skipTo(h, Date.parse(`${meetingDay}T15:00:00+08:00`));
    const dueDate = chinaDate(Date.parse(`${meetingDay}T12:00:00+08:00`) + 10 * 86_400_000);
    const view = await handle.executeUpdate(recordMinutesUpdate, {
      args: [
        {
          actor: SPP,
          input: {
            heldOn: meetingDay,
            attendees: { eeb: ['郭响平'], psb: ['杨波'], spp: ['闫红花'], workingGroup: ['史跃宏'] },
            summary: '通报本季度案件办理情况，研究超期与监督案件。',
            resolutions: [
              { titleZh: '公安局对某企业偷排案作出立案决定并书面通知', ownerAgency: 'psb', dueDate },
              { titleZh: '生态环境局补充某化工厂案件的监测报告', ownerAgency: 'eeb' },
            ],
          },
        },
      ],
    });
    expect(view.resolutions.map((r) => [r.id, r.ownerAgency, r.dueDate])).toEqual([
      ['resolution-1', 'psb', dueDate],
      ['resolution-2', 'eeb', expect.any(String)],
    ]);
    // Only the owner agency (or the working group) closes a resolution.
    await expect(
      handle.executeUpdate(completeResolutionUpdate, {
        args: [{ actor: PSB, input: { resolutionId: 'resolution-2', note: 'x' } }],
      }),
    ).rejects.toThrow();
    await handle.executeUpdate(completeResolutionUpdate, {
      args: [{ actor: EEB, input: { resolutionId: 'resolution-2', note: '监测报告已补充' } }],
    });

    const result = await handle.result();
    expect(result.status).toBe('done');
    expect(result.resolutions.map((r) => [r.id, r.status, r.level])).toEqual([
      ['resolution-1', 'open', 'escalated'],
      ['resolution-2', 'done', 'none'],
    ]);
    expect(await dutyEventTypes(h, p.workflowId)).toEqual([
      'dutyPeriodOpened',
      'meetingScheduled',
      'meetingHeld',
      'resolutionDone',
      'resolutionWarning',
      'resolutionOverdue',
      'resolutionEscalated',
    ]);
    const [r1] = await h.db.handle.db
      .select()
      .from(dutyItems)
      .where(eq(dutyItems.id, `${p.workflowId}/resolution-1`));
    expect(r1).toMatchObject({
      kind: 'resolution',
      status: 'open',
      ownerAgency: 'psb',
      date: dueDate,
      escalationLevel: 'escalated',
    });
    expect(
      h.smtp.received.some(
        (m) => m.subject === '【督办】议定事项超期未办结：公安局对某企业偷排案作出立案决定并书面通知',
      ),
    ).toBe(true);
    await saveDutyFixture(h, 'duty-joint-meeting-resolution-escalated', p.workflowId);

    // The next meeting's agenda carries the open resolution.
    const next = await nextPeriod('joint-meeting.periodic', 'quarterly');
    const nextHandle = await startAtOpening(jointMeetingWorkflow, next);
    const nextAgenda = ((await nextHandle.query('state')) as { agenda: { openResolutions: { titleZh: string }[] } })
      .agenda;
    expect(nextAgenda.openResolutions.map((r) => r.titleZh)).toEqual(['公安局对某企业偷排案作出立案决定并书面通知']);
    await terminateWhenIdle(h, nextHandle.workflowId);
  });
});
