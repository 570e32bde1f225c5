import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PolicyInForce } from '../config';
import type { Db } from '../db/client';
import {
  agencies,
  calendarYears,
  caseEvents,
  cases,
  deadlines,
  notifications,
  userPreferences,
  users,
  workingGroupPositions,
} from '../db/schema';
import { RULES, isRuleId } from '../domain/deadlines/rules';
import { chinaYear, formatChinaTime } from '../domain/china-time';
import type {
  Audience,
  CaseEventInput,
  DeadlineRow,
  DigestEntry,
  NotificationRequest,
  RecordChangeInput,
  RecordChangeResult,
  RegisterCaseInput,
} from './types';
import { startPlatformEntryFor } from './information';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

interface Recipient {
  key: string;
  userId?: string;
  email?: string;
  labelZh: string;
}

const ROLE_BY_AUDIENCE: Record<Audience, (agency: string) => { agency: string; roles: string[] }[]> = {
  handling: (agency) => [{ agency, roles: ['officer', 'liaison'] }],
  agencyHead: (agency) => [
    { agency, roles: ['head'] },
    { agency: 'workingGroup', roles: ['liaison'] },
  ],
  supervision: () => [{ agency: 'spp', roles: ['officer', 'liaison'] }],
  workingGroup: () => [{ agency: 'workingGroup', roles: ['leader', 'deputy'] }],
};

/** Resolves who is told: users with the audience's roles; where none has an address, the agency's office mailbox. */
async function resolveRecipients(tx: Tx, req: NotificationRequest): Promise<Recipient[]> {
  const out = new Map<string, Recipient>();
  for (const audience of req.audience) {
    for (const target of ROLE_BY_AUDIENCE[audience](req.agency)) {
      const people = await tx
        .select()
        .from(users)
        .where(and(eq(users.agency, target.agency), inArray(users.role, target.roles), eq(users.active, true)));
      const reachable = people.filter((p) => p.email);
      for (const p of reachable) {
        out.set(`user:${p.id}`, { key: `user:${p.id}`, userId: p.id, email: p.email!, labelZh: p.displayName });
      }
      if (audience === 'workingGroup') {
        const positions = await tx
          .select()
          .from(workingGroupPositions)
          .where(inArray(workingGroupPositions.position, ['leader', 'deputy']));
        for (const pos of positions.filter((x) => x.email)) {
          out.set(`mail:${pos.email}`, { key: `mail:${pos.email}`, email: pos.email!, labelZh: pos.titleZh });
        }
      }
      if (reachable.length === 0) {
        const [agency] = await tx.select().from(agencies).where(eq(agencies.code, target.agency));
        if (agency?.email) {
          out.set(`mail:${agency.email}`, { key: `mail:${agency.email}`, email: agency.email, labelZh: agency.nameZh });
        }
      }
    }
  }
  return [...out.values()];
}

export function stableMessageId(outboxId: string): string {
  return `${crypto.createHash('sha256').update(outboxId).digest('hex').slice(0, 32)}@linkage.local`;
}

export async function insertEvent(tx: Tx, caseId: string, e: CaseEventInput): Promise<boolean> {
  const inserted = await tx
    .insert(caseEvents)
    .values({
      id: e.id,
      caseId,
      type: e.type,
      labelZh: e.labelZh,
      actorUserId: e.actor?.userId ?? null,
      actorAgency: e.actor?.agency ?? null,
      ruleId: e.ruleId ?? null,
      documentNumber: e.documentNumber ?? null,
      data: e.data ?? {},
      occurredAt: new Date(e.occurredAtMs),
    })
    .onConflictDoNothing({ target: caseEvents.id })
    .returning({ id: caseEvents.id });
  return inserted.length > 0;
}

