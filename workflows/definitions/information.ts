/** The messages of platformEntryWorkflow (workflows/information.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { EscalationLevel } from '../../domain/deadlines/rungs';
import type { InformationRecordInput } from '../../domain/information';

/**
 * The duty of 2017 Measures Art 34 for one decision of a case: rule `any.platform-entry` (7 days from the decision).
 * Started by the activity that records the decision (activities/information.ts), so caseWorkflow's command sequence
 * stays as it was; id `platform-entry-<caseId>-<seq>`. The responsible agency enters the record with an Update; until
 * then the clock runs the ladder of domain/deadlines (预警 → 超期 → 督办), each step a case event and a mail.
 */
export interface PlatformEntryInput {
  caseId: string;
  /** The decision's case event id (`<caseId>/step/<seq>`). */
  decisionEventId: string;
  step: string;
  /** The agency that made the decision: it enters the record. */
  agency: string;
  decidedAtMs: number;
  policyOverrides?: Record<string, unknown>;
}

export interface EnterRecordRequest {
  actor: { userId: string; agency: string; role: string; displayName?: string };
  record: InformationRecordInput;
}

export interface PlatformEntryView {
  decisionEventId: string;
  status: 'pending' | 'entered';
  dueAt: string;
  dueDate: string;
  level: Exclude<EscalationLevel, 'supervision'>;
  late: boolean;
}

export const enterInformationRecordUpdate = defineUpdate<PlatformEntryView, [EnterRecordRequest]>(
  'enterInformationRecord',
);
export const platformEntryQuery = defineQuery<PlatformEntryView>('platformEntry');
