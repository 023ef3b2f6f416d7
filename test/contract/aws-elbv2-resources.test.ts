// Contract: load balancers, target groups and listeners through the real ELBv2 SDK client —
// deterministic ARNs, both forward-action forms, typed exceptions with AWS's messages.
import {
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerCommand,
  ModifyTargetGroupCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

const ARN = "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012";

let w: AwsWorld;
let alb: Alb;
beforeEach(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w);
});
afterEach(async () => {
  await w.stop();
});

describe("ARNs", () => {
  it("are realistic and derived from names, so another emulator gives the same ones", async () => {
    expect(alb.lbArn).toMatch(new RegExp(`^${ARN}:loadbalancer/app/bot-alb/[0-9a-f]{16}$`));
    expect(alb.tg["bot-blue"]).toMatch(new RegExp(`^${ARN}:targetgroup/bot-blue/[0-9a-f]{16}$`));
    expect(alb.listenerArn).toMatch(new RegExp(`^${ARN}:listener/app/bot-alb/[0-9a-f]{16}/[0-9a-f]{16}$`));
    const other = await startAwsWorld();
    try {
      const again = await createAlb(other);
      expect(again.lbArn).toBe(alb.lbArn);
      expect(again.tg).toEqual(alb.tg);
      expect(again.listenerArn).toBe(alb.listenerArn);
    } finally {
      await other.stop();
    }
  });
});

describe("forward actions", () => {
  const blue = () => alb.tg["bot-blue"] as string;
  const green = () => alb.tg["bot-green"] as string;

  it("describes a TargetGroupArn action in both forms", async () => {
    const out = await w.elb.send(new DescribeListenersCommand({ ListenerArns: [alb.listenerArn] }));
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Listeners?.[0]).toEqual({
      ListenerArn: alb.listenerArn,
      LoadBalancerArn: alb.lbArn,
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [
        {
          Type: "forward",
          TargetGroupArn: blue(),
          Order: 1,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue(), Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
        },
      ],
    });
  });

  it("accepts weighted ForwardConfig and describes it without TargetGroupArn", async () => {
    const out = await w.elb.send(
      new ModifyListenerCommand({
        ListenerArn: alb.listenerArn,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue(), Weight: 90 },
                { TargetGroupArn: green(), Weight: 10 },
              ],
            },
          },
        ],
      }),
    );
    expect(out.Listeners?.[0]?.DefaultActions).toEqual([
      {
        Type: "forward",
        Order: 1,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: blue(), Weight: 90 },
            { TargetGroupArn: green(), Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
    const described = await w.elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.lbArn }));
    expect(described.Listeners?.[0]?.DefaultActions).toEqual(out.Listeners?.[0]?.DefaultActions);
  });

  it("accepts both forms when ForwardConfig holds exactly that group", async () => {
    const out = await w.elb.send(
      new ModifyListenerCommand({
        ListenerArn: alb.listenerArn,
        DefaultActions: [{ Type: "forward", TargetGroupArn: green(), ForwardConfig: { TargetGroups: [{ TargetGroupArn: green(), Weight: 1 }] } }],
      }),
    );
    expect(out.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(green());
  });

  it("rejects both forms naming different groups with InvalidConfigurationRequest, changing nothing", async () => {
    const err = await rejectionOf(
      w.elb.send(
        new ModifyListenerCommand({
          ListenerArn: alb.listenerArn,
          DefaultActions: [{ Type: "forward", TargetGroupArn: blue(), ForwardConfig: { TargetGroups: [{ TargetGroupArn: green(), Weight: 1 }] } }],
        }),
      ),
    );
    expect(err.name).toBe("InvalidConfigurationRequestException");
    expect(err.message).toBe("You cannot specify both a target group ARN and a forward config unless the forward config holds exactly that one target group");
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const state = w.emu.control.state().listeners[0];
    expect(state?.defaultActions).toEqual([
      { type: "forward", order: 1, targetGroups: [{ targetGroupArn: blue(), weight: 1 }], stickiness: { enabled: false } },
    ]);
  });

  it("rejects weights outside 0..999 with a ValidationError", async () => {
    const err = await rejectionOf(
      w.elb.send(
        new ModifyListenerCommand({
          ListenerArn: alb.listenerArn,
          DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue(), Weight: 1000 }] } }],
        }),
      ),
    );
    expect(err.name).toBe("ValidationError");
    expect(err.message).toBe(
      "1 validation error detected: Value '1000' at 'weight' failed to satisfy constraint: Member must have value less than or equal to 999",
    );
  });

  it("answers ModifyListener with an unknown group or listener with typed exceptions", async () => {
    const unknownTg = `${ARN}:targetgroup/bot-red/0123456789abcdef`;
    const tgErr = await rejectionOf(
      w.elb.send(new ModifyListenerCommand({ ListenerArn: alb.listenerArn, DefaultActions: [{ Type: "forward", TargetGroupArn: unknownTg }] })),
    );
    expect([tgErr.name, tgErr.message]).toEqual(["TargetGroupNotFoundException", "One or more target groups not found"]);
    const lErr = await rejectionOf(
      w.elb.send(
        new ModifyListenerCommand({ ListenerArn: `${alb.listenerArn.slice(0, -4)}ffff`, DefaultActions: [{ Type: "forward", TargetGroupArn: blue() }] }),
      ),
    );
    expect([lErr.name, lErr.message]).toEqual(["ListenerNotFoundException", "One or more listeners not found"]);
  });
});

