// Contract: rules (both condition forms, priorities, the default rule), tags with their limits,
// target group attributes and target registration errors, through the real ELBv2 SDK client.
import {
  AddTagsCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
let blue: string;
let green: string;
beforeEach(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w);
  blue = alb.tg["bot-blue"] as string;
  green = alb.tg["bot-green"] as string;
});
afterEach(async () => {
  await w.stop();
});

const forward = (arn: string) => ({
  Type: "forward" as const,
  TargetGroupArn: arn,
  Order: 1,
  ForwardConfig: { TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
});

describe("rules", () => {
  it("accepts both condition forms and describes them with both, the default rule last", async () => {
    const r1 = await w.elb.send(
      new CreateRuleCommand({
        ListenerArn: alb.listenerArn,
        Priority: 10,
        Conditions: [{ Field: "path-pattern", Values: ["/telegram/blue*"] }],
        Actions: [{ Type: "forward", TargetGroupArn: blue }],
      }),
    );
    const r2 = await w.elb.send(
      new CreateRuleCommand({
        ListenerArn: alb.listenerArn,
        Priority: 20,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/telegram/green*"] } }],
        Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: green, Weight: 1 }] } }],
      }),
    );
    const rules = (await w.elb.send(new DescribeRulesCommand({ ListenerArn: alb.listenerArn }))).Rules ?? [];
    expect(rules).toEqual([
      {
        RuleArn: r1.Rules?.[0]?.RuleArn,
        Priority: "10",
        Conditions: [{ Field: "path-pattern", Values: ["/telegram/blue*"], PathPatternConfig: { Values: ["/telegram/blue*"] } }],
        Actions: [forward(blue)],
        IsDefault: false,
      },
      {
        RuleArn: r2.Rules?.[0]?.RuleArn,
        Priority: "20",
        Conditions: [{ Field: "path-pattern", Values: ["/telegram/green*"], PathPatternConfig: { Values: ["/telegram/green*"] } }],
        Actions: [forward(green)],
        IsDefault: false,
      },
      { RuleArn: rules[2]?.RuleArn, Priority: "default", Conditions: [], Actions: [forward(blue)], IsDefault: true },
    ]);
    expect(rules[0]?.RuleArn).toMatch(
      /^arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener-rule\/app\/bot-alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
    );
  });

  it("refuses a priority in use, modifies and deletes rules, and keeps the default rule", async () => {
    const make = (priority: number) =>
      w.elb.send(
        new CreateRuleCommand({
          ListenerArn: alb.listenerArn,
          Priority: priority,
          Conditions: [{ Field: "host-header", Values: ["bot.example.com"] }],
          Actions: [{ Type: "forward", TargetGroupArn: blue }],
        }),
      );
    const arn = (await make(5)).Rules?.[0]?.RuleArn as string;
    const dup = await rejectionOf(make(5));
    expect([dup.name, dup.message]).toEqual(["PriorityInUseException", "Priority '5' is currently in use"]);

    const modified = await w.elb.send(new ModifyRuleCommand({ RuleArn: arn, Actions: [{ Type: "forward", TargetGroupArn: green }] }));
    expect(modified.Rules?.[0]?.Actions).toEqual([forward(green)]);
    expect(modified.Rules?.[0]?.Conditions).toEqual([{ Field: "host-header", Values: ["bot.example.com"], HostHeaderConfig: { Values: ["bot.example.com"] } }]);

    const all = (await w.elb.send(new DescribeRulesCommand({ ListenerArn: alb.listenerArn }))).Rules ?? [];
    const defaultArn = all.find((r) => r.IsDefault)?.RuleArn as string;
    const delDefault = await rejectionOf(w.elb.send(new DeleteRuleCommand({ RuleArn: defaultArn })));
    expect([delDefault.name, delDefault.message]).toEqual(["OperationNotPermittedException", `Default rule '${defaultArn}' cannot be deleted`]);

    await w.elb.send(new DeleteRuleCommand({ RuleArn: arn }));
    const gone = await rejectionOf(w.elb.send(new DescribeRulesCommand({ RuleArns: [arn] })));
    expect([gone.name, gone.message]).toEqual(["RuleNotFoundException", "One or more rules not found"]);
    const again = await rejectionOf(w.elb.send(new ModifyRuleCommand({ RuleArn: arn, Actions: [{ Type: "forward", TargetGroupArn: blue }] })));
    expect(again.name).toBe("RuleNotFoundException");
  });
});

