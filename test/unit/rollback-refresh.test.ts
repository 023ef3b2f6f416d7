// A warm rollback after its switches moved (#17): it re-reads only what the bots move on their own
// (their containers) and takes the rest from its own writes and its first observe; the webhook is
// still read back last, after every other call that could move it. The same for the automatic
// rollback after a failed bake (recover.ts rollBackTo).
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/domain/tags.js";
import { RollbackFailedError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { refreshAfterMoveBack } from "../../src/orchestrator/rollback-refresh.js";
import type { ListenerKnown } from "../../src/ports.js";
import { fakeEnvironment, REPO } from "../fakes/release-world.js";
import { releaseR1R2 } from "../fakes/rollback-setup.js";

describe("refreshAfterMoveBack: what moving the switches back may have moved", () => {
  const base = { rules: false, webhook: false, hosts: true, health: [] };
  it.each([
    [
      { listener: true, webhook: true },
      { ...base, listener: true, tags: true },
    ],
    [
      { listener: true, webhook: false },
      { ...base, listener: true, tags: true },
    ],
    [
      { listener: false, webhook: true },
      { ...base, listener: false, tags: false },
    ],
    [
      { listener: false, webhook: false },
      { ...base, listener: false, tags: false },
    ],
  ])("moved %o", (moved, expected) => {
    expect(refreshAfterMoveBack(moved)).toEqual(expected);
  });
});

/** blue r1 then green r2 released on the fakes; every port call of what runs next, in order. */
async function releasedTwice() {
  const env = fakeEnvironment();
  env.settings.rollout.keepPreviousWarmMs = 600_000;
  for (const r of await releaseR1R2(env)) expect(r.outcome).toBe("released");
  const log: string[] = [];
  const known: (ListenerKnown | undefined)[] = [];
  const { lb, telegram } = env.ctx;
  const describeListener = lb.describeListener.bind(lb);
  lb.describeListener = (arn, k) => {
    log.push("describeListener");
    known.push(k);
    return describeListener(arn, k);
  };
  const targetHealth = lb.targetHealth.bind(lb);
  lb.targetHealth = (arn) => {
    log.push(`targetHealth ${arn}`);
    return targetHealth(arn);
  };
  const setForward = lb.setForward.bind(lb);
  lb.setForward = (arn, f) => {
    log.push("setForward");
    return setForward(arn, f);
  };
  const getWebhookInfo = telegram.getWebhookInfo.bind(telegram);
  telegram.getWebhookInfo = (o) => {
    log.push("getWebhookInfo");
    return getWebhookInfo(o);
  };
  const setWebhook = telegram.setWebhook.bind(telegram);
  telegram.setWebhook = (p) => {
    log.push("setWebhook");
    return setWebhook(p);
  };
  for (const h of env.ctx.hosts) {
    const exec = h.remote.exec.bind(h.remote);
    h.remote.exec = (argv, o) => {
      log.push(`${h.instanceId} ${argv[0] === "docker" ? `docker ${argv[1]}` : "sh"}`);
      return exec(argv, o);
    };
  }
  return { env, log, known };
}

/** releasedTwice, and i-2's blue container stops right after the rollback's ModifyListener. */
async function blueStopsAsTheListenerMoves() {
  const { env } = await releasedTwice();
  const host = env.hosts[1];
  if (host === undefined) throw new Error("two hosts");
  const setForward = env.lb.setForward.bind(env.lb);
  env.lb.setForward = async (arn, f) => {
    const answer = await setForward(arn, f);
    const c = host.containers.get("telegram-bot-blue");
    if (c !== undefined) c.running = false;
    return answer;
  };
  return { env, host };
}

describe("the warm rollback after the switches move", () => {
  it("reads the listener back and the containers again; not the target health, the rules or the webhook until the last read-back", async () => {
    const { env, log, known } = await releasedTwice();
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "warm", colour: "blue", releaseId: "r1", steps: ["finalize"] });
    const moved = log.indexOf("setWebhook");
    expect(log.indexOf("setForward")).toBeLessThan(moved);
    const after = log.slice(moved + 1);
    // The containers once per host (the bots' to move), the listener read back once; the finalize
    // step's tags come from the adapter's copy (a describeListener told everything but the tags).
    expect(after.filter((c) => c.endsWith("docker inspect")).sort()).toEqual(["i-1 docker inspect", "i-2 docker inspect"]);
    expect(after.filter((c) => c.startsWith("targetHealth"))).toEqual([]);
    expect(after.filter((c) => c === "getWebhookInfo")).toEqual(["getWebhookInfo"]);
    // The read-back asks for the default action (the fakes have no path rules; the sandbox's
    // DescribeRules count is in test/integration/call-counts.test.ts).
    expect(known.at(-2)?.forward).toBeUndefined();
    expect(known.at(-1)?.forward).toBeDefined();
    // The webhook is read back last: nothing after it but the audit record and the lock's release.
    expect(log.slice(log.lastIndexOf("getWebhookInfo") + 1)).toEqual(["i-1 sh", "i-1 sh"]);
    // Before the move: one whole observe (both groups, each host once) and the warm check's /health
    // (an HTTP request, not an exec): no second inspect per host.
    const before = log.slice(0, log.indexOf("setForward"));
    expect(before.filter((c) => c.startsWith("targetHealth"))).toEqual(["targetHealth arn:tg/bot-blue", "targetHealth arn:tg/bot-green"]);
    expect(before.filter((c) => c.endsWith("docker inspect")).sort()).toEqual(["i-1 docker inspect", "i-2 docker inspect"]);
    expect(env.lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-blue", weight: 1 },
      { targetGroupArn: "arn:tg/bot-green", weight: 0 },
    ]);
  });

  it("a blue container that dies as the switches move is seen by the read after the move: restarted and gated, never recorded live as it is", async () => {
    const { env, host } = await blueStopsAsTheListenerMoves();
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    // Restarted where traffic already is (recorded on the listener first), then gated before anything records it live.
    expect(r.steps).toEqual(["mark-restarting", "start", "gates", "finalize"]);
    expect(r.message).toContain("warm, then restarted and gated");
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
    expect(env.lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-blue", weight: 1 },
      { targetGroupArn: "arn:tg/bot-green", weight: 0 },
    ]);
    expect(env.telegram.info.url).toBe(env.ctx.settings.webhook.urls.blue);
  });

  it("restarted where traffic is and crashing again: a failed rollback that says so; traffic stays on blue, nothing recorded live", async () => {
    const { env, host } = await blueStopsAsTheListenerMoves();
    // Its restart crashes at once: docker restarts it (restart policy), the gates see the restart.
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      const r = await exec(argv, o);
      const c = host.containers.get("telegram-bot-blue");
      if (c !== undefined && host.log.some((cmd) => cmd[0] === "docker" && cmd[1] === "start") && c.restartCount === 0) {
        c.restartCount = 1;
        c.exits = [{ exitCode: 1, oom: false }];
      }
      return r;
    };
    const liveBefore = env.lb.tags[TAG.liveRelease];
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect((e as RollbackFailedError).message).toMatch(
      /^r1 serves on blue again, but its containers stopped as the switches moved; restarted, they did not pass the gates: i-2: /,
    );
    expect((e as RollbackFailedError).remedy).toContain("docker logs telegram-bot-blue");
    // Nothing moved back to the release being rolled back from, and the run did not record blue live.
    expect(env.lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-blue", weight: 1 },
      { targetGroupArn: "arn:tg/bot-green", weight: 0 },
    ]);
    expect(env.telegram.info.url).toBe(env.ctx.settings.webhook.urls.blue);
    expect(env.lb.tags[TAG.liveRelease]).toBe(liveBefore);
    // The restart's mark stays: the next rollback gates the restarted containers again (still
    // crashed: the same failure), and moves nothing back to the release it left.
    expect(env.lb.tags[TAG.flightPhase]).toBe("restarting");
    const again = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" }).catch((x: unknown) => x);
    expect(again).toBeInstanceOf(RollbackFailedError);
    expect((again as RollbackFailedError).message).toMatch(
      /^r1 serves on blue again, but its containers stopped as the switches moved; restarted, they did not pass the gates: i-2: /,
    );
    expect(env.lb.tags[TAG.liveRelease]).toBe(liveBefore);
    expect(env.lb.forward).toEqual([
      { targetGroupArn: "arn:tg/bot-blue", weight: 1 },
      { targetGroupArn: "arn:tg/bot-green", weight: 0 },
    ]);
  });
});

