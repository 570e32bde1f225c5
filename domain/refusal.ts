/**
 * A record PostgreSQL refused for its own data (activities/guard.ts): the activity fails non-retryably with this
 * failure type. Pure (no SDK imports), so workflows recognise it by shape.
 */
export const RECORD_REFUSED = 'RecordRefused';

/** The refusal in an activity's failure (ActivityFailure → cause ApplicationFailure), if it is one. */
export function recordRefusal(err: unknown, depth = 0): { message: string } | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  if ((err as { type?: unknown }).type === RECORD_REFUSED) return { message: String((err as Error).message) };
  return recordRefusal((err as { cause?: unknown }).cause, depth + 1);
}
