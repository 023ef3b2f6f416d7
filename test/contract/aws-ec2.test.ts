// Contract: EC2 DescribeInstances / DescribeInstanceStatus through the real EC2 SDK client —
// filters, the lower-case XML shapes, and EC2's own error format.
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, type DescribeInstancesCommandInput } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsWorld, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let ids: { a: string; b: string; c: string };
beforeEach(async () => {
  w = await startAwsWorld();
  const add = w.emu.control.addInstance.bind(w.emu.control);
  ids = {
    a: add({ privateIp: "127.0.1.1", publicIp: "203.0.113.10", tags: { app: "crypto-assistant", role: "telegram-bot", Name: "bot-a" } }).instanceId,
    b: add({ privateIp: "127.0.1.2", tags: { app: "crypto-assistant", role: "telegram-bot", Name: "bot-b" }, instanceStatus: "impaired" }).instanceId,
    c: add({ privateIp: "127.0.1.3", tags: { app: "other", Name: "worker" }, state: "stopped" }).instanceId,
  };
});
afterEach(async () => {
  await w.stop();
});

async function instanceIds(input: DescribeInstancesCommandInput): Promise<string[]> {
  const out = await w.ec2.send(new DescribeInstancesCommand(input));
  return (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ""));
}

describe("DescribeInstances", () => {
  it("returns reservations with id, state, addresses and tags", async () => {
    const out = await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids.a] }));
    expect(out.Reservations).toHaveLength(1);
    expect(out.Reservations?.[0]?.OwnerId).toBe("123456789012");
    expect(out.Reservations?.[0]?.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    const i = out.Reservations?.[0]?.Instances?.[0];
    expect(i).toMatchObject({
      InstanceId: ids.a,
      State: { Code: 16, Name: "running" },
      PrivateIpAddress: "127.0.1.1",
      PublicIpAddress: "203.0.113.10",
      Placement: { AvailabilityZone: "ap-southeast-2a", GroupName: "", Tenancy: "default" },
      Tags: [
        { Key: "app", Value: "crypto-assistant" },
        { Key: "role", Value: "telegram-bot" },
        { Key: "Name", Value: "bot-a" },
      ],
    });
    expect(ids.a).toMatch(/^i-[0-9a-f]{17}$/);
  });

  it("filters by tag:<Key>, tag-key, instance-state-name and instance-id (AND across filters, OR within)", async () => {
    expect(
      await instanceIds({
        Filters: [
          { Name: "tag:app", Values: ["crypto-assistant"] },
          { Name: "tag:role", Values: ["telegram-bot"] },
        ],
      }),
    ).toEqual([ids.a, ids.b]);
    expect(await instanceIds({ Filters: [{ Name: "tag:Name", Values: ["bot-*"] }] })).toEqual([ids.a, ids.b]);
    expect(await instanceIds({ Filters: [{ Name: "tag-key", Values: ["role"] }] })).toEqual([ids.a, ids.b]);
    expect(await instanceIds({ Filters: [{ Name: "instance-state-name", Values: ["stopped", "stopping"] }] })).toEqual([ids.c]);
    expect(
      await instanceIds({
        Filters: [
          { Name: "instance-id", Values: [ids.b, ids.c] },
          { Name: "instance-state-name", Values: ["running"] },
        ],
      }),
    ).toEqual([ids.b]);
    expect(await instanceIds({ Filters: [{ Name: "tag:app", Values: ["nothing"] }] })).toEqual([]);
    expect(await instanceIds({})).toEqual([ids.a, ids.b, ids.c]);
  });

  it("answers unknown ids with InvalidInstanceID.NotFound in EC2's error shape", async () => {
    const one = await rejectionOf(w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids.a, "i-0123456789abcdef0"] })));
    expect([one.name, one.message, one.$metadata?.httpStatusCode]).toEqual([
      "InvalidInstanceID.NotFound",
      "The instance ID 'i-0123456789abcdef0' does not exist",
      400,
    ]);
    expect((one as unknown as { Code: string }).Code).toBe("InvalidInstanceID.NotFound");
    const two = await rejectionOf(w.ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0", "i-0123456789abcdef1"] })));
    expect(two.message).toBe("The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");
    const bad = await rejectionOf(w.ec2.send(new DescribeInstancesCommand({ InstanceIds: ["web-1"] })));
    expect([bad.name, bad.message]).toEqual(["InvalidInstanceID.Malformed", 'Invalid id: "web-1"']);
    const filter = await rejectionOf(w.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "colour", Values: ["blue"] }] })));
    expect([filter.name, filter.message]).toEqual(["InvalidParameterValue", "The filter 'colour' is invalid"]);
  });
});

describe("DescribeInstanceStatus", () => {
  it("lists running instances only, with reachability details", async () => {
    const out = await w.ec2.send(new DescribeInstanceStatusCommand({}));
    expect(out.InstanceStatuses).toEqual([
      {
        AvailabilityZone: "ap-southeast-2a",
        InstanceId: ids.a,
        InstanceState: { Code: 16, Name: "running" },
        InstanceStatus: { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] },
        SystemStatus: { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] },
      },
      {
        AvailabilityZone: "ap-southeast-2a",
        InstanceId: ids.b,
        InstanceState: { Code: 16, Name: "running" },
        InstanceStatus: { Status: "impaired", Details: [{ Name: "reachability", Status: "failed" }] },
        SystemStatus: { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] },
      },
    ]);
  });

  it("includes stopped instances with IncludeAllInstances, and follows control-API changes", async () => {
    const out = await w.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [ids.c], IncludeAllInstances: true }));
    expect(out.InstanceStatuses).toEqual([
      {
        AvailabilityZone: "ap-southeast-2a",
        InstanceId: ids.c,
        InstanceState: { Code: 80, Name: "stopped" },
        InstanceStatus: { Status: "not-applicable" },
        SystemStatus: { Status: "not-applicable" },
      },
    ]);
    expect((await w.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [ids.c] }))).InstanceStatuses).toEqual([]);
    w.emu.control.patchInstance(ids.c, { state: "running", systemStatus: "initializing" });
    const after = await w.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [ids.c] }));
    expect(after.InstanceStatuses?.[0]?.SystemStatus).toEqual({ Status: "initializing", Details: [{ Name: "reachability", Status: "initializing" }] });
    const missing = await rejectionOf(w.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ["i-0123456789abcdef0"] })));
    expect(missing.name).toBe("InvalidInstanceID.NotFound");
  });
});
