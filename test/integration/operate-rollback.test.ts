// rollback through the real CLI: warm (instant, both switches back, no update lost), rollback of a
// rollback (back to v2), cold (the previous colour's containers were stopped: restarted and gated),
// and the refusal when nothing was released before.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, stopWorld, tolerantHealthChecks, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
let fresh: TestWorld | undefined;
// Rollbacks are under test, not the bake: one piece of bake evidence in a 1 s window is enough for
// the releases (the default bake extends to ~5 s to gather 3 rounds of evidence).
const FAST_BAKE = { bake: "1s", bakeEvidence: 1 };
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 60, gates: FAST_BAKE });
  // Each release's and rollback's preflight reads the live colour's target health: probes tolerant
  // of a loaded machine (a 100 ms probe timeout failed v2's preflight in a loaded run).
  await tolerantHealthChecks(t);
});
afterAll(async () => {
  await stopWorld(t);
  await stopWorld(fresh);
});

/** Runs the sandbox docker shim as the CLI's local transport would on host `ip`. */
function shimDocker(w: TestWorld, ip: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...w.env, BLUEGREEN_SANDBOX_HOST: ip };
  return new Promise((res) => {
    execFile("docker", args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
    });
  });
}

async function versionOn(ip: string, port: number): Promise<string> {
  const res = await fetch(`http://${ip}:${port}/health`);
  return ((await res.json()) as { version: string }).version;
}

describe("rollback", () => {
  it("releases v1 (blue) then v2 (green) under a stream", async () => {
    expectExit(await withStream(t, () => t.cli(["release", "itest", "--image", "v1", "--json"]), 3), 0);
    expectExit(await withStream(t, () => t.cli(["release", "itest", "--image", "v2", "--json"])), 0);
    await expectLive(t, "green");
  });

  it("warm rollback puts blue (v1) back on the listener and the webhook, losing nothing", async () => {
    const r = await withStream(t, () => t.cli(["rollback", "itest", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ command: "rollback", environment: "itest", colour: "blue", from: "green" });
    await expectLive(t, "blue");
    for (const ip of t.world.hostIps) expect(await versionOn(ip, 5001)).toBe("v1");
  });

  it("rolling back the rollback returns to v2 on green", async () => {
    const r = await withStream(t, () => t.cli(["rollback", "itest", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ command: "rollback", colour: "green", from: "blue" });
    await expectLive(t, "green");
    for (const ip of t.world.hostIps) expect(await versionOn(ip, 5002)).toBe("v2");
  });

  it("cold rollback restarts the stopped previous colour and passes the gates", async () => {
    for (const ip of t.world.hostIps) {
      const s = await shimDocker(t, ip, ["stop", "echo-bot-blue"]);
      expect(s.code, s.stderr).toBe(0);
    }
    for (const ip of t.world.hostIps) await expect(fetch(`http://${ip}:5001/health`)).rejects.toThrow();
    const r = await withStream(t, () => t.cli(["rollback", "itest", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ command: "rollback", colour: "blue", from: "green" });
    await expectLive(t, "blue");
    for (const ip of t.world.hostIps) expect(await versionOn(ip, 5001)).toBe("v1");
    const st = await t.cli(["status", "itest", "--json"]);
    expect(st.code, st.stdout + st.stderr).toBe(0);
  });

  it("refuses with exit 1 when only one release exists", async () => {
    fresh = await startTestWorld({ firstHost: 64, gates: FAST_BAKE });
    expectExit(await fresh.cli(["release", "itest", "--image", "v1", "--json"]), 0);
    const r = await fresh.cli(["rollback", "itest"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("nothing to roll back to in itest: no previous release is recorded");
    await expectLive(fresh, "blue");
  });
});
