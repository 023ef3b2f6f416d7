// The fault rows only a real Docker engine shows, through the built CLI on namespace hosts: a crash
// on boot under a restart policy (docker restarts it: the container is "restarting", not "exited"),
// an OOM kill by the kernel under --memory, a tag the registry does not have, and a changed host key.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit } from "../helpers/assertions.js";
import { engineContainer, expectLive, versionOn } from "../helpers/e2e-assert.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld({ hosts: 2, gates: { timeout: "30s" } });
  expectExit(await w.cli(["release", "e2e", "--image", "v1", "--json"]), 0);
  await expectLive(w, "blue");
}, 400_000);
afterAll(async () => {
  await w?.stop();
}, 120_000);

const release = (image: string) => w.cli(["release", "e2e", "--image", image, "--json"]);

/** Blue (v1) still serves on every host: nothing moved. */
async function blueUntouched(): Promise<void> {
  await expectLive(w, "blue");
  for (const h of w.net.hosts) {
    expect(engineContainer(h, "echo-bot-blue")).toMatchObject({ running: true, variant: "v1" });
    expect(await versionOn(h, 5001)).toBe("v1");
  }
}

describe("faults on a real engine", () => {
  it("crash on boot: exit 1 with the container's log lines, blue untouched", async () => {
    const r = await release("crash-on-boot");
    expectExit(r, 1);
    expect(r.result).toMatchObject({ outcome: "failed", colour: "green", from: "blue" });
    expect(r.result?.steps).not.toContain("cutover");
    // Under --restart unless-stopped the engine restarts the crashed bot: the gate must call that a crash loop.
    expect(String(r.result?.reason)).toMatch(
      /^i-[0-9a-f]+: container echo-bot-green (is in a restart loop \(exit code 3, \d+ restarts\)|exited with code 3|restarted \d+ time\(s\) \(exit code 3\))$/,
    );
    const logs = String(r.result?.logs);
    expect(logs).toContain("[ERROR] Worker (pid:");
    expect(logs).toContain("exited with code 3");
    for (const h of w.net.hosts) expect(engineContainer(h, "echo-bot-green")?.running).toBe(false);
    await blueUntouched();
  }, 240_000);

  it("OOM kill under --memory: the kernel's OOMKilled is seen; exit 1 before the cutover, 2 after", async () => {
    // A small limit the hog (~30 MB/s) reaches in seconds. restartPolicy "no": the engine resets
    // State.OOMKilled when it restarts a container, and the point here is the kernel's verdict.
    const yaml = readFileSync(w.envFile, "utf8");
    writeFileSync(
      w.envFile,
      yaml
        .replace("memoryLimit: 256m", "memoryLimit: 96m")
        .replace("maxMemory: 256m", "maxMemory: 96m")
        .replace("restartPolicy: unless-stopped", 'restartPolicy: "no"'),
    );
    try {
      const r = await release("memory-hog");
      const cutover = (r.result?.steps as string[] | undefined)?.includes("cutover") === true;
      expectExit(r, cutover ? 2 : 1);
      expect(r.result).toMatchObject({ outcome: cutover ? "rolled-back" : "failed", colour: "green", from: "blue" });
      expect(String(r.result?.reason)).toMatch(
        /^(bake failed: )?i-[0-9a-f]+: container echo-bot-green was OOM-killed \(memory limit reached, exit code 137\)$/,
      );
      expect(String(r.result?.logs)).toContain("memory-hog: allocating ~30 MB/s");
      const killed = w.net.hosts.map((h) => engineContainer(h, "echo-bot-green")).filter((c) => c?.oomKilled === true);
      expect(killed.length).toBeGreaterThan(0);
      expect(killed[0]).toMatchObject({ running: false, exitCode: 137, variant: "memory-hog" });
      await blueUntouched();
    } finally {
      writeFileSync(w.envFile, yaml);
    }
  }, 240_000);

  it("a tag the registry does not have: exit 1, nothing moved, no green container", async () => {
    for (const h of w.net.hosts) h.docker(["rm", "-f", "echo-bot-green"]);
    const r = await release("no-such-tag");
    expectExit(r, 1);
    expect(JSON.stringify(r.result)).toContain(`manifest for ${w.registry.address}/echo-bot:no-such-tag not found`);
    for (const h of w.net.hosts) expect(engineContainer(h, "echo-bot-green")).toBeUndefined();
    await blueUntouched();
  }, 240_000);

  it("a changed host key: exit 1 before any command runs on the host", async () => {
    const first = w.net.hosts[0];
    if (first === undefined) throw new Error("no hosts");
    const good = readFileSync(w.knownHostsFile, "utf8");
    const keyDir = mkdtempSync(join(tmpdir(), "bge2e-key-"));
    try {
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(keyDir, "k")]);
      const [type, blob] = readFileSync(join(keyDir, "k.pub"), "utf8").trim().split(" ");
      // known_hosts claims another key for host 0: a man-in-the-middle as far as the CLI can tell.
      writeFileSync(w.knownHostsFile, good.replace(new RegExp(`^${first.address.replace(/\./g, "\\.")} .*$`, "m"), `${first.address} ${type} ${blob}`));
      const before = first.docker(["ps", "-a", "--format", "{{.Names}} {{.ID}} {{.State}}"]);
      const r = await w.cli(["release", "e2e", "--image", "v2"]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`host key for ${first.address}:22 CHANGED`);
      expect(first.docker(["ps", "-a", "--format", "{{.Names}} {{.ID}} {{.State}}"])).toBe(before);
      await blueUntouched();
    } finally {
      writeFileSync(w.knownHostsFile, good);
      rmSync(keyDir, { recursive: true, force: true });
    }
  }, 120_000);
});
