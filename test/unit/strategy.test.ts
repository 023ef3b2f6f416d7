// rollout.strategy: the steps and weights of each strategy (pure), the config's shorthand and
// object forms, and the config error for a {colour} webhook URL with a canary or linear shift.
import { describe, expect, it } from "vitest";
import { planShifts } from "../../src/cli/commands/plan.js";
import { loadEnvironmentText } from "../../src/config/load.js";
import { describeWeights, shareOf, shiftSteps, weightsFor } from "../../src/domain/strategy.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const ARNS = { blue: "arn:tg/blue", green: "arn:tg/green" };

describe("shiftSteps and weightsFor", () => {
  it("all-at-once is one step to 100%", () => {
    expect(shiftSteps({ kind: "all-at-once" })).toEqual([{ index: 1, of: 1, percent: 100, holdMs: 0 }]);
  });
  it("canary: percent for hold, then 100%", () => {
    expect(shiftSteps({ kind: "canary", percent: 10, hold: 300_000 })).toEqual([
      { index: 1, of: 2, percent: 10, holdMs: 300_000 },
      { index: 2, of: 2, percent: 100, holdMs: 0 },
    ]);
  });
  it("linear: +step every interval, ending at exactly 100% even when step does not divide it", () => {
    expect(shiftSteps({ kind: "linear", step: 25, interval: 120_000 }).map((s) => [s.percent, s.holdMs])).toEqual([
      [25, 120_000],
      [50, 120_000],
      [75, 120_000],
      [100, 0],
    ]);
    expect(shiftSteps({ kind: "linear", step: 40, interval: 1 }).map((s) => s.percent)).toEqual([40, 80, 100]);
  });
  it("weights are percentages on both groups; 100% is the all-at-once action", () => {
    expect(weightsFor(10, "green", ARNS)).toEqual([
      { targetGroupArn: "arn:tg/green", weight: 10 },
      { targetGroupArn: "arn:tg/blue", weight: 90 },
    ]);
    expect(weightsFor(100, "blue", ARNS)).toEqual([
      { targetGroupArn: "arn:tg/blue", weight: 1 },
      { targetGroupArn: "arn:tg/green", weight: 0 },
    ]);
    expect(describeWeights(25, "blue")).toBe("blue 25% / green 75%");
    expect(shareOf({ green: 10, blue: 90 }, "green")).toBe(10);
    expect(shareOf({ green: 1, blue: 0 }, "green")).toBe(100);
    expect(shareOf({}, "green")).toBeNull();
  });
});

describe("config: rollout.strategy", () => {
  const FILE = "/srv/bot/environments/production.yaml";
  const ENV = { TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-strategystrategystrat" };
  const shared = minimalEnvironmentYaml({ webhookUrl: "https://bot.example.com/telegram" });
  const load = (base: string, rollout: string) => loadEnvironmentText(`${base}rollout:\n  strategy: ${rollout}\n`, FILE, ENV);

  it("defaults to all-at-once; the shorthand names get the documented defaults; objects give their own", () => {
    const none = loadEnvironmentText(shared, FILE, ENV);
    expect(none.ok && none.config.rollout.strategy).toEqual({ kind: "all-at-once" });
    const c = load(shared, "canary");
    expect(c.ok && c.config.rollout.strategy).toEqual({ kind: "canary", percent: 10, hold: 300_000 });
    const l = load(shared, "linear");
    expect(l.ok && l.config.rollout.strategy).toEqual({ kind: "linear", step: 25, interval: 120_000 });
    const co = load(shared, "{ canary: { percent: 20, hold: 30s } }");
    expect(co.ok && co.config.rollout.strategy).toEqual({ kind: "canary", percent: 20, hold: 30_000 });
    const lo = load(shared, "{ linear: { step: 50, interval: 1m } }");
    expect(lo.ok && lo.config.rollout.strategy).toEqual({ kind: "linear", step: 50, interval: 60_000 });
  });

  it("a canary with a {colour} webhook URL is a config error that says why and what to change", () => {
    const r = load(minimalEnvironmentYaml(), "canary");
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      "rollout.strategy: a canary shift splits Telegram's deliveries between the colours at the load balancer by weight, but telegram.webhook.url has {colour}, so Telegram would send every update to one colour; use one URL for both colours (e.g. https://bot.example.com/telegram) or rollout.strategy: all-at-once (/srv/bot/environments/production.yaml:13:3)",
    ]);
  });

  it("rejects unknown strategies and out-of-range percentages", () => {
    const bad = load(shared, "blue-green");
    expect(bad.ok ? [] : bad.errors.join("\n")).toContain(
      "rollout.strategy: must be all-at-once, canary, linear, { canary: { percent, hold } } or { linear: { step, interval } }",
    );
    const pct = load(shared, "{ canary: { percent: 100 } }");
    expect(pct.ok).toBe(false);
    expect(pct.ok ? [] : pct.errors.join("\n")).toContain("rollout.strategy: must be all-at-once, canary, linear");
  });
});

describe("plan's shift steps", () => {
  it("a canary shows each step's share and weights on both colours; all-at-once shows none", () => {
    expect(planShifts({ kind: "canary", percent: 10, hold: 300_000 }, "green")).toEqual([
      { step: 1, of: 2, percent: 10, weights: { green: 10, blue: 90 }, holdMs: 300_000 },
      { step: 2, of: 2, percent: 100, weights: { green: 100, blue: 0 }, holdMs: 0 },
    ]);
    expect(planShifts({ kind: "linear", step: 50, interval: 1000 }, "blue").map((s) => s.weights)).toEqual([
      { blue: 50, green: 50 },
      { blue: 100, green: 0 },
    ]);
    expect(planShifts({ kind: "all-at-once" }, "green")).toEqual([]);
    expect(planShifts(undefined, "green")).toEqual([]);
  });
});
