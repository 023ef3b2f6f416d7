// Both switches on the previous release's colour, the record (live tag) on the other: `rollback`
// refuses there (nothing older to return to), and `status` reports the state with the refusal's own
// way out instead of suggesting that `rollback`. On the fakes: blue r1 then green r2 released, then
// both switches moved back to blue by hand.
import { describe, expect, it } from "vitest";
import { renderStatus } from "../../src/cli/commands/status.js";
import { PreflightError } from "../../src/errors.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import { fakeEnvironment } from "../fakes/release-world.js";
import { releaseR1R2 } from "../fakes/rollback-setup.js";

const STATE =
  "the listener and the webhook both serve blue (r1 by the record), but the recorded live release is r2 on green: a rollback that moved the switches and did not finish, or switches moved by hand";

async function switchesOnBlueRecordOnGreen() {
  const env = fakeEnvironment();
  for (const r of await releaseR1R2(env)) expect(r.outcome).toBe("released");
  env.lb.forward = [
    { targetGroupArn: env.groups.blue.arn, weight: 1 },
    { targetGroupArn: env.groups.green.arn, weight: 0 },
  ];
  await env.telegram.setWebhook({ url: env.settings.webhook.urls.blue });
  return env;
}

describe("switches on the previous colour, the record on the other", () => {
  it("rollback refuses, naming the state, and touches nothing", async () => {
    const env = await switchesOnBlueRecordOnGreen();
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect((e as PreflightError).message).toBe(`${STATE}; nothing was changed`);
    expect((e as PreflightError).remedy).toBe(
      "see `bluegreen status production` and `bluegreen history production`, then release a known-good image: `bluegreen release production --image <tag>`",
    );
    expect(env.lb.forward.find((f) => f.weight > 0)?.targetGroupArn).toBe(env.groups.blue.arn);
  });

  it("status reports it (exit 3) and its next step is the refusal's way out, not `bluegreen rollback`", async () => {
    const env = await switchesOnBlueRecordOnGreen();
    const s = await status(env.ctx);
    expect(s).toMatchObject({ consistent: false, problems: [STATE], liveByListener: "blue", liveRelease: { releaseId: "r2", colour: "green" } });
    const refusal = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    const text = renderStatus(s).join("\n");
    expect(text).toContain(`  next: ${(refusal as PreflightError).remedy}`);
    expect(text).not.toContain("bluegreen rollback");
  });
});
