import { and, asc, eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { calendarYears, caseEvents, deadlines, notifications } from '../../db/schema';
import { caseWorkflow } from '../../workflows/case';
import { registeredUpdate, stateQuery, type CaseWorkflowInput } from '../../workflows/definitions/case';
import type { TestDb } from '../helpers/db';
import type { TestSmtp } from '../helpers/smtp';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';
import { planClock } from '../../workflows/clocks';
import { waitFor } from '../helpers/wait';

/**
 * A case clock on the time-skipping test server: the clock is never shortened, time is skipped.
 * Rule `eeb.detention-transfer` (2014 Measures Art 12, 3 workdays) for a detention case.
 */
/** How late a recorded ladder event may be after its instant: the worker's task latency, not timer precision. */
const TASK_LATENCY_MS = 5_000;

describe('case clock escalation (time-skipping)', () => {
  let h: Stack;
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let smtp: TestSmtp;
  let taskQueue: string;

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'wf' });
    ({ env, db, smtp, taskQueue } = h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('fires warning, overdue, supervision and working-group escalation at their instants, each once, with email', async () => {
    const startMs = await env.currentTimeMs();
    const caseId = '00000000-0000-4000-8000-00000000c10c';
    const input: CaseWorkflowInput = {
      caseId,
      title: '某企业拒不执行停产整治决定',
      track: 'detention',
      confidentiality: 'internal',
      createdAtMs: startMs,
      actor: { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' },
      documentNumber: '长环移拘审〔2026〕1号',
    };
    const handle = await env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);

    // The expected plan, computed by the deadline engine for the same start instant.
    const plan = planClock({
      ruleId: 'eeb.detention-transfer',
      startedAtMs: startMs,
      custody: false,
      calendarYears: [],
    });
    const view = await handle.query(stateQuery);
    expect(view.openClocks[0]).toMatchObject({ ruleId: 'eeb.detention-transfer', dueDate: plan.dueDate });
    const [row] = await db.handle.db.select().from(deadlines).where(eq(deadlines.caseId, caseId));
    expect(row.dueAt.getTime()).toBe(plan.dueAtMs);

    const last = plan.ladder[plan.ladder.length - 1];
    // Skip past the last ladder step (escalation: 3 working days after the due date), plus a margin.
    await env.sleep(last.atMs - startMs + 60_000);

    const kinds = plan.ladder.map((s) => `clock${s.kind[0].toUpperCase()}${s.kind.slice(1)}`);
    const events = await waitFor('all ladder events', async () => {
      const rows = await db.handle.db
        .select()
        .from(caseEvents)
        .where(and(eq(caseEvents.caseId, caseId)))
        .orderBy(asc(caseEvents.seq));
      return kinds.every((k) => rows.some((r) => r.type === k)) ? rows : undefined;
    });
    for (const step of plan.ladder) {
      const type = `clock${step.kind[0].toUpperCase()}${step.kind.slice(1)}`;
      const fired = events.filter((e) => e.type === type);
      expect(fired).toHaveLength(1);
      // Fired at (not before) its instant. The test server fires the timer exactly; the event carries the time of the
      // workflow task that records it, which a loaded 2-core machine has been seen to start 1.1–2.1 s later. A wrong
      // calendar or rule is off by hours or days, so 5 s still catches it.
      expect(fired[0].occurredAt.getTime()).toBeGreaterThanOrEqual(step.atMs);
      expect(fired[0].occurredAt.getTime()).toBeLessThan(step.atMs + TASK_LATENCY_MS);
    }
    const overdue = events.find((e) => e.type === 'clockOverdue')!;
    expect(overdue.labelZh).toContain('超期');
    expect(overdue.ruleId).toBe('eeb.detention-transfer');

    const outbox = await waitFor('all mail sent', async () => {
      const rows = await db.handle.db.select().from(notifications).where(eq(notifications.caseId, caseId));
      return rows.length > 0 && rows.every((r) => r.status === 'sent') ? rows : undefined;
    });
    expect(smtp.received.length).toBe(outbox.length);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(outbox.length);
    const overdueMail = smtp.received.find((m) => m.subject?.includes('超期'));
    expect(overdueMail?.text).toContain('eeb.detention-transfer');
    expect(overdueMail?.text).toContain(plan.basis);

    const after = await handle.query(stateQuery);
    expect(after.overdue).toBe(true);
  });

  it('times a clock across a holiday block with a make-up working day at the hand-computed instants', async () => {
    // Test calendars loaded as an administrator would (invented notices, far from any real year's data):
    // 2032 New Year: 01-01 (Thu) to 01-03 (Sat) off, Sunday 01-04 a 调休 make-up working day.
    await db.handle.db.insert(calendarYears).values([
      {
        year: 2031,
        data: {
          year: 2031,
          holidays: ['2031-01-01'],
          workdays: [],
          source: { notice: '测试通知（2031）', date: '2030-11-01' },
          origin: 'loaded',
        },
        sourceNotice: '测试通知（2031）',
      },
      {
        year: 2032,
        data: {
          year: 2032,
          holidays: ['2032-01-01', '2032-01-02', '2032-01-03'],
          workdays: ['2032-01-04'],
          source: { notice: '测试通知（2032）', date: '2031-11-01' },
          origin: 'loaded',
        },
        sourceNotice: '测试通知（2032）',
      },
    ]);
    // Transfer decision on Tuesday 2031-12-30 10:00 China time.
    const startMs = Date.parse('2031-12-30T10:00:00+08:00');
    await env.sleep(startMs - (await env.currentTimeMs()));
    const caseId = '00000000-0000-4000-8000-0000000ca1e2';
    const handle = await env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue,
      args: [
        {
          caseId,
          title: '跨元旦假期的移送行政拘留',
          track: 'detention',
          confidentiality: 'internal',
          createdAtMs: startMs,
          actor: { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' },
          documentNumber: '长环移拘审〔2031〕1号',
        },
      ],
    });
    await handle.executeUpdate(registeredUpdate);
    // eeb.detention-transfer, 3 workdays (2014 Measures Art 12, Art 19), start day not counted:
    // 12-31 Wed = 1; 01-01..03 holiday; 01-04 Sun make-up working day = 2; 01-05 Mon = 3 → due 2032-01-05.
    const view = await handle.query(stateQuery);
    expect(view.openClocks[0]).toMatchObject({
      ruleId: 'eeb.detention-transfer',
      dueDate: '2032-01-05',
      dueAt: '2032-01-05T23:59:59+08:00',
      provisional: false,
    });
    // Ladder (§3): warning 09:00 of the working day before the due date = Sunday 01-04 (make-up day);
    // overdue at 2032-01-06 00:00; no supervision item (administrative detention); working group at the end of
    // the 3rd working day after the due date: 01-06, 01-07, 01-08 → 2032-01-08 23:59:59.
    const expected: [string, string][] = [
      ['clockWarning', '2032-01-04T09:00:00+08:00'],
      ['clockOverdue', '2032-01-06T00:00:00+08:00'],
      ['clockEscalation', '2032-01-08T23:59:59+08:00'],
    ];
    await env.sleep(Date.parse('2032-01-09T12:00:00+08:00') - (await env.currentTimeMs()));
    const events = await waitFor('ladder events', async () => {
      const rows = await db.handle.db
        .select()
        .from(caseEvents)
        .where(eq(caseEvents.caseId, caseId))
        .orderBy(asc(caseEvents.seq));
      return rows.some((r) => r.type === 'clockEscalation') ? rows : undefined;
    });
    const fired = events.filter((e) => e.type.startsWith('clock'));
    expect(fired.map((e) => e.type)).toEqual(expected.map(([t]) => t));
    for (const [type, at] of expected) {
      const e = fired.find((x) => x.type === type)!;
      expect(e.occurredAt.getTime()).toBeGreaterThanOrEqual(Date.parse(at));
      expect(e.occurredAt.getTime()).toBeLessThan(Date.parse(at) + TASK_LATENCY_MS);
    }
    await db.handle.db.delete(calendarYears);
  });
});
