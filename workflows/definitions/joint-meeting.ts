/** The messages of jointMeetingWorkflow (workflows/duties/joint-meeting.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { MeetingAgenda } from '../../activities/duty-types';
import type { DutyActor, DutyUpdateRequest } from './duties';

export interface Resolution {
  id: string;
  titleZh: string;
  ownerAgency: string;
  dueDate: string;
  dueAtMs: number;
  warningAtMs: number | null;
  overdueAtMs: number;
  escalationAtMs: number | null;
  status: 'open' | 'done';
  level: 'none' | 'warning' | 'overdue' | 'escalated';
  note?: string;
}
export interface MeetingView {
  workflowId: string;
  periodKey: string;
  labelZh: string;
  adHoc: boolean;
  status: string;
  scheduled?: { date: string; place?: string };
  agenda?: MeetingAgenda;
  extraAgenda: string[];
  minutes?: { heldOn: string; attendees: Record<string, string[]>; summary: string; recordedBy: DutyActor };
  resolutions: Resolution[];
}

export const meetingStateQuery = defineQuery<MeetingView>('state');
export const scheduleMeetingUpdate = defineUpdate<MeetingView, [DutyUpdateRequest]>('scheduleMeeting');
export const addAgendaItemUpdate = defineUpdate<MeetingView, [DutyUpdateRequest]>('addAgendaItem');
export const recordMinutesUpdate = defineUpdate<MeetingView, [DutyUpdateRequest]>('recordMinutes');
export const completeResolutionUpdate = defineUpdate<MeetingView, [DutyUpdateRequest]>('completeResolution');
export const JOINT_MEETING_UPDATES = [
  'scheduleMeeting',
  'addAgendaItem',
  'recordMinutes',
  'completeResolution',
] as const;
