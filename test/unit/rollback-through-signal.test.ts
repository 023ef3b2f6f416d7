// A release whose bake failed on its own rolls back automatically; a SIGINT that arrives while that
// rollback runs (its gates: the restarted poller's, held for gates.settle, or a container restarted
// where traffic is) must not cut it short. The signal announcement promises "rolling back if
// traffic moved": the rollback runs to its end, gated, and is reported as what it is (rolled back,
// exit 2), never as "traffic is back ... but its bookkeeping failed: cancelled by SIGINT" (exit 3)
// with the colour traffic went back to never checked.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { handleSignals, signalWords } from "../../src/cli/signals.js";
import { decodeTags } from "../../src/domain/tags.js";
import { CancelledError } from "../../src/errors.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakeEnvironment, fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { blueStopsAsTheWebhookMoves, greenCrashesWhenBlueStops, releaseR1R2 } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

/**
 * SIGINT (ctx.cancel aborted as the CLI does) when the first gates step after `armed` starts; the
 * events after the rollback started are collected as "step:status".
 */
function sigintAtGatesAfter(ctx: Ctx, armed: (e: { step: string; status: string }) => boolean) {
  const controller = new AbortController();
  ctx.cancel = controller.signal;
  const report = ctx.reporter.step.bind(ctx.reporter);
  const after: string[] = [];
  let on = false;
  let rolling = false;
  ctx.reporter = {
    step: (e) => {
      report(e);
      if (e.step === "rollback" && e.status === "start") rolling = true;
      if (rolling && e.status !== "info") after.push(`${e.step}:${e.status}`);
      if (armed(e)) on = true;
      if (on && !controller.signal.aborted && e.step === "gates" && e.status === "start") controller.abort(new CancelledError("SIGINT"));
    },
  };
  return { after, aborted: () => controller.signal.aborted };
}

/**
 * Webhook mode, r1 then r2 (green, live; blue kept warm). r3 goes to blue; on i-2 the webhook's
 * move to blue kills blue (the bake fails on its own), and the listener's move back to green stops
 * green there (the rollback restarts it where traffic is, then gates it).
 */
async function webhookWorld() {
  const env = fakeEnvironment();
  env.settings.rollout.keepPreviousWarmMs = 600_000;
  await releaseR1R2(env);
  const host = env.hosts[1];
  if (host === undefined) throw new Error("two hosts expected");
  blueStopsAsTheWebhookMoves(env, host);
  const setForward = env.lb.setForward.bind(env.lb);
  env.lb.setForward = async (arn, f) => {
    const out = await setForward(arn, f);
    const c = host.containers.get(GREEN);
    if (c !== undefined && f.find((t) => t.targetGroupArn === env.groups.green.arn)?.weight === 1) c.running = false;
    return out;
  };
  return { env, host };
}

