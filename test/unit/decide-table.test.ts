// decide(): one exact Step for each situation that matters. Goal is green (release r2 from blue)
// unless a row says otherwise; two hosts i-1 and i-2.
import { describe, expect, it } from "vitest";
import { decide, type Progress, type Snapshot, type Step, trafficMoved } from "../../src/domain/decide.js";
import { flight, GOAL_REF, RELEASE, ROLLBACK, type Row, snapshotOf, URGENT } from "../fakes/decide-snapshot.js";

const PENDING: Progress = { gates: "pending", baked: false };
const PASSED: Progress = { gates: "passed", baked: false };
const BAKED: Progress = { gates: "passed", baked: true };
const ON_GREEN = { blue: 0, green: 1 };
const stagingR2 = flight("release", "r2", "staging");
const cutoverR2 = flight("release", "r2", "cutover");
const bakingR2 = flight("release", "r2", "baking");
const rbStaging = flight("rollback", "r2", "staging");
const rbCutover = flight("rollback", "r2", "cutover");
const rbRestarting = flight("rollback", "r2", "restarting");

const rows: [string, Row, Step][] = [
  ["fresh release, nothing in flight", { hosts: ["missing", "missing"] }, { kind: "mark", phase: "staging" }],
  ["another release in flight (r1 at cutover)", { inFlight: flight("release", "r1", "cutover") }, { kind: "mark", phase: "staging" }],
  ["a rollback of the same id in flight is not this release", { inFlight: rbCutover }, { kind: "mark", phase: "staging" }],
  ["marked, no containers", { inFlight: stagingR2, hosts: ["missing", "missing"] }, { kind: "stage", instanceIds: ["i-1", "i-2"] }],
  ["marked, one host runs other release", { inFlight: stagingR2, hosts: ["this", "other"] }, { kind: "stage", instanceIds: ["i-2"] }],
  [
    "marked, release: a stopped container of this release fails it (a crash is never hidden by staging again)",
    { inFlight: stagingR2, hosts: ["stopped", "this"] },
    { kind: "failed", reason: "i-1: container telegram-bot-green exited with code 137" },
  ],
  [
    "marked at cutover, host lost its container",
    { inFlight: cutoverR2, hosts: ["this", "missing"], progress: PASSED },
    { kind: "stage", instanceIds: ["i-2"] },
  ],
  [
    "rollback: stopped container of this release is restarted",
    { goal: ROLLBACK, inFlight: rbStaging, hosts: ["stopped", "missing"] },
    { kind: "start", instanceIds: ["i-1"] },
  ],
  [
    "rollback: nothing restartable is staged",
    { goal: ROLLBACK, inFlight: rbStaging, hosts: ["missing", "other"] },
    { kind: "stage", instanceIds: ["i-1", "i-2"] },
  ],
  [
    "rollback: all stopped are restarted",
    { goal: ROLLBACK, inFlight: rbStaging, hosts: ["stopped", "stopped"] },
    { kind: "start", instanceIds: ["i-1", "i-2"] },
  ],
  ["running, i-2 unregistered", { inFlight: stagingR2, registered: [true, false] }, { kind: "register", instanceIds: ["i-2"] }],
  ["running, none registered", { inFlight: stagingR2, registered: [false, false] }, { kind: "register", instanceIds: ["i-1", "i-2"] }],
  ["goal colour not referenced by the listener", { inFlight: stagingR2, weights: { blue: 1 } }, { kind: "reference" }],
  ["first release: listener references nothing", { inFlight: stagingR2, weights: {}, live: null, webhook: "" }, { kind: "reference" }],
  ["referenced at weight 0, gates pending", { inFlight: stagingR2 }, { kind: "gates" }],
  ["both weights 1, gates pending", { inFlight: stagingR2, weights: { blue: 1, green: 1 } }, { kind: "gates" }],
  ["both weights 0, gates pending", { inFlight: stagingR2, weights: { blue: 0, green: 0 } }, { kind: "gates" }],
  ["gates passed, still marked staging", { inFlight: stagingR2, progress: PASSED }, { kind: "mark", phase: "cutover" }],
  ["gates passed, marked cutover", { inFlight: cutoverR2, progress: PASSED }, { kind: "cutover", moveListener: true, moveWebhook: true }],
  ["marked cutover but gates pending (new run) re-runs gates", { inFlight: cutoverR2 }, { kind: "gates" }],
  [
    "foreign targets on the listener",
    { inFlight: cutoverR2, foreign: true, weights: { blue: 1, green: 0 }, progress: PASSED },
    { kind: "cutover", moveListener: true, moveWebhook: true },
  ],
  [
    "foreign targets even with green 1 blue 0",
    { inFlight: cutoverR2, foreign: true, weights: ON_GREEN, progress: PASSED },
    { kind: "cutover", moveListener: true, moveWebhook: true },
  ],
  ["urgent rollback skips gates: mark cutover", { goal: URGENT, inFlight: rbStaging }, { kind: "mark", phase: "cutover" }],
  ["urgent rollback skips gates: cutover", { goal: URGENT, inFlight: rbCutover }, { kind: "cutover", moveListener: true, moveWebhook: true }],
  ["non-urgent rollback needs gates", { goal: ROLLBACK, inFlight: rbCutover }, { kind: "gates" }],
  [
    "listener already on goal: no gates, only the webhook moves",
    { inFlight: cutoverR2, weights: ON_GREEN },
    { kind: "cutover", moveListener: false, moveWebhook: true },
  ],
  ["listener on goal, marked staging: mark cutover first", { inFlight: stagingR2, weights: ON_GREEN }, { kind: "mark", phase: "cutover" }],
  [
    "webhook on goal URL but settings differ",
    { inFlight: cutoverR2, weights: ON_GREEN, webhook: "goal-mismatch" },
    { kind: "cutover", moveListener: false, moveWebhook: true },
  ],
  ["webhook deleted", { inFlight: cutoverR2, weights: ON_GREEN, webhook: "" }, { kind: "cutover", moveListener: false, moveWebhook: true }],
  [
    "webhook on goal, listener not: only the listener moves",
    { inFlight: cutoverR2, webhook: "goal", progress: PASSED },
    { kind: "cutover", moveListener: true, moveWebhook: false },
  ],
  ["webhook on goal, listener not, gates pending", { inFlight: cutoverR2, webhook: "goal" }, { kind: "gates" }],
  ["live, release not baked", { inFlight: bakingR2, weights: ON_GREEN, webhook: "goal", progress: PASSED }, { kind: "bake" }],
  ["live, release baked", { inFlight: bakingR2, weights: ON_GREEN, webhook: "goal", progress: BAKED }, { kind: "finalize" }],
  ["live, rollback needs no bake", { goal: ROLLBACK, inFlight: rbCutover, weights: ON_GREEN, webhook: "goal", progress: PASSED }, { kind: "finalize" }],
  ["live, urgent rollback needs no bake", { goal: URGENT, inFlight: rbCutover, weights: ON_GREEN, webhook: "goal" }, { kind: "finalize" }],
  [
    "live, urgent rollback that restarted its containers where traffic is: gates before the finalize",
    { goal: URGENT, inFlight: rbCutover, weights: ON_GREEN, webhook: "goal", progress: { gates: "pending", baked: false, restarted: true } },
    { kind: "gates", whereTrafficIs: true },
  ],
  [
    "live, urgent rollback restarted and gated: finalize",
    { goal: URGENT, inFlight: rbCutover, weights: ON_GREEN, webhook: "goal", progress: { gates: "passed", baked: false, restarted: true } },
    { kind: "finalize" },
  ],
  [
    "live, rollback whose container stopped where traffic is: the restart is marked on the listener first",
    { goal: URGENT, weights: ON_GREEN, webhook: "goal", hosts: ["stopped", "this"] },
    { kind: "mark", phase: "restarting" },
  ],
  [
    "live, rollback marked restarting, container still stopped: start",
    { goal: URGENT, inFlight: rbRestarting, weights: ON_GREEN, webhook: "goal", hosts: ["stopped", "this"] },
    { kind: "start", instanceIds: ["i-1"] },
  ],
  [
    "live, the listener refused the restart's mark: start without it",
    { goal: URGENT, weights: ON_GREEN, webhook: "goal", hosts: ["stopped", "this"], progress: { ...PENDING, restartUnmarked: true } },
    { kind: "start", instanceIds: ["i-1"] },
  ],
  [
    "live, marked restarting, a new run (gates pending, nothing restarted by it): gates where traffic is",
    { goal: URGENT, inFlight: rbRestarting, weights: ON_GREEN, webhook: "goal" },
    { kind: "gates", whereTrafficIs: true },
  ],
  [
    "live, marked restarting, gates passed: finalize",
    { goal: URGENT, inFlight: rbRestarting, weights: ON_GREEN, webhook: "goal", progress: PASSED },
    { kind: "finalize" },
  ],
  [
    "marked restarting but the switches moved off it: gated before they move back, even healthy and urgent",
    { goal: URGENT, inFlight: rbRestarting, weights: { blue: 1, green: 0 } },
    { kind: "gates" },
  ],
  [
    "a release's restarting mark is not this rollback's",
    { goal: URGENT, inFlight: flight("release", "r2", "restarting"), weights: ON_GREEN, webhook: "goal" },
    { kind: "finalize" },
  ],
  ["live and finalized", { live: GOAL_REF, weights: ON_GREEN, webhook: "goal" }, { kind: "done" }],
  ["live and finalized, even with hosts gone", { live: GOAL_REF, weights: ON_GREEN, webhook: "goal", hosts: ["missing", "stopped"] }, { kind: "done" }],
  ["tags.live is goal but traffic moved away", { live: GOAL_REF, weights: { blue: 1, green: 0 }, webhook: "other" }, { kind: "mark", phase: "staging" }],
  ["tags.live is goal, webhook settings drifted", { live: GOAL_REF, weights: ON_GREEN, webhook: "goal-mismatch" }, { kind: "mark", phase: "staging" }],
  ["live, tags.live goal but a flight is still recorded", { live: GOAL_REF, inFlight: bakingR2, weights: ON_GREEN, webhook: "goal" }, { kind: "bake" }],
  ["live by traffic, tags lost (unmarked): bake", { live: null, weights: ON_GREEN, webhook: "goal" }, { kind: "bake" }],
  ["live by traffic, unmarked, baked", { live: null, weights: ON_GREEN, webhook: "goal", progress: BAKED }, { kind: "finalize" }],
];

