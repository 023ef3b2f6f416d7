// gates.alarms and gates.metrics against the sandbox's CloudWatch: an alarm set to ALARM mid-bake
// rolls an all-at-once release back (exit 2, 0 lost, the alarm named in --json and history); a
// release under both gates passes when nothing fires; a missing alarm stops it at preflight (exit 1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, listenerForward, stopWorld, tolerantHealthChecks, waitForCutover, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 170, gateExtras: "  alarms: [bot-5xx]\n  metrics: { maxTarget5xx: 0 }\n" });
  await tolerantHealthChecks(t);
  t.world.aws.control.setAlarm("bot-5xx", { state: "OK" });
  expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
  await expectLive(t, "blue");
});
afterAll(async () => {
  await stopWorld(t);
});

const release = (image: string, extra: string[] = []) => t.cli(["release", "itest", "--image", image, "--json", ...extra]);

describe("CloudWatch gates", { timeout: 150_000 }, () => {
  it("an alarm set to ALARM mid-bake rolls back an all-at-once release: exit 2, blue live, 0 lost", async () => {
    const r = await withStream(t, async () => {
      const cli = release("v2", ["--bake", "30s"]);
      await waitForCutover(t, "green");
      t.world.aws.control.setAlarm("bot-5xx", {
        state: "ALARM",
        reason: "Threshold Crossed: 1 datapoint [7.0] was greater than or equal to the threshold (1.0)",
      });
      return cli;
    });
    t.world.aws.control.setAlarm("bot-5xx", { state: "OK" });
    expectExit(r, 2);
    expect(r.result).toMatchObject({
      outcome: "rolled-back",
      colour: "green",
      from: "blue",
      reason: "bake failed: CloudWatch alarm bot-5xx is in ALARM (Threshold Crossed: 1 datapoint [7.0] was greater than or equal to the threshold (1.0))",
    });
    await expectLive(t, "blue");
    const history = await t.cli(["history", "itest", "--json", "--limit", "1"]);
    expect(history.stdout).toContain("CloudWatch alarm bot-5xx is in ALARM");
  });

  it("with the alarm OK and the bot answering 2xx, the metric and alarm gates pass: exit 0", async () => {
    const r = await withStream(t, () => release("v3", ["--bake", "3s"]));
    expectExit(r, 0);
    await expectLive(t, "green");
    const calls = new Set(t.world.aws.control.calls().map((c) => `${c.service}:${c.action}`));
    expect(calls).toContain("cloudwatch:DescribeAlarms");
    expect(calls).toContain("cloudwatch:GetMetricData");
  });

  it("a missing alarm is a preflight error: exit 1, nothing touched", async () => {
    const before = listenerForward(t);
    t.world.aws.control.deleteAlarm("bot-5xx");
    try {
      const r = await release("v4");
      expectExit(r, 1);
      expect(String(r.result?.error)).toBe(`gates.alarms: no CloudWatch alarm named "bot-5xx" in itest's account and region`);
      expect(String(r.result?.remedy)).toBe("create the alarm (aws cloudwatch put-metric-alarm) or fix its name in gates.alarms");
      expect(before).not.toBeNull();
      await expectLive(t, before as "blue" | "green");
    } finally {
      t.world.aws.control.setAlarm("bot-5xx", { state: "OK" });
    }
  });
});
