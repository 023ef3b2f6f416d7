// The loop: observe -> decide -> apply one step -> observe again, until decide says done.

import pRetry from "p-retry";
import { decide, type Goal, type Progress, runsGoal, type Snapshot, type Step, trafficMoved } from "../domain/decide.js";
import { encodeInFlight, encodeShift, encodeUnmanaged, finalTags, TAG } from "../domain/tags.js";
import { liveByListener } from "../domain/traffic.js";
import { type HostFacts, otherColour } from "../domain/types.js";
import { BluegreenError, CancelledError, FinalTagsError, GateFailedError, RollbackFailedError } from "../errors.js";
import type { ForwardTarget, WebhookInfo } from "../ports.js";
import { containerName } from "../remote/docker.js";
import { formatDuration } from "../util/duration.js";
import { BakeFailed, bake, baselineFrom, restartBaseline } from "./bake.js";
import { type BakeUpdates, countBakeUpdates } from "./bake-updates.js";
import { throwIfCancelled } from "./cancel.js";
import type { Ctx } from "./context.js";
import { type CutoverTimes, cutover, referenceColour } from "./cutover.js";
import { type GateReadings, gateFailure, smokeTest, undoBotWebhookCall, waitForGates } from "./gates.js";
import { type HookRecord, runHookAt } from "./hooks.js";
import { cutoverStopsContainers, observe, refreshAfter, registered, type StepFacts, snapshotFor, type World, withForward, withHosts } from "./observe.js";
import { type ShiftRecord, shiftBeforeCutover, shiftsInSteps, weightsRecord } from "./shift.js";
import { register, registerTargets, stage, startStopped } from "./stage.js";
import { finishRestartRemedy, knownGoodPastRestart } from "./switched-record.js";

export interface RunState {
  progress: Progress;
  times: CutoverTimes;
  webhookBefore: WebhookInfo;
  bakeMs: number;
  cutoverAt?: number;
  baseline?: Map<string, number>;
  /** When this run last started the goal's containers: the settle window counts from there. */
  startedAt?: number;
  /** Every step applied, in order: tests and --json consumers read the path a run took. */
  steps: string[];
  /** Hooks that ran, for the audit record. */
  hooks: HookRecord[];
  /** Canary/linear steps taken, with their weights (empty for all-at-once). */
  shifts: ShiftRecord[];
  /** Whether any update reached the new colour during its bake. */
  bakeUpdates?: BakeUpdates;
}

export function newRunState(webhookBefore: WebhookInfo, bakeMs: number): RunState {
  return { progress: { gates: "pending", baked: false }, times: {}, webhookBefore, bakeMs, steps: [], hooks: [], shifts: [] };
}

const MAX_STEPS = 30;

/**
 * `initial`: the world the caller observed right before, when nothing ran since that could have
 * moved it (no hook): the loop's first step is decided on it instead of reading it all again.
 */
export async function converge(ctx: Ctx, goal: Goal, state: RunState, initial?: World): Promise<World> {
  const seen: Seen = { left: null };
  try {
    return await convergeSteps(ctx, goal, state, initial, seen);
  } catch (e) {
    // A rollback stopped by a signal once something moved (or runs) says what, and what finishes it.
    if (e instanceof CancelledError && seen.left !== null && e.remedy === undefined)
      throw new CancelledError(e.signal, `cancelled by ${e.signal} ${seen.left.where}`, seen.left.remedy);
    throw e;
  }
}

/** What a rollback stopped right now would leave, as of the snapshot its last step was decided on. */
interface Seen {
  left: { where: string; remedy: string } | null;
}

/**
 * What a rollback cancelled in this state leaves beyond its in-flight record (null: nothing moved
 * and nothing of it runs; the caller's "nothing is half-moved" is true). Webhook mode: both switches
 * already on its colour (past its restart's mark: its containers there are not gated yet), which
 * only the next `rollback` finishes. Polling has no switch: its record's phase cutover is written
 * before the handover, so what moved is read from the pollers themselves (review2 L1).
 */
