// Undoing: after a failed bake, a failed cutover, or a run that died halfway. The previous colour
// is still warm, so both switches move first (no extra calls in between), then the tags catch up.
import type { Goal } from "../domain/decide.js";
import { colourMode, type Mode } from "../domain/switch.js";
import { IN_FLIGHT_KEYS } from "../domain/tags.js";
import { isForwardAllTo, listenerSendsTo } from "../domain/traffic.js";
import { type Colour, type InFlight, otherColour, pollsAlone } from "../domain/types.js";
import { CancelledError, NotReadyError, PreflightError, RollbackFailedError } from "../errors.js";
import { describeUnmanaged, forgetReleases, moveToUnmanaged } from "./adopt.js";
import { stopColourContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import { type CutoverTimes, moveSwitches, rollbackFailed } from "./cutover.js";
import { liveColours, observe, readWorldListener, type World } from "./observe.js";
import { type Moved, refreshAfterMoveBack } from "./rollback-refresh.js";
import { converge, newRunState } from "./run.js";
import { restartMarkRemedy } from "./switched-record.js";
import { trustedImage } from "./tag-trust.js";
import { verifyWebhook, type WebhookTarget } from "./verify-webhook.js";

/**
 * Move both switches to `to` (which must run `releaseId` healthy now), skipping one already there (a
 * second setWebhook would only meet the 1/s limit). Returns which switches it moved.
 */
export async function moveBack(ctx: Ctx, world: World, to: Colour, releaseId: string, reason: string, times: CutoverTimes): Promise<Moved> {
  // Polling: "webhook" means a webhook to delete (getUpdates fails while one is set).
  const webhookThere =
    ctx.settings.mode === "polling" ? world.webhook.url === "" : world.webhook.url === ctx.settings.webhook.urls[to] && world.traffic.webhookSettingsMatch;
  const moved: Moved = { listener: !isForwardAllTo(world.traffic, to), webhook: !webhookThere };
  const problems = await moveSwitches(ctx, to, moved, times, releaseId, world);
  if (problems.length > 0) throw rollbackFailed(ctx, `${reason}; rolling back to ${to} failed`, problems);
  // Each switch moved is shown as a release's cutover shows it (review-s9 F17: a warm rollback
  // printed only its finalize). A note, not a step: the call ledger's steps stay as they were.
  if (ctx.settings.mode !== "polling") {
    if (moved.listener) ctx.reporter.step({ step: "rollback", status: "info", message: `listener -> ${to}`, colour: to });
    if (moved.webhook) ctx.reporter.step({ step: "rollback", status: "info", message: `webhook -> ${ctx.settings.webhook.urls[to]}`, colour: to });
  }
  return moved;
}

/** Both switches to `to` at once after one readiness read (the automatic rollback's fast path); rollBackTo retries what failed. */
export async function undoCutoverTimed(ctx: Ctx, to: Colour, releaseId: string | undefined, times: CutoverTimes): Promise<void> {
  // One URL for both colours: the webhook never moved (a canary splits at the ALB), so it stays.
  const urls = ctx.settings.webhook.urls;
  await moveSwitches(ctx, to, { listener: true, webhook: urls.blue !== urls.green }, times, releaseId).catch((e: unknown) => {
    // Not warm after all: rollBackTo takes the cold, gated path.
    if (!(e instanceof NotReadyError)) throw e;
  });
}

/** Stop (not remove) a colour's containers: kept for `docker logs`, restartable by a rollback. */
export async function stopColour(ctx: Ctx, colour: Colour, opts: { unlessExited?: boolean } = {}): Promise<void> {
  await stopColourContainers(ctx, colour, opts);
}

/**
 * Stop a colour, then read the webhook back: a bot may delete or move it on SIGTERM. `t` is where it
 * must be; `settle` watches it for gates.settle even when it looked right (a restore happened earlier).
 * `unlessExited`: the colour was stopped earlier in this run; each host's inspect reads it back and
 * only a container not seen exited is stopped (again).
 */
export async function stopColourVerified(ctx: Ctx, colour: Colour, t: WebhookTarget, opts: { settle?: boolean; unlessExited?: boolean } = {}): Promise<void> {
  const { settle, unlessExited } = opts;
  await stopColour(ctx, colour, unlessExited === true ? { unlessExited } : {}).catch(() => undefined);
  await verifyWebhook(ctx, t, `stopping the ${colour} containers`, settle !== undefined ? { settle } : {});
}

export async function clearInFlight(ctx: Ctx): Promise<void> {
  await ctx.lb.removeTags(ctx.listenerArn, [...IN_FLIGHT_KEYS]);
}

/**
 * Put the live release recorded in the tags back on both switches, and finish its bookkeeping. A
 * warm colour takes traffic at once; one that is not serving right now (stopped, gone, unhealthy)
 * is restarted or staged again and must pass the gates before anything moves to it.
 */
export async function rollBackTo(
  ctx: Ctx,
  world: World,
  failed: Colour,
  reason: string,
  /**
   * `handedBack`: the caller's fast path (undoCutoverTimed, polling) already ran handBack in full,
   * started the previous poller on every host and stopped the failed one; `world` was observed after it.
   */
  opts: { handedBack?: boolean } = {},
): Promise<CutoverTimes> {
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
    // Read the webhook back after the stop (a bot's shutdown hook may move it): the outcome is
    // reported only once it is on the unmanaged URL with the configured settings.
    await stopColourVerified(ctx, failed, { unmanaged });
    return times;
  }
  if (prev === null || prev.colour === failed) {
    throw new RollbackFailedError(
      `${reason}; there is no previous release to return to (first release)`,
      `fix the bot and run \`bluegreen release ${ctx.settings.environment} --image ...\` again`,
    );
  }
  const times: CutoverTimes = {};
  if (crossesSwitch(ctx, world, prev.colour)) {
    // Back across a mode switch: the old colour is started again (cold: a poller, or a webhook
    // colour stopped at the handover), gated, then its own cutover ends the failed mode.
    const back: Goal = {
      kind: "rollback",
      colour: prev.colour,
      releaseId: prev.releaseId,
      image: await trustedImage(ctx, world, prev, "live"),
      from: failed,
      ...modeAt(ctx, world, prev.colour),
    };
    const state = newRunState(world.webhook, 0);
    await converge(ctx, back, state).catch((e: unknown) => {
      throw new RollbackFailedError(
        `${reason}; the previous release ${prev.releaseId} (${back.mode ?? "webhook"} mode) could not be brought back on ${prev.colour}: ${e instanceof Error ? e.message : String(e)}`,
        `run \`bluegreen status ${ctx.settings.environment}\`, then \`bluegreen rollback ${ctx.settings.environment}\` again`,
      );
    });
    // Read back last, after every stop: the webhook set again, or deleted for the poller.
    await verifyWebhook(ctx, { colour: prev.colour, mode: back.mode ?? "webhook" }, `the rollback to ${prev.colour}`);
    return state.times;
  }
  let urgent = true;
  // Polling, handed back by the fast path, its stop and webhook delete seen done: handBack again would
  // only `docker start` each poller a second time (a crash on start would then be started a third
  // time by converge). The pollers it started are converge's to check: one not running now did
  // not survive that start (failedStart), and the rest pass the gates, held for gates.settle.
  const alreadyBack = opts.handedBack === true && ctx.settings.mode === "polling" && handBackSeen(world, prev.colour, failed);
  const moved = alreadyBack
    ? null
    : await moveBack(ctx, world, prev.colour, prev.releaseId, reason, times).catch((e: unknown) => {
        if (!(e instanceof NotReadyError)) throw e;
        // Restart and gate the previous colour only to take traffic off the failed one; when no switch
        // points at it, there is nothing to move and nothing may be stopped: a human looks (exit 3).
        if (!trafficTouches(ctx, world, failed)) throw e;
        ctx.reporter.step({
          step: "rollback",
          status: "info",
          message: `${prev.colour} is not warm (${e.problems.join("; ")}): restarting it and gating it before traffic moves`,
        });
        urgent = false;
        return null;
      });
  // Cold: the previous release is run again, so its image must be one the hosts vouch for.
  const image = urgent ? prev.image : await trustedImage(ctx, world, prev, "live");
  const back: Goal = { kind: "rollback", colour: prev.colour, releaseId: prev.releaseId, image, from: failed, urgent, ...modeOf(ctx) };
  // Warm: the bookkeeping is decided on the world the caller just observed plus what the move
  // wrote, the containers read again (#17, rollback-refresh.ts); cold: from a whole observe.
  const afterMove = alreadyBack ? world : moved !== null ? await observe(ctx, world, refreshAfterMoveBack(moved)) : undefined;
  const state = newRunState(world.webhook, 0);
  if (alreadyBack) {
    state.progress.justStarted = world.hosts.map((h) => h.instanceId);
    // Started in this run, a moment ago: the first gate check waits for a poller's /health port, as
    // for containers the run's own `start` restarted, instead of failing on one about to listen.
    state.startedAt = ctx.clock.now();
  }
  await converge(ctx, back, state, afterMove).catch((e: unknown) => {
    // A signal (a caller that did not wind down: `rollback` finishing a dead run) stopped it
    // between two steps: not a failure; its in-flight record says what is left for `rollback`.
    if (e instanceof CancelledError) throw interruptedRollback(ctx, e, reason, prev.colour, urgent);
    if (!urgent)
      throw new RollbackFailedError(
        `${reason}; the previous release ${prev.releaseId} could not be brought back on ${prev.colour}: ${e instanceof Error ? e.message : String(e)}`,
        `run \`bluegreen status ${ctx.settings.environment}\`; release a known-good image with \`bluegreen release ${ctx.settings.environment} --image <tag>\``,
      );
    // A container that stopped as the switches moved, restarted and failed its gates: that says
    // itself what serves and what to do; it is not a bookkeeping failure.
    if (e instanceof RollbackFailedError)
      throw new RollbackFailedError(`${reason}; ${e.message}`, e.remedy ?? `run \`bluegreen status ${ctx.settings.environment}\``);
    throw new RollbackFailedError(
      `${reason}; traffic is back on ${prev.colour} but its bookkeeping failed: ${e instanceof Error ? e.message : String(e)}`,
      `run \`bluegreen status ${ctx.settings.environment}\``,
    );
  });
  // After a cold return the failed colour is left running, idle: the adoption invariant never stops what served at the start.
  // Read the webhook back after the stop: a bot's shutdown hook may have moved it. Handed back, the
  // failed pollers were stopped by the fast path's handBack (and seen stopped): read back on each host,
  // they are stopped again only where one runs (or restarts) again, not a second `docker stop` per host.
  if (urgent) await stopColourVerified(ctx, failed, { colour: prev.colour }, alreadyBack ? { unlessExited: true } : {});
  return times;
}

