/** Messages between case workflows and their activities. Versioned by shape: add fields, never repurpose. */

import type { DeadlineRow } from '../domain/case';
import type { Audience } from '../domain/deadlines/rungs';

export type { Audience, DeadlineRow };

export interface ActorRef {
  userId?: string;
  agency?: string;
  displayName?: string;
}

export interface CaseEventInput {
  /** Deterministic id chosen by the workflow: the idempotency key of the whole change. */
  id: string;
  type: string;
  labelZh: string;
  occurredAtMs: number;
  actor?: ActorRef;
  ruleId?: string;
  documentNumber?: string;
  data?: Record<string, unknown>;
}

export interface CaseRowUpdate {
  stage?: string;
  stageLabelZh?: string;
  responsibleAgency?: string | null;
  overdue?: boolean;
  nextDeadlineAtMs?: number | null;
  closedAtMs?: number | null;
}

export interface NotificationRequest {
  audience: Audience[];
  /** Agency whose people are addressed (for handling / agencyHead). */
  agency: string;
  subject: string;
  bodyText: string;
}

/**
 * What a daily digest lists for one warning (预警), fixed when the warning is queued. Only warnings carry one: a
 * recipient who chose `digest` gets them collected into one mail a day; overdue and later rungs always go at once.
 */
export interface DigestEntry {
  /** 案件编号 (cases) or the duty period's label (duties). */
  reference: string;
  /** Case title ("（保密案件）" for a confidential case) or what the duty is about. */
  titleZh: string;
  whatZh: string;
  ruleId: string;
  ruleLabelZh: string;
  /** Due date/time as a Chinese string (China time). */
  dueZh: string;
  basis: string;
  /** Console route, e.g. `#/cases/<id>` or `#/duties/<periodId>`; the digest prefixes the public address. */
  link: string;
}

export interface RegisterCaseInput {
  caseId: string;
  workflowId: string;
  title: string;
  summary?: string;
  track: string;
  stage: string;
  stageLabelZh: string;
  responsibleAgency: string | null;
  confidentiality: string;
  createdBy: ActorRef;
  event: CaseEventInput;
  deadlines?: DeadlineRow[];
  nextDeadlineAtMs?: number | null;
}

export interface RecordChangeInput {
  caseId: string;
  event: CaseEventInput;
  caseUpdate?: CaseRowUpdate;
  deadlines?: DeadlineRow[];
  notify?: NotificationRequest[];
}

export interface RecordChangeResult {
  /** Outbox rows of this change (created now or by an earlier attempt). */
  notificationIds: string[];
}
