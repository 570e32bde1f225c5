import crypto from 'node:crypto';
import type { Request } from 'express';
import { HttpError } from './errors';

const KEY = /^[\w.:-]{1,200}$/;

const digest = (userId: string, key: string, scope?: string) =>
  crypto
    .createHash('sha256')
    .update(`${userId}\u0000${scope ? `${scope}:` : ''}${key}`)
    .digest('hex');

/** The UUID-shaped (version 5 layout) id a user's key derives; random without a key. */
export function keyedUuid(userId: string, key: string | undefined, scope?: string): string {
  if (key === undefined) return crypto.randomUUID();
  const h = digest(userId, key, scope);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The request's Idempotency-Key and what is derived from it. A repeated request derives the same update id (Temporal
 * applies an update id once and answers the repeat with the first result) or the same entity id (whose workflow is
 * started with USE_EXISTING, or whose row already exists). Ids are per user: two users' keys never meet. Without a
 * key every request is new. A malformed key is refused with 422 before anything happens.
 */
export function idempotencyOf(req: Request, userId: string) {
  const key = req.get('idempotency-key') ?? undefined;
  if (key !== undefined && !KEY.test(key))
    throw new HttpError(422, 'validation_failed', 'Idempotency-Key 只能包含字母、数字和 _.:-，长度 1–200');
  return {
    key,
    /** The Temporal update id; `scope` (the update's name) lets one key serve several kinds of update. */
    updateId: (scope?: string) => (key === undefined ? undefined : [userId, scope, key].filter(Boolean).join(':')),
    /** A UUID-shaped entity id. */
    uuid: (scope?: string) => keyedUuid(userId, key, scope),
    /** A hex entity id of `length` characters (at most 64). */
    hex: (length: number, scope?: string) =>
      (key === undefined ? crypto.randomBytes(32).toString('hex') : digest(userId, key, scope)).slice(0, length),
  };
}
