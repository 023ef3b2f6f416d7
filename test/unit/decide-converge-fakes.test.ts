// converge() against the stateful fakes: a clean release from blue (r1) to green (r2) takes exactly
// the expected steps and leaves listener, webhook, tags and containers in the released state.
import { describe, expect, it } from "vitest";
import type { Goal } from "../../src/domain/decide.js";
import { decodeTags, encodeRef } from "../../src/domain/tags.js";
import { GateFailedError } from "../../src/errors.js";
import { BakeFailed } from "../../src/orchestrator/bake.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { converge, newRunState } from "../../src/orchestrator/run.js";
import { shiftsInSteps } from "../../src/orchestrator/shift.js";
import type { StepEvent } from "../../src/ports.js";
import { settingsFor } from "../fakes/argv-ctx.js";
import { FakeMonitoring } from "../fakes/monitoring.js";
import { FakeClock, FakeHost, FakeLoadBalancer, FakeTelegram } from "../fakes/world.js";

const IMG1 = `repo/bot@sha256:${"1".repeat(64)}`;
const IMG2 = `repo/bot@sha256:${"2".repeat(64)}`;
const T0 = Date.parse("2026-01-01T00:00:00.000Z");

function world() {
  const settings = settingsFor();
  settings.gates = { ...settings.gates, intervalMs: 1, healthyThreshold: 2, timeoutMs: 1000, bakeMs: 60_000, smokeUpdates: [] };
  settings.webhook.secretToken = "TEST-webhook-secret-bbbbbbbbbbbbbbbb";
  const hosts = [new FakeHost("127.0.1.1", "i-1"), new FakeHost("127.0.1.2", "i-2")];
  const groups = {
    blue: { arn: "arn:tg/bot-blue", name: "bot-blue", port: 5001, protocol: "HTTP", healthCheckPath: "/health" },
    green: { arn: "arn:tg/bot-green", name: "bot-green", port: 5002, protocol: "HTTP", healthCheckPath: "/health" },
  };
  const lb = new FakeLoadBalancer("arn:listener/bot-alb", groups, hosts);
  const telegram = new FakeTelegram();
  const clock = new FakeClock(T0);
  // Blue runs r1 on both hosts and is live on both switches.
  for (const h of hosts) {
    h.run(
      "telegram-bot-blue",
      { "bluegreen.environment": "production", "bluegreen.colour": "blue", "bluegreen.release": "r1", "bluegreen.image": IMG1 },
      IMG1,
      5001,
    );
  }
  void lb.registerTargets(
    groups.blue.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
  );
  lb.forward = [
    { targetGroupArn: groups.blue.arn, weight: 1 },
    { targetGroupArn: groups.green.arn, weight: 0 },
  ];
  lb.tags = { ...encodeRef("live", { colour: "blue", releaseId: "r1", image: IMG1 }), "bluegreen:verified": "r1" };
  void telegram.setWebhook({ url: settings.webhook.urls.blue, maxConnections: 40 });
  const events: string[] = [];
  const ctx: Ctx = {
    settings,
    lb,
    telegram,
    clock,
    reporter: { step: (e: Omit<StepEvent, "type" | "at">) => events.push(`${e.step}:${e.status}`) },
    hosts: hosts.map((h) => ({ instanceId: h.instanceId, address: h.name, remote: h })),
    listenerArn: lb.listenerArn,
    targetGroups: groups,
  };
  const monitoring = new FakeMonitoring(() => clock.now());
  ctx.monitoring = monitoring;
  return { ctx, hosts, lb, telegram, clock, events, monitoring };
}

/** world(), with one webhook URL for both colours (what canary and linear need), set on Telegram. */
async function sharedUrlWorld() {
  const w = world();
  const shared = "https://bot.example.com/telegram";
  w.ctx.settings.webhook.urls = { blue: shared, green: shared };
  await w.telegram.setWebhook({ url: shared, maxConnections: 40 });
  return w;
}

