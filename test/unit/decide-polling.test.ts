// decide for a polling goal: the same steps as webhook mode, but the switch is which poller runs.
// Goal: release r2 (poller) on green from the blue poller r1, two hosts.
import { describe, expect, it } from "vitest";
import { decide, type Goal, type Progress, type Snapshot, type Step, trafficMoved } from "../../src/domain/decide.js";
import type { ContainerFacts, InFlight } from "../../src/domain/types.js";
import { flight, GOAL_REF, IMAGE, OLD_REF } from "../fakes/decide-snapshot.js";

const RELEASE: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMAGE, from: "blue", mode: "polling" };
const ROLLBACK: Goal = { kind: "rollback", colour: "blue", releaseId: "r1", image: OLD_REF.image, from: "green", mode: "polling", urgent: true };

type C = "missing" | "running" | "stopped" | "restarting" | "old";
function poller(state: C, colour: "blue" | "green", releaseId: string): ContainerFacts | undefined {
  if (state === "missing") return undefined;
  return {
    name: `bot-${colour}`,
    colour,
    releaseId: state === "old" ? "r0" : releaseId,
    image: IMAGE,
    running: state === "running",
    status: state === "restarting" ? "restarting" : state === "running" ? "running" : "exited",
    exitCode: state === "running" ? 0 : 3,
    oomKilled: false,
    restartCount: state === "restarting" ? 2 : 0,
    startedAt: null,
    mode: "polling",
  };
}

interface Row {
  goal?: Goal;
  green?: C;
  blue?: C;
  webhook?: string;
  inFlight?: InFlight | null;
  live?: typeof OLD_REF | null;
  progress?: Progress;
}

function snap(r: Row): Snapshot {
  const g = r.goal ?? RELEASE;
  const other = g.colour === "green" ? "blue" : "green";
  const mine = g.colour === "green" ? (r.green ?? "running") : (r.blue ?? "running");
  const theirs = g.colour === "green" ? (r.blue ?? "running") : (r.green ?? "stopped");
  const otherRelease = other === "blue" ? "r1" : "r2";
  return {
    hosts: ["i-1", "i-2"].map((instanceId) => ({
      instanceId,
      container: poller(mine, g.colour, g.releaseId),
      other: poller(theirs, other, otherRelease),
      registered: true,
      // A poller has no ALB target: observe reports it healthy (its gates are its own).
      healthy: true,
    })),
    traffic: { weights: {}, foreignTargets: false, hasTargets: { blue: false, green: false }, webhookUrl: r.webhook ?? "", webhookSettingsMatch: true },
    urls: { blue: "", green: "" },
    tags: {
      live: r.live === undefined ? OLD_REF : r.live,
      previous: null,
      verified: null,
      inFlight: r.inFlight ?? null,
      previousWarmUntil: null,
      unmanaged: null,
    },
  };
}

const PENDING: Progress = { gates: "pending", baked: false };
const GATED: Progress = { gates: "passed", baked: false };
const BAKED: Progress = { gates: "passed", baked: true };

