// `release`: lock, observe, undo a dead run, preflight, resolve the digest, then converge on the
// idle colour; a failure before traffic moved abandons it (exit 1), after it rolls back (exit 2).
import { userInfo } from "node:os";
import type { Goal } from "../domain/decide.js";
import { listenerBeforeSwitch, type SwitchSource, switchSource } from "../domain/switch.js";
import { encodeRef, TAG } from "../domain/tags.js";
import { liveByListener, liveByWebhook } from "../domain/traffic.js";
import { type Colour, otherColour } from "../domain/types.js";
import {
  BluegreenError,
  CancelledError,
  type CancelSignal,
  FinalTagsError,
  GateFailedError,
  PreflightError,
  RollbackFailedError,
  RolledBackError,
} from "../errors.js";
import { redact } from "../util/redact.js";
import { describeUnmanaged, moveToUnmanaged } from "./adopt.js";
import { BakeFailed } from "./bake.js";
import type { BakeUpdates } from "./bake-updates.js";
import { cancelledBy, SIGNAL_EXIT, throwIfCancelled, windDown } from "./cancel.js";
import type { Ctx } from "./context.js";
import { type CutoverTimes, moveListener } from "./cutover.js";
import { colourLogs } from "./gates.js";
import { type AuditRecord, appendAudit } from "./history.js";
import { runHookAt } from "./hooks.js";
import { acquireLock } from "./lock.js";
import { observe, startingLive, type World } from "./observe.js";
import { guardedRead } from "./port-guard.js";
import { checkTagHeadroom, foreignWebhookRefusal, preflight } from "./preflight.js";
import { clearInFlight, clearStaleInFlight, modeOf, recoverInterrupted, rollBackTo, stopColourVerified, undoCutoverTimed } from "./recover.js";
import { converge, newRunState, type RunState } from "./run.js";
import type { ShiftRecord } from "./shift.js";
import { resolveDigest } from "./stage.js";
import { type Adoption, type EngineFacts, groupName, observeAdoption, unmanagedRef } from "./unmanaged.js";
import { verifyWebhook, webhookTargetFor } from "./verify-webhook.js";
import { stopExpiredWarm } from "./warm.js";
import { coldBecause } from "./warmth.js";

export interface ReleaseOptions {
  imageRef: string;
  releaseId: string;
  bakeMs: number;
  lockWaitMs: number;
  allowUnhealthyLive: boolean;
  promotedFrom?: { environment: string; releaseId: string };
}

export interface ReleaseResult {
  outcome: "released" | "rolled-back" | "failed" | "cancelled";
  /** 130/143: cancelled by SIGINT/SIGTERM before any traffic moved (after, a cancel rolls back: 2). */
  exitCode: 0 | 1 | 2 | 130 | 143;
  /** The signal that cancelled the run (outcome "cancelled", or "rolled-back" with reason "cancelled"). */
  cancelledBy?: CancelSignal;
  releaseId: string;
  image: string;
  colour: string | null;
  from: string | null;
  reason?: string;
  remedy?: string;
  logs?: string;
  recovered?: string;
  /** What bluegreen had to put back on the webhook (a bot deleted or moved it), in order. */
  webhookRestored?: string[];
  /** Whether any update reached the new colour during the bake ("no update arrived: unverified"). */
  bakeUpdates?: BakeUpdates;
  steps: string[];
  /** canary/linear: each step's share and weights, in order (absent for all-at-once). */
  shifts?: ShiftRecord[];
  /** canary/linear: the step whose gates failed (the rollback put all weight back on `from`). */
  failedStep?: { step: number; of: number; percent: number };
  timings: { cutover: CutoverTimes; bakeFailedAt?: number; rollback?: CutoverTimes };
  /**
   * A released run's previous colour as its last check of the hosts saw it (the bake's last inspect
   * reads both colours): warm when every host's container there runs the previous release, so a
   * rollback is instant; otherwise why not (a rollback restarts it and gates it first).
   */
  previousColour?: { colour: Colour; warm: boolean; why: string[] };
}

const msg = (e: unknown): string => redact(e instanceof Error ? e.message : String(e));

