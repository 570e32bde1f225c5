import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import type { PolicyInForce } from '../config';
import type { Db } from '../db/client';
import { cases, informationRecords, notifications } from '../db/schema';
import { AGENCY_ZH, RUNG_ZH, rungAudience } from '../domain/deadlines';
import { article34Decision, CONFIDENTIALITY_ZH, type InformationRecordInput } from '../domain/information';
import { formatChinaTime } from '../domain/china-time';
import { insertEvent, queueNotifications, type Tx } from './records';
import type { CaseEventInput, NotificationRequest } from './types';

/** Serialises feed positions: a change takes its number under this lock, so numbers commit in order (no gaps seen). */
const FEED_LOCK = 80_340_034;

/**
 * Called by recordCaseChange after a case step is recorded: an Art 34 decision starts its platform-entry workflow.
 * Idempotent (the workflow id is the decision's; a second start is refused by Temporal and ignored). Outside an
 * activity (a direct call in a test) there is no worker client and nothing is started.
 */
export async function startPlatformEntryFor(
  caseId: string,
  event: CaseEventInput,
  policy?: PolicyInForce,
): Promise<void> {
  const step = (event.data as { step?: string } | undefined)?.step;
  const decision = article34Decision(step);
  if (!decision || !event.actor?.agency || !/\/step\/\d+$/.test(event.id)) return;
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  const seq = event.id.split('/').pop();
  try {
    await ctx.client.workflow.start('platformEntryWorkflow', {
      workflowId: `platform-entry-${caseId}-${seq}`,
      taskQueue: ctx.info.taskQueue,
      args: [
        {
          caseId,
          decisionEventId: event.id,
          step,
          agency: event.actor.agency,
          decidedAtMs: event.occurredAtMs,
          ...policy,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

const agencyZh = (a: string) => (AGENCY_ZH as Record<string, string>)[a] ?? a;

export function createInformationActivities(deps: { db: Db }) {
  const { db } = deps;

  async function caseOf(tx: Tx, caseId: string) {
    const [c] = await tx
      .select({ caseNumber: cases.caseNumber, title: cases.title, confidentiality: cases.confidentiality })
      .from(cases)
      .where(eq(cases.id, caseId));
    return c;
  }

  return {
    /** The pending record of one decision and a case event naming its due date (no mail: the ladder mails). */
    async openInformationDuty(input: {
      decisionEventId: string;
      caseId: string;
      workflowId: string;
      step: string;
      agency: string;
      decidedAtMs: number;
      dueAtMs: number;
      dueDate: string;
      provisional: boolean;
    }): Promise<void> {
      const decision = article34Decision(input.step)!;
      await db.transaction(async (tx) => {
        await tx
          .insert(informationRecords)
          .values({
            id: input.decisionEventId,
            caseId: input.caseId,
            workflowId: input.workflowId,
            step: input.step,
            decisionLabelZh: decision.labelZh,
            article34Item: decision.item,
            responsibleAgency: input.agency,
            decidedAt: new Date(input.decidedAtMs),
            dueAt: new Date(input.dueAtMs),
            dueDate: input.dueDate,
            provisional: input.provisional,
          })
          .onConflictDoNothing({ target: informationRecords.id });
        await insertEvent(tx, input.caseId, {
          id: `${input.decisionEventId.replace('/step/', '/information/')}/due`,
          type: 'informationEntryDue',
          labelZh: `待录入信息共享平台：${decision.labelZh}（${agencyZh(input.agency)}，${input.dueDate} 前）`,
          occurredAtMs: input.decidedAtMs,
          ruleId: 'any.platform-entry',
          data: {
            decisionEventId: input.decisionEventId,
            article34Item: decision.item,
            dueDate: input.dueDate,
            dueAt: new Date(input.dueAtMs).toISOString(),
          },
        });
      });
    },

    /** A rung of the ladder (预警 / 超期 / 督办) for a record not yet entered: event, level, outbox; idempotent on the event id. */
    async recordInformationDutyStep(input: {
      decisionEventId: string;
      caseId: string;
      kind: 'warning' | 'overdue' | 'escalation';
      eventId: string;
      atMs: number;
      scheduledAtMs: number;
      level: string;
      dueAtMs: number;
      basis: string;
    }): Promise<{ notificationIds: string[] }> {
      return db.transaction(async (tx) => {
        const [rec] = await tx
          .select()
          .from(informationRecords)
          .where(eq(informationRecords.id, input.decisionEventId));
        if (!rec) throw new Error(`信息录入事项不存在：${input.decisionEventId}`);
        const what = `${RUNG_ZH[input.kind]}：录入信息共享平台（${rec.decisionLabelZh}）${input.kind === 'warning' ? '将于' : '已于'} ${formatChinaTime(input.dueAtMs)} 期满`;
        const fresh = await insertEvent(tx, input.caseId, {
          id: input.eventId,
          type: `clock${input.kind[0].toUpperCase()}${input.kind.slice(1)}`,
          labelZh: what,
          occurredAtMs: input.atMs,
          ruleId: 'any.platform-entry',
          data: {
            clockId: input.eventId.split('/')[2],
            decisionEventId: input.decisionEventId,
            dueAt: new Date(input.dueAtMs).toISOString(),
            scheduledAt: new Date(input.scheduledAtMs).toISOString(),
          },
        });
        if (!fresh) {
          const rows = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(eq(notifications.eventId, input.eventId));
          return { notificationIds: rows.map((r) => r.id) };
        }
        await tx
          .update(informationRecords)
          .set({ escalationLevel: input.level, updatedAt: new Date(input.atMs) })
          .where(and(eq(informationRecords.id, input.decisionEventId), eq(informationRecords.status, 'pending')));
        const c = await caseOf(tx, input.caseId);
        const title = c?.confidentiality === 'confidential' ? '（保密案件）' : `“${c?.title ?? ''}”`;
        const req: NotificationRequest = {
          audience: rungAudience(input.kind),
          agency: rec.responsibleAgency,
          subject: `【${RUNG_ZH[input.kind]}】案件 ${c?.caseNumber ?? input.caseId} 录入信息共享平台`,
          bodyText: [
            `案件编号：${c?.caseNumber ?? input.caseId} ${title}`,
            `事项：${what}`,
            `决定：${rec.decisionLabelZh}（第三十四条第（${rec.article34Item}）项），作出于 ${formatChinaTime(rec.decidedAt.getTime())}`,
            `期限规则：any.platform-entry（录入信息共享平台，7 日）`,
            `法律依据：${input.basis}`,
            `请及时办理：由${agencyZh(rec.responsibleAgency)}录入案件信息并标明密级（公开 / 内部 / 保密；非公开须说明理由）`,
            `案件链接：/cases/${input.caseId}`,
            '',
            '本邮件由联动执法协作平台自动发送。',
          ].join('\n'),
        };
        const digest =
          input.kind === 'warning'
            ? {
                reference: c?.caseNumber ?? input.caseId,
                titleZh: c?.confidentiality === 'confidential' ? '（保密案件）' : (c?.title ?? ''),
                whatZh: what,
                ruleId: 'any.platform-entry',
                ruleLabelZh: `录入信息共享平台（${rec.decisionLabelZh}）`,
                dueZh: formatChinaTime(input.dueAtMs),
                basis: input.basis,
                link: `#/cases/${input.caseId}`,
              }
            : undefined;
        return { notificationIds: await queueNotifications(tx, input.caseId, input.eventId, [req], digest) };
      });
    },

    /** The entered record: content, confidentiality mark and reason, who and when; takes the next feed position. */
    async enterInformationRecord(input: {
      decisionEventId: string;
      caseId: string;
      clockId: string;
      eventId: string;
      atMs: number;
      late: boolean;
      actor: { userId: string; agency: string; role: string; displayName?: string };
      record: InformationRecordInput;
    }): Promise<void> {
      await db.transaction(async (tx) => {
        const [rec] = await tx
          .select()
          .from(informationRecords)
          .where(eq(informationRecords.id, input.decisionEventId));
        if (!rec) throw new Error(`信息录入事项不存在：${input.decisionEventId}`);
        const fresh = await insertEvent(tx, input.caseId, {
          id: input.eventId,
          type: 'informationRecordEntered',
          labelZh: `录入信息共享平台：${rec.decisionLabelZh}（${CONFIDENTIALITY_ZH[input.record.confidentiality]}${input.late ? '，超过七日' : ''}）`,
          occurredAtMs: input.atMs,
          actor: { userId: input.actor.userId, agency: input.actor.agency, displayName: input.actor.displayName },
          ruleId: 'any.platform-entry',
          documentNumber: input.record.documentNumber,
          data: {
            clockId: input.clockId,
            decisionEventId: input.decisionEventId,
            confidentiality: input.record.confidentiality,
            late: input.late,
          },
        });
        if (!fresh) return;
        await tx.execute(sql`select pg_advisory_xact_lock(${FEED_LOCK})`);
        await tx
          .update(informationRecords)
          .set({
            status: 'entered',
            content: input.record.content,
            confidentiality: input.record.confidentiality,
            confidentialityReason:
              input.record.confidentiality === 'public' ? null : (input.record.confidentialityReason ?? null),
            documentNumber: input.record.documentNumber ?? null,
            enteredAt: new Date(input.atMs),
            enteredByUserId: input.actor.userId,
            enteredByAgency: input.actor.agency,
            enteredByName: input.actor.displayName ?? null,
            late: input.late,
            feedSeq: sql`nextval('information_feed_seq')`,
            updatedAt: new Date(input.atMs),
          })
          .where(eq(informationRecords.id, input.decisionEventId));
      });
    },
  };
}
