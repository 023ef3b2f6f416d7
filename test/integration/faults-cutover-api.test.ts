// Faults of the two switch APIs during the cutover itself: transient ones are retried and the
// release goes through; permanent ones leave the listener and the webhook on the same colour.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Colour, expectExit, expectLive, listenerForward, stopWorld, tolerantHealthChecks, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  // The cutover's API faults are under test, not the bake: one piece of bake evidence in a 1 s window is enough.
  t = await startTestWorld({ firstHost: 40, gates: { bake: "1s", bakeEvidence: 1 } });
  await tolerantHealthChecks(t);
  const r = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expectExit(r, 0);
  await expectLive(t, "blue");
});
afterEach(() => {
  t.world.aws.control.clearFaults();
  t.world.telegram.control.clearFaults();
});
afterAll(async () => {
  await stopWorld(t);
});

const release = (image: string) => withStream(t, () => t.cli(["release", "itest", "--image", image, "--json"]));
const modifyListenerCalls = () => t.world.aws.control.calls().filter((c) => c.action === "ModifyListener").length;
/** Tests follow each other: the colour live now is whichever the previous test left. */
function colours(): { live: Colour; next: Colour } {
  const live = listenerForward(t);
  if (live === null) throw new Error("no colour is live: an earlier test left the world broken");
  return { live, next: live === "blue" ? "green" : "blue" };
}

// Each test runs whole releases: on a loaded 2-core box one can take ~40 s, past the 60 s default with its stream drain.
describe("switch API faults during the cutover", { timeout: 150_000 }, () => {
  it("ModifyListener throttled twice: retried, exit 0, the new colour live", async () => {
    const { live, next } = colours();
    const before = modifyListenerCalls();
    t.world.aws.control.addFault({ action: "ModifyListener", kind: "throttle", times: 2 });
    const r = await release("v2");
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: next, from: live });
    expect(modifyListenerCalls() - before).toBe(3);
    await expectLive(t, next);
  });

  it("setWebhook 429 retry_after 1 once: waited out, exit 0", async () => {
    const { live, next } = colours();
    const since = Date.now();
    t.world.telegram.control.addFault({
      method: "setwebhook",
      kind: "status",
      status: 429,
      description: "Too Many Requests: retry after 1",
      retryAfter: 1,
      times: 1,
    });
    const r = await release("v3");
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: next, from: live });
    const calls = t.world.telegram.control.getCalls().filter((c) => c.method === "setWebhook" && c.at >= since);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await expectLive(t, next);
  });

  it("setWebhook 400 after the listener moved: listener moved back, webhook re-set, exit 2", async () => {
    const { live, next } = colours();
    const since = Date.now();
    t.world.telegram.control.addFault({
      method: "setwebhook",
      kind: "status",
      status: 400,
      description: "Bad Request: bad webhook: Failed to resolve host",
      times: 1,
    });
    const r = await release("v2");
    expectExit(r, 2);
    expect(r.result).toMatchObject({ outcome: "rolled-back", colour: next, from: live });
    expect(String(r.result?.reason)).toContain("setWebhook failed during the cutover");
    expect(r.stdout).toContain(`"message":"listener -> ${next}"`);
    // Telegram's refusal closed the old webhook too (the emulator does as Telegram does): bluegreen
    // set the live colour's URL again right after it, and nothing was lost (withStream).
    const sets = t.world.telegram.control.getCalls().filter((c) => c.method === "setWebhook" && c.at >= since);
    expect(sets.map((c) => c.status)).toEqual([400, 200]);
    await expectLive(t, live);
  });

  it("ModifyListener failing permanently at the cutover: nothing moved, exit 1, both switches unchanged", async () => {
    const { live, next } = colours();
    t.world.aws.control.addFault({
      action: "ModifyListener",
      kind: "error",
      code: "InvalidConfigurationRequest",
      message: "The listener configuration is not valid",
      httpStatus: 400,
    });
    const r = await release("v2");
    expectExit(r, 1);
    expect(r.result).toMatchObject({ outcome: "failed", colour: next, from: live });
    expect(String(r.result?.reason)).toContain("The listener configuration is not valid");
    await expectLive(t, live);
  });
});
