// The deploy lock: of two releases started together exactly one runs (the other exits 75 naming
// the holder); a lease from another machine is honoured until it expires, then taken over.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, listenerForward, stopWorld, tolerantHealthChecks, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 50 });
  await tolerantHealthChecks(t);
  const r = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expectExit(r, 0);
  await expectLive(t, "blue");
});
afterAll(async () => {
  await stopWorld(t);
});

const lockDir = () => join(t.dir, "lock", "itest.lock");

async function writeForeignLease(expiresAt: string): Promise<Record<string, unknown>> {
  const lease = {
    owner: "ci",
    machine: "build-agent-7",
    pid: 424242,
    releaseId: "r20200101T000000Z-dead",
    command: "release",
    acquiredAt: "2020-01-01T00:00:00.000Z",
    expiresAt,
  };
  await mkdir(lockDir(), { recursive: true });
  await writeFile(join(lockDir(), "lease.json"), JSON.stringify(lease));
  return lease;
}

// Each test runs whole releases: on a loaded 2-core box one can take ~40 s, past the 60 s default with its stream drain.
describe("the deploy lock", { timeout: 150_000 }, () => {
  it("two releases at once: one releases (0), the other exits 75 naming the holder", async () => {
    const [a, b] = await withStream(t, async () => {
      const first = t.spawnCli(["release", "itest", "--image", "v2", "--json"]);
      const second = t.spawnCli(["release", "itest", "--image", "v3", "--json"]);
      return Promise.all([first.done.then((r) => ({ ...r, pid: first.pid })), second.done.then((r) => ({ ...r, pid: second.pid }))]);
    });
    const loser = a.code === 75 ? a : b;
    const winner = loser === a ? b : a;
    expectExit(winner, 0);
    expectExit(loser, 75);
    expect(loser.result).toMatchObject({ command: "release", outcome: "locked", exitCode: 75 });
    expect(String(loser.result?.error)).toMatch(new RegExp(`^another run holds the itest lock: \\S+@\\S+ \\(pid ${winner.pid}, release r\\S+, since `));
    expect(loser.result?.remedy).toBe("wait for it to finish (or pass --lock-wait 5m); if it died, `bluegreen lock release itest --force`");
    expect(winner.result).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
    await expectLive(t, "green");
    expect(existsSync(lockDir())).toBe(false);
  });

  it("a live lease from another machine is honoured: exit 75, nothing moves, the lease stays", async () => {
    await writeForeignLease(new Date(Date.now() + 10 * 60_000).toISOString());
    try {
      const r = await t.cli(["release", "itest", "--image", "v2", "--json"]);
      expectExit(r, 75);
      expect(String(r.result?.error)).toContain(
        "another run holds the itest lock: ci@build-agent-7 (pid 424242, release r20200101T000000Z-dead, since 2020-01-01T00:00:00.000Z",
      );
      expect(listenerForward(t)).toBe("green");
      expect(existsSync(join(lockDir(), "lease.json"))).toBe(true);
      const held = await t.cli(["lock", "status", "itest", "--json"]);
      expect(held.result).toMatchObject({
        command: "lock",
        action: "status",
        outcome: "held",
        exitCode: 0,
        expired: false,
        lock: { machine: "build-agent-7" },
      });
      // Without --force a live lease is another run's lock: 75 (CLI.md), not a usage error (64); untouched.
      const refused = await t.cli(["lock", "release", "itest", "--json"]);
      expectExit(refused, 75);
      expect(refused.result).toMatchObject({ outcome: "locked", exitCode: 75 });
      expect(String(refused.result?.error)).toContain("the itest lock is held by ci@build-agent-7 (pid 424242");
      expect(existsSync(join(lockDir(), "lease.json"))).toBe(true);
    } finally {
      const release = await t.cli(["lock", "release", "itest", "--force", "--yes", "--json"]);
      expect(release.code, release.stderr).toBe(0);
      expect(release.stdout.trim().split("\n")).toHaveLength(1);
      expect(release.result).toMatchObject({ command: "lock", action: "release", outcome: "released", exitCode: 0, released: { machine: "build-agent-7" } });
    }
    expect(existsSync(lockDir())).toBe(false);
  });

  it("a lease that expired is taken over and the release goes through", async () => {
    await writeForeignLease("2020-01-01T00:10:00.000Z");
    const r = await withStream(t, () => t.cli(["release", "itest", "--image", "v1", "--json"]));
    expectExit(r, 0);
    expect(r.events).toContainEqual(
      expect.objectContaining({
        type: "note",
        step: "lock",
        message:
          "taking over the stale lock of ci@build-agent-7 (pid 424242, release r20200101T000000Z-dead, since 2020-01-01T00:00:00.000Z, lease until 2020-01-01T00:10:00.000Z)",
      }),
    );
    expect(r.result).toMatchObject({ outcome: "released", colour: "blue", from: "green" });
    await expectLive(t, "blue");
    expect(existsSync(lockDir())).toBe(false);
  });
});
