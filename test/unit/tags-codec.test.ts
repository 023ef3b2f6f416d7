// The listener's bluegreen:* tags: exact keys, decode/encode round trips, and the tags after a goal went live.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTags, encodeInFlight, encodeRef, encodeShift, finalTags, IN_FLIGHT_KEYS, TAG } from "../../src/domain/tags.js";
import type { InFlight, ReleaseRef, ReleaseTags } from "../../src/domain/types.js";

const R1: ReleaseRef = { colour: "blue", releaseId: "r1", image: `repo@sha256:${"1".repeat(64)}` };
const R2: ReleaseRef = { colour: "green", releaseId: "r2", image: `repo@sha256:${"2".repeat(64)}` };
const FLIGHT: InFlight = {
  kind: "release",
  releaseId: "r2",
  colour: "green",
  image: R2.image,
  from: "blue",
  startedAt: "2026-01-01T00:00:00.000Z",
  phase: "cutover",
};
const EMPTY: ReleaseTags = { unmanaged: null, live: null, previous: null, verified: null, inFlight: null, previousWarmUntil: null };

describe("tag encoding", () => {
  it("uses the documented keys", () => {
    expect(encodeInFlight(FLIGHT)).toEqual({
      "bluegreen:inflight-kind": "release",
      "bluegreen:inflight-release": "r2",
      "bluegreen:inflight-colour": "green",
      "bluegreen:inflight-image": R2.image,
      "bluegreen:inflight-from": "blue",
      "bluegreen:inflight-started": "2026-01-01T00:00:00.000Z",
      "bluegreen:inflight-phase": "cutover",
    });
    expect(encodeRef("live", R1)).toEqual({ "bluegreen:live-colour": "blue", "bluegreen:live-release": "r1", "bluegreen:live-image": R1.image });
    expect(encodeRef("previous", R2)).toEqual({
      "bluegreen:previous-colour": "green",
      "bluegreen:previous-release": "r2",
      "bluegreen:previous-image": R2.image,
    });
    // Every in-flight key is cleared together, including a canary's shift position.
    expect(IN_FLIGHT_KEYS).toEqual([...Object.keys(encodeInFlight(FLIGHT)), ...Object.keys(encodeShift({ step: 1, of: 2, percent: 10 }))]);
    expect(encodeShift({ step: 1, of: 2, percent: 10 })).toEqual({ "bluegreen:inflight-shift": "1/2:10" });
  });

  it("a first release's from is written as none and read back as null", () => {
    expect(encodeInFlight({ ...FLIGHT, from: null })[TAG.flightFrom]).toBe("none");
    expect(decodeTags(encodeInFlight({ ...FLIGHT, from: null })).inFlight).toEqual({ ...FLIGHT, from: null });
  });

  it("decodes no tags as empty state, and ignores foreign tags", () => {
    expect(decodeTags({})).toEqual(EMPTY);
    expect(decodeTags({ Name: "bot-alb", "bluegreen:unknown": "x" })).toEqual(EMPTY);
  });

  it("round-trips a full state", () => {
    const tags = {
      ...encodeRef("live", R2),
      ...encodeRef("previous", R1),
      ...encodeInFlight(FLIGHT),
      [TAG.verified]: "r1",
      [TAG.previousWarmUntil]: "2026-01-01T01:00:00.000Z",
    };
    expect(decodeTags(tags)).toEqual({
      unmanaged: null,
      live: R2,
      previous: R1,
      verified: "r1",
      inFlight: FLIGHT,
      previousWarmUntil: "2026-01-01T01:00:00.000Z",
    });
  });

  it.each<[string, Record<string, string>]>([
    ["bad colour", { ...encodeInFlight(FLIGHT), [TAG.flightColour]: "red" }],
    ["bad kind", { ...encodeInFlight(FLIGHT), [TAG.flightKind]: "deploy" }],
    ["bad phase", { ...encodeInFlight(FLIGHT), [TAG.flightPhase]: "done" }],
    ["missing phase", Object.fromEntries(Object.entries(encodeInFlight(FLIGHT)).filter(([k]) => k !== TAG.flightPhase))],
  ])("an unreadable in-flight record (%s) decodes as none", (_n, tags) => {
    expect(decodeTags(tags).inFlight).toBeNull();
  });

  it("a live ref missing its image or with a bad colour is null", () => {
    const { [TAG.liveImage]: _gone, ...noImage } = encodeRef("live", R1);
    expect(decodeTags(noImage).live).toBeNull();
    expect(decodeTags({ ...encodeRef("live", R1), [TAG.liveColour]: "Blue" }).live).toBeNull();
  });

  it("round-trips arbitrary refs and in-flight records (property)", () => {
    const colour = fc.constantFrom("blue" as const, "green" as const);
    const text = fc.string({ maxLength: 60 });
    fc.assert(
      fc.property(
        colour,
        text,
        text,
        colour,
        fc.option(colour, { nil: null }),
        fc.constantFrom("release" as const, "rollback" as const),
        fc.constantFrom("staging" as const, "cutover" as const, "baking" as const),
        text,
        (lc, rid, img, fcol, from, kind, phase, started) => {
          const live: ReleaseRef = { colour: lc, releaseId: rid, image: img };
          const f: InFlight = { kind, releaseId: rid, colour: fcol, image: img, from, startedAt: started, phase };
          const d = decodeTags({ ...encodeRef("live", live), ...encodeRef("previous", live), ...encodeInFlight(f) });
          expect(d.live).toEqual(live);
          expect(d.previous).toEqual(live);
          expect(d.inFlight).toEqual(f);
        },
      ),
    );
  });
});

