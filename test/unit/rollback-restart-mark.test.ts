// A rollback that restarts its colour's stopped containers where both switches already are records
// that on the listener first (the in-flight record, phase "restarting"): a run killed or cancelled
// during the gates that follow leaves a mark the next `rollback` gates from, instead of finalizing
// the restarted containers unseen (review M2). On the fakes: blue r1 then green r2 released.
import { describe, expect, it } from "vitest";
import { renderStatus } from "../../src/cli/commands/status.js";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { decodeTags, encodeInFlight, TAG } from "../../src/domain/tags.js";
import { CancelledError, PreflightError, RollbackFailedError } from "../../src/errors.js";
import { readAudit } from "../../src/orchestrator/history.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import { REPO } from "../fakes/release-world.js";
import { blueStopsAsTheWebhookMoves, lateSetWebhookAfterFinalize, onEachStep, refuseRestartMark, releasedTwice } from "../fakes/rollback-setup.js";

class Killed extends Error {}

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

/** `container` on i-2 stops right after the ModifyListener that sends its colour all the traffic. */
function stopsAsTheListenerMoves(
  env: Awaited<ReturnType<typeof releasedTwice>>["env"],
  host: Awaited<ReturnType<typeof releasedTwice>>["host"],
  colour: "blue" | "green",
) {
  const setForward = env.lb.setForward.bind(env.lb);
  env.lb.setForward = async (arn, f) => {
    const answer = await setForward(arn, f);
    const c = host.containers.get(`telegram-bot-${colour}`);
    if (c !== undefined && f.find((t) => t.targetGroupArn === `arn:tg/bot-${colour}`)?.weight === 1) c.running = false;
    return answer;
  };
}

/** The run ends (a kill: nothing after it runs) or is cancelled when the gates after a restart start. */
function interruptRestartGates(env: Awaited<ReturnType<typeof releasedTwice>>["env"], how: "kill" | "SIGINT") {
  const controller = new AbortController();
  if (how === "SIGINT") env.ctx.cancel = controller.signal;
  const step = env.ctx.reporter.step.bind(env.ctx.reporter);
  let restarted = false;
  let done = false;
  env.ctx.reporter = {
    step: (e) => {
      step(e);
      if (e.step === "start" && e.status === "ok") restarted = true;
      if (done || !restarted || e.step !== "gates" || e.status !== "start") return;
      done = true;
      if (how === "kill") throw new Killed("killed during the restarted gates");
      controller.abort(new CancelledError("SIGINT"));
    },
  };
}

/** Every step a later run starts, from the events the fakes record. */
const stepsFrom = (env: Awaited<ReturnType<typeof releasedTwice>>["env"], from: number) =>
  env.events
    .slice(from)
    .filter((e) => e.status === "start")
    .map((e) => e.step);

const onBlue = [
  { targetGroupArn: "arn:tg/bot-blue", weight: 1 },
  { targetGroupArn: "arn:tg/bot-green", weight: 0 },
];