export async function release(ctx: Ctx, opts: ReleaseOptions): Promise<ReleaseResult> {
  const started = ctx.clock.now();
  const lock = await guardedRead(ctx, () => acquireLock(ctx, "release", opts.releaseId, opts.lockWaitMs));
  try {
    return await releaseLocked(ctx, opts, started);
  } catch (e) {
    // A signal before the run had a goal (while repairing a dead run, in preflight, the pull or the
    // preRelease hook): this run staged nothing of its own.
    if (!(e instanceof CancelledError)) throw e;
    windDown(ctx);
    // A repair of a dead run stopped by it (its switches moved back, a container restarted where
    // traffic is, not gated yet) says itself where it stopped and what finishes it (its remedy):
    // keep those, "the live release is unchanged" would be false.
    const repair = e.remedy !== undefined;
    return {
      outcome: "cancelled",
      exitCode: SIGNAL_EXIT[e.signal],
      cancelledBy: e.signal,
      releaseId: opts.releaseId,
      image: opts.imageRef,
      colour: null,
      from: null,
      reason: repair ? e.message : `cancelled by ${e.signal} before anything of this release was staged; the live release is unchanged`,
      ...(repair ? { remedy: e.remedy } : {}),
      steps: [],
      timings: { cutover: {} },
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function releaseLocked(ctx: Ctx, opts: ReleaseOptions, started: number): Promise<ReleaseResult> {
  throwIfCancelled(ctx);
  // Until the first change to the listener or the webhook, any failure is exit 1: nothing moved.
  const { world, goal, unmanaged, recovered } = await guardedRead(ctx, async () => {
    // The first look at each host also reads the preflight's probe in the same exec (#17); a world
    // read again below (a dead run repaired) has none, and adoption and the preflight probe again.
    let world = await observe(ctx, undefined, undefined, { probe: true });
    const refusal = firstReadingRefusal(ctx, world);
    if (refusal !== null) throw refusal;
    const healed = await clearStaleInFlight(ctx, world);
    if (healed !== null) world = await observe(ctx);
    const recovered = (await recoverInterrupted(ctx, world, { finishRollback: false, allowUnhealthyLive: opts.allowUnhealthyLive })) ?? healed;
    if (recovered !== null) world = await observe(ctx);
    // The "webhook before" baseline is read after stopping the expired warm colour: a shutdown
    // hook that deletes the webhook must not be blamed on the new release.
    if (await stopExpiredWarm(ctx, world)) world = await observe(ctx);
    ctx.reporter.step({ step: "preflight", status: "start" });
    // One reading of the listener and the hosts decides the colour (plan shows the same one).
    // A mode switch starts from what runs in the other mode; polling: no listener to read or
    // adopt from, the recorded live poller is where it starts.
    const switching = modeSwitchFrom(ctx, world);
    const adoption = ctx.settings.mode === "polling" || switching !== null ? null : await observeAdoption(ctx, world, { engine: true });
    const live = switching !== null ? switching.colour : adoption === null ? startingLive(ctx, world) : adoption.choice.from;
    const colour = adoption === null ? (live !== null ? otherColour(live) : "blue") : adoptionColour(adoption);
    if (switching !== null) {
      ctx.reporter.step({
        step: "switch",
        status: "info",
        message: `mode switch: ${switching.releaseId} runs in ${switching.mode} mode on ${switching.colour}; ${colour} is staged in ${ctx.settings.mode} mode`,
      });
    }
    await preflight(ctx, world, live, {
      allowUnhealthyLive: opts.allowUnhealthyLive,
      engines: adoption?.engines ?? enginesOf(world),
      ...(switching !== null ? { liveMode: switching.mode } : {}),
    });
    const unmanaged = adoption?.unmanaged?.role === "live" ? adoption.unmanaged : null;
    checkTagHeadroom(ctx, world, { colour, from: live, releaseId: opts.releaseId, adopting: unmanaged !== null });
    if (unmanaged !== null) {
      ctx.reporter.step({
        step: "adopt",
        status: "info",
        message: `adopting the unmanaged release: ${unmanaged.targetGroupName} (${unmanaged.containers.map((c) => `${c.instanceId} ${c.name}:${c.hostPort}`).join(", ") || "no container found"}), webhook ${unmanaged.webhookUrl || "(none)"}; ${colour} is free`,
      });
    }
    ctx.reporter.step({ step: "preflight", status: "ok" });
    ctx.reporter.step({ step: "pull", status: "start", message: opts.imageRef });
    const image = await resolveDigest(ctx, opts.imageRef).catch((e: unknown) => {
      if (e instanceof BluegreenError) throw e;
      throw new PreflightError(
        `cannot pull ${opts.imageRef}: ${msg(e)}`,
        "check that the tag or digest exists in the registry and that the hosts can log in to it",
      );
    });
    ctx.reporter.step({ step: "pull", status: "ok", message: image });
    const fromReleaseId = switching !== null ? switching.releaseId : live !== null && world.tags.live?.colour === live ? world.tags.live.releaseId : undefined;
    const goal: Goal = {
      kind: "release",
      colour,
      releaseId: opts.releaseId,
      image,
      from: live,
      ...(fromReleaseId !== undefined ? { fromReleaseId } : {}),
      ...modeOf(ctx),
      ...(switching !== null ? { switchFrom: switching.mode } : {}),
      ...(unmanaged !== null ? { unmanaged: unmanagedRef(unmanaged) } : {}),
    };
    return { world, goal, unmanaged, recovered };
  });
  const state = newRunState(world.webhook, opts.bakeMs);
  if (goal.switchFrom !== undefined && goal.from !== null) await recordSwitchSource(ctx, world, goal.from);
  const listenerMoved = await freeStagingColour(ctx, world, goal);
  await runHookAt(ctx, "preRelease", goal, state.hooks);
  const adopted =
    unmanaged !== null
      ? { adopted: { targetGroup: unmanaged.targetGroupName, webhookUrl: redact(unmanaged.webhookUrl), containers: unmanaged.containers } }
      : {};
  let result: ReleaseResult;
  try {
    // The preflight's world is still the world unless a hook ran since: the loop starts from it.
    result = await runGoal(ctx, goal, state, state.hooks.length === 0 && !listenerMoved ? world : undefined);
  } catch (e) {
    // Live and baked, only the bookkeeping failed (exit 3): history must still say what went live.
    if (e instanceof FinalTagsError) {
      const live: ReleaseResult = {
        releaseId: goal.releaseId,
        image: goal.image,
        colour: goal.colour,
        from: null,
        outcome: "released",
        exitCode: 0,
        steps: state.steps,
        timings: { cutover: state.times },
      };
      const record: AuditRecord = { ...auditOf(ctx, goal, live, started, opts), outcome: "needs-human", reason: msg(e) };
      await appendAudit(ctx, { ...record, ...adopted, ...(state.hooks.length > 0 ? { hooks: state.hooks } : {}) }).catch((err: unknown) =>
        ctx.reporter.step({ step: "audit", status: "fail", message: `audit record not written: ${msg(err)}` }),
      );
    }
    throw e;
  }
  if (recovered !== null) result.recovered = recovered;
  if (ctx.webhookNotes !== undefined && ctx.webhookNotes.length > 0) result.webhookRestored = [...ctx.webhookNotes];
  await appendAudit(ctx, { ...auditOf(ctx, goal, result, started, opts), ...adopted, ...(state.hooks.length > 0 ? { hooks: state.hooks } : {}) }).catch(
    (e: unknown) => ctx.reporter.step({ step: "audit", status: "fail", message: `audit record not written: ${msg(e)}` }),
  );
  return result;
}

/**
 * The refusal a release makes on its first reading, before any repair or cleanup (plan shows it):
 * a webhook that is not the environment's own (refuseForeignWebhook). A webhook -> polling switch
 * whose polling file dropped telegram.webhook makes the environment's own webhook look foreign too:
 * the switch's refusal, which names what to keep, is the more precise one and wins (review2-s9 L1).
 */
export function firstReadingRefusal(ctx: Ctx, world: World): PreflightError | null {
  const foreign = foreignWebhookRefusal(ctx, world, "release");
  if (foreign === null) return null;
  try {
    modeSwitchFrom(ctx, world);
  } catch (e) {
    if (e instanceof PreflightError) return e;
    throw e;
  }
  return foreign;
}

/**
 * What runs in the other mode when telegram.mode changed (null: an ordinary release). Refuses a
 * switch it could not undo: webhook -> polling needs the load balancer and the webhook URLs in the
 * polling environment (the rollback sets the webhook back and reads the listener's state).
 */
function modeSwitchFrom(ctx: Ctx, world: World): SwitchSource | null {
  const webhookColour = liveByWebhook(world.webhook.url, ctx.settings.webhook.urls);
  const found = switchSource(world.hosts, ctx.settings.mode, world.tags.live, webhookColour === "shared" ? null : webhookColour);
  if (found === null) return null;
  if (found === "ambiguous")
    throw new PreflightError(
      `both colours run containers in the other mode than telegram.mode: ${ctx.settings.mode}, and neither the release state nor the webhook says which one is live; nothing was changed`,
      `run \`bluegreen status ${ctx.settings.environment}\` and stop the one that is not live (\`docker stop ${ctx.settings.container.name}-<colour>\`)`,
    );
  if (found.mode === "webhook" && (!ctx.settings.hasLoadBalancer || ctx.settings.webhook.urls.blue === "")) {
    throw new PreflightError(
      `${ctx.settings.environment} switches from webhook to polling (${found.releaseId} runs in webhook mode on ${found.colour}), but the environment names no ${ctx.settings.hasLoadBalancer ? "telegram.webhook" : "loadBalancer"}: the rollback of the switch sets the webhook back through it; nothing was changed`,
      "keep loadBalancer, colours.*.targetGroup and telegram.webhook from the webhook environment in the polling one for the switch (they may go after the next polling release)",
    );
  }
  return found;
}

/**
 * The switch's rollback returns to the release that runs now: record it as live where this
 * environment keeps its state (a poller's state may sit in the host file a load balancer replaces).
 */
async function recordSwitchSource(ctx: Ctx, world: World, from: "blue" | "green"): Promise<void> {
  const recorded = world.tags.live;
  const running = world.hosts.map((h) => h.containers[from]).find((c) => c?.running === true);
  if (running === undefined || running.releaseId === null || running.image === null) return;
  if (recorded !== null && recorded.colour === from && recorded.releaseId === running.releaseId) return;
  await ctx.lb.setTags(ctx.listenerArn, {
    ...encodeRef("live", { colour: from, releaseId: running.releaseId, image: running.image }),
    [TAG.environment]: ctx.settings.environment,
  });
}

/** A switch from polling: the listener off the colour it stages on (see listenerBeforeSwitch); true when it moved. */
async function freeStagingColour(ctx: Ctx, world: World, goal: Goal): Promise<boolean> {
  const to = listenerBeforeSwitch(world.traffic, goal.colour, goal.from, goal.switchFrom);
  if (to === null) return false;
  await moveListener(ctx, to);
  ctx.reporter.step({
    step: "switch",
    status: "info",
    message: `listener -> ${to}: it still forwarded to ${goal.colour}, which no webhook sends updates to while ${to} polls; ${goal.colour} is staged and cut over as any other colour`,
  });
  return true;
}

/** The preflight's engine answers from the world's own probe (a polling release or a mode switch: no adoption). */
function enginesOf(world: World): Map<string, EngineFacts> | undefined {
  if (world.probe === undefined) return undefined;
  return new Map([...world.probe].map(([id, p]) => [id, { version: p.version, df: p.df }] as const));
}

/** The colour to stage on, or a preflight error naming what holds it (nothing was touched yet). */
function adoptionColour(a: Adoption): "blue" | "green" {
  const first = a.problems[0];
  if (first !== undefined) throw new PreflightError(first.message, first.remedy);
  if (a.choice.colour === null)
    throw new PreflightError(
      a.choice.reason ?? "no colour is free to stage on",
      "run `bluegreen status`: one colour must serve no traffic and have its host port free",
    );
  return a.choice.colour;
}

async function runGoal(ctx: Ctx, goal: Goal, state: RunState, initial?: World): Promise<ReleaseResult> {
  const base = {
    releaseId: goal.releaseId,
    image: goal.image,
    colour: goal.colour,
    from: goal.from ?? (goal.unmanaged !== undefined ? "unmanaged" : null),
    steps: state.steps,
  };
  try {
    const done = await converge(ctx, goal, state, initial);
    await runHookAt(ctx, "postRelease", goal, state.hooks);
    // The outcome is reported only once the webhook is read back where the release put it.
    await verifyWebhook(ctx, { colour: goal.colour }, `the release of ${goal.releaseId}`);
    return {
      ...base,
      ...shiftsOf(state),
      outcome: "released",
      exitCode: 0,
      ...(goal.from !== null ? { previousColour: previousColourOf(done, goal.from, goal.fromReleaseId) } : {}),
      ...(state.bakeUpdates !== undefined ? { bakeUpdates: state.bakeUpdates } : {}),
      timings: { cutover: state.times },
    };
  } catch (e) {
    if (e instanceof RollbackFailedError) throw e;
    // SIGINT/SIGTERM between two steps: wind down like a failure (roll back if traffic moved, else
    // stop the new colour), uninterrupted by the signal already received.
    // (A step that failed while the signal was pending failed of it, most likely: a terminal's
    // Ctrl-C reaches every process of the foreground group.)
    const cancelled = e instanceof CancelledError ? e : cancelledBy(ctx);
    // From here the run winds down, whatever ended it: a signal that comes now (Ctrl-C while the
    // automatic rollback of a failed bake runs) must not cut the rollback's gates short and leave
    // the colour it put traffic back on unchecked. The signal announcement promises the rollback;
    // a second signal still exits at once (its words say `rollback` finishes it).
    windDown(ctx);
    // A failed bake: the previous colour is warm and known; move both switches back before
    // reading anything else, so the rollback costs one ModifyListener and one setWebhook.
    let early: CutoverTimes | undefined;
    // Across a mode switch the way back is the old mode's own converge loop (rollBackTo): no fast path.
    if (e instanceof BakeFailed && goal.from !== null && goal.switchFrom === undefined) {
      early = {};
      await undoCutoverTimed(ctx, goal.from, goal.fromReleaseId, early);
    } else if (e instanceof BakeFailed && goal.unmanaged !== undefined) {
      early = {};
      await moveToUnmanaged(ctx, goal.unmanaged, early);
    }
    const world = await observe(ctx);
    // Only the cutover moves traffic in a run; its timestamps say whether it moved anything. (A first
    // release's listener may forward to the goal colour from the start: that is not ours to undo.)
    const flight = world.tags.inFlight;
    const pastMark = flight !== null && flight.releaseId === goal.releaseId && flight.phase !== "staging";
    const onGoal =
      liveByListener(world.traffic) === goal.colour ||
      (world.webhook.url === ctx.settings.webhook.urls[goal.colour] && ctx.settings.webhook.urls.blue !== ctx.settings.webhook.urls.green);
    // A poller's handover is marked before it stops the old poller: past that mark, roll back.
    const polling = goal.mode === "polling";
    const touched =
      state.times.listenerMovedAt !== undefined ||
      state.times.webhookMovedAt !== undefined ||
      state.times.handedOverAt !== undefined ||
      (pastMark && (onGoal || polling));
    if (e instanceof BakeFailed || e instanceof RolledBackError || touched) {
      const reason = e instanceof BakeFailed ? `bake failed: ${e.reason}` : cancelled !== null ? "cancelled" : msg(e);
      ctx.reporter.step({ step: "rollback", status: "start", message: reason });
      const rollback = await (async () => {
        if (!(e instanceof RolledBackError))
          return { ...(await rollBackTo(ctx, world, goal.colour, reason, { handedBack: early?.handedOverAt !== undefined })), ...early };
        await clearInFlight(ctx);
        await stopColourVerified(ctx, goal.colour, webhookTargetFor(goal.from, state.webhookBefore, goal.switchFrom));
        return {};
      })().catch((err: unknown) => {
        // The step ends here too: whoever watches the steps (the CLI's signal words) must not
        // take a rollback that failed for one still under way.
        ctx.reporter.step({ step: "rollback", status: "fail", message: msg(err) });
        throw err;
      });
      ctx.reporter.step({
        step: "rollback",
        status: "ok",
        message: `${goal.from ?? (goal.unmanaged !== undefined ? describeUnmanaged(goal.unmanaged) : "previous")} is live again`,
      });
      // After both switches are back: the failed container (stopped, kept) tells why.
      const logs = redact(await colourLogs(ctx, goal.colour).catch(() => "(logs unavailable)"));
      if (goal.from !== null)
        await runHookAt(
          ctx,
          "postRollback",
          { colour: goal.from, from: goal.colour, image: world.tags.live?.image ?? "", releaseId: world.tags.live?.releaseId ?? "" },
          state.hooks,
        );
      // Back on the unmanaged release: the hook runs like after any rollback (its colour is the group).
      else if (goal.unmanaged !== undefined)
        await runHookAt(
          ctx,
          "postRollback",
          { colour: groupName(goal.unmanaged.targetGroupArn), from: goal.colour, image: "", releaseId: "unmanaged" },
          state.hooks,
        );
      return {
        ...base,
        ...shiftsOf(state),
        ...(e instanceof BakeFailed && e.shift !== undefined ? { failedStep: e.shift } : {}),
        outcome: "rolled-back",
        exitCode: 2,
        ...(cancelled !== null ? { cancelledBy: cancelled.signal } : {}),
        reason,
        logs,
        // Cancelled, nothing failed: the containers are kept all the same, and the user decides when to go again.
        remedy:
          cancelled !== null && !(e instanceof BakeFailed)
            ? `the cancelled ${goal.colour} containers are stopped but kept (\`docker logs ${ctx.settings.container.name}-${goal.colour}\` on the hosts); release again when ready: \`bluegreen release ${ctx.settings.environment} --image <tag>\``
            : `the failed ${goal.colour} container is stopped but kept: \`docker logs ${ctx.settings.container.name}-${goal.colour}\` on the host; fix it and release again`,
        timings: { cutover: state.times, ...(e instanceof BakeFailed ? { bakeFailedAt: e.detectedAt } : {}), rollback },
      };
    }
    // Nothing moved: stop the new containers (kept for inspection) and forget the attempt. Their
    // shutdown may delete the webhook; after a start-up restore, a second replica's call may be late.
    await stopColourVerified(ctx, goal.colour, webhookTargetFor(goal.from, state.webhookBefore, goal.switchFrom), {
      settle: (ctx.webhookNotes?.length ?? 0) > 0,
    });
    await clearInFlight(ctx).catch(() => undefined);
    if (cancelled !== null)
      return {
        ...base,
        outcome: "cancelled",
        exitCode: SIGNAL_EXIT[cancelled.signal],
        cancelledBy: cancelled.signal,
        reason: `cancelled by ${cancelled.signal} before any traffic moved: the new ${goal.colour} containers are stopped (kept for inspection) and the live release is unchanged`,
        timings: { cutover: state.times },
      };
    return {
      ...base,
      outcome: "failed",
      exitCode: 1,
      reason: msg(e),
      ...(e instanceof GateFailedError && e.remedy !== undefined ? { remedy: e.remedy } : {}),
      ...(e instanceof GateFailedError && e.logs !== undefined ? { logs: redact(e.logs) } : {}),
      timings: { cutover: state.times },
    };
  }
}

/** The previous colour as the run last read the hosts (never the record's warm window alone). */
function previousColourOf(world: World, colour: Colour, releaseId: string | undefined): NonNullable<ReleaseResult["previousColour"]> {
  const why = coldBecause(world.hosts, colour, releaseId);
  return { colour, warm: why.length === 0, why };
}

/** The steps taken, for the result (absent for all-at-once). */
function shiftsOf(state: RunState): { shifts?: ShiftRecord[] } {
  return state.shifts.length > 0 ? { shifts: [...state.shifts] } : {};
}

function auditOf(ctx: Ctx, goal: Goal, r: ReleaseResult, started: number, opts: ReleaseOptions): AuditRecord {
  return {
    at: new Date(ctx.clock.now()).toISOString(),
    environment: ctx.settings.environment,
    kind: opts.promotedFrom !== undefined ? "promote" : "release",
    outcome: r.outcome,
    releaseId: goal.releaseId,
    image: goal.image,
    colour: goal.colour,
    from: goal.from,
    ...(r.outcome === "rolled-back" ? { automatic: true } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.webhookRestored !== undefined ? { webhookRestored: r.webhookRestored } : {}),
    ...(r.recovered !== undefined ? { recovered: r.recovered } : {}),
    ...(r.bakeUpdates !== undefined ? { bakeUpdates: r.bakeUpdates.message } : {}),
    ...(opts.promotedFrom !== undefined ? { promotedFrom: opts.promotedFrom } : {}),
    ...(r.shifts !== undefined ? { shifts: r.shifts.map((s) => `${s.step}/${s.of} ${s.percent}%`) } : {}),
    ...(r.failedStep !== undefined ? { failedStep: `${r.failedStep.step}/${r.failedStep.of} ${r.failedStep.percent}%` } : {}),
    by: userInfo().username,
    durationMs: ctx.clock.now() - started,
  };
}
