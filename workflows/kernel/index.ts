/** What every workflow is built from: the lock, the ladder, the refusal, the activity options, record-and-deliver. */
export { Lock } from './lock';
export { Ladder, sleepUntil, type LadderSpec, type Rung } from './ladder';
export { Outbox } from './outbox';
export { delivery, local, records } from './proxies';
export {
  STEP_REJECTED,
  copyOf,
  restoringOnRefusal,
  stepRejected,
  type StepRejectedCode,
  type StepRejectedDetails,
} from './refusal';