describe("the restart's mark", () => {
  it("is written before the docker start, names the rollback, and the finalize removes it", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    const order: string[] = [];
    const setTags = env.lb.setTags.bind(env.lb);
    env.lb.setTags = async (arn, tags) => {
      if (tags[TAG.flightPhase] !== undefined) order.push(`mark ${tags[TAG.flightPhase]}`);
      return setTags(arn, tags);
    };
    let flight: ReturnType<typeof decodeTags>["inFlight"] = null;
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      if (argv[0] === "docker" && argv[1] === "start") {
        order.push("docker start");
        flight = decodeTags(env.lb.tags).inFlight;
      }
      return exec(argv, o);
    };
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r.steps).toEqual(["mark-restarting", "start", "gates", "finalize"]);
    expect(order).toEqual(["mark restarting", "docker start"]);
    expect(flight).toMatchObject({ kind: "rollback", releaseId: "r1", colour: "blue", from: "green", phase: "restarting" });
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" } });
  });

  it("killed during the restarted gates: the next rollback gates the restarted container there and finishes it", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    interruptRestartGates(env, "kill");
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(Killed);
    // Traffic is on blue, its restarted container unchecked: the listener says so.
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: { kind: "rollback", releaseId: "r1", phase: "restarting" }, live: { releaseId: "r2" } });
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(r.message).toContain("finished it (its restarted containers gated where traffic is)");
    expect(stepsFrom(env, from)).toEqual(["gates", "finalize"]);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" }, previous: { releaseId: "r2" } });
    expect(env.lb.forward).toEqual(onBlue);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.blue);
  });

  it("cancelled (SIGINT) during the restarted gates: a CancelledError, then `rollback` finishes the interrupted rollback, gated", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    interruptRestartGates(env, "SIGINT");
    const cancelled = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect(cancelled).toMatchObject({
      message: "cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)",
    });
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    env.ctx.cancel = undefined;
    // status says where it stopped and sends the operator to the command that finishes it.
    const text = renderStatus(await status(env.ctx)).join("\n");
    expect(text).toContain("- a rollback (r1) was interrupted in phase restarting: no run holds the lock");
    expect(text).toContain(
      "next: `bluegreen rollback production` finishes it; if its containers keep failing, release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live` (a release without that flag refuses until then)",
    );
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(stepsFrom(env, from)).toEqual(["gates", "finalize"]);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" } });
  });

  it("an automatic rollback killed during its restarted gates: the next rollback gates them, finishes it and stops the failed colour", async () => {
    const { env, host } = await releasedTwice();
    // r3 to blue: its container on i-2 dies right after the cutover's setWebhook (the bake fails)...
    blueStopsAsTheWebhookMoves(env, host);
    // ...and green (r2, warm) stops on i-2 as the listener moves back to it: restarted where traffic is.
    stopsAsTheListenerMoves(env, host, "green");
    interruptRestartGates(env, "kill");
    await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" })).rejects.toThrow(RollbackFailedError);
    // The record already names r2 on green live: only the mark says its restarted container is unchecked.
    expect(decodeTags(env.lb.tags)).toMatchObject({
      inFlight: { kind: "rollback", releaseId: "r2", colour: "green", from: "blue", phase: "restarting" },
      live: { colour: "green", releaseId: "r2" },
    });
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "recovered", colour: "green", releaseId: "r2" });
    expect(r.message).toContain("blue stopped");
    expect(stepsFrom(env, from)).toEqual(["gates", "finalize"]);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "green", releaseId: "r2" } });
    for (const h of env.hosts) expect(h.containers.get("telegram-bot-blue")?.running).toBe(false);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
  });

  it("a release after such a kill refuses, touching nothing: `rollback` finishes it, then the release goes ahead", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    interruptRestartGates(env, "kill");
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(Killed);
    const tags = { ...env.lb.tags };
    const refused = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PreflightError);
    expect((refused as PreflightError).remedy).toBe(
      "`bluegreen rollback production` finishes it; if its containers keep failing, release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live`",
    );
    expect(env.lb.tags).toEqual(tags);
    expect((await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" })).mode).toBe("recovered");
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "green", releaseId: "r3" } });
  });

  it("killed after the mark, before the start (review H1): `release` refuses and leaves the mark, so `rollback` still restarts and gates the stopped container", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    const step = onEachStep(env, (e) => {
      if (e.step === "start" && e.status === "start") throw new Killed("killed before the docker start");
    });
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(Killed);
    env.ctx.reporter = { step };
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(false);
    const tags = { ...env.lb.tags };
    const refused = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PreflightError);
    expect((refused as PreflightError).message).toBe(
      "found an interrupted rollback r1 (restarting) to blue: both switches serve it, but its containers there were stopped or restarted and are not gated yet; a release cannot start from that colour; nothing was changed",
    );
    // Nothing touched: the mark, both switches, the stopped container.
    expect(env.lb.tags).toEqual(tags);
    expect(env.lb.forward).toEqual(onBlue);
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(false);
    expect(host.containers.has("telegram-bot-green")).toBe(true);
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(stepsFrom(env, from)).toEqual(["start", "gates", "finalize"]);
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" } });
  });

  it("a listener that refuses the mark (TooManyTags): the container is restarted and gated all the same, in this run", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    refuseRestartMark(env);
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r.steps).toEqual(["mark-restarting", "start", "gates", "finalize"]);
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
    // Review L3: the info says exactly what a kill during these gates would leave (no record in flight:
    // a warm rollback writes none before its move), not "none to resume from".
    expect(env.events.filter((e) => e.step === "mark-restarting" && e.status === "info").map((e) => e.message)).toEqual([
      "the restart could not be recorded on the listener (TooManyTags: the listener has 50 tags): restarting and gating blue without the mark, in this run only; killed before its gates pass, it leaves both switches on blue with r2 recorded live: `bluegreen rollback production` then refuses and the restarted containers stay ungated (`bluegreen status production` shows it)",
    ]);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" } });
  });
});

