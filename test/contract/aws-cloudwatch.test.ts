// Contract: CloudWatch through the unmodified @aws-sdk/client-cloudwatch (AWS JSON 1.0 with
// query-compatible errors). Alarms are set through the control API; the ALB's per-target-group
// metrics come from real requests through the emulator's data plane, at its time scale.
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
} from "@aws-sdk/client-cloudwatch";
import { ModifyListenerCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, httpCall, rejectionOf, startAwsWorld, startTarget, type TargetServer, waitFor } from "../helpers/aws-world.js";

const TIME_SCALE = 0.02; // a 60 s period is 1.2 real seconds
let w: AwsWorld;
let alb: Alb;
let blueTg: string;
let greenTg: string;
let blue: TargetServer;
let green: TargetServer;

const dim = (arn: string, marker: string) => arn.slice(arn.indexOf(marker) + (marker === "targetgroup/" ? 0 : marker.length));
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${w.emu.endpoint}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
};

beforeAll(async () => {
  w = await startAwsWorld({ timeScale: TIME_SCALE });
  alb = await createAlb(w);
  blueTg = alb.tg["bot-blue"] as string;
  greenTg = alb.tg["bot-green"] as string;
  blue = await startTarget("127.0.3.1", "blue");
  green = await startTarget("127.0.3.2", "green");
  for (const [tg, t] of [
    [blueTg, blue],
    [greenTg, green],
  ] as const) {
    const { instanceId } = w.emu.control.addInstance({ privateIp: t.host });
    await w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: t.port }] }));
  }
  await w.elb.send(
    new ModifyListenerCommand({
      ListenerArn: alb.listenerArn,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: blueTg, Weight: 1 },
              { TargetGroupArn: greenTg, Weight: 1 },
            ],
          },
        },
      ],
    }),
  );
  const healthy = async () => (await w.emu.control.state()).targetGroups.every((g) => g.targets.length === 1 && g.targets.every((t) => t.state === "healthy"));
  await waitFor(healthy, (ok) => ok, 10_000, "both targets healthy");
});
afterAll(async () => {
  await Promise.all([blue?.stop(), green?.stop()]);
  await w?.stop();
});

describe("DescribeAlarms", () => {
  it("reads the alarms and states set through the control API, filtered by name; unknown names are left out", async () => {
    expect((await control("PUT", "/_control/alarms/bot-5xx", { state: "OK" })).status).toBe(200);
    await control("PUT", "/_control/alarms/bot-latency", { state: "ALARM", reason: "Threshold Crossed: 1 datapoint [2.5] was greater than 2.0" });
    const out = await w.cw.send(new DescribeAlarmsCommand({ AlarmNames: ["bot-5xx", "bot-latency", "nope"] }));
    expect(out.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason])).toEqual([
      ["bot-5xx", "OK", "created through the emulator's control API"],
      ["bot-latency", "ALARM", "Threshold Crossed: 1 datapoint [2.5] was greater than 2.0"],
    ]);
    const first = out.MetricAlarms?.[0];
    expect(first?.AlarmArn).toBe("arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:bot-5xx");
    expect(first?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(Math.abs((first?.StateUpdatedTimestamp?.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);
  });

  it("follows state changes, filters by StateValue, and a deleted alarm disappears", async () => {
    await control("PUT", "/_control/alarms/bot-5xx", { state: "ALARM" });
    const inAlarm = await w.cw.send(new DescribeAlarmsCommand({ StateValue: "ALARM" }));
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["bot-5xx", "bot-latency"]);
    expect((await control("DELETE", "/_control/alarms/bot-latency")).status).toBe(200);
    expect((await control("DELETE", "/_control/alarms/bot-latency")).status).toBe(404);
    const all = await w.cw.send(new DescribeAlarmsCommand({}));
    expect(all.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue])).toEqual([["bot-5xx", "ALARM"]]);
    expect((await control("GET", "/_control/alarms")).json).toMatchObject([{ name: "bot-5xx", state: "ALARM" }]);
    expect((await control("PUT", "/_control/alarms/x", { state: "RED" })).status).toBe(400);
  });

  it("answers invalid combinations with the service's typed error", async () => {
    const err = await rejectionOf(w.cw.send(new DescribeAlarmsCommand({ AlarmNames: ["a"], AlarmNamePrefix: "a" })));
    expect(err).toBeInstanceOf(InvalidParameterCombinationException);
    expect(err.message).toBe("AlarmNamePrefix and AlarmNames cannot be specified together.");
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });
});

