/** The messages of jointEnforcementWorkflow (workflows/duties/joint-enforcement.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DutyActor, DutyUpdateRequest } from './duties';

export type OperationStatus = 'planned' | 'completed' | 'cancelled';

export interface JointOperation {
  id: string;
  status: OperationStatus;
  date: string;
  titleZh: string;
  places: string[];
  targets: string[];
  members: { eeb: string[]; psb: string[] };
  plannedBy: DutyActor;
  plannedAtMs: number;
  cancelReason?: string;
  outcome?: {
    sitesInspected: number;
    violationsFound: number;
    summary?: string;
    attachments: { name: string; ref: string }[];
    recordedBy: DutyActor;
    recordedAtMs: number;
  };
  leads: { description: string; caseId?: string; caseWorkflowId?: string }[];
}

export interface JointEnforcementView {
  workflowId: string;
  periodKey: string;
  labelZh: string;
  status: string;
  operations: JointOperation[];
  reminders: string[];
  complianceZh: string;
}

export const jointEnforcementStateQuery = defineQuery<JointEnforcementView>('state');
export const planOperationUpdate = defineUpdate<JointEnforcementView, [DutyUpdateRequest]>('planOperation');
export const cancelOperationUpdate = defineUpdate<JointEnforcementView, [DutyUpdateRequest]>('cancelOperation');
export const recordOutcomeUpdate = defineUpdate<JointEnforcementView, [DutyUpdateRequest]>('recordOutcome');
export const openCaseFromLeadUpdate = defineUpdate<JointEnforcementView & { caseId: string }, [DutyUpdateRequest]>(
  'openCaseFromLead',
);
export const JOINT_ENFORCEMENT_UPDATES = [
  'planOperation',
  'cancelOperation',
  'recordOutcome',
  'openCaseFromLead',
] as const;
