// The AWS emulator's probe timeout: the target group's timeout at the emulator's time scale, never
// under PROBE_TIMEOUT_FLOOR_MS (a stalled event loop on a loaded machine is not a slow target).
import { describe, expect, it } from "vitest";
import { PROBE_TIMEOUT_FLOOR_MS, probeTimeoutMs } from "../../src/sandbox/aws/health-checker.js";

describe("probeTimeoutMs", () => {
  it.each([
    // [timeoutSeconds, timeScale, ms, why]
    [2, 0.02, 500, "createAlb's 2 s at the contract files' 0.02 (40 ms raw)"],
    [2, 0.05, 500, "the sandbox seed's 2 s at the integration worlds' 0.05 (100 ms raw)"],
    [4, 0.1, 500, "tolerantHealthChecks' 4 s at 0.1 (400 ms raw)"],
    [25, 0.02, 500, "exactly the floor"],
    [30, 0.02, 600, "above the floor: scaled as is"],
    [2, 0.25, 500, "the ALB's shortest timeout at 0.25 meets the floor"],
    [2, 1, 2000, "real pace: unchanged"],
    [120, 1, 120_000, "the ALB's longest timeout at real pace"],
  ])("%s s at time scale %s -> %s ms (%s)", (timeoutSeconds, timeScale, ms) => {
    expect(probeTimeoutMs(timeoutSeconds, timeScale)).toBe(ms);
  });

  it("the floor is below the ALB's shortest timeout, so a real-pace run never meets it", () => {
    expect(PROBE_TIMEOUT_FLOOR_MS).toBe(500);
    expect(PROBE_TIMEOUT_FLOOR_MS).toBeLessThan(2 * 1000);
  });
});
