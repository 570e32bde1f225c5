/** The messages of jointReleaseWorkflow (workflows/releases.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalStatus, ReleaseContent, ReleaseParty, ReleaseStatus } from '../../domain/releases';
import type { EscalationLevel } from '../../domain/deadlines/rungs';
import type { DutyActor } from './duties';

export interface JointReleaseInput {
  releaseId: string;
  content: ReleaseContent;
  drafter: DutyActor;
  createdAtMs: number;
  /** DEADLINE_POLICY_OVERRIDES in force when the release was created (may change `release.approval`). */
  policyOverrides?: Record<string, unknown>;
}

export interface ReleaseRequest {
  actor: DutyActor;
  input?: unknown;
}

export interface ApprovalView {
  agency: ReleaseParty;
  status: ApprovalStatus;
  dueAtMs: number;
  dueDate: string;
  warningAtMs: number | null;
  overdueAtMs: number;
  escalationAtMs: number | null;
  provisional: boolean;
  level: Exclude<EscalationLevel, 'supervision'>;
  decidedAtMs?: number;
  decidedBy?: { userId: string; displayName?: string };
  comment?: string;
  late?: boolean;
}

export interface ReleaseView {
  releaseId: string;
  status: ReleaseStatus;
  statusZh: string;
  round: number;
  content: ReleaseContent;
  drafter: DutyActor;
  /** The current round's reviews (empty before the first submission). */
  approvals: ApprovalView[];
  /** Earlier rounds' reviews, oldest first. */
  earlierRounds: { round: number; approvals: ApprovalView[] }[];
  publishedAtMs?: number;
  rejected?: { agency: string; reason: string };
}

export const releaseStateQuery = defineQuery<ReleaseView>('state');
export const releaseRegisteredUpdate = defineUpdate<ReleaseView>('registered');
export const submitReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('submit');
export const approveReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('approve');
export const requestChangesReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('requestChanges');
export const rejectReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('reject');
export const reviseReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('revise');
export const publishReleaseUpdate = defineUpdate<ReleaseView, [ReleaseRequest]>('publish');
export const releaseWorkflowId = (releaseId: string) => `release-${releaseId}`;
