/** The messages of supervisionItemWorkflow (workflows/supervision.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SupervisionSeed } from '../../activities/supervision';
import type { EscalationLevel } from '../../domain/deadlines/rungs';
import type { CloseResult, OpinionKind, SupervisionStatus } from '../../domain/supervision';
import type { DutyActor } from './duties';

/**
 * One supervision item (检察监督事项, domain/supervision): SPP reviews (policy rule supervision.review) and issues an
 * opinion, which starts the addressed agency's statutory clock (e.g. psb.non-filing-explanation, 7 days); the agency
 * answers; the SPP closes it with a result (after an answer to 要求说明不立案理由, within spp.review-outcome-notice).
 * Every clock escalates like a case clock: 预警 → 超期 → 督办 (working group).
 */
export interface SupervisionItemInput {
  seed: SupervisionSeed;
  openedAtMs: number;
  /** DEADLINE_POLICY_OVERRIDES in force when the item was opened. */
  policyOverrides?: Record<string, unknown>;
}

export interface SupervisionRequest {
  actor: DutyActor;
  input?: unknown;
}

export interface SupervisionClockView {
  ruleId: string;
  labelZh: string;
  agency: string;
  basis: string;
  dueAtMs: number;
  dueDate: string;
  warningAtMs: number | null;
  overdueAtMs: number;
  escalationAtMs: number | null;
  level: Exclude<EscalationLevel, 'supervision'>;
}

export interface SupervisionView {
  itemId: string;
  status: SupervisionStatus;
  statusZh: string;
  kind: string;
  kindZh: string;
  seed: SupervisionSeed;
  opinionKind?: OpinionKind;
  opinionText?: string;
  answerText?: string;
  result?: CloseResult;
  resultNote?: string;
  clock: SupervisionClockView | null;
  overdue: boolean;
}

export const supervisionStateQuery = defineQuery<SupervisionView>('supervisionState');
export const issueOpinionUpdate = defineUpdate<SupervisionView, [SupervisionRequest]>('issueOpinion');
export const answerOpinionUpdate = defineUpdate<SupervisionView, [SupervisionRequest]>('answerOpinion');
export const closeSupervisionUpdate = defineUpdate<SupervisionView, [SupervisionRequest]>('closeSupervision');