/**
 * A rollback stopped by a signal: not a bookkeeping failure (nothing failed), and not finished
 * (warm, `moved`: traffic is back, but what it restarted there may be unchecked). Its record is kept.
 */
function interruptedRollback(ctx: Ctx, e: CancelledError, reason: string, to: Colour, moved: boolean): CancelledError {
  // converge names a restart where traffic is itself (its message and remedy): keep them.
  const head =
    e.remedy !== undefined
      ? e.message
      : `cancelled by ${e.signal}: the rollback to ${to} was interrupted between two of its steps${moved ? `; traffic is back on ${to}, but what serves there is not verified yet` : ""}`;
  return new CancelledError(e.signal, `${head} (it was rolling back: ${reason})`, e.remedy ?? `\`bluegreen rollback ${ctx.settings.environment}\` finishes it`);
}

/**
 * In-flight tags left on a release that did finish (its finalize recorded it live but could not
 * remove them): nothing is in flight, and undoing it would roll back a good release. Clearing them
 * is the whole repair; every later run and `rollback` goes on from there.
 */
export async function clearStaleInFlight(ctx: Ctx, world: World): Promise<string | null> {
  const f = world.tags.inFlight;
  const live = world.tags.live;
  if (f === null || live === null || live.releaseId !== f.releaseId || live.colour !== f.colour) return null;
  // An automatic rollback's restart where traffic is (the record already names it live): its
  // restarted containers have not passed their gates yet; recoverInterrupted gates them.
  if (f.kind === "rollback" && f.phase === "restarting") return null;
  const seen = liveColours(ctx, world);
  if (!seen.consistent || seen.byListener !== live.colour) return null;
  await clearInFlight(ctx);
  const note = `cleared the in-flight tags of ${f.kind} ${f.releaseId}: it is live and consistent on ${live.colour} (an earlier run could not remove them)`;
  ctx.reporter.step({ step: "recover", status: "info", message: note });
  return note;
}

