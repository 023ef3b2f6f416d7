// review-s9 F4: "warm" is said only when observed. The release's last line said "<from> stays warm
// for an instant rollback" whenever it came from a colour, and status printed "(warm until ...)"
// from the record's window alone, while the previous colour's containers were exited (a release
// over a dead live colour) or held the failed release (after an automatic rollback): the next
// rollback was cold. Now both read it from the hosts (status also from the ALB): warm when every
// host runs the previous release there, otherwise cold, why, and what a rollback then does.
import { describe, expect, it } from "vitest";
import { report } from "../../src/cli/commands/release.js";
import { renderStatus } from "../../src/cli/commands/status.js";
import type { ReleaseResult } from "../../src/orchestrator/release.js";
import { release } from "../../src/orchestrator/release.js";
import { status } from "../../src/orchestrator/status.js";
import { capturedOutput } from "../fakes/captured-output.js";
import { fakeEnvironment, REPO } from "../fakes/release-world.js";
import { onEachStep, releasedTwice } from "../fakes/rollback-setup.js";

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };

function printed(r: ReleaseResult): string {
  const c = capturedOutput(false);
  report(c.out, "release", "production", r);
  return c.stdout() + c.stderr();
}

describe("the previous colour is warm only as observed", () => {
  it("a plain release: blue runs r1 on both hosts, so it stays warm (release line and status agree)", async () => {
    const { env } = await releasedTwice();
    const s = await status(env.ctx);
    expect(s.previousWarmth).toEqual({ warm: true, why: [], unchecked: [] });
    expect(renderStatus(s).join("\n")).toContain(`  previous: r1 on blue (warm until ${s.previousWarmUntil}: a rollback is instant)`);
    const r3 = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r3.previousColour).toEqual({ colour: "green", warm: true, why: [] });
    expect(printed(r3)).toContain("on blue in production; green stays warm for an instant rollback");
  });

  it("released over a dead live colour (--allow-unhealthy-live): the release and status say green is cold, not warm", async () => {
    const { env } = await releasedTwice();
    for (const h of env.hosts) {
      const c = h.containers.get("telegram-bot-green");
      if (c !== undefined) c.running = false;
    }
    const r3 = await release(env.ctx, { ...OPTS, allowUnhealthyLive: true, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r3).toMatchObject({ outcome: "released", colour: "blue", from: "green" });
    const why = ["i-1: container telegram-bot-green exited with code 0", "i-2: container telegram-bot-green exited with code 0"];
    expect(r3.previousColour).toEqual({ colour: "green", warm: false, why });
    const line = printed(r3);
    expect(line).toContain(`on blue in production; green is cold (${why.join("; ")}): a rollback restarts it (or stages it again) and gates it first`);
    expect(line).not.toContain("warm");
    const s = await status(env.ctx);
    expect(s.previousWarmth?.warm).toBe(false);
    const text = renderStatus(s).join("\n");
    expect(text).toContain(`  previous: r2 on green (cold: ${why.join("; ")}`);
    expect(text).not.toContain("warm until");
  });

  it("after an automatic rollback the previous colour holds the failed release: status says cold, naming it", async () => {
    const { env } = await releasedTwice();
    // r3 goes to blue; its containers die in the bake, which rolls back to green (r2).
    onEachStep(env, (e) => {
      if (e.step === "bake" && e.status === "start")
        for (const h of env.hosts) {
          const c = h.containers.get("telegram-bot-blue");
          if (c !== undefined) c.running = false;
        }
    });
    const r3 = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r3).toMatchObject({ outcome: "rolled-back", from: "green" });
    expect(r3.previousColour).toBeUndefined();
    const s = await status(env.ctx);
    expect(s.previousRelease).toMatchObject({ releaseId: "r1", colour: "blue" });
    const text = renderStatus(s).join("\n");
    expect(text).toContain(
      "  previous: r1 on blue (cold: i-1: telegram-bot-blue holds r3 (exited), not r1; i-2: telegram-bot-blue holds r3 (exited), not r1; a rollback restarts it (or stages it again) and gates it first)",
    );
  });

  it("the ALB's word counts too: previous containers running but their targets unhealthy is cold", async () => {
    const env = fakeEnvironment();
    for (const v of ["v1", "v2"]) await release(env.ctx, { ...OPTS, imageRef: `${REPO}:${v}`, releaseId: `r${v.slice(1)}` });
    const blue = env.hosts[0]?.containers.get("telegram-bot-blue");
    if (blue === undefined) throw new Error("blue expected on i-1");
    blue.healthStatus = 500;
    const s = await status(env.ctx);
    expect(s.previousWarmth).toMatchObject({ warm: false, why: ["i-1: unhealthy in bot-blue"] });
  });
});
