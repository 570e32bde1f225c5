import {
  defaultPayloadConverter,
  proxyLocalActivities,
  workflowInfo,
  type Next,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTOR_CLAIM_HEADER, START_UPDATE_ID, actorOfArgs, type ActorClaim } from './actor-claim-types';
import { stepRejected } from './kernel/refusal';

/**
 * Every start and update that acts as someone carries the API's signed claim for that actor (infra/actor-claims.ts):
 * the validator refuses a missing claim or one for another actor, workflow or update before anything is recorded;
 * the handler has its signature and age checked by a local activity (HMAC needs node:crypto, which workflow code
 * has not) before the workflow's own handler runs. Updates without an actor (`registered`) only read.
 */

const local = proxyLocalActivities<Pick<Activities, 'verifyActorClaim'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

const refused = (messageZh: string) => stepRejected(403, messageZh);

function claimOf(headers: UpdateInput['headers']): ActorClaim | undefined {
  const p = headers[ACTOR_CLAIM_HEADER];
  if (!p) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<ActorClaim>(p);
  } catch {
    return undefined;
  }
}

/** The claim's shape: present, for this actor, this workflow and this update. */
function shapeProblem(claim: ActorClaim | undefined, args: readonly unknown[], updateId: string): string | undefined {
  const actor = actorOfArgs(args);
  if (!actor) return undefined;
  if (!claim) return '缺少平台签发的操作人签名：只能通过平台办理';
  if (claim.userId !== actor.userId || claim.agency !== actor.agency || claim.role !== actor.role)
    return '操作人签名与操作人不符';
  if (claim.workflowId !== workflowInfo().workflowId || claim.updateId !== updateId) return '操作人签名不属于本次操作';
  return undefined;
}

async function verify(claim: ActorClaim | undefined): Promise<void> {
  if (!claim) return;
  const problem = await local.verifyActorClaim(claim);
  if (problem) throw refused(problem);
}

/** The start's check, per workflow: activities and children wait for it (and fail with it). */
interface StartGate {
  check?: Promise<void>;
}

class SignedActorsInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly gate: StartGate) {}

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const problem = shapeProblem(claimOf(input.headers), input.args, input.updateId);
    if (problem) throw refused(problem);
    next(input);
  }

  // Not async when there is nothing to check: an extra await would move the handler's commands (replay).
  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    if (!actorOfArgs(input.args)) return next(input);
    // The validator does not run on replay or for updates accepted without one; the shape is checked here too.
    const claim = claimOf(input.headers);
    const problem = shapeProblem(claim, input.args, input.updateId);
    if (problem) return Promise.reject(refused(problem));
    return verify(claim).then(() => next(input));
  }

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = workflowInfo();
    // Children and continued runs are started by the workflows themselves, not by a caller.
    if (info.parent || info.continuedFromExecutionRunId || !actorOfArgs(input.args)) return next(input);
    const claim = claimOf(input.headers);
    const problem = shapeProblem(claim, input.args, START_UPDATE_ID);
    const check = problem ? Promise.reject(refused(problem)) : verify(claim);
    this.gate.check = check;
    // The workflow starts at once: its update handlers must exist in the first activation (update-with-start).
    // Whatever it does outside itself waits for the check (outbound below); a refused start fails the workflow.
    const never = new Promise<never>(() => undefined);
    return Promise.race([next(input), check.then(() => never)]);
  }
}

/** Activities and child workflows of a start under check wait for it; the check itself goes through. */
class StartGateOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly gate: StartGate) {}

  private after<T>(run: () => Promise<T>): Promise<T> {
    return this.gate.check ? this.gate.check.then(run) : run();
  }

  scheduleActivity: WorkflowOutboundCallsInterceptor['scheduleActivity'] = (input, next) =>
    this.after(() => next(input));
  scheduleLocalActivity: WorkflowOutboundCallsInterceptor['scheduleLocalActivity'] = (input, next) =>
    input.activityType === 'verifyActorClaim' ? next(input) : this.after(() => next(input));
  startChildWorkflowExecution: WorkflowOutboundCallsInterceptor['startChildWorkflowExecution'] = (input, next) =>
    this.after(() => next(input));
}

export const interceptors = (): WorkflowInterceptors => {
  const gate: StartGate = {};
  return { inbound: [new SignedActorsInbound(gate)], outbound: [new StartGateOutbound(gate)] };
};
