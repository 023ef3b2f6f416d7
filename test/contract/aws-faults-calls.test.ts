// Contract: injected faults as the SDK experiences them (throttling retried by the standard retry
// strategy, typed errors, server errors, latency) and the call log used to prove least privilege.
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
beforeEach(async () => {
  w = await startAwsWorld();
  alb = await createAlb(w);
  w.emu.control.clearCalls();
});
afterEach(async () => {
  await w.stop();
});

const switchToGreen = () =>
  w.elb.send(new ModifyListenerCommand({ ListenerArn: alb.listenerArn, DefaultActions: [{ Type: "forward", TargetGroupArn: alb.tg["bot-green"] as string }] }));
const actions = () => w.emu.control.calls().map((c) => `${c.service}:${c.action}`);

describe("faults", () => {
  it("throttles twice with Throttling / Rate exceeded; the SDK retries and the third attempt succeeds", async () => {
    w.emu.control.addFault({ action: "ModifyListener", kind: "throttle", times: 2 });
    const out = await switchToGreen();
    expect(out.$metadata.attempts).toBe(3);
    expect(out.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(alb.tg["bot-green"]);
    expect(actions()).toEqual(["elbv2:ModifyListener", "elbv2:ModifyListener", "elbv2:ModifyListener"]);
    expect(w.emu.control.state().faults).toEqual([]);
  });

  it("answers Throttling as HTTP 400 with code and message once retries run out", async () => {
    w.emu.control.addFault({ action: "DescribeTargetGroups", kind: "throttle" });
    const err = await rejectionOf(w.elb.send(new DescribeTargetGroupsCommand({})));
    expect([err.name, err.message, err.$metadata?.httpStatusCode, err.$metadata?.attempts]).toEqual(["Throttling", "Rate exceeded", 400, 3]);
  });

  it("throttles EC2 with RequestLimitExceeded, also retried", async () => {
    w.emu.control.addFault({ action: "DescribeInstances", kind: "throttle", times: 1 });
    const out = await w.ec2.send(new DescribeInstancesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    w.emu.control.addFault({ action: "DescribeInstances", kind: "throttle" });
    const err = await rejectionOf(w.ec2.send(new DescribeInstancesCommand({})));
    expect([err.name, err.message]).toEqual(["RequestLimitExceeded", "Request limit exceeded."]);
  });

  it("answers an injected typed error once, unretried, and the listener is unchanged", async () => {
    w.emu.control.addFault({ action: "ModifyListener", kind: "error", code: "InvalidConfigurationRequest", message: "Injected: listener busy", times: 1 });
    const err = await rejectionOf(switchToGreen());
    expect([err.name, err.message, err.$metadata?.attempts]).toEqual(["InvalidConfigurationRequestException", "Injected: listener busy", 1]);
    expect(w.emu.control.state().listeners[0]?.defaultActions[0]).toMatchObject({ targetGroups: [{ targetGroupArn: alb.tg["bot-blue"], weight: 1 }] });
    expect((await switchToGreen()).$metadata.attempts).toBe(1);
  });

  it("answers server errors (503) that the SDK retries", async () => {
    w.emu.control.addFault({ action: "*", kind: "error", httpStatus: 503, times: 1 });
    const ok = await w.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: alb.tg["bot-blue"] as string }));
    expect(ok.$metadata.attempts).toBe(2);
    w.emu.control.addFault({ action: "*", kind: "error", httpStatus: 500, code: "InternalFailure", message: "boom" });
    const err = await rejectionOf(w.elb.send(new DescribeTargetGroupsCommand({})));
    expect([err.name, err.message, err.$metadata?.httpStatusCode, err.$metadata?.attempts]).toEqual(["InternalFailure", "boom", 500, 3]);
    w.emu.control.clearFaults();
    expect((await w.elb.send(new DescribeTargetGroupsCommand({}))).$metadata.attempts).toBe(1);
  });

  it("delays calls by latencyMs", async () => {
    w.emu.control.addFault({ action: "DescribeTargetGroups", kind: "latency", latencyMs: 150, times: 1 });
    const started = Date.now();
    const out = await w.elb.send(new DescribeTargetGroupsCommand({ Names: ["bot-blue"] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(out.TargetGroups?.[0]?.TargetGroupName).toBe("bot-blue");
  });
});

describe("call log", () => {
  it("records every call with its service, and resets", async () => {
    await w.elb.send(new DescribeTargetGroupsCommand({}));
    await w.ec2.send(new DescribeInstancesCommand({}));
    await rejectionOf(w.elb.send(new DescribeTargetGroupsCommand({ Names: ["missing"] })));
    expect(actions()).toEqual(["elbv2:DescribeTargetGroups", "ec2:DescribeInstances", "elbv2:DescribeTargetGroups"]);
    for (const c of w.emu.control.calls()) expect(Number.isNaN(Date.parse(c.at))).toBe(false);
    w.emu.control.clearCalls();
    expect(w.emu.control.calls()).toEqual([]);
  });
});
