/** What the API signs for an actor (infra/actor-claims.ts) and the workflows check (workflows/interceptors.ts). */
export interface ActorClaim {
  userId: string;
  agency: string;
  role: string;
  workflowId: string;
  /** The update's id; for a workflow start: START_UPDATE_ID. */
  updateId: string;
  issuedAt: number;
  keyId: string;
  sig: string;
}

export const ACTOR_CLAIM_HEADER = 'linkage-actor-claim';
export const START_UPDATE_ID = '(start)';

export interface ClaimedActor {
  userId: string;
  agency: string;
  role: string;
}

/** The actor a start or update acts as: `actor` of its first argument (case steps, duties…) or `drafter` (releases). */
export function actorOfArgs(args: readonly unknown[]): ClaimedActor | undefined {
  const first = args[0] as { actor?: ClaimedActor; drafter?: ClaimedActor } | undefined;
  const a = first && typeof first === 'object' ? (first.actor ?? first.drafter) : undefined;
  return a && typeof a === 'object' ? a : undefined;
}
