// Issue #18 case 1: traffic moves only to a colour that serves now. Over generated interrupted
// states (a release or rollback dead at any phase, containers running, stopped, gone or of another
// release, targets registered or not, switches anywhere), any sequence of `release` and `rollback`
// runs never points the listener or the webhook at a colour unless, at that moment, every host
// runs a release recorded for that colour (or this run's own) and the ALB reports it healthy.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeInFlight, encodeRef } from "../../src/domain/tags.js";
import type { Colour } from "../../src/domain/types.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakeEnvironment, imageOf, REPO } from "../fakes/release-world.js";

const IMG = { r0: imageOf("0"), r1: imageOf("1"), r2: imageOf("2"), r3: imageOf("3") };
type Blue = "r1" | "r1-stopped" | "r0" | "r3" | "missing";
type Green = "r2" | "r2-stopped" | "missing";
type Flight = "none" | `${"release" | "rollback"}-${"staging" | "cutover" | "baking"}`;

interface State {
  blue: Blue[];
  green: Green[];
  blueRegistered: boolean;
  flight: Flight;
  listener: Colour;
  webhook: Colour;
  commands: ("release" | "rollback")[];
  allowUnhealthyLive: boolean;
}

/** Green r2 is recorded live, blue r1 previous; the interrupted run and the containers vary. */
function build(st: State) {
  const env = fakeEnvironment();
  const { hosts, lb, groups, telegram, runOn, settings } = env;
  hosts.forEach((h, i) => {
    const b = st.blue[i] ?? "missing";
    if (b !== "missing") runOn(h, "blue", b.replace("-stopped", ""), IMG[b.replace("-stopped", "") as keyof typeof IMG], !b.endsWith("-stopped"));
    const g = st.green[i] ?? "missing";
    if (g !== "missing") runOn(h, "green", "r2", IMG.r2, g === "r2");
  });
  void lb.registerTargets(
    groups.green.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5002 })),
  );
  if (st.blueRegistered)
    void lb.registerTargets(
      groups.blue.arn,
      hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
    );
  lb.forward = [
    { targetGroupArn: groups[st.listener].arn, weight: 1 },
    { targetGroupArn: groups[st.listener === "blue" ? "green" : "blue"].arn, weight: 0 },
  ];
  lb.tags = {
    ...encodeRef("live", { colour: "green", releaseId: "r2", image: IMG.r2 }),
    ...encodeRef("previous", { colour: "blue", releaseId: "r1", image: IMG.r1 }),
    "bluegreen:verified": "r2",
  };
  if (st.flight !== "none") {
    const [kind, phase] = st.flight.split("-") as ["release" | "rollback", "staging" | "cutover" | "baking"];
    const releaseId = kind === "rollback" ? "r1" : "r3";
    lb.tags = {
      ...lb.tags,
      ...encodeInFlight({ kind, releaseId, colour: "blue", image: IMG[releaseId], from: "green", startedAt: "2026-01-01T00:00:00.000Z", phase }),
    };
  }
  void telegram.setWebhook({ url: settings.webhook.urls[st.webhook], maxConnections: 40 });
  // The history knows every release bluegreen ran (r0 is a stranger's container on blue).
  env.recordHistory("r1", IMG.r1);
  env.recordHistory("r2", IMG.r2);
  if (st.flight.startsWith("release")) env.recordHistory("r3", IMG.r3);
  return env;
}

/** Wraps both switches: every move to a colour not already carrying traffic is checked at that instant. */
function guardSwitches(env: ReturnType<typeof fakeEnvironment>, allowed: Record<Colour, Set<string>>): string[] {
  const { lb, telegram, hosts, groups, settings } = env;
  const violations: string[] = [];
  const servesNow = async (colour: Colour, what: string): Promise<void> => {
    const health = await lb.targetHealth(groups[colour].arn);
    for (const h of hosts) {
      const c = h.containers.get(`telegram-bot-${colour}`);
      const rel = c?.labels["bluegreen.release"] ?? "";
      if (c === undefined || !c.running) violations.push(`${what} -> ${colour}: ${h.instanceId} runs no ${colour} container`);
      else if (!allowed[colour].has(rel)) violations.push(`${what} -> ${colour}: ${h.instanceId} runs ${rel}, not a release recorded for ${colour}`);
      if (!health.some((t) => t.id === h.instanceId && t.port === settings.hostPorts[colour] && t.state === "healthy"))
        violations.push(`${what} -> ${colour}: ${h.instanceId} not healthy on the ALB`);
    }
  };
  const setForward = lb.setForward.bind(lb);
  lb.setForward = async (arn, forward) => {
    for (const f of forward) {
      const colour = (Object.keys(groups) as Colour[]).find((c) => groups[c].arn === f.targetGroupArn);
      const before = lb.forward.find((x) => x.targetGroupArn === f.targetGroupArn)?.weight ?? 0;
      if (colour !== undefined && f.weight > 0 && before === 0) await servesNow(colour, "listener");
    }
    return setForward(arn, forward);
  };
  const setWebhook = telegram.setWebhook.bind(telegram);
  telegram.setWebhook = async (p) => {
    const colour = (["blue", "green"] as const).find((c) => settings.webhook.urls[c] === p.url);
    if (colour !== undefined && telegram.info.url !== p.url) await servesNow(colour, "webhook");
    return setWebhook(p);
  };
  return violations;
}

