// Contract: the LoadBalancer adapter reads the listener's tags once per run and keeps them in step
// with its own writes (only a run holding the lock writes them), so each observe costs one
// DescribeListeners instead of two calls; a failed write forgets them, and the next read asks AWS.
import { AddTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsLoadBalancer } from "../../src/adapters/aws-elbv2.js";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, REGION, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
beforeAll(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w);
  await w.elb.send(new AddTagsCommand({ ResourceArns: [alb.listenerArn], Tags: [{ Key: "bluegreen:live", Value: "blue" }] }));
});
afterAll(async () => {
  await w.stop();
});

const callsOf = (action: string) => w.emu.control.calls().filter((c) => c.action === action).length;
const describeTagsCalls = () => callsOf("DescribeTags");

describe("listener tags within one run", () => {
  it("are read once, then follow the run's own writes", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    const before = describeTagsCalls();
    expect((await lb.describeListener(alb.listenerArn)).tags).toEqual({ "bluegreen:live": "blue" });
    expect((await lb.describeListener(alb.listenerArn)).tags).toEqual({ "bluegreen:live": "blue" });
    await lb.setTags(alb.listenerArn, { "bluegreen:flight": "x" });
    expect((await lb.describeListener(alb.listenerArn)).tags).toEqual({ "bluegreen:live": "blue", "bluegreen:flight": "x" });
    await lb.removeTags(alb.listenerArn, ["bluegreen:flight"]);
    const view = await lb.describeListener(alb.listenerArn);
    expect(view.tags).toEqual({ "bluegreen:live": "blue" });
    expect(describeTagsCalls() - before).toBe(1);
    // What the adapter believes is what AWS has.
    const fresh = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    expect((await fresh.describeListener(alb.listenerArn)).tags).toEqual(view.tags);
  });

  it("are read again after a write that failed", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    await lb.describeListener(alb.listenerArn);
    w.emu.control.addFault({ action: "AddTags", kind: "error", code: "ValidationError", message: "refused", httpStatus: 400, times: 1 });
    await expect(lb.setTags(alb.listenerArn, { "bluegreen:flight": "y" })).rejects.toThrow(/refused/);
    const before = describeTagsCalls();
    expect((await lb.describeListener(alb.listenerArn)).tags).toEqual({ "bluegreen:live": "blue" });
    expect(describeTagsCalls() - before).toBe(1);
  });

  it("a listener read with its default action and rules known makes no call once the tags are cached (#17)", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    const first = await lb.describeListener(alb.listenerArn);
    await lb.setTags(alb.listenerArn, { "bluegreen:flight": "z" });
    const count = () => ["DescribeListeners", "DescribeRules", "DescribeTags"].map(callsOf);
    const before = count();
    const known = await lb.describeListener(alb.listenerArn, { forward: first.forward, rules: first.rules ?? [] });
    expect(count()).toEqual(before);
    expect(known).toEqual({ ...first, tags: { ...first.tags, "bluegreen:flight": "z" } });
    // Only the part not given is read: the default action (the read-back after a cutover), not the rules.
    const readBack = await lb.describeListener(alb.listenerArn, { rules: first.rules ?? [] });
    const [listeners, rules, tags] = count();
    expect([listeners, rules, tags]).toEqual([(before[0] ?? 0) + 1, before[1], before[2]]);
    expect(readBack.forward).toEqual(first.forward);
    await lb.removeTags(alb.listenerArn, ["bluegreen:flight"]);
  });
});

describe("the listener's default action after our own ModifyListener (#17)", () => {
  it("is what ModifyListener answered: the move's read-back without a DescribeListeners, equal to a fresh read", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    const blue = alb.tg["bot-blue"] as string;
    const green = alb.tg["bot-green"] as string;
    const before = callsOf("DescribeListeners");
    const answered = await lb.setForward(alb.listenerArn, [
      { targetGroupArn: green, weight: 1 },
      { targetGroupArn: blue, weight: 0 },
    ]);
    expect(callsOf("DescribeListeners")).toBe(before);
    expect(answered).toEqual([
      { targetGroupArn: green, weight: 1 },
      { targetGroupArn: blue, weight: 0 },
    ]);
    const fresh = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    expect((await fresh.describeListener(alb.listenerArn)).forward).toEqual(answered);
    // Back where the other tests expect it.
    await lb.setForward(alb.listenerArn, [{ targetGroupArn: blue, weight: 1 }]);
  });
});
