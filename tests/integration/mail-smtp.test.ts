import { eq } from 'drizzle-orm';
import { createDeliveryActivities } from '../../activities/delivery';
import { createMailer } from '../../activities/mailer';
import { createRecordActivities } from '../../activities/records';
import { notifications } from '../../db/schema';
import { createTestDb, type TestDb } from '../helpers/db';
import { startSmtp } from '../helpers/smtp';
import { caseWorkflowId } from '../../workflows/definitions/case';

describe('mail through a real SMTP server', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('delivers each outbox row once with a stable Message-ID, and keeps refused mail queued', async () => {
    const smtp = await startSmtp();
    smtp.refuse = true;
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      from: '联动执法协作平台 <noreply@linkage.local>',
      mailDir: '/nonexistent',
    });
    try {
      const caseId = '00000000-0000-4000-8000-0000000000aa';
      const rec = createRecordActivities({ db: t.handle.db });
      await rec.registerCase({
        caseId,
        workflowId: caseWorkflowId(caseId),
        title: '测试案件',
        track: 'administrative',
        stage: 'administrativePenalty',
        stageLabelZh: '行政处罚办理中',
        responsibleAgency: 'eeb',
        confidentiality: 'internal',
        createdBy: {},
        event: { id: `${caseId}/created`, type: 'caseCreated', labelZh: '案件登记', occurredAtMs: Date.now() },
      });
      const { notificationIds } = await rec.recordCaseChange({
        caseId,
        event: { id: `${caseId}/warn`, type: 'clockWarning', labelZh: '预警', occurredAtMs: Date.now() },
        notify: [
          {
            audience: ['handling'],
            agency: 'eeb',
            subject: '【预警】案件期限即将届满',
            bodyText: '请及时办理：录入处罚决定。',
          },
        ],
      });
      expect(notificationIds).toHaveLength(1);
      const del = createDeliveryActivities({ db: t.handle.db, mailer });

      await expect(del.deliverNotifications({ ids: notificationIds })).rejects.toThrow(/邮件发送失败/);
      let [row] = await t.handle.db.select().from(notifications).where(eq(notifications.id, notificationIds[0]));
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(1);
      expect(smtp.received).toHaveLength(0);

      smtp.refuse = false;
      expect(await del.deliverNotifications({ ids: notificationIds })).toEqual({ sent: 1, skipped: 0 });
      // A retried activity after success sends nothing again.
      expect(await del.deliverNotifications({ ids: notificationIds })).toEqual({ sent: 0, skipped: 1 });
      expect(smtp.received).toHaveLength(1);
      const mail = smtp.received[0];
      expect(mail.subject).toBe('【预警】案件期限即将届满');
      expect(mail.text).toContain('录入处罚决定');
      expect(mail.messageId).toBe(`<${row.messageId}>`);
      [row] = await t.handle.db.select().from(notifications).where(eq(notifications.id, notificationIds[0]));
      expect(row.status).toBe('sent');
      expect(row.sentAt).not.toBeNull();
    } finally {
      mailer.close();
      await smtp.close();
    }
  });
});