async function upsertDeadlines(tx: Tx, caseId: string, rows: DeadlineRow[], atMs: number) {
  for (const d of rows) {
    const values = {
      id: `${caseId}/${d.clockId}`,
      caseId,
      clockId: d.clockId,
      ruleId: d.ruleId,
      labelZh: d.labelZh,
      responsibleAgency: d.responsibleAgency,
      basis: d.basis,
      startedAt: new Date(d.startedAtMs),
      dueAt: new Date(d.dueAtMs),
      dueDate: d.dueDate,
      custody: d.custody,
      provisional: d.provisional,
      extensions: d.extensions ?? [],
      suspensions: d.suspensions ?? [],
      warningDueAt: d.warningDueAtMs ? new Date(d.warningDueAtMs) : null,
      escalationDueAt: d.escalationDueAtMs ? new Date(d.escalationDueAtMs) : null,
      status: d.status,
      escalationLevel: d.escalationLevel,
      warnedAt: d.escalationLevel === 'warning' ? new Date(atMs) : undefined,
      overdueAt: d.escalationLevel === 'overdue' ? new Date(atMs) : undefined,
      escalatedAt: d.escalationLevel === 'escalated' ? new Date(atMs) : undefined,
      closedAt: d.status === 'closed' ? new Date(atMs) : undefined,
      updatedAt: new Date(atMs),
    };
    const { id: _id, caseId: _c, clockId: _k, ...update } = values;
    await tx.insert(deadlines).values(values).onConflictDoUpdate({ target: deadlines.id, set: update });
  }
}

/**
 * Queues the outbox rows of one event (idempotent: id = event id + recipient); caseId null for duty events.
 * A warning passes its `digest` entry: a recipient who chose the daily digest (user_preferences.warning_delivery)
 * gets the row held for the digest (channel `digest`, status `held`; activities/digest.ts) instead of a mail now.
 * The in-app inbox shows the row either way. Without `digest` (overdue, supervision, escalation, tasks) every row is
 * mailed at once whatever the preference.
 */
export async function queueNotifications(
  tx: Tx,
  caseId: string | null,
  eventId: string,
  reqs: NotificationRequest[],
  digest?: DigestEntry,
): Promise<string[]> {
  const ids: string[] = [];
  for (const req of reqs) {
    const recipients = await resolveRecipients(tx, req);
    const digestUsers = new Set<string>();
    const userIds = recipients.flatMap((r) => (r.userId ? [r.userId] : []));
    if (digest && userIds.length) {
      const prefs = await tx
        .select({ userId: userPreferences.userId })
        .from(userPreferences)
        .where(and(inArray(userPreferences.userId, userIds), eq(userPreferences.warningDelivery, 'digest')));
      for (const p of prefs) digestUsers.add(p.userId);
    }
    for (const r of recipients) {
      const id = `${eventId}:${r.key}`;
      const held = r.userId !== undefined && digestUsers.has(r.userId);
      await tx
        .insert(notifications)
        .values({
          id,
          caseId,
          eventId,
          recipientUserId: r.userId ?? null,
          recipientEmail: r.email ?? null,
          recipientLabelZh: r.labelZh,
          subject: req.subject,
          bodyText: req.bodyText,
          messageId: stableMessageId(id),
          ...(held ? { channel: 'digest', status: 'held', digestEntry: digest } : {}),
        })
        .onConflictDoNothing({ target: notifications.id });
      ids.push(id);
    }
  }
  return [...new Set(ids)];
}

/** The digest entry of a case clock's warning (event type clockWarning), from the event and the rule table. */
async function caseWarningEntry(tx: Tx, caseId: string, e: CaseEventInput): Promise<DigestEntry | undefined> {
  if (e.type !== 'clockWarning' || !e.ruleId || !isRuleId(e.ruleId)) return undefined;
  const rule = RULES[e.ruleId];
  const [c] = await tx
    .select({ caseNumber: cases.caseNumber, title: cases.title, confidentiality: cases.confidentiality })
    .from(cases)
    .where(eq(cases.id, caseId));
  const dueIso = typeof e.data?.dueAt === 'string' ? e.data.dueAt : undefined;
  return {
    reference: c?.caseNumber ?? caseId,
    titleZh: c?.confidentiality === 'confidential' ? '（保密案件）' : (c?.title ?? ''),
    whatZh: e.labelZh,
    ruleId: rule.id,
    ruleLabelZh: rule.labelZh,
    dueZh: dueIso ? formatChinaTime(Date.parse(dueIso)) : '',
    basis: rule.basis,
    link: `#/cases/${caseId}`,
  };
}

