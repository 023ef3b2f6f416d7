// Contract: real HTTP health checks and the target health state machine, with the ALB's states,
// reasons and descriptions. Targets are small HTTP servers on 127.0.1.x; timeScale keeps it fast.
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROBE_TIMEOUT_FLOOR_MS } from "../../src/sandbox/aws/health-checker.js";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, startAwsWorld, startTarget, type TargetServer, waitFor } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
let blue: string;
let green: string;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  w = await startAwsWorld({ timeScale: 0.02 });
  alb = await createAlb(w);
  blue = alb.tg["bot-blue"] as string;
  green = alb.tg["bot-green"] as string;
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
  await w.stop();
});

async function target(host: string, name: string): Promise<{ t: TargetServer; id: string }> {
  const t = await startTarget(host, name);
  stops.push(() => t.stop());
  const { instanceId } = w.emu.control.addInstance({ privateIp: host, tags: { Name: name } });
  return { t, id: instanceId };
}

async function health(tgArn: string, targets?: { Id: string; Port?: number }[]) {
  const out = await w.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: targets }));
  return (out.TargetHealthDescriptions ?? []).map((d) => ({
    id: d.Target?.Id,
    port: d.Target?.Port,
    hcPort: d.HealthCheckPort,
    state: d.TargetHealth?.State,
    reason: d.TargetHealth?.Reason,
    description: d.TargetHealth?.Description,
  }));
}

const stateOf = async (tgArn: string) => (await health(tgArn))[0]?.state;
const register = (tgArn: string, id: string, port: number) =>
  w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: id, Port: port }] }));

