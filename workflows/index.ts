// Everything the worker bundles. Workflows only: no activities, no Node built-ins (enforced by lint).
export { caseWorkflow } from './case';
export { jointEnforcementWorkflow } from './duties/joint-enforcement';
export { trainingWorkflow } from './duties/training';
export { jointMeetingWorkflow } from './duties/joint-meeting';
export { briefingWorkflow } from './duties/briefing';
export { dutyScheduleWorkflow } from './duties/schedule';
export { platformEntryWorkflow } from './information';
export { importWorkflow } from './imports';
export { dailyDigestWorkflow } from './digest';
export { jointReleaseWorkflow } from './releases';
export { reportWorkflow } from './reports';
export { supervisionItemWorkflow } from './supervision';
export { supervisionSweepWorkflow } from './duties/supervision-sweep';
export { calendarFanOutWorkflow } from './calendar-fanout';
