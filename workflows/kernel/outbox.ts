import { allHandlersFinished, log } from '@temporalio/workflow';
import { delivery } from './proxies';

/**
 * Record and deliver: a change is recorded (rows, event and its outbox rows, in one transaction) inside the
 * workflow's lock; its mail is sent in the background, so the update answers and the lock goes to the next change as
 * soon as the record is committed. While the mail server refuses, the delivery activity retries on its own and the
 * workflow goes on. The workflow ends (or continues as new) only once `settled()`: no handler running, no mail on
 * its way.
 */
export class Outbox {
  private inFlight = 0;

  /** `context` is logged with a delivery that stops (e.g. { caseId }). */
  constructor(private readonly context: Record<string, unknown> = {}) {}

  /** Runs the record and sends the mail it queued. */
  async recordAndDeliver<R extends { notificationIds: string[] }>(write: () => Promise<R>): Promise<R> {
    const result = await write();
    this.deliver(result.notificationIds);
    return result;
  }

  /** Sends outbox rows already recorded. */
  deliver(ids: string[]): void {
    if (!ids.length) return;
    this.inFlight++;
    void delivery
      .deliverNotifications({ ids })
      .catch((err: unknown) =>
        log.warn('通知发送未完成（发件箱保留待发） (delivery stopped)', { ...this.context, error: String(err) }),
      )
      .finally(() => this.inFlight--);
  }

  /** No mail on its way and no handler running: for `condition(outbox.settled)` before the workflow ends. */
  readonly settled = (): boolean => allHandlersFinished() && this.inFlight === 0;
}
