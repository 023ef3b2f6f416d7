// First release and a blue->green release through the real CLI, with updates flowing throughout:
// both switches end on the new colour, the old one stays warm, status/history agree, and
// plan / release --dry-run describe the host commands without touching anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, listenerForward, stopWorld, tolerantHealthChecks, webhookInfo, webhookUrlOf, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 10 });
  await tolerantHealthChecks(t);
});
afterAll(async () => {
  await stopWorld(t);
});

const STEPS = ["mark-staging", "stage", "register", "gates", "mark-cutover", "cutover", "bake", "finalize"];

// Each test runs whole releases: on a loaded 2-core box one can take ~40 s, past the 60 s default with its stream drain.
describe("release: the happy path", { timeout: 150_000 }, () => {
  it("first release v1 puts blue live on the listener and the webhook", async () => {
    // Before any webhook exists updates wait at Telegram; a low rate keeps that backlog under maxPendingUpdates.
    const r = await withStream(t, () => t.cli(["release", "itest", "--image", "v1", "--json"]), 3);
    expectExit(r, 0);
    expect(r.result).toMatchObject({ command: "release", environment: "itest", outcome: "released", colour: "blue", from: null, steps: STEPS });
    await expectLive(t, "blue");
  });

  it("v2 goes live on green while blue stays running (warm)", async () => {
    const r = await withStream(t, () => t.cli(["release", "itest", "--image", "v2", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: "green", from: "blue", steps: STEPS });
    await expectLive(t, "green");
    const health = await fetch(`http://${t.world.hostIps[0]}:5001/health`);
    expect(await health.json()).toEqual({ status: "ok", mode: "webhook", version: "v1" });
    const healthGreen = await fetch(`http://${t.world.hostIps[1]}:5002/health`);
    expect(await healthGreen.json()).toEqual({ status: "ok", mode: "webhook", version: "v2" });
  });

  it("status --json is consistent and names green live, blue previous and warm", async () => {
    const r = await t.cli(["status", "itest", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.events[0] as Record<string, unknown>;
    expect(s).toMatchObject({
      environment: "itest",
      live: "green",
      liveByListener: "green",
      consistent: true,
      problems: [],
      releaseInProgress: null,
      lock: null,
    });
    expect(s.webhook).toMatchObject({ url: webhookUrlOf(t, "green"), colour: "green" });
    expect(s.previousRelease).toMatchObject({ colour: "blue" });
    expect(typeof s.previousWarmUntil).toBe("string");
    const colours = s.colours as Record<string, { containers: { running: boolean }[] }>;
    expect(colours.blue?.containers.map((c) => c.running)).toEqual([true, true]);
    expect(colours.green?.containers.map((c) => c.running)).toEqual([true, true]);
  });

  it("history --json records both releases", async () => {
    const r = await t.cli(["history", "itest", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ type: "result", command: "history", environment: "itest" });
    const records = r.result?.records as { kind: string; outcome: string; colour: string; from: string | null; environment: string }[];
    expect(records.map((x) => [x.kind, x.outcome, x.colour, x.from, x.environment]).sort()).toEqual([
      ["release", "released", "blue", null, "itest"],
      ["release", "released", "green", "blue", "itest"],
    ]);
  });

  it("plan prints the host commands for blue and changes nothing", async () => {
    const before = { calls: t.world.aws.control.calls().filter((c) => !/^Describe/.test(c.action)).length, webhook: (await webhookInfo(t)).url };
    const r = await t.cli(["plan", "itest", "--image", "v3", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({
      command: "plan",
      outcome: "planned",
      environment: "itest",
      live: "green",
      colour: "blue",
      image: "echo-bot:v3",
    });
    // 4063613 (review s9 F6) removed `unknown`: a plan that cannot read the world now exits 1 instead.
    expect(r.result).not.toHaveProperty("unknown");
    const cmds = (r.result?.hostCommands as string[][]).map((a) => a.join(" "));
    expect(cmds).toContain("docker pull echo-bot:v3");
    expect(cmds.some((c) => c.startsWith("docker run") && c.includes("echo-bot-blue"))).toBe(true);
    const text = await t.cli(["release", "itest", "--image", "v3", "--dry-run"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Plan: release echo-bot:v3 to itest (blue; live now: green)");
    expect(text.stdout).toContain("docker pull echo-bot:v3");
    expect(text.stdout).toContain("Nothing was changed.");
    const after = { calls: t.world.aws.control.calls().filter((c) => !/^Describe/.test(c.action)).length, webhook: (await webhookInfo(t)).url };
    expect(after).toEqual(before);
    expect(listenerForward(t)).toBe("green");
    const blue = await fetch(`http://${t.world.hostIps[0]}:5001/health`);
    expect(((await blue.json()) as { version: string }).version).toBe("v1");
  });
});