export function cancelledRollbackLeaves(s: Snapshot, goal: Goal, environment: string): Seen["left"] {
  if (goal.kind !== "rollback") return null;
  if (goal.mode !== "polling")
    return trafficMoved(s, goal)
      ? {
          where: `with both switches on ${goal.colour} (${goal.releaseId}), its restarted containers there not gated yet`,
          remedy: finishRestartRemedy(environment),
        }
      : null;
  if (!s.hosts.every((h) => runsGoal(h.container, goal))) return null;
  const from = otherColour(goal.colour);
  // Back across a mode switch, what still runs on the other colour is webhook containers, not a poller.
  const others =
    goal.switchFrom === "webhook"
      ? { run: `${from} containers (webhook mode), which still serve`, stop: `${from} containers` }
      : { run: `${from} poller, which still polls`, stop: `${from} one` };
  if (s.hosts.some((h) => h.other?.running === true))
    return {
      where: `before its handover: the ${goal.colour} poller (${goal.releaseId}) runs again beside the ${others.run}; nothing was handed over`,
      remedy: `\`bluegreen rollback ${environment}\` finishes the interrupted rollback (it gates the ${goal.colour} poller and stops the ${others.stop})`,
    };
  return {
    where: `with the ${goal.colour} poller (${goal.releaseId}) polling alone (the handover back ran), not gated yet`,
    remedy: `\`bluegreen rollback ${environment}\` finishes the interrupted rollback (it gates the ${goal.colour} poller, which polls again)`,
  };
}

