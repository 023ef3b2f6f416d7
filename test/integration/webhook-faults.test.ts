// Telegram's refusals and silences around the webhook (#13): a restore that meets the real
// one-setWebhook-per-second 429, a colour stopped with container.stopSignal so its shutdown hook
// never runs, gates.timeout as a hard deadline while Telegram is black-holed, and a bake that no
// update reached. One host, one world; each release ends with the webhook on the live colour and,
// under a stream, nothing lost.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, listenerForward, stopWorld, tolerantHealthChecks, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
const variants: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 236, hosts: 1 });
  await tolerantHealthChecks(t);
  // Variants of itest.yaml written over it for one release (the listener carries itest's name).
  const yaml = await readFile(t.envFile, "utf8");
  variants.itest = yaml;
  variants.sigkill = yaml.replace("\n  stopTimeout: 2s\n", "\n  stopTimeout: 2s\n  stopSignal: SIGKILL\n");
  variants.deadline = yaml.replace("\n  timeout: 20s\n", "\n  timeout: 3s\n");
  const r = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expectExit(r, 0);
  await expectLive(t, "blue");
});
afterEach(() => {
  t.world.telegram.control.clearFaults();
});
afterAll(async () => {
  await stopWorld(t);
});

const cli = async (args: string[], variant: string) => {
  await writeFile(t.envFile, variants[variant] ?? "");
  try {
    return await t.cli(args);
  } finally {
    await writeFile(t.envFile, variants.itest ?? "");
  }
};
const release = (image: string, variant = "itest") => withStream(t, () => cli(["release", "itest", "--image", image, "--json"], variant));

function live(): "blue" | "green" {
  const c = listenerForward(t);
  if (c === null) throw new Error("the listener does not send all traffic to one colour");
  return c;
}

async function expectStatusOk(): Promise<void> {
  const s = await t.cli(["status", "itest", "--json"]);
  expect(s.code, s.stdout).toBe(0);
}

const callsSince = (since: number) => t.world.telegram.control.getCalls().filter((c) => c.at >= since);

describe("Telegram's refusals and silences", { timeout: 180_000 }, () => {
  it("a restore that meets Telegram's 429 waits it out: rolled back (exit 2), the webhook on the live colour", async () => {
    const from = live();
    const since = Date.now();
    // The first setWebhook after the stopped bot's deleteWebhook (bluegreen's restore) meets a 429.
    t.world.telegram.control.addFault({ method: "setwebhook", kind: "status", status: 429, retryAfter: 1, times: 1, armedBy: "deletewebhook" });
    const r = await release("webhook-500-deletes-on-stop");
    expectExit(r, 2);
    const calls = callsSince(since);
    const deleted = calls.findIndex((c) => c.method === "deleteWebhook");
    expect(deleted).toBeGreaterThanOrEqual(0);
    const restores = calls.slice(deleted).filter((c) => c.method === "setWebhook");
    expect(restores[0]?.status).toBe(429);
    expect(restores.at(-1)?.status).toBe(200);
    expect(r.result?.webhookRestored).toEqual(expect.arrayContaining([expect.stringMatching(/deleted \(no webhook\); bluegreen restored it to/)]));
    await expectLive(t, from);
    await expectStatusOk();
  });

  it("container.stopSignal SIGKILL: the stopped colour's deleteWebhook hook never runs, nothing to restore (exit 2)", async () => {
    const from = live();
    const since = Date.now();
    const r = await release("webhook-500-deletes-on-stop", "sigkill");
    expectExit(r, 2);
    expect(callsSince(since).filter((c) => c.method === "deleteWebhook")).toEqual([]);
    expect(r.result?.webhookRestored).toBeUndefined();
    await expectLive(t, from);
    await expectStatusOk();
  });

  it("gates.timeout is a hard deadline: Telegram black-holed at the gates ends them at 3 s, naming what was unverified (exit 1)", async () => {
    const from = live();
    // From preflight's getMe on, getWebhookInfo gets no answer for 30 s: the adapter alone would
    // wait 4 x 10 s per check, a gate check with its retries 80 s.
    t.world.telegram.control.addFault({ method: "getwebhookinfo", kind: "latency", latencyMs: 30_000, armedBy: "getme" });
    const r = await cli(["release", "itest", "--image", "v2", "--json"], "deadline");
    t.world.telegram.control.clearFaults();
    expectExit(r, 1);
    expect(String(r.result?.reason)).toContain("did not pass its gates within 3s (gates.timeout, a hard deadline)");
    expect(String(r.result?.reason)).toContain("still unverified: Telegram (getWebhookInfo");
    // From the gates' start to the next step of the run: the 3 s deadline plus the failure's logs,
    // with a generous margin for a loaded machine (an unbounded check alone would take 40 s).
    const at = (e: Record<string, unknown>) => Date.parse(String(e.at));
    const gates = r.events.findIndex((e) => e.step === "gates" && e.status === "start");
    expect(gates).toBeGreaterThanOrEqual(0);
    const next = r.events.slice(gates).find((e) => (e.type === "step" || e.type === "note") && e.step !== "gates");
    expect(next).toBeDefined();
    expect(at(next ?? {}) - at(r.events[gates] ?? {})).toBeLessThan(15_000);
    await expectLive(t, from);
    await expectStatusOk();
  });

  it('a bake that no update reached says so: "no update arrived: unverified" in the result and the history (exit 0)', async () => {
    // Under a stream, the deliveries that reached the new colour (the ALB's RequestCount) verify the bake.
    const good = await release("v3");
    expectExit(good, 0);
    expect(good.result?.bakeUpdates).toMatchObject({ verified: true, message: expect.stringMatching(/: verified$/) });
    // A bot that answers every update 500 bakes clean when no update arrives: the bake must not call that verified.
    const r = await cli(["release", "itest", "--image", "webhook-500", "--json"], "itest");
    expectExit(r, 0);
    expect(r.result?.bakeUpdates).toMatchObject({ arrived: 0, verified: false, message: expect.stringMatching(/^no update arrived: unverified/) });
    const h = await t.cli(["history", "itest", "--json"]);
    const last = (h.result?.records as { outcome: string; bakeUpdates?: string }[])[0];
    expect(last?.outcome).toBe("released");
    expect(last?.bakeUpdates).toMatch(/^no update arrived: unverified/);
  });
});
