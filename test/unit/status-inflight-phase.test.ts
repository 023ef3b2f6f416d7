// #17: the in-flight record is written twice per run (staging, then cutover right before the
// switches move) and not again after the cutover; status says from the switches how far an
// interrupted run got, which a "baking" phase used to say at the cost of an AddTags per run.
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/domain/tags.js";
import { release } from "../../src/orchestrator/release.js";
import { status } from "../../src/orchestrator/status.js";
import { inFlightWorld as world } from "../fakes/adoption-world.js";

describe("the in-flight record's phases", () => {
  it("a release writes it at staging and right before the cutover, then only the final tags", async () => {
    const w = world(null, "blue");
    const phases: string[] = [];
    const setTags = w.lb.setTags.bind(w.lb);
    w.lb.setTags = async (arn, tags) => {
      const phase = tags[TAG.flightPhase];
      if (phase !== undefined) phases.push(phase);
      return setTags(arn, tags);
    };
    const r = await release(w.ctx, { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true });
    expect(r.outcome).toBe("released");
    expect(phases).toEqual(["staging", "cutover"]);
    expect(Object.keys(w.lb.tags).filter((k) => k.startsWith("bluegreen:inflight"))).toEqual([]);
  });

  it("status: a record past staging with both switches on its colour says the cutover was done", async () => {
    const s = await status(world({ colour: "green", phase: "cutover" }, "green").ctx);
    expect(s.problems).toContain("a release (r0) was interrupted in phase cutover (both switches are on green: its cutover was done): no run holds the lock");
    // A record written by a run before #17 reads the same.
    const old = await status(world({ colour: "green", phase: "baking" }, "green").ctx);
    expect(old.problems).toContain("a release (r0) was interrupted in phase baking (both switches are on green: its cutover was done): no run holds the lock");
  });

  it("status: a record whose switches have not moved says only its phase", async () => {
    const s = await status(world({ colour: "green", phase: "cutover" }, "blue").ctx);
    expect(s.problems).toContain("a release (r0) was interrupted in phase cutover: no run holds the lock");
  });
});
