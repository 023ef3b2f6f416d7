// A release SIGKILLed mid-way (at every step boundary: mark-staging, stage, gates, mark-cutover, cutover, bake) must leave a world
// the next release can finish: its lock (same machine, dead pid) is taken over at once, the next
// release exits 0, status is consistent, both switches agree, and no update is lost meanwhile.
import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectExit, killChildren, listenerForward, stopWorld, tolerantHealthChecks, webhookInfo, webhookUrlOf, withStream } from "../helpers/assertions.js";
import { CLI, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
const children = new Set<number>();
beforeAll(async () => {
  // What is under test is the lock takeover and the world the next release finds, not the bake:
  // one piece of bake evidence in a 1 s window is enough for v3 (bake.test.ts covers the evidence rule).
  t = await startTestWorld({ firstHost: 80, gates: { bake: "1s", bakeEvidence: 1 } });
  // Each release's preflight reads the live colour's target health: probes tolerant of a loaded
  // machine (a 100 ms probe timeout failed "killed at mark-staging" at preflight in a loaded run).
  await tolerantHealthChecks(t);
});
afterEach(() => killChildren(children));
afterAll(async () => {
  await stopWorld(t);
});

/**
 * Starts `release --json` and SIGKILLs it as soon as its stdout shows a step event for `step`.
 * Resolves with the steps seen (deadline-bounded: fails if the step never appears).
 */
function releaseKilledAt(image: string, step: string, deadlineMs = 60_000): Promise<string[]> {
  const child = spawn(process.execPath, [CLI, "release", "itest", "--image", image, "--json", "--config-dir", t.dir], {
    env: t.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid !== undefined) children.add(child.pid);
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    let buf = "";
    let killed = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`step ${step} did not appear within ${deadlineMs}ms; saw ${seen.join(",")}`));
    }, deadlineMs);
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) {
        if (!l.startsWith("{")) continue;
        const e = JSON.parse(l) as { type?: string; step?: string };
        if (e.type === "step" && typeof e.step === "string") seen.push(e.step);
        if (!killed && e.type === "step" && e.step === step) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) children.delete(child.pid);
      if (killed && signal === "SIGKILL") resolve(seen);
      else reject(new Error(`release ended (code ${code}, signal ${signal}) before step ${step}; saw ${seen.join(",")}`));
    });
  });
}

async function expectConsistent(): Promise<void> {
  const st = await t.cli(["status", "itest", "--json"]);
  const s = st.events[0] as Record<string, unknown>;
  expect(st.code, st.stdout + st.stderr).toBe(0);
  expect(s).toMatchObject({ consistent: true, problems: [], releaseInProgress: null, lock: null });
  const live = listenerForward(t);
  expect(live === "blue" || live === "green").toBe(true);
  expect(s.live).toBe(live);
  expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, live ?? "blue"));
}

describe("release killed with SIGKILL, then the next release", () => {
  it("first release v1", async () => {
    // No stream yet: with no webhook set, updates would only pile up at Telegram.
    expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
    await expectConsistent();
  }, 180_000);

  for (const step of ["mark-staging", "stage", "gates", "mark-cutover", "cutover", "bake"]) {
    it(`killed at ${step}: release v3 takes the dead run's lock over and finishes`, async () => {
      const r = await withStream(t, async () => {
        const seen = await releaseKilledAt("v2", step);
        expect(seen).toContain(step);
        return t.cli(["release", "itest", "--image", "v3", "--json"]);
      });
      expectExit(r, 0);
      expect(r.result).toMatchObject({ command: "release", outcome: "released" });
      expect(r.result?.image).toMatch(/^echo-bot@sha256:[0-9a-f]{64}$/);
      const live = r.result?.colour;
      expect(listenerForward(t)).toBe(live);
      await expectConsistent();
      for (const ip of t.world.hostIps) {
        const port = live === "blue" ? 5001 : 5002;
        const h = await fetch(`http://${ip}:${port}/health`);
        expect(((await h.json()) as { version: string }).version).toBe("v3");
      }
    }, 240_000);
  }
});
