/**
 * The bench's workflow entry: every production workflow, plus the empty workflow that is the intake benchmark's
 * reference. Kept out of workflows/index.ts so the production bundle does not ship it.
 */
export * from '../workflows';

/** The reference for the intake benchmark: a workflow that does nothing, started bare with client.workflow.start. */
export async function benchEmptyWorkflow(): Promise<void> {
  // Intentionally empty.
}