const state: fc.Arbitrary<State> = fc.record({
  blue: fc.array(fc.constantFrom<Blue>("r1", "r1-stopped", "r0", "r3", "missing"), { minLength: 2, maxLength: 2 }),
  green: fc.array(fc.constantFrom<Green>("r2", "r2-stopped", "missing"), { minLength: 2, maxLength: 2 }),
  blueRegistered: fc.boolean(),
  flight: fc.constantFrom<Flight>("none", "release-staging", "release-cutover", "release-baking", "rollback-staging", "rollback-cutover", "rollback-baking"),
  listener: fc.constantFrom<Colour>("blue", "green"),
  webhook: fc.constantFrom<Colour>("blue", "green"),
  commands: fc.array(fc.constantFrom<"release" | "rollback">("release", "rollback"), { minLength: 1, maxLength: 3 }),
  allowUnhealthyLive: fc.boolean(),
});

async function runAll(st: State): Promise<string[]> {
  const env = build(st);
  // The releases each colour may carry: what the tags recorded for it, and every release this test runs.
  const allowed: Record<Colour, Set<string>> = { blue: new Set(["r1", ...(st.flight.startsWith("release") ? ["r3"] : [])]), green: new Set(["r2"]) };
  const violations = guardSwitches(env, allowed);
  for (const [i, cmd] of st.commands.entries()) {
    const releaseId = `r${10 + i}`;
    allowed.blue.add(releaseId);
    allowed.green.add(releaseId);
    if (cmd === "release") {
      await release(env.ctx, { imageRef: `${REPO}:v${10 + i}`, releaseId, bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: st.allowUnhealthyLive }).catch(
        () => undefined,
      );
    } else {
      await rollback(env.ctx, { lockWaitMs: 0, runId: releaseId }).catch(() => undefined);
    }
  }
  return violations;
}

describe("traffic moves only to a colour that serves now (interrupted states)", () => {
  it("holds over generated interrupted states and command sequences", async () => {
    await fc.assert(
      fc.asyncProperty(state, async (st) => {
        expect(await runAll(st)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("an interrupted cold rollback (blue's containers gone) is abandoned by the next release, never finished by moving traffic", async () => {
    const st: State = {
      blue: ["missing", "missing"],
      green: ["r2", "r2"],
      blueRegistered: true,
      flight: "rollback-staging",
      listener: "green",
      webhook: "green",
      commands: ["release"],
      allowUnhealthyLive: false,
    };
    const env = build(st);
    const violations = guardSwitches(env, { blue: new Set(["r1", "r10"]), green: new Set(["r2"]) });
    const res = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r10", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(violations).toEqual([]);
    expect(res.outcome).toBe("released");
    expect(res.recovered).toMatch(/interrupted rollback r1 \(staging\) to blue: it had moved no traffic; abandoned it/);
    expect(env.lb.tags["bluegreen:live-release"]).toBe("r10");
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.blue);
  });

  it("`rollback` finishes an interrupted cold rollback by restarting and gating it before anything moves", async () => {
    const st: State = {
      blue: ["missing", "missing"],
      green: ["r2", "r2"],
      blueRegistered: true,
      flight: "rollback-staging",
      listener: "green",
      webhook: "green",
      commands: ["rollback"],
      allowUnhealthyLive: false,
    };
    const env = build(st);
    const violations = guardSwitches(env, { blue: new Set(["r1"]), green: new Set(["r2"]) });
    const res = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" });
    expect(violations).toEqual([]);
    expect(res.message).toMatch(/finished it \(restarted and gated\)/);
    expect(env.events.some((e) => e.step === "gates" && e.status === "ok" && e.colour === "blue")).toBe(true);
    expect(env.hosts.map((h) => h.containers.get("telegram-bot-blue")?.labels["bluegreen.release"])).toEqual(["r1", "r1"]);
    expect(env.lb.tags["bluegreen:live-release"]).toBe("r1");
  });

  it("a rollback to running containers the ALB does not report healthy is gated (cold) instead of moved at once", async () => {
    const st: State = {
      blue: ["r1", "r1"],
      green: ["r2", "r2"],
      blueRegistered: false,
      flight: "none",
      listener: "green",
      webhook: "green",
      commands: ["rollback"],
      allowUnhealthyLive: false,
    };
    const env = build(st);
    const violations = guardSwitches(env, { blue: new Set(["r1"]), green: new Set(["r2"]) });
    const res = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" });
    expect(violations).toEqual([]);
    expect(res.mode).toBe("cold");
    expect(res.steps).toEqual(["mark-staging", "register", "gates", "mark-cutover", "cutover", "finalize"]);
    expect(env.lb.tags["bluegreen:live-release"]).toBe("r1");
  });
});