describe("an unmarked restart's info (review L3)", () => {
  it("in an automatic rollback: the release's record stays in flight, and a kill during the gates leaves it to a next run that finishes it ungated", async () => {
    const { env, host } = await releasedTwice();
    // r3 to blue: its container on i-2 dies right after the cutover's setWebhook (the bake fails)...
    blueStopsAsTheWebhookMoves(env, host);
    // ...green (r2) stops on i-2 as the listener moves back, and the listener refuses the restart's mark.
    stopsAsTheListenerMoves(env, host, "green");
    refuseRestartMark(env);
    interruptRestartGates(env, "kill");
    await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" })).rejects.toThrow(RollbackFailedError);
    expect(env.events.filter((e) => e.step === "mark-restarting" && e.status === "info").map((e) => e.message)).toEqual([
      "the restart could not be recorded on the listener (TooManyTags: the listener has 50 tags): restarting and gating green without the mark, in this run only; killed before its gates pass, it leaves the interrupted release r3 on the listener: the next `rollback` or `release` finishes it once the restarted containers run and the ALB reports them healthy, without these gates",
    ]);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "release", releaseId: "r3" });
    // What the info said: the next rollback finishes it without gates.
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "recovered", colour: "green", releaseId: "r2" });
    expect(stepsFrom(env, from)).not.toContain("gates");
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "green", releaseId: "r2" } });
  });
});

describe("a signal while a warm rollback moves the switches", () => {
  /** SIGINT arrives as the listener moves (the move itself finishes: never half-done). */
  function sigintAsTheListenerMoves(env: Awaited<ReturnType<typeof releasedTwice>>["env"]) {
    const controller = new AbortController();
    env.ctx.cancel = controller.signal;
    const setForward = env.lb.setForward.bind(env.lb);
    env.lb.setForward = async (arn, f) => {
      const answer = await setForward(arn, f);
      controller.abort(new CancelledError("SIGINT"));
      return answer;
    };
  }

  it("nothing to restart: the finalize still records the move (one tag write), so nothing is left that `rollback` would refuse", async () => {
    const { env } = await releasedTwice();
    sigintAsTheListenerMoves(env);
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "warm", colour: "blue", releaseId: "r1", steps: ["finalize"] });
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" }, previous: { releaseId: "r2" } });
  });

  // Review M1: the run used to stop before the start, leaving a stopped container where traffic is
  // until someone ran `rollback`; the start the mark announced now runs too, and the run stops after it.
  it("a container stopped as they moved: the restart's mark is written and the container started, the run stops before the gates; `rollback` gates it", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    sigintAsTheListenerMoves(env);
    const from0 = env.events.length;
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toMatchObject({
      name: "CancelledError",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)",
    });
    expect(stepsFrom(env, from0)).toEqual(["mark-restarting", "start"]);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
    env.ctx.cancel = undefined;
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(stepsFrom(env, from)).toEqual(["gates", "finalize"]);
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "blue", releaseId: "r1" } });
  });
});

