// A polling release's automatic rollback starts the previous poller again, then stops the failed
// one (handBack: no gap). What it reports must be verified: the restarted poller passes the gates
// (running, not restarting, /health when configured, no webhook set) held for gates.settle, and
// the webhook is read back (deleted) last. A restarted poller that dies a moment after its start,
// or whose /health fails, is a failed rollback (RollbackFailedError, exit 3) naming it, never
// "rolled back" (exit 2).
import { describe, expect, it } from "vitest";
import { EXIT, exitCodeOf } from "../../src/cli/exit-codes.js";
import { decodeTags } from "../../src/domain/tags.js";
import { RollbackFailedError } from "../../src/errors.js";
import { passesNeeded } from "../../src/orchestrator/gates.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { greenCrashesWhenBlueStops, killInRollbackAt } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";
const inspects = (argv: readonly string[], name: string) => argv.includes("inspect") && argv.includes(name);

/**
 * r1 polls on blue; r2 is released on green and crashes (restarts) in its bake once blue was
 * stopped at the handover, so it is rolled back. `blueDiesAt`: the restarted blue poller exits on
 * that look at it (a docker inspect naming it) after its restart, as a poller that crashes at its
 * first update does. Every call the run makes is logged in order (calls).
 */
async function pollingRollback(opts: { blueDiesAt?: number; blueHealthAfterRestart?: number } = {}) {
  const env = fakePollingEnvironment();
  if (opts.blueHealthAfterRestart !== undefined) {
    // A poller that serves GET /health (container.health in a polling environment).
    env.settings.container = { ...env.settings.container, port: 5000, health: { path: "/health", expectStatus: 200, timeoutMs: 100 } };
    env.settings.hostPorts = { blue: 5001, green: 5002 };
  }
  const r1 = await release(env.ctx, { imageRef: `${REPO}:v1`, releaseId: "r1", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
  expect(r1.outcome).toBe("released");
  const calls: string[] = [];
  let looksSinceStart: number | undefined;
  // The handover stops blue: green then crashes and is restarted by its restart policy (its bake fails).
  greenCrashesWhenBlueStops(env);
  for (const [i, h] of env.hosts.entries()) {
    const httpRequest = h.httpRequest.bind(h);
    h.httpRequest = async (port) => {
      const status = opts.blueHealthAfterRestart;
      if (status !== undefined && looksSinceStart !== undefined && port === env.settings.hostPorts.blue) return { status, body: "" };
      return httpRequest(port);
    };
    const exec = h.exec.bind(h);
    h.exec = async (argv, o) => {
      calls.push(`${h.instanceId} ${argv.join(" ")}`);
      if (argv.includes("start") && argv.includes(BLUE) && i === 0) looksSinceStart = 0;
      if (i === 0 && looksSinceStart !== undefined && inspects(argv, BLUE)) {
        looksSinceStart += 1;
        const blue = h.containers.get(BLUE);
        if (blue !== undefined && looksSinceStart === opts.blueDiesAt) blue.running = false;
      }
      return exec(argv, o);
    };
  }
  const getWebhookInfo = env.telegram.getWebhookInfo.bind(env.telegram);
  env.telegram.getWebhookInfo = () => {
    calls.push("getWebhookInfo");
    return getWebhookInfo();
  };
  env.events.length = 0;
  const run = release(env.ctx, { imageRef: `${REPO}:v2`, releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
  return { env, run, calls };
}

describe("a polling release's automatic rollback verifies the poller it restarts", () => {
  it("a healthy restarted poller: gated and held for gates.settle where it takes the updates, the webhook read back last; rolled back (exit 2)", async () => {
    const { env, run, calls } = await pollingRollback();
    const r = await run;
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, colour: "green", from: "blue" });
    for (const h of env.hosts) {
      expect(h.containers.get(BLUE)?.running).toBe(true);
      expect(h.containers.get(GREEN)?.running).toBe(false);
    }
    // handBack: blue started before green stopped, on every host (no gap in polling); once per host
    // (the rollback after the fast path's handover back did not start it again).
    for (const h of env.hosts) {
      const own = calls.filter((c) => c.startsWith(`${h.instanceId} `));
      expect(own.filter((c) => c.endsWith(`start ${BLUE}`))).toHaveLength(1);
      const start = own.findIndex((c) => c.endsWith(`start ${BLUE}`));
      const stop = own.findIndex((c, k) => k > start && c.includes(`stop`) && c.endsWith(GREEN));
      expect(start).toBeGreaterThanOrEqual(0);
      expect(stop).toBeGreaterThan(start);
    }
    // The rollback's gates ran on blue, where the updates go, after the handover back.
    const gates = env.events.filter((e) => e.step === "gates" && e.status === "ok" && e.colour === "blue");
    expect(gates).toHaveLength(1);
    // Held: the passes in a row span gates.settle at gates.interval (not just gates.healthyThreshold).
    const need = passesNeeded(env.settings.gates, env.settings.gates.settleMs);
    expect(need).toBeGreaterThan(env.settings.gates.healthyThreshold);
    const lastStart = calls.findLastIndex((c) => c.endsWith(`start ${BLUE}`));
    const looks = calls.slice(lastStart).filter((c) => c.startsWith("i-1 ") && c.includes("inspect") && c.includes(BLUE));
    expect(looks.length).toBeGreaterThanOrEqual(need);
    // The webhook is read back (deleted: a poller cannot receive while one is set) after every start
    // and stop (the failed poller's logs, the history and the lock's release follow).
    expect(calls.lastIndexOf("getWebhookInfo")).toBeGreaterThan(calls.findLastIndex((c) => / docker (start|stop) /.test(c)));
    expect(env.telegram.info.url).toBe("");
  });

  it("a restarted poller that dies a moment after its start (within gates.settle): RollbackFailedError (exit 3) naming it and what to do", async () => {
    // Its 5th look after the restart: a rollback without these gates had recorded blue live by then
    // (run on that code, it reported exit 2 with blue dead); it is inside the settle window held here.
    const { env, run } = await pollingRollback({ blueDiesAt: 5 });
    const e = await run.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RollbackFailedError);
    const err = e as RollbackFailedError;
    expect(exitCodeOf(err)).toBe(EXIT.needsHuman);
    expect(EXIT.needsHuman).toBe(3);
    expect(err.message).toMatch(
      /the blue poller \(r1\) was started again and telegram-bot-green stopped, but telegram-bot-blue did not pass its gates \(running, \/health if configured, no webhook set, held for gates\.settle 20ms\): i-1: container telegram-bot-blue exited with code 0; no verified poller takes updates now/,
    );
    expect(err.remedy).toContain("docker logs telegram-bot-blue");
    expect(err.remedy).toContain("bluegreen release production --image <tag>");
    expect(env.hosts[0]?.containers.get(BLUE)?.running).toBe(false);
  });

  it("a restarted poller whose /health fails: not verified within gates.timeout plus gates.settle, RollbackFailedError (exit 3) naming /health", async () => {
    const { env, run } = await pollingRollback({ blueHealthAfterRestart: 503 });
    const e = await run.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(e)).toBe(EXIT.needsHuman);
    expect((e as RollbackFailedError).message).toMatch(
      /the blue poller \(r1\) was started again and telegram-bot-green stopped, but telegram-bot-blue did not pass its gates .*: the blue colour did not pass its gates within [\d.]+s \(gates\.timeout plus the 20ms it must hold, a hard deadline\): i-1: GET \/health answered 503, expected 200/,
    );
    // The restarted poller runs (only its /health fails): it is not stopped, the failed one is.
    for (const h of env.hosts) {
      expect(h.containers.get(BLUE)?.running).toBe(true);
      expect(h.containers.get(GREEN)?.running).toBe(false);
    }
  });
});

