// A bake round that fails on another check (Telegram's delivery errors, a CloudWatch alarm or
// metric) inspects the hosts it skipped before it reports (5e6a4ee): since #17 a round inspects a
// host only when bakeInspects says so, and without that extra inspect an OOM kill, a memory hog or
// a crash-restart whose /health still answers was reported as Telegram's 502. And a round that
// passes keeps the #17 budget: it inspects no host it would skip. Driven on the stateful fakes,
// one round at a time by the fake clock: no timing involved.
import { describe, expect, it } from "vitest";
import type { Goal } from "../../src/domain/decide.js";
import { BAKE_INSPECT_EVERY_MS, BakeFailed, bake } from "../../src/orchestrator/bake.js";
import { bakeCheckArgv } from "../../src/orchestrator/containers.js";
import type { ExecResult, RemoteHost } from "../../src/ports.js";
import { decodeBatch } from "../../src/remote/batch.js";
import { docker } from "../../src/remote/docker.js";
import { FakeMonitoring } from "../fakes/monitoring.js";
import { greenJustCutOver, imageOf } from "../fakes/release-world.js";
import type { FakeContainer, FakeHost } from "../fakes/world.js";

const GREEN = "telegram-bot-green";
const GOAL: Goal = { kind: "release", colour: "green", releaseId: "r2", image: imageOf("b"), from: "blue" };
const TELEGRAM_502 = "Wrong response from the webhook: 502 Bad Gateway";

/** Green just took the traffic on both hosts: running, registered, healthy, the webhook on green. */
function bakeWorld() {
  const { env, cutoverAt, baseline } = greenJustCutOver();
  const green = (h: FakeHost): FakeContainer => {
    const c = h.containers.get(GREEN);
    if (c === undefined) throw new Error("green runs on every host");
    return c;
  };
  /** Telegram reports delivery errors dated at the cutover (what a dying bot behind the ALB causes). */
  const telegramFails = () => {
    env.telegram.info = { ...env.telegram.info, lastErrorDate: Math.floor(cutoverAt / 1000), lastErrorMessage: TELEGRAM_502 };
  };
  /** The bake, expected to fail: its error. */
  const failing = async (bakeMs = 60_000): Promise<BakeFailed> => {
    const e = await bake(env.ctx, GOAL, cutoverAt, baseline, bakeMs).then(
      () => new Error("the bake passed"),
      (x: unknown) => x,
    );
    if (!(e instanceof BakeFailed)) throw e;
    return e;
  };
  return { ...env, cutoverAt, baseline, green, telegramFails, failing };
}

const [HOST1, HOST2] = [0, 1];
const hostOf = (env: ReturnType<typeof bakeWorld>, i: number): FakeHost => {
  const h = env.hosts[i];
  if (h === undefined) throw new Error("two hosts");
  return h;
};

/** An exec as its steps (a batch's random marker decoded away). */
const steps = (argv: readonly string[]) => decodeBatch(argv)?.steps.map((s) => s.argv) ?? [argv];
const BAKE_CHECK = steps(bakeCheckArgv("telegram-bot", "green"));

/** The restart's exit looked up in the engine's events (containerOnHost): 30 s back from the round at the cutover. */
const EXIT_EVENTS = [docker.exitEvents(GREEN, 30)];

/** What a host's container does that its /health (still 200) does not show; the execs its verdict adds. */
const FAULTS: [string, Partial<FakeContainer>, string, string[][][]][] = [
  ["OOM-killed (a worker process; the main one and /health live on)", { oomKilled: true }, `container ${GREEN} was OOM-killed (memory limit reached)`, []],
  ["above gates.maxMemory", { memoryMiB: 390 }, `container ${GREEN} uses 390.0 MiB, above the 380 MiB limit`, []],
  [
    "OOM-killed and restarted by docker (the memory hog; answers /health again)",
    { restartCount: 1, exits: [{ exitCode: 137, oom: true }] },
    `container ${GREEN} was OOM-killed (memory limit reached, exit code 137) and restarted 1 time(s)`,
    [EXIT_EVENTS],
  ],
  [
    "crashed and restarted by docker (answers /health again)",
    { restartCount: 1, exits: [{ exitCode: 1, oom: false }] },
    `container ${GREEN} restarted 1 time(s) (exit code 1)`,
    [EXIT_EVENTS],
  ],
];