async function convergeSteps(ctx: Ctx, goal: Goal, state: RunState, initial: World | undefined, seen: Seen): Promise<World> {
  let previous: { world: World; step: string; facts: StepFacts } | undefined;
  for (let i = 0; i < MAX_STEPS; i++) {
    // The first observe reads everything; after a step, only what that step may have moved.
    const world =
      previous !== undefined
        ? await observe(ctx, previous.world, refreshAfter(previous.step, goal.colour, previous.facts))
        : i === 0 && initial !== undefined
          ? initial
          : await observe(ctx);
    const snapshot = snapshotFor(ctx, world, goal);
    const step = decide(snapshot, goal, state.progress);
    seen.left = cancelledRollbackLeaves(snapshot, goal, ctx.settings.environment);
    if (step.kind === "done") return world;
    if (step.kind === "failed") {
      if (trafficMoved(snapshot, goal)) throw new BakeFailed(step.reason, ctx.clock.now());
      throw await gateFailure(ctx, goal, step.reason);
    }
    if (step.kind === "blocked") {
      // A restart that did not survive its `docker start`: its logs say why; starting it by hand would too.
      const env = ctx.settings.environment;
      throw new RollbackFailedError(
        `cannot continue the ${goal.kind} of ${goal.releaseId}: ${step.reason}`,
        state.progress.justStarted !== undefined
          ? `inspect it with \`docker logs ${containerName(ctx.settings.container.name, goal.colour)}\` on the hosts and \`bluegreen status ${env}\`; ${knownGoodPastRestart(env)}`
          : `run \`bluegreen status ${env}\`; restart the containers on that colour or roll back by hand`,
      );
    }
    // A signal stops the run here, between two whole steps (never inside a cutover). Not before a
    // rollback's record of switches already on its colour (its restart's mark, or the finalize):
    // stopped there, they would stay moved with nothing a later `rollback` could finish from.
    if (!recordsMovedSwitches(goal, step, snapshot, state.progress)) throwIfCancelled(ctx);
    const name = step.kind === "mark" ? `mark-${step.phase}` : step.kind;
    state.steps.push(name);
    // A mark only writes tags: a container down after it did not survive the start before it either.
    if (step.kind !== "mark") state.progress.justStarted = step.kind === "start" ? step.instanceIds : undefined;
    const started = ctx.clock.now();
    ctx.reporter.step({ step: name, status: "start", colour: goal.colour });
    /** The hosts' containers as this step itself last read them (#17: the next observe needs no exec for them). */
    let read: ReadonlyMap<string, HostFacts["containers"]> | undefined;
    let facts: StepFacts = {};
    /** The cutover's ModifyListener answer: the listener after the move (its read-back, #17). */
    let answered: ForwardTarget[] | undefined;
    switch (step.kind) {
      case "mark":
        await ctx.lb
          .setTags(ctx.listenerArn, {
            ...encodeInFlight({
              kind: goal.kind,
              releaseId: goal.releaseId,
              colour: goal.colour,
              image: goal.image,
              from: goal.from,
              startedAt: new Date(ctx.clock.now()).toISOString(),
              phase: step.phase,
            }),
            // Written before anything moves: a rollback (automatic, or a later run's) knows where to return.
            ...(goal.unmanaged !== undefined ? encodeUnmanaged(goal.unmanaged) : {}),
            [TAG.environment]: ctx.settings.environment,
          })
          .catch((e: unknown) => {
            // A container where traffic is stays stopped until restarted: without its mark (a full
            // listener, or AddTags denied) it is restarted and gated all the same, in this run only.
            if (step.phase !== "restarting") throw e;
            state.progress.restartUnmarked = true;
            ctx.reporter.step({
              step: name,
              status: "info",
              message: `the restart could not be recorded on the listener (${e instanceof Error ? e.message : String(e)}): restarting and gating ${goal.colour} without the mark, in this run only; ${unmarkedKillLeaves(ctx, world, goal)}`,
              colour: goal.colour,
            });
          });
        break;
      case "stage":
        read = await stage(ctx, world, goal, step.instanceIds);
        state.startedAt = ctx.clock.now();
        break;
      case "start":
        await startStopped(ctx, goal, step.instanceIds);
        state.startedAt = ctx.clock.now();
        state.progress.restarted = true;
        // Whatever passed before (a cold rollback's gates, then a container that stopped during
        // its cutover) was another start: this one passes the gates again.
        state.progress.gates = "pending";
        break;
      case "register":
        await register(ctx, goal, step.instanceIds);
        break;
      case "reference":
        await referenceColour(ctx, goal.colour, liveByListener(world.traffic), world.listener.forward);
        break;
      case "gates":
        // Only decide knows the switches are both on the goal already (a shared webhook URL makes
        // "the webhook is on the goal" true before any traffic moved).
        if (step.whereTrafficIs === true) {
          // Containers this run restarted (its `start` step) may be a moment from listening, like staged ones.
          read = await gatesWhereTrafficIs(ctx, goal, world, state.startedAt !== undefined);
          state.progress.gates = "passed";
          break;
        }
        // Containers this run staged or restarted may be a moment from listening: the first
        // attempt's /health waits for their ports (a resumed run's containers are not waited for).
        read = await waitForGates(ctx, goal, state.webhookBefore, goal.from, { startedThisRun: state.startedAt !== undefined });
        // Smoke updates reach the containers after the gates' last inspect (one may crash them): read again.
        if (await smokeTest(ctx, goal)) read = undefined;
        state.progress.gates = "passed";
        facts = { cutoverMarked: world.tags.inFlight?.releaseId === goal.releaseId && world.tags.inFlight.phase === "cutover" };
        break;
      case "cutover":
        // A late setWebhook/deleteWebhook from the new containers between the gates and now would be
        // overwritten by the cutover and go unnoticed: the webhook observed just now must be the one
        // from before the release.
        if (step.moveWebhook && state.progress.gates === "passed" && world.webhook.url !== state.webhookBefore.url) {
          throw await undoBotWebhookCall(ctx, goal, world.webhook, state.webhookBefore, goal.from, "after its gates passed");
        }
        // The restarts the bake counts from: this step's world read every host moments ago (after
        // the gates, or a whole observe when a run resumes here), so no second inspect (#17). A
        // restart after that reading counts against the new colour in the bake: the safe side.
        state.baseline = baselineFrom(world, goal);
        // canary/linear: the weighted steps first, each watched; the cutover below is the last (100%).
        if (shiftsInSteps(ctx, goal, step)) {
          await shiftBeforeCutover(ctx, goal, step, state.baseline, state.times, state.shifts);
          // The shared webhook was checked (and its settings put right) before the first step.
          answered = await cutover(ctx, goal, { ...step, moveWebhook: false }, state.times);
        } else answered = await cutover(ctx, goal, step, state.times);
        if (state.shifts.length > 0) {
          const last = state.shifts[state.shifts.length - 1] as ShiftRecord;
          state.shifts.push({ step: last.of, of: last.of, percent: 100, weights: weightsRecord(goal, 100), at: new Date(ctx.clock.now()).toISOString() });
          await ctx.lb.setTags(ctx.listenerArn, encodeShift({ step: last.of, of: last.of, percent: 100 }));
        }
        state.cutoverAt = state.times.listenerMovedAt ?? state.times.webhookMovedAt ?? state.times.handedOverAt ?? ctx.clock.now();
        // A rollback has no bake to notice a container that stopped as the switches moved: the hosts
        // are read again before it can finalize (the restart and its gates follow from that reading).
        facts = {
          rereadHosts: cutoverStopsContainers(goal) || state.times.handedOverAt !== undefined || goal.kind === "rollback",
          listenerAnswered: answered !== undefined,
        };
        if (goal.kind === "release") await runHookAt(ctx, "postCutover", goal, state.hooks);
        break;
      case "bake": {
        const cutoverAt = state.cutoverAt ?? ctx.clock.now();
        // The webhook is watched until every new container has been up for gates.settle, even past a short bake.
        const settleUntil = (state.startedAt ?? cutoverAt) + ctx.settings.gates.settleMs;
        read = await bake(ctx, goal, cutoverAt, state.baseline ?? (await restartBaseline(ctx, goal)), state.bakeMs, settleUntil);
        state.progress.baked = true;
        // A bake that no update reached is reported unverified, not verified.
        state.bakeUpdates = await countBakeUpdates(ctx, goal, cutoverAt);
        if (state.bakeUpdates !== undefined && !state.bakeUpdates.verified)
          ctx.reporter.step({ step: "bake", status: "info", message: state.bakeUpdates.message, colour: goal.colour });
        break;
      }
      case "finalize": {
        const warmUntil =
          goal.from !== null && goal.kind === "release" ? new Date(ctx.clock.now() + ctx.settings.rollout.keepPreviousWarmMs).toISOString() : null;
        const t = finalTags(world.tags, goal, { baked: state.progress.baked, warmUntil });
        await writeFinalTags(ctx, goal, { ...t, set: { ...t.set, [TAG.environment]: ctx.settings.environment } });
        break;
      }
    }
    ctx.reporter.step({ step: name, status: "ok", colour: goal.colour, elapsedMs: ctx.clock.now() - started });
    // What our RegisterTargets wrote is known without reading it back (the gates read the group next).
    // What our ModifyListener answered is the listener after the cutover (no read-back call).
    const after =
      step.kind === "register"
        ? registered(world, goal.colour, registerTargets(ctx, goal, step.instanceIds))
        : answered !== undefined
          ? withForward(world, answered)
          : world;
    const own = withHosts(after, read);
    previous = { world: own.world, step: name, facts: { ...facts, hostsRead: own.hostsRead } };
  }
  throw new BluegreenError(`the ${goal.kind} did not converge in ${MAX_STEPS} steps`, "internal", "run `bluegreen status` and report this as a bug");
}

