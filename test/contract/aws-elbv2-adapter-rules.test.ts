// Contract: the LoadBalancer adapter reads the listener's path rules from the emulator
// (DescribeRules), so the one reading of the listener sees where the webhook's requests really go:
// both path-pattern request forms, conditions it cannot evaluate flagged, the default rule left out.
import { CreateRuleCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsLoadBalancer } from "../../src/adapters/aws-elbv2.js";
import { readListener } from "../../src/domain/traffic.js";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, REGION, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
beforeAll(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w, [
    ["bot-blue", 5001],
    ["bot-green", 5002],
    ["bot-legacy", 5000],
  ]);
  const blue = alb.tg["bot-blue"] as string;
  const legacy = alb.tg["bot-legacy"] as string;
  await w.elb.send(
    new CreateRuleCommand({
      ListenerArn: alb.listenerArn,
      Priority: 10,
      Conditions: [{ Field: "path-pattern", Values: ["/telegram/blue*"] }],
      Actions: [{ Type: "forward", TargetGroupArn: blue }],
    }),
  );
  await w.elb.send(
    new CreateRuleCommand({
      ListenerArn: alb.listenerArn,
      Priority: 5,
      Conditions: [
        { Field: "path-pattern", PathPatternConfig: { Values: ["/hook*"] } },
        { Field: "host-header", HostHeaderConfig: { Values: ["bot.example.com"] } },
      ],
      Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: legacy, Weight: 1 }] } }],
    }),
  );
});
afterAll(async () => {
  await w.stop();
});

describe("AwsLoadBalancer.describeListener reads the path rules", () => {
  it("returns the non-default rules; the reading counts only the one the webhook's path matches", async () => {
    const lb = new AwsLoadBalancer({ region: REGION, endpoint: w.emu.endpoint }, alb.listenerArn);
    const l = await lb.describeListener(alb.listenerArn);
    const blue = alb.tg["bot-blue"] as string;
    const green = alb.tg["bot-green"] as string;
    const legacy = alb.tg["bot-legacy"] as string;
    expect([...(l.rules ?? [])].sort((a, b) => a.priority - b.priority)).toEqual([
      { priority: 5, pathPatterns: ["/hook*"], otherConditions: true, forward: [{ targetGroupArn: legacy, weight: 1 }] },
      { priority: 10, pathPatterns: ["/telegram/blue*"], otherConditions: false, forward: [{ targetGroupArn: blue, weight: 1 }] },
    ]);
    const arns = { blue, green };
    // The default action forwards to bot-blue (createAlb's first group); the webhook on /telegram/blue reaches blue by its rule too.
    expect(readListener(l.forward, arns, { rules: l.rules, webhookUrl: "https://bot.example.com/telegram/blue" }).byRule).toEqual({ blue: true });
    expect(readListener(l.forward, arns, { rules: l.rules, webhookUrl: "https://bot.example.com/hook" })).toMatchObject({
      receiving: [blue, legacy],
      foreign: [legacy],
    });
  });
});
