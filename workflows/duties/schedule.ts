import { ParentClosePolicy, WorkflowIdReusePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import {
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
  defineSearchAttributeKey,
} from '@temporalio/common';
import { recurringPeriodOf, type Cadence, type DutyId } from '../../domain/deadlines';
import { briefingWorkflow } from './briefing';
import { chinaDate } from './common';
import { dutyWorkflowId, type DutyPeriodInput, type DutySettings } from '../definitions/duties';
import { jointEnforcementWorkflow } from './joint-enforcement';
import { jointMeetingWorkflow } from './joint-meeting';
import { supervisionSweepWorkflow } from './supervision-sweep';
import { trainingWorkflow } from './training';

/** What a duty's Temporal Schedule passes on each run (v1; add optional fields only). */
export interface DutyScheduleInput {
  dutyId: DutyId;
  cadence: Cadence;
  /** The cadence configuration asked for: start-up resets a cadence changed through the API only when this changes. */
  configuredCadence: Cadence;
  settings?: DutySettings;
}

export interface DutyScheduleResult {
  workflowId: string;
  periodKey: string;
  started: boolean;
}

/** Set by the server on runs started by a Schedule (also "trigger now"): the instant the run was due. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Duties whose period is a report on the period just ended (the rest start the period that begins). */
const LOOKS_BACK: readonly DutyId[] = ['info-briefing.periodic'];

export const PERIOD_WORKFLOWS = {
  'joint-enforcement.monthly': jointEnforcementWorkflow,
  'training.annual': trainingWorkflow,
  'joint-meeting.periodic': jointMeetingWorkflow,
  'info-briefing.periodic': briefingWorkflow,
  'spp.transfer-supervision-sweep': supervisionSweepWorkflow,
} as const;
export type ScheduledDutyId = keyof typeof PERIOD_WORKFLOWS;

/**
 * The action of every duty Schedule: works out the period from the scheduled instant (China time) and starts that
 * period's workflow under a deterministic id (duty-<duty>-<period>). A second run for the same period (a duplicate
 * trigger, a catch-up) finds the id taken, running or closed (REJECT_DUPLICATE), and starts nothing.
 */
export async function dutyScheduleWorkflow(input: DutyScheduleInput): Promise<DutyScheduleResult> {
  const scheduled = workflowInfo().typedSearchAttributes.get(ScheduledStartTime);
  const atMs = scheduled ? scheduled.getTime() : Date.now();
  let period = recurringPeriodOf(input.cadence, chinaDate(atMs));
  if (LOOKS_BACK.includes(input.dutyId)) period = recurringPeriodOf(input.cadence, chinaDate(period.startAtMs - 1));
  const workflowId = dutyWorkflowId(input.dutyId, period.key);
  const fn = PERIOD_WORKFLOWS[input.dutyId as ScheduledDutyId];
  const args: DutyPeriodInput = { dutyId: input.dutyId, cadence: input.cadence, period, settings: input.settings };
  try {
    await startChild(fn as typeof jointEnforcementWorkflow, {
      workflowId,
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { workflowId, periodKey: period.key, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, periodKey: period.key, started: false };
    throw err;
  }
}
