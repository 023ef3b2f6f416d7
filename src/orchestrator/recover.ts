// Undoing: after a failed bake, a failed cutover, or a run that died halfway. The previous colour
// is still warm, so both switches move first (no extra calls in between), then the tags catch up.
import type { Goal } from "../domain/decide.js";
import { IN_FLIGHT_KEYS } from "../domain/tags.js";
import { isForwardAllTo, readListener } from "../domain/traffic.js";
import { type Colour, otherColour } from "../domain/types.js";
import { RollbackFailedError } from "../errors.js";
import { describeUnmanaged, forgetReleases, moveToUnmanaged } from "./adopt.js";
import { stopColourContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import { type CutoverTimes, moveSwitches, rollbackFailed } from "./cutover.js";
import { colourArns, type World } from "./observe.js";
import { converge, newRunState } from "./run.js";

/** Move both switches to `to`, skipping one already there (a second setWebhook would only meet the 1/s limit). */
export async function moveBack(ctx: Ctx, world: World, to: Colour, reason: string, times: CutoverTimes): Promise<void> {
  // Polling: "webhook" means a webhook to delete (getUpdates fails while one is set).
  const webhookThere =
    ctx.settings.mode === "polling" ? world.webhook.url === "" : world.webhook.url === ctx.settings.webhook.urls[to] && world.traffic.webhookSettingsMatch;
  const problems = await moveSwitches(ctx, to, { listener: !isForwardAllTo(world.traffic, to), webhook: !webhookThere }, times);
  if (problems.length > 0) throw rollbackFailed(ctx, `${reason}; rolling back to ${to} failed`, problems);
}

/** Both switches to `to` at once, no reads first (the automatic rollback's fast path); rollBackTo retries what failed. */
export async function undoCutoverTimed(ctx: Ctx, to: Colour, times: CutoverTimes): Promise<void> {
  // One URL for both colours: the webhook never moved (a canary splits at the ALB), so it stays.
  const urls = ctx.settings.webhook.urls;
  await moveSwitches(ctx, to, { listener: true, webhook: urls.blue !== urls.green }, times);
}

/** Stop (not remove) a colour's containers: kept for `docker logs`, restartable by a rollback. */
export async function stopColour(ctx: Ctx, colour: Colour): Promise<void> {
  await stopColourContainers(ctx, colour);
}

export async function clearInFlight(ctx: Ctx): Promise<void> {
  await ctx.lb.removeTags(ctx.listenerArn, [...IN_FLIGHT_KEYS]);
}

/** Put the live release recorded in the tags back on both switches, and finish its bookkeeping. */
export async function rollBackTo(ctx: Ctx, world: World, failed: Colour, reason: string): Promise<CutoverTimes> {
  const prev = world.tags.live;
  const unmanaged = world.tags.unmanaged;
  if (prev === null && unmanaged !== null) {
    // A first release that adopted what served before bluegreen: return to it, and forget the attempt.
    const times: CutoverTimes = {};
    const problems = await moveToUnmanaged(ctx, unmanaged, times, world);
    if (problems.length > 0) throw rollbackFailed(ctx, `${reason}; rolling back to ${describeUnmanaged(unmanaged)} failed`, problems);
    await forgetReleases(ctx).catch((e: unknown) => {
      throw new RollbackFailedError(
        `${reason}; traffic is back on ${describeUnmanaged(unmanaged)} but its tags could not be cleared: ${e instanceof Error ? e.message : String(e)}`,
        `run \`bluegreen status ${ctx.settings.environment}\``,
      );
    });
    await stopColour(ctx, failed).catch(() => undefined);
    return times;
  }
  if (prev === null || prev.colour === failed) {
    throw new RollbackFailedError(`${reason}; there is no previous release to return to (first release)`, `fix the bot and run \`bluegreen release ${ctx.settings.environment} --image ...\` again`);
  }
  const times: CutoverTimes = {};
  await moveBack(ctx, world, prev.colour, reason, times);
  const back: Goal = { kind: "rollback", colour: prev.colour, releaseId: prev.releaseId, image: prev.image, from: failed, urgent: true, ...modeOf(ctx) };
  await converge(ctx, back, newRunState(world.webhook, 0)).catch((e: unknown) => {
    throw new RollbackFailedError(`${reason}; traffic is back on ${prev.colour} but its bookkeeping failed: ${e instanceof Error ? e.message : String(e)}`, `run \`bluegreen status ${ctx.settings.environment}\``);
  });
  await stopColour(ctx, failed).catch(() => undefined);
  return times;
}

/** A run died with a release in flight: undo it (the previous colour is still warm). */
export async function recoverInterrupted(ctx: Ctx, world: World): Promise<string | null> {
  const f = world.tags.inFlight;
  if (f === null) return null;
  const note = `found an interrupted ${f.kind} ${f.releaseId} (${f.phase}) to ${f.colour}`;
  // Undoing moves both switches to what the tags record. If the listener meanwhile forwards to a group
  // neither the recorded release nor the interrupted one uses, someone changed it by hand: moving
  // traffic off it could take down what serves now, so a human decides.
  const known = new Set([ctx.targetGroups[f.colour].arn, ...(world.tags.live !== null ? [ctx.targetGroups[world.tags.live.colour].arn] : []), ...(world.tags.unmanaged !== null ? [world.tags.unmanaged.targetGroupArn] : [])]);
  const strange = readListener(world.listener.forward, colourArns(ctx)).receiving.filter((arn) => !known.has(arn));
  if (strange.length > 0) {
    throw new RollbackFailedError(
      `${note}, but the listener now forwards to ${strange.join(", ")}, which neither the recorded live release nor the interrupted one uses; not undoing it automatically`,
      `run \`bluegreen status ${ctx.settings.environment}\`; put the listener back where the tags say, or remove the bluegreen:inflight-* tags once the state is what you want`,
    );
  }
  ctx.reporter.step({ step: "recover", status: "info", message: `${note}: undoing it` });
  if (f.kind === "rollback" && world.tags.live !== null) {
    // A rollback that died: finish it, it was the operator's intent.
    await moveBack(ctx, world, f.colour, note, {});
    await converge(
      ctx,
      { kind: "rollback", colour: f.colour, releaseId: f.releaseId, image: f.image, from: otherColour(f.colour), urgent: true, ...modeOf(ctx) },
      newRunState(world.webhook, 0),
    );
    return `${note}: finished it`;
  }
  if (f.from === null && world.tags.live === null && world.tags.unmanaged !== null && f.kind === "release") {
    await rollBackTo(ctx, world, f.colour, note);
    return `${note}: undone, ${describeUnmanaged(world.tags.unmanaged)} is live`;
  }
  if (f.from === null || world.tags.live === null) {
    await clearInFlight(ctx);
    return `${note}: cleared it (first release, nothing to return to)`;
  }
  await rollBackTo(ctx, world, f.colour, note);
  return `${note}: undone, ${f.from} is live`;
}

/** A goal's mode is the environment's: pollers are released and rolled back as pollers. */
export function modeOf(ctx: Ctx): { mode?: "polling" } {
  return ctx.settings.mode === "polling" ? { mode: "polling" } : {};
}
