// decide() over the full cross product of the dimensions that matter: safety rules that must hold
// in every one of them, whatever the exact step is.
import { describe, expect, it } from "vitest";
import { decide, type Goal, type Progress, type Snapshot, type Step, trafficOnGoal } from "../../src/domain/decide.js";
import { servesTraffic } from "../../src/domain/traffic.js";
import type { InFlight, ReleaseRef, TrafficFacts } from "../../src/domain/types.js";
import { type CState, flight, GOAL_REF, OLD_REF, RELEASE, ROLLBACK, type Row, snapshotOf, URGENT } from "../fakes/decide-snapshot.js";

interface Case {
  label: string;
  snap: Snapshot;
  goal: Goal;
  progress: Progress;
}

function* cases(): Generator<Case> {
  const goals: Goal[] = [RELEASE, { ...RELEASE, urgent: true }, ROLLBACK, URGENT];
  const flights: (InFlight | null)[] = [
    null,
    flight("release", "r2", "staging"),
    flight("release", "r2", "cutover"),
    flight("release", "r2", "baking"),
    flight("rollback", "r2", "staging"),
    flight("rollback", "r2", "cutover"),
    flight("release", "r1", "cutover"),
  ];
  const hostSets: [CState, CState][] = [];
  for (const a of ["missing", "other", "this", "stopped"] as const) for (const b of ["missing", "this", "stopped"] as const) hostSets.push([a, b]);
  // Registered and (for running containers) healthy by default; failing ALB checks: see the test below.
  const regs: Pick<Row, "registered" | "healthy">[] = [{ registered: [true, true] }, { registered: [true, false] }];
  const w = [undefined, 0, 1];
  const weights: TrafficFacts["weights"][] = [];
  for (const blue of w) for (const green of w) weights.push({ ...(blue !== undefined ? { blue } : {}), ...(green !== undefined ? { green } : {}) });
  const webhooks: Row["webhook"][] = ["goal", "other", "", "goal-mismatch"];
  const progresses: Progress[] = [
    { gates: "pending", baked: false },
    { gates: "passed", baked: false },
    { gates: "passed", baked: true },
  ];
  const lives: (ReleaseRef | null)[] = [null, GOAL_REF, OLD_REF];
  for (const goal of goals)
    for (const inFlight of flights)
      for (const hosts of hostSets)
        for (const reg of regs)
          for (const wt of weights)
            for (const foreign of [false, true])
              for (const webhook of webhooks)
                for (const progress of progresses)
                  for (const live of lives) {
                    const row: Row = { goal, inFlight, hosts, ...reg, weights: wt, foreign, webhook, progress, live };
                    yield {
                      label: JSON.stringify({
                        ...row,
                        goal: `${goal.kind}${goal.urgent ? "!" : ""}`,
                        inFlight: inFlight && `${inFlight.kind}/${inFlight.releaseId}/${inFlight.phase}`,
                      }),
                      snap: snapshotOf(row),
                      goal,
                      progress,
                    };
                  }
}

/** Returns the broken rule, or null. */
function violation(c: Case, step: Step): string | null {
  const on = trafficOnGoal(c.snap, c.goal);
  const live = on.listener && on.webhook;
  const t = c.snap.tags;
  const finalized = t.live?.releaseId === c.goal.releaseId && t.live.colour === c.goal.colour && t.inFlight === null;
  const marked = t.inFlight?.releaseId === c.goal.releaseId && t.inFlight.kind === c.goal.kind;
  switch (step.kind) {
    case "done":
      return live && finalized ? null : "done while not live and finalized";
    case "cutover":
      if (c.progress.gates !== "passed" && c.goal.urgent !== true && !on.listener) return "cutover before gates passed";
      // Traffic moves only to a colour gated in this run, or proven healthy on the ALB right now.
      if (c.progress.gates !== "passed" && !c.snap.hosts.every((h) => h.healthy)) return "ungated cutover to a colour not healthy now";
      if (!marked || t.inFlight?.phase !== "cutover") return "cutover without the cutover mark";
      if (!step.moveListener && !step.moveWebhook) return "cutover that moves nothing";
      if (step.moveListener === on.listener || step.moveWebhook === on.webhook) return "cutover moves a switch already on goal";
      return null;
    case "stage":
      if (servesTraffic(c.snap.traffic, c.snap.urls, c.goal.colour)) return "stage for a colour that serves traffic";
      return step.instanceIds.length === 0 ? "stage with no hosts" : null;
    case "start":
      return c.goal.kind === "rollback" && step.instanceIds.length > 0 ? null : "start outside a rollback";
    case "register":
      return step.instanceIds.length > 0 ? null : "register with no hosts";
    case "bake":
      return c.goal.kind === "release" && live && !c.progress.baked ? null : "bake when not a live, unbaked release";
    case "finalize":
      return live ? null : "finalize while not live";
    case "gates":
      return c.progress.gates === "pending" ? null : "gates after they passed";
    default:
      return null;
  }
}