describe("finalTags", () => {
  const goalR2 = { kind: "release" as const, colour: "green" as const, releaseId: "r2", image: R2.image };

  it("release after a baked bake: new live, old live becomes previous with its warm deadline, verified", () => {
    const before: ReleaseTags = { ...EMPTY, live: R1, verified: "r1", inFlight: FLIGHT };
    expect(finalTags(before, goalR2, { baked: true, warmUntil: "2026-01-01T01:00:00.000Z" })).toEqual({
      set: { ...encodeRef("live", R2), ...encodeRef("previous", R1), [TAG.previousWarmUntil]: "2026-01-01T01:00:00.000Z", [TAG.verified]: "r2" },
      remove: IN_FLIGHT_KEYS,
    });
  });

  it("release without bake (e.g. --bake 0 not run): not verified, verified tag removed; no warm deadline", () => {
    const before: ReleaseTags = { ...EMPTY, live: R1, verified: "r1" };
    expect(finalTags(before, goalR2, { baked: false, warmUntil: null })).toEqual({
      set: { ...encodeRef("live", R2), ...encodeRef("previous", R1) },
      remove: [...IN_FLIGHT_KEYS, TAG.verified],
    });
  });

  it("first release: no previous", () => {
    expect(finalTags(EMPTY, goalR2, { baked: true, warmUntil: "2026-01-01T01:00:00.000Z" })).toEqual({
      set: { ...encodeRef("live", R2), [TAG.verified]: "r2" },
      remove: IN_FLIGHT_KEYS,
    });
  });

  it("rollback to the previous release: the rolled-back one becomes previous, the restored one is verified", () => {
    const before: ReleaseTags = { ...EMPTY, live: R2, previous: R1, verified: null };
    const goal = { kind: "rollback" as const, colour: "blue" as const, releaseId: "r1", image: R1.image };
    expect(finalTags(before, goal, { baked: false, warmUntil: "2026-01-01T02:00:00.000Z" })).toEqual({
      set: { ...encodeRef("live", R1), ...encodeRef("previous", R2), [TAG.previousWarmUntil]: "2026-01-01T02:00:00.000Z", [TAG.verified]: "r1" },
      remove: IN_FLIGHT_KEYS,
    });
  });

  it("re-finalizing the same live release keeps previous untouched", () => {
    const before: ReleaseTags = { ...EMPTY, live: R2, previous: R1 };
    expect(finalTags(before, goalR2, { baked: true, warmUntil: "x" })).toEqual({
      set: { ...encodeRef("live", R2), [TAG.verified]: "r2" },
      remove: IN_FLIGHT_KEYS,
    });
  });

  it("keeps every tag value under ELBv2's 256-character limit for realistic values", () => {
    const image = `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot@sha256:${"f".repeat(64)}`;
    const r = finalTags(
      { ...EMPTY, live: { ...R1, image } },
      { ...goalR2, image, releaseId: "r20260101T000000Z-abcd" },
      { baked: true, warmUntil: new Date(0).toISOString() },
    );
    for (const v of Object.values(r.set)) expect(v.length).toBeLessThanOrEqual(256);
    for (const k of Object.keys(r.set)) expect(k.length).toBeLessThanOrEqual(128);
  });
});