describe("converge against the fakes", () => {
  it("releases green cleanly", async () => {
    const { ctx, hosts, lb, telegram, clock } = world();
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 50);
    await converge(ctx, goal, state);

    expect(state.steps).toEqual(["mark-staging", "stage", "register", "gates", "mark-cutover", "cutover", "bake", "finalize"]);
    expect(lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-green", weight: 1 },
      { targetGroupArn: "arn:tg/bot-blue", weight: 0 },
    ]);
    expect(telegram.info.url).toBe("https://bot.example.com/telegram/green");
    expect(telegram.secretToken).toBe("TEST-webhook-secret-bbbbbbbbbbbbbbbb");
    expect(decodeTags(lb.tags)).toEqual({
      unmanaged: null,
      live: { colour: "green", releaseId: "r2", image: IMG2 },
      previous: { colour: "blue", releaseId: "r1", image: IMG1 },
      verified: "r2",
      inFlight: null,
      previousWarmUntil: new Date(clock.now() + ctx.settings.rollout.keepPreviousWarmMs).toISOString(),
    });
    // The bake ran its full window (50 ms at a 1 ms interval) on the fake clock.
    expect(clock.now() - T0).toBeGreaterThanOrEqual(50);
    for (const h of hosts) {
      // Blue stays warm for an instant rollback; green runs r2.
      expect(h.containers.get("telegram-bot-blue")?.running).toBe(true);
      expect(h.containers.get("telegram-bot-green")?.labels["bluegreen.release"]).toBe("r2");
      expect(h.containers.get("telegram-bot-green")?.image).toBe(IMG2);
      expect(h.files.get("/etc/bluegreen/env/production/telegram-bot-green.env")).toBe(
        "BLUEGREEN_COLOUR=green\nBLUEGREEN_ENVIRONMENT=production\nBLUEGREEN_RELEASE=r2\nLOG_LEVEL=info\nTELEGRAM_BOT_TOKEN=123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa\n",
      );
      // The token only ever travelled through stdin.
      expect(h.log.flat().join(" ")).not.toContain("TEST-bot-token");
    }
  });

  it("a second converge on the released world is done at once", async () => {
    const { ctx, telegram } = world();
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    await converge(ctx, goal, newRunState(await telegram.getWebhookInfo(), 50));
    const again = newRunState(await telegram.getWebhookInfo(), 50);
    await converge(ctx, goal, again);
    expect(again.steps).toEqual([]);
  });

  it("gates.alarms: an alarm going to ALARM during the bake fails it with the alarm's name and reason", async () => {
    const { ctx, lb, telegram, clock, monitoring } = world();
    ctx.settings.gates.alarms = ["bot-5xx", "bot-latency"];
    monitoring.setAlarm("bot-5xx", "OK");
    monitoring.setAlarm("bot-latency", "OK");
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 60_000);
    monitoring.scheduled.push({
      at: clock.now() + 1_000,
      name: "bot-latency",
      state: "ALARM",
      reason: "Threshold Crossed: 1 datapoint [3.1] was greater than 2.0",
    });
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BakeFailed);
    expect((failure as BakeFailed).reason).toBe("CloudWatch alarm bot-latency is in ALARM (Threshold Crossed: 1 datapoint [3.1] was greater than 2.0)");
    expect(state.steps).toEqual(["mark-staging", "stage", "register", "gates", "mark-cutover", "cutover", "bake"]);
    // Traffic had moved: the caller (release) rolls back; the alarms were read before and during the bake.
    expect(lb.forward[0]).toEqual({ targetGroupArn: "arn:tg/bot-green", weight: 1 });
    expect(monitoring.calls.filter((c) => c === "alarms bot-5xx,bot-latency").length).toBeGreaterThan(2);
  });

  it("gates.alarms: an alarm already in ALARM stops the release at its gates, before traffic moves", async () => {
    const { ctx, lb, telegram, monitoring } = world();
    ctx.settings.gates.alarms = ["bot-5xx"];
    monitoring.setAlarm("bot-5xx", "ALARM", "Threshold Crossed");
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 50);
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    expect((failure as Error).message).toBe("CloudWatch alarm bot-5xx is in ALARM (Threshold Crossed)");
    expect(state.steps).toEqual(["mark-staging", "stage", "register", "gates"]);
    expect(lb.forward[0]).toEqual({ targetGroupArn: "arn:tg/bot-blue", weight: 1 });
  });

  it("one webhook URL for both colours: the gates before traffic stay the gates before traffic (a GateFailedError, nothing moved)", async () => {
    const { ctx, lb, telegram, monitoring } = await sharedUrlWorld();
    ctx.settings.gates.alarms = ["bot-5xx"];
    monitoring.setAlarm("bot-5xx", "ALARM", "Threshold Crossed");
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 50);
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    // The shared URL reads as "the webhook is on green" already; only the restarted-where-traffic-is
    // gates of a rollback may treat traffic as moved.
    expect(failure).toBeInstanceOf(GateFailedError);
    expect((failure as Error).message).toBe("CloudWatch alarm bot-5xx is in ALARM (Threshold Crossed)");
    expect(state.steps).toEqual(["mark-staging", "stage", "register", "gates"]);
    expect(lb.forward[0]).toEqual({ targetGroupArn: "arn:tg/bot-blue", weight: 1 });
  });

  it("one webhook URL for both colours: a new container that dies before traffic moves fails the release (not a rollback)", async () => {
    const { ctx, lb, telegram, hosts } = await sharedUrlWorld();
    for (const h of hosts)
      h.onRun = (c) => {
        if (c.labels["bluegreen.release"] === "r2") c.running = false;
      };
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 50);
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GateFailedError);
    expect(failure).not.toBeInstanceOf(BakeFailed);
    expect(lb.forward[0]).toEqual({ targetGroupArn: "arn:tg/bot-blue", weight: 1 });
  });

  it("gates.metrics: the new colour's 5XX count above maxTarget5xx during the bake fails it; the window starts at the cutover", async () => {
    const { ctx, telegram, clock, monitoring } = world();
    ctx.settings.gates.metrics = { maxTarget5xx: 2 };
    monitoring.metrics.set("arn:tg/bot-green", { requests: 10, target5xx: 3, p99ResponseSeconds: 0.05, maxUnhealthyHosts: 0 });
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 60_000);
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    expect((failure as BakeFailed).reason).toBe("the green target group's HTTPCode_Target_5XX_Count 3 > 2 (gates.metrics.maxTarget5xx)");
    const [first] = monitoring.calls;
    expect(first).toBe(`metrics arn:tg/bot-green ${state.cutoverAt}..${clock.now()}`);
  });

  it("CloudWatch not answering is a miss, not a pass: gates.telegramMisses of them in a row fail the bake", async () => {
    const { ctx, telegram, monitoring } = world();
    ctx.settings.gates.alarms = ["bot-5xx"];
    monitoring.setAlarm("bot-5xx", "OK");
    const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
    const state = newRunState(await telegram.getWebhookInfo(), 60_000);
    ctx.reporter = {
      step: (e) => {
        if (e.step === "cutover" && e.status === "ok") monitoring.failing = new Error("Rate exceeded");
      },
    };
    const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
    expect((failure as BakeFailed).reason).toBe("CloudWatch DescribeAlarms failed: Rate exceeded (3 checks in a row)");
  });

  describe("canary and linear shifts", () => {
    const shared = (ctx: Ctx) => {
      const url = ctx.settings.webhook.urls.blue;
      ctx.settings.webhook.urls = { blue: url, green: url };
    };

    it("canary 10% then 100%: each step one ModifyListener with both groups weighted, the webhook never touched", async () => {
      const { ctx, lb, telegram, clock } = world();
      shared(ctx);
      ctx.settings.rollout.strategy = { kind: "canary", percent: 10, hold: 5_000 };
      const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
      const state = newRunState(await telegram.getWebhookInfo(), 50);
      const webhookBefore = telegram.info.url;
      const t0 = clock.now();
      await converge(ctx, goal, state);
      expect(lb.calls.filter((c) => c.startsWith("setForward"))).toEqual([
        "setForward arn:tg/bot-green=10,arn:tg/bot-blue=90",
        "setForward arn:tg/bot-green=1,arn:tg/bot-blue=0",
      ]);
      expect(telegram.info.url).toBe(webhookBefore);
      expect(state.shifts.map((x) => [x.step, x.of, x.percent, x.weights])).toEqual([
        [1, 2, 10, { green: 10, blue: 90 }],
        [2, 2, 100, { green: 100, blue: 0 }],
      ]);
      // The hold (5 s) and then the bake (50 ms) ran on the fake clock.
      expect(clock.now() - t0).toBeGreaterThanOrEqual(5_050);
      expect(decodeTags(lb.tags).inFlight).toBeNull();
      expect(lb.tags["bluegreen:inflight-shift"]).toBeUndefined();
    });

    it("the shared webhook's settings differ: put right by one setWebhook (same URL) before the first step, never after", async () => {
      const { ctx, lb, telegram } = world();
      shared(ctx);
      ctx.settings.rollout.strategy = { kind: "canary", percent: 10, hold: 1_000 };
      telegram.info = { ...telegram.info, maxConnections: 100 };
      const set = telegram.setWebhook.bind(telegram);
      telegram.setWebhook = async (p) => {
        lb.calls.push(`setWebhook ${p.url} maxConnections=${p.maxConnections}`);
        await set(p);
      };
      const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
      await converge(ctx, goal, newRunState(await telegram.getWebhookInfo(), 50));
      expect(lb.calls.filter((c) => c.startsWith("setForward") || c.startsWith("setWebhook"))).toEqual([
        `setWebhook ${ctx.settings.webhook.urls.green} maxConnections=${ctx.settings.webhook.maxConnections}`,
        "setForward arn:tg/bot-green=10,arn:tg/bot-blue=90",
        "setForward arn:tg/bot-green=1,arn:tg/bot-blue=0",
      ]);
    });

    it("only a release from a live colour of ours shifts in steps: not a first release, a rollback, an urgent return or all-at-once", () => {
      const { ctx } = world();
      shared(ctx);
      ctx.settings.rollout.strategy = { kind: "canary", percent: 10, hold: 1_000 };
      const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
      const move = { moveListener: true };
      expect(shiftsInSteps(ctx, goal, move)).toBe(true);
      expect(shiftsInSteps(ctx, goal, { moveListener: false })).toBe(false);
      expect(shiftsInSteps(ctx, { ...goal, from: null }, move)).toBe(false);
      expect(shiftsInSteps(ctx, { ...goal, kind: "rollback" }, move)).toBe(false);
      expect(shiftsInSteps(ctx, { ...goal, urgent: true }, move)).toBe(false);
      ctx.settings.rollout.strategy = { kind: "all-at-once" };
      expect(shiftsInSteps(ctx, goal, move)).toBe(false);
    });

    it("linear +25%: 25, 50, 75 then 100", async () => {
      const { ctx, lb, telegram } = world();
      shared(ctx);
      ctx.settings.rollout.strategy = { kind: "linear", step: 25, interval: 1_000 };
      const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
      await converge(ctx, goal, newRunState(await telegram.getWebhookInfo(), 50));
      expect(lb.calls.filter((c) => c.startsWith("setForward"))).toEqual([
        "setForward arn:tg/bot-green=25,arn:tg/bot-blue=75",
        "setForward arn:tg/bot-green=50,arn:tg/bot-blue=50",
        "setForward arn:tg/bot-green=75,arn:tg/bot-blue=25",
        "setForward arn:tg/bot-green=1,arn:tg/bot-blue=0",
      ]);
    });

    it("a failing signal at the first step stops the shift there, naming the step, the weights and the signal", async () => {
      const { ctx, lb, telegram, monitoring } = world();
      shared(ctx);
      ctx.settings.rollout.strategy = { kind: "canary", percent: 10, hold: 60_000 };
      ctx.settings.gates.metrics = { maxTarget5xx: 0 };
      monitoring.metrics.set("arn:tg/bot-green", { requests: 10, target5xx: 4, p99ResponseSeconds: 0.01, maxUnhealthyHosts: 0 });
      const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMG2, from: "blue" };
      const state = newRunState(await telegram.getWebhookInfo(), 50);
      const failure = await converge(ctx, goal, state).catch((e: unknown) => e);
      expect((failure as BakeFailed).reason).toBe(
        "step 1/2 (green 10% / blue 90%): the green target group's HTTPCode_Target_5XX_Count 4 > 0 (gates.metrics.maxTarget5xx)",
      );
      expect(lb.calls.filter((c) => c.startsWith("setForward"))).toEqual(["setForward arn:tg/bot-green=10,arn:tg/bot-blue=90"]);
      // Traffic moved, so the release rolls back (exit 2) rather than abandoning.
      expect(state.times.listenerMovedAt).toBeDefined();
      expect(decodeTags(lb.tags).inFlight?.shift).toEqual({ step: 1, of: 2, percent: 10 });
    });
  });
});