describe("describe and not-found errors", () => {
  it("finds target groups by ARN, by name and by load balancer", async () => {
    const byName = await w.elb.send(new DescribeTargetGroupsCommand({ Names: ["bot-green"] }));
    expect(byName.TargetGroups?.map((t) => t.TargetGroupArn)).toEqual([alb.tg["bot-green"]]);
    const byLb = await w.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: alb.lbArn }));
    expect(byLb.TargetGroups?.map((t) => [t.TargetGroupName, t.LoadBalancerArns])).toEqual([["bot-blue", [alb.lbArn]]]);
    const byArn = await w.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [alb.tg["bot-blue"] as string] }));
    expect(byArn.TargetGroups?.[0]).toMatchObject({
      TargetGroupName: "bot-blue",
      Protocol: "HTTP",
      Port: 5001,
      HealthCheckPath: "/health",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200" },
      TargetType: "instance",
    });
  });

  it("raises TargetGroupNotFound, LoadBalancerNotFound and ListenerNotFound", async () => {
    const tg = await rejectionOf(w.elb.send(new DescribeTargetGroupsCommand({ Names: ["bot-red"] })));
    expect([tg.name, tg.message]).toEqual(["TargetGroupNotFoundException", "One or more target groups not found"]);
    const lb = await rejectionOf(w.elb.send(new DescribeLoadBalancersCommand({ Names: ["nope"] })));
    expect([lb.name, lb.message]).toEqual(["LoadBalancerNotFoundException", "Load balancers '[nope]' not found"]);
    const l = await rejectionOf(w.elb.send(new DescribeListenersCommand({ ListenerArns: [`${ARN}:listener/app/x/0000000000000000/0000000000000000`] })));
    expect([l.name, l.message]).toEqual(["ListenerNotFoundException", "One or more listeners not found"]);
  });

  it("refuses a duplicate target group name with different settings, returns the same one otherwise", async () => {
    const err = await rejectionOf(w.elb.send(new CreateTargetGroupCommand({ Name: "bot-blue", Protocol: "HTTP", Port: 6001, VpcId: "vpc-0example" })));
    expect([err.name, err.message]).toEqual([
      "DuplicateTargetGroupNameException",
      "A target group with the same name 'bot-blue' exists, but with different settings",
    ]);
    const same = await w.elb.send(
      new CreateTargetGroupCommand({
        Name: "bot-blue",
        Protocol: "HTTP",
        Port: 5001,
        VpcId: "vpc-0example",
        HealthCheckPath: "/health",
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 2,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    );
    expect(same.TargetGroups?.[0]?.TargetGroupArn).toBe(alb.tg["bot-blue"]);
  });
});

describe("health-check validation", () => {
  const modify = (extra: Record<string, unknown>) => w.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: alb.tg["bot-blue"] as string, ...extra }));

  it.each([
    [
      { HealthCheckIntervalSeconds: 4 },
      "ValidationError",
      "1 validation error detected: Value '4' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value greater than or equal to 5",
    ],
    [
      { HealthCheckIntervalSeconds: 301 },
      "ValidationError",
      "1 validation error detected: Value '301' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
    ],
    [
      { HealthCheckTimeoutSeconds: 1 },
      "ValidationError",
      "1 validation error detected: Value '1' at 'healthCheckTimeoutSeconds' failed to satisfy constraint: Member must have value greater than or equal to 2",
    ],
    [
      { HealthyThresholdCount: 11 },
      "ValidationError",
      "1 validation error detected: Value '11' at 'healthyThresholdCount' failed to satisfy constraint: Member must have value less than or equal to 10",
    ],
    [
      { UnhealthyThresholdCount: 1 },
      "ValidationError",
      "1 validation error detected: Value '1' at 'unhealthyThresholdCount' failed to satisfy constraint: Member must have value greater than or equal to 2",
    ],
    [
      { HealthCheckPath: `/${"a".repeat(1024)}` },
      "ValidationError",
      `1 validation error detected: Value '/${"a".repeat(1024)}' at 'healthCheckPath' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    ],
    [{ HealthCheckTimeoutSeconds: 5 }, "InvalidConfigurationRequestException", "Health check timeout '5' must be smaller than the interval '5'"],
    [{ Matcher: { HttpCode: "600" } }, "InvalidConfigurationRequestException", "Health check matcher HTTP code '600' must be within '200-499' range"],
  ])("rejects %j", async (extra, name, message) => {
    const err = await rejectionOf(modify(extra));
    expect([err.name, err.message]).toEqual([name, message]);
  });

  it("accepts the matcher forms 200, 200,202 and 200-299", async () => {
    for (const code of ["200", "200,202", "200-299"]) {
      const out = await modify({ Matcher: { HttpCode: code }, HealthCheckIntervalSeconds: 10 });
      expect(out.TargetGroups?.[0]?.Matcher).toEqual({ HttpCode: code });
      expect(out.TargetGroups?.[0]?.HealthCheckIntervalSeconds).toBe(10);
    }
  });
});
