// The CloudWatch gates' pure parts: alarm and metric verdicts, the ALB dimensions and the exact
// GetMetricData queries, and the preflight check that every gates.alarms name exists.
import { describe, expect, it } from "vitest";
import { loadBalancerDimension, metricQueries, targetGroupDimension } from "../../src/adapters/aws-cloudwatch.js";
import { loadEnvironmentText } from "../../src/config/index.js";
import { alarmVerdict, combine, metricsVerdict, OK, webhookVerdict } from "../../src/domain/gates.js";
import { PreflightError } from "../../src/errors.js";
import { checkAlarmsExist } from "../../src/orchestrator/cloudwatch-gates.js";
import { ctxFor } from "../fakes/argv-ctx.js";
import { FakeMonitoring } from "../fakes/monitoring.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const LISTENER = "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener/app/bot-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";
const TG = "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/bot-green/6d0ecf831eec9f09";

describe("alarmVerdict", () => {
  it("passes when every alarm is OK or INSUFFICIENT_DATA", () => {
    expect(
      alarmVerdict(
        ["a", "b"],
        [
          { name: "a", state: "OK", reason: "" },
          { name: "b", state: "INSUFFICIENT_DATA", reason: "" },
        ],
      ),
    ).toEqual({ kind: "ok" });
  });
  it("fails on every alarm in ALARM, naming each with its reason", () => {
    expect(
      alarmVerdict(
        ["a", "b"],
        [
          { name: "a", state: "ALARM", reason: "Threshold Crossed" },
          { name: "b", state: "ALARM", reason: "5 datapoints" },
        ],
      ),
    ).toEqual({ kind: "fail", reason: "CloudWatch alarm a is in ALARM (Threshold Crossed); CloudWatch alarm b is in ALARM (5 datapoints)" });
  });
  it("a vanished alarm is a wait (a miss), never a pass", () => {
    expect(alarmVerdict(["a", "gone"], [{ name: "a", state: "OK", reason: "" }])).toEqual({ kind: "wait", reason: "CloudWatch alarm(s) gone not found" });
  });
  it("ignores alarms it was not asked about", () => {
    expect(
      alarmVerdict(
        ["a"],
        [
          { name: "a", state: "OK", reason: "" },
          { name: "other", state: "ALARM", reason: "" },
        ],
      ),
    ).toEqual({ kind: "ok" });
  });
});

describe("metricsVerdict", () => {
  const m = { requests: 10, target5xx: 4, p99ResponseSeconds: 2.5, maxUnhealthyHosts: 1 };
  it("passes at or under every threshold, and with no thresholds", () => {
    expect(metricsVerdict("green", m, { maxTarget5xx: 4, maxP99ResponseTime: 2500, maxUnhealthyHosts: 1 })).toEqual({ kind: "ok" });
    expect(metricsVerdict("green", m, {})).toEqual({ kind: "ok" });
  });
  it("names every crossed threshold with its value and config key", () => {
    expect(metricsVerdict("green", m, { maxTarget5xx: 0, maxP99ResponseTime: 2000, maxUnhealthyHosts: 0 })).toEqual({
      kind: "fail",
      reason:
        "the green target group's HTTPCode_Target_5XX_Count 4 > 0 (gates.metrics.maxTarget5xx), TargetResponseTime p99 2500ms > 2000ms (gates.metrics.maxP99ResponseTime), UnHealthyHostCount 1 > 0 (gates.metrics.maxUnhealthyHosts)",
      cause: "metrics",
    });
  });
  it("a crossed metric outranks Telegram's delivery error in the same round (it names the colour; last_error_date is shared)", () => {
    const telegram = webhookVerdict(
      {
        url: "https://bot.example.com/telegram",
        hasCustomCertificate: false,
        pendingUpdateCount: 0,
        lastErrorDate: 2000,
        lastErrorMessage: "Wrong response from the webhook: 500 Internal Server Error",
      },
      { url: "https://bot.example.com/telegram", since: 1000, maxPendingUpdates: 50 },
    );
    expect(telegram.kind).toBe("fail");
    const metric = metricsVerdict("green", m, { maxTarget5xx: 0 });
    expect(combine([telegram, OK, metric])).toBe(metric);
  });
  it("no datapoints (no requests yet) is not a breach", () => {
    expect(
      metricsVerdict(
        "blue",
        { requests: 0, target5xx: 0, p99ResponseSeconds: null, maxUnhealthyHosts: null },
        { maxTarget5xx: 0, maxP99ResponseTime: 1, maxUnhealthyHosts: 0 },
      ),
    ).toEqual({ kind: "ok" });
  });
});

