// `bluegreen rehearse` on a real Docker engine, as on an operator's machine: the built CLI runs
// inside one namespace host (its dockerd is the local engine, DOCKER_HOST a unix socket), pulls
// the echo-bot variants from the local registry, serves its Telegram emulator on the engine's
// bridge gateway, and reads what listens inside the container from /proc/<pid>/net. One world.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { E2eHost } from "../helpers/e2e-hosts.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";
import { CLI, type CliResult, REPO } from "../helpers/sandbox-env.js";

let w: E2eWorld;
let host: E2eHost;
beforeAll(async () => {
  w = await startE2eWorld({ hosts: 1 });
  const h = w.net.hosts[0];
  if (h === undefined) throw new Error("no host");
  host = h;
  writeFileSync(w.envFile, `${readFileSync(w.envFile, "utf8")}rehearse: { settle: 2s, apiBaseEnv: TELEGRAM_API_BASE }\n`);
}, 400_000);
afterAll(async () => {
  await w?.stop();
}, 120_000);

type Check = { id: string; status: string; evidence: string };

/** The CLI on the engine's machine: `ip netns exec` into the host, its dockerd as DOCKER_HOST. */
function rehearse(args: string[]): Promise<CliResult & { checks: Check[]; status: Record<string, string> }> {
  return new Promise((res) => {
    execFile(
      "ip",
      ["netns", "exec", host.ns, process.execPath, CLI, "rehearse", "e2e", ...args, "--json", "--config-dir", w.dir],
      { env: { ...w.env, DOCKER_HOST: host.dockerHost, PATH: `/usr/bin:/bin:/usr/sbin:/sbin` }, timeout: 200_000, maxBuffer: 16 * 2 ** 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        const lines = stdout.split("\n").filter((l) => l.startsWith("{"));
        const result = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.type === "result");
        const checks = (result?.checks ?? []) as Check[];
        res({ code, stdout, stderr, events: [], result, checks, status: Object.fromEntries(checks.map((c) => [c.id, c.status])) });
      },
    );
  });
}
const evidence = (r: { checks: Check[] }, id: string) => r.checks.find((c) => c.id === id)?.evidence ?? "";

describe("rehearse on a real Docker engine", () => {
  it("v1 passes every line of the checklist", async () => {
    const r = await rehearse(["--image", "v1"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.status, r.stdout).toEqual({ start: "pass", port: "pass", health: "pass", updates: "pass", webhook: "pass", memory: "pass", stop: "pass" });
    expect(evidence(r, "port")).toBe("the process listens on 5000 (container.port); 127.0.0.1:5001 answered (HTTP 200)");
    expect(evidence(r, "updates")).toContain('"echo: /start"');
    expect(host.docker(["ps", "-aq", "--filter", "name=echo-bot-blue"]).trim()).toBe("");
  }, 240_000);

  it("crash-on-boot fails the start line with its log", async () => {
    const r = await rehearse(["--image", "crash-on-boot"]);
    expect(r.code).toBe(1);
    expect(r.status.start).toBe("fail");
    expect(evidence(r, "start")).toMatch(/^container echo-bot-blue (is in a restart loop|exited with code 3|restarted)/);
    expect(evidence(r, "start")).toContain("ModuleNotFoundError: No module named 'main_webhook'");
  }, 240_000);

  it("wrong-port fails the port line, naming the port it listens on", async () => {
    const r = await rehearse(["--image", "wrong-port"]);
    expect(r.code).toBe(1);
    expect(r.status, r.stdout).toMatchObject({ start: "pass", port: "fail" });
    expect(evidence(r, "port")).toMatch(/^nothing listens on container\.port 5000; the process listens on 8080; 127\.0\.0\.1:5001 did not answer/);
  }, 240_000);

  it("polling-mode fails the health and webhook lines", async () => {
    const r = await rehearse(["--image", "polling-mode"]);
    expect(r.code).toBe(1);
    expect(r.status, r.stdout).toMatchObject({ start: "pass", port: "pass", health: "fail", webhook: "fail" });
    expect(evidence(r, "webhook")).toContain("the bot called deleteWebhook x1");
  }, 240_000);

  it("webhook-500 fails the updates line", async () => {
    const r = await rehearse(["--image", "webhook-500"]);
    expect(r.code).toBe(1);
    expect(r.status, r.stdout).toMatchObject({ start: "pass", health: "pass", updates: "fail", webhook: "pass" });
    expect(evidence(r, "updates")).toContain("/start: HTTP 500");
  }, 240_000);

  it("memory-hog fails the memory line", async () => {
    // gates.maxMemory below what the hog (~30 MB/s) reaches under load; the 256m --memory keeps it alive.
    const yaml = readFileSync(w.envFile, "utf8");
    writeFileSync(w.envFile, yaml.replace("maxMemory: 256m", "maxMemory: 96m"));
    try {
      const r = await rehearse(["--image", "memory-hog"]);
      expect(r.code).toBe(1);
      expect(r.status, r.stdout).toMatchObject({ start: "pass", memory: "fail" });
      expect(evidence(r, "memory")).toMatch(/^(peak [\d.]+ MiB under load, gates\.maxMemory 96 MiB|the container was OOM-killed)/);
    } finally {
      writeFileSync(w.envFile, yaml);
    }
  }, 240_000);

  it("--build of examples/echo-bot/Dockerfile builds the image and passes", async () => {
    // The Dockerfile's base (node + its libraries) as the registry's v1, which carries exactly that.
    host.docker(["pull", `${w.registry.address}/echo-bot:v1`], { timeoutMs: 120_000 });
    host.docker(["tag", `${w.registry.address}/echo-bot:v1`, "bluegreen-node-base"]);
    // A small context, as the image helper builds it (the repository root would send node_modules).
    const ctx = mkdtempSync(join(tmpdir(), "bge2e-rehearse-build-"));
    try {
      mkdirSync(join(ctx, "examples/echo-bot"), { recursive: true });
      mkdirSync(join(ctx, "dist/examples/echo-bot"), { recursive: true });
      cpSync(join(REPO, "examples/echo-bot/Dockerfile"), join(ctx, "examples/echo-bot/Dockerfile"));
      cpSync(join(REPO, "examples/echo-bot/docker-package.json"), join(ctx, "examples/echo-bot/docker-package.json"));
      for (const f of readdirSync(join(REPO, "dist/examples/echo-bot")).filter((x) => x.endsWith(".js"))) {
        cpSync(join(REPO, "dist/examples/echo-bot", f), join(ctx, "dist/examples/echo-bot", f));
      }
      const r = await rehearse(["--image", "rehearsal-build", "--build", ctx, "--file", join(ctx, "examples/echo-bot/Dockerfile")]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.status, r.stdout).toEqual({
        build: "pass",
        start: "pass",
        port: "pass",
        health: "pass",
        updates: "pass",
        webhook: "pass",
        memory: "pass",
        stop: "pass",
      });
      expect(evidence(r, "build")).toMatch(
        new RegExp(`^built ${w.registry.address.replace(/\./g, "\\.")}/echo-bot:rehearsal-build from .*Dockerfile in [\\d.]+s$`),
      );
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }, 300_000);
});
