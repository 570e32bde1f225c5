import { actorClaimProblem } from '../infra/actor-claims';
import type { KeyRing } from '../infra/keys';
import type { ActorClaim } from '../workflows/actor-claim-types';

/** The HMAC and age check of an actor claim (workflows/interceptors.ts): undefined when valid, else why not. */
export function createActorClaimActivities(deps: { actorKeys?: KeyRing }) {
  return {
    async verifyActorClaim(claim: ActorClaim): Promise<string | undefined> {
      if (!deps.actorKeys) return '平台未配置操作人签名密钥（ACTOR_KEYS）';
      return actorClaimProblem(deps.actorKeys, claim);
    },
  };
}
