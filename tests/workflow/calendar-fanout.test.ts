import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { calendarYears, caseEvents, deadlines } from '../../db/schema';
import { createWorkingCalendar, parseCalendarYearData } from '../../domain/deadlines';
import type { Actor } from '../../domain/case';
import { caseWorkflow } from '../../workflows/case';
import { caseWorkflowId, registeredUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { calendarFanOutWorkflow } from '../../workflows/calendar-fanout';
import {
  calendarFanOutProgressQuery,
  calendarFanOutWorkflowId,
  type CalendarFanOutProgress,
} from '../../workflows/definitions/calendar-fanout';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';

const eeb: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
const N = 8;

/**
 * The calendar fan-out (calendarFanOutWorkflow): a loaded year whose holiday falls on the due date of N open clocks
 * (eeb.task-force) tells each case once, one page per run (continue-as-new), also across a worker stopped mid-way;
 * started again under the same id it tells nobody again.
 */
describe('calendar fan-out workflow (dev server)', () => {
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({}, { api: false, prefix: 'cal' });
  });
  afterAll(async () => {
    await h.close();
  });

  const signalsTo = async (workflowId: string) => {
    const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'calendarChanged',
    ).length;
  };

  it('tells every affected case once, resumes after a worker restart from its recorded progress, and not twice for the same content', async () => {
    const now = await h.env.currentTimeMs();
    const caseIds = Array.from(
      { length: N },
      (_, i) => `00000000-0000-4000-a000-0000000ca1${String(i).padStart(2, '0')}`,
    );
    for (const caseId of caseIds) {
      const input: CaseWorkflowInput = {
        caseId,
        title: `日历测试案件 ${caseId.slice(-2)}`,
        track: 'criminal',
        confidentiality: 'internal',
        createdAtMs: now,
        actor: eeb,
      };
      const handle = await h.env.client.workflow.start(caseWorkflow, {
        workflowId: caseWorkflowId(caseId),
        taskQueue: h.taskQueue,
        args: [input],
      });
      await handle.executeUpdate(registeredUpdate);
    }
    const clocks = await h.db.handle.db.select().from(deadlines).where(eq(deadlines.ruleId, 'eeb.task-force'));
    expect(clocks).toHaveLength(N);
    const dueDate = clocks[0].dueDate;
    expect(clocks.every((c) => c.dueDate === dueDate)).toBe(true);
    const yearNo = Number(dueDate.slice(0, 4));
    const official = createWorkingCalendar([]).yearData(yearNo) ?? { holidays: [], workdays: [] };
    const year = parseCalendarYearData({
      year: yearNo,
      holidays: [...new Set([...official.holidays, dueDate])].sort(),
      workdays: official.workdays.filter((d) => d !== dueDate),
      source: { notice: '国办发明电〔测试〕9号', date: `${yearNo}-01-02` },
    });
    await h.db.handle.db
      .insert(calendarYears)
      .values({ year: year.year, data: year, sourceNotice: year.source.notice, loadedBy: 'admin' });

    const workflowId = calendarFanOutWorkflowId(year.year, '0123456789abcdef');
    const options = {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ year: year.year, contentHash: '0123456789abcdef', pageSize: 1, pagesPerRun: 1 }] as [
        Parameters<typeof calendarFanOutWorkflow>[0],
      ],
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    };
    const handle = await h.env.client.workflow.start(calendarFanOutWorkflow, options);
    // Stopped once some cases are told and others not.
    let before: CalendarFanOutProgress | undefined;
    for (let i = 0; i < 500 && !before; i++) {
      const p = await handle.query(calendarFanOutProgressQuery).catch(() => undefined);
      if (p && p.done >= 2) before = p;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(before).toBeDefined();
    await h.stopWorker();
    const atStop = (await Promise.all(caseIds.map((id) => signalsTo(caseWorkflowId(id))))).reduce((a, b) => a + b, 0);
    expect(atStop).toBeGreaterThanOrEqual(2);
    expect(atStop).toBeLessThan(N);
    await h.startWorker();
    const result = await waitFor('the fan-out finished', async () => {
      const d = await h.env.client.workflow.getHandle(workflowId).describe();
      return d.status.name === 'COMPLETED' ? h.env.client.workflow.getHandle(workflowId).result() : undefined;
    });
    expect(result).toMatchObject({
      year: year.year,
      total: N,
      done: N,
      signalled: N,
      notSignalled: [],
      finished: true,
    });
    // One page per run: the progress crossed continue-as-new N times.
    const first = await h.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const last = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
    const carried = last.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(carried?.continuedExecutionRunId).toBeTruthy();
    for (const id of caseIds) expect(await signalsTo(caseWorkflowId(id))).toBe(1);
    // Each case re-timed its clock once and records it.
    for (const caseId of caseIds) {
      await waitFor(`the retimed clock of ${caseId}`, async () =>
        (await h.db.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).filter(
          (e) => e.type === 'clockRetimed',
        ).length === 1
          ? true
          : undefined,
      );
    }
    const [moved] = await h.db.handle.db.select().from(deadlines).where(eq(deadlines.caseId, caseIds[0]));
    expect(moved.dueDate > dueDate).toBe(true);

    // The same content again (as the API starts it): the id is taken, nothing is signalled.
    await expect(
      h.env.client.workflow.start(calendarFanOutWorkflow, { ...options, workflowIdConflictPolicy: 'USE_EXISTING' }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    for (const id of caseIds) expect(await signalsTo(caseWorkflowId(id))).toBe(1);
  });
});
