import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { cases, notifications, releaseApprovals, releaseEvents, releases } from '../db/schema';
import type { ReleaseContent } from '../domain/releases';
import { POLICY_RULES } from '../domain/deadlines/rules';
import { formatChinaTime } from '../domain/china-time';
import { queueNotifications } from './records';
import type { ActorRef, DigestEntry, NotificationRequest } from './types';

/** The digest entry of a review's 预警 (releaseClockWarning): a recipient who chose the daily digest gets it there. */
function releaseWarningEntry(input: ReleaseChangeInput): DigestEntry | undefined {
  if (input.event.type !== 'releaseClockWarning') return undefined;
  const rule = POLICY_RULES['release.approval'];
  const dueAt = typeof input.event.data?.dueAt === 'string' ? Date.parse(input.event.data.dueAt) : NaN;
  return {
    reference: `联合发布（第 ${input.event.round} 轮审核）`,
    titleZh: input.release.content.confidentiality === 'public' ? input.release.content.title : '（非公开稿件）',
    whatZh: input.event.labelZh,
    ruleId: rule.id,
    ruleLabelZh: rule.labelZh,
    dueZh: Number.isNaN(dueAt) ? String(input.event.data?.dueDate ?? '') : formatChinaTime(dueAt),
    basis: rule.basis,
    link: `#/releases/${input.release.id}`,
  };
}

/** Messages between jointReleaseWorkflow and its activities. Versioned by shape: add fields, never repurpose. */
export interface ReleaseRowInput {
  id: string;
  workflowId: string;
  content: ReleaseContent;
  drafter: { agency: string; userId?: string; displayName?: string };
  status: string;
  round: number;
  submittedAtMs?: number | null;
  publishedAtMs?: number | null;
  publishedByAgency?: string | null;
  rejectedByAgency?: string | null;
  rejectedReason?: string | null;
}

export interface ApprovalRowInput {
  round: number;
  agency: string;
  status: string;
  startedAtMs: number;
  dueAtMs: number;
  dueDate: string;
  provisional: boolean;
  warningAtMs: number | null;
  escalationAtMs: number | null;
  level: string;
  decidedAtMs?: number | null;
  decidedBy?: { userId?: string; displayName?: string } | null;
  comment?: string | null;
  late?: boolean;
}

export interface ReleaseEventInput {
  /** Deterministic id chosen by the workflow: the idempotency key of the whole change. */
  id: string;
  type: string;
  labelZh: string;
  round: number;
  occurredAtMs: number;
  actor?: ActorRef;
  ruleId?: string;
  data?: Record<string, unknown>;
}

export interface ReleaseChangeInput {
  release: ReleaseRowInput;
  approvals?: ApprovalRowInput[];
  event: ReleaseEventInput;
  notify?: NotificationRequest[];
}

export const approvalId = (releaseId: string, round: number, agency: string) => `${releaseId}/${round}/${agency}`;

export function createReleaseActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    /**
     * One change of a release in one transaction: the release row, its approval rows, the event and the outbox.
     * Idempotent on the event id: a retry after a commit returns the same outbox rows and writes nothing.
     */
    async recordReleaseChange(input: ReleaseChangeInput): Promise<{ notificationIds: string[] }> {
      return db.transaction(async (tx) => {
        const at = new Date(input.event.occurredAtMs);
        const r = input.release;
        const values = {
          workflowId: r.workflowId,
          title: r.content.title,
          body: r.content.body,
          kind: r.content.kind,
          confidentiality: r.content.confidentiality,
          confidentialityReason:
            r.content.confidentiality === 'public' ? null : (r.content.confidentialityReason ?? null),
          caseIds: r.content.caseIds ?? [],
          drafterAgency: r.drafter.agency,
          drafterUserId: r.drafter.userId ?? null,
          drafterName: r.drafter.displayName ?? null,
          status: r.status,
          round: r.round,
          submittedAt: r.submittedAtMs ? new Date(r.submittedAtMs) : null,
          publishedAt: r.publishedAtMs ? new Date(r.publishedAtMs) : null,
          publishedByAgency: r.publishedByAgency ?? null,
          rejectedByAgency: r.rejectedByAgency ?? null,
          rejectedReason: r.rejectedReason ?? null,
          updatedAt: at,
        };
        // The release row must exist before the event (foreign key); the first event creates it.
        await tx
          .insert(releases)
          .values({ id: r.id, ...values, createdAt: at })
          .onConflictDoNothing({ target: releases.id });
        const inserted = await tx
          .insert(releaseEvents)
          .values({
            id: input.event.id,
            releaseId: r.id,
            round: input.event.round,
            type: input.event.type,
            labelZh: input.event.labelZh,
            actorUserId: input.event.actor?.userId ?? null,
            actorAgency: input.event.actor?.agency ?? null,
            ruleId: input.event.ruleId ?? null,
            data: input.event.data ?? {},
            occurredAt: at,
          })
          .onConflictDoNothing({ target: releaseEvents.id })
          .returning({ id: releaseEvents.id });
        if (inserted.length === 0) {
          const rows = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(eq(notifications.eventId, input.event.id));
          return { notificationIds: rows.map((x) => x.id) };
        }
        await tx.update(releases).set(values).where(eq(releases.id, r.id));
        for (const a of input.approvals ?? []) {
          const v = {
            status: a.status,
            startedAt: new Date(a.startedAtMs),
            dueAt: new Date(a.dueAtMs),
            dueDate: a.dueDate,
            provisional: a.provisional,
            warningDueAt: a.warningAtMs ? new Date(a.warningAtMs) : null,
            escalationDueAt: a.escalationAtMs ? new Date(a.escalationAtMs) : null,
            escalationLevel: a.level,
            decidedAt: a.decidedAtMs ? new Date(a.decidedAtMs) : null,
            decidedByUserId: a.decidedBy?.userId ?? null,
            decidedByName: a.decidedBy?.displayName ?? null,
            comment: a.comment ?? null,
            late: a.late ?? false,
            updatedAt: at,
          };
          await tx
            .insert(releaseApprovals)
            .values({
              id: approvalId(r.id, a.round, a.agency),
              releaseId: r.id,
              round: a.round,
              agency: a.agency,
              ...v,
            })
            .onConflictDoUpdate({ target: releaseApprovals.id, set: v });
        }
        const notificationIds = input.notify?.length
          ? await queueNotifications(tx, null, input.event.id, input.notify, releaseWarningEntry(input))
          : [];
        return { notificationIds };
      });
    },

    /** The referenced cases as the record holds them now: which exist and which are confidential (numbers only). */
    async checkReleaseCases(input: {
      caseIds: string[];
    }): Promise<{ missing: string[]; confidentialCaseNumbers: string[] }> {
      if (!input.caseIds.length) return { missing: [], confidentialCaseNumbers: [] };
      const rows = await db
        .select({ id: cases.id, caseNumber: cases.caseNumber, confidentiality: cases.confidentiality })
        .from(cases)
        .where(inArray(cases.id, input.caseIds));
      const found = new Set(rows.map((r) => r.id));
      return {
        missing: input.caseIds.filter((id) => !found.has(id)),
        confidentialCaseNumbers: rows.filter((r) => r.confidentiality === 'confidential').map((r) => r.caseNumber),
      };
    },
  };
}
