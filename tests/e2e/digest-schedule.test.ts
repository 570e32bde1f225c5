import { loadConfig } from '../../config';
import { DIGEST_SCHEDULE_ID, ensureDigestSchedule } from '../../infra/digest-schedule';
import { startStack, type Stack } from '../helpers/stack';

/** The digest's Temporal Schedule on a real dev server: created once at start-up, updated when DIGEST_TIME changes, runnable. */
describe('daily digest schedule (dev server)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is created idempotently at 08:30 China time, follows DIGEST_TIME, and its run sends nothing when nothing is held', async () => {
    expect(await ensureDigestSchedule(stack.env.client, stack.config)).toBe('created');
    expect(await ensureDigestSchedule(stack.env.client, stack.config)).toBe('unchanged');
    const handle = stack.env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
    let d = await handle.describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    expect(d.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 8, end: 8, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
    });
    expect(d.state.note).toBe('每日预警摘要（北京时间 08:30）');
    // The next run is 08:30 China time (00:30 UTC).
    expect(d.info.nextActionTimes[0].getUTCHours() * 60 + d.info.nextActionTimes[0].getUTCMinutes()).toBe(30);

    const later = loadConfig({
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      DIGEST_TIME: '17:45',
    });
    expect(await ensureDigestSchedule(stack.env.client, later)).toBe('updated');
    d = await handle.describe();
    expect(d.state.note).toBe('每日预警摘要（北京时间 17:45）');
    expect(d.info.nextActionTimes[0].getUTCHours() * 60 + d.info.nextActionTimes[0].getUTCMinutes()).toBe(9 * 60 + 45);
    expect(await ensureDigestSchedule(stack.env.client, loadConfig({ DIGEST_TIME: 'off' }))).toBe('off');

    await handle.trigger();
    const run = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = (await handle.describe()).info.recentActions[0];
        if (r) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the schedule did not run');
    })();
    const workflowId = (run.action as { workflow: { workflowId: string } }).workflow.workflowId;
    expect(workflowId).toMatch(/^digest-run/);
    const result = await stack.env.client.workflow.getHandle(workflowId).result();
    expect(result).toMatchObject({ digests: 0, items: 0, created: 0, sent: 0 });
    expect(result.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await handle.delete();
  });
});