describe("a bake round failing on Telegram inspects the hosts it skipped: the container's own failure is the reason", () => {
  it.each(FAULTS)("i-2's green %s, Telegram reports delivery errors -> the container's reason, not Telegram's", async (_what, fault, reason, extra) => {
    const env = bakeWorld();
    Object.assign(env.green(hostOf(env, HOST2)), fault);
    env.telegramFails();
    const e = await env.failing();
    expect(e.reason).toBe(`i-2: ${reason}`);
    // The first round (nothing due: 0 ms after the cutover, far from the window's end) failed and
    // inspected each host it had skipped, once.
    expect(e.detectedAt).toBe(env.cutoverAt);
    expect(hostOf(env, HOST1).execs.map(steps)).toEqual([BAKE_CHECK]);
    expect(hostOf(env, HOST2).execs.map(steps)).toEqual([BAKE_CHECK, ...extra]);
  });

  it("every container fine: Telegram's reason, after one extra inspect of each skipped host (one exec each, the bake check's)", async () => {
    const env = bakeWorld();
    env.telegramFails();
    const e = await env.failing();
    expect(e.reason).toBe(`Telegram reports webhook delivery errors since the cutover: ${TELEGRAM_502}`);
    for (const i of [HOST1, HOST2]) expect(hostOf(env, i).execs.map(steps)).toEqual([BAKE_CHECK]);
  });

  it("a host the round already inspected (the closing check) is not inspected again", async () => {
    const env = bakeWorld();
    env.telegramFails();
    // A zero-length window: the first round is the closing check, which inspects every host before the answers.
    const e = await env.failing(0);
    expect(e.reason).toBe(`Telegram reports webhook delivery errors since the cutover: ${TELEGRAM_502}`);
    for (const i of [HOST1, HOST2]) expect(hostOf(env, i).execs.map(steps)).toEqual([BAKE_CHECK]);
  });
});

describe("a bake round failing on CloudWatch inspects the hosts it skipped: the container's own failure is the reason", () => {
  it.each(FAULTS)("i-1's green %s, a gates.alarms alarm in ALARM -> the container's reason", async (_what, fault, reason, extra) => {
    const env = bakeWorld();
    const monitoring = new FakeMonitoring(() => env.clock.now());
    monitoring.setAlarm("bot-errors", "ALARM", "Threshold Crossed: 3 datapoints");
    env.ctx.monitoring = monitoring;
    env.settings.gates.alarms = ["bot-errors"];
    Object.assign(env.green(hostOf(env, HOST1)), fault);
    const e = await env.failing();
    expect(e.reason).toBe(`i-1: ${reason}`);
    expect(hostOf(env, HOST1).execs.map(steps)).toEqual([BAKE_CHECK, ...extra]);
    expect(hostOf(env, HOST2).execs.map(steps)).toEqual([BAKE_CHECK]);
  });

  it("the alarm alone (every container fine): the alarm's reason", async () => {
    const env = bakeWorld();
    const monitoring = new FakeMonitoring(() => env.clock.now());
    monitoring.setAlarm("bot-errors", "ALARM", "Threshold Crossed: 3 datapoints");
    env.ctx.monitoring = monitoring;
    env.settings.gates.alarms = ["bot-errors"];
    expect((await env.failing()).reason).toBe("CloudWatch alarm bot-errors is in ALARM (Threshold Crossed: 3 datapoints)");
    for (const i of [HOST1, HOST2]) expect(hostOf(env, i).execs.map(steps)).toEqual([BAKE_CHECK]);
  });

  it("a crossed gates.metrics threshold and an OOM-killed container: the OOM kill (the metric is its symptom)", async () => {
    const env = bakeWorld();
    const monitoring = new FakeMonitoring(() => env.clock.now());
    monitoring.metrics.set(env.groups.green.arn, { requests: 40, target5xx: 6, p99ResponseSeconds: 0.2, maxUnhealthyHosts: 0 });
    env.ctx.monitoring = monitoring;
    env.settings.gates.metrics = { maxTarget5xx: 0 };
    env.green(hostOf(env, HOST2)).oomKilled = true;
    expect((await env.failing()).reason).toBe(`i-2: container ${GREEN} was OOM-killed (memory limit reached)`);
  });
});