/**
 * A rollback's tag write that records switches already moved to its colour, and the `start` its
 * restart's mark announced: never cancelled before them. Stopped before that start, a container
 * would stay stopped where traffic is until someone ran `rollback`; started, the run stops right
 * after it (the mark still says restarting, so `rollback` gates it).
 */
function recordsMovedSwitches(goal: Goal, step: Step, s: Snapshot, progress: Progress): boolean {
  if (goal.kind !== "rollback") return false;
  if (step.kind === "finalize" || (step.kind === "mark" && step.phase === "restarting")) return true;
  const f = s.tags.inFlight;
  const marked = f !== null && f.kind === "rollback" && f.releaseId === goal.releaseId && f.phase === "restarting";
  return step.kind === "start" && (marked || progress.restartUnmarked === true);
}

/**
 * What a run killed during the gates of an unmarked restart leaves (review L3): with no record in
 * flight (a warm rollback writes none before its move), switches on the goal and a record naming
 * the other release live, which `rollback` refuses; with one (the release an automatic rollback
 * undoes, a cold rollback's cutover), a next run that finishes it on the ALB's health alone.
 */
function unmarkedKillLeaves(ctx: Ctx, world: World, goal: Goal): string {
  const f = world.tags.inFlight;
  if (f === null)
    return `killed before its gates pass, it leaves both switches on ${goal.colour} with ${world.tags.live?.releaseId ?? "another release"} recorded live: \`bluegreen rollback ${ctx.settings.environment}\` then refuses and the restarted containers stay ungated (\`bluegreen status ${ctx.settings.environment}\` shows it)`;
  return `killed before its gates pass, it leaves the interrupted ${f.kind} ${f.releaseId} on the listener: the next \`rollback\` or \`release\` finishes it once the restarted containers run and the ALB reports them healthy, without these gates`;
}