describe("a resumed restart's webhook (review M3)", () => {
  it("is watched for gates.settle like an uninterrupted one: a restarted bot's late setWebhook just after the read-back is put back", async () => {
    const { env, host } = await releasedTwice();
    env.settings.gates.settleMs = 600;
    stopsAsTheListenerMoves(env, host, "blue");
    interruptRestartGates(env, "kill");
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(Killed);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    // The restarted bot's late start-up call: setWebhook to a wrong URL right after the webhook's
    // second read after the finalize (the first is rollback's observe of the result, the second the
    // read-back that used to be the last one).
    const reads = lateSetWebhookAfterFinalize(env);
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(reads()).toBeGreaterThan(2);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.blue);
    expect(r.webhookRestored).toEqual([
      "during the settle window the webhook was set to https://late.example/wrong; bluegreen restored it to https://bot.example.com/telegram/blue",
    ]);
  });
});

describe("the restarting phase is a rollback's only (review L4)", () => {
  const forged = (kind: "release" | "rollback", image: string) =>
    encodeInFlight({ kind, releaseId: "r2", colour: "green", image, from: "blue", startedAt: "2026-01-01T00:00:00.000Z", phase: "restarting" });

  it("decodes for kind rollback; on a release it is no record (like any unknown phase)", () => {
    expect(decodeTags(forged("rollback", "img")).inFlight).toMatchObject({ kind: "rollback", phase: "restarting" });
    expect(decodeTags(forged("release", "img")).inFlight).toBeNull();
  });

  it("a forged release/restarting record naming the live release blocks neither `release` nor `rollback`", async () => {
    const { env } = await releasedTwice();
    const live = decodeTags(env.lb.tags).live;
    expect(live).toMatchObject({ colour: "green", releaseId: "r2" });
    env.lb.tags = { ...env.lb.tags, ...forged("release", live?.image ?? "") };
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "warm", colour: "blue", releaseId: "r1" });
    env.lb.tags = { ...env.lb.tags, ...forged("release", live?.image ?? "") };
    const released = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(released).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "green", releaseId: "r3" } });
  });
});

