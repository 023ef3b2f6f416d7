// A canary killed mid-step leaves the listener split (green 10% / blue 90%) with its step in the
// in-flight tags. The next release undoes it first: all weight back on the recorded live colour in
// one ModifyListener when blue is warm; when blue is not serving (its containers stopped), blue is
// restarted and gated before traffic moves, because a canary's share counts as traffic on green.
import { describe, expect, it } from "vitest";
import { decodeTags, encodeInFlight, encodeRef, encodeShift } from "../../src/domain/tags.js";
import { release } from "../../src/orchestrator/release.js";
import { fakeEnvironment, imageOf, REPO } from "../fakes/release-world.js";

async function killedCanary(opts: { blueRunning: boolean }) {
  const env = fakeEnvironment();
  const { hosts, lb, groups, telegram, settings, runOn } = env;
  const url = settings.webhook.urls.blue;
  settings.webhook.urls = { blue: url, green: url };
  for (const h of hosts) {
    runOn(h, "blue", "r1", imageOf("1"));
    runOn(h, "green", "r2", imageOf("2"));
    if (!opts.blueRunning) {
      const c = h.containers.get("telegram-bot-blue");
      if (c !== undefined) c.running = false;
    }
  }
  for (const c of ["blue", "green"] as const)
    await lb.registerTargets(
      groups[c].arn,
      hosts.map((h) => ({ id: h.instanceId, port: settings.hostPorts[c] })),
    );
  lb.forward = [
    { targetGroupArn: groups.green.arn, weight: 10 },
    { targetGroupArn: groups.blue.arn, weight: 90 },
  ];
  lb.tags = {
    ...encodeRef("live", { colour: "blue", releaseId: "r1", image: imageOf("1") }),
    "bluegreen:verified": "r1",
    ...encodeInFlight({
      kind: "release",
      releaseId: "r2",
      colour: "green",
      image: imageOf("2"),
      from: "blue",
      startedAt: "2026-01-01T00:00:00.000Z",
      phase: "cutover",
    }),
    ...encodeShift({ step: 1, of: 2, percent: 10 }),
  };
  await telegram.setWebhook({ url, maxConnections: 40 });
  expect(decodeTags(lb.tags).inFlight?.shift).toEqual({ step: 1, of: 2, percent: 10 });
  return env;
}

describe("a canary killed mid-step, then release", () => {
  it("blue warm: the split is undone in one ModifyListener, then the release goes on", async () => {
    const env = await killedCanary({ blueRunning: true });
    const before = env.lb.calls.length;
    const r = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r.outcome).toBe("released");
    expect(r.recovered).toMatch(/found an interrupted release r2 \(cutover\) to green/);
    const moves = env.lb.calls.slice(before).filter((c) => c.startsWith("setForward"));
    expect(moves[0]).toBe("setForward arn:tg/bot-blue=1,arn:tg/bot-green=0");
    expect(decodeTags(env.lb.tags)).toMatchObject({ live: { colour: "green", releaseId: "r3" }, inFlight: null });
  });

  it("blue not serving: blue is restarted and gated before traffic moves off green, never a human stop", async () => {
    const env = await killedCanary({ blueRunning: false });
    const r = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r.outcome).toBe("released");
    expect(r.recovered).toMatch(/found an interrupted release r2 \(cutover\) to green/);
    for (const h of env.hosts) expect(h.log.some((argv) => argv.join(" ").includes("start") && argv.join(" ").includes("telegram-bot-blue"))).toBe(true);
    expect(decodeTags(env.lb.tags)).toMatchObject({ live: { colour: "green", releaseId: "r3" }, inFlight: null });
  });
});
