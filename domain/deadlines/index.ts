/** The deadline engine: rule table, working-day calendar, period arithmetic, escalation ladder. Pure code. */
export * from './calendar';
export * from './period';
export * from './rules';
export * from './escalation';
export * from './affected';
export * from './rungs';
export {
  type DeadlinePreview,
  type DeadlineInput,
  type ComputedDeadline,
  computeDeadline,
  previewDeadline,
} from './preview';
