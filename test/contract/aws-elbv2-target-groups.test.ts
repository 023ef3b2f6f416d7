// Contract: both colours' target groups are looked up together at the start of every command, so
// the adapter sends them as one DescribeTargetGroups (#17); a group that does not exist still fails
// on its own, with its own name, and does not take the other lookup down with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsLoadBalancer, loadBalancerNameOf } from "../../src/adapters/aws-elbv2.js";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, REGION, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
beforeAll(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w);
});
afterAll(async () => {
  await w.stop();
});

const lookups = () => w.emu.control.calls().filter((c) => c.action === "DescribeTargetGroups").length;
const adapter = () => new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);

describe("target group lookups", () => {
  it("asked for together (by name or by ARN) go out as one DescribeTargetGroups", async () => {
    const lb = adapter();
    const before = lookups();
    const [blue, green] = await Promise.all([lb.describeTargetGroup("bot-blue"), lb.describeTargetGroup("bot-green")]);
    expect([blue.name, blue.arn, blue.port, green.name, green.arn, green.port]).toEqual([
      "bot-blue",
      alb.tg["bot-blue"],
      5001,
      "bot-green",
      alb.tg["bot-green"],
      5002,
    ]);
    expect(lookups() - before).toBe(1);
    const [byArn] = await Promise.all([lb.describeTargetGroup(alb.tg["bot-green"] as string), lb.describeTargetGroup(alb.tg["bot-blue"] as string)]);
    expect(byArn.name).toBe("bot-green");
    expect(lookups() - before).toBe(2);
  });

  it("one that does not exist fails alone, naming its group; the other is still found", async () => {
    const lb = adapter();
    const [found, missing] = await Promise.allSettled([lb.describeTargetGroup("bot-blue"), lb.describeTargetGroup("bot-missing")]);
    expect(found.status === "fulfilled" && found.value.name).toBe("bot-blue");
    expect(missing.status).toBe("rejected");
    expect(String(missing.status === "rejected" ? missing.reason : "")).toMatch(/bot-missing|TargetGroupNotFound/);
  });
});

describe("the listener by load balancer name and port (#17)", () => {
  const byName = () => new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, { loadBalancer: "bot-alb", port: 80 });
  const calls = (action: string) => w.emu.control.calls().filter((c) => c.action === action).length;

  it("takes the load balancer from a group's LoadBalancerArns (the group its listener forwards to): no DescribeLoadBalancers, the same listener", async () => {
    const lb = byName();
    const [blue, green] = await Promise.all([lb.describeTargetGroup("bot-blue"), lb.describeTargetGroup("bot-green")]);
    expect(blue.loadBalancerArns).toEqual([alb.lbArn]);
    // bot-green is in no forward action yet: AWS lists no load balancer for it.
    expect(green.loadBalancerArns).toEqual([]);
    const before = calls("DescribeLoadBalancers");
    expect(await lb.resolveListener([...(blue.loadBalancerArns ?? []), ...(green.loadBalancerArns ?? [])])).toBe(alb.listenerArn);
    expect(calls("DescribeLoadBalancers")).toBe(before);
  });

  it("looks the load balancer up by name when no group names it (a first release whose colours are in no forward yet)", async () => {
    const before = calls("DescribeLoadBalancers");
    expect(await byName().resolveListener([])).toBe(alb.listenerArn);
    expect(calls("DescribeLoadBalancers")).toBe(before + 1);
  });

  it("reuseResolvedListener (status): the first read of the listener takes the lookup's answer, later ones ask again", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, { loadBalancer: "bot-alb", port: 80 }, { reuseResolvedListener: true });
    const asked = await byName().describeListener(alb.listenerArn);
    const before = calls("DescribeListeners");
    expect(await lb.resolveListener([alb.lbArn])).toBe(alb.listenerArn);
    const first = await lb.describeListener(alb.listenerArn);
    expect(calls("DescribeListeners")).toBe(before + 1);
    expect(first).toEqual(asked);
    expect((await lb.describeListener(alb.listenerArn)).forward).toEqual(asked.forward);
    expect(calls("DescribeListeners")).toBe(before + 2);
  });

  it("reuseResolvedListener: a write of the listener between the lookup and the read makes the read ask again; without the option, it always asks", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, { loadBalancer: "bot-alb", port: 80 }, { reuseResolvedListener: true });
    await lb.resolveListener([alb.lbArn]);
    const { forward } = await byName().describeListener(alb.listenerArn);
    await lb.setForward(alb.listenerArn, forward);
    const before = calls("DescribeListeners");
    expect((await lb.describeListener(alb.listenerArn)).forward).toEqual(forward);
    expect(calls("DescribeListeners")).toBe(before + 1);
    const plain = byName();
    await plain.resolveListener([alb.lbArn]);
    const again = calls("DescribeListeners");
    await plain.describeListener(alb.listenerArn);
    expect(calls("DescribeListeners")).toBe(again + 1);
  });

  it("an ARN of another load balancer is not taken for it: looked up by name", async () => {
    const other = alb.lbArn.replace("/app/bot-alb/", "/app/bot-alb-2/");
    const before = calls("DescribeLoadBalancers");
    expect(await byName().resolveListener([other])).toBe(alb.listenerArn);
    expect(calls("DescribeLoadBalancers")).toBe(before + 1);
  });
});

describe("loadBalancerNameOf", () => {
  it.each([
    ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/bot-alb/50dc6c495c0c9188", "bot-alb"],
    ["arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/bot/0123456789abcdef", "bot"],
    // A network load balancer, a target group, a listener: not an application load balancer's ARN.
    ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/bot-alb/50dc6c495c0c9188", null],
    ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bot-alb/50dc6c495c0c9188", null],
    ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/bot-alb/50dc6c495c0c9188/f2f7dc8efc522ab2", null],
    ["bot-alb", null],
  ])("%s -> %s", (arn, name) => {
    expect(loadBalancerNameOf(arn)).toBe(name);
  });
});