describe("decide", () => {
  it.each(rows)("%s", (_name, row, step) => {
    expect(decide(snapshotOf(row), row.goal ?? RELEASE, row.progress ?? PENDING)).toEqual(step);
  });

  it("with no hosts, goes straight to the traffic steps", () => {
    const s = snapshotOf({ inFlight: cutoverR2, progress: PASSED });
    expect(decide({ ...s, hosts: [] }, RELEASE, PASSED)).toEqual({ kind: "cutover", moveListener: true, moveWebhook: true });
  });

  it("with a single URL for both colours, the webhook counts as on goal", () => {
    const shared = "https://bot.example.com/telegram";
    const s = snapshotOf({ inFlight: cutoverR2, progress: PASSED });
    const snap: Snapshot = { ...s, urls: { blue: shared, green: shared }, traffic: { ...s.traffic, webhookUrl: shared } };
    expect(decide(snap, RELEASE, PASSED)).toEqual({ kind: "cutover", moveListener: true, moveWebhook: false });
  });

  it("with a single URL, traffic has moved only by the listener: none at weight 0, a canary step's weight or a cutover", () => {
    const shared = "https://bot.example.com/telegram";
    const at = (weights: Row["weights"]) => {
      const s = snapshotOf({ inFlight: cutoverR2, weights });
      return { ...s, urls: { blue: shared, green: shared }, traffic: { ...s.traffic, webhookUrl: shared } } satisfies Snapshot;
    };
    expect(trafficMoved(at({ blue: 1, green: 0 }), RELEASE)).toBe(false);
    expect(trafficMoved(at({ blue: 9, green: 1 }), RELEASE)).toBe(true);
    expect(trafficMoved(at(ON_GREEN), RELEASE)).toBe(true);
    // With a URL per colour the webhook alone is a switch that moved.
    const perColour = snapshotOf({ inFlight: cutoverR2, webhook: "goal" });
    expect(trafficMoved(perColour, RELEASE)).toBe(true);
  });
});