describe("a polling rollback killed after its handBack, before its mark-cutover", () => {
  it("`rollback` resumes it from staging: the poller that polls alone passes the gates held for gates.settle, then finalize", async () => {
    const env = fakePollingEnvironment();
    await release(env.ctx, { imageRef: `${REPO}:v1`, releaseId: "r1", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    let looks = 0;
    greenCrashesWhenBlueStops(env);
    for (const h of env.hosts) {
      const exec = h.exec.bind(h);
      h.exec = async (argv, o) => {
        if (h.instanceId === "i-1" && inspects(argv, BLUE)) looks += 1;
        return exec(argv, o);
      };
    }
    // r2's bake fails; its automatic rollback hands back (blue started, green stopped), marks
    // staging, and the run dies there.
    const report = killInRollbackAt(
      env,
      (e) => e.step === "mark-staging" && e.status === "ok",
      () => new Error("killed"),
    );
    await expect(release(env.ctx, { imageRef: `${REPO}:v2`, releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false })).rejects.toThrow("killed");
    env.ctx.reporter = { step: report };
    const state = decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags);
    expect(state.inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", colour: "blue", phase: "staging" });
    expect(env.hosts.map((h) => [h.containers.get(BLUE)?.running, h.containers.get(GREEN)?.running])).toEqual([
      [true, false],
      [true, false],
    ]);
    looks = 0;
    env.events.length = 0;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r.message).toBe("found an interrupted rollback r1 (staging) to blue: finished it (restarted and gated)");
    expect(env.events.filter((e) => e.status === "start").map((e) => e.step)).toEqual(["gates", "mark-cutover", "finalize"]);
    // Held: the passes in a row span gates.settle (not just gates.healthyThreshold).
    const need = passesNeeded(env.settings.gates, env.settings.gates.settleMs);
    expect(need).toBeGreaterThan(env.settings.gates.healthyThreshold);
    expect(looks).toBeGreaterThanOrEqual(need);
    expect(decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags).inFlight).toBeNull();
  });
});
