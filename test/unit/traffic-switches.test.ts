// Reading the two traffic switches: the listener's default forward action and the webhook URL.
import { describe, expect, it } from "vitest";
import { forwardAllTo, isForwardAllTo, liveByListener, liveByWebhook } from "../../src/domain/traffic.js";
import type { Colour, TrafficFacts } from "../../src/domain/types.js";

const t = (weights: TrafficFacts["weights"], foreignTargets = false): TrafficFacts => ({
  weights,
  foreignTargets,
  hasTargets: { blue: true, green: true },
  webhookUrl: "",
  webhookSettingsMatch: true,
});

describe("liveByListener / isForwardAllTo", () => {
  it.each<[string, TrafficFacts, Colour | null, boolean, boolean]>([
    ["blue 1 green 0", t({ blue: 1, green: 0 }), "blue", true, false],
    ["green 1 blue 0", t({ blue: 0, green: 1 }), "green", false, true],
    ["blue 100 green 0", t({ blue: 100, green: 0 }), "blue", true, false],
    // A plain TargetGroupArn default action: all traffic goes to that one group.
    ["blue only (green unreferenced)", t({ blue: 1 }), "blue", true, false],
    ["green only (blue unreferenced)", t({ green: 1 }), "green", false, true],
    ["both 1 (split)", t({ blue: 1, green: 1 }), null, false, false],
    ["both 0", t({ blue: 0, green: 0 }), null, false, false],
    ["nothing referenced", t({}), null, false, false],
    ["foreign targets", t({ blue: 1, green: 0 }, true), null, false, false],
  ])("%s", (_n, facts, live, toBlue, toGreen) => {
    expect(liveByListener(facts)).toBe(live);
    expect(isForwardAllTo(facts, "blue")).toBe(toBlue);
    expect(isForwardAllTo(facts, "green")).toBe(toGreen);
  });
});

describe("liveByWebhook", () => {
  const urls = { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" };
  const shared = { blue: "https://bot.example.com/hook", green: "https://bot.example.com/hook" };
  it.each<[string, string, typeof urls, Colour | "shared" | null]>([
    ["blue URL", urls.blue, urls, "blue"],
    ["green URL", urls.green, urls, "green"],
    ["unset", "", urls, null],
    ["someone else's URL", "https://other.example.com/telegram/blue", urls, null],
    ["trailing slash differs", `${urls.blue}/`, urls, null],
    ["shared URL set", shared.blue, shared, "shared"],
    ["shared URL unset", "", shared, null],
    ["shared, other URL", urls.blue, shared, null],
  ])("%s", (_n, url, u, want) => {
    expect(liveByWebhook(url, u)).toBe(want);
  });
});

describe("forwardAllTo", () => {
  const arns = { blue: "arn:tg/blue", green: "arn:tg/green" };
  it("puts all weight on the colour and keeps the other referenced at 0", () => {
    expect(forwardAllTo("green", arns)).toEqual([
      { targetGroupArn: "arn:tg/green", weight: 1 },
      { targetGroupArn: "arn:tg/blue", weight: 0 },
    ]);
    expect(forwardAllTo("blue", arns)).toEqual([
      { targetGroupArn: "arn:tg/blue", weight: 1 },
      { targetGroupArn: "arn:tg/green", weight: 0 },
    ]);
  });
});
