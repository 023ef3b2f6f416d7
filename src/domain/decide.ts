// decide: (snapshot, goal) -> the one next step. Pure: no I/O, no clock. The runner observes the
// world again after every step, so a release killed at any point is picked up by the next run.
import { decidePolling } from "./decide-polling.js";
import { containerVerdict } from "./gates.js";
import { isCutOverTo, servesTraffic } from "./traffic.js";
import type { Colour, ContainerFacts, ReleaseTags, TrafficFacts, UnmanagedRef, Urls } from "./types.js";

export interface Goal {
  kind: "release" | "rollback";
  colour: Colour;
  releaseId: string;
  image: string;
  /** Colour live when the goal was set (null on a first release). */
  from: Colour | null;
  /** The release live on `from` when the goal was set: the only one traffic may go back to. */
  fromReleaseId?: string;
  /** Automatic rollback to a warm colour: move first, verify after (every second counts). */
  urgent?: boolean;
  /** A first release that adopts what served before bluegreen: the release a rollback returns to. */
  unmanaged?: UnmanagedRef;
  /** How the goal's containers get updates; absent = webhook. A polling goal is decided by decidePolling. */
  mode?: "webhook" | "polling";
  /**
   * A mode switch: what ran before was the other mode (polling -> webhook, or back). The cutover
   * then also ends the other mode: a webhook cutover stops the old pollers after setWebhook.
   */
  switchFrom?: "webhook" | "polling";
}

export interface HostView {
  instanceId: string;
  /** The goal colour's container on this host, if any. */
  container: ContainerFacts | undefined;
  /** The other colour's container on this host (the old poller a polling release hands over from). */
  other?: ContainerFacts | undefined;
  registered: boolean;
  /** The ALB reports this host's target of the goal colour healthy right now. */
  healthy: boolean;
}

export interface Snapshot {
  hosts: HostView[];
  traffic: TrafficFacts;
  urls: Urls;
  tags: ReleaseTags;
}

/** What the runner has measured in this run (gates and bake are verdicts, not world state). */
export interface Progress {
  gates: "pending" | "passed";
  baked: boolean;
  /** This run (re)started the goal's containers (a rollback's `start`): they pass the gates before the run ends, even where traffic already is. */
  restarted?: boolean;
  /**
   * The hosts this run's last `start` started, with only marks (tag writes) applied since; or the
   * pollers an automatic rollback's handover back started before its converge. A goal container
   * still not running there did not survive that start.
   */
  justStarted?: readonly string[];
  /**
   * The listener refused the restart's mark (its tags full: ELBv2 allows 50): the restart goes on
   * without it, gated in this run only, rather than leave a stopped container where traffic is.
   */
  restartUnmarked?: boolean;
}

export type Step =
  | { kind: "mark"; phase: "staging" | "cutover" | "restarting" }
  | { kind: "stage"; instanceIds: string[] }
  | { kind: "start"; instanceIds: string[] }
  | { kind: "register"; instanceIds: string[] }
  | { kind: "reference" }
  | { kind: "gates"; whereTrafficIs?: true }
  | { kind: "cutover"; moveListener: boolean; moveWebhook: boolean }
  | { kind: "bake" }
  | { kind: "finalize" }
  | { kind: "done" }
  /** The world is in a state no step of ours may repair safely: a human decides. */
  | { kind: "blocked"; reason: string }
  /** The release's own containers died: fail it (before traffic) or roll it back (after). */
  | { kind: "failed"; reason: string };

export function runsGoal(c: ContainerFacts | undefined, goal: Goal): boolean {
  return c?.running === true && c.releaseId === goal.releaseId;
}

/**
 * A rollback's containers started a moment ago (the last step was their `start`) and not running
 * again: the restart failed (a crash on start). Another `start` would loop until the step limit;
 * a human reads their logs. Webhook containers and pollers alike. `null` when every host that
 * `start` named runs: a host that died beside it (it was running) did not fail a start of ours.
 */
export function failedStart(notRunning: readonly HostView[], progress: Progress): Step | null {
  const started = progress.justStarted;
  const failed = started === undefined ? [] : notRunning.filter((h) => started.includes(h.instanceId));
  if (failed.length === 0) return null;
  return {
    kind: "blocked",
    reason: failed
      .map((h) => {
        const v = containerVerdict(h.container);
        return `${h.instanceId}: ${h.container?.name ?? "its container"} is not running right after its docker start (${v.kind === "ok" ? "stopped" : v.reason})`;
      })
      .join("; "),
  };
}

/**
 * Whether this goal already moved traffic (so a failure now is rolled back, not abandoned). A
 * webhook goal moved a switch; a polling goal marked its handover (the old poller may be stopped).
 */
export function trafficMoved(s: Snapshot, goal: Goal): boolean {
  if (goal.mode === "polling") {
    const f = s.tags.inFlight;
    return f !== null && f.releaseId === goal.releaseId && f.kind === goal.kind && f.phase !== "staging";
  }
  const on = trafficOnGoal(s, goal);
  // One URL for both colours (canary/linear): the webhook is "on the goal" before anything moved,
  // so only the listener says; any weight on the goal (a canary step) is traffic moved.
  if (s.urls.blue === s.urls.green) return on.listener || (s.traffic.weights[goal.colour] ?? 0) > 0;
  return on.listener || on.webhook;
}