/** Whether either switch sends `colour` traffic now (a canary step's share counts). */
function trafficTouches(ctx: Ctx, world: World, colour: Colour): boolean {
  return (
    listenerSendsTo(world.traffic, colour) ||
    (world.webhook.url === ctx.settings.webhook.urls[colour] && ctx.settings.webhook.urls.blue !== ctx.settings.webhook.urls.green)
  );
}

/** The fast path's handBack as the world shows it: no webhook set, and the failed colour's pollers all stopped. */
function handBackSeen(world: World, to: Colour, failed: Colour): boolean {
  return to !== failed && world.webhook.url === "" && world.hosts.every((h) => h.containers[failed]?.running !== true);
}

/** Polling: `colour`'s poller runs and no other colour's does (it alone takes the updates). */
function handedBack(ctx: Ctx, world: World, colour: Colour): boolean {
  return ctx.settings.mode === "polling" && pollsAlone(colour, (c) => world.hosts.some((h) => h.containers[c]?.running === true));
}

/**
 * A run died with a release or rollback in flight: undo it, or finish an interrupted rollback.
 * `finishRollback`: the `rollback` command finishes one that moved nothing yet (cold: restarted and
 * gated), and one whose containers were restarted where traffic is (gated there); `release`
 * abandons them (the release stages that colour anew, or checks it as the live one and replaces it).
 */
