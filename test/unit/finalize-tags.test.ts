// Bookkeeping never undoes a good release: when the final tags cannot be written after the bake
// (TooManyTags: 50 per listener), the release stays live and the run stops with exit 3 and the command
// that writes the tags by hand. In-flight tags are removed before the final ones are added.
import { describe, expect, it } from "vitest";
import { RollbackFailedError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { buildWorld, GROUPS } from "../fakes/adoption-world.js";

const OPTS = { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true };
const managed = () =>
  buildWorld({
    forward: [
      { group: "blue", weight: 1 },
      { group: "green", weight: 0 },
    ],
    containers: [
      [{ name: "telegram-bot-blue", colour: "blue", hostPort: 5001, running: true }],
      [{ name: "telegram-bot-blue", colour: "blue", hostPort: 5001, running: true }],
    ],
    registered: {
      blue: [
        [0, 5001],
        [1, 5001],
      ],
    },
    tagsLive: "blue",
    webhook: "blue",
  });

describe("finalize", () => {
  it("removes the in-flight tags before adding the final ones", async () => {
    const w = managed();
    await release(w.ctx, OPTS);
    const calls = w.lb.calls.filter((c) => c.startsWith("setTags") || c.startsWith("removeTags"));
    const removeInFlight = calls.findIndex((c) => c.startsWith("removeTags") && c.includes("bluegreen:inflight-kind"));
    const setLive = calls.findIndex((c) => c.startsWith("setTags") && c.includes("bluegreen:live-colour"));
    expect(removeInFlight).toBeGreaterThanOrEqual(0);
    expect(setLive).toBeGreaterThan(removeInFlight);
  });

  it("TooManyTags after a good bake: retried, then exit 3 with the remedy; both switches stay on the new release", async () => {
    const w = managed();
    const setTags = w.lb.setTags.bind(w.lb);
    let attempts = 0;
    w.lb.setTags = async (arn, tags) => {
      if ("bluegreen:live-colour" in tags) {
        attempts += 1;
        throw Object.assign(new Error("TooManyTags: You've reached the limit on the number of tags for this resource"), { name: "TooManyTagsException" });
      }
      return setTags(arn, tags);
    };
    const err = await release(w.ctx, OPTS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RollbackFailedError);
    expect((err as Error).message).toContain("r2 is live on green");
    expect((err as Error).message).toContain("nothing was rolled back");
    expect((err as RollbackFailedError).remedy).toContain(
      `aws elbv2 add-tags --resource-arns ${w.lb.listenerArn} --tags Key=bluegreen:live-colour,Value=green`,
    );
    expect(attempts).toBe(3);
    expect(w.lb.forward.filter((f) => f.weight > 0).map((f) => f.targetGroupArn)).toEqual([GROUPS.green.arn]);
    expect(w.telegram.info.url).toBe(w.ctx.settings.webhook.urls.green);
    expect(w.hosts.every((h) => h.containers.get("telegram-bot-green")?.running === true)).toBe(true);
  });
});
