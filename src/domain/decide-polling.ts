// decide for a polling goal. There is no listener: the "switch" is which poller runs. Telegram
// hands each update to whichever getUpdates call asks, so the new poller takes updates from the
// moment it starts; the handover (cutover) stops the old poller, and Telegram must hold no webhook
// (getUpdates answers 409 while one is set). Same steps, same loop, same tags as webhook mode.
import type { Goal, HostView, Progress, Snapshot, Step } from "./decide.js";
import { failedStart, runsGoal } from "./decide.js";
import { containerVerdict } from "./gates.js";

export function decidePolling(s: Snapshot, goal: Goal, progress: Progress): Step {
  const inFlight = s.tags.inFlight;
  const marked = inFlight !== null && inFlight.releaseId === goal.releaseId && inFlight.kind === goal.kind;
  const finalized = s.tags.live?.releaseId === goal.releaseId && s.tags.live.colour === goal.colour && inFlight === null;
  // Another colour's container still running: an old poller that would keep taking updates.
  const others = s.hosts.filter((h) => h.other?.running === true);
  const webhookSet = s.traffic.webhookUrl !== "";
  const allRunning = s.hosts.every((h) => runsGoal(h.container, goal));

  if (finalized && allRunning && others.length === 0 && !webhookSet) return { kind: "done" };
  if (!marked) return { kind: "mark", phase: "staging" };

  const notRunning = s.hosts.filter((h) => !runsGoal(h.container, goal));
  if (notRunning.length > 0) {
    const ours = notRunning.filter((h) => h.container !== undefined && h.container.releaseId === goal.releaseId);
    // A rollback restarts the poller it stopped at the handover (cold, but the same container),
    // once: one not running right after its start crashed on it (never started again in a loop).
    if (goal.kind === "rollback" && ours.length > 0) {
      const failed = failedStart(ours, progress);
      if (failed !== null) return failed;
      return { kind: "start", instanceIds: ours.map((h) => h.instanceId) };
    }
    // The release's own poller died (crash on boot, restart loop): staging it again would hide it.
    if (goal.kind === "release" && ours.length > 0) {
      const first = ours[0] as HostView;
      const v = containerVerdict(first.container);
      return { kind: "failed", reason: `${first.instanceId}: ${v.kind === "ok" ? "container stopped" : v.reason}` };
    }
    return { kind: "stage", instanceIds: notRunning.map((h) => h.instanceId) };
  }

  if (inFlight?.phase === "staging") {
    // A rollback's poller that already polls alone (the automatic rollback's handBack ran, then
    // the run died before its mark-cutover) takes the updates now: its gates are held for
    // gates.settle, as after the handover (the same gates: passed here, none follow).
    const pollsAlone = goal.kind === "rollback" && others.length === 0 && !webhookSet;
    if (goal.urgent !== true && progress.gates !== "passed") return pollsAlone ? { kind: "gates", whereTrafficIs: true } : { kind: "gates" };
    return { kind: "mark", phase: "cutover" };
  }
  // The handover: a webhook would make every getUpdates fail, and the old poller must stop.
  if (others.length > 0 || webhookSet) return { kind: "cutover", moveListener: false, moveWebhook: webhookSet };
  // A rollback's poller started again without gates (the automatic one starts it at once, before
  // stopping the failed one: handBack) is what takes the updates now: it passes the gates, held for
  // gates.settle, before the rollback is reported. A cold rollback passed them before its handover.
  if (goal.kind === "rollback" && progress.gates !== "passed") return { kind: "gates", whereTrafficIs: true };
  if (goal.kind === "release" && !progress.baked && !finalized) return { kind: "bake" };
  return { kind: "finalize" };
}
