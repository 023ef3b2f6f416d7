import { describe, expect, it } from "vitest";
import { CallCounter, callDepth } from "../../src/adapters/call-count.js";

describe("call counting", () => {
  it("counts per kind and key, and resets", () => {
    const c = new CallCounter();
    c.add("aws", "DescribeTargetHealth")();
    c.add("aws", "DescribeTargetHealth")();
    c.add("telegram", "getWebhookInfo")();
    c.add("host", "local:127.0.1.1")();
    expect(c.snapshot()).toMatchObject({ aws: { DescribeTargetHealth: 2 }, telegram: { getWebhookInfo: 1 }, host: { "local:127.0.1.1": 1 }, hostHttp: {} });
    c.reset();
    expect(c.snapshot()).toEqual({ aws: {}, telegram: {}, host: {}, hostHttp: {}, depth: 0 });
  });

  it("time() counts a call that fails too", async () => {
    const c = new CallCounter();
    await expect(c.time("aws", "ModifyListener", () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(c.snapshot()).toMatchObject({ aws: { ModifyListener: 1 }, depth: 1 });
  });

  it("call depth is the longest chain of calls that ran one after another", () => {
    expect(callDepth([])).toBe(0);
    // three in parallel, then one after them: depth 2
    expect(
      callDepth([
        [0, 10],
        [0, 12],
        [1, 9],
        [12, 20],
      ]),
    ).toBe(2);
    // a chain of three, with a long call overlapping all of them
    expect(
      callDepth([
        [0, 5],
        [5, 10],
        [10, 15],
        [0, 15],
      ]),
    ).toBe(3);
  });
});