describe("the ALB's CloudWatch dimensions and queries", () => {
  it("derives LoadBalancer from the listener ARN and TargetGroup from the group ARN", () => {
    expect(loadBalancerDimension(LISTENER)).toBe("app/bot-alb/50dc6c495c0c9188");
    expect(targetGroupDimension(TG)).toBe("targetgroup/bot-green/6d0ecf831eec9f09");
    expect(() => targetGroupDimension("bot-green")).toThrow("not a target group ARN: bot-green");
  });
  it("asks for the request and 5XX sums, the response time p99 and the unhealthy host maximum per minute", () => {
    const dims = [
      { Name: "LoadBalancer", Value: "app/bot-alb/50dc6c495c0c9188" },
      { Name: "TargetGroup", Value: "targetgroup/bot-green/6d0ecf831eec9f09" },
    ];
    expect(metricQueries(LISTENER, TG)).toEqual([
      {
        Id: "requests",
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount", Dimensions: dims }, Period: 60, Stat: "Sum" },
        ReturnData: true,
      },
      {
        Id: "target5xx",
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Dimensions: dims }, Period: 60, Stat: "Sum" },
        ReturnData: true,
      },
      {
        Id: "p99",
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "TargetResponseTime", Dimensions: dims }, Period: 60, Stat: "p99" },
        ReturnData: true,
      },
      {
        Id: "unhealthy",
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "UnHealthyHostCount", Dimensions: dims }, Period: 60, Stat: "Maximum" },
        ReturnData: true,
      },
    ]);
  });
});

describe("preflight: gates.alarms must name existing alarms", () => {
  it("a missing alarm is a PreflightError naming it, with the fix", async () => {
    const ctx = ctxFor();
    ctx.settings.gates.alarms = ["bot-5xx", "bot-latncy"];
    const monitoring = new FakeMonitoring();
    monitoring.setAlarm("bot-5xx", "OK");
    ctx.monitoring = monitoring;
    const e = await checkAlarmsExist(ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect((e as PreflightError).message).toBe(`gates.alarms: no CloudWatch alarm named "bot-latncy" in production's account and region`);
    expect((e as PreflightError).remedy).toBe("create the alarm (aws cloudwatch put-metric-alarm) or fix its name in gates.alarms");
  });
  it("existing alarms pass, in any state; no alarms configured means no CloudWatch call", async () => {
    const ctx = ctxFor();
    const monitoring = new FakeMonitoring();
    ctx.monitoring = monitoring;
    await checkAlarmsExist(ctx);
    expect(monitoring.calls).toEqual([]);
    ctx.settings.gates.alarms = ["bot-5xx"];
    monitoring.setAlarm("bot-5xx", "ALARM");
    await checkAlarmsExist(ctx);
    expect(monitoring.calls).toEqual(["alarms bot-5xx"]);
  });
  it("DescribeAlarms failing is a PreflightError that names the permission", async () => {
    const ctx = ctxFor();
    ctx.settings.gates.alarms = ["bot-5xx"];
    const monitoring = new FakeMonitoring();
    monitoring.failing = new Error("User is not authorized to perform: cloudwatch:DescribeAlarms");
    ctx.monitoring = monitoring;
    const e = (await checkAlarmsExist(ctx).catch((x: unknown) => x)) as PreflightError;
    expect(e.message).toBe("CloudWatch DescribeAlarms failed: User is not authorized to perform: cloudwatch:DescribeAlarms");
  });
});

describe("config: gates.alarms and gates.metrics", () => {
  const base = minimalEnvironmentYaml({ environment: "cw" });
  const env = { TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-cwcwcwcwcwcwcwcwcwcwcwcwcw" };
  it("reads alarm names and metric thresholds (the response time as a duration, in ms)", () => {
    const r = loadEnvironmentText(
      `${base}gates:\n  alarms: [bot-5xx, "bot latency"]\n  metrics: { maxTarget5xx: 0, maxP99ResponseTime: 1500ms, maxUnhealthyHosts: 0 }\n`,
      "/e/environments/cw.yaml",
      env,
    );
    expect(r.ok && r.config.gates.alarms).toEqual(["bot-5xx", "bot latency"]);
    expect(r.ok && r.config.gates.metrics).toEqual({ maxTarget5xx: 0, maxP99ResponseTime: 1500, maxUnhealthyHosts: 0 });
  });
  it("rejects a wrong shape with the key's path", () => {
    const r = loadEnvironmentText(`${base}gates:\n  alarms: bot-5xx\n  metrics: { max5xx: 0 }\n`, "/e/environments/cw.yaml", env);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors.join("\n");
    expect(errors).toContain("gates.alarms: must be a list of CloudWatch alarm names");
    expect(errors).toContain("gates.metrics");
    expect(errors).toContain("max5xx");
  });
});
