import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { temporal } from '@temporalio/proto';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * A record that keeps failing for a retryable reason (here a trigger raising 55P03, lock not available) leaves the
 * case stuck: /metrics counts it, the working group's dashboard lists it with the reason. The operator's repair of
 * the runbook (docs/operations.md), a reset to the last workflow task before the stuck step, abandons the step; once
 * the cause is gone the case takes the step again.
 */
describe('stuck work is visible and can be repaired', () => {
  let stack: Stack;
  let eeb: string;
  let wg: string;
  const exec = (q: string) => stack.db.handle.db.execute(sql.raw(q));
  const stuckGauge = async () => {
    const text = await (await fetch(`${stack.base}/metrics`)).text();
    return Number(/^linkage_stuck_workflows (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000', STUCK_AFTER_SECONDS: '1', UPDATE_ANSWER_MS: '1500' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'head' });
    wg = await stack.userToken({ agency: 'workingGroup', role: 'liaison' });
  }, 120_000);
  afterAll(() => stack?.close());

  it('counts and lists a case whose record keeps failing, and a reset to the last task before the step lets it move on', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', { title: '卡住的案件', track: 'criminal' });
    const id = (created.json.case as { id: string }).id;
    const caseNumber = (created.json.case as { caseNumber: string }).caseNumber;
    expect(await stuckGauge()).toBe(0);
    await exec(`create function refuse_task_force() returns trigger language plpgsql as $$ begin
      if new.type = 'taskForceFormed' then raise exception '测试：锁不可用' using errcode = '55P03'; end if; return new; end $$`);
    await exec(
      `create trigger refuse_task_force before insert on case_events for each row execute function refuse_task_force()`,
    );

    const step = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, {
      members: ['甲', '乙'],
    });
    expect([202, 503]).toContain(step.status); // answered within UPDATE_ANSWER_MS, not held

    await waitFor('the stuck gauge', async () => ((await stuckGauge()) === 1 ? true : undefined));
    const dash = await request(stack.base, wg, 'GET', '/api/v1/dashboard');
    const stuck = dash.json.stuck as {
      caseId: string;
      caseNumber: string;
      kind: string;
      activityType: string;
      reasonZh: string;
    }[];
    expect(stuck).toEqual([
      expect.objectContaining({ caseId: id, caseNumber, kind: 'activity', activityType: 'recordCaseChange' }),
    ]);
    expect(stuck[0].reasonZh).toContain('案件记录写入反复失败');
    expect(stuck[0].reasonZh).toContain('55P03');
    expect((await request(stack.base, eeb, 'GET', '/api/v1/dashboard')).json.stuck).toBeUndefined(); // the working group's

    // The runbook's repair: reset to the last completed workflow task before the stuck step was accepted (or, if its
    // acceptance is not in the history yet, the last completed one): the step is abandoned, the case is as before it.
    const handle = stack.env.client.workflow.getHandle(caseWorkflowId(id));
    // A step recorded by a local activity is accepted in the task that runs the record: while that retries, the
    // acceptance may not be in the history yet (then the last completed task is the one before it); once it is,
    // the last completed task may come after it, and resetting there would keep the step.
    const events = (await handle.fetchHistory()).events ?? [];
    const accepted = events.find(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'formTaskForce',
    );
    const resetTo = events
      .filter(
        (e) => e.workflowTaskCompletedEventAttributes && (!accepted || Number(e.eventId) < Number(accepted.eventId)),
      )
      .pop()!;
    const before = await handle.describe();
    const { runId } = await stack.env.client.workflowService.resetWorkflowExecution({
      namespace: stack.env.client.options.namespace,
      workflowExecution: { workflowId: caseWorkflowId(id), runId: before.runId },
      reason: '运维：放弃卡住的“成立专案组”',
      workflowTaskFinishEventId: resetTo.eventId,
      requestId: crypto.randomUUID(),
      // As the runbook's --reapply-exclude Update: the stuck step is abandoned, not replayed into the new run.
      resetReapplyExcludeTypes: [temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
    });
    expect(runId).toBeTruthy();
    await waitFor('the stuck gauge back to 0', async () => ((await stuckGauge()) === 0 ? true : undefined));
    const state = await request(stack.base, eeb, 'GET', `/api/v1/cases/${id}/state`);
    expect(state.json.stage).toBe('lead');

    // The cause fixed, the case takes the step again; the record holds it once.
    await exec(`drop trigger refuse_task_force on case_events`);
    const again = await request(stack.base, eeb, 'POST', `/api/v1/cases/${id}/steps/formTaskForce`, {
      members: ['甲', '乙'],
    });
    expect(again.status).toBe(200);
    expect(again.json.stage).toBe('taskForce');
    const rows = (
      (await exec(`select type from case_events where case_id = '${id}' order by seq`)) as unknown as {
        rows: { type: string }[];
      }
    ).rows.map((r) => r.type);
    expect(rows).toEqual(['caseCreated', 'taskForceFormed']);
    const [{ stage }] = (
      (await exec(`select stage from cases where id = '${id}'`)) as unknown as { rows: { stage: string }[] }
    ).rows;
    expect(stage).toBe('taskForce');
  });
});
