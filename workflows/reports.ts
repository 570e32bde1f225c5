import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const acts = proxyActivities<Activities>({
  // 100,000 cases take seconds; a loaded machine or a large period may take longer.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 5 },
});
const quick = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10 } });

/**
 * One report (id `report-<reportId>`), started by POST /api/v1/reports or by the briefing workflow: the activity
 * computes and renders every requested format and stores the files; after its retries a failure is recorded on the
 * report (status `failed` with the Chinese reason) and the workflow ends.
 */
export async function reportWorkflow(input: {
  reportId: string;
}): Promise<{ reportId: string; status: 'done' | 'failed' }> {
  try {
    await acts.generateReport(input);
    return { reportId: input.reportId, status: 'done' };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const reason = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
    await quick.markReportFailed({ reportId: input.reportId, messageZh: `报表生成失败：${reason}` });
    return { reportId: input.reportId, status: 'failed' };
  }
}
