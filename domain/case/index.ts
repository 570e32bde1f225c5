/** The case lifecycle model (issue 4): types, the step table and the state machine. Pure; safe in workflows. */
export * from './types';
export * from './steps';
export * from './machine';
export { FIELD_LABELS, fieldLabel, zodErrorZh } from './messages';
export * from './projections';
export * from './notices';