export function createRecordActivities(deps: { db: Db; policy?: PolicyInForce }) {
  const { db } = deps;

  return {
    /** Creates the case row and its first event; a retry finds both and changes nothing. */
    async registerCase(input: RegisterCaseInput): Promise<{ caseNumber: string }> {
      return db.transaction(async (tx) => {
        const [existing] = await tx
          .select({ caseNumber: cases.caseNumber })
          .from(cases)
          .where(eq(cases.id, input.caseId));
        if (existing) return existing;
        const year = chinaYear(input.event.occurredAtMs);
        const result = (await tx.execute(sql`select nextval('case_number_seq') as n`)) as unknown as {
          rows: { n: string }[];
        };
        const n = result.rows[0].n;
        const caseNumber = `联动-${year}-${String(n).padStart(6, '0')}`;
        await tx.insert(cases).values({
          id: input.caseId,
          caseNumber,
          title: input.title,
          summary: input.summary ?? null,
          track: input.track,
          stage: input.stage,
          stageLabelZh: input.stageLabelZh,
          responsibleAgency: input.responsibleAgency,
          confidentiality: input.confidentiality,
          workflowId: input.workflowId,
          createdByUserId: input.createdBy.userId ?? null,
          createdByAgency: input.createdBy.agency ?? null,
          nextDeadlineAt: input.nextDeadlineAtMs ? new Date(input.nextDeadlineAtMs) : null,
          createdAt: new Date(input.event.occurredAtMs),
          updatedAt: new Date(input.event.occurredAtMs),
        });
        await insertEvent(tx, input.caseId, input.event);
        if (input.deadlines?.length) await upsertDeadlines(tx, input.caseId, input.deadlines, input.event.occurredAtMs);
        return { caseNumber };
      });
    },

    /**
     * One change of a case in one transaction: the event, the case row, the deadline rows and the outbox.
     * Idempotent on the event id: a retry after a commit returns the same outbox rows and writes nothing.
     */
    async recordCaseChange(input: RecordChangeInput): Promise<RecordChangeResult> {
      const result = await recordChange(input);
      // An Art 34 decision opens its platform-entry duty (also on a retry after the commit: the start is idempotent).
      await startPlatformEntryFor(input.caseId, input.event, deps.policy);
      return result;
    },

    /** Working-day calendars loaded by administrators, for the deadline engine inside workflows. */
    async loadCalendarYears(): Promise<unknown[]> {
      const rows = await db.select().from(calendarYears).orderBy(calendarYears.year);
      return rows.map((r) => r.data);
    },
  };

  async function recordChange(input: RecordChangeInput): Promise<RecordChangeResult> {
    return db.transaction(async (tx) => {
      const fresh = await insertEvent(tx, input.caseId, input.event);
      if (!fresh) {
        const rows = await tx
          .select({ id: notifications.id })
          .from(notifications)
          .where(eq(notifications.eventId, input.event.id));
        return { notificationIds: rows.map((r) => r.id) };
      }
      const at = input.event.occurredAtMs;
      if (input.caseUpdate) {
        const u = input.caseUpdate;
        await tx
          .update(cases)
          .set({
            ...(u.stage !== undefined ? { stage: u.stage } : {}),
            ...(u.stageLabelZh !== undefined ? { stageLabelZh: u.stageLabelZh } : {}),
            ...(u.responsibleAgency !== undefined ? { responsibleAgency: u.responsibleAgency } : {}),
            ...(u.overdue !== undefined ? { overdue: u.overdue } : {}),
            ...(u.nextDeadlineAtMs !== undefined
              ? { nextDeadlineAt: u.nextDeadlineAtMs === null ? null : new Date(u.nextDeadlineAtMs) }
              : {}),
            ...(u.closedAtMs !== undefined ? { closedAt: u.closedAtMs === null ? null : new Date(u.closedAtMs) } : {}),
            updatedAt: new Date(at),
          })
          .where(eq(cases.id, input.caseId));
      }
      if (input.deadlines?.length) await upsertDeadlines(tx, input.caseId, input.deadlines, at);
      const notificationIds = input.notify?.length
        ? await queueNotifications(
            tx,
            input.caseId,
            input.event.id,
            input.notify,
            await caseWarningEntry(tx, input.caseId, input.event),
          )
        : [];
      return { notificationIds };
    });
  }
}
