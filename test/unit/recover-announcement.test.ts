// What a run says when it finds an interrupted record (the "recover" line): it announced "undoing
// it" for every record, also right before `release` refused a rollback's restart mark ("nothing was
// changed") and when `rollback` went on to finish a rollback. Now a refusal comes without an
// announcement (its message starts with the same finding), a release's record is "undoing it" and
// a rollback's "repairing it" (the note at the end says finished, abandoned or undone).
import { describe, expect, it } from "vitest";
import { PreflightError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakeEnvironment, REPO } from "../fakes/release-world.js";
import { killInRestartedGates, onEachStep, releasedTwice, releaseR1R2, stopsAsTheListenerMoves } from "../fakes/rollback-setup.js";

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

describe("the announcement of a found record", () => {
  it("a restart's mark: release refuses with no announcement; rollback announces a repair and finishes it", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    // A rollback killed in the gates of the container it restarted: the mark stays.
    const step0 = killInRestartedGates(env);
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toThrow("killed");
    env.ctx.reporter = { step: step0 };
    const recoverLines = (from: number) => env.events.slice(from).filter((e) => e.step === "recover");

    let from = env.events.length;
    const refused = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(PreflightError);
    expect((refused as Error).message).toMatch(/^found an interrupted rollback r1 \(restarting\) to blue: .*nothing was changed$/);
    expect(recoverLines(from)).toEqual([]);

    from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(recoverLines(from).map((e) => e.message)).toEqual(["found an interrupted rollback r1 (restarting) to blue: repairing it"]);
    expect(r.message).toMatch(/^found an interrupted rollback r1 \(restarting\) to blue: finished it/);
  });

  it("a release's record: undoing it", async () => {
    const env = fakeEnvironment();
    await releaseR1R2(env);
    const step0 = onEachStep(env, (e) => {
      // Killed in its bake (its wind-down too: nothing after the kill runs).
      if ((e.step === "bake" || e.step === "rollback") && e.status === "start") throw new Error("killed in bake");
    });
    await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" })).rejects.toThrow("killed in bake");
    env.ctx.reporter = { step: step0 };
    const from = env.events.length;
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v4`, releaseId: "r4" });
    expect(r.outcome).toBe("released");
    expect(
      env.events
        .slice(from)
        .filter((e) => e.step === "recover")
        .map((e) => e.message),
    ).toEqual(["found an interrupted release r3 (cutover) to blue: undoing it"]);
  });
});
