/** The reference for the intake benchmark: a workflow that does nothing, started bare with client.workflow.start. */
export async function benchEmptyWorkflow(): Promise<void> {
  // Intentionally empty.
}
