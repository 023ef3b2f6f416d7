// Restart decisions and backoff: the container state transitions the supervisor applies.
import { describe, expect, it } from "vitest";
import { nextRestartDelay, parseRestartPolicy, SANDBOX_MAX_DELAY_MS, shouldRestart } from "../../src/sandbox/runtime/restart-policy.js";

describe("parseRestartPolicy", () => {
  it.each([
    ["no", { Name: "no", MaximumRetryCount: 0 }],
    ["always", { Name: "always", MaximumRetryCount: 0 }],
    ["unless-stopped", { Name: "unless-stopped", MaximumRetryCount: 0 }],
    ["on-failure", { Name: "on-failure", MaximumRetryCount: 0 }],
    ["on-failure:3", { Name: "on-failure", MaximumRetryCount: 3 }],
  ])("%s", (text, policy) => {
    expect(parseRestartPolicy(text)).toEqual(policy);
  });

  it.each([
    ["sometimes", "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
    ["always:2", "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    ["on-failure:x", "invalid restart policy format: maximum retry count must be an integer"],
    ["on-failure:-1", "invalid restart policy: maximum retry count cannot be negative"],
  ])("rejects %s", (text, message) => {
    expect(() => parseRestartPolicy(text)).toThrow(message);
  });
});

describe("shouldRestart", () => {
  const policy = (text: string) => parseRestartPolicy(text);

  it.each([
    // policy, exit code, restarts so far, manually stopped, restart?
    ["no", 1, 0, false, false],
    ["always", 0, 0, false, true],
    ["always", 137, 50, false, true],
    ["always", 1, 0, true, false],
    ["unless-stopped", 0, 0, false, true],
    ["unless-stopped", 1, 0, true, false],
    ["on-failure", 0, 0, false, false],
    ["on-failure", 1, 0, false, true],
    ["on-failure", 137, 9, false, true],
    ["on-failure", 3, 0, true, false],
    ["on-failure:2", 1, 1, false, true],
    ["on-failure:2", 1, 2, false, false],
  ] as const)("%s exit %i after %i restarts (stopped: %s) -> %s", (text, code, count, stopped, expected) => {
    expect(shouldRestart(policy(text), code, count, stopped)).toBe(expected);
  });
});

describe("nextRestartDelay", () => {
  it("doubles from 100 ms up to the sandbox cap", () => {
    const delays: number[] = [];
    let delay = 0;
    for (let i = 0; i < 6; i++) {
      delay = nextRestartDelay(delay, 50);
      delays.push(delay);
    }
    expect(delays).toEqual([100, 200, 400, 800, SANDBOX_MAX_DELAY_MS, SANDBOX_MAX_DELAY_MS]);
    expect(SANDBOX_MAX_DELAY_MS).toBe(1_000);
  });

  it("starts again at 100 ms after a run of 10 s or more", () => {
    expect(nextRestartDelay(800, 10_000)).toBe(100);
    expect(nextRestartDelay(800, 9_999)).toBe(1_000);
  });

  it("follows docker's one-minute cap when asked to", () => {
    expect(nextRestartDelay(51_200, 0, 60_000)).toBe(60_000);
  });
});
