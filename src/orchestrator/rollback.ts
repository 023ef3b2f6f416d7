// `rollback`: put the previous release back live. Warm (its containers still run and answer
// /health): both switches move at once. Cold (stopped or gone): restart or re-stage it, pass the
// same gates as a release, then move. A release that died halfway is undone instead.
import { userInfo } from "node:os";
import type { Goal } from "../domain/decide.js";
import { combine, type Verdict } from "../domain/gates.js";
import { colourMode } from "../domain/switch.js";
import { liveByListener } from "../domain/traffic.js";
import type { Colour, ReleaseRef, UnmanagedRef } from "../domain/types.js";
import { NotReadyError, PreflightError, RollbackFailedError } from "../errors.js";
import { describeUnmanaged, forgetReleases, moveToUnmanaged } from "./adopt.js";
import type { Ctx } from "./context.js";
import { type ConnectedHost, mapLimit, type UnreachableHost } from "./context.js";
import type { CutoverTimes } from "./cutover.js";
import { rollbackFailed } from "./cutover.js";
import { containerOnHost, healthOnHost } from "./gates.js";
import { appendAudit } from "./history.js";
import { type HookRecord, runHookAt } from "./hooks.js";
import { acquireLock } from "./lock.js";
import type { World } from "./observe.js";
import { liveColours, observe } from "./observe.js";
import { guardedRead } from "./port-guard.js";
import { refuseForeignWebhook } from "./preflight.js";
import { clearStaleInFlight, modeAt, modeOf, moveBack, recoverInterrupted } from "./recover.js";
import { type Moved, refreshAfterMoveBack } from "./rollback-refresh.js";
import { converge, newRunState } from "./run.js";
import { describeSwitchedRecord, switchedRecord, switchedRecordRemedy } from "./switched-record.js";
import { trustedImage } from "./tag-trust.js";
import { observeAdoption } from "./unmanaged.js";
import { verifyWebhook } from "./verify-webhook.js";

export interface RollbackResult {
  outcome: "rolled-back";
  exitCode: 0;
  releaseId: string;
  image: string;
  colour: string;
  from: string | null;
  mode: "warm" | "cold" | "recovered" | "repaired-drift" | "unmanaged";
  /** Repaired before the rollback itself (stale in-flight tags cleared). */
  recovered?: string;
  message: string;
  /** What bluegreen had to put back on the webhook (a bot deleted or moved it), in order. */
  webhookRestored?: string[];
  steps: string[];
  timings: CutoverTimes;
}

/**
 * Back to the unmanaged release: its containers must still run and answer on every registered
 * target (they are not ours, so nothing restarts them); then both switches move and every
 * bluegreen tag goes, so the world stands as it did before the first release.
 */
async function rollbackToUnmanaged(ctx: Ctx, world: World, u: UnmanagedRef, live: ReleaseRef): Promise<RollbackResult> {
  const adoption = await observeAdoption(ctx, world);
  const found = adoption.unmanaged;
  const tg = await ctx.lb.describeTargetGroup(u.targetGroupArn);
  const missing = (found?.targets ?? []).flatMap((t) =>
    found?.containers.some((c) => c.instanceId === t.id && c.hostPort === t.port) ? [] : [`${t.id}:${t.port}`],
  );
  if (found === null || found.targets.length === 0 || missing.length > 0) {
    throw new PreflightError(
      `${describeUnmanaged(u)} no longer runs${missing.length > 0 ? `: nothing publishes ${missing.join(", ")}` : ": its target group has no registered target"}; nothing was changed`,
      `release a known-good image instead: \`bluegreen release ${ctx.settings.environment} --image <tag>\``,
    );
  }
  await mapLimit(found.targets, ctx.settings.rollout.hostConcurrency, async (t) => {
    const host = ctx.hosts.find((h) => h.instanceId === t.id);
    if (host === undefined) return;
    const res = await host.remote
      .httpRequest(t.port, tg.healthCheckPath, { timeoutMs: ctx.settings.container.health?.timeoutMs ?? 2000 })
      .catch((e: unknown) => ({ status: 0, body: e instanceof Error ? e.message : String(e) }));
    if (res.status < 200 || res.status > 399) {
      throw new PreflightError(
        `${describeUnmanaged(u)} does not answer on ${t.id}:${t.port}${tg.healthCheckPath} (${res.status === 0 ? res.body : `HTTP ${res.status}`}); nothing was changed`,
        "fix or restart it first, or release a known-good image instead",
      );
    }
  });
  const times: CutoverTimes = {};
  const problems = await moveToUnmanaged(ctx, u, times, world);
  if (problems.length > 0) throw rollbackFailed(ctx, `rolling back to ${describeUnmanaged(u)} failed`, problems);
  await forgetReleases(ctx);
  const image = found.containers[0]?.image ?? "";
  return {
    outcome: "rolled-back",
    exitCode: 0,
    releaseId: "unmanaged",
    image,
    colour: found.targetGroupName,
    from: live.colour,
    mode: "unmanaged",
    message: `${describeUnmanaged(u)} is live again; ${live.releaseId} on ${live.colour} keeps running (the next release replaces it)`,
    steps: ["move-to-unmanaged", "forget-tags"],
    timings: times,
  };
}

