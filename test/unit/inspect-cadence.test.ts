// When the gates and the bake inspect the new containers (#17): the inspect is one exec per host,
// so it runs only where it can change the verdict. Both decisions row by row.
import { describe, expect, it } from "vitest";
import { BAKE_INSPECT_EVERY_MS, bakeInspects, closingCheck } from "../../src/orchestrator/bake.js";
import { gateInspects } from "../../src/orchestrator/gates.js";

describe("gateInspects: a gate attempt inspects the container on a host when", () => {
  it.each([
    // healthChecked, completesThreshold, healthOk -> inspects
    [false, false, true, true, "no /health to ask (a poller): the container is the only signal"],
    [false, false, false, true, "no /health to ask, whatever else"],
    [false, true, true, true, "no /health to ask, the last attempt"],
    [true, true, true, true, "the attempt completes the threshold: no restart since staging before traffic moves"],
    [true, true, false, true, "the attempt completes the threshold and /health failed"],
    [true, false, false, true, "/health failed or did not answer: a crash fails now with its exit reason"],
    [true, false, true, false, "an early attempt whose /health passed: it runs (restarts are counted by the last attempt)"],
  ])("healthChecked %s, completesThreshold %s, healthOk %s -> %s (%s)", (healthChecked, completesThreshold, healthOk, inspects) => {
    expect(gateInspects({ healthChecked, completesThreshold, healthOk })).toBe(inspects);
  });
});

describe("bakeInspects: a bake check inspects a host (containers + memory) when", () => {
  type Row = [Parameters<typeof bakeInspects>[0], boolean, string];
  const fine = { healthChecked: true, closing: false, sinceInspectMs: 0 };
  it.each<Row>([
    [{ ...fine }, false, "/health is asked and nothing is due: /health first"],
    [{ ...fine, healthOk: true, targetOk: true }, false, "/health and the target answered fine"],
    [{ ...fine, healthChecked: false }, true, "no /health to ask (a poller): every check"],
    [{ ...fine, closing: true }, true, "the closing check: its reading covers the window and is the world the run goes on with"],
    [{ ...fine, sinceInspectMs: BAKE_INSPECT_EVERY_MS - 1 }, false, "just under the cadence"],
    [{ ...fine, sinceInspectMs: BAKE_INSPECT_EVERY_MS }, true, "the cadence (gates.maxMemory) is due"],
    [{ ...fine, healthOk: false, targetOk: true }, true, "/health failed: crash or OOM kill, failed at once with its reason"],
    [{ ...fine, healthOk: true, targetOk: false }, true, "a target is not healthy"],
  ])("%o -> %s (%s)", (o, inspects, _why) => {
    expect(bakeInspects(o)).toBe(inspects);
  });
});

describe("closingCheck: a bake check is the closing one (it inspects every host, and ends the bake if it passes) when", () => {
  type Row = [Parameters<typeof closingCheck>[0], boolean, string];
  const at = { startedAt: 3000, end: 3000, need: 3 };
  it.each<Row>([
    [{ ...at, evidence: { telegram: 2, health: 2, targets: 2 } }, true, "at the window's end, and it completes the evidence"],
    [{ ...at, startedAt: 2999, evidence: { telegram: 2, health: 2, targets: 2 } }, false, "it starts inside the window"],
    [
      { ...at, evidence: { telegram: 1, health: 1, targets: 1 } },
      false,
      "past the end, but two checks short: the bake goes on after it (extended for evidence)",
    ],
    [{ ...at, evidence: { telegram: 2, health: 1, targets: 2 } }, false, "one kind two checks short"],
    [{ ...at, startedAt: 9000, evidence: { telegram: 5, health: 2, targets: 3 } }, true, "more than enough of some kinds, the last one completes"],
    [{ ...at, need: 0, evidence: { telegram: 0, health: 0, targets: 0 } }, true, "no evidence required"],
  ])("%o -> %s (%s)", (o, closing, _why) => {
    expect(closingCheck(o)).toBe(closing);
  });
});