/**
 * The bookkeeping after a good release: in-flight tags go first (room under ELBv2's 50 tags per
 * listener), then the final ones, each retried. A failure here never rolls back what went live:
 * it stops with exit 3, the exact state, and the command that writes the tags by hand.
 */
async function writeFinalTags(ctx: Ctx, goal: Goal, t: { set: Record<string, string>; remove: string[] }): Promise<void> {
  const retry = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 };
  try {
    await pRetry(() => ctx.lb.removeTags(ctx.listenerArn, t.remove), retry);
    await pRetry(() => ctx.lb.setTags(ctx.listenerArn, t.set), retry);
  } catch (e) {
    const tags = Object.entries(t.set)
      .map(([k, v]) => `Key=${k},Value=${v}`)
      .join(" ");
    throw new FinalTagsError(
      `${goal.releaseId} is live on ${goal.colour} (listener and webhook moved${goal.kind === "release" ? ", bake passed" : ""}), but its final tags could not be written: ${e instanceof Error ? e.message : String(e)}; nothing was rolled back`,
      `write them by hand (make room first if the listener has 50 tags): aws elbv2 add-tags --resource-arns ${ctx.listenerArn} --tags ${tags}`,
    );
  }
}

/**
 * The gates of containers restarted where traffic already is (a warm rollback's container that
 * stopped as the switches moved). The webhook to keep is the one on the goal colour now, and a bot
 * call that moves it is undone back to it; a failure is not "the live release is untouched": the
 * goal colour serves, so it is a failed rollback, named with what to do.
 */
async function gatesWhereTrafficIs(ctx: Ctx, goal: Goal, world: World, startedThisRun: boolean): Promise<GateReadings> {
  const polling = goal.mode === "polling";
  try {
    // A poller must keep running (and keep the webhook deleted) for gates.settle: one that dies a
    // few seconds after its start would otherwise be reported as what serves.
    return await waitForGates(ctx, goal, world.webhook, goal.colour, { startedThisRun, ...(polling ? { holdMs: ctx.settings.gates.settleMs } : {}) });
  } catch (e) {
    if (!(e instanceof GateFailedError)) throw e;
    if (polling) throw pollerNotVerified(ctx, goal, e);
    throw new RollbackFailedError(
      `${goal.releaseId} serves on ${goal.colour} again, but its containers stopped as the switches moved; restarted, they did not pass the gates: ${e.message}`,
      `inspect them with \`docker logs ${containerName(ctx.settings.container.name, goal.colour)}\` on the hosts and \`bluegreen status ${ctx.settings.environment}\`; ${knownGoodPastRestart(ctx.settings.environment)} (a plain release refuses while the restart's mark stays)`,
    );
  }
}

/**
 * A polling rollback whose restarted poller failed its gates: the failed colour's poller is stopped
 * (the handover back), so no verified poller takes updates; Telegram keeps them up to 24 h.
 */
function pollerNotVerified(ctx: Ctx, goal: Goal, e: GateFailedError): RollbackFailedError {
  const env = ctx.settings.environment;
  const name = containerName(ctx.settings.container.name, goal.colour);
  const failed = containerName(ctx.settings.container.name, otherColour(goal.colour));
  return new RollbackFailedError(
    `the ${goal.colour} poller (${goal.releaseId}) was started again and ${failed} stopped, but ${name} did not pass its gates (running, /health if configured, no webhook set, held for gates.settle ${formatDuration(ctx.settings.gates.settleMs)}): ${e.message}; no verified poller takes updates now (Telegram keeps them up to 24 h for getUpdates)`,
    `inspect it with \`docker logs ${name}\` on the hosts and run \`bluegreen status ${env}\`; release a known-good image with \`bluegreen release ${env} --image <tag>\``,
  );
}
