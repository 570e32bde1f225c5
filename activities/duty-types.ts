/** Messages between duty workflows and their activities. Versioned by shape: add fields, never repurpose. */
import type { ActorRef, NotificationRequest } from './types';

export interface DutyPeriodRow {
  /** The period workflow's id, e.g. duty-joint-enforcement-2026-12. */
  id: string;
  dutyId: string;
  periodKey: string;
  cadence: string;
  startDate: string;
  endDate: string;
  /** open | done | nonCompliant | escalated | completedLate */
  status: string;
  labelZh: string;
  summary?: Record<string, unknown>;
  closedAtMs?: number | null;
}

export interface DutyEventInput {
  /** Deterministic id chosen by the workflow: the idempotency key of the whole change. */
  id: string;
  type: string;
  labelZh: string;
  occurredAtMs: number;
  actor?: ActorRef;
  data?: Record<string, unknown>;
}

export interface DutyItemRow {
  id: string;
  kind: 'jointOperation' | 'trainingSession' | 'meeting' | 'resolution' | 'briefing';
  status: string;
  titleZh: string;
  ownerAgency?: string | null;
  date?: string | null;
  dueAtMs?: number | null;
  escalationLevel?: 'none' | 'warning' | 'overdue' | 'escalated';
  data?: Record<string, unknown>;
}

export interface DutyChangeInput {
  period: DutyPeriodRow;
  event: DutyEventInput;
  items?: DutyItemRow[];
  notify?: NotificationRequest[];
}

export interface AgendaCase {
  caseId: string;
  caseNumber: string;
  /** "（保密案件）" for a confidential case: the agenda names it, never describes it. */
  title: string;
  stageLabelZh: string;
  responsibleAgency: string | null;
  reasonZh: string;
}

export interface MeetingAgenda {
  compiledAtMs: number;
  overdueCases: AgendaCase[];
  supervisedCases: AgendaCase[];
  majorCases: AgendaCase[];
  disputes: AgendaCase[];
  openResolutions: {
    id: string;
    titleZh: string;
    ownerAgency: string | null;
    dueDate: string | null;
    escalationLevel: string;
    meetingPeriodId: string;
  }[];
  /**
   * Confidential cases are not named on an agenda (it goes to every agency and the working group): only how many
   * there are in each list. Absent in agendas compiled before this was counted.
   */
  confidentialCounts?: { overdue: number; supervised: number; major: number; disputes: number };
}

export { BRIEFING_METRICS, BRIEFING_METRIC_ZH, type BriefingMetric } from '../domain/duties';
import type { BriefingMetric } from '../domain/duties';

export type BriefingAgency = 'eeb' | 'psb' | 'spp';

export interface BriefingStats {
  fromMs: number;
  toMs: number;
  perAgency: Record<BriefingAgency, Record<BriefingMetric, number>>;
  totals: Record<BriefingMetric, number>;
  /** Cases with activity in the period that are confidential: counted, never described. */
  confidentialCases: number;
  /** Non-confidential cases with activity in the period (number and title only). */
  cases: { caseNumber: string; title: string }[];
}