export async function recoverInterrupted(
  ctx: Ctx,
  world: World,
  opts: { finishRollback: boolean; allowUnhealthyLive?: boolean } = { finishRollback: true },
): Promise<string | null> {
  const f = world.tags.inFlight;
  if (f === null) return null;
  const note = `found an interrupted ${f.kind} ${f.releaseId} (${f.phase}) to ${f.colour}`;
  // Undoing moves both switches to what the tags record. If the listener meanwhile forwards to a group
  // neither the recorded release nor the interrupted one uses, someone changed it by hand: moving
  // traffic off it could take down what serves now, so a human decides.
  const known = new Set([
    ctx.targetGroups[f.colour].arn,
    ...(world.tags.live !== null ? [ctx.targetGroups[world.tags.live.colour].arn] : []),
    ...(world.tags.unmanaged !== null ? [world.tags.unmanaged.targetGroupArn] : []),
  ]);
  const strange = readWorldListener(ctx, world.listener, world.webhook.url).receiving.filter((arn) => !known.has(arn));
  if (strange.length > 0) {
    throw new RollbackFailedError(
      `${note}, but the listener now forwards to ${strange.join(", ")}, which neither the recorded live release nor the interrupted one uses; not undoing it automatically`,
      `run \`bluegreen status ${ctx.settings.environment}\`; put the listener back where the tags say, or remove the bluegreen:inflight-* tags once the state is what you want`,
    );
  }
  // A release that refuses the record says so itself (its message starts with the note), touching
  // nothing: announcing a repair first would be false.
  const refused = refusedByRelease(ctx, world, f, note, opts);
  if (refused !== null) throw refused;
  // A release's record is undone; a rollback's is finished, abandoned or undone (the note returned says which).
  // The record's kind and phase as data: the CLI's signal words read a resumed restart's mark from them.
  ctx.reporter.step({
    step: "recover",
    status: "info",
    message: `${note}: ${f.kind === "release" ? "undoing it" : "repairing it"}`,
    detail: { kind: f.kind, phase: f.phase },
  });
  // The interrupted rollback's own goal: back to its colour, from the other one.
  const rollbackGoal: Goal = { kind: "rollback", colour: f.colour, releaseId: f.releaseId, image: f.image, from: otherColour(f.colour) };
  if (f.kind === "rollback" && crossesSwitch(ctx, world, f.colour)) {
    // A rollback across a mode switch is finished, whoever asks: half of it (a poller started
    // while the webhook is still set, or the reverse) is a state only its own end makes whole.
    const goal: Goal = { ...rollbackGoal, ...modeAt(ctx, world, f.colour) };
    await converge(ctx, { ...goal, image: await trustedImage(ctx, world, f, "inflight") }, newRunState(world.webhook, 0));
    return `${note}: finished it (across the mode switch)`;
  }
  if (f.kind === "rollback" && f.phase === "restarting") {
    // Both switches are on its colour and some of its containers there may still be stopped (the
    // run ended before its `start`), or restarted and never gated: the release's preflight would
    // refuse that live colour, and with the mark gone `rollback` would refuse too. Only the
    // rollback's own end (restart, gates where traffic is) makes it whole: refuse, touching nothing.
    // Unless the operator accepts an unhealthy live colour: a restarted container that keeps failing
    // its gates fails every `rollback` too, and this is the only way out short of editing tags.
    if (!opts.finishRollback) {
      // Refused above unless --allow-unhealthy-live: abandoned.
      await clearInFlight(ctx);
      return `${note}: the interrupted rollback's restart on ${f.colour} was abandoned; its containers were not gated (--allow-unhealthy-live)`;
    }
    return finishRestart(ctx, world, f, rollbackGoal, note);
  }
  if (f.kind === "rollback" && world.tags.live !== null) {
    const live = world.tags.live;
    const goal: Goal = { ...rollbackGoal, urgent: true, ...modeOf(ctx) };
    if (!trafficTouches(ctx, world, f.colour)) {
      // Polling has no switch to read: a rollback whose poller polls alone was handed back
      // (handBack ran) and takes the updates unchecked; only its gates, held, may vouch for it.
      if (!opts.finishRollback && handedBack(ctx, world, f.colour)) {
        // Refused above unless --allow-unhealthy-live: abandoned.
        await clearInFlight(ctx);
        return `${note}: its ${f.colour} poller polls again (the handover back ran) but was not gated; abandoned it (--allow-unhealthy-live)`;
      }
      // Nothing moved yet: its colour may be half-restarted. Never move traffic to it ungated.
      if (!opts.finishRollback) {
        await clearInFlight(ctx);
        return `${note}: it had moved no traffic; abandoned it (${live.releaseId} on ${live.colour} stays live)`;
      }
      await converge(ctx, { ...goal, image: await trustedImage(ctx, world, f, "inflight"), urgent: false }, newRunState(world.webhook, 0));
      return `${note}: finished it (restarted and gated)`;
    }
    // Half-moved: finish it if its colour serves now, else put everything back where it came from.
    const finished = await moveBack(ctx, world, f.colour, f.releaseId, note, {}).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotReadyError) return false;
        throw e;
      },
    );
    if (finished) {
      await converge(ctx, goal, newRunState(world.webhook, 0));
      return `${note}: finished it`;
    }
    await rollBackTo(ctx, world, f.colour, `${note}, but ${f.colour} does not serve ${f.releaseId}`);
    await clearInFlight(ctx);
    return `${note}: ${f.colour} did not serve it, so ${live.releaseId} on ${live.colour} is live again`;
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

