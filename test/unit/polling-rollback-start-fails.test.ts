// A polling rollback whose poller exits right after its `docker start` (a crash on start): decide
// started it again on every step until "the rollback did not converge in 30 steps ... report this
// as a bug" (an automatic rollback: "its bookkeeping failed"). Now one start, then exit 3 naming
// the host and the container, as webhook mode since dbf74f0; the way out it names works.
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { RollbackFailedError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { exitsRightAfterStart, greenCrashesWhenBlueStops, releaseR1R2 } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };
const REMEDY =
  "inspect it with `docker logs telegram-bot-blue` on the hosts and `bluegreen status production`; release a known-good image with `bluegreen release production --image <tag> --allow-unhealthy-live`";

type Env = ReturnType<typeof fakePollingEnvironment>;
const blueStarts = (env: Env) => env.hosts.map((h) => h.log.filter((a) => a[0] === "docker" && a[1] === "start" && a.includes(BLUE)).length);

describe("a polling rollback whose poller exits right after its docker start", () => {
  it("`rollback`: one start per host, then exit 3 naming it; a release past it goes live", async () => {
    const env = fakePollingEnvironment();
    await releaseR1R2(env);
    for (const h of env.hosts) exitsRightAfterStart(h, "blue");
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(e)).toBe(3);
    expect(e).toMatchObject({
      message:
        "cannot continue the rollback of r1: i-1: telegram-bot-blue is not running right after its docker start (container telegram-bot-blue exited with code 0); i-2: telegram-bot-blue is not running right after its docker start (container telegram-bot-blue exited with code 0)",
      remedy: REMEDY,
    });
    expect(blueStarts(env)).toEqual([1, 1]);
    const r = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r).toMatchObject({ outcome: "released", colour: "blue", from: "green" });
  });

  it("a failed bake's automatic rollback: exit 3 naming it, not a bookkeeping failure nor a 30-step loop; the named release goes live", async () => {
    const env = fakePollingEnvironment();
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    greenCrashesWhenBlueStops(env);
    for (const h of env.hosts) exitsRightAfterStart(h, "blue");
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(e)).toBe(3);
    expect((e as Error).message).toMatch(
      /^bake failed: .*; cannot continue the rollback of r1: i-1: telegram-bot-blue is not running right after its docker start \(container telegram-bot-blue exited with code 0\); i-2: telegram-bot-blue is not running right after its docker start \(container telegram-bot-blue exited with code 0\)$/,
    );
    expect((e as RollbackFailedError).remedy).toBe(REMEDY);
    // One docker start per host: the fast path's handover back. The rollback's converge does not
    // hand back again nor start a poller that did not survive that start (it was 3 per host).
    expect(env.events.filter((x) => x.step === "start" && x.status === "start")).toHaveLength(0);
    expect(blueStarts(env)).toEqual([1, 1]);
    for (const h of env.hosts) h.onStop = undefined;
    const r = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r.outcome).toBe("released");
  });
});
