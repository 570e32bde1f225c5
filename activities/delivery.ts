import { and, eq, inArray, sql } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { notifications } from '../db/schema';
import type { Mailer } from './mailer';

/**
 * Sends what the outbox holds. A row is sent only while `pending`; it is marked `sent` right after the SMTP
 * server accepts it. If the worker dies between the two, the retry sends again with the same Message-ID,
 * so a receiving system can recognise the duplicate (docs/operations.md, the worker-kill fault test).
 */
/** Sends the pending e-mail rows among `ids` (see createDeliveryActivities); throws a retryable failure if any failed. */
export async function deliverOutbox(db: Db, mailer: Mailer, ids: string[]): Promise<{ sent: number; skipped: number }> {
  if (ids.length === 0) return { sent: 0, skipped: 0 };
  const rows = await db.select().from(notifications).where(inArray(notifications.id, ids));
  let sent = 0;
  let skipped = 0;
  const failures: string[] = [];
  for (const row of rows) {
    // Rows held for a daily digest (channel `digest`) are not mailed singly; the digest's own row is.
    if (row.status !== 'pending' || row.channel !== 'email' || !row.recipientEmail) {
      skipped++;
      continue;
    }
    try {
      await mailer.send({ messageId: row.messageId, to: row.recipientEmail, subject: row.subject, text: row.bodyText });
      await db
        .update(notifications)
        .set({ status: 'sent', sentAt: new Date(), attempts: sql`${notifications.attempts} + 1`, lastError: null })
        .where(and(eq(notifications.id, row.id), eq(notifications.status, 'pending')));
      sent++;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await db
        .update(notifications)
        .set({ attempts: sql`${notifications.attempts} + 1`, lastError: message.slice(0, 500) })
        .where(eq(notifications.id, row.id));
      failures.push(`${row.id}: ${message}`);
    }
  }
  if (failures.length) {
    // Retryable: the rows stay pending and Temporal retries the activity until the mail server accepts them.
    throw ApplicationFailure.retryable(
      `邮件发送失败 ${failures.length} 封 (delivery failed): ${failures[0]}`,
      'DeliveryFailed',
    );
  }
  return { sent, skipped };
}

export function createDeliveryActivities(deps: { db: Db; mailer: Mailer }) {
  const { db, mailer } = deps;
  return {
    async deliverNotifications(input: { ids: string[] }): Promise<{ sent: number; skipped: number }> {
      return deliverOutbox(db, mailer, input.ids);
    },
  };
}
