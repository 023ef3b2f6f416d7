// A polling release's automatic rollback stops the failed poller once per host: the fast path's
// handover back (handBack) starts the old poller and stops the failed one, and the rollback's end
// reads each host back (one inspect) and stops only a failed poller not seen exited, before the
// webhook is read back. Before, the end ran a second `docker stop` of the already stopped poller on
// every host (one host command per host more). A failed container that runs again is still stopped.
import { describe, expect, it } from "vitest";
import { stopColourContainers } from "../../src/orchestrator/containers.js";
import { release } from "../../src/orchestrator/release.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { greenCrashesWhenBlueStops } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

describe("a polling automatic rollback stops the failed poller once per host", () => {
  it("one docker stop of the failed poller per host after the rollback starts; its read-back and the webhook read last are kept", async () => {
    const env = fakePollingEnvironment();
    expect((await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" })).outcome).toBe("released");
    // The handover stops blue: green crashes (restarts) in its bake and is rolled back.
    greenCrashesWhenBlueStops(env);
    // Every host exec and webhook read, in order, from the bake on (the rollback's fast path, the
    // handover back, comes before its "rollback" step).
    const calls: string[] = [];
    let rollingBack = false;
    const step = env.ctx.reporter.step;
    env.ctx.reporter = {
      step: (e) => {
        if (e.step === "bake" && e.status === "start") rollingBack = true;
        step(e);
      },
    };
    for (const h of env.hosts) {
      const exec = h.exec.bind(h);
      h.exec = async (argv, o) => {
        if (rollingBack) calls.push(`${h.instanceId} ${argv.join(" ")}`);
        return exec(argv, o);
      };
    }
    const getWebhookInfo = env.telegram.getWebhookInfo.bind(env.telegram);
    env.telegram.getWebhookInfo = () => {
      if (rollingBack) calls.push("getWebhookInfo");
      return getWebhookInfo();
    };
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, colour: "green", from: "blue" });
    // Each host's commands from the handover back's start of blue to the end of the run.
    const rollbackCalls = env.hosts.map((h) => {
      const all = calls.filter((c) => c.startsWith(`${h.instanceId} `));
      return all.slice(all.findIndex((c) => c.endsWith(`docker start ${BLUE}`)));
    });
    for (const [i, h] of env.hosts.entries()) {
      expect(h.containers.get(BLUE)?.running).toBe(true);
      expect(h.containers.get(GREEN)?.running).toBe(false);
      const own = rollbackCalls[i] ?? [];
      // blue started first (no gap in polling), then green stopped: once.
      expect(own[0]).toBe(`${h.instanceId} docker start ${BLUE}`);
      expect(own.filter((c) => c.includes(` docker stop `))).toEqual([`${h.instanceId} docker stop --time 30 ${GREEN}`]);
      // The failed colour is read back on the host after the gates: the last docker command before
      // its logs is an inspect of both colours (it found green exited, so no stop follows).
      const docker = own.filter((c) => c.includes(" docker ") && !c.includes(" docker logs "));
      expect(docker.at(-1)).toBe(`${h.instanceId} docker inspect --type container ${BLUE} ${GREEN}`);
    }
    // Host commands per host from there: handBack 3 (start, inspect, stop), the observe 1, 21 gate
    // checks held for gates.settle, the read-back 1, the logs 1 (27); the lock host also reads and
    // writes the state file 12 times, appends the history and releases the lock (41). One more per
    // host (the second stop) before.
    expect(rollbackCalls.map((c) => c.length)).toEqual([41, 27]);
    // The webhook is read back (deleted, polling) after every stop and start.
    expect(calls.lastIndexOf("getWebhookInfo")).toBeGreaterThan(calls.findLastIndex((c) => / docker (start|stop) /.test(c)));
    expect(env.telegram.info.url).toBe("");
  });

  it("unlessExited still stops a container that runs again (or was never stopped), and reads every host", async () => {
    const env = fakePollingEnvironment();
    env.runOn(env.hosts[0] as (typeof env.hosts)[number], "green", "r2", `${REPO}:v2`, true);
    env.runOn(env.hosts[1] as (typeof env.hosts)[number], "green", "r2", `${REPO}:v2`, false);
    const before = env.hosts.map((h) => h.execs.length);
    await stopColourContainers(env.ctx, "green", { unlessExited: true });
    expect(env.hosts.map((h, i) => h.execs.slice(before[i]).map((a) => a.join(" ")))).toEqual([
      [`docker inspect --type container ${BLUE} ${GREEN}`, `docker stop --time 30 ${GREEN}`],
      [`docker inspect --type container ${BLUE} ${GREEN}`],
    ]);
    expect(env.hosts.map((h) => h.containers.get(GREEN)?.running)).toEqual([false, false]);
  });
});
