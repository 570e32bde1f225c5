import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { eq, sql } from 'drizzle-orm';
import type { PolicyInForce } from '../config';
import type { Db } from '../db/client';
import { notifications, supervisionEvents, supervisionItems } from '../db/schema';
import { RULES, isRuleId } from '../domain/deadlines/rules';
import {
  DEFAULT_SWEEP_SETTINGS,
  REPEAT_PENALTY_TYPES,
  SUPERVISION_KIND_ZH,
  TIME_CRITERIA,
  extractFacts,
  matchThresholds,
  priorPenaltiesWithinTwoYears,
  supervisionItemId,
  supervisionWorkflowId,
  type SupervisionKind,
  type SupervisionSubjectType,
  type SweepSettings,
} from '../domain/supervision';
import { queueNotifications } from './records';
import type { ActorRef, NotificationRequest } from './types';
import { chinaYmd } from '../domain/china-time';

/** Messages between the supervision workflows and their activities. Versioned by shape: add fields, never repurpose. */
export interface SupervisionSeed {
  itemId: string;
  kind: SupervisionKind;
  source: string;
  subjectType: SupervisionSubjectType;
  subjectId: string;
  caseId: string | null;
  penaltyRecordId: string | null;
  criterionId: string;
  reasonZh: string;
  basis: string;
  concernedAgency: string;
  /** How the subject is named in mail: case number and title, "（保密案件）" for a confidential case. */
  subjectLabelZh: string;
  confidential: boolean;
  sweepPeriodId?: string | null;
}

export interface SupervisionItemRow {
  id: string;
  workflowId: string;
  seed: SupervisionSeed;
  status: string;
  opinionKind?: string | null;
  opinionText?: string | null;
  answerText?: string | null;
  clockRuleId?: string | null;
  clockAgency?: string | null;
  dueAtMs?: number | null;
  dueDate?: string | null;
  escalationLevel: string;
  overdue: boolean;
  result?: string | null;
  resultNote?: string | null;
  closedAtMs?: number | null;
}

export interface SupervisionEventInput {
  id: string;
  type: string;
  labelZh: string;
  occurredAtMs: number;
  actor?: ActorRef;
  ruleId?: string;
  data?: Record<string, unknown>;
}

export interface SweepResult {
  asOfMs: number;
  checkedCases: number;
  checkedPenaltyRecords: number;
  /** Every subject a criterion matched (an existing item of the same subject and kind excluded). */
  found: SupervisionSeed[];
  /** Matches already covered by an item (any source, any status): not opened again. */
  alreadyOpen: number;
}

export interface OpenItemsResult {
  /** Items this sweep started (in an earlier attempt of this activity too). */
  opened: string[];
  /** Items whose workflow already existed, started by something else (an earlier sweep, a case clock). */
  alreadyStarted: string[];
}

/** The item workflow's input (workflows/supervision.ts SupervisionItemInput), started by name from an activity. */
type StartItem = (input: { seed: SupervisionSeed; openedAtMs: number } & PolicyInForce) => Promise<unknown>;

const SECRET = '（保密案件）';
const DAY_MS = 86_400_000;

