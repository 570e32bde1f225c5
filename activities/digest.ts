import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationDigests, notifications, users } from '../db/schema';
import { deliverOutbox } from './delivery';
import type { Mailer } from './mailer';
import { stableMessageId } from './records';
import type { DigestEntry } from './types';

export interface DailyDigestInput {
  /** The China-time day the digest is for (YYYY-MM-DD): one digest per user and day. */
  day: string;
  /** The console's public address; the entries' links are made absolute with it. */
  publicUrl?: string;
}

export interface DailyDigestResult {
  /** Digests of the day that exist now (made by this attempt or an earlier one). */
  digests: number;
  /** Warnings listed in them. */
  items: number;
  /** Digests made by this attempt (0 on a retry after they were made). */
  created: number;
  /** Mails this attempt sent (0 when an earlier attempt sent them). */
  sent: number;
}

const zhDay = (ymd: string) => `${ymd.slice(0, 4)}年${ymd.slice(5, 7)}月${ymd.slice(8, 10)}日`;

/** The Chinese digest mail for one user and day: every held warning with case number, rule, due date, basis and link. */
export function renderDigest(opts: { displayName: string; day: string; publicUrl?: string; entries: DigestEntry[] }): {
  subject: string;
  bodyText: string;
} {
  const base = (opts.publicUrl ?? '').replace(/\/$/, '');
  const lines = [
    `${opts.displayName}：`,
    '',
    `您选择了每日汇总接收预警。自上一封摘要以来共有 ${opts.entries.length} 项预警，请在期满前办理：`,
    '',
  ];
  opts.entries.forEach((e, i) => {
    lines.push(
      `${i + 1}. ${e.reference} ${e.titleZh}`.trimEnd(),
      `   事项：${e.whatZh}`,
      `   期限规则：${e.ruleId}（${e.ruleLabelZh}）`,
      `   期满时间：${e.dueZh}`,
      `   法律依据：${e.basis}`,
      `   链接：${base}/${e.link}`,
      '',
    );
  });
  lines.push(
    '超期、检察监督和督办通知不进入摘要，仍逐条即时发送。可在平台“通知”页面改为逐条即时接收预警。',
    '',
    '本邮件由联动执法协作平台自动发送。',
  );
  return { subject: `【每日预警摘要】${zhDay(opts.day)} 共 ${opts.entries.length} 项预警`, bodyText: lines.join('\n') };
}

/**
 * The daily warning digest (user_preferences.warning_delivery = digest). Warnings queued for such a user are held
 * (channel `digest`, status `held`); once a day this collects each user's held rows into one mail.
 *
 * Exactly once: per user one transaction inserts notification_digests (unique user + day) together with the digest's
 * outbox row (id `digest/<user>/<day>`, stable Message-ID) and marks the rows `digested`. A retry — of the activity,
 * or a second run the same day — finds the digest, writes nothing and only delivers the outbox row if it is still
 * pending; delivery is the outbox's (sent only while pending, the same Message-ID on a resend after a crash).
 */
export function createDigestActivities(deps: { db: Db; mailer: Mailer }) {
  const { db, mailer } = deps;
  return {
    async sendDailyDigests(input: DailyDigestInput): Promise<DailyDigestResult> {
      const holders = await db
        .selectDistinct({ userId: notifications.recipientUserId })
        .from(notifications)
        .where(
          and(
            eq(notifications.channel, 'digest'),
            eq(notifications.status, 'held'),
            isNotNull(notifications.recipientUserId),
          ),
        );
      let created = 0;
      for (const { userId } of holders) {
        if (!userId) continue;
        created += await db.transaction(async (tx) => {
          const [done] = await tx
            .select({ id: notificationDigests.id })
            .from(notificationDigests)
            .where(and(eq(notificationDigests.userId, userId), eq(notificationDigests.day, input.day)));
          // Today's digest exists: what was held since waits for tomorrow's.
          if (done) return 0;
          const [user] = await tx.select().from(users).where(eq(users.id, userId));
          if (!user?.email) return 0; // no mailbox any more: the rows stay in the inbox, held
          // Locked: a concurrent run cannot list the same rows in another digest.
          const held = await tx
            .select()
            .from(notifications)
            .where(
              and(
                eq(notifications.recipientUserId, userId),
                eq(notifications.channel, 'digest'),
                eq(notifications.status, 'held'),
              ),
            )
            .orderBy(asc(notifications.createdAt), asc(notifications.id))
            .for('update');
          if (held.length === 0) return 0;
          const outboxId = `digest/${userId}/${input.day}`;
          const inserted = await tx
            .insert(notificationDigests)
            .values({
              id: `${userId}/${input.day}`,
              userId,
              day: input.day,
              notificationId: outboxId,
              itemIds: held.map((h) => h.id),
            })
            .onConflictDoNothing()
            .returning({ id: notificationDigests.id });
          if (inserted.length === 0) return 0;
          const mail = renderDigest({
            displayName: user.displayName,
            day: input.day,
            publicUrl: input.publicUrl,
            entries: held.map((h) => h.digestEntry as DigestEntry),
          });
          await tx
            .insert(notifications)
            .values({
              id: outboxId,
              caseId: null,
              eventId: outboxId,
              recipientUserId: null,
              recipientEmail: user.email,
              recipientLabelZh: user.displayName,
              subject: mail.subject,
              bodyText: mail.bodyText,
              messageId: stableMessageId(outboxId),
            })
            .onConflictDoNothing({ target: notifications.id });
          await tx
            .update(notifications)
            .set({ status: 'digested', sentAt: sql`now()` })
            .where(
              inArray(
                notifications.id,
                held.map((h) => h.id),
              ),
            );
          return 1;
        });
      }
      const today = await db
        .select({ id: notificationDigests.notificationId, itemIds: notificationDigests.itemIds })
        .from(notificationDigests)
        .where(eq(notificationDigests.day, input.day));
      const { sent } = await deliverOutbox(
        db,
        mailer,
        today.map((d) => d.id),
      );
      return {
        digests: today.length,
        items: today.reduce((n, d) => n + (d.itemIds as string[]).length, 0),
        created,
        sent,
      };
    },
  };
}
