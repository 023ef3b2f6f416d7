// Issue #18 case 2: one failed tag call at finalize must not block every later run. RemoveTags
// fails three times at finalize, leaving in-flight tags on a release that is live and consistent:
// the next `release` and the next `rollback` clear them with a note and go on.
import { describe, expect, it } from "vitest";
import { decodeTags, encodeInFlight, encodeRef } from "../../src/domain/tags.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakeEnvironment, imageOf, REPO } from "../fakes/release-world.js";

/** Blue r1 live; then r2 released to green with RemoveTags failing at finalize. */
async function stuck() {
  const env = fakeEnvironment();
  const { hosts, lb, groups, telegram, settings, runOn, ctx } = env;
  for (const h of hosts) runOn(h, "blue", "r1", imageOf("1"));
  await lb.registerTargets(
    groups.blue.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
  );
  lb.forward = [
    { targetGroupArn: groups.blue.arn, weight: 1 },
    { targetGroupArn: groups.green.arn, weight: 0 },
  ];
  lb.tags = { ...encodeRef("live", { colour: "blue", releaseId: "r1", image: imageOf("1") }), "bluegreen:verified": "r1" };
  await telegram.setWebhook({ url: settings.webhook.urls.blue, maxConnections: 40 });
  const first = await release(ctx, { imageRef: `${REPO}:v2`, releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
  // The in-flight tags of r2 left behind on the live, consistent release (a RemoveTags that never landed).
  Object.assign(
    lb.tags,
    encodeInFlight({
      kind: "release",
      releaseId: "r2",
      colour: "green",
      image: imageOf("2"),
      from: "blue",
      startedAt: "2026-01-01T00:00:00.000Z",
      phase: "baking",
    }),
  );
  const tags = decodeTags(lb.tags);
  expect(tags.live?.releaseId).toBe("r2");
  expect(tags.inFlight?.releaseId).toBe("r2");
  return { env, first };
}

describe("in-flight tags left on a live, consistent release heal", () => {
  it("the next release clears them with a note and releases", async () => {
    const { env } = await stuck();
    const r = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r.outcome).toBe("released");
    expect(r.recovered).toMatch(/cleared the in-flight tags of release r2: it is live and consistent on green/);
    expect(decodeTags(env.lb.tags)).toMatchObject({
      live: { colour: "blue", releaseId: "r3" },
      previous: { colour: "green", releaseId: "r2" },
      inFlight: null,
    });
  });

  it("`rollback` clears them with a note and rolls back to the previous release", async () => {
    const { env } = await stuck();
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" });
    expect(r.recovered).toMatch(/cleared the in-flight tags of release r2/);
    expect(r.mode).toBe("warm");
    expect(decodeTags(env.lb.tags)).toMatchObject({ live: { colour: "blue", releaseId: "r1" }, inFlight: null });
  });

  it("following the remedy the failed run printed does not lead back to the same error", async () => {
    const { env, first } = await stuck();
    const remedy = first instanceof Error ? String((first as { remedy?: string }).remedy ?? "") : String(first.remedy ?? "");
    const message = first instanceof Error ? first.message : String(first.reason ?? "");
    // Whatever the first run said, the command its remedy names must now succeed.
    const next = /bluegreen rollback/.test(remedy) ? "rollback" : "release";
    const r =
      next === "rollback"
        ? await rollback(env.ctx, { lockWaitMs: 0, runId: "x" })
        : await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(JSON.stringify(r)).not.toContain(message === "" ? "\u0000" : message);
    expect(r.outcome === "released" || r.outcome === "rolled-back").toBe(true);
    expect(decodeTags(env.lb.tags).inFlight).toBeNull();
  });
});
