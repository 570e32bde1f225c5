import type { Request } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { STEP_REJECTED } from '../workflows/kernel/refusal';
import { HttpError } from './errors';

/**
 * An Update refused by a workflow's validator (ApplicationFailure of type StepRejected with {code, field}) → HTTP
 * status and the Chinese reason; anything else → undefined (the caller rethrows). Shared by the duty, release and
 * supervision routes; case steps keep their own mapping (404 there is unknown_step).
 */
export function updateFailure(err: unknown): HttpError | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === STEP_REJECTED) {
    const d = (cause.details?.[0] ?? {}) as { code?: number; field?: string | null };
    const status = [403, 404, 409, 422].includes(Number(d.code)) ? Number(d.code) : 409;
    const code = { 403: 'forbidden', 404: 'not_found', 409: 'invalid_transition', 422: 'validation_failed' }[status]!;
    return new HttpError(status, code, cause.message, d.field ? { field: d.field } : undefined);
  }
  return undefined;
}

/** The request's Idempotency-Key header, refused with 422 when it is not 1–200 of [A-Za-z0-9_.:-]. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key') ?? undefined;
  if (key !== undefined && !/^[\w.:-]{1,200}$/.test(key))
    throw new HttpError(422, 'validation_failed', 'Idempotency-Key 只能包含字母、数字和 _.:-，长度 1–200');
  return key;
}
