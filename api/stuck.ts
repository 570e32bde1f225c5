import { and, eq, lt, sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { stuckWork } from '../db/schema';

/** A workflow whose work has been failing (and retried) for longer than STUCK_AFTER_SECONDS. */
export interface StuckItem {
  workflowId: string;
  /** The case, for case workflows (case-<id>). */
  caseId: string | null;
  kind: 'activity' | 'workflowTask';
  /** The failing activity (activity) or null (the workflow task itself fails: a bug or a non-deterministic change). */
  activityType: string | null;
  since: string;
  attempts: number;
  reasonZh: string;
}

const ACTIVITY_ZH: Record<string, string> = {
  recordCaseChange: '案件记录写入',
  registerCase: '案件登记写入',
  recordDutyChange: '定期职责记录写入',
  deliverNotifications: '通知邮件发送',
};

const caseIdOf = (workflowId: string) => (workflowId.startsWith('case-') ? workflowId.slice(5) : null);

/**
 * Two sources, merged by workflow: stuck_work rows (written by the activity guard on each failed attempt, local
 * activities included; removed once the work succeeds) and a scan of running workflows in Temporal for workflow
 * tasks that keep failing and activities retrying (what the database cannot note while it is itself down). The scan
 * describes at most `scanLimit` running workflows and is cached for `cacheMs`, so /metrics scrapes stay cheap.
 */
export function createStuckDetector(deps: {
  db: Db;
  temporal?: Client;
  stuckAfterMs: number;
  scanLimit?: number;
  cacheMs?: number;
}) {
  const { db, temporal, stuckAfterMs } = deps;
  const scanLimit = deps.scanLimit ?? 500;
  const cacheMs = deps.cacheMs ?? Math.min(15_000, stuckAfterMs);
  let cached: { at: number; items: StuckItem[] } | undefined;
  let running: Promise<StuckItem[]> | undefined;

  async function fromTable(): Promise<StuckItem[]> {
    const rows = await db
      .select()
      .from(stuckWork)
      .where(lt(stuckWork.firstFailedAt, sql`now() - make_interval(secs => ${stuckAfterMs / 1000})`));
    // A row whose run is no longer the workflow's running one (reset, continued as new, ended) is stale: removed.
    const live: typeof rows = [];
    for (const r of rows) {
      const d = temporal
        ? await temporal.workflow
            .getHandle(r.workflowId)
            .describe()
            .catch(() => undefined)
        : undefined;
      if (temporal && (!d || d.status.name !== 'RUNNING' || (r.runId && d.runId !== r.runId))) {
        await db
          .delete(stuckWork)
          .where(
            and(
              eq(stuckWork.workflowId, r.workflowId),
              eq(stuckWork.activityType, r.activityType),
              eq(stuckWork.runId, r.runId),
            ),
          );
        continue;
      }
      live.push(r);
    }
    return live.map((r) => ({
      workflowId: r.workflowId,
      caseId: caseIdOf(r.workflowId),
      kind: 'activity' as const,
      activityType: r.activityType,
      since: r.firstFailedAt.toISOString(),
      attempts: r.attempts,
      reasonZh: `${ACTIVITY_ZH[r.activityType] ?? r.activityType}反复失败（第 ${r.attempts} 次）：${r.reason.slice(0, 300)}`,
    }));
  }

  /** The message of the last failed workflow task (newest first in the reverse history). */
  async function lastTaskFailure(workflowId: string, runId?: string): Promise<string> {
    try {
      const h = await temporal!.workflowService.getWorkflowExecutionHistoryReverse({
        namespace: temporal!.options.namespace,
        execution: { workflowId, runId },
        maximumPageSize: 50,
      });
      const failed = h.history?.events?.find((e) => e.workflowTaskFailedEventAttributes);
      return failed?.workflowTaskFailedEventAttributes?.failure?.message ?? '（未找到失败原因）';
    } catch {
      return '（无法读取流程历史）';
    }
  }

  async function fromTemporal(): Promise<StuckItem[]> {
    if (!temporal) return [];
    const found: StuckItem[] = [];
    const now = Date.now();
    const ids: { workflowId: string; runId: string }[] = [];
    for await (const w of temporal.workflow.list({ query: 'ExecutionStatus = "Running"', pageSize: 100 })) {
      ids.push({ workflowId: w.workflowId, runId: w.runId });
      if (ids.length >= scanLimit) break;
    }
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(
        ids.slice(i, i + 8).map(async ({ workflowId, runId }) => {
          const d = await temporal.workflow
            .getHandle(workflowId, runId)
            .describe()
            .catch(() => undefined);
          if (!d) return;
          const wft = d.raw.pendingWorkflowTask;
          const wftSince = Number(wft?.originalScheduledTime?.seconds ?? 0) * 1000;
          if (wft && (wft.attempt ?? 1) > 1 && now - wftSince > stuckAfterMs) {
            found.push({
              workflowId,
              caseId: caseIdOf(workflowId),
              kind: 'workflowTask',
              activityType: null,
              since: new Date(wftSince).toISOString(),
              attempts: wft.attempt ?? 0,
              reasonZh: `流程任务反复失败（第 ${wft.attempt} 次）：${(await lastTaskFailure(workflowId, runId)).slice(0, 300)}`,
            });
          }
          for (const a of d.raw.pendingActivities ?? []) {
            const since = Number(a.lastStartedTime?.seconds ?? a.lastAttemptCompleteTime?.seconds ?? 0) * 1000;
            const first =
              Number((a as { scheduledTime?: { seconds?: unknown } }).scheduledTime?.seconds ?? 0) * 1000 || since;
            if ((a.attempt ?? 1) > 1 && now - first > stuckAfterMs) {
              const type = a.activityType?.name ?? '';
              found.push({
                workflowId,
                caseId: caseIdOf(workflowId),
                kind: 'activity',
                activityType: type,
                since: new Date(first).toISOString(),
                attempts: a.attempt ?? 0,
                reasonZh: `${ACTIVITY_ZH[type] ?? type}反复失败（第 ${a.attempt} 次）：${(a.lastFailure?.message ?? '').slice(0, 300)}`,
              });
            }
          }
        }),
      );
    }
    return found;
  }

  async function scan(): Promise<StuckItem[]> {
    const [table, live] = await Promise.all([fromTable().catch(() => []), fromTemporal().catch(() => [])]);
    // One entry per workflow and activity: the table's (it knows local activities and the first failure) first.
    const seen = new Set(table.map((t) => `${t.workflowId}|${t.activityType}`));
    return [...table, ...live.filter((l) => !seen.has(`${l.workflowId}|${l.activityType}`))].sort((a, b) =>
      a.since.localeCompare(b.since),
    );
  }

  return {
    stuckAfterMs,
    /** The stuck work now (cached for cacheMs; concurrent callers share one scan). */
    async list(): Promise<StuckItem[]> {
      if (cached && Date.now() - cached.at < cacheMs) return cached.items;
      running ??= scan()
        .then((items) => {
          cached = { at: Date.now(), items };
          return items;
        })
        .finally(() => (running = undefined));
      return running;
    },
  };
}

export type StuckDetector = ReturnType<typeof createStuckDetector>;
