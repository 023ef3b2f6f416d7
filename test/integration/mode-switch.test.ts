// Mode switches on the sandbox, judged by the Telegram emulator's delivery/confirmation log while a
// steady stream of updates flows: polling -> webhook and webhook -> polling, each with its automatic
// rollback (a new version that fails once it takes traffic) and a manual `rollback`, 0 lost each
// time. One shared world, one host; the operator's edit of telegram.mode is a rewrite of the file.
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, listenerForward, stopWorld, tolerantHealthChecks, webhookInfo, webhookUrlOf, withStream } from "../helpers/assertions.js";
import { pollingYaml } from "../helpers/polling-env.js";
import { environmentYaml, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
let webhookYaml = "";
// Each CLI run may take a while on a loaded machine (2 cores shared): a longer leash for the process, not the assertions.
const SLOW = { timeoutMs: 140_000 };
const ENV = "iswitch";

async function useMode(mode: "webhook" | "polling"): Promise<void> {
  await writeFile(t.envFile, mode === "webhook" ? webhookYaml : pollingYaml(webhookYaml));
}

beforeAll(async () => {
  t = await startTestWorld({ firstHost: 240, hosts: 1, environment: ENV, gates: { bake: "3s" } });
  webhookYaml = environmentYaml(t.world, t.dir, { environment: ENV, gates: { bake: "3s" } });
  // The switches' preflight checks the live webhook colour's target health: probes tolerant of a loaded machine.
  await tolerantHealthChecks(t);
});
afterAll(async () => {
  await stopWorld(t);
});

type Containers = Record<string, { running: boolean; release: string | null; mode: string }>;
async function status(): Promise<{ report: Record<string, unknown>; containers: Containers }> {
  const r = await t.cli(["status", ENV, "--json"]);
  const report = r.events[0] as Record<string, unknown> & { colours: Record<string, { containers: Containers[string][] }> };
  const containers = Object.fromEntries(Object.entries(report.colours).flatMap(([c, k]) => (k.containers[0] === undefined ? [] : [[c, k.containers[0]]])));
  return { report, containers };
}

describe("mode switch as a release", { timeout: 600_000 }, () => {
  it("polling -> webhook: plan and status show the switch; a failing webhook version rolls back to the poller (exit 2, 0 lost)", async () => {
    await useMode("polling");
    expectExit(await t.cli(["release", ENV, "--image", "polling-v1", "--json"], SLOW), 0);
    await useMode("webhook");

    const plan = await t.cli(["plan", ENV, "--image", "v1", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.result).toMatchObject({ mode: "webhook", colour: "green", live: "blue", switch: { from: "polling", to: "webhook", colour: "blue" } });
    const steps = (plan.result?.steps as string[]).join("\n");
    expect(steps).toMatch(/cutover: ModifyListener -> bot-green, then setWebhook .*then `docker stop .*echo-bot-blue/);
    expect(steps).toMatch(/automatic rollback .*docker start echo-bot-blue.*deleteWebhook \(pending updates kept/);
    expect(steps).toMatch(/manual rollback/);
    const before = await status();
    expect(before.report).toMatchObject({ mode: "webhook", runningMode: "polling", pendingSwitch: { from: "polling", to: "webhook", colour: "blue" } });

    const r = await withStream(t, () => t.cli(["release", ENV, "--image", "crash-after-10", "--json"], SLOW));
    expectExit(r, 2);
    expect(r.result).toMatchObject({ outcome: "rolled-back", colour: "green", from: "blue" });
    expect((await webhookInfo(t)).url).toBe("");
    const after = await status();
    expect(after.containers.blue).toMatchObject({ running: true, mode: "polling" });
    expect(after.containers.green).toMatchObject({ running: false, mode: "webhook" });
    expect(listenerForward(t)).toBe("blue");
  });

  it("polling -> webhook v1: listener, setWebhook, old poller stopped, baked; then a manual rollback starts the poller again (0 lost)", async () => {
    const r = await withStream(t, () => t.cli(["release", ENV, "--image", "v1", "--json"], SLOW));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
    expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, "green"));
    expect(listenerForward(t)).toBe("green");
    const s = await status();
    expect(s.report).toMatchObject({ mode: "webhook", runningMode: "webhook", pendingSwitch: null, live: "green", consistent: true });
    expect(s.containers.blue).toMatchObject({ running: false, mode: "polling" });

    const back = await withStream(t, () => t.cli(["rollback", ENV, "--json"], SLOW));
    expectExit(back, 0);
    expect(back.result).toMatchObject({ outcome: "rolled-back", colour: "blue", mode: "cold" });
    expect((await webhookInfo(t)).url).toBe("");
    const s2 = await status();
    expect(s2.containers.blue).toMatchObject({ running: true, mode: "polling" });
    expect(s2.containers.green).toMatchObject({ running: false });
  });

  it("webhook -> polling: a poller that dies once it takes updates rolls back to the webhook (setWebhook back, exit 2, 0 lost)", async () => {
    // Back on webhook first (the switch again, v2), then the environment switches to polling.
    expectExit(await withStream(t, () => t.cli(["release", ENV, "--image", "v2", "--json"], SLOW)), 0);
    await useMode("polling");
    const plan = await t.cli(["plan", ENV, "--image", "polling-v2", "--json"]);
    expect(plan.result).toMatchObject({ mode: "polling", colour: "blue", switch: { from: "webhook", to: "polling", colour: "green" } });
    expect((plan.result?.steps as string[]).join("\n")).toMatch(/cutover: deleteWebhook \(pending updates kept for getUpdates\)/);

    const r = await withStream(t, () => t.cli(["release", ENV, "--image", "polling-crash-after-10", "--json"], SLOW));
    expectExit(r, 2);
    expect(r.result).toMatchObject({ outcome: "rolled-back", colour: "blue", from: "green" });
    expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, "green"));
    const s = await status();
    expect(s.containers.green).toMatchObject({ running: true, mode: "webhook" });
    expect(s.containers.blue).toMatchObject({ running: false, mode: "polling" });
  });

  it("webhook -> polling v2: deleteWebhook, webhook colour stopped, baked as polling; a manual rollback sets the webhook back (0 lost)", async () => {
    const r = await withStream(t, () => t.cli(["release", ENV, "--image", "polling-v2", "--json"], SLOW));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: "blue", from: "green" });
    expect((await webhookInfo(t)).url).toBe("");
    const s = await status();
    expect(s.report).toMatchObject({ mode: "polling", runningMode: "polling", pendingSwitch: null, live: "blue" });
    expect(s.containers.green).toMatchObject({ running: false, mode: "webhook" });

    const back = await withStream(t, () => t.cli(["rollback", ENV, "--json"], SLOW));
    expectExit(back, 0);
    expect(back.result).toMatchObject({ outcome: "rolled-back", colour: "green", mode: "cold" });
    expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, "green"));
    const s2 = await status();
    expect(s2.containers.green).toMatchObject({ running: true, mode: "webhook" });
    expect(s2.containers.blue).toMatchObject({ running: false });
  });

  it("back in webhook mode, a bot that comes up polling deletes the webhook at start: a failed gate (exit 1), the webhook restored", async () => {
    await useMode("webhook");
    const wrong = await withStream(t, () => t.cli(["release", ENV, "--image", "polling-mode", "--json"], SLOW));
    expectExit(wrong, 1);
    expect(String(wrong.result?.reason)).toMatch(/deleted the webhook by itself at start-up; the webhook was restored/);
    expect(String(wrong.result?.remedy)).toMatch(/came up in polling mode/);
    expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, "green"));
  });
});