describe("state machine", () => {
  it("goes initial (registration, then initial checks) to healthy after HealthyThresholdCount passes", async () => {
    w.emu.control.setTimeScale(0.1); // a wider window so the initial-checking phase is observable
    const { t, id } = await target("127.0.1.1", "blue-1");
    await register(blue, id, t.port);
    expect(await health(blue)).toEqual([
      { id, port: t.port, hcPort: String(t.port), state: "initial", reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" },
    ]);
    const checking = await waitFor(
      () => health(blue),
      (h) => h[0]?.reason !== "Elb.RegistrationInProgress",
      5000,
      "first health check",
    );
    expect(checking[0]).toMatchObject({ state: "initial", reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress" });
    const healthy = await waitFor(
      () => health(blue),
      (h) => h[0]?.state === "healthy",
      5000,
      "healthy",
    );
    expect(healthy).toEqual([{ id, port: t.port, hcPort: String(t.port), state: "healthy", reason: undefined, description: undefined }]);
    const probe = t.seen.find((s) => s.path === "/health");
    expect(probe?.method).toBe("GET");
    expect(probe?.headers["user-agent"]).toBe("ELB-HealthChecker/2.0");
  });

  it("turns unhealthy with ResponseCodeMismatch after UnhealthyThresholdCount failures, and recovers", async () => {
    const { t, id } = await target("127.0.1.2", "blue-2");
    await register(blue, id, t.port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    t.status = 502;
    const bad = await waitFor(
      () => health(blue),
      (h) => h[0]?.state === "unhealthy",
      5000,
      "unhealthy",
    );
    expect(bad[0]).toMatchObject({ state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [502]" });
    t.status = 200;
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy again",
    );
  });

  it("reports Target.FailedHealthChecks when the connection is refused", async () => {
    const { t, id } = await target("127.0.1.3", "blue-3");
    await register(blue, id, t.port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    await t.stop();
    const bad = await waitFor(
      () => health(blue),
      (h) => h[0]?.state === "unhealthy",
      5000,
      "unhealthy",
    );
    expect(bad[0]).toMatchObject({ reason: "Target.FailedHealthChecks", description: "Health checks failed" });
  });

  it("reports Target.Timeout when the target does not answer within the timeout", async () => {
    const silent = http.createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.1.4", r));
    stops.push(
      () =>
        new Promise<void>((r) => {
          silent.close(() => r());
          silent.closeAllConnections();
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const { instanceId } = w.emu.control.addInstance({ privateIp: "127.0.1.4" });
    await register(blue, instanceId, port);
    const bad = await waitFor(
      () => health(blue),
      (h) => h[0]?.state === "unhealthy",
      5000,
      "unhealthy",
    );
    expect(bad[0]).toMatchObject({ reason: "Target.Timeout", description: "Request timed out" });
  });
});

describe("probe timeout floor", () => {
  // At this file's 0.02 time scale createAlb's 2 s timeout scales to 40 ms; the emulator gives a
  // probe PROBE_TIMEOUT_FLOOR_MS (500 ms) instead, so a loaded machine's stall is not a timeout,
  // while a target slower than the floor still times out.
  const RAW_SCALED_MS = 2 * 1000 * 0.02;

  /** A target whose /health answers 200 after `delayMs` (real milliseconds). */
  async function slowTarget(host: string, delayMs: number): Promise<{ id: string; port: number }> {
    const server = http.createServer((_req, res) => {
      const timer = setTimeout(() => res.writeHead(200).end("ok"), delayMs);
      res.on("close", () => clearTimeout(timer));
    });
    await new Promise<void>((r) => server.listen(0, host, r));
    stops.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    const { instanceId } = w.emu.control.addInstance({ privateIp: host });
    return { id: instanceId, port: (server.address() as AddressInfo).port };
  }

  it("a target answering after the raw scaled timeout but within the floor is healthy", async () => {
    const delayMs = 150;
    expect(delayMs).toBeGreaterThan(RAW_SCALED_MS * 3);
    expect(delayMs).toBeLessThan(PROBE_TIMEOUT_FLOOR_MS / 3);
    const { id, port } = await slowTarget("127.0.1.11", delayMs);
    await register(blue, id, port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    // Healthy means two probes passed in a row and none timed out since registration.
    expect((await health(blue))[0]).toMatchObject({ state: "healthy", reason: undefined });
  });

  it("a target answering later than the floor is Target.Timeout, as a slow target is on a real ALB", async () => {
    const { id, port } = await slowTarget("127.0.1.12", PROBE_TIMEOUT_FLOOR_MS * 3);
    await register(blue, id, port);
    const bad = await waitFor(
      () => health(blue),
      (h) => h[0]?.state !== "initial",
      10_000,
      "a verdict",
    );
    expect(bad[0]).toMatchObject({ state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" });
  });
});

describe("time scale", () => {
  it("applies a new time scale to health checks already waiting", async () => {
    w.emu.control.setTimeScale(1); // first check 5 s away
    const { t, id } = await target("127.0.1.10", "blue-10");
    await register(blue, id, t.port);
    w.emu.control.setTimeScale(0.02);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      2000,
      "healthy at the new pace",
    );
  });
});

describe("unused targets", () => {
  it("reports unused/Target.NotInUse for an unreferenced group, and checks it once a weight-0 forward references it", async () => {
    const { t, id } = await target("127.0.1.5", "green-1");
    await register(green, id, t.port);
    expect(await health(green)).toEqual([
      {
        id,
        port: t.port,
        hcPort: String(t.port),
        state: "unused",
        reason: "Target.NotInUse",
        description: "Target group is not configured to receive traffic from the load balancer",
      },
    ]);
    expect(t.seen).toEqual([]);
    await w.elb.send(
      new ModifyListenerCommand({
        ListenerArn: alb.listenerArn,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 1 },
                { TargetGroupArn: green, Weight: 0 },
              ],
            },
          },
        ],
      }),
    );
    await waitFor(
      () => stateOf(green),
      (s) => s === "healthy",
      5000,
      "green healthy",
    );
    await w.elb.send(new ModifyListenerCommand({ ListenerArn: alb.listenerArn, DefaultActions: [{ Type: "forward", TargetGroupArn: blue }] }));
    expect((await health(green))[0]).toMatchObject({ state: "unused", reason: "Target.NotInUse" });
  });

  it("reports Target.NotRegistered only for a target asked for explicitly", async () => {
    const { id } = await target("127.0.1.6", "blue-6");
    expect(await health(blue)).toEqual([]);
    expect(await health(blue, [{ Id: id, Port: 5001 }])).toEqual([
      { id, port: 5001, hcPort: "5001", state: "unused", reason: "Target.NotRegistered", description: "Target is not registered to the target group" },
    ]);
  });

  it("reports Target.InvalidState while the instance is not running, and starts over when it runs again", async () => {
    const { t, id } = await target("127.0.1.7", "blue-7");
    await register(blue, id, t.port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    w.emu.control.patchInstance(id, { state: "stopped" });
    expect((await health(blue))[0]).toMatchObject({ state: "unused", reason: "Target.InvalidState", description: "Target is in the stopped state" });
    w.emu.control.patchInstance(id, { state: "running" });
    expect((await health(blue))[0]).toMatchObject({ state: "initial", reason: "Elb.RegistrationInProgress" });
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy again",
    );
  });
});

describe("deregistration", () => {
  it("drains for the deregistration delay, then the target is gone", async () => {
    const { t, id } = await target("127.0.1.8", "blue-8");
    await register(blue, id, t.port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    await w.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: id, Port: t.port }] }));
    expect(await health(blue)).toEqual([
      {
        id,
        port: t.port,
        hcPort: String(t.port),
        state: "draining",
        reason: "Target.DeregistrationInProgress",
        description: "Target deregistration is in progress",
      },
    ]);
    await waitFor(
      () => health(blue),
      (h) => h.length === 0,
      5000,
      "drained",
    );
    expect((await health(blue, [{ Id: id, Port: t.port }]))[0]).toMatchObject({ state: "unused", reason: "Target.NotRegistered" });
    expect(w.emu.control.state().targetGroups.find((g) => g.arn === blue)?.targets).toEqual([]);
  });

  it("re-registering a draining target puts it back through initial checks", async () => {
    const { t, id } = await target("127.0.1.9", "blue-9");
    await register(blue, id, t.port);
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy",
    );
    w.emu.control.setTimeScale(1); // a long drain (5 s) that re-registration must cut short
    await w.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: id, Port: t.port }] }));
    expect(await stateOf(blue)).toBe("draining");
    w.emu.control.setTimeScale(0.02);
    await register(blue, id, t.port);
    expect((await health(blue))[0]).toMatchObject({ state: "initial", reason: "Elb.RegistrationInProgress" });
    await waitFor(
      () => stateOf(blue),
      (s) => s === "healthy",
      5000,
      "healthy again",
    );
  });
});
