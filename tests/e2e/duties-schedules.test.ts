import { eq } from 'drizzle-orm';
import { loadConfig } from '../../config';
import { dutyEvents, dutyPeriods } from '../../db/schema';
import { recurringPeriodOf } from '../../domain/deadlines';
import { ensureSchedules } from '../../infra/schedules';
import { chinaDate } from '../../workflows/duties/common';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * The duties' Temporal Schedules on a real dev server (the time-skipping test server has no Schedule API):
 * idempotent creation at start-up, listing with next run, pause and unpause, trigger now without a duplicate period,
 * cadence changes through the API and through configuration; and the duty API over HTTP.
 */
describe('duty schedules and the duty API (dev server)', () => {
  let stack: Stack;
  let admin: string;
  let eeb: string;
  let psb: string;
  let spp: string;
  const today = chinaDate(Date.now());
  const month = recurringPeriodOf('monthly', today);
  const jeId = `duty-joint-enforcement-${month.key}`;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = stack.adminToken;
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' });
    psb = await stack.userToken({ agency: 'psb', role: 'liaison' });
    spp = await stack.userToken({ agency: 'spp', role: 'officer' });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('creates one schedule per duty at start-up, idempotently, and starts the current periods once', async () => {
    const first = await ensureSchedules(stack.env.client, stack.config);
    expect(first.created.sort()).toEqual([
      'duty-info-briefing-periodic',
      'duty-joint-enforcement-monthly',
      'duty-joint-meeting-periodic',
      'duty-spp-transfer-supervision-sweep',
      'duty-training-annual',
    ]);
    const again = await ensureSchedules(stack.env.client, stack.config);
    expect(again).toEqual({ created: [], updated: [], unchanged: expect.arrayContaining(first.created) });

    // "Trigger immediately" at creation started this month's joint enforcement, this year's training, this quarter's
    // meeting, last month's briefing and this month's supervision sweep.
    const previousMonth = recurringPeriodOf('monthly', chinaDate(month.startAtMs - 1));
    const expected = [
      jeId,
      `duty-training-${today.slice(0, 4)}`,
      `duty-joint-meeting-${recurringPeriodOf('quarterly', today).key}`,
      `duty-info-briefing-${previousMonth.key}`,
      `duty-supervision-sweep-${month.key}`,
    ];
    for (const id of expected)
      await waitFor(
        id,
        async () => (await stack.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, id)))[0],
      );

    const list = await request(stack.base, admin, 'GET', '/api/v1/schedules');
    expect(list.status).toBe(200);
    const items = list.json.items as { id: string; cadence: string; paused: boolean; nextRunAt: string }[];
    expect(items.map((i) => [i.id, i.cadence, i.paused])).toEqual([
      ['duty-joint-enforcement-monthly', 'monthly', false],
      ['duty-training-annual', 'annual', false],
      ['duty-joint-meeting-periodic', 'quarterly', false],
      ['duty-info-briefing-periodic', 'monthly', false],
      ['duty-spp-transfer-supervision-sweep', 'monthly', false],
    ]);
    // Next run: 00:05 China time on the first day of the next period.
    const nextMonth = recurringPeriodOf('monthly', chinaDate(month.dueAtMs + 1000));
    expect(Date.parse(items[0].nextRunAt)).toBe(nextMonth.startAtMs + 5 * 60_000);
    const nextYear = recurringPeriodOf('annual', chinaDate(recurringPeriodOf('annual', today).dueAtMs + 1000));
    expect(Date.parse(items[1].nextRunAt)).toBe(nextYear.startAtMs + 5 * 60_000);
  });

  it('pauses, resumes and triggers a schedule; a second trigger in the same period starts nothing new', async () => {
    expect(
      (await request(stack.base, eeb, 'POST', '/api/v1/schedules/duty-joint-enforcement-monthly/pause')).status,
    ).toBe(403);
    const paused = await request(stack.base, admin, 'POST', '/api/v1/schedules/duty-joint-enforcement-monthly/pause');
    expect(paused.json).toMatchObject({ paused: true });
    const d = await stack.env.client.schedule.getHandle('duty-joint-enforcement-monthly').describe();
    expect(d.state.paused).toBe(true);
    const resumed = await request(
      stack.base,
      admin,
      'POST',
      '/api/v1/schedules/duty-joint-enforcement-monthly/unpause',
    );
    expect(resumed.json).toMatchObject({ paused: false });

    const before = (await stack.env.client.schedule.getHandle('duty-joint-enforcement-monthly').describe()).info
      .recentActions.length;
    expect(
      (await request(stack.base, admin, 'POST', '/api/v1/schedules/duty-joint-enforcement-monthly/trigger')).status,
    ).toBe(200);
    await waitFor('the triggered run', async () => {
      const info = (await stack.env.client.schedule.getHandle('duty-joint-enforcement-monthly').describe()).info;
      return info.recentActions.length > before ? info : undefined;
    });
    const runs = (await stack.env.client.schedule.getHandle('duty-joint-enforcement-monthly').describe()).info
      .recentActions;
    const results = await Promise.all(
      runs.map((a) =>
        stack.env.client.workflow
          .getHandle((a.action as { workflow: { workflowId: string } }).workflow.workflowId)
          .result(),
      ),
    );
    expect(results.map((r) => [r.workflowId, r.started])).toEqual([
      [jeId, true],
      [jeId, false],
    ]);
    const opened = await stack.db.handle.db.select().from(dutyEvents).where(eq(dutyEvents.periodId, jeId));
    expect(opened.filter((e) => e.type === 'dutyPeriodOpened')).toHaveLength(1);
    expect((await request(stack.base, admin, 'POST', '/api/v1/schedules/duty-no-such/trigger')).status).toBe(404);
  });

  it('changes a cadence through the API (kept across restarts) and through configuration', async () => {
    const fixed = await request(stack.base, admin, 'PUT', '/api/v1/schedules/duty-joint-enforcement-monthly/cadence', {
      cadence: 'quarterly',
    });
    expect(fixed.status).toBe(422);
    expect(fixed.json.error?.message).toContain('制度规定');
    const changed = await request(stack.base, admin, 'PUT', '/api/v1/schedules/duty-joint-meeting-periodic/cadence', {
      cadence: 'monthly',
    });
    expect(changed.json).toMatchObject({ cadence: 'monthly', cadenceZh: '每月' });
    const nextMonth = recurringPeriodOf('monthly', chinaDate(month.dueAtMs + 1000));
    expect(Date.parse(changed.json.nextRunAt as string)).toBe(nextMonth.startAtMs + 5 * 60_000);
    // A restart with the same configuration keeps the administrator's change.
    expect((await ensureSchedules(stack.env.client, stack.config)).updated).toEqual([]);
    expect((await request(stack.base, admin, 'GET', '/api/v1/schedules')).json.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'duty-joint-meeting-periodic', cadence: 'monthly' })]),
    );
    // A changed configuration wins.
    const config = loadConfig({
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      DUTY_SCHEDULES: '{"joint-meeting.periodic":{"cadence":"annual"}}',
    });
    expect((await ensureSchedules(stack.env.client, config)).updated).toEqual(['duty-joint-meeting-periodic']);
    const d = await stack.env.client.schedule.getHandle('duty-joint-meeting-periodic').describe();
    expect((d.action as { args: { cadence: string; configuredCadence: string }[] }).args[0]).toMatchObject({
      cadence: 'annual',
      configuredCadence: 'annual',
    });
  });

  it('works a joint operation and an ad-hoc meeting through the API', async () => {
    const plan = { date: today, places: ['某工业园区'], members: { eeb: ['张三'], psb: ['李四'] } };
    expect((await request(stack.base, spp, 'POST', `/api/v1/duties/${jeId}/actions/planOperation`, plan)).status).toBe(
      403,
    );
    expect(
      (await request(stack.base, eeb, 'POST', `/api/v1/duties/${jeId}/actions/planOperation`, { ...plan, places: [] }))
        .status,
    ).toBe(422);
    expect((await request(stack.base, eeb, 'POST', `/api/v1/duties/${jeId}/actions/recordMinutes`, plan)).status).toBe(
      404,
    );
    const planned = await request(stack.base, eeb, 'POST', `/api/v1/duties/${jeId}/actions/planOperation`, plan);
    expect(planned.status).toBe(200);
    const done = await request(stack.base, psb, 'POST', `/api/v1/duties/${jeId}/actions/recordOutcome`, {
      operationId: 'op-1',
      sitesInspected: 3,
      violationsFound: 1,
    });
    expect(done.json).toMatchObject({ status: 'done' });
    const detail = await request(stack.base, psb, 'GET', `/api/v1/duties/${jeId}`);
    expect((detail.json.events as { type: string }[]).map((e) => e.type)).toEqual([
      'dutyPeriodOpened',
      'jointOperationPlanned',
      'jointOperationCompleted',
    ]);
    expect(detail.json.live).toMatchObject({ status: 'done', complianceZh: '本月已完成联合执法 1 次' });

    const meeting = await request(stack.base, psb, 'POST', '/api/v1/meetings', {
      reasonZh: '研究某重大污染案件的证据标准',
    });
    expect(meeting.status).toBe(201);
    const id = meeting.json.id as string;
    const row = await waitFor(
      'ad-hoc meeting',
      async () => (await stack.db.handle.db.select().from(dutyPeriods).where(eq(dutyPeriods.id, id)))[0],
    );
    expect(row.labelZh).toBe('临时联席会议（研究某重大污染案件的证据标准）');
    const list = await request(stack.base, eeb, 'GET', '/api/v1/duties?dutyId=joint-meeting.periodic');
    expect((list.json.items as { id: string }[]).map((i) => i.id)).toContain(id);
    expect((await request(stack.base, admin, 'GET', '/api/v1/duties')).status).toBe(403);
  });
});
