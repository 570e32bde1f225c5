/** The messages of trainingWorkflow (workflows/duties/training.ts): side-effect free, for the API too. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DutyActor, DutyUpdateRequest } from './duties';

export interface TrainingSession {
  id: string;
  status: 'planned' | 'held' | 'cancelled';
  titleZh: string;
  date: string;
  /** joint: organised together; otherwise the organising agency alone. */
  organiser: 'joint' | 'eeb' | 'psb' | 'spp';
  format: 'training' | 'exchange' | 'seminar';
  plannedBy: DutyActor;
  attendance?: Record<string, number>;
  materials: { name: string; ref: string }[];
  summary?: string;
}
export interface TrainingView {
  workflowId: string;
  year: string;
  deadline: string;
  status: string;
  sessions: TrainingSession[];
  reminders: string[];
  report?: { held: number; attendance: Record<string, number>; sessions: string[] };
}

export const trainingStateQuery = defineQuery<TrainingView>('state');
export const planTrainingUpdate = defineUpdate<TrainingView, [DutyUpdateRequest]>('planTraining');
export const recordTrainingUpdate = defineUpdate<TrainingView, [DutyUpdateRequest]>('recordTraining');
export const cancelTrainingUpdate = defineUpdate<TrainingView, [DutyUpdateRequest]>('cancelTraining');
export const TRAINING_UPDATES = ['planTraining', 'recordTraining', 'cancelTraining'] as const;