describe("decide invariants over the cross product", () => {
  it("never cuts over early, never finishes early, never bakes a rollback", () => {
    let n = 0;
    const broken = new Map<string, string>();
    for (const c of cases()) {
      n++;
      const step = decide(c.snap, c.goal, c.progress);
      const v = violation(c, step);
      // Stage is checked in its own test below.
      if (v !== null && step.kind !== "stage" && !broken.has(v)) broken.set(v, c.label);
    }
    expect(n).toBe(4 * 7 * 12 * 2 * 9 * 2 * 4 * 3 * 3);
    expect(Object.fromEntries(broken)).toEqual({});
  });

  // Review M2: a restart where traffic already is must be on the listener before it happens (a run
  // killed during its gates is resumed from that mark), and a marked restart is never recorded
  // live, or moved to, before the gates pass. Over the rollback goals only (a release never restarts).
  it("restarts where both switches are only once the restart is marked; never finishes or cuts over to a marked restart ungated", () => {
    const broken = new Map<string, string>();
    const flights = [null, flight("rollback", "r2", "cutover"), flight("rollback", "r2", "restarting"), flight("release", "r2", "baking")];
    const progresses: Progress[] = [
      { gates: "pending", baked: false },
      { gates: "passed", baked: false },
      { gates: "pending", baked: false, restarted: true },
      { gates: "pending", baked: false, restartUnmarked: true },
    ];
    const weights: TrafficFacts["weights"][] = [{ blue: 1, green: 0 }, { blue: 0, green: 1 }, { blue: 1 }];
    let n = 0;
    for (const goal of [ROLLBACK, URGENT])
      for (const inFlight of flights)
        for (const a of ["missing", "other", "this", "stopped"] as const)
          for (const b of ["this", "stopped"] as const)
            for (const wt of weights)
              for (const webhook of ["goal", "other"] as const)
                for (const progress of progresses)
                  for (const live of [GOAL_REF, OLD_REF]) {
                    n++;
                    const snap = snapshotOf({ inFlight, hosts: [a, b], weights: wt, webhook, live });
                    const step = decide(snap, goal, progress);
                    const on = trafficOnGoal(snap, goal);
                    const marked = inFlight?.kind === "rollback" && inFlight.phase === "restarting";
                    const label = JSON.stringify({ urgent: goal.urgent, inFlight: inFlight?.phase, hosts: [a, b], wt, webhook, progress, live: live.colour });
                    if (step.kind === "start" && on.listener && on.webhook && !marked && progress.restartUnmarked !== true)
                      broken.set("start where traffic is, unmarked", label);
                    if (marked && progress.gates !== "passed" && (step.kind === "finalize" || step.kind === "done" || step.kind === "cutover"))
                      broken.set(`${step.kind} of a marked restart before its gates`, label);
                  }
    expect(n).toBe(2 * 4 * 8 * 3 * 2 * 4 * 2);
    expect(Object.fromEntries(broken)).toEqual({});
  });

  it("is deterministic (pure): the same input gives the same step", () => {
    let i = 0;
    for (const c of cases()) {
      if (i++ % 101 !== 0) continue;
      expect(decide(c.snap, c.goal, c.progress)).toEqual(decide(structuredClone(c.snap), { ...c.goal }, { ...c.progress }));
    }
  });

  // stage() (src/orchestrator/stage.ts) refuses to run for the colour the listener forwards to, so
  // decide must never ask for it: otherwise a run stops with an internal error (exit 3) mid-release.
  it("never stages a colour that serves traffic (listener weight > 0 or its own webhook URL, with targets)", () => {
    const broken: string[] = [];
    for (const c of cases()) {
      const step = decide(c.snap, c.goal, c.progress);
      if (step.kind === "stage" && servesTraffic(c.snap.traffic, c.snap.urls, c.goal.colour)) broken.push(c.label);
    }
    // First counterexample: live by traffic (listener and webhook on green), containers gone -> stage green.
    expect(broken.slice(0, 1)).toEqual([]);
  });

  it("mid-cutover (listener moved, webhook not yet), a crashed goal container is not staged over live traffic", () => {
    const row: Row = { inFlight: flight("release", "r2", "cutover"), weights: { blue: 0, green: 1 }, webhook: "other", hosts: ["this", "stopped"] };
    const step = decide(snapshotOf(row), RELEASE, { gates: "passed", baked: false });
    // decide returns { kind: "stage", instanceIds: ["i-2"] }, which stage() refuses with an internal error.
    expect(step.kind).not.toBe("stage");
  });

  // #18 case 1: skipping the gates (urgent rollback, listener already on the goal) needs the goal's
  // targets healthy on the ALB now; registered but failing its checks means the gates run first.
  it("never cuts over ungated to a colour the ALB does not report healthy now", () => {
    const broken: string[] = [];
    for (const goal of [RELEASE, ROLLBACK, URGENT])
      for (const inFlight of [null, flight("rollback", "r2", "cutover"), flight("release", "r2", "cutover")])
        for (const weights of [
          { blue: 1, green: 0 },
          { blue: 0, green: 1 },
        ])
          for (const webhook of ["goal", "other"] as const) {
            const row: Row = { goal, inFlight, weights, webhook, hosts: ["this", "this"], registered: [true, true], healthy: [false, true] };
            const step = decide(snapshotOf(row), goal, { gates: "pending", baked: false });
            if (step.kind === "cutover") broken.push(JSON.stringify({ goal: goal.kind, urgent: goal.urgent, inFlight: inFlight?.kind, weights, webhook }));
          }
    expect(broken).toEqual([]);
  });
});
