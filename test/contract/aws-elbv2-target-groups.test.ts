// Contract: both colours' target groups are looked up together at the start of every command, so
// the adapter sends them as one DescribeTargetGroups (#17); a group that does not exist still fails
// on its own, with its own name, and does not take the other lookup down with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsLoadBalancer } from "../../src/adapters/aws-elbv2.js";
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
