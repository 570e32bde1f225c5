import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const acts = proxyActivities<Activities>({
  // Validation and the one writing transaction of a large file take minutes at most.
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** One import job (POST /api/v1/imports), id `import-<jobId>`: the activity validates, then writes all or nothing. */
export async function importWorkflow(input: { jobId: string }) {
  return acts.runImport(input);
}
