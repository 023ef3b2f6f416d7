// One reading of the listener's default action, whatever its form: which target groups receive
// traffic (weight > 0), which colours, which foreign (legacy) groups; and which colour serves.
import { describe, expect, it } from "vitest";
import { chooseReleaseColour, isCutOverTo, isForwardAllTo, readListener, servesTraffic } from "../../src/domain/traffic.js";
import type { TrafficFacts } from "../../src/domain/types.js";

const ARNS = { blue: "arn:tg/bot-blue", green: "arn:tg/bot-green" };
const LEGACY = "arn:tg/bot-legacy";
const URLS = { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" };

describe("readListener", () => {
  it.each<[string, { targetGroupArn: string; weight: number }[], string[], TrafficFacts["weights"], string[]]>([
    ["plain TargetGroupArn to bot-blue", [{ targetGroupArn: ARNS.blue, weight: 1 }], [ARNS.blue], { blue: 1 }, []],
    [
      "ForwardConfig blue 1, green 0",
      [
        { targetGroupArn: ARNS.blue, weight: 1 },
        { targetGroupArn: ARNS.green, weight: 0 },
      ],
      [ARNS.blue],
      { blue: 1, green: 0 },
      [],
    ],
    [
      "both colours weighted",
      [
        { targetGroupArn: ARNS.blue, weight: 3 },
        { targetGroupArn: ARNS.green, weight: 1 },
      ],
      [ARNS.blue, ARNS.green],
      { blue: 3, green: 1 },
      [],
    ],
    ["plain TargetGroupArn to a legacy group", [{ targetGroupArn: LEGACY, weight: 1 }], [LEGACY], {}, [LEGACY]],
    [
      "legacy group with blue referenced at 0",
      [
        { targetGroupArn: LEGACY, weight: 1 },
        { targetGroupArn: ARNS.blue, weight: 0 },
      ],
      [LEGACY],
      { blue: 0 },
      [LEGACY],
    ],
    [
      "legacy at 0 (kept for health checks) and green 1",
      [
        { targetGroupArn: LEGACY, weight: 0 },
        { targetGroupArn: ARNS.green, weight: 1 },
      ],
      [ARNS.green],
      { green: 1 },
      [],
    ],
    ["no forward action", [], [], {}, []],
  ])("%s", (_n, forward, receiving, weights, foreign) => {
    expect(readListener(forward, ARNS)).toEqual({ receiving, weights, foreign });
  });
});

const facts = (weights: TrafficFacts["weights"], over: Partial<TrafficFacts> = {}): TrafficFacts => ({
  weights,
  foreignTargets: false,
  hasTargets: { blue: true, green: true },
  webhookUrl: "",
  webhookSettingsMatch: true,
  ...over,
});

describe("serving and the cutover form", () => {
  it("a plain single-group forward sends all traffic to that colour, but is not a cutover of ours", () => {
    expect(isForwardAllTo(facts({ blue: 1 }), "blue")).toBe(true);
    expect(isCutOverTo(facts({ blue: 1 }), "blue")).toBe(false);
    expect(isCutOverTo(facts({ blue: 1, green: 0 }), "blue")).toBe(true);
  });

  it("a colour serves when the listener sends to it or the webhook points at its own URL, and its group has targets", () => {
    expect(servesTraffic(facts({ blue: 1 }), URLS, "blue")).toBe(true);
    expect(servesTraffic(facts({ blue: 1 }, { hasTargets: { blue: false, green: true } }), URLS, "blue")).toBe(false);
    expect(servesTraffic(facts({ blue: 0, green: 1 }, { webhookUrl: URLS.blue }), URLS, "blue")).toBe(true);
    expect(servesTraffic(facts({ blue: 0, green: 1 }, { webhookUrl: URLS.blue }), { blue: URLS.blue, green: URLS.blue }, "blue")).toBe(false);
    expect(servesTraffic(facts({ green: 1 }), URLS, "blue")).toBe(false);
  });
});

describe("chooseReleaseColour (plan and release both call it)", () => {
  it.each<[string, TrafficFacts, "blue" | "green" | null, ("blue" | "green")[], "blue" | "green" | null]>([
    ["greenfield, empty bot-blue default", facts({ blue: 1 }, { hasTargets: { blue: false, green: false } }), null, [], "blue"],
    ["unmanaged on bot-blue (plain)", facts({ blue: 1 }, { hasTargets: { blue: true, green: false } }), null, [], "green"],
    ["legacy group: both colours free", facts({}, { foreignTargets: true, hasTargets: { blue: false, green: false } }), null, [], "blue"],
    [
      "legacy group, blue's port held by a serving container",
      facts({}, { foreignTargets: true, hasTargets: { blue: false, green: false } }),
      null,
      ["blue"],
      "green",
    ],
    ["managed: blue live", facts({ blue: 1, green: 0 }), "blue", [], "green"],
    ["managed: green live", facts({ blue: 0, green: 1 }), "green", [], "blue"],
    ["both serve", facts({ blue: 1, green: 1 }), null, [], null],
  ])("%s", (_n, t, recorded, blocked, colour) => {
    expect(chooseReleaseColour(t, URLS, recorded, blocked).colour).toBe(colour);
  });
});
