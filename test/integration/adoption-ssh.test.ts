// The adoption story over real sshd (one per host, host keys pinned), as on EC2: the legacy
// telegram-bot on bot-legacy is adopted, rolled back to and adopted again, 0 updates lost.
import { afterAll, beforeAll, describe, it } from "vitest";
import { adoptRollbackRelease, startLegacyWorld } from "../helpers/adoption-scenario.js";
import { stopWorld } from "../helpers/assertions.js";
import type { TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startLegacyWorld("legacy-group", { firstHost: 220, transport: "ssh" });
}, 90_000);
afterAll(async () => {
  await stopWorld(t);
});

describe("adoption over sshd", { timeout: 300_000 }, () => {
  it("adopts the legacy production, rolls back to it, releases again: 0 updates lost", async () => {
    await adoptRollbackRelease(t, "blue");
  });
});
