// The seed's production before bluegreen (sandbox up --legacy): bot-legacy on port 5000, served by an
// unlabelled telegram-bot per host that set the webhook itself. The first release adopts it (0 lost),
// a rollback returns to it (0 lost), a second release adopts it again. Local transport.
import { afterAll, beforeAll, describe, it } from "vitest";
import { adoptRollbackRelease, checkStatusBefore, startLegacyWorld } from "../helpers/adoption-scenario.js";
import { stopWorld } from "../helpers/assertions.js";
import type { TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startLegacyWorld("legacy-group", { firstHost: 200 });
}, 60_000);
afterAll(async () => {
  await stopWorld(t);
});

describe("adoption of a production on a legacy target group (local transport)", { timeout: 300_000 }, () => {
  it("status shows the unmanaged release as live, with its target group and containers", async () => {
    await checkStatusBefore(t);
  });

  it("adopts it on blue, rolls back to it, releases again: 0 updates lost", async () => {
    await adoptRollbackRelease(t, "blue");
  });
});