describe("a cold rollback whose restarted container stops again during its cutover", () => {
  it("restarts it again and gates it again: passing the gates before traffic does not cover a later start", async () => {
    const { env } = await releasedTwice();
    // Cold: blue (r1) was stopped on both hosts after r2 went live.
    for (const h of env.hosts) {
      const c = h.containers.get("telegram-bot-blue");
      if (c !== undefined) c.running = false;
    }
    const host = env.hosts[1];
    if (host === undefined) throw new Error("two hosts");
    const setForward = env.lb.setForward.bind(env.lb);
    let stopped = false;
    env.lb.setForward = async (arn, f) => {
      const answer = await setForward(arn, f);
      const c = host.containers.get("telegram-bot-blue");
      if (!stopped && c !== undefined && f[0]?.weight === 1) {
        stopped = true;
        c.running = false;
      }
      return answer;
    };
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r.mode).toBe("cold");
    const afterCutover = r.steps.slice(r.steps.indexOf("cutover") + 1);
    expect(afterCutover).toEqual(["mark-restarting", "start", "gates", "finalize"]);
    expect(host.containers.get("telegram-bot-blue")?.running).toBe(true);
  });
});

/** releasedTwice, and i-2's blue container stops right after a setWebhook to blue (the next release's cutover). */
async function r3DiesAfterItsCutover() {
  const { env, log } = await releasedTwice();
  const host = env.hosts[1];
  if (host === undefined) throw new Error("two hosts");
  const setWebhook = env.ctx.telegram.setWebhook.bind(env.ctx.telegram);
  env.ctx.telegram.setWebhook = async (p) => {
    await setWebhook(p);
    const c = host.containers.get("telegram-bot-blue");
    if (p.url === env.settings.webhook.urls.blue && c !== undefined) c.running = false;
  };
  return { env, log, host };
}

