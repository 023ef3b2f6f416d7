// A run cancelled by SIGINT/SIGTERM (the CLI aborts ctx.cancel, src/cli/signals.ts) finishes the step
// under way, then winds down: before traffic moved it stops the new colour and clears the in-flight
// mark (exit 130/143); after, it rolls back (exit 2, reason "cancelled"). Either way the lock is free
// for the next run. Hooks get the signal; the exit codes map through cli/exit-codes.ts.
import { describe, expect, it } from "vitest";
import { notifyEventOf, report } from "../../src/cli/commands/release.js";
import { exitCodeOf, outcomeOf } from "../../src/cli/exit-codes.js";
import { encodeRef } from "../../src/domain/tags.js";
import { CancelledError, type CancelSignal } from "../../src/errors.js";
import { runHook } from "../../src/hooks/index.js";
import { outcomeText } from "../../src/notify/index.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { buildWorld, GROUPS } from "../fakes/adoption-world.js";
import { capturedOutput } from "../fakes/captured-output.js";
import { fakeEnvironment, imageOf } from "../fakes/release-world.js";

const OPTS = { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true };

/** A managed world with v1 live on blue; the signal arrives when `step` starts. */
function cancelledAt(step: string, signal: CancelSignal) {
  const w = buildWorld({
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
  const controller = new AbortController();
  w.ctx.cancel = controller.signal;
  const report = w.ctx.reporter.step.bind(w.ctx.reporter);
  w.ctx.reporter = {
    step: (e) => {
      report(e);
      if (e.step === step && e.status === "start" && !controller.signal.aborted) controller.abort(new CancelledError(signal));
    },
  };
  return w;
}

const forwardsTo = (w: ReturnType<typeof cancelledAt>) => w.lb.forward.find((f) => f.weight > 0)?.targetGroupArn;
const inFlightTags = (w: ReturnType<typeof cancelledAt>) => Object.keys(w.lb.tags).filter((k) => k.startsWith("bluegreen:inflight"));

describe("a release cancelled by a signal", () => {
  it("before traffic moved (SIGTERM during stage): stage finishes, the new colour is stopped, the mark cleared, exit 143", async () => {
    const w = cancelledAt("stage", "SIGTERM");
    const r = await release(w.ctx, OPTS);
    expect(r).toMatchObject({ outcome: "cancelled", exitCode: 143, cancelledBy: "SIGTERM", colour: "green" });
    expect(r.steps).toEqual(["mark-staging", "stage"]);
    expect(r.reason).toContain("before any traffic moved");
    expect(forwardsTo(w)).toBe(GROUPS.blue.arn);
    expect(inFlightTags(w)).toEqual([]);
    for (const h of w.hosts) expect(h.containers.get("telegram-bot-green")?.running).toBe(false);
    // The lock is free and nothing is left to repair: the next release goes through.
    w.ctx.cancel = undefined;
    expect((await release(w.ctx, { ...OPTS, releaseId: "r3" })).outcome).toBe("released");
  });

  it("its notification says once what stopped and that the live release is unchanged (the reason is the sentence)", async () => {
    const w = cancelledAt("stage", "SIGTERM");
    const r = await release(w.ctx, OPTS);
    expect(outcomeText(notifyEventOf("release", "production", r))).toBe(
      "⏹️ production: release r2 (telegram-bot@sha256:00000e7c0000…) cancelled by SIGTERM before any traffic moved: the new green containers are stopped (kept for inspection) and the live release is unchanged",
    );
  });

  it("its CLI output says it once: the reason is the headline (no why repeating the signal and 'the live release is unchanged'); --json keeps the reason", async () => {
    const w = cancelledAt("stage", "SIGTERM");
    const r = await release(w.ctx, OPTS);
    const REASON =
      "cancelled by SIGTERM before any traffic moved: the new green containers are stopped (kept for inspection) and the live release is unchanged";
    expect(r.reason).toBe(REASON);
    const text = capturedOutput(false);
    expect(report(text.out, "release", "production", r)).toBe(143);
    expect(text.stdout()).toBe("");
    expect(text.stderr()).toBe(`✖ release r2 ${REASON}\n`);
    expect(text.stderr().match(/the live release is unchanged/g)).toHaveLength(1);
    const json = capturedOutput(true);
    expect(report(json.out, "release", "production", r)).toBe(143);
    expect(json.stderr()).toBe("");
    expect(JSON.parse(json.stdout())).toMatchObject({
      type: "result",
      command: "release",
      outcome: "cancelled",
      exitCode: 143,
      cancelledBy: "SIGTERM",
      reason: REASON,
    });
  });

  it("before anything of its own (SIGINT before the lock's first step): exit 130, nothing staged", async () => {
    const w = cancelledAt("preflight", "SIGINT");
    const r = await release(w.ctx, OPTS);
    expect(r).toMatchObject({ outcome: "cancelled", exitCode: 130, cancelledBy: "SIGINT" });
    expect(r.steps).toEqual([]);
    expect(w.hosts.every((h) => !h.containers.has("telegram-bot-green") || h.containers.get("telegram-bot-green")?.running === false)).toBe(true);
    expect(inFlightTags(w)).toEqual([]);
  });

  it("during the cutover: the cutover completes, then the release is rolled back (exit 2, reason cancelled)", async () => {
    const w = cancelledAt("cutover", "SIGINT");
    const r = await release(w.ctx, OPTS);
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, reason: "cancelled", cancelledBy: "SIGINT" });
    // review-s9 F12: nothing failed, the user cancelled it: the remedy says so.
    expect(r.remedy).toBe(
      "the cancelled green containers are stopped but kept (`docker logs telegram-bot-green` on the hosts); release again when ready: `bluegreen release production --image <tag>`",
    );
    expect(r.steps).toContain("cutover");
    expect(r.steps).not.toContain("bake");
    expect(forwardsTo(w)).toBe(GROUPS.blue.arn);
    expect(w.telegram.info.url).toContain("blue");
    expect(inFlightTags(w)).toEqual([]);
  });

  it("during the bake: the bake stops at once and the release is rolled back", async () => {
    const w = cancelledAt("bake", "SIGTERM");
    const r = await release(w.ctx, { ...OPTS, bakeMs: 30 * 60_000 });
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, reason: "cancelled", cancelledBy: "SIGTERM" });
    expect(r.remedy).toMatch(/^the cancelled green containers are stopped but kept .*; release again when ready/);
    expect(r.remedy).not.toContain("failed");
    expect(forwardsTo(w)).toBe(GROUPS.blue.arn);
    expect(w.ctx.clock.now() - Date.parse("2026-01-01T00:00:00.000Z")).toBeLessThan(30 * 60_000);
  });
});