describe("a passing bake round inspects no host it would skip (the #17 budget)", () => {
  /** The clock's time at every exec on each host (a recording wrapper of the RemoteHost port). */
  function timed(env: ReturnType<typeof bakeWorld>): Map<string, number[]> {
    const at = new Map<string, number[]>();
    env.ctx.hosts = env.ctx.hosts.map((h) => {
      const times: number[] = [];
      at.set(h.instanceId, times);
      const remote: RemoteHost = {
        name: h.remote.name,
        exec: (argv, opts): Promise<ExecResult> => {
          times.push(env.clock.now() - env.cutoverAt);
          return h.remote.exec(argv, opts);
        },
        httpRequest: (port, path, opts) => h.remote.httpRequest(port, path, opts),
        close: () => h.remote.close(),
      };
      return { ...h, remote };
    });
    return at;
  }

  it("a 12 s bake checked every second: each host is inspected at 5 s, 10 s and by the closing check, and at no other round", async () => {
    const env = bakeWorld();
    env.settings.gates.intervalMs = 1000;
    const at = timed(env);
    const read = await bake(env.ctx, GOAL, env.cutoverAt, env.baseline, 12_000);
    expect([...read.keys()]).toEqual(["i-1", "i-2"]);
    const expected = [BAKE_INSPECT_EVERY_MS, 2 * BAKE_INSPECT_EVERY_MS, 12_000];
    expect(Object.fromEntries(at)).toEqual({ "i-1": expected, "i-2": expected });
    for (const i of [HOST1, HOST2]) expect(hostOf(env, i).execs.map(steps)).toEqual([BAKE_CHECK, BAKE_CHECK, BAKE_CHECK]);
  });

  it("a bake extended for evidence (3 s window and interval, 3 checks needed) inspects at its last check only, not also at the window's end", async () => {
    const env = bakeWorld();
    env.settings.gates.intervalMs = 3000;
    env.settings.gates.bakeEvidence = 3;
    env.settings.gates.timeoutMs = 120_000;
    const at = timed(env);
    const read = await bake(env.ctx, GOAL, env.cutoverAt, env.baseline, 3000);
    expect([...read.keys()]).toEqual(["i-1", "i-2"]);
    // Checks at 0, 3 s (the window's end, but 2 of 3 checks: it cannot end the bake) and 6 s (closing).
    expect(Object.fromEntries(at)).toEqual({ "i-1": [6000], "i-2": [6000] });
    for (const i of [HOST1, HOST2]) expect(hostOf(env, i).execs.map(steps)).toEqual([BAKE_CHECK]);
  });

  it("a passing round with a wait (Telegram's backlog) is no failing round: no extra inspect", async () => {
    const env = bakeWorld();
    env.settings.gates.intervalMs = 1000;
    const at = timed(env);
    // A backlog above gates.maxPendingUpdates is a wait (a miss), not a failure: it may drain.
    env.telegram.info = { ...env.telegram.info, pendingUpdateCount: env.settings.gates.maxPendingUpdates + 1 };
    const e = await env.failing(12_000);
    expect(e.reason).toMatch(/^101 updates are waiting for delivery \(limit 100\) \(3 checks in a row\)$/);
    // Three rounds at 0, 1 and 2 s: none of them due, none failed.
    expect(Object.fromEntries(at)).toEqual({ "i-1": [], "i-2": [] });
  });
});
