import { ApplicationFailure } from '@temporalio/workflow';
import { recordRefusal } from '../../domain/refusal';

/** The failure type of a refused update (or start); the API maps details[0] to the HTTP answer. */
export const STEP_REJECTED = 'StepRejected';

/** 403 not this actor's to do, 404 no such thing, 409 not in this state, 422 invalid input or refused record. */
export type StepRejectedCode = 403 | 404 | 409 | 422;

/** details[0] of a StepRejected failure. */
export interface StepRejectedDetails {
  code: StepRejectedCode;
  field: string | null;
}

/** The one refusal: the Chinese reason, the code and, for invalid input, the field it names. */
export function stepRejected(code: StepRejectedCode, messageZh: string, field?: string | null): ApplicationFailure {
  const details: StepRejectedDetails = { code, field: field ?? null };
  return ApplicationFailure.create({ type: STEP_REJECTED, message: messageZh, nonRetryable: true, details: [details] });
}

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
        throw stepRejected(422, refused.message);
      }
      throw err;
    }
  };
}
