import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { STEP_REJECTED } from '../workflows/kernel/refusal';
import { HttpError } from './errors';

const CODE_OF = { 403: 'forbidden', 404: 'not_found', 409: 'invalid_transition', 422: 'validation_failed' } as const;

/**
 * An Update refused by a workflow's validator (ApplicationFailure of type StepRejected with details[0] = {code,
 * field}) → HTTP status, stable code, the Chinese reason and the field; anything else → undefined (the caller
 * rethrows). `notFoundCode` names what a 404 means where it is not a missing item (a case's unknown step).
 */
export function refusal(err: unknown, notFoundCode: string = CODE_OF[404]): HttpError | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== STEP_REJECTED) return undefined;
  const d = (cause.details?.[0] ?? {}) as { code?: number; field?: string | null };
  const status = (Number(d.code) in CODE_OF ? Number(d.code) : 409) as keyof typeof CODE_OF;
  const code = status === 404 ? notFoundCode : CODE_OF[status];
  return new HttpError(status, code, cause.message, d.field ? { field: d.field } : undefined);
}
