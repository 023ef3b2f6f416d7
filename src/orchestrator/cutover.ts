// The cutover: listener first, webhook right after, with nothing in between so the gap stays one
// round trip. If the webhook move fails, both switches go back to the previous colour.
import type { Goal } from "../domain/decide.js";
import { forwardAllTo } from "../domain/traffic.js";
import { type Colour, otherColour } from "../domain/types.js";
import { NotReadyError, RollbackFailedError, RolledBackError } from "../errors.js";
import type { ForwardTarget } from "../ports.js";
import { describeUnmanaged, moveToUnmanaged } from "./adopt.js";
import { startColourContainers, stopColourContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import type { World } from "./observe.js";
import { notReadyForTraffic } from "./ready.js";
import { setWebhookFor } from "./webhook.js";

export interface CutoverTimes {
  listenerMovedAt?: number;
  webhookMovedAt?: number;
  /** Polling: when the old poller had stopped (the handover); a rollback's: when the new one had. */
  handedOverAt?: number;
}

function arns(ctx: Ctx): Record<Colour, string> {
  return { blue: ctx.targetGroups.blue.arn, green: ctx.targetGroups.green.arn };
}

/** Returns the listener's default action as the write's answer states it (ports.ts: setForward). */
export async function moveListener(ctx: Ctx, colour: Colour): Promise<ForwardTarget[]> {
  return ctx.lb.setForward(ctx.listenerArn, forwardAllTo(colour, arns(ctx)));
}

/** Point the listener at `colour` but keep the other colour referenced (weight 0) so the ALB health-checks it. */
export async function referenceColour(
  ctx: Ctx,
  colour: Colour,
  live: Colour | null,
  currentForward: { targetGroupArn: string; weight: number }[],
): Promise<void> {
  const forward = live !== null ? forwardAllTo(live, arns(ctx)) : [...currentForward, { targetGroupArn: ctx.targetGroups[colour].arn, weight: 0 }];
  await ctx.lb.setForward(ctx.listenerArn, forward);
}

/**
 * Returns the listener's default action as the cutover's ModifyListener answered it (the read-back
 * of the move, #17), or undefined when this cutover did not move the listener.
 */
export async function cutover(
  ctx: Ctx,
  goal: Goal,
  step: { moveListener: boolean; moveWebhook: boolean },
  times: CutoverTimes,
): Promise<ForwardTarget[] | undefined> {
  if (goal.mode === "polling") return handover(ctx, goal, step, times);
  let answered: ForwardTarget[] | undefined;
  if (step.moveListener) {
    answered = await moveListener(ctx, goal.colour);
    times.listenerMovedAt = ctx.clock.now();
  }
  if (step.moveWebhook) {
    try {
      await setWebhookFor(ctx, goal.colour);
      times.webhookMovedAt = ctx.clock.now();
    } catch (e) {
      if (step.moveListener) ctx.reporter.step({ step: "cutover", status: "info", message: `listener -> ${goal.colour}`, colour: goal.colour });
      const reason = `setWebhook failed during the cutover: ${e instanceof Error ? e.message : String(e)}`;
      if (goal.from === null && goal.unmanaged !== undefined) {
        const problems = await moveToUnmanaged(ctx, goal.unmanaged, {});
        if (problems.length > 0) throw rollbackFailed(ctx, `${reason}; the rollback to ${describeUnmanaged(goal.unmanaged)} failed too`, problems);
        throw new RolledBackError(
          `${reason}; the listener and the webhook are back on ${describeUnmanaged(goal.unmanaged)}`,
          "fix the cause (see the message) and release again",
        );
      }
      if (goal.from === null)
        throw new RollbackFailedError(
          `${reason}; this was a first release, so there is no previous colour to return to`,
          `fix the cause and run \`bluegreen release ${ctx.settings.environment}\` again`,
        );
      await undoCutover(ctx, goal.from, reason, goal.fromReleaseId);
      throw new RolledBackError(`${reason}; the listener and the webhook are back on ${goal.from}`, "fix the cause (see the message) and release again");
    }
  }
  // Reported after both moves: printing between them would widen the gap.
  if (step.moveListener) ctx.reporter.step({ step: "cutover", status: "info", message: `listener -> ${goal.colour}`, colour: goal.colour });
  if (step.moveWebhook)
    ctx.reporter.step({ step: "cutover", status: "info", message: `webhook -> ${ctx.settings.webhook.urls[goal.colour]}`, colour: goal.colour });
  if (goal.switchFrom === "polling") {
    // setWebhook ended the old pollers' long poll (409) and Telegram now pushes: they stop, kept for a rollback.
    const old = otherColour(goal.colour);
    await stopColourContainers(ctx, old);
    times.handedOverAt = ctx.clock.now();
    ctx.reporter.step({ step: "cutover", status: "info", message: `the ${old} poller is stopped (kept for a rollback)`, colour: goal.colour });
  }
  // The in-flight record stays at phase "cutover" (#17: no AddTags of a "baking" phase here): every
  // decision after a kill (decide, recover, the release's rollback) treats a record past staging
  // alike, and where the switches are now says how far the cutover got.
  return answered;
}

/**
 * A polling cutover: delete a webhook if one is set (pending updates kept: getUpdates hands them
 * out), then stop the old poller gracefully. Telegram keeps every unconfirmed update, so what the
 * old poller took but did not confirm goes to the new one (at least once, never lost).
 */
async function handover(ctx: Ctx, goal: Goal, step: { moveWebhook: boolean }, times: CutoverTimes): Promise<ForwardTarget[] | undefined> {
  if (step.moveWebhook) {
    await deleteWebhookKeepingUpdates(ctx);
    times.webhookMovedAt = ctx.clock.now();
  }
  const old = otherColour(goal.colour);
  await stopColourContainers(ctx, old);
  times.handedOverAt = ctx.clock.now();
  let answered: ForwardTarget[] | undefined;
  // Back from a switch to webhook: the listener returns to the poller's colour, as it was before.
  if (goal.switchFrom === "webhook" && goal.kind === "rollback" && ctx.settings.hasLoadBalancer) {
    answered = await moveListener(ctx, goal.colour);
    times.listenerMovedAt = ctx.clock.now();
  }
  if (step.moveWebhook)
    ctx.reporter.step({ step: "cutover", status: "info", message: "webhook deleted (pending updates kept for getUpdates)", colour: goal.colour });
  ctx.reporter.step({
    step: "cutover",
    status: "info",
    message: `the ${old} poller is stopped (kept for a rollback); ${goal.colour} polls alone`,
    colour: goal.colour,
  });
  return answered;
}

async function deleteWebhookKeepingUpdates(ctx: Ctx): Promise<void> {
  await ctx.telegram.deleteWebhook();
  if (ctx.lastWebhook !== undefined) ctx.lastWebhook = { ...ctx.lastWebhook, url: "" };
}

/**
 * Polling's way back: the `to` poller starts first (no gap), then the other colour stops. Nothing
 * here vouches for the restarted poller: the rollback's converge gates it where it polls, held for
 * gates.settle (decidePolling's `gates` whereTrafficIs), before any outcome is reported.
 */
async function handBack(ctx: Ctx, to: Colour, which: { webhook: boolean }, times: CutoverTimes): Promise<string[]> {
  const problems: string[] = [];
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (which.webhook) await deleteWebhookKeepingUpdates(ctx).catch((e: unknown) => problems.push(`the webhook could not be deleted: ${why(e)}`));
  try {
    await startColourContainers(ctx, to);
  } catch (e) {
    // Never stop the only poller left when the old one did not start.
    problems.push(`the ${to} poller could not be started: ${why(e)}`);
    return problems;
  }
  await stopColourContainers(ctx, otherColour(to));
  times.handedOverAt = ctx.clock.now();
  return problems;
}

/**
 * Refuses (NotReadyError, nothing moved) unless every host runs `releaseId` on `to` and the ALB
 * reports each target healthy now: a tag saying a colour is warm is not proof that it serves.
 */
export async function assertReady(ctx: Ctx, to: Colour, releaseId: string | undefined, reason: string, seen?: World): Promise<void> {
  const problems = await notReadyForTraffic(ctx, to, releaseId, seen).catch((e: unknown) => [
    `its state cannot be read (${e instanceof Error ? e.message : String(e)})`,
  ]);
  if (problems.length === 0) return;
  const env = ctx.settings.environment;
  throw new NotReadyError(
    `${reason}; traffic was NOT moved to ${to}: it does not serve ${releaseId ?? "a release of ours"} right now`,
    problems,
    `run \`bluegreen status ${env}\`; \`bluegreen rollback ${env}\` restarts and gates a stopped previous release, or release a known-good image with \`bluegreen release ${env} --image <tag>\``,
  );
}

/**
 * The one way both switches go back: the colour must be ready (assertReady); then each move that
 * is asked for is tried even when the other one failed, its time recorded, and what failed
 * returned as operator-readable problems.
 */
export async function moveSwitches(
  ctx: Ctx,
  to: Colour,
  which: { listener: boolean; webhook: boolean },
  times: CutoverTimes,
  releaseId?: string,
  seen?: World,
): Promise<string[]> {
  // Polling has no ALB to vouch for a colour: handBack starts the old poller before stopping the
  // other, and the rollback gates it after (see handBack).
  if (ctx.settings.mode === "polling") return handBack(ctx, to, which, times);
  const problems: string[] = [];
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (which.listener || which.webhook) await assertReady(ctx, to, releaseId, `moving traffic back to ${to}`, seen);
  if (which.listener) {
    await moveListener(ctx, to).then(
      () => {
        times.listenerMovedAt = ctx.clock.now();
      },
      (e: unknown) => problems.push(`the listener could not be moved back to ${to}: ${why(e)}`),
    );
  }
  if (which.webhook) {
    await setWebhookFor(ctx, to).then(
      () => {
        times.webhookMovedAt = ctx.clock.now();
      },
      (e: unknown) => problems.push(`the webhook could not be re-set to ${ctx.settings.webhook.urls[to]}: ${why(e)}`),
    );
  }
  return problems;
}

export function rollbackFailed(ctx: Ctx, message: string, problems: string[]): RollbackFailedError {
  const env = ctx.settings.environment;
  return new RollbackFailedError(
    `${message}: ${problems.join("; ")}`,
    `run \`bluegreen status ${env}\`, then \`bluegreen rollback ${env}\` once AWS/Telegram answer; or move the listener and webhook by hand`,
  );
}

/** Both switches back to `to` after a cutover that failed half-way. */
export async function undoCutover(ctx: Ctx, to: Colour, reason: string, releaseId?: string): Promise<void> {
  const problems = await moveSwitches(ctx, to, { listener: true, webhook: true }, {}, releaseId);
  if (problems.length > 0) throw rollbackFailed(ctx, `${reason}; the rollback to ${to} failed too`, problems);
}
