// Production before bluegreen on a colour's own group: the listener forwards to bot-blue with a plain
// TargetGroupArn and an unlabelled echo-bot-blue serves it on 5001. The first release must stage on
// green (never over the serving blue), then roll back to the unmanaged blue and release again: 0 lost.
import { afterAll, beforeAll, describe, it } from "vitest";
import { adoptRollbackRelease, checkStatusBefore, startLegacyWorld } from "../helpers/adoption-scenario.js";
import { stopWorld } from "../helpers/assertions.js";
import type { TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startLegacyWorld("blue-group", { firstHost: 210 });
}, 60_000);
afterAll(async () => {
  await stopWorld(t);
});

describe("adoption of an unlabelled echo-bot-blue on bot-blue (local transport)", { timeout: 300_000 }, () => {
  it("status shows the unmanaged release on bot-blue", async () => {
    await checkStatusBefore(t);
  });

  it("stages on green, rolls back to the unmanaged blue, releases again: 0 updates lost", async () => {
    await adoptRollbackRelease(t, "green");
  });
});
