import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dutyEvents, dutyItems, dutyPeriods, notifications } from '../db/schema';
import { RECURRING_DUTIES, isDutyId } from '../domain/deadlines/rules';
import type { DigestEntry } from './types';
import {
  BRIEFING_METRICS,
  type AgendaCase,
  type BriefingAgency,
  type BriefingMetric,
  type BriefingStats,
  type DutyChangeInput,
  type MeetingAgenda,
} from './duty-types';
import { queueNotifications } from './records';
import { chinaYmd } from '../domain/china-time';

const AGENCIES: BriefingAgency[] = ['eeb', 'psb', 'spp'];
const SECRET_TITLE = '（保密案件）';

/** Case steps that count in a briefing, by the case model's step name (case_events.data.step). */
const STEP_METRIC: Record<string, BriefingMetric> = {
  deliverTransfer: 'transfers',
  deliverDetentionTransfer: 'transfers',
  fileCase: 'filings',
  fileAfterNotice: 'filings',
  declineFiling: 'nonFilings',
  approveArrest: 'arrests',
  prosecute: 'prosecutions',
  recordJudgment: 'judgments',
};
const SUPERVISION_STEPS = [
  'requestFilingExplanation',
  'requestLateDecisionExplanation',
  'noticeToFile',
  'issueTransferOpinion',
  'urgeInvestigation',
];
const DISPUTE_STEPS = [
  'requestReconsideration',
  'upholdNonFiling',
  'proposeSupervision',
  'disapproveArrest',
  'refuseDetention',
  'refuseTransfer',
];

type Row = Record<string, unknown>;
const rowsOf = (r: unknown) => (r as { rows: Row[] }).rows;

function emptyCounts(): Record<BriefingMetric, number> {
  return Object.fromEntries(BRIEFING_METRICS.map((m) => [m, 0])) as Record<BriefingMetric, number>;
}

/** Duty events that are warnings (预警): a recipient who chose the daily digest gets them in it. */
const DUTY_WARNING_TYPES = ['dutyWarning', 'resolutionWarning'];
const zhDate = (ymd: string) => `${ymd.slice(0, 4)}年${ymd.slice(5, 7)}月${ymd.slice(8, 10)}日`;

/** The digest entry of a duty's warning: the period (or the resolution) and the duty's rule of §D. */
export function dutyWarningEntry(input: DutyChangeInput): DigestEntry | undefined {
  if (!DUTY_WARNING_TYPES.includes(input.event.type)) return undefined;
  const p = input.period;
  const duty = isDutyId(p.dutyId) ? RECURRING_DUTIES[p.dutyId] : undefined;
  const resolution = input.items?.find((i) => i.kind === 'resolution' && i.date);
  const configured = typeof p.summary?.deadline === 'string' ? p.summary.deadline : undefined;
  const due = resolution?.date ?? configured ?? p.endDate;
  return {
    reference: p.labelZh,
    titleZh: resolution ? `议定事项：${resolution.titleZh}` : (duty?.dutyZh ?? p.labelZh),
    whatZh: input.event.labelZh,
    ruleId: p.dutyId,
    ruleLabelZh: duty?.labelZh ?? p.dutyId,
    dueZh: zhDate(due),
    basis: duty?.basis ?? '',
    link: `#/duties/${p.id}`,
  };
}

