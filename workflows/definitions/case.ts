/**
 * The case workflow's messages, its input and its id rule: what the API, the scripts and the tests need to talk to a
 * case, without loading the workflow itself. Side-effect free (only define* calls and types).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseView, Track } from '../../domain/case';

export type { CaseView, OpenClockView } from '../../domain/case';
export type { Track };

/** The workflow type the worker registers (workflows/index.ts exports caseWorkflow under this name). */
export const CASE_WORKFLOW = 'caseWorkflow';

/** One workflow per case: its id is derived from the case id, so a second start of the same case is refused. */
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

/** Input of a case workflow (v1). Add optional fields only; never change a field's meaning. */
export interface CaseWorkflowInput {
  caseId: string;
  title: string;
  summary?: string;
  track: Track;
  confidentiality: 'public' | 'internal' | 'confidential';
  createdAtMs: number;
  actor: Actor;
  custody?: boolean;
  major?: boolean;
  /** Detention track: the approved 案件移送审批单 number. */
  documentNumber?: string;
  psbUnit?: string;
  /** Deadline policy overrides in force when the case was opened (DEADLINE_POLICY_OVERRIDES). */
  policyOverrides?: Record<string, unknown>;
  /** Continue-as-new once the history holds this many events (default 2,000; tests use a small value). */
  historyLimit?: number;
}

/** The signature callers start a case with (the workflow's own second argument is the state it continues from). */
export type CaseWorkflow = (input: CaseWorkflowInput) => Promise<CaseView>;

/** The body of every step update. */
export interface StepRequest {
  actor: Actor;
  input: Record<string, unknown>;
}

/** The failure type of a refused step; details[0] carries { code: 403|404|409|422, field? }. */
export { STEP_REJECTED } from '../kernel/refusal';

/** Answered once the case row and its first clocks are recorded (used with update-with-start). */
export const registeredUpdate = defineUpdate<CaseView>('registered');
export const stateQuery = defineQuery<CaseView>('state');
/** Sent when an administrator loads a calendar year: open clocks are re-timed. */
export const calendarChangedSignal = defineSignal<[{ year: number }]>('calendarChanged');
/** One Update per step of domain/case (the update's name is the step's name). */
export const stepUpdate = (name: string) => defineUpdate<CaseView, [StepRequest]>(name);