describe("the automatic rollback after a failed bake", () => {
  it("one whole observe after the switches moved back, then only the containers until the webhook's read-back last", async () => {
    // r3 to blue; its container on i-2 dies right after the cutover's setWebhook: the bake fails.
    const { env, log } = await r3DiesAfterItsCutover();
    const r = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r).toMatchObject({ outcome: "rolled-back", colour: "blue", from: "green" });
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
    // After the switches moved back (the last setWebhook): the release's one whole observe, then
    // rollBackTo's bookkeeping reads the containers only; the webhook is read back last.
    const after = log.slice(log.lastIndexOf("setWebhook") + 1);
    expect(after.filter((c) => c.startsWith("targetHealth"))).toEqual(["targetHealth arn:tg/bot-blue", "targetHealth arn:tg/bot-green"]);
    expect(after.filter((c) => c === "getWebhookInfo")).toEqual(["getWebhookInfo", "getWebhookInfo"]);
    // Per host: the release's observe, the bookkeeping's read, and the stop's own check that the
    // container is ours (stopColourContainers).
    expect(after.filter((c) => c.endsWith("docker inspect")).sort()).toEqual([
      "i-1 docker inspect",
      "i-1 docker inspect",
      "i-1 docker inspect",
      "i-2 docker inspect",
      "i-2 docker inspect",
      "i-2 docker inspect",
    ]);
    // The webhook is read back after the failed colour stopped; after it only the report's logs,
    // the audit record and the lock's release.
    const last = log.lastIndexOf("getWebhookInfo");
    expect(
      log
        .slice(0, last)
        .filter((c) => c.endsWith("docker stop"))
        .sort(),
    ).toEqual(["i-1 docker stop", "i-2 docker stop"]);
    expect(log.slice(last + 1).filter((c) => !c.endsWith(" sh") && !c.endsWith("docker logs"))).toEqual([]);
  });

  it("the colour it returns to stops as the switches move and crashes again: a failed rollback naming what serves, not 'bookkeeping'", async () => {
    // r3 to blue dies after its cutover (the bake fails); green, warm, is moved back to...
    const { env, host } = await r3DiesAfterItsCutover();
    // ...and green's container on i-2 stops as the listener moves back, then crashes on its restart.
    const setForward = env.lb.setForward.bind(env.lb);
    env.lb.setForward = async (arn, f) => {
      const answer = await setForward(arn, f);
      const green = host.containers.get("telegram-bot-green");
      if (green !== undefined && f.find((t) => t.targetGroupArn === "arn:tg/bot-green")?.weight === 1) green.running = false;
      return answer;
    };
    const exec = host.exec.bind(host);
    host.exec = async (argv, o) => {
      const r = await exec(argv, o);
      const green = host.containers.get("telegram-bot-green");
      if (green !== undefined && green.restartCount === 0 && host.log.some((c) => c[1] === "start" && c.at(-1) === "telegram-bot-green")) {
        green.restartCount = 1;
        green.exits = [{ exitCode: 1, oom: false }];
      }
      return r;
    };
    const e = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RollbackFailedError);
    const message = (e as RollbackFailedError).message;
    expect(message).toContain("r2 serves on green again, but its containers stopped as the switches moved; restarted, they did not pass the gates: i-2: ");
    expect(message).not.toContain("bookkeeping");
    expect((e as RollbackFailedError).remedy).toContain("docker logs telegram-bot-green");
    expect(env.lb.forward.find((f) => f.targetGroupArn === "arn:tg/bot-green")?.weight).toBe(1);
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
  });
});