export function createDutyActivities(deps: { db: Db }) {
  const { db } = deps;

  return {
    /**
     * One change of a duty period in one transaction: the period row, the event, the items and the outbox.
     * Idempotent on the event id: a retry after a commit returns the same outbox rows and writes nothing.
     */
    async recordDutyChange(input: DutyChangeInput): Promise<{ notificationIds: string[] }> {
      return db.transaction(async (tx) => {
        const at = new Date(input.event.occurredAtMs);
        const p = input.period;
        const periodValues = {
          dutyId: p.dutyId,
          periodKey: p.periodKey,
          cadence: p.cadence,
          startDate: p.startDate,
          endDate: p.endDate,
          status: p.status,
          labelZh: p.labelZh,
          summary: p.summary ?? {},
          updatedAt: at,
          ...(p.closedAtMs !== undefined ? { closedAt: p.closedAtMs === null ? null : new Date(p.closedAtMs) } : {}),
        };
        // The period row must exist before the event (foreign key); the first event creates it.
        await tx
          .insert(dutyPeriods)
          .values({ id: p.id, ...periodValues, createdAt: at })
          .onConflictDoNothing({ target: dutyPeriods.id });
        const inserted = await tx
          .insert(dutyEvents)
          .values({
            id: input.event.id,
            periodId: p.id,
            dutyId: p.dutyId,
            type: input.event.type,
            labelZh: input.event.labelZh,
            actorUserId: input.event.actor?.userId ?? null,
            actorAgency: input.event.actor?.agency ?? null,
            data: input.event.data ?? {},
            occurredAt: at,
          })
          .onConflictDoNothing({ target: dutyEvents.id })
          .returning({ id: dutyEvents.id });
        if (inserted.length === 0) {
          const rows = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(eq(notifications.eventId, input.event.id));
          return { notificationIds: rows.map((r) => r.id) };
        }
        await tx.update(dutyPeriods).set(periodValues).where(eq(dutyPeriods.id, p.id));
        for (const item of input.items ?? []) {
          const values = {
            status: item.status,
            titleZh: item.titleZh,
            ownerAgency: item.ownerAgency ?? null,
            date: item.date ?? null,
            dueAt: item.dueAtMs ? new Date(item.dueAtMs) : null,
            escalationLevel: item.escalationLevel ?? 'none',
            data: item.data ?? {},
            updatedAt: at,
          };
          await tx
            .insert(dutyItems)
            .values({ id: item.id, periodId: p.id, dutyId: p.dutyId, kind: item.kind, ...values, createdAt: at })
            .onConflictDoUpdate({ target: dutyItems.id, set: values });
        }
        const notificationIds = input.notify?.length
          ? await queueNotifications(tx, null, input.event.id, input.notify, dutyWarningEntry(input))
          : [];
        return { notificationIds };
      });
    },

    /** The agenda of a joint meeting, from the record: overdue, supervised, major and disputed cases; open resolutions. */
    async compileMeetingAgenda(input: { nowMs: number }): Promise<MeetingAgenda> {
      const caseRows = rowsOf(
        await db.execute(sql`
          select c.id, c.case_number, c.title, c.confidentiality, c.stage_label_zh, c.responsible_agency, c.overdue,
            exists (select 1 from case_events e where e.case_id = c.id and (e.type = 'clockSupervision'
              or e.data->>'step' in (${sql.join(
                SUPERVISION_STEPS.map((s) => sql`${s}`),
                sql`, `,
              )}))) as supervised,
            exists (select 1 from case_events e where e.case_id = c.id and e.data->>'step' = 'jointSupervision')
              or exists (select 1 from deadlines d where d.case_id = c.id and d.rule_id = 'psb.filing-decision.major') as major,
            (select string_agg(distinct e.label_zh, '；') from case_events e where e.case_id = c.id
              and e.data->>'step' in (${sql.join(
                DISPUTE_STEPS.map((s) => sql`${s}`),
                sql`, `,
              )})) as dispute
          from cases c
          where c.closed_at is null
          order by c.case_number`),
      );
      const view = (r: Row, reasonZh: string): AgendaCase => ({
        caseId: String(r.id),
        caseNumber: String(r.case_number),
        title: r.confidentiality === 'confidential' ? SECRET_TITLE : String(r.title),
        stageLabelZh: String(r.stage_label_zh),
        responsibleAgency: (r.responsible_agency as string | null) ?? null,
        reasonZh,
      });
      const open = await db
        .select()
        .from(dutyItems)
        .where(and(eq(dutyItems.kind, 'resolution'), eq(dutyItems.status, 'open')))
        .orderBy(dutyItems.dueAt);
      // The agenda reaches every agency and the working group: a confidential case is a count, never an entry.
      const named = caseRows.filter((r) => r.confidentiality !== 'confidential');
      const secret = caseRows.filter((r) => r.confidentiality === 'confidential');
      return {
        compiledAtMs: input.nowMs,
        overdueCases: named.filter((r) => r.overdue).map((r) => view(r, '期限已超期')),
        supervisedCases: named.filter((r) => r.supervised).map((r) => view(r, '检察监督中')),
        majorCases: named.filter((r) => r.major).map((r) => view(r, '重大案件（挂牌督办或重大疑难复杂）')),
        disputes: named.filter((r) => r.dispute).map((r) => view(r, `存在分歧：${String(r.dispute)}`)),
        confidentialCounts: {
          overdue: secret.filter((r) => r.overdue).length,
          supervised: secret.filter((r) => r.supervised).length,
          major: secret.filter((r) => r.major).length,
          disputes: secret.filter((r) => r.dispute).length,
        },
        openResolutions: open.map((o) => ({
          id: o.id,
          titleZh: o.titleZh,
          ownerAgency: o.ownerAgency,
          dueDate: o.date,
          escalationLevel: o.escalationLevel,
          meetingPeriodId: o.periodId,
        })),
      };
    },

    /**
     * The statistics of one briefing period [fromMs, toMs) per agency. Steps count for the agency that took them;
     * overdue clocks and supervision items for the agency responsible for the clock; a completed joint operation
     * for the EEB and the PSB; a training session for each agency that attended; joint-operation leads for the
     * agency that recorded the outcome.
     */
    async computeBriefingStats(input: { fromMs: number; toMs: number }): Promise<BriefingStats> {
      const perAgency = Object.fromEntries(AGENCIES.map((a) => [a, emptyCounts()])) as BriefingStats['perAgency'];
      const add = (agency: unknown, metric: BriefingMetric, n = 1) => {
        if (typeof agency === 'string' && (AGENCIES as string[]).includes(agency))
          perAgency[agency as BriefingAgency][metric] += n;
      };
      const events = rowsOf(
        await db.execute(sql`
          select e.type, e.data->>'step' as step, e.actor_agency, c.id as case_id, c.case_number, c.title, c.confidentiality,
            coalesce(d.responsible_agency, split_part(e.rule_id, '.', 1)) as clock_agency
          from case_events e
          join cases c on c.id = e.case_id
          left join deadlines d on d.id = e.case_id || '/' || (e.data->>'clockId')
          where e.occurred_at >= ${new Date(input.fromMs).toISOString()}::timestamptz and e.occurred_at < ${new Date(input.toMs).toISOString()}::timestamptz
          order by e.seq`),
      );
      const secret = new Set<string>();
      const visible = new Map<string, string>();
      for (const e of events) {
        if (e.confidentiality === 'confidential') secret.add(String(e.case_id));
        else visible.set(String(e.case_number), String(e.title));
        if (e.type === 'caseCreated') add(e.actor_agency, 'leads');
        else if (e.type === 'clockOverdue') add(e.clock_agency, 'overdueClocks');
        else if (e.type === 'clockSupervision') add(e.clock_agency, 'supervisionItems');
        else if (typeof e.step === 'string' && STEP_METRIC[e.step]) add(e.actor_agency, STEP_METRIC[e.step]);
      }
      const fromDate = chinaYmd(input.fromMs);
      const toDate = chinaYmd(input.toMs - 1);
      const items = await db
        .select()
        .from(dutyItems)
        .where(
          and(
            inArray(dutyItems.kind, ['jointOperation', 'trainingSession']),
            inArray(dutyItems.status, ['completed', 'held']),
            sql`${dutyItems.date} >= ${fromDate} and ${dutyItems.date} <= ${toDate}`,
          ),
        );
      for (const item of items) {
        const data = item.data as {
          leadCount?: number;
          recordedByAgency?: string;
          attendance?: Record<string, number>;
        };
        if (item.kind === 'jointOperation') {
          add('eeb', 'jointOperations');
          add('psb', 'jointOperations');
          add(data.recordedByAgency, 'leads', data.leadCount ?? 0);
        } else {
          for (const [agency, n] of Object.entries(data.attendance ?? {})) if (n > 0) add(agency, 'trainings');
        }
      }
      const totals = emptyCounts();
      for (const a of AGENCIES) for (const m of BRIEFING_METRICS) totals[m] += perAgency[a][m];
      return {
        fromMs: input.fromMs,
        toMs: input.toMs,
        perAgency,
        totals,
        confidentialCases: secret.size,
        cases: [...visible.entries()].map(([caseNumber, title]) => ({ caseNumber, title })),
      };
    },
  };
}
