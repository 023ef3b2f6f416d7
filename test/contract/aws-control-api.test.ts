// Contract: the emulator's JSON control API over HTTP (instances, faults, state, calls,
// time-scale, seed), fixed data-plane ports, and the runnable server-main entry point.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsWorld, httpCall, startAwsWorld, startTarget, type TargetServer, waitFor } from "../helpers/aws-world.js";

let w: AwsWorld;
const stops: (() => Promise<void>)[] = [];
beforeEach(async () => {
  w = await startAwsWorld();
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
  await w.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions
type Json = any;

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${w.emu.endpoint}/_control/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const SEED = {
  name: "bot-alb",
  listenerPort: 80,
  targetGroups: [
    { name: "bot-blue", port: 5001, healthCheckPath: "/health" },
    { name: "bot-green", port: 5002, healthCheckPath: "/health" },
  ],
  colourRules: [
    { pathPattern: "/telegram/blue*", targetGroup: "bot-blue", priority: 10 },
    { pathPattern: "/telegram/green*", targetGroup: "bot-green", priority: 20 },
  ],
  defaultTargetGroup: "bot-blue",
};

describe("instances", () => {
  it("adds instances (generating i- + 17 hex ids), patches them and shows them in state and EC2", async () => {
    const added = await control("POST", "instances", { tags: { app: "echo-bot" }, privateIp: "127.0.1.1" });
    expect(added.status).toBe(200);
    expect(added.json.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    const id = added.json.instanceId as string;
    const patched = await control("PATCH", `instances/${id}`, { state: "stopped", systemStatus: "impaired" });
    expect(patched.json).toEqual({
      instanceId: id,
      privateIp: "127.0.1.1",
      state: "stopped",
      instanceStatus: "ok",
      systemStatus: "impaired",
      tags: { app: "echo-bot" },
    });
    const ec2 = await w.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:app", Values: ["echo-bot"] }] }));
    expect(ec2.Reservations?.[0]?.Instances?.[0]?.State).toEqual({ Code: 80, Name: "stopped" });
    const explicit = await control("POST", "instances", { instanceId: "i-0aaaaaaaaaaaaaaaa", privateIp: "127.0.1.2" });
    expect(explicit.json).toEqual({ instanceId: "i-0aaaaaaaaaaaaaaaa" });
  });

  it("rejects bad bodies with 400, unknown instances and routes with 404", async () => {
    expect(await control("POST", "instances", { privateIp: "nope", colour: "blue" })).toEqual({
      status: 400,
      json: { error: 'privateIp: must be an IPv4 address; (body): Unrecognized key: "colour"' },
    });
    expect(await control("PATCH", "instances/i-0123456789abcdef0", { state: "running" })).toEqual({
      status: 404,
      json: { error: "instance 'i-0123456789abcdef0' not found" },
    });
    expect(await control("GET", "nothing-here")).toEqual({ status: 404, json: { error: "no control route GET /_control/nothing-here" } });
  });
});

describe("faults, calls and time scale over HTTP", () => {
  it("adds and clears faults, lists and resets calls, and sets the time scale", async () => {
    const fault = await control("POST", "faults", {
      action: "DescribeTargetGroups",
      kind: "error",
      code: "InvalidConfigurationRequest",
      message: "nope",
      times: 1,
    });
    expect(fault.json.faultId).toMatch(/^fault-/);
    expect((await control("GET", "state")).json.faults).toEqual([
      { action: "DescribeTargetGroups", kind: "error", code: "InvalidConfigurationRequest", message: "nope", times: 1 },
    ]);
    expect(await control("DELETE", "faults")).toEqual({ status: 200, json: {} });
    await w.elb.send(new DescribeTargetGroupsCommand({}));
    expect((await control("GET", "calls")).json).toEqual([{ action: "DescribeTargetGroups", at: expect.any(String), service: "elbv2" }]);
    expect(await control("DELETE", "calls")).toEqual({ status: 200, json: {} });
    expect((await control("GET", "calls")).json).toEqual([]);
    expect(await control("POST", "time-scale", { timeScale: 0.5 })).toEqual({ status: 200, json: { timeScale: 0.5 } });
    expect((await control("POST", "time-scale", { timeScale: -1 })).status).toBe(400);
    expect((await control("POST", "faults", { action: "X", kind: "explode" })).status).toBe(400);
  });
});

describe("seed", () => {
  it("creates the ALB, target groups and colour rules in one call, with the sandbox health settings", async () => {
    const seeded = await control("POST", "seed", SEED);
    expect(seeded.status).toBe(200);
    const s = seeded.json;
    expect(Object.keys(s.targetGroups)).toEqual(["bot-blue", "bot-green"]);
    const rules = (await w.elb.send(new DescribeRulesCommand({ ListenerArn: s.listenerArn }))).Rules ?? [];
    expect(rules.map((r) => [r.Priority, r.Conditions?.[0]?.Values, r.Actions?.[0]?.TargetGroupArn])).toEqual([
      ["10", ["/telegram/blue*"], s.targetGroups["bot-blue"]],
      ["20", ["/telegram/green*"], s.targetGroups["bot-green"]],
      ["default", undefined, s.targetGroups["bot-blue"]],
    ]);
    const tg = (await w.elb.send(new DescribeTargetGroupsCommand({ Names: ["bot-green"] }))).TargetGroups?.[0];
    expect([
      tg?.HealthCheckPath,
      tg?.HealthCheckIntervalSeconds,
      tg?.HealthCheckTimeoutSeconds,
      tg?.HealthyThresholdCount,
      tg?.UnhealthyThresholdCount,
    ]).toEqual(["/health", 5, 2, 2, 2]);
    const attrs = await w.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: s.targetGroups["bot-green"] }));
    expect(attrs.Attributes?.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value).toBe("5");
    const again = await control("POST", "seed", SEED);
    expect(again.json).toEqual(s);
    const state = (await control("GET", "state")).json;
    expect(state.listeners[0]).toMatchObject({ arn: s.listenerArn, port: 80, dataPlanePort: s.dataPlanePort });
    expect(state.targetGroups.map((g: { name: string }) => g.name)).toEqual(["bot-blue", "bot-green"]);
  });

  it("serves the seeded listener on the data plane, routing by colour path", async () => {
    const s = (await control("POST", "seed", SEED)).json;
    const targets: TargetServer[] = [];
    for (const [colour, ip] of [
      ["bot-blue", "127.0.3.1"],
      ["bot-green", "127.0.3.2"],
    ] as const) {
      const t = await startTarget(ip, colour);
      stops.push(() => t.stop());
      targets.push(t);
      const { instanceId } = w.emu.control.addInstance({ privateIp: ip });
      await w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: s.targetGroups[colour], Targets: [{ Id: instanceId, Port: t.port }] }));
    }
    await waitFor(
      () => w.emu.control.state().targetGroups.flatMap((g) => g.targets.map((t) => t.state)),
      (st) => st.join() === "healthy,healthy",
      5000,
      "healthy",
    );
    expect((await httpCall(s.dataPlanePort, "/telegram/green")).headers.get("x-served-by")).toBe("bot-green");
    expect((await httpCall(s.dataPlanePort, "/telegram/blue")).headers.get("x-served-by")).toBe("bot-blue");
  });

  it("rejects a seed naming an unknown target group without creating anything", async () => {
    const bad = await control("POST", "seed", { ...SEED, defaultTargetGroup: "bot-red" });
    expect(bad).toEqual({ status: 400, json: { error: "target group 'bot-red' is not among targetGroups" } });
    expect((await control("GET", "state")).json.loadBalancers).toEqual([]);
  });
});

describe("fixed data-plane ports", () => {
  it("binds a listener to the local port mapped by listenerPorts", async () => {
    const free = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const mapped = await startAwsWorld({ listenerPorts: { 80: free } });
    try {
      const s = await mapped.emu.control.seed(SEED);
      expect(s.dataPlanePort).toBe(free);
      expect((await httpCall(free, "/")).status).toBe(503);
    } finally {
      await mapped.stop();
    }
  });
});
