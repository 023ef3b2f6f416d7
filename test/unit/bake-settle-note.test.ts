// review-s9 Questions: `--bake 3s` gave `bake (6.9s)` with no word on why. A bake watched past the
// asked window for gates.settle now says so in a note up front; a bake the settle window does not
// lengthen has no such note. On the stateful fakes, driven by the fake clock.
import { describe, expect, it } from "vitest";
import type { Goal } from "../../src/domain/decide.js";
import { bake } from "../../src/orchestrator/bake.js";
import { greenJustCutOver, imageOf } from "../fakes/release-world.js";

const GOAL: Goal = { kind: "release", colour: "green", releaseId: "r2", image: imageOf("b"), from: "blue" };

/** Green just took the traffic on both hosts: running, registered, healthy, the webhook on green. */
function bakeWorld() {
  const { env, cutoverAt, baseline } = greenJustCutOver();
  return { ...env, cutoverAt, baseline };
}

const notes = (events: { step: string; status: string; message?: string }[]) =>
  events.filter((e) => e.step === "bake" && e.status === "info").map((e) => e.message);

describe("a bake longer than asked", () => {
  it("watched until the settle window ends: one note naming the length, the window and gates.settle", async () => {
    const w = bakeWorld();
    w.settings.gates.settleMs = 700;
    await bake(w.ctx, GOAL, w.cutoverAt, w.baseline, 300, w.cutoverAt + 700);
    expect(notes(w.events)).toEqual(["the bake lasts 0.7s, past its 0.3s window: the new containers must have run for gates.settle (0.7s) before it can pass"]);
    expect(w.clock.now() - w.cutoverAt).toBeGreaterThanOrEqual(700);
  });

  it("a settle window inside the bake: no note", async () => {
    const w = bakeWorld();
    await bake(w.ctx, GOAL, w.cutoverAt, w.baseline, 300, w.cutoverAt + 100);
    expect(notes(w.events)).toEqual([]);
  });
});