export function trafficOnGoal(s: Snapshot, goal: Goal): { listener: boolean; webhook: boolean } {
  const url = s.urls[goal.colour];
  return {
    listener: isCutOverTo(s.traffic, goal.colour),
    webhook: s.traffic.webhookUrl === url && s.traffic.webhookSettingsMatch,
  };
}

export function decide(s: Snapshot, goal: Goal, progress: Progress): Step {
  if (goal.mode === "polling") return decidePolling(s, goal, progress);
  const inFlight = s.tags.inFlight;
  const marked = inFlight !== null && inFlight.releaseId === goal.releaseId && inFlight.kind === goal.kind;
  const on = trafficOnGoal(s, goal);
  const live = on.listener && on.webhook;
  const finalized = s.tags.live?.releaseId === goal.releaseId && s.tags.live.colour === goal.colour && inFlight === null;
  // A restart where traffic already is, recorded on the listener (in this run or a killed one):
  // the restarted containers pass the gates before the run ends.
  const restartMarked = marked && inFlight.phase === "restarting";

  const pollersLeft = goal.switchFrom === "polling" && s.hosts.some((h) => h.other?.running === true && h.other.mode === "polling");
  if (finalized && live && !pollersLeft) return { kind: "done" };
  if (!marked && !live) return { kind: "mark", phase: "staging" };

  const notRunning = s.hosts.filter((h) => !runsGoal(h.container, goal));
  if (notRunning.length > 0) {
    // A stopped container of the same release is restarted (a cold rollback); anything else is staged anew.
    const restartable = notRunning.filter((h) => h.container !== undefined && h.container.releaseId === goal.releaseId);
    if (goal.kind === "rollback" && restartable.length > 0) {
      const failed = failedStart(restartable, progress);
      if (failed !== null) return failed;
      // Where both switches already are, the restart is recorded first: a run killed during the
      // gates that follow leaves a mark the next run gates from, instead of finalizing unseen.
      if (live && !restartMarked && progress.restartUnmarked !== true) return { kind: "mark", phase: "restarting" };
      return { kind: "start", instanceIds: restartable.map((h) => h.instanceId) };
    }
    // Our release's containers exist but died: staging them again would hide a crash. Fail it.
    const died = notRunning.filter((h) => h.container !== undefined && h.container.releaseId === goal.releaseId);
    if (goal.kind === "release" && died.length > 0) {
      const first = died[0] as HostView;
      const v = containerVerdict(first.container);
      return { kind: "failed", reason: `${first.instanceId}: ${v.kind === "ok" ? "container stopped" : v.reason}` };
    }
    // Never replace containers of a colour that serves traffic: that would be an outage, not a release.
    if (servesTraffic(s.traffic, s.urls, goal.colour)) {
      return {
        kind: "blocked",
        reason: `${goal.colour} serves traffic, but ${notRunning.map((h) => h.instanceId).join(", ")} do(es) not run ${goal.releaseId} there`,
      };
    }
    return { kind: "stage", instanceIds: notRunning.map((h) => h.instanceId) };
  }
  const unregistered = s.hosts.filter((h) => !h.registered);
  if (unregistered.length > 0) return { kind: "register", instanceIds: unregistered.map((h) => h.instanceId) };

  if (!live) {
    if (s.traffic.weights[goal.colour] === undefined && !on.listener) return { kind: "reference" };
    // Skipping the gates needs proof the colour serves now: every target healthy on the ALB. An
    // urgent rollback to a colour whose containers were restarted, or are not healthy, is gated.
    const healthyNow = s.hosts.every((h) => h.healthy);
    const gatesNeeded = restartMarked || !(healthyNow && (goal.urgent === true || on.listener));
    if (gatesNeeded && progress.gates !== "passed") return { kind: "gates" };
    if (inFlight?.phase !== "cutover" || !marked) return { kind: "mark", phase: "cutover" };
    return { kind: "cutover", moveListener: !on.listener, moveWebhook: !on.webhook };
  }
  // A switch from polling: pollers of the other colour still running after setWebhook (their
  // getUpdates only meets 409 now) are stopped by a cutover that has nothing left to move.
  if (pollersLeft) {
    return { kind: "cutover", moveListener: false, moveWebhook: false };
  }
  // A warm rollback whose container stopped as the switches moved restarts it where traffic already
  // is: what serves is a fresh start nobody has checked, so it passes the gates before the run ends
  // (or the next run's, from the mark, when this one was killed or cancelled during them).
  if ((progress.restarted === true || restartMarked) && progress.gates !== "passed") return { kind: "gates", whereTrafficIs: true };
  if (goal.kind === "release" && !progress.baked && !finalized) return { kind: "bake" };
  return { kind: "finalize" };
}