/**
 * What a release refuses to start from, touching nothing (null: it repairs the record): a rollback's
 * restart mark, and a polling rollback handed back (its poller polls alone, ungated). Both may be
 * abandoned with --allow-unhealthy-live; a rollback across a mode switch is always finished.
 */
function refusedByRelease(
  ctx: Ctx,
  world: World,
  f: InFlight,
  note: string,
  opts: { finishRollback: boolean; allowUnhealthyLive?: boolean },
): PreflightError | null {
  if (opts.finishRollback || opts.allowUnhealthyLive === true || f.kind !== "rollback" || crossesSwitch(ctx, world, f.colour)) return null;
  if (f.phase === "restarting") return restartInFlight(ctx, note);
  if (world.tags.live !== null && !trafficTouches(ctx, world, f.colour) && handedBack(ctx, world, f.colour))
    return new PreflightError(
      `${note}: its ${f.colour} poller polls again (the handover back ran) but was not gated yet; nothing was changed`,
      `\`bluegreen rollback ${ctx.settings.environment}\` finishes it (gates the poller), then release again; or pass --allow-unhealthy-live to abandon it and release anyway`,
    );
  return null;
}

function restartInFlight(ctx: Ctx, note: string): PreflightError {
  return new PreflightError(
    `${note}: both switches serve it, but its containers there were stopped or restarted and are not gated yet; a release cannot start from that colour; nothing was changed`,
    restartMarkRemedy(ctx.settings.environment),
  );
}

