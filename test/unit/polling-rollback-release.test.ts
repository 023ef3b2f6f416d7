// A polling release's automatic rollback killed during its held poller gates (after its handBack:
// the previous poller polls alone again, unchecked). Polling has no switch to read, so the record
// looked like "it had moved no traffic" and `release` abandoned it saying so. Now `release`
// refuses, touching nothing, and names `bluegreen rollback ENV`, which gates that poller;
// --allow-unhealthy-live abandons it with a note that says what happened.
import { describe, expect, it } from "vitest";
import { renderStatus } from "../../src/cli/commands/status.js";
import { decodeTags } from "../../src/domain/tags.js";
import { PreflightError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";
import { greenCrashesWhenBlueStops, killInRollbackAt } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";
const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

/** r1 polls on blue; r2 on green crashes in its bake; its rollback dies as its held gates start. */
async function killedInHeldGates() {
  const env = fakePollingEnvironment();
  await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
  greenCrashesWhenBlueStops(env);
  const report = killInRollbackAt(
    env,
    (e) => e.step === "gates" && e.status === "start",
    () => new Error("killed"),
  );
  await expect(release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" })).rejects.toThrow("killed");
  env.ctx.reporter = { step: report };
  // The next release's green is a good one.
  for (const h of env.hosts) h.onStop = undefined;
  const tags = async () => decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags);
  expect((await tags()).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", colour: "blue", phase: "cutover" });
  expect(env.hosts.map((h) => [h.containers.get(BLUE)?.running, h.containers.get(GREEN)?.running])).toEqual([
    [true, false],
    [true, false],
  ]);
  return { env, tags };
}

describe("release after a polling rollback killed in its held poller gates", () => {
  it("refuses, touching nothing, and names `rollback`, which gates the poller; then the release runs", async () => {
    const { env, tags } = await killedInHeldGates();
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect((e as PreflightError).message).toBe(
      "found an interrupted rollback r1 (cutover) to blue: its blue poller polls again (the handover back ran) but was not gated yet; nothing was changed",
    );
    expect((e as PreflightError).remedy).toBe(
      "`bluegreen rollback production` finishes it (gates the poller), then release again; or pass --allow-unhealthy-live to abandon it and release anyway",
    );
    expect((await tags()).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", colour: "blue", phase: "cutover" });
    expect(env.hosts.map((h) => h.containers.get(GREEN)?.running)).toEqual([false, false]);
    env.events.length = 0;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r.message).toBe("found an interrupted rollback r1 (cutover) to blue: finished it (restarted and gated)");
    expect(env.events.filter((x) => x.status === "start").map((x) => x.step)).toEqual(["gates", "finalize"]);
    expect((await tags()).inFlight).toBeNull();
    const r3 = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r3.outcome).toBe("released");
  });

  it("status says what each command does with it: `rollback` finishes it, `release` refuses, --allow-unhealthy-live abandons it", async () => {
    const { env } = await killedInHeldGates();
    const text = renderStatus(await status(env.ctx)).join("\n");
    expect(text).toContain(
      "next: `bluegreen rollback production` finishes the interrupted rollback (it gates the blue poller, which polls again); a `bluegreen release` refuses until then (`--allow-unhealthy-live` abandons it)",
    );
    expect(text).not.toContain("a `bluegreen release` abandons it");
  });

  it("--allow-unhealthy-live abandons it with a note that says the handover back ran", async () => {
    const { env, tags } = await killedInHeldGates();
    const r3 = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r3.recovered).toBe(
      "found an interrupted rollback r1 (cutover) to blue: its blue poller polls again (the handover back ran) but was not gated; abandoned it (--allow-unhealthy-live)",
    );
    expect(r3.outcome).toBe("released");
    expect((await tags()).inFlight).toBeNull();
  });
});
