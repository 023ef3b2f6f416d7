// The worst day: the release fails its bake and the rollback itself cannot move the listener back
// (ModifyListener refused). The run must say so with exit 3, the exact state and the remedy, and a
// later `rollback`, once AWS answers again, must bring the previous release back on both switches.
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectExit, expectLive, stopWorld, tolerantHealthChecks, waitForCutover } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ hosts: 1, firstHost: 150, gates: { bake: "6s" } });
  await tolerantHealthChecks(t);
  expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
}, 120_000);
afterAll(async () => {
  await stopWorld(t);
});

it("a rollback that cannot move the listener exits 3 with the state and the remedy; `rollback` later repairs it", async () => {
  const stream = await t.stream(20, 120_000);
  try {
    const run = t.cli(["release", "itest", "--image", "webhook-500", "--json"]);
    await waitForCutover(t, "green");
    // From now on the listener cannot be moved: the automatic rollback's first call fails.
    t.world.aws.control.addFault({ action: "ModifyListener", kind: "error", code: "InvalidConfigurationRequest", message: "listener is locked by the test" });
    const r = await run;
    expectExit(r, 3);
    const text = String(r.result?.error ?? "");
    expect(text).toContain("rolling back to blue failed");
    expect(text).toContain("the listener could not be moved back to blue");
    expect(String(r.result?.remedy ?? "")).toContain("bluegreen rollback itest");
    // The webhook did go back: Telegram deliveries reach the healthy colour while a human looks.
    const st = await t.cli(["status", "itest", "--json"]);
    expect(st.code).toBe(3);

    t.world.aws.control.clearFaults();
    const fixed = await t.cli(["rollback", "itest", "--json"]);
    expectExit(fixed, 0);
    await expectLive(t, "blue");
    expect((await t.cli(["status", "itest"])).code).toBe(0);
  } finally {
    t.world.aws.control.clearFaults();
    await t.stopStream(stream);
  }
}, 180_000);