/**
 * A rollback killed or cancelled after it restarted its colour's containers where both switches
 * already were (its mark: phase "restarting"): `rollback` finishes it by gating them there, never
 * by moving traffic back to the release it left; a failure leaves the mark for the next try. An
 * automatic rollback (the record names its colour live) also stops the failed release's colour, as
 * it would have.
 */
async function finishRestart(ctx: Ctx, world: World, f: InFlight, rollbackGoal: Goal, note: string): Promise<string> {
  const goal: Goal = { ...rollbackGoal, urgent: true, image: await trustedImage(ctx, world, f, "inflight"), ...modeOf(ctx) };
  await converge(ctx, goal, newRunState(world.webhook, 0));
  const failed = f.from;
  if (world.tags.live?.colour === f.colour && failed !== null && failed !== f.colour) {
    await stopColourVerified(ctx, failed, { colour: f.colour });
    return `${note}: finished it (its restarted containers gated where traffic is; ${failed} stopped)`;
  }
  return `${note}: finished it (its restarted containers gated where traffic is)`;
}

/** A goal's mode is the environment's: pollers are released and rolled back as pollers. */
export function modeOf(ctx: Ctx): { mode?: "polling" } {
  return ctx.settings.mode === "polling" ? { mode: "polling" } : {};
}

/**
 * The mode of a goal that returns to `colour`: the mode its containers were started in (their
 * label; the environment's when it has none), and `switchFrom` when the other colour's containers
 * run in the other mode (a rollback across a mode switch). Goals in the environment's own mode
 * and without a switch are exactly modeOf(ctx).
 */
export function modeAt(ctx: Ctx, world: World, colour: Colour): { mode?: "polling"; switchFrom?: Mode } {
  const mode = colourMode(world.hosts, colour) ?? ctx.settings.mode;
  const other = colourMode(world.hosts, otherColour(colour));
  return { ...(mode === "polling" ? { mode: "polling" as const } : {}), ...(other !== null && other !== mode ? { switchFrom: other } : {}) };
}

/** Returning to `prev` crosses a mode switch: the converge loop of its own mode undoes it, gated. */
export function crossesSwitch(ctx: Ctx, world: World, colour: Colour): boolean {
  return modeAt(ctx, world, colour).switchFrom !== undefined;
}
