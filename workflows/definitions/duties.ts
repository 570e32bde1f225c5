/**
 * The messages and ids shared by the duty workflows (domain/duties): side-effect free, imported by the workflows, the
 * API, the schedules and the tests alike.
 */
import type { Cadence, DutyId, RecurringPeriod } from '../../domain/deadlines';

export interface DutyActor {
  userId: string;
  agency: string;
  role: string;
  displayName?: string;
}

/** Per-duty settings resolved from configuration when the schedule fires (the workflow then needs no config). */
export interface DutySettings {
  /** Joint enforcement: days of the month (09:00) reminding while nothing is planned. */
  reminderDays?: number[];
  /** Training: 'MM-DD' by which a session must be held (default: the year's end). */
  deadline?: string;
  /** Meetings: days a resolution (议定事项) has by default. */
  resolutionDays?: number;
  /** Supervision sweep: the time-based criteria's days (domain/supervision DEFAULT_SWEEP_SETTINGS otherwise). */
  notTransferredDays?: number;
  idleInvestigationDays?: number;
  warningWorkdays?: number;
  escalationWorkdays?: number;
}

/** Input of every period workflow (v1). Add optional fields only. */
export interface DutyPeriodInput {
  dutyId: DutyId;
  cadence: Cadence;
  period: RecurringPeriod;
  settings?: DutySettings;
  /** Ad-hoc meeting: who asked for it and why. */
  adHoc?: { requestedBy: DutyActor; reasonZh: string; requestedAtMs: number };
}

export const DUTY_SLUG: Record<DutyId, string> = {
  'joint-enforcement.monthly': 'joint-enforcement',
  'training.annual': 'training',
  'joint-meeting.periodic': 'joint-meeting',
  'info-briefing.periodic': 'info-briefing',
  'spp.transfer-supervision-sweep': 'supervision-sweep',
};

/** The body of every duty update. */
export interface DutyUpdateRequest {
  actor: DutyActor;
  input: Record<string, unknown>;
  /** DEADLINE_POLICY_OVERRIDES of the API that sent it (config policyInForce): a case opened from a lead keeps them. */
  policyOverrides?: Record<string, unknown>;
}

/** One workflow per duty and period: a second trigger of the same period finds it running (or done). */
export const dutyWorkflowId = (dutyId: DutyId, periodKey: string) => `duty-${DUTY_SLUG[dutyId]}-${periodKey}`;
/** The Temporal Schedule of a duty, e.g. duty-joint-enforcement-monthly. */
export const scheduleIdOf = (dutyId: DutyId) => `duty-${dutyId.replace(/\./g, '-')}`;