export function createSupervisionActivities(deps: { db: Db; policy?: PolicyInForce }) {
  const { db } = deps;
  return {
    /**
     * One change of a supervision item in one transaction: the item row (created by its first event), the event and
     * the outbox. Idempotent on the event id: a retry returns the same outbox rows and writes nothing.
     */
    async recordSupervisionChange(input: {
      item: SupervisionItemRow;
      event: SupervisionEventInput;
      notify?: NotificationRequest[];
    }): Promise<{ notificationIds: string[] }> {
      return db.transaction(async (tx) => {
        const at = new Date(input.event.occurredAtMs);
        const r = input.item;
        const s = r.seed;
        const values = {
          status: r.status,
          opinionKind: r.opinionKind ?? null,
          opinionText: r.opinionText ?? null,
          answerText: r.answerText ?? null,
          clockRuleId: r.clockRuleId ?? null,
          clockAgency: r.clockAgency ?? null,
          dueAt: r.dueAtMs ? new Date(r.dueAtMs) : null,
          dueDate: r.dueDate ?? null,
          escalationLevel: r.escalationLevel,
          overdue: r.overdue,
          result: r.result ?? null,
          resultNote: r.resultNote ?? null,
          closedAt: r.closedAtMs ? new Date(r.closedAtMs) : null,
          updatedAt: at,
        };
        await tx
          .insert(supervisionItems)
          .values({
            id: r.id,
            workflowId: r.workflowId,
            kind: s.kind,
            source: s.source,
            subjectType: s.subjectType,
            subjectId: s.subjectId,
            caseId: s.caseId,
            penaltyRecordId: s.penaltyRecordId,
            criterionId: s.criterionId,
            reasonZh: s.reasonZh,
            basis: s.basis,
            concernedAgency: s.concernedAgency,
            sweepPeriodId: s.sweepPeriodId ?? null,
            createdAt: at,
            ...values,
          })
          .onConflictDoNothing({ target: supervisionItems.id });
        const inserted = await tx
          .insert(supervisionEvents)
          .values({
            id: input.event.id,
            itemId: r.id,
            type: input.event.type,
            labelZh: input.event.labelZh,
            actorUserId: input.event.actor?.userId ?? null,
            actorAgency: input.event.actor?.agency ?? null,
            ruleId: input.event.ruleId ?? null,
            data: input.event.data ?? {},
            occurredAt: at,
          })
          .onConflictDoNothing({ target: supervisionEvents.id })
          .returning({ id: supervisionEvents.id });
        if (inserted.length === 0) {
          const rows = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(eq(notifications.eventId, input.event.id));
          return { notificationIds: rows.map((x) => x.id) };
        }
        await tx.update(supervisionItems).set(values).where(eq(supervisionItems.id, r.id));
        const notificationIds = input.notify?.length
          ? await queueNotifications(tx, s.caseId, input.event.id, input.notify)
          : [];
        return { notificationIds };
      });
    },

    /**
     * Starts the sweep's new items (supervisionItemWorkflow, deterministic id per item) with the worker's client on
     * the activity's task queue: not children of the sweep, so an item outlives the sweep with no parent to report
     * to. Idempotent: an id already started is not started again; it counts as this sweep's when its memo names
     * this sweep (a retry after a partial attempt), otherwise as already started.
     */
    async openSupervisionItems(input: {
      seeds: SupervisionSeed[];
      openedAtMs: number;
      sweepPeriodId: string;
    }): Promise<OpenItemsResult> {
      const ctx = Context.current();
      const client = ctx.client;
      const result: OpenItemsResult = { opened: [], alreadyStarted: [] };
      for (const seed of input.seeds) {
        const workflowId = supervisionWorkflowId(seed.itemId);
        try {
          await client.workflow.start<StartItem>('supervisionItemWorkflow', {
            workflowId,
            taskQueue: ctx.info.taskQueue,
            args: [{ seed, openedAtMs: input.openedAtMs, ...deps.policy }],
            memo: { sweepPeriodId: input.sweepPeriodId },
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          result.opened.push(seed.itemId);
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          const memo = (await client.workflow.getHandle(workflowId).describe()).memo;
          (memo?.sweepPeriodId === input.sweepPeriodId ? result.opened : result.alreadyStarted).push(seed.itemId);
        }
        ctx.heartbeat();
      }
      return result;
    },

    /**
     * The sweep's detection (spp.transfer-supervision-sweep): reads cases, case events, clocks and penalty records as
     * of `asOfMs` and returns what each criterion of domain/supervision matched, with a Chinese reason citing the
     * article. Writes nothing (the item workflows record the items), so a retry is harmless.
     */
    async detectSupervisionCandidates(input: {
      asOfMs: number;
      settings?: Partial<SweepSettings>;
      sweepPeriodId?: string;
    }): Promise<SweepResult> {
      const settings = { ...DEFAULT_SWEEP_SETTINGS, ...(input.settings ?? {}) };
      const asOf = new Date(input.asOfMs);
      const covered = new Set<string>();
      const existing = await db
        .select({
          subjectType: supervisionItems.subjectType,
          subjectId: supervisionItems.subjectId,
          kind: supervisionItems.kind,
        })
        .from(supervisionItems);
      for (const e of existing) covered.add(`${e.subjectType}/${e.subjectId}/${e.kind}`);
      const found: SupervisionSeed[] = [];
      let alreadyOpen = 0;
      const push = (seed: Omit<SupervisionSeed, 'itemId' | 'source' | 'sweepPeriodId'>) => {
        if (covered.has(`${seed.subjectType}/${seed.subjectId}/${seed.kind}`)) {
          alreadyOpen++;
          return;
        }
        covered.add(`${seed.subjectType}/${seed.subjectId}/${seed.kind}`);
        found.push({
          ...seed,
          itemId: supervisionItemId(seed.subjectType, seed.subjectId, seed.kind, 'sweep'),
          source: 'sweep',
          sweepPeriodId: input.sweepPeriodId ?? null,
        });
      };
      const label = (c: { caseNumber: string; title: string; confidentiality: string }) =>
        c.confidentiality === 'confidential' ? `案件 ${c.caseNumber} ${SECRET}` : `案件 ${c.caseNumber}“${c.title}”`;

      type CaseRow = {
        id: string;
        case_number: string;
        title: string;
        confidentiality: string;
        stage: string;
        created_at: Date;
        rule_id: string | null;
        due_at: Date | null;
        last_event_at: Date | null;
      };
      const q = async (query: ReturnType<typeof sql>) =>
        ((await db.execute(query)) as unknown as { rows: CaseRow[] }).rows;
      const checked = (await db.execute(
        sql`SELECT count(*)::int AS n FROM cases WHERE closed_at IS NULL AND track = 'criminal' AND created_at <= ${asOf}`,
      )) as unknown as { rows: { n: number }[] };

      // 有案不移: a case on the criminal-transfer track not yet delivered to the PSB after N days.
      const nt = TIME_CRITERIA.notTransferred;
      const ntRows = await q(sql`
        SELECT id, case_number, title, confidentiality, stage, created_at, NULL AS rule_id, NULL AS due_at, NULL AS last_event_at
        FROM cases WHERE closed_at IS NULL AND track = 'criminal'
          AND stage IN (${sql.join(
            nt.stages.map((s) => sql`${s}`),
            sql`, `,
          )})
          AND created_at <= ${new Date(input.asOfMs - settings.notTransferredDays * DAY_MS)}
        ORDER BY created_at`);
      for (const c of ntRows) {
        const days = Math.floor((input.asOfMs - new Date(c.created_at).getTime()) / DAY_MS);
        push({
          kind: 'notTransferred',
          subjectType: 'case',
          subjectId: c.id,
          caseId: c.id,
          penaltyRecordId: null,
          criterionId: nt.id,
          reasonZh: `${label({ caseNumber: c.case_number, title: c.title, confidentiality: c.confidentiality })}认定涉嫌犯罪已 ${days} 日（超过 ${settings.notTransferredDays} 日）仍未移送公安机关，可能${SUPERVISION_KIND_ZH.notTransferred}（${nt.labelZh}）`,
          basis: nt.basis,
          concernedAgency: 'eeb',
          subjectLabelZh: label({ caseNumber: c.case_number, title: c.title, confidentiality: c.confidentiality }),
          confidential: c.confidentiality === 'confidential',
        });
      }

      // 有案不立: the filing decision (or the filing after a notice) past its statutory limit.
      for (const crit of [TIME_CRITERIA.notFiled, TIME_CRITERIA.noticeNotFiled]) {
        const rows = await q(sql`
          SELECT c.id, c.case_number, c.title, c.confidentiality, c.stage, c.created_at, d.rule_id, d.due_at, NULL AS last_event_at
          FROM cases c JOIN deadlines d ON d.case_id = c.id
          WHERE c.closed_at IS NULL AND c.stage IN (${sql.join(
            crit.stages.map((s) => sql`${s}`),
            sql`, `,
          )})
            AND d.status = 'open' AND d.rule_id IN (${sql.join(
              (crit.ruleIds ?? []).map((s) => sql`${s}`),
              sql`, `,
            )})
            AND d.due_at < ${asOf}
          ORDER BY d.due_at`);
        for (const c of rows) {
          const rule = c.rule_id && isRuleId(c.rule_id) ? RULES[c.rule_id] : undefined;
          const name = label({ caseNumber: c.case_number, title: c.title, confidentiality: c.confidentiality });
          push({
            kind: 'notFiled',
            subjectType: 'case',
            subjectId: c.id,
            caseId: c.id,
            penaltyRecordId: null,
            criterionId: crit.id,
            reasonZh: `${name}：${rule?.labelZh ?? c.rule_id}（${c.rule_id}）已于 ${chinaYmd(new Date(c.due_at!).getTime())} 期满仍未办理，可能${SUPERVISION_KIND_ZH.notFiled}（${crit.labelZh}；${rule?.basis ?? ''}）`,
            basis: crit.basis,
            concernedAgency: 'psb',
            subjectLabelZh: name,
            confidential: c.confidentiality === 'confidential',
          });
        }
      }

      // 立而不侦: filed, then no recorded activity for longer than the investigation limit.
      const ni = TIME_CRITERIA.notInvestigated;
      const niRows = await q(sql`
        SELECT c.id, c.case_number, c.title, c.confidentiality, c.stage, c.created_at, NULL AS rule_id, NULL AS due_at, e.last_event_at
        FROM cases c JOIN LATERAL (SELECT max(occurred_at) AS last_event_at FROM case_events WHERE case_id = c.id) e ON true
        WHERE c.closed_at IS NULL AND c.stage IN (${sql.join(
          ni.stages.map((s) => sql`${s}`),
          sql`, `,
        )})
          AND e.last_event_at < ${new Date(input.asOfMs - settings.idleInvestigationDays * DAY_MS)}`);
      for (const c of niRows) {
        const name = label({ caseNumber: c.case_number, title: c.title, confidentiality: c.confidentiality });
        push({
          kind: 'notInvestigated',
          subjectType: 'case',
          subjectId: c.id,
          caseId: c.id,
          penaltyRecordId: null,
          criterionId: ni.id,
          reasonZh: `${name}立案后自 ${chinaYmd(new Date(c.last_event_at!).getTime())} 起超过 ${settings.idleInvestigationDays} 日没有任何办理记录，可能${SUPERVISION_KIND_ZH.notInvestigated}（${ni.labelZh}）`,
          basis: ni.basis,
          concernedAgency: 'psb',
          subjectLabelZh: name,
          confidential: c.confidentiality === 'confidential',
        });
      }

      // 以罚代刑: a penalty record (last two years) whose facts meet a criminal threshold and that no transfer follows.
      const from = chinaYmd(input.asOfMs - 2 * 366 * DAY_MS);
      const to = chinaYmd(input.asOfMs);
      type PenRow = {
        id: string;
        agency: string;
        party: string;
        fact_summary: string;
        penalty_type: string;
        decision_date: string;
        document_number: string | null;
        case_id: string | null;
        track: string | null;
        stage: string | null;
        confidentiality: string | null;
      };
      const pens = (
        (await db.execute(sql`
        SELECT p.id, p.agency, p.party, p.fact_summary, p.penalty_type, p.decision_date::text AS decision_date, p.document_number, p.case_id,
               c.track, c.stage, c.confidentiality
        FROM penalty_records p LEFT JOIN cases c ON c.id = p.case_id
        WHERE p.decision_date BETWEEN ${from} AND ${to}
        ORDER BY p.decision_date, p.id`)) as unknown as { rows: PenRow[] }
      ).rows;
      const byParty = new Map<string, string[]>();
      for (const p of pens)
        if ((REPEAT_PENALTY_TYPES as readonly string[]).includes(p.penalty_type))
          byParty.set(p.party, [...(byParty.get(p.party) ?? []), p.decision_date]);
      const transferredStages = new Set([
        'delivered',
        'accepted',
        'investigation',
        'arrestReview',
        'prosecutionReview',
        'supplementaryInvestigation',
        'trial',
        'judged',
        'noticeToFile',
        'supervision',
        'notFiled',
        'reconsideration',
        'reasonsUpheld',
        'notProsecuted',
        'reverseTransferred',
      ]);
      for (const p of pens) {
        if (p.track === 'criminal' && p.stage && transferredStages.has(p.stage)) continue;
        const facts = {
          ...extractFacts(p.fact_summary),
          priorPenaltiesWithinTwoYears: priorPenaltiesWithinTwoYears(p.decision_date, byParty.get(p.party) ?? []),
        };
        const matches = matchThresholds(facts);
        if (!matches.length) continue;
        const secret = p.confidentiality === 'confidential';
        const name = `行政处罚决定 ${p.document_number ?? p.id}（${secret ? SECRET : p.party}，${p.decision_date}，${p.penalty_type}）`;
        push({
          kind: 'penaltyInsteadOfCriminal',
          subjectType: 'penaltyRecord',
          subjectId: p.id,
          caseId: p.case_id,
          penaltyRecordId: p.id,
          criterionId: matches[0].criterionId,
          reasonZh: `${name}所载事实已达刑事追诉标准：${matches.map((m) => `${m.valueZh}（${m.labelZh}，${m.basis}）`).join('；')}，仅作行政处罚而未移送，可能${SUPERVISION_KIND_ZH.penaltyInsteadOfCriminal}`,
          basis: matches.map((m) => m.basis).join('；'),
          concernedAgency: p.agency === 'psb' ? 'psb' : 'eeb',
          subjectLabelZh: name,
          confidential: secret,
        });
      }
      return {
        asOfMs: input.asOfMs,
        checkedCases: checked.rows[0]?.n ?? 0,
        checkedPenaltyRecords: pens.length,
        found,
        alreadyOpen,
      };
    },
  };
}
