// `release` first repairs a dead earlier run. A SIGINT during that repair, once it moved both
// switches back and restarted a stopped container where traffic now is, must be reported as what it
// is (the repair's own words: switches moved, not gated, `rollback` finishes it), never as
// "before anything of this release was staged; the live release is unchanged" (review2 M1). The
// CLI's end of it (headline, why, next, exit code; the --json result line) is checked too.
import { describe, expect, it } from "vitest";
import { notifyEventOf, report } from "../../src/cli/commands/release.js";
import { decodeTags } from "../../src/domain/tags.js";
import { CancelledError } from "../../src/errors.js";
import { outcomeText } from "../../src/notify/message.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { capturedOutput as captured } from "../fakes/captured-output.js";
import { fakeEnvironment, REPO } from "../fakes/release-world.js";

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };
class Killed extends Error {}

/**
 * r1, r2 released; r3 dies in its bake after its cutover to blue; r4's repair moves both switches
 * back to green, whose container on i-2 stops as the listener moves, restarts it there, and is
 * cancelled by SIGINT as that container's gates start. Returns the world and r4's result.
 */
async function cancelledInRepair() {
  const env = fakeEnvironment();
  env.settings.rollout.keepPreviousWarmMs = 600_000;
  await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
  await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
  const host = env.hosts[1];
  if (host === undefined) throw new Error("the fake world has two hosts");
  const step0 = env.ctx.reporter.step.bind(env.ctx.reporter);
  // r3 dies in its bake, after the cutover to blue.
  env.ctx.reporter = {
    step: (e) => {
      step0(e);
      if ((e.step === "bake" || e.step === "rollback") && e.status === "start") throw new Killed("killed in bake");
    },
  };
  await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" })).rejects.toThrow("killed in bake");
  expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "release", phase: "cutover" });
  // green (r2) on i-2 stops as the listener moves back to it: the repair restarts and gates it.
  const setForward = env.lb.setForward.bind(env.lb);
  env.lb.setForward = async (arn, f) => {
    const r = await setForward(arn, f);
    const c = host.containers.get("telegram-bot-green");
    if (c !== undefined && f.find((t) => t.targetGroupArn === "arn:tg/bot-green")?.weight === 1) c.running = false;
    return r;
  };
  const controller = new AbortController();
  env.ctx.cancel = controller.signal;
  let restarted = false;
  env.ctx.reporter = {
    step: (e) => {
      step0(e);
      if (e.step === "start" && e.status === "ok") restarted = true;
      if (restarted && e.step === "gates" && e.status === "start") controller.abort(new CancelledError("SIGINT"));
    },
  };
  const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v4`, releaseId: "r4" });
  return { env, r, step0 };
}

describe("release cancelled while it repairs a dead run", () => {
  it("a SIGINT in the gates of the container it restarted where traffic is keeps the repair's message and remedy", async () => {
    const { env, r, step0 } = await cancelledInRepair();
    expect(r.outcome).toBe("cancelled");
    expect(r.exitCode).toBe(130);
    expect(r.reason).toBe(
      "cancelled by SIGINT with both switches on green (r2), its restarted containers there not gated yet (it was rolling back: found an interrupted release r3 (cutover) to blue)",
    );
    expect(r.remedy).toBe("`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)");
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r2", phase: "restarting" });
    // ...and that remedy is true: `rollback` finishes it.
    env.ctx.cancel = undefined;
    env.ctx.reporter = { step: step0 };
    const rb = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(rb.message).toBe(
      "found an interrupted rollback r2 (restarting) to green: finished it (its restarted containers gated where traffic is; blue stopped)",
    );
  });

  it("a SIGINT before anything moved still says the live release is unchanged, with no remedy", async () => {
    const env = fakeEnvironment();
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    // The signal came before the run started (its first check, under the lock).
    const controller = new AbortController();
    controller.abort(new CancelledError("SIGINT"));
    env.ctx.cancel = controller.signal;
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
    expect(r.outcome).toBe("cancelled");
    expect(r.exitCode).toBe(130);
    expect(r.reason).toBe("cancelled by SIGINT before anything of this release was staged; the live release is unchanged");
    expect(r.remedy).toBeUndefined();
    // Printed once, as the headline (no why saying it again).
    const text = captured(false);
    expect(report(text.out, "release", "production", r)).toBe(130);
    expect(text.stderr()).toBe("✖ release r2 cancelled by SIGINT before anything of this release was staged; the live release is unchanged\n");
  });
});

describe("the CLI's end of a release cancelled while it repaired a dead run", () => {
  it("headline, why and next on stderr, exit 130; --json: the same facts in the result line", async () => {
    const { r } = await cancelledInRepair();
    const WHY =
      "cancelled by SIGINT with both switches on green (r2), its restarted containers there not gated yet (it was rolling back: found an interrupted release r3 (cutover) to blue)";
    const NEXT = "`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)";
    const text = captured(false);
    expect(report(text.out, "release", "production", r)).toBe(130);
    expect(text.stdout()).toBe("");
    expect(text.stderr()).toBe(
      [
        "✖ release r4 cancelled by SIGINT while it repaired an interrupted earlier run (nothing of this release was staged)",
        `  why: ${WHY}`,
        `  next: ${NEXT}`,
        "",
      ].join("\n"),
    );
    const json = captured(true);
    expect(report(json.out, "release", "production", r)).toBe(130);
    expect(JSON.parse(json.stdout())).toMatchObject({
      type: "result",
      command: "release",
      environment: "production",
      outcome: "cancelled",
      exitCode: 130,
      cancelledBy: "SIGINT",
      releaseId: "r4",
      reason: WHY,
      remedy: NEXT,
    });
  });
});

describe("the notification of a release cancelled while it repaired a dead run", () => {
  it("says what the headline says (not 'before traffic moved; the live release is unchanged'), with the why and the next step", async () => {
    const { r } = await cancelledInRepair();
    expect(outcomeText(notifyEventOf("release", "production", r))).toBe(
      "⏹️ production: release r4 (telegram-bot:v4) cancelled while it repaired an interrupted earlier run (nothing of this release was staged): cancelled by SIGINT with both switches on green (r2), its restarted containers there not gated yet (it was rolling back: found an interrupted release r3 (cutover) to blue); next: `bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)",
    );
    // A release cancelled before anything moved keeps its own words.
    const plain = { ...r, remedy: undefined, reason: "cancelled by SIGINT before anything of this release was staged; the live release is unchanged" };
    expect(outcomeText(notifyEventOf("release", "production", plain))).toBe(
      "⏹️ production: release r4 (telegram-bot:v4) cancelled by SIGINT before anything of this release was staged; the live release is unchanged",
    );
  });
});
