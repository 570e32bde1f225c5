import crypto from 'node:crypto';
import { WorkflowUpdateStage, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { HttpError } from './errors';

/** How long the acceptance check may take once the answer time has passed. */
const ACCEPTED_CHECK_MS = 1_000;

/**
 * Answered 202: the workflow accepted the change (it is in its history and will complete), but not within the
 * answer time. The error handler answers it with the update id and Retry-After.
 */
export class UpdatePending extends HttpError {
  constructor(public readonly updateId: string) {
    super(
      202,
      'accepted',
      '已受理：该操作已记入流程，平台繁忙，稍后完成；请稍后查看状态（以同一 Idempotency-Key 重试可取得结果）',
    );
    this.name = 'UpdatePending';
  }
}

export const RETRY_AFTER_SECONDS = 5;

export function notAnswered(): HttpError {
  return new HttpError(
    503,
    'not_answered',
    `流程未能在限定时间内确认该操作（流程繁忙或暂时卡住），操作可能尚未生效：请 ${RETRY_AFTER_SECONDS} 秒后查看状态，或以相同的 Idempotency-Key 重试（不会重复办理）`,
  );
}

function within<T>(temporal: Client, ms: number, fn: () => Promise<T>): Promise<T | 'late'> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), ms)));
  const run = temporal.withAbortSignal(abort.signal, fn);
  return Promise.race([run, late]).then(
    (v) => {
      clearTimeout(timer);
      if (v === 'late') {
        abort.abort();
        run.catch(() => undefined);
      }
      return v;
    },
    (err: unknown) => {
      clearTimeout(timer);
      throw err;
    },
  );
}

/**
 * An Update that answers within `answerMs` (UPDATE_ANSWER_MS): its result; else, if the workflow has accepted it
 * (durable, will complete), UpdatePending (202); else 503. The result itself keeps the one round trip of
 * executeUpdate; only a late answer pays for the acceptance check (the same update id: deduplicated by Temporal).
 */
export async function boundedUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  temporal: Client,
  handle: WorkflowHandle,
  def: UpdateDefinition<Ret, Args>,
  opts: { args: Args; updateId?: string },
  answerMs: number,
): Promise<Ret> {
  const updateId = opts.updateId ?? crypto.randomUUID();
  const result = await within(temporal, answerMs, () => handle.executeUpdate(def, { args: opts.args, updateId }));
  if (result !== 'late') return result as Ret;
  const accepted = await within(temporal, ACCEPTED_CHECK_MS, () =>
    handle.startUpdate(def, {
      args: opts.args,
      updateId,
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    }),
  );
  if (accepted === 'late') throw notAnswered();
  throw new UpdatePending(updateId);
}

/** A query (live state) that answers within `answerMs`, else 503: a wedged workflow answers no query either. */
export async function boundedQuery<R>(temporal: Client, answerMs: number, query: () => Promise<R>): Promise<R> {
  const r = await within(temporal, answerMs, query);
  if (r === 'late')
    throw new HttpError(
      503,
      'not_answered',
      `流程未能在限定时间内返回实时状态（流程繁忙或暂时卡住），请 ${RETRY_AFTER_SECONDS} 秒后重试`,
    );
  return r;
}
