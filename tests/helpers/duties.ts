import fs from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { dutyEvents } from '../../db/schema';
import { recurringPeriodOf, type Cadence, type DutyId } from '../../domain/deadlines';
import { dutyWorkflowId, type DutyPeriodInput, type DutySettings } from '../../workflows/definitions/duties';
import { waitFor } from './wait';
import type { Stack } from './stack';

export const EEB = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局执法人员' };
export const EEB_HEAD = { userId: 'eeb-h', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
export const PSB = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局民警' };
export const SPP = { userId: 'spp-1', agency: 'spp', role: 'officer', displayName: '检察官' };
export const WG = { userId: 'wg-1', agency: 'workingGroup', role: 'liaison', displayName: '工作组联络人' };

/** Instant of a China-time wall clock ('2026-12-01T00:05'). */
export const china = (local: string) => Date.parse(`${local}:00+08:00`);

export function periodInput(
  dutyId: DutyId,
  cadence: Cadence,
  date: string,
  settings?: DutySettings,
): { workflowId: string; input: DutyPeriodInput } {
  const period = recurringPeriodOf(cadence, date);
  return { workflowId: dutyWorkflowId(dutyId, period.key), input: { dutyId, cadence, period, settings } };
}

/** Moves the time-skipping server's clock to `ms` (no-op if already past). */
export async function skipTo(h: Stack, ms: number) {
  const now = await h.env.currentTimeMs();
  if (ms > now) await h.env.sleep(ms - now);
}

export async function dutyEventTypes(h: Stack, periodId: string): Promise<string[]> {
  const rows = await h.db.handle.db
    .select()
    .from(dutyEvents)
    .where(eq(dutyEvents.periodId, periodId))
    .orderBy(asc(dutyEvents.seq));
  return rows.map((r) => r.type);
}

/**
 * Terminates a workflow once nothing of it is in flight. The time-skipping test server keeps its time lock for an
 * activity that was running when its workflow was terminated, and then never skips time again.
 */
export async function terminateWhenIdle(h: Stack, workflowId: string): Promise<void> {
  const handle = h.env.client.workflow.getHandle(workflowId);
  await waitFor(`${workflowId} idle`, async () => {
    const raw = (await handle.describe()).raw;
    return (raw.pendingActivities?.length ?? 0) === 0 && !raw.pendingWorkflowTask ? true : undefined;
  });
  await handle.terminate('测试结束');
}

/**
 * RECORD_FIXTURES=1 writes the workflow's history to tests/fixtures/<name>.history.json for the replay test
 * (tests/workflow/replay.test.ts; committed). Call it once the workflow has closed.
 */
export async function saveDutyFixture(h: Pick<Stack, 'env'>, name: string, workflowId: string): Promise<void> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  expect(history.events?.length).toBeGreaterThan(0);
  if (!process.env.RECORD_FIXTURES) return;
  const dir = path.join(__dirname, '..', 'fixtures');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.history.json`), historyToJSON(history));
}