describe("a restarted container that keeps failing its gates (review2 H)", () => {
  /** Blue on i-2 stops as the listener moves to it, and answers /health 503 once restarted. */
  function unhealthyOnceRestarted(env: Awaited<ReturnType<typeof releasedTwice>>["env"], host: Awaited<ReturnType<typeof releasedTwice>>["host"]) {
    stopsAsTheListenerMoves(env, host, "blue");
    const port = env.settings.hostPorts.blue;
    let started = false;
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      if (argv[0] === "docker" && argv[1] === "start" && argv.includes("telegram-bot-blue")) started = true;
      return exec(argv, o);
    };
    const http = host.httpRequest.bind(host);
    host.httpRequest = async (p) => (p === port && started ? { status: 503, body: "db down" } : http(p));
  }

  it("rollback fails (exit 3) naming --allow-unhealthy-live; release refuses without it, touching nothing; with it, releases past the mark and says so", async () => {
    const { env, host } = await releasedTwice();
    unhealthyOnceRestarted(env, host);
    const failed = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(failed)).toBe(3);
    expect((failed as RollbackFailedError).remedy).toBe(
      "inspect them with `docker logs telegram-bot-blue` on the hosts and `bluegreen status production`; release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live` (a plain release refuses while the restart's mark stays)",
    );
    expect(decodeTags(env.lb.tags)).toMatchObject({
      inFlight: { kind: "rollback", releaseId: "r1", colour: "blue", phase: "restarting" },
      live: { colour: "green", releaseId: "r2" },
    });
    expect(env.lb.forward).toEqual(onBlue);
    const text = renderStatus(await status(env.ctx)).join("\n");
    expect(text).toContain(
      "next: `bluegreen rollback production` finishes it; if its containers keep failing, release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live` (a release without that flag refuses until then)",
    );

    // Without the flag: the refusal, nothing changed.
    const tags = { ...env.lb.tags };
    const refused = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PreflightError);
    expect(exitCodeOf(refused)).toBe(1);
    expect((refused as PreflightError).message).toBe(
      "found an interrupted rollback r1 (restarting) to blue: both switches serve it, but its containers there were stopped or restarted and are not gated yet; a release cannot start from that colour; nothing was changed",
    );
    expect((refused as PreflightError).remedy).toBe(
      "`bluegreen rollback production` finishes it; if its containers keep failing, release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live`",
    );
    expect(env.lb.tags).toEqual(tags);
    expect(env.lb.forward).toEqual(onBlue);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.blue);
    expect((await readAudit(env.ctx)).map((r) => r.releaseId)).toEqual(["r2", "r1"]);

    // With it: the mark is abandoned (said so, in the output and the history), and r3 goes out over blue.
    const note =
      "found an interrupted rollback r1 (restarting) to blue: the interrupted rollback's restart on blue was abandoned; its containers were not gated (--allow-unhealthy-live)";
    const r = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r).toMatchObject({ outcome: "released", exitCode: 0, colour: "green", from: "blue", recovered: note });
    expect(decodeTags(env.lb.tags)).toMatchObject({ inFlight: null, live: { colour: "green", releaseId: "r3" } });
    expect(env.lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-green", weight: 1 },
      { targetGroupArn: "arn:tg/bot-blue", weight: 0 },
    ]);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
    const [last] = await readAudit(env.ctx);
    expect(last).toMatchObject({ kind: "release", outcome: "released", releaseId: "r3", colour: "green", from: "blue", recovered: note });
  });

  it("a restarted container that exits right after its docker start: one start, then exit 3 naming the host and container (not a 30-step loop)", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    let starts = 0;
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      const answer = await exec(argv, o);
      if (argv[0] === "docker" && argv[1] === "start" && argv.includes("telegram-bot-blue")) {
        starts++;
        const c = host.containers.get("telegram-bot-blue");
        if (c !== undefined) c.running = false;
      }
      return answer;
    };
    const failed = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(failed)).toBe(3);
    expect(failed).toMatchObject({
      message:
        "cannot continue the rollback of r1: i-2: telegram-bot-blue is not running right after its docker start (container telegram-bot-blue exited with code 0)",
      remedy:
        "inspect it with `docker logs telegram-bot-blue` on the hosts and `bluegreen status production`; release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live`",
    });
    expect(starts).toBe(1);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    // The way out it names works.
    const r = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
  });
  it("2 hosts, only i-2 restarted and its start fails while i-1's container dies beside it: names i-2 alone (i-1 was never part of that start)", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    const other = env.hosts[0];
    if (other === undefined) throw new Error("two hosts");
    const startsOn = (h: typeof host) => h.log.filter((a) => a[0] === "docker" && a[1] === "start" && a.includes("telegram-bot-blue")).length;
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      const answer = await exec(argv, o);
      if (argv[0] === "docker" && argv[1] === "start" && argv.includes("telegram-bot-blue")) {
        for (const h of [host, other]) {
          const c = h.containers.get("telegram-bot-blue");
          if (c !== undefined) c.running = false;
        }
      }
      return answer;
    };
    const failed = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(failed)).toBe(3);
    expect((failed as RollbackFailedError).message).toBe(
      "cannot continue the rollback of r1: i-2: telegram-bot-blue is not running right after its docker start (container telegram-bot-blue exited with code 0)",
    );
    expect([startsOn(other), startsOn(host)]).toEqual([0, 1]);
  });
});
