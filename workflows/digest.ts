import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DailyDigestResult } from '../activities/digest';
import type { DailyDigestWorkflowInput } from './definitions/digest';
import { chinaDayOfInstant, dayToYmd } from '../domain/deadlines/calendar';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

/** Set by the server on runs started by a Schedule: the instant the run was due. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The daily warning digest (Schedule `notification-digest-daily`, 08:30 China time by default): one activity that
 * collects each digest user's held warnings into one mail per user and day and sends it, exactly once even when the
 * activity is retried (activities/digest.ts).
 */
export async function dailyDigestWorkflow(
  input: DailyDigestWorkflowInput = {},
): Promise<DailyDigestResult & { day: string }> {
  const scheduled = workflowInfo().typedSearchAttributes.get(ScheduledStartTime);
  const day = input.day ?? dayToYmd(chinaDayOfInstant(scheduled ? scheduled.getTime() : Date.now()));
  const result = await acts.sendDailyDigests({ day, publicUrl: input.publicUrl });
  return { ...result, day };
}
