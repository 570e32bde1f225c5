import crypto from 'node:crypto';
import path from 'node:path';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Config } from '../config';
import { ACTOR_CLAIM_HEADER, START_UPDATE_ID, actorOfArgs, type ActorClaim } from '../workflows/actor-claim-types';
import { loadKeyRing, type KeyRing } from './keys';

/**
 * Signed actors: the API signs who acts (user, agency, role) for one workflow and one update, and the workflows
 * accept an update or a start carrying an actor only with a valid signature (workflows/interceptors.ts checks the
 * claim's shape in the validator, the activity verifyActorClaim its HMAC). Anyone who reaches Temporal without the
 * platform's key cannot act as an agency.
 */

/** A claim older than this (or this far in the future) is stale: a captured claim cannot be replayed later. */
export const CLAIM_MAX_AGE_MS = 5 * 60_000;

const signedText = (c: Omit<ActorClaim, 'keyId' | 'sig'>) =>
  [c.userId, c.agency, c.role, c.workflowId, c.updateId, String(c.issuedAt)].join('\n');

export function signActorClaim(ring: KeyRing, c: Omit<ActorClaim, 'keyId' | 'sig'>): ActorClaim {
  const sig = crypto.createHmac('sha256', ring.keys.get(ring.current)!).update(signedText(c)).digest('base64url');
  return { ...c, keyId: ring.current, sig };
}

/** undefined when valid, else why not (Chinese). */
export function actorClaimProblem(ring: KeyRing, c: ActorClaim, nowMs = Date.now()): string | undefined {
  const key = ring.keys.get(c.keyId);
  if (!key) return '操作人签名使用了未知的密钥';
  const want = crypto.createHmac('sha256', key).update(signedText(c)).digest();
  const got = Buffer.from(String(c.sig), 'base64url');
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return '操作人签名无效';
  if (Math.abs(nowMs - Number(c.issuedAt)) > CLAIM_MAX_AGE_MS) return '操作人签名已过期';
  return undefined;
}

export function actorKeyRing(config: Config, embedded = !config.temporal.address): KeyRing {
  return loadKeyRing({
    value: config.keys.actorKeys,
    file: config.keys.actorKeysFile,
    variable: 'ACTOR_KEYS',
    generatedFile: embedded ? path.resolve(config.dataDir, 'actor-keys') : undefined,
  });
}

const claimHeader = (claim: ActorClaim) => ({ [ACTOR_CLAIM_HEADER]: defaultPayloadConverter.toPayload(claim) });

/** The API's client interceptor: every start and update whose first argument names an actor carries its claim. */
export function actorClaimInterceptor(ring: KeyRing): WorkflowClientInterceptor {
  const claimFor = (args: unknown[], workflowId: string, updateId: string) => {
    const actor = actorOfArgs(args);
    return actor
      ? claimHeader(
          signActorClaim(ring, {
            userId: actor.userId,
            agency: actor.agency,
            role: actor.role,
            workflowId,
            updateId,
            issuedAt: Date.now(),
          }),
        )
      : {};
  };
  return {
    async startWithDetails(input, next) {
      return next({
        ...input,
        headers: { ...input.headers, ...claimFor(input.options.args ?? [], input.options.workflowId, START_UPDATE_ID) },
      });
    },
    async startUpdate(input, next) {
      const updateId = input.options.updateId ?? crypto.randomUUID();
      return next({
        ...input,
        options: { ...input.options, updateId },
        headers: { ...input.headers, ...claimFor(input.args, input.workflowExecution.workflowId, updateId) },
      });
    },
    async startUpdateWithStart(input, next) {
      const workflowId = input.workflowStartOptions.workflowId;
      const updateId = input.updateOptions.updateId ?? crypto.randomUUID();
      return next({
        ...input,
        workflowStartHeaders: {
          ...input.workflowStartHeaders,
          ...claimFor(input.workflowStartOptions.args ?? [], workflowId, START_UPDATE_ID),
        },
        updateOptions: { ...input.updateOptions, updateId },
        updateHeaders: { ...input.updateHeaders, ...claimFor(input.updateArgs, workflowId, updateId) },
      });
    },
  };
}
