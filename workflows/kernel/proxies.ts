import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Records (rows, events, outbox) and reads of the database: short, idempotent on the ids the workflow chose. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * The same records as local activities: they run in the worker inside the workflow task, so an update answers after
 * one workflow task instead of three plus two activity tasks. Only for idempotent calls (a rerun of the task after a
 * crash writes nothing twice); past localRetryThreshold the SDK backs off with timers.
 */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Mail of the outbox: the mail server may refuse for a while, so it retries longer and never gives up. */
export const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});