describe("GetMetricData: the ALB's per-target-group metrics from its own data plane", () => {
  const query = (start: Date, end: Date, tg: string, metricName: string, stat: string, id = "m") =>
    w.cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          {
            Id: id,
            MetricStat: {
              Metric: {
                Namespace: "AWS/ApplicationELB",
                MetricName: metricName,
                Dimensions: [
                  { Name: "LoadBalancer", Value: dim(alb.lbArn, "loadbalancer/") },
                  { Name: "TargetGroup", Value: dim(tg, "targetgroup/") },
                ],
              },
              Period: 60,
              Stat: stat,
            },
          },
        ],
      }),
    );
  const total = (out: GetMetricDataCommandOutput) => (out.MetricDataResults?.[0]?.Values ?? []).reduce((s, v) => s + v, 0);

  it("counts each group's target 5XX answers and requests, in periods scaled by the time scale", async () => {
    const start = new Date(Date.now() - 1000);
    green.status = 500;
    try {
      for (let i = 0; i < 20; i++) await httpCall(alb.dataPlanePort, `/telegram/${i}`);
    } finally {
      green.status = 200;
    }
    const end = new Date(Date.now() + 1000);
    const blue5xx = await query(start, end, blueTg, "HTTPCode_Target_5XX_Count", "Sum");
    const green5xx = await query(start, end, greenTg, "HTTPCode_Target_5XX_Count", "Sum");
    const greenRequests = await query(start, end, greenTg, "RequestCount", "Sum");
    const blueRequests = await query(start, end, blueTg, "RequestCount", "Sum");
    expect(blue5xx.MetricDataResults?.[0]).toMatchObject({ Id: "m", StatusCode: "Complete", Values: [], Timestamps: [] });
    // The weights are 1:1, so the 20 requests split 10/10 (health checks are not requests).
    expect(total(green5xx)).toBe(10);
    expect(total(greenRequests)).toBe(10);
    expect(total(blueRequests)).toBe(10);
    const stamps = green5xx.MetricDataResults?.[0]?.Timestamps ?? [];
    expect(stamps.length).toBeGreaterThan(0);
    for (const t of stamps) {
      expect(t.getTime()).toBeGreaterThanOrEqual(start.getTime());
      expect(t.getTime()).toBeLessThan(end.getTime());
      // Period starts sit on the 1.2 s grid (60 s x 0.02) from the start time (sent with its milliseconds).
      expect(((t.getTime() - start.getTime()) / 1200) % 1).toBeCloseTo(0, 5);
    }
    // Newest first, as CloudWatch's default ScanBy.
    expect([...stamps].sort((a, b) => b.getTime() - a.getTime())).toEqual(stamps);
  });

  it("reports TargetResponseTime percentiles in seconds from the targets' real answers", async () => {
    const start = new Date(Date.now() - 1000);
    let release!: () => void;
    green.hold = new Promise<void>((r) => {
      release = r;
    });
    // Two requests at weights 1:1: one reaches green and is held there for 300 ms.
    const slow = [httpCall(alb.dataPlanePort, "/slow-1"), httpCall(alb.dataPlanePort, "/slow-2")];
    await waitFor(
      () => green.seen.some((r) => r.path.startsWith("/slow-")),
      (v) => v,
      5000,
      "green to receive a slow request",
    );
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all(slow);
    delete green.hold;
    const out = await query(start, new Date(Date.now() + 1000), greenTg, "TargetResponseTime", "p99");
    const p99 = Math.max(...(out.MetricDataResults?.[0]?.Values ?? [0]));
    expect(p99).toBeGreaterThanOrEqual(0.29);
    expect(p99).toBeLessThan(5);
  });

  it("reports UnHealthyHostCount from the health checks", async () => {
    const start = new Date(Date.now() - 500);
    green.status = 500;
    try {
      await waitFor(
        async () => total(await query(start, new Date(Date.now() + 100), greenTg, "UnHealthyHostCount", "Maximum")),
        (n) => n >= 1,
        10_000,
        "an unhealthy host",
      );
    } finally {
      green.status = 200;
    }
    const blue = await query(start, new Date(Date.now() + 100), blueTg, "UnHealthyHostCount", "Maximum");
    expect(Math.max(0, ...(blue.MetricDataResults?.[0]?.Values ?? []))).toBe(0);
  });

  it("rejects a period CloudWatch would reject, with its typed error", async () => {
    const err = await rejectionOf(
      w.cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 60_000),
          EndTime: new Date(),
          MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount" }, Period: 45, Stat: "Sum" } }],
        }),
      ),
    );
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect(err.message).toContain("Period must be 1, 5, 10, 30, or a multiple of 60");
  });
});
