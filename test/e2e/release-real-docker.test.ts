// The release loop on real hosts: two network-namespace hosts with OpenSSH and a real Docker engine,
// images pulled from a local registry by digest. v1 then v2 while updates stream (none lost), a warm
// rollback, status and history, all through the built CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit } from "../helpers/assertions.js";
import { engineContainer, expectLive, versionOn } from "../helpers/e2e-assert.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld({ hosts: 2 });
}, 300_000);
afterAll(async () => {
  await w?.stop();
}, 120_000);

async function streaming<T>(body: () => Promise<T>): Promise<T> {
  const id = await w.stream(20, 240_000);
  try {
    return await body();
  } finally {
    await w.stopStream(id);
  }
}

const digestRef = (tag: string) => new RegExp(`^${w.registry.address.replace(/\./g, "\\.")}/echo-bot@sha256:[0-9a-f]{64}$`).test(tag);

describe("release on real Docker engines over SSH", () => {
  it("first release: v1 pulled from the registry runs by digest on both hosts, blue live", async () => {
    const r = await w.cli(["release", "e2e", "--image", "v1", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: "blue" });
    await expectLive(w, "blue");
    for (const h of w.net.hosts) {
      const c = engineContainer(h, "echo-bot-blue");
      expect(c).toMatchObject({ name: "echo-bot-blue", running: true, status: "running", oomKilled: false, variant: "v1" });
      expect(digestRef(c?.image ?? ""), c?.image).toBe(true);
      expect(await versionOn(h, 5001)).toBe("v1");
    }
  }, 240_000);

  it("v2 under a stream of updates: green live, 0 updates lost", async () => {
    const r = await streaming(() => w.cli(["release", "e2e", "--image", "v2", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ outcome: "released", colour: "green" });
    expect(await w.lostUpdates()).toEqual([]);
    await expectLive(w, "green");
    for (const h of w.net.hosts) {
      expect(engineContainer(h, "echo-bot-green")).toMatchObject({ running: true, variant: "v2" });
      // The previous colour stays warm for the rollback.
      expect(engineContainer(h, "echo-bot-blue")).toMatchObject({ running: true, variant: "v1" });
      expect(await versionOn(h, 5002)).toBe("v2");
    }
  }, 240_000);

  it("warm rollback under the stream: blue (v1) back on both switches, 0 lost", async () => {
    const r = await streaming(() => w.cli(["rollback", "e2e", "--json"]));
    expectExit(r, 0);
    expect(r.result).toMatchObject({ command: "rollback", environment: "e2e", colour: "blue", from: "green" });
    expect(await w.lostUpdates()).toEqual([]);
    await expectLive(w, "blue");
    for (const h of w.net.hosts) expect(await versionOn(h, 5001)).toBe("v1");
  }, 240_000);

  it("status is consistent and history lists the three records newest first", async () => {
    const s = await w.cli(["status", "e2e", "--json"]);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(s.events[0]).toMatchObject({ live: "blue", consistent: true, problems: [], lock: null });
    const h = await w.cli(["history", "e2e", "--json"]);
    expect(h.code, h.stderr).toBe(0);
    const records = h.result?.records as { kind: string; colour: string; from: string | null }[];
    expect(records.map((x) => [x.kind, x.colour, x.from])).toEqual([
      ["rollback", "blue", "green"],
      ["release", "green", "blue"],
      ["release", "blue", null],
    ]);
  }, 120_000);
});
