// A polling release's automatic rollback starts the previous poller in its handover back (the fast
// path), before its converge: with /health configured, the first gate check of that poller waits
// for its port like the check of one the converge's own `start` restarted (ac75cd5), instead of
// failing an attempt (a refusal, and a whole gates.interval more) on a bot a moment from listening.
import { describe, expect, it } from "vitest";
import { release } from "../../src/orchestrator/release.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { greenCrashesWhenBlueStops } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

describe("a polling rollback's restarted poller at its first gate check", () => {
  it("a poller listening 600 ms after its docker start passes its first check: no failed attempt, rolled back", async () => {
    const env = fakePollingEnvironment();
    env.settings.container = { ...env.settings.container, port: 5000, health: { path: "/health", expectStatus: 200, timeoutMs: 100 } };
    env.settings.hostPorts = { blue: 5001, green: 5002 };
    // A round of the gates a second apart: a failed first attempt costs a whole interval.
    env.settings.gates = { ...env.settings.gates, intervalMs: 1000, timeoutMs: 10_000 };
    expect((await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" })).outcome).toBe("released");
    greenCrashesWhenBlueStops(env);
    for (const h of env.hosts) {
      const exec = h.exec.bind(h);
      h.exec = async (argv, o) => {
        const answer = await exec(argv, o);
        const c = h.containers.get(BLUE);
        if (argv[0] === "docker" && argv[1] === "start" && argv.includes(BLUE) && c !== undefined) c.listensAt = Date.now() + 600;
        return answer;
      };
    }
    const from = env.events.length;
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, colour: "green", from: "blue" });
    const events = env.events.slice(from);
    const rollingBack = events.findIndex((e) => e.step === "rollback" && e.status === "start");
    expect(rollingBack).toBeGreaterThan(-1);
    const after = events.slice(rollingBack);
    expect(after.filter((e) => e.step === "gates" && e.status === "ok" && e.colour === "blue")).toHaveLength(1);
    const failed = after.filter((e) => e.step === "gates" && e.status === "info" && !/^healthy \d+\/\d+$/.test(e.message ?? ""));
    expect(failed.map((e) => e.message)).toEqual([]);
  });
});