describe("exit codes of a cancelled run", () => {
  it("130 for SIGINT, 143 for SIGTERM, outcome cancelled", () => {
    expect(exitCodeOf(new CancelledError("SIGINT"))).toBe(130);
    expect(exitCodeOf(new CancelledError("SIGTERM"))).toBe(143);
    expect(outcomeOf(130)).toBe("cancelled");
    expect(outcomeOf(143)).toBe("cancelled");
  });
});

describe("a hook when bluegreen is cancelled", () => {
  it("its whole process group is ended (a grandchild too), at once", async () => {
    const controller = new AbortController();
    const vars = { environment: "e", colour: "green", fromColour: "blue", image: "i", releaseId: "r" };
    const started = Date.now();
    const done = runHook("preRelease", ["sh", "-c", "sleep 30 & echo started; wait"], vars, {
      signal: controller.signal,
      killGraceMs: 200,
      onLine: (l) => {
        if (l === "started") controller.abort(new CancelledError("SIGINT"));
      },
    });
    const r = await done;
    expect(r.code).toBeNull();
    expect(r.timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("a rollback cancelled by a signal", () => {
  it("a cold rollback stops between two steps, keeps its mark for the next rollback, frees the lock, exit 130", async () => {
    const env = fakeEnvironment();
    const { hosts, lb, groups, telegram, settings, runOn } = env;
    for (const h of hosts) {
      runOn(h, "green", "r2", imageOf("2"));
      runOn(h, "blue", "r1", imageOf("1"), false); // stopped: the rollback is cold (start, gates, then cutover)
    }
    await lb.registerTargets(
      groups.green.arn,
      hosts.map((h) => ({ id: h.instanceId, port: 5002 })),
    );
    lb.forward = [
      { targetGroupArn: groups.green.arn, weight: 1 },
      { targetGroupArn: groups.blue.arn, weight: 0 },
    ];
    lb.tags = {
      ...encodeRef("live", { colour: "green", releaseId: "r2", image: imageOf("2") }),
      ...encodeRef("previous", { colour: "blue", releaseId: "r1", image: imageOf("1") }),
      "bluegreen:verified": "r2",
    };
    await telegram.setWebhook({ url: settings.webhook.urls.green, maxConnections: 40 });
    env.recordHistory("r1", imageOf("1"));
    const controller = new AbortController();
    env.ctx.cancel = controller.signal;
    env.ctx.reporter = {
      step: (e) => {
        if (e.step === "start" && e.status === "start") controller.abort(new CancelledError("SIGINT"));
      },
    };
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb1" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(exitCodeOf(e)).toBe(130);
    // Nothing half-moved: green still serves; the rollback's mark stays for the next `rollback`.
    expect(lb.forward.find((f) => f.weight > 0)?.targetGroupArn).toBe(groups.green.arn);
    expect(telegram.info.url).toBe(settings.webhook.urls.green);
    expect(lb.tags["bluegreen:inflight-kind"]).toBe("rollback");
    // The lock was released: the next rollback runs at once and finishes it.
    env.ctx.cancel = undefined;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r.colour).toBe("blue");
    expect(lb.forward.find((f) => f.weight > 0)?.targetGroupArn).toBe(groups.blue.arn);
  });
});
