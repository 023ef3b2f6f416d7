import { describe, expect, it } from "vitest";
import { busyTime, CallCounter, callDepth } from "../../src/adapters/call-count.js";

describe("call counting", () => {
  it("counts per kind and key, and resets", () => {
    const c = new CallCounter();
    c.add("aws", "DescribeTargetHealth")();
    c.add("aws", "DescribeTargetHealth")();
    c.add("telegram", "getWebhookInfo")();
    c.add("host", "local:127.0.1.1")();
    expect(c.snapshot()).toMatchObject({ aws: { DescribeTargetHealth: 2 }, telegram: { getWebhookInfo: 1 }, host: { "local:127.0.1.1": 1 }, hostHttp: {} });
    c.reset();
    expect(c.snapshot()).toEqual({
      aws: {},
      telegram: {},
      host: {},
      hostHttp: {},
      depth: 0,
      busyMs: { aws: 0, telegram: 0, host: 0, hostHttp: 0 },
      ledger: [],
    });
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

  it("busy time is the union of the calls' spans: overlapping calls count once", () => {
    expect(busyTime([])).toBe(0);
    expect(
      busyTime([
        [0, 10],
        [5, 12],
        [1, 9],
        [20, 25],
      ]),
    ).toBe(17);
    // touching spans join; one inside another adds nothing
    expect(
      busyTime([
        [10, 15],
        [0, 10],
        [2, 3],
      ]),
    ).toBe(15);
  });

  it("the snapshot's busy time is per kind", () => {
    let now = 0;
    const c = new CallCounter(() => now);
    const a = c.add("host", "h1");
    const b = c.add("host", "h2");
    now = 100;
    a();
    const t = c.add("telegram", "getWebhookInfo");
    now = 150;
    b();
    t();
    expect(c.snapshot().busyMs).toEqual({ aws: 0, telegram: 50, host: 150, hostHttp: 0 });
  });

  it("the ledger lists the calls in order, grouped by the step they fell in", () => {
    const c = new CallCounter();
    c.add("aws", "DescribeListeners")();
    c.mark("mark-staging");
    c.add("aws", "AddTags")();
    c.mark("after mark-staging");
    c.mark("stage");
    c.add("host", "h1")();
    c.add("host", "h2")();
    c.add("hostHttp", "h1")();
    c.add("aws", "DescribeTargetHealth")();
    c.add("aws", "DescribeTargetHealth")();
    c.add("telegram", "getWebhookInfo")();
    c.mark("bake");
    c.mark("stage");
    c.add("aws", "RegisterTargets")();
    expect(c.snapshot().ledger).toEqual([
      { step: "start", aws: { DescribeListeners: 1 } },
      { step: "mark-staging", aws: { AddTags: 1 } },
      { step: "stage", host: 2, hostHttp: 1, aws: { DescribeTargetHealth: 2 }, telegram: { getWebhookInfo: 1 } },
      // A step seen again later is a new entry: the ledger keeps the order.
      { step: "stage", aws: { RegisterTargets: 1 } },
    ]);
  });
});