describe("tags", () => {
  it("adds, describes and removes tags on load balancers, target groups, listeners and rules", async () => {
    const rule = await w.elb.send(
      new CreateRuleCommand({
        ListenerArn: alb.listenerArn,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", Values: ["/x"] }],
        Actions: [{ Type: "forward", TargetGroupArn: blue }],
      }),
    );
    const arns = [alb.lbArn, blue, alb.listenerArn, rule.Rules?.[0]?.RuleArn as string];
    await w.elb.send(
      new AddTagsCommand({
        ResourceArns: arns,
        Tags: [
          { Key: "app", Value: "bot" },
          { Key: "colour", Value: "blue" },
        ],
      }),
    );
    await w.elb.send(
      new AddTagsCommand({
        ResourceArns: [blue],
        Tags: [
          { Key: "colour", Value: "green" },
          { Key: "note", Value: `a&b <c> "d" 'e'` },
        ],
      }),
    );
    await w.elb.send(new RemoveTagsCommand({ ResourceArns: [alb.lbArn], TagKeys: ["colour"] }));
    const out = await w.elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
    expect(out.TagDescriptions).toEqual([
      { ResourceArn: alb.lbArn, Tags: [{ Key: "app", Value: "bot" }] },
      {
        ResourceArn: blue,
        Tags: [
          { Key: "app", Value: "bot" },
          { Key: "colour", Value: "green" },
          { Key: "note", Value: `a&b <c> "d" 'e'` },
        ],
      },
      {
        ResourceArn: alb.listenerArn,
        Tags: [
          { Key: "app", Value: "bot" },
          { Key: "colour", Value: "blue" },
        ],
      },
      {
        ResourceArn: arns[3],
        Tags: [
          { Key: "app", Value: "bot" },
          { Key: "colour", Value: "blue" },
        ],
      },
    ]);
  });

  it("enforces 50 tags per resource, key and value lengths, and known resources", async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const tooMany = await rejectionOf(w.elb.send(new AddTagsCommand({ ResourceArns: [blue], Tags: many })));
    expect([tooMany.name, tooMany.message]).toEqual(["TooManyTagsException", "You've reached the limit on the number of tags for this resource"]);
    const longKey = await rejectionOf(w.elb.send(new AddTagsCommand({ ResourceArns: [blue], Tags: [{ Key: "k".repeat(129), Value: "v" }] })));
    expect(longKey.name).toBe("ValidationError");
    expect(longKey.message).toBe(
      `1 validation error detected: Value '${"k".repeat(129)}' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    const longValue = await rejectionOf(w.elb.send(new AddTagsCommand({ ResourceArns: [blue], Tags: [{ Key: "k", Value: "v".repeat(257) }] })));
    expect(longValue.name).toBe("ValidationError");
    const unknown = await rejectionOf(w.elb.send(new DescribeTagsCommand({ ResourceArns: [`${blue.slice(0, -4)}0000`] })));
    expect([unknown.name, unknown.message]).toEqual(["TargetGroupNotFoundException", "One or more target groups not found"]);
    expect((await w.elb.send(new DescribeTagsCommand({ ResourceArns: [blue] }))).TagDescriptions?.[0]?.Tags).toEqual([]);
  });
});

describe("target group attributes", () => {
  it("reads and changes deregistration_delay.timeout_seconds within 0..3600", async () => {
    const read = async () =>
      (await w.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: green }))).Attributes?.find(
        (a) => a.Key === "deregistration_delay.timeout_seconds",
      )?.Value;
    expect(await read()).toBe("5");
    await w.elb.send(
      new ModifyTargetGroupAttributesCommand({ TargetGroupArn: green, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }] }),
    );
    expect(await read()).toBe("30");
    const err = await rejectionOf(
      w.elb.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn: green, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "3601" }] }),
      ),
    );
    expect([err.name, err.message]).toEqual([
      "InvalidConfigurationRequestException",
      "The value of 'deregistration_delay.timeout_seconds' must be an integer between 0 and 3600",
    ]);
    expect(await read()).toBe("30");
  });
});

describe("target registration", () => {
  it("rejects unknown and stopped instances with InvalidTarget", async () => {
    const unknown = await rejectionOf(w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: "i-0123456789abcdef0" }] })));
    expect([unknown.name, unknown.message]).toEqual([
      "InvalidTargetException",
      "The specified target does not exist, is not in the same VPC as the target groups, or has an unsupported instance type.",
    ]);
    const { instanceId } = w.emu.control.addInstance({ privateIp: "127.0.1.9", state: "stopped" });
    const stopped = await rejectionOf(w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: instanceId }] })));
    expect([stopped.name, stopped.message]).toEqual([
      "InvalidTargetException",
      `The following targets are not in a running state and can not be registered: '${instanceId}'`,
    ]);
  });
});
