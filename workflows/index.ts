// Everything the worker bundles. Workflows only: no activities, no Node built-ins (enforced by lint).
export { caseWorkflow } from './case';