const rows: [string, Row, Step][] = [
  ["nothing marked yet: mark staging", { green: "missing", inFlight: null }, { kind: "mark", phase: "staging" }],
  [
    "marked, no new poller: stage it on every host",
    { green: "missing", inFlight: flight("release", "r2", "staging") },
    { kind: "stage", instanceIds: ["i-1", "i-2"] },
  ],
  [
    "a stale container of another release is staged over",
    { green: "old", inFlight: flight("release", "r2", "staging") },
    { kind: "stage", instanceIds: ["i-1", "i-2"] },
  ],
  [
    "the new poller crashed on boot: fail it (never stage again)",
    { green: "stopped", inFlight: flight("release", "r2", "staging") },
    { kind: "failed", reason: "i-1: container bot-green exited with code 3" },
  ],
  [
    "the new poller is in a restart loop: fail it",
    { green: "restarting", inFlight: flight("release", "r2", "staging") },
    { kind: "failed", reason: "i-1: container bot-green is in a restart loop (exit code 3, 2 restarts)" },
  ],
  ["running, both pollers take updates: gates", { inFlight: flight("release", "r2", "staging"), progress: PENDING }, { kind: "gates" }],
  ["gated: mark the handover", { inFlight: flight("release", "r2", "staging"), progress: GATED }, { kind: "mark", phase: "cutover" }],
  [
    "handover marked: stop the old poller",
    { inFlight: flight("release", "r2", "cutover"), progress: GATED },
    { kind: "cutover", moveListener: false, moveWebhook: false },
  ],
  [
    "a webhook is set (switch from webhook): delete it at the handover",
    { inFlight: flight("release", "r2", "cutover"), webhook: "https://bot.example.com/telegram/blue", progress: GATED },
    { kind: "cutover", moveListener: false, moveWebhook: true },
  ],
  ["handed over: bake", { blue: "stopped", inFlight: flight("release", "r2", "baking"), progress: GATED }, { kind: "bake" }],
  ["baked: finalize", { blue: "stopped", inFlight: flight("release", "r2", "baking"), progress: BAKED }, { kind: "finalize" }],
  ["finalized, alone, no webhook: done", { blue: "stopped", inFlight: null, live: GOAL_REF }, { kind: "done" }],
  ["finalized but the old poller runs again: start over (mark)", { blue: "running", inFlight: null, live: GOAL_REF }, { kind: "mark", phase: "staging" }],
  [
    "the new poller died after the handover: failed (the runner rolls back)",
    { green: "stopped", blue: "stopped", inFlight: flight("release", "r2", "baking"), progress: GATED },
    { kind: "failed", reason: "i-1: container bot-green exited with code 3" },
  ],
  // The rollback to the blue poller r1, stopped at the handover.
  [
    "rollback: restart the stopped old poller",
    { goal: ROLLBACK, blue: "stopped", green: "running", inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" } },
    { kind: "start", instanceIds: ["i-1", "i-2"] },
  ],
  [
    "rollback: the poller it just started is not running again: blocked, never started again in a loop",
    {
      goal: ROLLBACK,
      blue: "stopped",
      green: "running",
      inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" },
      progress: { ...PENDING, justStarted: ["i-1", "i-2"] },
    },
    {
      kind: "blocked",
      reason:
        "i-1: bot-blue is not running right after its docker start (container bot-blue exited with code 3); i-2: bot-blue is not running right after its docker start (container bot-blue exited with code 3)",
    },
  ],
  [
    "urgent rollback skips the gates: mark",
    { goal: ROLLBACK, green: "running", inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" } },
    { kind: "mark", phase: "cutover" },
  ],
  [
    "rollback handover: stop the new poller",
    { goal: ROLLBACK, green: "running", inFlight: { ...flight("rollback", "r1", "cutover"), colour: "blue" } },
    { kind: "cutover", moveListener: false, moveWebhook: false },
  ],
  [
    "rollback handed back: the restarted poller passes the gates where it takes the updates (held for gates.settle)",
    { goal: ROLLBACK, green: "stopped", inFlight: { ...flight("rollback", "r1", "baking"), colour: "blue" } },
    { kind: "gates", whereTrafficIs: true },
  ],
  [
    "rollback gated: no bake, finalize",
    { goal: ROLLBACK, green: "stopped", inFlight: { ...flight("rollback", "r1", "baking"), colour: "blue" }, progress: GATED },
    { kind: "finalize" },
  ],
  [
    "cold rollback resumed before its handover, the failed poller still runs: plain gates",
    { goal: { ...ROLLBACK, urgent: false }, green: "running", inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" } },
    { kind: "gates" },
  ],
  [
    "rollback resumed from staging after its handBack (its poller polls alone): the gates held where it takes the updates",
    { goal: { ...ROLLBACK, urgent: false }, green: "stopped", inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" } },
    { kind: "gates", whereTrafficIs: true },
  ],
  [
    "cold rollback gated before its handover: no second gates, finalize",
    { goal: { ...ROLLBACK, urgent: false }, green: "stopped", inFlight: { ...flight("rollback", "r1", "baking"), colour: "blue" }, progress: GATED },
    { kind: "finalize" },
  ],
];

describe("decide (polling goal)", () => {
  it.each(rows)("%s", (_name, row, step) => {
    expect(decide(snap(row), row.goal ?? RELEASE, row.progress ?? PENDING)).toEqual(step);
  });

  it("names only the hosts its `start` started: a poller that died beside it (it was running) is started, once", () => {
    const row: Row = { goal: ROLLBACK, blue: "stopped", green: "running", inFlight: { ...flight("rollback", "r1", "staging"), colour: "blue" } };
    // Only i-2 was started; i-1's poller, running until then, died in the same moment.
    expect(decide(snap(row), ROLLBACK, { ...PENDING, justStarted: ["i-2"] })).toEqual({
      kind: "blocked",
      reason: "i-2: bot-blue is not running right after its docker start (container bot-blue exited with code 3)",
    });
    // i-2 survived its start; i-1 died beside it: not a start that failed, so it is started.
    const s = snap(row);
    const i2 = s.hosts[1];
    if (i2 === undefined) throw new Error("two hosts");
    i2.container = poller("running", "blue", "r1");
    expect(decide(s, ROLLBACK, { ...PENDING, justStarted: ["i-2"] })).toEqual({ kind: "start", instanceIds: ["i-1"] });
  });

  it("traffic counts as moved only once the handover was marked", () => {
    expect(trafficMoved(snap({ inFlight: flight("release", "r2", "staging") }), RELEASE)).toBe(false);
    expect(trafficMoved(snap({ inFlight: flight("release", "r2", "cutover") }), RELEASE)).toBe(true);
    expect(trafficMoved(snap({ inFlight: flight("release", "r2", "baking") }), RELEASE)).toBe(true);
  });
});
