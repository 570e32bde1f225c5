import { ApplicationFailure } from '@temporalio/workflow';
import { recordRefusal } from '../domain/refusal';

/** A deep copy of plain workflow state (numbers, strings, arrays, objects). */
export const copyOf = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/**
 * Wraps an update's change: when the database refuses its record for its own data (activities/guard.ts), the
 * workflow's state is put back as it was before the change (snapshot() returns the function that restores it) and
 * the update answers the refusal as a 422; later updates and clocks go on. Any other failure is left as it was.
 */
export function restoringOnRefusal<T>(snapshot: () => () => void, change: () => Promise<T>): () => Promise<T> {
  return async () => {
    const restore = snapshot();
    try {
      return await change();
    } catch (err) {
      const refused = recordRefusal(err);
      if (refused) {
        restore();
        throw ApplicationFailure.create({
          type: 'StepRejected',
          message: refused.message,
          nonRetryable: true,
          details: [{ code: 422, field: null }],
        });
      }
      throw err;
    }
  };
}
