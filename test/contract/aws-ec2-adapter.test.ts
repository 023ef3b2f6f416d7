// Contract: the Instances adapter (@aws-sdk/client-ec2, loaded on first use) against the
// emulator: selection by tags and by ids, terminated instances left out, status checks folded into
// one word, a throttle retried, and EC2's own refusal surfaced with its code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsInstances, describeInstancesFilters } from "../../src/adapters/aws-ec2.js";
import { CallCounter } from "../../src/adapters/call-count.js";
import { type AwsWorld, REGION, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

let w: AwsWorld;
let ids: { a: string; b: string; c: string; d: string };
beforeAll(async () => {
  w = await startAwsWorld();
  const add = w.emu.control.addInstance.bind(w.emu.control);
  ids = {
    a: add({ privateIp: "127.0.1.1", publicIp: "203.0.113.10", tags: { app: "bot", role: "web" } }).instanceId,
    b: add({ privateIp: "127.0.1.2", tags: { app: "bot", role: "web" }, instanceStatus: "impaired" }).instanceId,
    c: add({ privateIp: "127.0.1.3", tags: { app: "other" } }).instanceId,
    d: add({ privateIp: "127.0.1.4", tags: { app: "bot", role: "web" }, state: "terminated" }).instanceId,
  };
});
afterAll(async () => {
  await w.stop();
});

const adapter = (selector: ConstructorParameters<typeof AwsInstances>[1], calls = new CallCounter()) =>
  new AwsInstances({ region: REGION, endpoint: w.emu.endpoint }, selector, { calls });

describe("AwsInstances over the EC2 SDK client", () => {
  it("lists the instances with all the given tags, sorted, with addresses and status", async () => {
    const calls = new CallCounter();
    const list = await adapter({ tags: { app: "bot", role: "web" } }, calls).list();
    expect(list).toEqual(
      [
        { instanceId: ids.a, state: "running", privateIp: "127.0.1.1", publicIp: "203.0.113.10", status: "ok" },
        { instanceId: ids.b, state: "running", privateIp: "127.0.1.2", status: "instance impaired, system ok" },
      ].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1)),
    );
    expect(calls.snapshot().aws).toEqual({ DescribeInstances: 1, DescribeInstanceStatus: 1 });
  });

  it("without status checks: one call, and the status says they were not read", async () => {
    const calls = new CallCounter();
    const list = await adapter({ tags: { app: "bot", role: "web" } }, calls).list({ statusChecks: false });
    expect(list.map((i) => [i.instanceId, i.status])).toEqual(
      [
        [ids.a, "not checked"],
        [ids.b, "not checked"],
      ].sort((x, y) => ((x[0] ?? "") < (y[0] ?? "") ? -1 : 1)),
    );
    expect(list.find((i) => i.instanceId === ids.a)).toMatchObject({ privateIp: "127.0.1.1", publicIp: "203.0.113.10", state: "running" });
    expect(calls.snapshot().aws).toEqual({ DescribeInstances: 1 });
  });

  it("selects by instance ids", async () => {
    expect((await adapter({ instanceIds: [ids.c] }).list()).map((i) => i.instanceId)).toEqual([ids.c]);
  });

  it("retries a throttled call", async () => {
    w.emu.control.addFault({ action: "DescribeInstances", kind: "throttle", times: 1 });
    expect((await adapter({ instanceIds: [ids.a] }).list()).map((i) => i.instanceId)).toEqual([ids.a]);
  });

  it("surfaces EC2's refusal with its code, without retrying it", async () => {
    const e = await rejectionOf(adapter({ instanceIds: ["i-0000000000000dead"] }).list());
    expect(e.message).toMatch(/^EC2 DescribeInstances: InvalidInstanceID\.NotFound: /);
  });

  it("turns a tag selector into one tag filter per key", () => {
    expect(describeInstancesFilters({ tags: { app: "bot", role: "web" } })).toEqual([
      { Name: "tag:app", Values: ["bot"] },
      { Name: "tag:role", Values: ["web"] },
    ]);
    expect(describeInstancesFilters({ instanceIds: ["i-1", "i-2"] })).toEqual([]);
  });
});
