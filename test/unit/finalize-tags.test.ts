// Bookkeeping never undoes a good release: when the final tags cannot be written after the bake
// (TooManyTags: 50 per listener), the release stays live and the run stops with exit 3 and the command
// that writes the tags by hand. In-flight tags are removed before the final ones are added.
import { describe, expect, it } from "vitest";
import { decodeTags, IN_FLIGHT_KEYS, TAG, tagHeadroom } from "../../src/domain/tags.js";
import { FinalTagsError, PreflightError, RollbackFailedError } from "../../src/errors.js";
import { readAudit } from "../../src/orchestrator/history.js";
import { release } from "../../src/orchestrator/release.js";
import { buildWorld, GROUPS } from "../fakes/adoption-world.js";

const OPTS = { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true };
const managed = (otherTags = 0) =>
  buildWorld({
    otherTags,
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
    expect(err).toBeInstanceOf(FinalTagsError);
    expect((err as Error).message).toContain("r2 is live on green");
    expect((err as Error).message).toContain("nothing was rolled back");
    expect((err as RollbackFailedError).remedy).toContain(
      `aws elbv2 add-tags --resource-arns ${w.lb.listenerArn} --tags Key=bluegreen:live-colour,Value=green`,
    );
    expect(attempts).toBe(3);
    expect(w.lb.forward.filter((f) => f.weight > 0).map((f) => f.targetGroupArn)).toEqual([GROUPS.green.arn]);
    expect(w.telegram.info.url).toBe(w.ctx.settings.webhook.urls.green);
    expect(w.hosts.every((h) => h.containers.get("telegram-bot-green")?.running === true)).toBe(true);
    // history says what went live, and that a human must write the tags.
    const [last] = await readAudit(w.ctx);
    expect(last).toMatchObject({ kind: "release", outcome: "needs-human", releaseId: "r2", colour: "green", from: "blue" });
    expect(last?.reason).toContain("r2 is live on green");
    expect(last?.reason).toContain("TooManyTags");
  });
});

describe("tag headroom (ELBv2: 50 tags per listener)", () => {
  it("counts the peak: the in-flight record over what is there, then the final tags once the in-flight ones are gone", () => {
    // Adoption on an untagged listener: 7 in-flight + 2 unmanaged + environment at the mark.
    expect(tagHeadroom([], decodeTags({}), { colour: "blue", releaseId: "r1", adopting: true, shifting: false, hasPrevious: false })).toEqual({
      existing: 0,
      peak: 10,
      adds: 10,
    });
    // A canary adds its shift key to the in-flight record.
    expect(tagHeadroom([], decodeTags({}), { colour: "blue", releaseId: "r1", adopting: false, shifting: true, hasPrevious: false }).peak).toBe(9);
    // Keys already on the listener count once: a dead run's in-flight record is overwritten, not added.
    const tags = Object.fromEntries([...IN_FLIGHT_KEYS, TAG.environment].map((k) => [k, "x"]));
    expect(tagHeadroom(Object.keys(tags), decodeTags(tags), { colour: "blue", releaseId: "r1", adopting: false, shifting: true, hasPrevious: false })).toEqual({
      existing: 9,
      peak: 9,
      adds: 0,
    });
  });

  it("a release that fits exactly (50 at its peak) goes through; the fake refuses a 51st tag as AWS does", async () => {
    // 4 of bluegreen's (live x3, verified) + 38 others; the mark adds 7 in-flight + environment = 50.
    const w = managed(38);
    const r = await release(w.ctx, OPTS);
    expect(r.outcome).toBe("released");
    expect(Object.keys(w.lb.tags).length).toBeLessThanOrEqual(50);
  });

  it("one tag too many: refused in preflight (exit 1) naming the counts and the fix; nothing moved, nothing staged", async () => {
    const w = managed(39);
    const err = await release(w.ctx, OPTS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toBe(
      "the listener carries 43 tags and this release needs 8 more at once (51), but ELBv2 allows 50 per listener (TooManyTags)",
    );
    expect((err as PreflightError).remedy).toContain("remove at least 1 tag(s) that are not bluegreen's (39 on it: team:cost-0, team:cost-1");
    expect((err as PreflightError).remedy).toContain(`aws elbv2 remove-tags --resource-arns ${w.lb.listenerArn} --tag-keys team:cost-0;`);
    expect(w.lb.calls.filter((c) => !c.startsWith("describe"))).toEqual([]);
    expect(w.hosts.every((h) => !h.containers.has("telegram-bot-green"))).toBe(true);
    expect(w.telegram.info.url).toBe(w.ctx.settings.webhook.urls.blue);
  });
});
