// One reading of the listener's default action, whatever its form, and of its path rules (the one
// the webhook's path matches): which target groups receive traffic (weight > 0), which colours,
// which foreign (legacy) groups; and which colour serves.
import { describe, expect, it } from "vitest";
import { rulesOf } from "../../src/adapters/aws-elbv2.js";
import { chooseReleaseColour, isCutOverTo, isForwardAllTo, pathMatches, readListener, servesTraffic } from "../../src/domain/traffic.js";
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
    expect(readListener(forward, ARNS)).toEqual({ receiving, weights, foreign, byRule: {} });
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

describe("path rules in the one reading", () => {
  const rule = (priority: number, pathPatterns: string[], forward: { targetGroupArn: string; weight: number }[], otherConditions = false) => ({
    priority,
    pathPatterns,
    otherConditions,
    forward,
  });
  const RULES = [
    rule(20, ["/telegram/green*"], [{ targetGroupArn: ARNS.green, weight: 1 }]),
    rule(10, ["/telegram/blue*"], [{ targetGroupArn: ARNS.blue, weight: 1 }]),
  ];

  it("ALB path patterns: * any run of characters, ? exactly one, case-sensitive, nothing else special", () => {
    expect(pathMatches("/telegram/blue*", "/telegram/blue")).toBe(true);
    expect(pathMatches("/telegram/blue*", "/telegram/blue/x")).toBe(true);
    expect(pathMatches("/telegram/blue*", "/telegram")).toBe(false);
    expect(pathMatches("/bot?", "/bot1")).toBe(true);
    expect(pathMatches("/bot?", "/bot12")).toBe(false);
    expect(pathMatches("/Telegram*", "/telegram")).toBe(false);
    expect(pathMatches("/a.b(c)", "/axb(c)")).toBe(false);
    expect(pathMatches("/a.b(c)", "/a.b(c)")).toBe(true);
  });

  it("the rule the webhook's path matches receives traffic; rules for other paths (the other colour's URL) receive none", () => {
    const cutOver = [
      { targetGroupArn: ARNS.green, weight: 1 },
      { targetGroupArn: ARNS.blue, weight: 0 },
    ];
    expect(readListener(cutOver, ARNS, { rules: RULES, webhookUrl: URLS.blue })).toEqual({
      receiving: [ARNS.green, ARNS.blue],
      weights: { green: 1, blue: 0 },
      foreign: [],
      byRule: { blue: true },
    });
    expect(readListener(cutOver, ARNS, { rules: RULES, webhookUrl: URLS.green })).toEqual({
      receiving: [ARNS.green],
      weights: { green: 1, blue: 0 },
      foreign: [],
      byRule: { green: true },
    });
    // Production before bluegreen: the webhook's path matches no colour rule.
    expect(readListener([{ targetGroupArn: LEGACY, weight: 1 }], ARNS, { rules: RULES, webhookUrl: "https://bot.example.com/telegram" })).toEqual({
      receiving: [LEGACY],
      weights: {},
      foreign: [LEGACY],
      byRule: {},
    });
    // No webhook: no request arrives on any rule's path.
    expect(readListener(cutOver, ARNS, { rules: RULES, webhookUrl: "" }).byRule).toEqual({});
  });

  it("a rule sending the webhook's path to a legacy group is foreign traffic; a rule with a host condition may match, so the next one counts too", () => {
    const legacy = [rule(5, ["/hook*"], [{ targetGroupArn: LEGACY, weight: 1 }])];
    expect(readListener([{ targetGroupArn: ARNS.blue, weight: 1 }], ARNS, { rules: legacy, webhookUrl: "https://bot.example.com/hook" })).toMatchObject({
      receiving: [ARNS.blue, LEGACY],
      foreign: [LEGACY],
    });
    const hosted = [rule(1, [], [{ targetGroupArn: ARNS.green, weight: 1 }], true), ...RULES];
    expect(readListener([], ARNS, { rules: hosted, webhookUrl: URLS.blue }).byRule).toEqual({ green: true, blue: true });
    // A rule at weight 0 for a colour sends it nothing.
    expect(readListener([], ARNS, { rules: [rule(1, ["/telegram/*"], [{ targetGroupArn: ARNS.blue, weight: 0 }])], webhookUrl: URLS.blue }).byRule).toEqual({});
  });

  it("a colour a rule sends the webhook to serves traffic even when the webhook is not its configured URL: no release stages on it", () => {
    const t = facts({ blue: 0, green: 1 }, { webhookUrl: "https://bot.example.com/hook/b", byRule: { blue: true } });
    expect(servesTraffic(t, URLS, "blue")).toBe(true);
    expect(chooseReleaseColour(t, URLS, null)).toMatchObject({
      colour: null,
      reason: "no colour is free to stage on: blue serves traffic and green serves traffic",
    });
  });
});

describe("rulesOf (the adapter's reading of DescribeRules)", () => {
  it("skips the default rule, reads both path-pattern forms, flags other conditions, reads the forward", () => {
    expect(
      rulesOf([
        {
          RuleArn: "r1",
          Priority: "10",
          IsDefault: false,
          Conditions: [{ Field: "path-pattern", Values: ["/telegram/blue*"] }],
          Actions: [{ Type: "forward", TargetGroupArn: ARNS.blue }],
        },
        {
          RuleArn: "r2",
          Priority: "20",
          IsDefault: false,
          Conditions: [
            { Field: "path-pattern", PathPatternConfig: { Values: ["/hook*", "/bot*"] } },
            { Field: "host-header", HostHeaderConfig: { Values: ["bot.example.com"] } },
          ],
          Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: LEGACY, Weight: 1 }] } }],
        },
        { RuleArn: "r3", Priority: "30", IsDefault: false, Conditions: [{ Field: "host-header", Values: ["x"] }], Actions: [{ Type: "fixed-response" }] },
        { RuleArn: "d", Priority: "default", IsDefault: true, Conditions: [], Actions: [{ Type: "forward", TargetGroupArn: ARNS.green }] },
      ]),
    ).toEqual([
      { priority: 10, pathPatterns: ["/telegram/blue*"], otherConditions: false, forward: [{ targetGroupArn: ARNS.blue, weight: 1 }] },
      { priority: 20, pathPatterns: ["/hook*", "/bot*"], otherConditions: true, forward: [{ targetGroupArn: LEGACY, weight: 1 }] },
      { priority: 30, pathPatterns: [], otherConditions: true, forward: [] },
    ]);
  });
});
