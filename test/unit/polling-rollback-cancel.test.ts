// A polling rollback cancelled by a signal says what moved (review2 L1). Polling has no switch: its
// record's phase cutover is written before the handover, so "traffic moved" is not what tells;
// the pollers do. Cancelled right after that mark, nothing was handed over (both pollers run);
// cancelled in the held gates of a resumed run, the rollback's poller polls alone, not gated yet.
import { describe, expect, it } from "vitest";
import type { Goal } from "../../src/domain/decide.js";
import { decodeTags } from "../../src/domain/tags.js";
import { CancelledError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { cancelledRollbackLeaves } from "../../src/orchestrator/run.js";
import { container, flight, snapshotOf } from "../fakes/decide-snapshot.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { greenCrashesWhenBlueStops, killInRollbackAt, onEachStep, releaseR1R2 } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

type Env = ReturnType<typeof fakePollingEnvironment>;
const pollers = (env: Env) => env.hosts.map((h) => [h.containers.get(BLUE)?.running, h.containers.get(GREEN)?.running]);
const inFlight = async (env: Env) => decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags).inFlight;

/** ctx.cancel aborted (a first SIGINT) when the step event `at` is reported; returns the original step. */
function sigintAt(env: Env, at: (e: { step: string; status: string }) => boolean) {
  const controller = new AbortController();
  env.ctx.cancel = controller.signal;
  return onEachStep(env, (e) => {
    if (!controller.signal.aborted && at(e)) controller.abort(new CancelledError("SIGINT"));
  });
}

describe("a polling rollback cancelled by SIGINT", () => {
  it("during its mark-cutover write: nothing was handed over, both pollers run; `rollback` finishes it", async () => {
    const env = fakePollingEnvironment();
    await releaseR1R2(env);
    const step0 = sigintAt(env, (e) => e.step === "mark-cutover" && e.status === "start");
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toMatchObject({
      message: "cancelled by SIGINT before its handover: the blue poller (r1) runs again beside the green poller, which still polls; nothing was handed over",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it gates the blue poller and stops the green one)",
    });
    // That is what it left: the mark written, no handover, both pollers running.
    expect(await inFlight(env)).toMatchObject({ kind: "rollback", releaseId: "r1", colour: "blue", phase: "cutover" });
    expect(pollers(env)).toEqual([
      [true, true],
      [true, true],
    ]);
    // And the remedy does what it says.
    env.ctx.cancel = undefined;
    env.ctx.reporter = { step: step0 };
    env.events.length = 0;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r.message).toBe("found an interrupted rollback r1 (cutover) to blue: finished it (restarted and gated)");
    expect(env.events.filter((x) => x.status === "start").map((x) => x.step)).toEqual(["cutover", "gates", "finalize"]);
    expect(pollers(env)).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(await inFlight(env)).toBeNull();
  });

  it("in the held gates of a resumed run, after the handover back: the poller polls alone, not gated yet", async () => {
    const env = fakePollingEnvironment();
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    // r2's bake fails on its own; its automatic rollback hands back to blue and dies as its held gates start.
    greenCrashesWhenBlueStops(env);
    const step0 = killInRollbackAt(
      env,
      (x) => x.step === "gates" && x.status === "start",
      () => new Error("killed"),
    );
    await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" })).rejects.toThrow("killed");
    env.ctx.reporter = { step: step0 };
    sigintAt(env, (x) => x.step === "gates" && x.status === "start");
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toMatchObject({
      message: "cancelled by SIGINT with the blue poller (r1) polling alone (the handover back ran), not gated yet",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it gates the blue poller, which polls again)",
    });
    expect(pollers(env)).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(await inFlight(env)).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "cutover" });
  });
});

describe("what a cancelled polling rollback says it leaves (pure)", () => {
  // Back across a mode switch (green's poller from blue's webhook containers), before the handover.
  const goal: Goal = { kind: "rollback", colour: "green", releaseId: "r2", image: "img", from: "blue", mode: "polling", switchFrom: "webhook" };
  const snapshot = () => {
    const s = snapshotOf({ inFlight: flight("rollback", "r2", "cutover") });
    for (const h of s.hosts) {
      const c = container("this");
      h.container = c === undefined ? c : { ...c, mode: "polling" };
      h.other = container("other", "blue");
    }
    return s;
  };

  it("names the other colour's webhook containers, not a poller, across a mode switch", () => {
    expect(cancelledRollbackLeaves(snapshot(), goal, "production")).toEqual({
      where: "before its handover: the green poller (r2) runs again beside the blue containers (webhook mode), which still serve; nothing was handed over",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it gates the green poller and stops the blue containers)",
    });
  });

  it("nothing when its poller is not running yet (the caller's 'nothing is half-moved' holds)", () => {
    const s = snapshot();
    for (const h of s.hosts) h.container = container("stopped");
    expect(cancelledRollbackLeaves(s, goal, "production")).toBeNull();
  });
});