describe("SIGINT while a failed bake's automatic rollback runs", () => {
  it("polling: the restarted poller's held gates run to their end; rolled back (exit 2), the record finished", async () => {
    const env = fakePollingEnvironment();
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    // The handover stops blue: green then crashes (restart policy), so its bake fails on its own.
    greenCrashesWhenBlueStops(env);
    let rolling = false;
    const sig = sigintAtGatesAfter(env.ctx, (e) => {
      if (e.step === "rollback" && e.status === "start") rolling = true;
      return rolling;
    });
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
    expect(sig.aborted()).toBe(true);
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, from: "blue", colour: "green" });
    expect(r.reason).toMatch(/^bake failed: i-1: container telegram-bot-green restarted 1 time\(s\)/);
    expect(r.cancelledBy).toBeUndefined();
    // The held gates of the restarted poller passed (not cut short), then the rollback finished.
    expect(sig.after.filter((s) => s.startsWith("gates:"))).toEqual(["gates:start", "gates:ok"]);
    expect(sig.after.at(-1)).toBe("rollback:ok");
    const tags = decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags);
    expect(tags.inFlight).toBeNull();
    expect(tags.live).toMatchObject({ colour: "blue", releaseId: "r1" });
    expect(env.hosts.map((h) => [h.containers.get(BLUE)?.running, h.containers.get(GREEN)?.running])).toEqual([
      [true, false],
      [true, false],
    ]);
  });

  it("webhook: the container restarted where traffic is passes its gates; rolled back (exit 2), restart mark cleared", async () => {
    const { env, host } = await webhookWorld();
    let restarted = false;
    const sig = sigintAtGatesAfter(env.ctx, (e) => {
      if (e.step === "start" && e.status === "ok") restarted = true;
      return restarted;
    });
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(sig.aborted()).toBe(true);
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, from: "green", colour: "blue" });
    expect(r.reason).toBe("bake failed: i-2: container telegram-bot-blue exited with code 0");
    expect(r.cancelledBy).toBeUndefined();
    expect(sig.after.filter((s) => s.startsWith("gates:") || s.startsWith("start:"))).toEqual(["start:start", "start:ok", "gates:start", "gates:ok"]);
    expect(sig.after.at(-1)).toBe("rollback:ok");
    const tags = decodeTags(env.lb.tags);
    expect(tags.inFlight).toBeNull();
    expect(tags.live).toMatchObject({ colour: "green", releaseId: "r2" });
    expect(host.containers.get(GREEN)?.running).toBe(true);
    expect(env.lb.forward.find((f) => f.weight > 0)?.targetGroupArn).toBe(env.groups.green.arn);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
  });

  it("`rollback` finishing a dead release is stopped by SIGINT in the restarted container's gates: an interrupted rollback (130) that `rollback` finishes, never a bookkeeping failure", async () => {
    const { env, host } = await webhookWorld();
    // r3's run dies (a kill) as its automatic rollback starts: the switches are on blue, r3 in flight.
    const report = env.ctx.reporter.step.bind(env.ctx.reporter);
    env.ctx.reporter = {
      step: (e) => {
        report(e);
        if (e.step === "rollback" && e.status === "start") throw new Error("killed");
      },
    };
    await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" })).rejects.toThrow("killed");
    env.ctx.reporter = { step: report };
    let restarted = false;
    const sig = sigintAtGatesAfter(env.ctx, (e) => {
      if (e.step === "start" && e.status === "ok") restarted = true;
      return restarted;
    });
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb1" }).catch((x: unknown) => x);
    expect(sig.aborted()).toBe(true);
    expect(e).toBeInstanceOf(CancelledError);
    expect(exitCodeOf(e)).toBe(130);
    expect((e as CancelledError).message).toBe(
      "cancelled by SIGINT with both switches on green (r2), its restarted containers there not gated yet (it was rolling back: found an interrupted release r3 (cutover) to blue)",
    );
    expect((e as CancelledError).remedy).toBe(
      "`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)",
    );
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r2", colour: "green", phase: "restarting" });
    // The next `rollback` finishes it: the restarted container gated where traffic is.
    env.ctx.cancel = undefined;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r.message).toMatch(/^found an interrupted rollback r2 \(restarting\) to green: finished it/);
    expect(decodeTags(env.lb.tags).inFlight).toBeNull();
    expect(host.containers.get(GREEN)?.running).toBe(true);
  });
});

describe("what the CLI says of a signal while a rollback runs", () => {
  it("first: the rollback runs to its end; second: it was interrupted and `rollback` finishes it", () => {
    const words = signalWords("production");
    words.watch({ step: "bake", status: "fail" });
    expect(words.first("SIGINT")).toBe(
      "SIGINT: finishing the current step, then stopping the new colour (or rolling back if traffic moved); send it again to exit at once",
    );
    expect(words.last("SIGINT")).toBeUndefined();
    words.watch({ step: "rollback", status: "start" });
    words.watch({ step: "rollback", status: "info" });
    expect(words.first("SIGTERM")).toBe("SIGTERM: the rollback under way runs to its end (it checks what traffic went back to); send it again to exit at once");
    expect(words.last("SIGTERM")).toBe("the rollback under way was interrupted: `bluegreen rollback production` finishes it");
    words.watch({ step: "rollback", status: "ok" });
    expect(words.last("SIGINT")).toBeUndefined();
  });

  it("a second signal writes those words and exits 128 + its number", () => {
    let written = "";
    const err = new Writable({
      write(chunk, _enc, done) {
        written += String(chunk);
        done();
      },
    });
    const exits: number[] = [];
    const firsts: string[] = [];
    const h = handleSignals({ err, onFirst: (s) => firsts.push(s), lastWords: () => "the rollback under way was interrupted", exit: (c) => exits.push(c) });
    try {
      process.emit("SIGINT");
      expect(firsts).toEqual(["SIGINT"]);
      expect(h.signal.aborted).toBe(true);
      expect(exits).toEqual([]);
      process.emit("SIGINT");
      expect(exits).toEqual([130]);
      expect(written).toBe("SIGINT again: exiting at once; the rollback under way was interrupted\n");
    } finally {
      h.dispose();
    }
  });
});
