import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { stuckWork } from '../db/schema';

import { RECORD_REFUSED } from '../domain/refusal';

export { RECORD_REFUSED };

/** The SQLSTATE of a (possibly wrapped: drizzle's `cause`) PostgreSQL error. */
export function sqlStateOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return sqlStateOf((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * Whether a database error is about the data itself: data exceptions (class 22: invalid text 22P02 / 22021, value
 * too long 22001, out of range 22003, ...) and integrity violations (class 23: not null, unique, check, exclusion).
 * A foreign key violation (23503) stays retryable: the referenced row may be written by another activity meanwhile.
 * Connection failures (08xxx, 57P0x, ECONNREFUSED) and everything else stay retryable.
 */
export function isRefusal(state: string | undefined): boolean {
  if (!state) return false;
  if (state.startsWith('22')) return true;
  return state.startsWith('23') && state !== '23503';
}

const SQLSTATE_ZH: Record<string, string> = {
  '22P02': '文本或数据格式无效',
  '22021': '文本含有无效字符',
  '22001': '内容超过允许的长度',
  '22003': '数值超出范围',
  '23502': '缺少必填内容',
  '23505': '与已有记录重复',
  '23514': '内容不符合约束条件',
};

/** The Chinese message of a refusal: what was refused, never the refused value itself. */
export function refusalZh(state: string): string {
  return `记录被数据库拒绝（${SQLSTATE_ZH[state] ?? '数据无效'}，SQLSTATE ${state}），本次操作未生效，请修改后重试`;
}

function currentInfo() {
  try {
    return Context.current().info;
  } catch {
    return undefined; // called outside a worker (tests, scripts)
  }
}

/**
 * Wraps every activity: a refusal of the data becomes a non-retryable ApplicationFailure (the workflow answers the
 * step with it and keeps its state); a retryable failure is noted in stuck_work (best effort: the database may be the
 * thing that is down) and rethrown as it was; success after failed attempts removes the note.
 */
export function guardActivities<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  db: Db,
  activities: T,
): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      const info = currentInfo();
      try {
        const result = await fn(...args);
        if (info && info.attempt > 1) {
          await db
            .delete(stuckWork)
            .where(
              and(
                eq(stuckWork.workflowId, info.workflowExecution?.workflowId ?? `activity-${info.activityId}`),
                eq(stuckWork.activityType, name),
              ),
            )
            .catch(() => undefined);
        }
        return result;
      } catch (err) {
        // An activity's own ApplicationFailure says what it means already.
        const state = err instanceof ApplicationFailure ? undefined : sqlStateOf(err);
        if (isRefusal(state)) {
          throw ApplicationFailure.create({
            type: RECORD_REFUSED,
            message: refusalZh(state!),
            nonRetryable: true,
            details: [{ sqlState: state, activity: name }],
          });
        }
        if (info && !(err instanceof ApplicationFailure && err.nonRetryable)) {
          // The driver's own message (drizzle's wrapper repeats the query and its parameters: personal data stays out).
          const cause = (err as { cause?: Error })?.cause;
          const message = String((cause instanceof Error ? cause.message : (err as Error)?.message) ?? err).split(
            '\nparams:',
          )[0];
          const reason = `${state ? `SQLSTATE ${state}：` : ''}${message}`.slice(0, 500);
          await db
            .insert(stuckWork)
            .values({
              workflowId: info.workflowExecution?.workflowId ?? `activity-${info.activityId}`,
              runId: info.workflowExecution?.runId ?? '',
              activityType: name,
              reason,
              attempts: info.attempt,
            })
            .onConflictDoUpdate({
              target: [stuckWork.workflowId, stuckWork.activityType],
              // A new run (after a reset) starts its own count.
              set: {
                lastFailedAt: sql`now()`,
                attempts: info.attempt,
                reason,
                runId: info.workflowExecution?.runId ?? '',
                firstFailedAt: sql`case when ${stuckWork.runId} = ${info.workflowExecution?.runId ?? ''} then ${stuckWork.firstFailedAt} else now() end`,
              },
            })
            .catch(() => undefined);
        }
        throw err;
      }
    };
  }
  return out as T;
}