/**
 * A warm colour's check on one host: its containers as this run's observe read them moments ago
 * (no second inspect, #17; the switches' readiness check uses the same reading), /health asked now.
 */
async function warmVerdict(ctx: Ctx, h: ConnectedHost, goal: Goal, read: World["hosts"][number]["containers"]): Promise<Verdict> {
  const c = await containerOnHost(ctx, h, goal, undefined, 0, read);
  return c.kind !== "ok" ? c : healthOnHost(ctx, h, goal);
}

export async function rollback(ctx: Ctx, opts: { lockWaitMs: number; runId: string }): Promise<RollbackResult> {
  const started = ctx.clock.now();
  const lock = await guardedRead(ctx, () => acquireLock(ctx, "rollback", opts.runId, opts.lockWaitMs));
  try {
    let world = await guardedRead(ctx, () => observe(ctx));
    refuseForeignWebhook(ctx, world, "rollback");
    const healed = await clearStaleInFlight(ctx, world);
    if (healed !== null) world = await observe(ctx);
    const polling = ctx.settings.mode === "polling";
    // Polling: the recorded live release is the running poller; there is no listener to ask.
    const live = polling ? (world.tags.live?.colour ?? null) : liveByListener(world.traffic);
    let result: RollbackResult;
    let unverified: UnreachableHost[] = [];
    const recovered = await recoverInterrupted(ctx, world);
    const tags = world.tags;
    /** The resumed run started containers (stopped or absent before it) on the colour now live. */
    let resumedStart = false;
    if (recovered !== null) {
      const after = await observe(ctx);
      const now = after.tags.live;
      resumedStart = now !== null && startedBetween(world, after, now.colour);
      result = {
        outcome: "rolled-back",
        exitCode: 0,
        releaseId: now?.releaseId ?? "",
        image: now?.image ?? "",
        colour: now?.colour ?? "",
        from: world.tags.inFlight?.colour ?? null,
        mode: "recovered",
        message: recovered,
        steps: [],
        timings: {},
      };
    } else if (tags.live !== null && tags.previous === null && tags.unmanaged !== null) {
      // The first release adopted what served before bluegreen: that is the release to return to.
      result = await rollbackToUnmanaged(ctx, world, tags.unmanaged, tags.live);
    } else if (!polling && !liveColours(ctx, world).consistent && tags.live !== null) {
      // Somebody moved a switch by hand: the recorded live release is the known-good state.
      const times: CutoverTimes = {};
      await moveBack(ctx, world, tags.live.colour, tags.live.releaseId, "drift", times);
      result = {
        outcome: "rolled-back",
        exitCode: 0,
        releaseId: tags.live.releaseId,
        image: tags.live.image,
        colour: tags.live.colour,
        from: null,
        mode: "repaired-drift",
        message: `the listener and the webhook disagreed; both are back on the recorded live release ${tags.live.releaseId} (${tags.live.colour})`,
        steps: ["repair-drift"],
        timings: times,
      };
    } else {
      const prev = tags.previous;
      // Both switches on the previous release's colour while the record says the other one is live
      // (switched-record.ts): there is nothing older to return to; say what is there instead.
      const switched = polling ? null : switchedRecord(tags, live);
      if (switched !== null) {
        throw new PreflightError(`${describeSwitchedRecord(switched)}; nothing was changed`, switchedRecordRemedy(ctx.settings.environment));
      }
      if (prev === null || live === null || prev.colour === live) {
        throw new PreflightError(
          `nothing to roll back to in ${ctx.settings.environment}: no previous release is recorded`,
          "release a known-good image instead: `bluegreen release ENV --image <tag>`",
        );
      }
      // The tag names the release; only its digest is read, and only once the hosts agree with it.
      const image = await trustedImage(ctx, world, prev, "previous");
      const verdicts = await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
        const read = world.hosts.find((x) => x.instanceId === h.instanceId)?.containers;
        return read?.[prev.colour]?.releaseId === prev.releaseId
          ? warmVerdict(ctx, h, { kind: "rollback", colour: prev.colour, releaseId: prev.releaseId, image, from: live, ...modeOf(ctx) }, read)
          : { kind: "fail" as const, reason: "not there" };
      });
      // A previous poller is stopped at every handover, so a polling rollback is always cold:
      // started again and gated before the current poller stops. So is one across a mode switch
      // (the old mode's containers were stopped at the switch's cutover).
      const prevMode = modeAt(ctx, world, prev.colour);
      const across = prevMode.switchFrom !== undefined;
      let warm = !polling && !across && combine(verdicts).kind === "ok";
      const state = newRunState(world.webhook, 0);
      let moved: Moved | null = null;
      if (warm) {
        // Warm means serving now, on the ALB too; otherwise the cold path restarts and gates it.
        moved = await moveBack(ctx, world, prev.colour, prev.releaseId, "rollback", state.times).catch((e: unknown) => {
          if (!(e instanceof NotReadyError)) throw e;
          ctx.reporter.step({
            step: "rollback",
            status: "info",
            message: `${prev.colour} is not warm (${e.problems.join("; ")}): restarting it and gating it`,
          });
          warm = false;
          return null;
        });
      }
      const down = ctx.unreachable ?? [];
      if (!warm && down.length > 0) {
        throw new PreflightError(
          `a cold rollback restarts and gates ${prev.colour} on every host, but ${down.map((u) => `${u.instanceId} (${u.address})`).join(", ")} cannot be reached; nothing was changed`,
          "bring the host back, or release a known-good image once every host answers",
        );
      }
      const goal: Goal = {
        kind: "rollback",
        colour: prev.colour,
        releaseId: prev.releaseId,
        image,
        from: live,
        urgent: warm,
        ...(across ? prevMode : modeOf(ctx)),
      };
      if (across)
        ctx.reporter.step({
          step: "rollback",
          status: "info",
          message: `back across the mode switch: ${prev.releaseId} on ${prev.colour} runs in ${prevMode.mode ?? "webhook"} mode again`,
        });
      // After a warm move, the bookkeeping is decided on this run's own world: what the move wrote,
      // and the containers read again (#17); a cold rollback starts from a whole observe.
      const afterMove = moved !== null ? await observe(ctx, world, refreshAfterMoveBack(moved)) : undefined;
      await converge(ctx, goal, state, afterMove);
      const unreachableNote = down.length > 0 ? `; unreachable, not checked: ${down.map((u) => u.instanceId).join(", ")}` : "";
      result = {
        outcome: "rolled-back",
        exitCode: 0,
        releaseId: prev.releaseId,
        image,
        colour: prev.colour,
        from: live,
        mode: warm ? "warm" : "cold",
        message: `${prev.releaseId} is live again on ${prev.colour} (${warm ? (state.steps.includes("start") ? "warm, then restarted and gated: its containers stopped as the switches moved" : "warm: instant") : "cold: restarted and gated"}${across ? `, ${prevMode.mode ?? "webhook"} mode` : ""})${unreachableNote}`,
        steps: state.steps,
        timings: state.times,
      };
      // An unreachable host the ALB sends traffic to on that colour runs something nobody could verify.
      unverified = down.filter((u) => world.health[prev.colour].some((t) => t.id === u.instanceId && t.state === "healthy"));
    }
    // Reported only once the webhook is read back on the colour now live (and watched while a
    // cold rollback's restarted containers settle, so a late start-up call is undone).
    // (An unmanaged rollback hands the webhook back to the legacy URL: no colour to check against.)
    if (result.mode !== "unmanaged" && (result.colour === "blue" || result.colour === "green")) {
      // The colour now live says which rule holds (webhook set, or none for a poller), also across a switch.
      const liveMode = colourMode(world.hosts, result.colour) ?? ctx.settings.mode;
      // Restarted containers (a cold rollback, or a warm one whose containers stopped as the switches moved) are watched while they settle.
      // A resumed rollback past its restart's mark (recovered: no steps of this run) restarted or
      // gated containers where traffic is all the same: watched alike.
      const resumedRestart = result.mode === "recovered" && world.tags.inFlight?.kind === "rollback" && world.tags.inFlight.phase === "restarting";
      // So did one that started them itself (a cold rollback killed before its `start`: phase staging).
      const restarted = result.mode === "cold" || result.steps.includes("start") || resumedRestart || resumedStart;
      await verifyWebhook(ctx, { colour: result.colour, mode: liveMode }, `the rollback to ${result.colour}`, { settle: restarted });
    } else if (result.mode === "unmanaged" && tags.unmanaged !== null) {
      await verifyWebhook(ctx, { unmanaged: tags.unmanaged }, `the rollback to ${describeUnmanaged(tags.unmanaged)}`);
    }
    if (ctx.webhookNotes !== undefined && ctx.webhookNotes.length > 0) result.webhookRestored = [...ctx.webhookNotes];
    if (healed !== null) result.recovered = healed;
    const hooks: HookRecord[] = [];
    // Also after a return to the unmanaged release (its colour is then the target group's name).
    await runHookAt(ctx, "postRollback", { colour: result.colour, from: result.from ?? null, image: result.image, releaseId: result.releaseId }, hooks);
    await appendAudit(ctx, {
      ...(hooks.length > 0 ? { hooks } : {}),
      at: new Date(ctx.clock.now()).toISOString(),
      environment: ctx.settings.environment,
      kind: "rollback",
      outcome: "rolled-back",
      releaseId: result.releaseId,
      image: result.image,
      colour: result.colour,
      from: result.from,
      reason: result.message,
      ...(result.webhookRestored !== undefined ? { webhookRestored: result.webhookRestored } : {}),
      by: userInfo().username,
      durationMs: ctx.clock.now() - started,
    }).catch(() => undefined);
    if (unverified.length > 0) {
      throw new RollbackFailedError(
        `${result.message}, but ${unverified.map((u) => `${u.instanceId} (${u.address})`).join(", ")} could not be reached: the ALB sends it ${result.colour} traffic from a container nobody could verify`,
        `check ${unverified.map((u) => u.instanceId).join(", ")} by hand (or deregister it from ${ctx.targetGroups[result.colour as Goal["colour"]].name}); \`bluegreen status ${ctx.settings.environment}\` once it answers`,
      );
    }
    return result;
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/**
 * Whether a container of `colour` runs in `after` that did not run in `before` (stopped, or not
 * there): started in between. Pure: both readings are observe's.
 */
export function startedBetween(before: World, after: World, colour: Colour): boolean {
  return after.hosts.some((h) => {
    const then = before.hosts.find((b) => b.instanceId === h.instanceId)?.containers[colour];
    return h.containers[colour]?.running === true && then?.running !== true;
  });
}
